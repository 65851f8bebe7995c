#!/usr/bin/env bash
# predict end to end on image files written by the test itself:
#   - a softmax model on raw pixels, an SVM model on raw pixels, a softmax
#     model on HOG + hue features and one on bag of words + HOG + hue (its
#     dictionary carried in the model), each trained on the synthetic dataset;
#   - test rows written as PNG (and one row as PPM, BMP, JPEG, RGBA PNG, grey
#     PGM, and 3x larger) by predict_tool, which also computes the expected
#     answer independently (double-precision loops over the HDF5 rows);
#   - predict's labels equal that argmax, its probabilities / scores match,
#     top-N is ordered, probabilities sum to 1, the JSON has its shape, the
#     result is the same at 1, 2 and 3 ranks, and lossless formats of the same
#     pixels give the very same numbers.
# Usage: predict.sh PREDICT_TOOL
# Usage: predict.sh PREDICT_TOOL setup|values|json|formats|refuse. "setup" (a
# CTest fixture) writes the image files and trains the models in
# predict_models/; each other part works in its own folder with links to them,
# so the parts run in parallel and each stays well inside its timeout.
source "$(dirname "$0")/train_lib.sh"
tool=$1 part=${2:?usage: predict.sh PREDICT_TOOL setup|values|json|formats|refuse}
N=12
if [[ $part == setup ]]; then
    testdir predict_models
    mkdir img
    "$tool" write ../fake.h5 0 $N img || fail "writing image files"
    tr=(--data ../fake.h5 --val 40 --epochs 3 --lr 1e-3 --quiet --no-test)
    mpi 2 train "${tr[@]}" --loss softmax --checkpoint soft.h5 >/dev/null || fail "train softmax"
    mpi 2 train "${tr[@]}" --loss svm --checkpoint svm.h5 >/dev/null || fail "train svm"
    mpi 2 features --data ../fake.h5 --out feats.h5 >/dev/null 2>&1 || fail "features"
    mpi 2 train "${tr[@]/..\/fake.h5/feats.h5}" --loss softmax --checkpoint feat.h5 >/dev/null || fail "train on features"
    mpi 2 features --data ../fake.h5 --out bow.h5 --kind bow,hog,color --centroids 24 --patches 3000 --kmeans-iters 8 \
        >/dev/null 2>&1 || fail "bag-of-words features"
    mpi 2 train "${tr[@]/..\/fake.h5/bow.h5}" --loss softmax --checkpoint bowm.h5 >/dev/null || fail "train on bag of words"
    echo "ok: image files and models ready"
    exit 0
fi
testdir "predict_$part"
for f in ../predict_models/*; do ln -s "$f" . || fail "linking $f"; done
[[ -f soft.h5 && -d img ]] || fail "predict_models/ is not ready (the predict_setup fixture)"

pngs=()
for ((i = 0; i < N; i++)); do pngs+=("img/row$i.png"); done

# labels LINE: "label" of each prediction, in order
labels() { grep -o '"file":"[^"]*","label":[0-9]*' <<<"$1" | sed 's/.*"label"://'; }
# tops LINE WHAT: one line per file: "l1 v1 l2 v2 ..." from its top list
tops() {
    grep -o '"top":\[[^]]*\]' <<<"$1" | while read -r t; do
        grep -o "\"label\":[0-9]*,\"$2\":[-0-9.eE+]*" <<<"$t" | sed "s/\"label\"://; s/,\"$2\":/ /" | tr '\n' ' '
        echo
    done
}

# check_model MODEL DATA GROUP WHAT: predict on the PNGs equals the independent answer
check_model() {
    local model=$1 data=$2 what=$4
    "$tool" expect "$model" "$data" "$3" 0 $N > expect.txt || fail "$model: expected answers"
    local out
    out=$(mpi 1 predict --model "$model" --top 10 "${pngs[@]}" 2>err.txt | tail -n 1) || { cat err.txt; fail "$model: predict"; }
    [[ $(labels "$out" | tr '\n' ' ') == "$(cut -d' ' -f1 expect.txt | tr '\n' ' ')" ]] \
        || fail "$model: labels $(labels "$out" | tr '\n' ' ') differ from the independent argmax $(cut -d' ' -f1 expect.txt | tr '\n' ' ')"
    # every class's value, against the independent one; top list sorted, best = label
    paste -d'|' <(tops "$out" "$what") expect.txt | awk -F'|' -v what="$what" -v m="$model" '
        { n = split($1, t, " "); split($2, x, " ");
          if (n != 20) { print m ": top list of " n / 2 " entries, expected 10"; bad = 1 }
          if (t[1] != x[1]) { print m ": first of top is " t[1] ", label " x[1]; bad = 1 }
          sum = 0
          for (i = 1; i < n; i += 2) {
              lab = t[i]; v = t[i + 1]; want = x[lab + 2]; sum += v
              tol = what == "prob" ? 1e-5 : 1e-4 * (1 + (want < 0 ? -want : want))
              d = v - want; if (d < 0) d = -d
              if (d > tol) { print m ": row " NR - 1 " class " lab ": " what " " v " expected " want; bad = 1 }
              if (i > 1 && v > prev) { print m ": top list not in decreasing order at row " NR - 1; bad = 1 }
              prev = v
          }
          if (what == "prob" && (sum < 0.999999 || sum > 1.000001)) { print m ": probabilities sum to " sum; bad = 1 }
        }
        END { exit bad }' || fail "$model: values differ (see above)"
    grep -q "^img/row0.png " err.txt || fail "$model: no table row for img/row0.png on stderr"
    echo "ok: $model: $N files, labels and all $what values equal the independent computation"
}
case $part in
values)
    check_model soft.h5 ../fake.h5 test prob
    check_model svm.h5 ../fake.h5 test score
    check_model feat.h5 feats.h5 test prob
    check_model bowm.h5 bow.h5 test prob

    ;;
json)
    # --- the JSON line -------------------------------------------------------------------
    out=$(mpi 1 predict --model soft.h5 img/row0.png img/row1.png 2>/dev/null | tail -n 1) || fail "predict 2 files"
    re='^\{"cmd":"predict","model":"soft\.h5",.*"predictions":\[\{"file":"img/row0\.png","label":[0-9]+,"class":"[a-z]+","top":\[(\{"class":"[a-z]+","label":[0-9]+,"prob":[-0-9.eE+]+\},?){3}\]\},\{"file":"img/row1\.png",.*\]\}\]\}$'
    [[ $out =~ $re ]] || fail "JSON shape (default --top 3): $out"
    c0=$(grep -o '"file":"img/row0.png","label":[0-9]*,"class":"[a-z]*"' <<<"$out" | sed 's/.*"class":"//; s/"//')
    k0=$(grep -o '"file":"img/row0.png","label":[0-9]*' <<<"$out" | sed 's/.*://')
    names=(airplane automobile bird cat deer dog frog horse ship truck)
    [[ $c0 == "${names[$k0]}" ]] || fail "class name $c0 is not the name of label $k0"
    out=$(mpi 1 predict --model svm.h5 --top 2 img/row0.png 2>/dev/null | tail -n 1) || fail "predict svm"
    [[ $(grep -o '"score":' <<<"$out" | wc -l) -eq 2 && $out != *'"prob"'* ]] || fail "svm: expected 2 scores and no prob: $out"
    echo "ok: JSON shape, --top, class names, score for SVM"

    # --- ranks, order, formats ------------------------------------------------------------
    one=$(mpi 1 predict --model feat.h5 "${pngs[@]}" 2>/dev/null | tail -n 1 | sed 's/"ranks":[0-9]*//')
    for np in 2 3; do
        many=$(mpi $np predict --model feat.h5 "${pngs[@]}" 2>/dev/null | tail -n 1 | sed 's/"ranks":[0-9]*//')
        [[ $many == "$one" ]] || fail "predict on $np ranks differs from 1 rank"
    done
    rev=$(mpi 2 predict --model feat.h5 img/row3.png img/row1.png 2>/dev/null | tail -n 1)
    [[ $(grep -o '"file":"[^"]*"' <<<"$rev" | tr '\n' ' ') == '"file":"img/row3.png" "file":"img/row1.png" ' ]] \
        || fail "predictions not in the order given: $rev"
    echo "ok: the same predictions at 1, 2 and 3 ranks, in the order given"

    ;;
formats)
    fmts=(row0.png row0.ppm row0.bmp row0-rgba.png row0-grey.pgm row0-grey.png row0.jpg row0-x3.png)
    for model in soft.h5 feat.h5 bowm.h5; do
        out=$(mpi 1 predict --model $model --top 10 "${fmts[@]/#/img/}" 2>/dev/null | tail -n 1) || fail "$model: formats"
        mapfile -t t < <(tops "$out" prob)
        [[ ${#t[@]} -eq ${#fmts[@]} ]] || fail "$model: ${#t[@]} results for ${#fmts[@]} files"
        for i in 1 2 3; do
            [[ ${t[$i]} == "${t[0]}" ]] || fail "$model: ${fmts[$i]} gives other numbers than row0.png (same pixels)"
        done
        [[ ${t[4]} == "${t[5]}" ]] || fail "$model: a grey PGM differs from the same grey image as RGB PNG"
        [[ ${t[4]} != "${t[0]}" ]] || fail "$model: grey image scored like the colour one (test cannot fail)"
        for i in 6 7; do
            [[ $out == *'"file":"img/'${fmts[$i]}'","label":'* ]] || fail "$model: no prediction for ${fmts[$i]}"
        done
    done
    echo "ok: PPM, BMP and RGBA PNG equal the PNG; grey PGM equals grey RGB; JPEG and a 96x96 image classified"

    ;;
refuse)
    # --- refusals ----------------------------------------------------------------------------
    echo "just text" > notimage.png
    head -c 200 img/row1.png > truncated.png
    mkdir -p adir
    e=(mpi 2 predict --model soft.h5)
    expect_fail "text file" "notimage.png: not an image.*\(" "${e[@]}" img/row0.png notimage.png
    expect_fail "missing file" "nothere.png: cannot open image: No such file" "${e[@]}" nothere.png
    expect_fail "truncated PNG" "truncated.png: not an image" "${e[@]}" truncated.png img/row0.png
    expect_fail "directory" "adir: cannot read image: Is a directory" "${e[@]}" adir
    rm -f fifo.png && mkfifo fifo.png || fail "mkfifo"
    expect_fail "FIFO" "fifo.png: cannot read image: not a regular file" \
        timeout 240 "$LC_MPIEXEC" "$LC_NPFLAG" 2 "$LC_MPI" predict --model soft.h5 img/row0.png fifo.png
    # the first bad file in the order given is the one named, whatever rank has it
    # (2 ranks: rank 0 has row0.png and nothere.png, rank 1 notimage.png and row1.png)
    expect_fail "two bad files" "nothere.png: cannot open image" "${e[@]}" img/row0.png nothere.png notimage.png img/row1.png
    out=$(mpi 2 predict --model soft.h5 img/row0.png notimage.png 2>/dev/null)
    [[ -z $out ]] || fail "a failed predict printed on stdout: $out"
    expect_fail "no image" "no IMAGE" mpi 1 predict --model soft.h5
    expect_fail "no model" "--model is required" mpi 1 predict img/row0.png
    expect_fail "--top 0" "--top" mpi 1 predict --model soft.h5 --top 0 img/row0.png
    expect_fail "dataset as model" "fake.h5: .*/model/W" mpi 2 predict --model ../fake.h5 img/row0.png
    expect_fail "text as model" "notimage.png: not an HDF5" mpi 2 predict --model notimage.png img/row0.png
    expect_fail "missing model" "nomodel.h5: cannot open" mpi 1 predict --model nomodel.h5 img/row0.png
    cp feat.h5 odd.h5 && "$tool" set-input odd.h5 "pca(k=20)" || fail "making a model of an unknown recipe"
    expect_fail "unknown recipe" "odd.h5: the model's input recipe 'pca\(k=20\)' is not one images can be turned into" \
        mpi 2 predict --model odd.h5 img/row0.png
    cp feat.h5 odd2.h5 && "$tool" set-input odd2.h5 "hog(cell=8,bins=9,block=3x3,norm=L2-Hys)" || fail "odd2"
    expect_fail "unknown HOG variant" "odd2.h5: the model's input recipe 'hog\(cell=8,bins=9,block=3x3" mpi 1 predict --model odd2.h5 img/row0.png
    # a bag-of-words model without its dictionary
    cp bowm.h5 nodict.h5
    "$tool" drop-dictionary nodict.h5 || fail "making a model without its dictionary"
    expect_fail "bag of words without a dictionary" "nodict.h5.*dictionary" mpi 2 predict --model nodict.h5 img/row0.png
    rc=0; mpi 1 predict --model soft.h5 notimage.png >/dev/null 2>&1 || rc=$?
    [[ $rc -eq 1 ]] || fail "a bad image should exit 1, got $rc"
    rc=0; mpi 1 predict --model soft.h5 --top x img/row0.png >/dev/null 2>&1 || rc=$?
    [[ $rc -eq 2 ]] || fail "a bad flag should exit 2, got $rc"

    # --- help ------------------------------------------------------------------------------------
    help=$(mpi 2 predict --help) || fail "--help exit code"
    grep -q -- '--model S .*\[none\]' <<<"$help" || fail "--help lacks --model"
    grep -q -- '--top N .*\[3\]' <<<"$help" || fail "--help lacks --top with its default 3"
    [[ $(grep -c '^usage' <<<"$help") -eq 1 ]] || fail "--help printed by more than one rank"
    mpi 1 --help | grep -q 'predict' || fail "lincls-mpi --help does not list predict"
    echo "ok: refusals, exit codes, --help"
    ;;
*) fail "unknown part $part" ;;
esac
