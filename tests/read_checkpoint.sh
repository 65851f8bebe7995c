#!/usr/bin/env bash
# Bad checkpoints and weights from elsewhere (issue 8, sections 2, 3 and 5):
# every crafted variant is refused by eval and --init with one message naming
# the file, the dataset or attribute, what was expected and what was found
# (a non-finite model no longer prints an accuracy); a file with only
# /model/W and /model/b works, with the statistics train would use.
#   read_checkpoint.sh refuse|weights
source "$(dirname "$0")/read_lib.sh"
group=${1:?group}
testdir "read_checkpoint_$group"
# a model that is far from perfect, so that predictions depend on every detail
mpi 2 train --data ../fake.h5 --val 40 --max-steps 1 --batch 16 --init randn:0.01 --quiet --checkpoint good.h5 \
    >/dev/null 2>&1 || fail "good run"
craft ckpt good.h5 c
d=(--data ../fake.h5 --val 40 --epochs 1 --quiet)
if [[ $group == refuse ]]; then
e() { local what=$1 re=$2; expect_fail "eval $what" "c/$what.h5: $re" mpi 2 eval --data ../fake.h5 --model "c/$what.h5"; }
e margin_array '/model attribute margin must be one number, found float32 \[4096\]'
e margin_nan '/model attribute margin is nan \(must be finite and >= 0\)'
e loss_array '/model attribute loss must be one string, found 7-byte ASCII string \[4096\]'
e loss_unknown '/model attribute loss is "hinge", not one of softmax, svm, svm2, ova2'
e input_array '/model attribute input must be one string .*found int64 \[4096\]'
e classes_count '/model attribute classes must be 10 class names .*found 1-byte ASCII string \[3\]'
e w_nan '/model/W has a non-finite value \(nan\) at \[3,17\]'
e b_inf '/model/b has a non-finite value \(inf\) at \[4\]'
e mean_nan '/model/mean has a non-finite value \(nan\) at \[9\]'
e scale_zero '/model/scale must be finite and > 0, found 0 at \[5\]'
e scale_nan '/model/scale must be finite and > 0, found nan at \[5\]'
e scale_neg '/model/scale must be finite and > 0, found -1 at \[5\]'
e scale_inf '/model/scale must be finite and > 0, found inf at \[5\]'
e scale_tiny '/model/scale must be finite and > 0, found 1.4013e-45 at \[5\]'
e w_transposed '/model/W must be float32 \[K,D\] .*found float32 \[3072,10\] \(this W looks transposed: store W.T\)'
e feat_w_transposed '/model/W is \[20,10\] but /model/b has 10 values: W must be \[K,D\] \(this W looks transposed'
e w_3d '/model/W must be float32 \[K,D\] .*found float32 \[10,3,1024\]'
e w_string '/model/W must be float32 \[K,D\] .*found 1-byte ASCII string \[10\]'
e w_missing 'no dataset /model/W'
e b_missing 'no dataset /model/b \(float32 \[10\], the bias; W is \[10,3072\]\)'
e b_short '/model/b must be float32 \[10\], found float32 \[9\]'
e scale_missing '/model has mean but no scale'
e k_mismatch '/model/W is \[5,3072\] but ../fake.h5 has K=10 classes and D=3072 inputs: W must be \[10,3072\]'
e config_val_array '/config attribute val must be one string holding an integer'
e input_other 'the model was trained on input "hog\(cell=4\)" but ../fake.h5 holds "images"'
e w_unwritten '/model/W cannot be read: it holds no data \(created but never written\)'
e empty 'not an HDF5 checkpoint'
expect_fail "--init with a NaN in W" "--init: c/w_nan.h5: /model/W has a non-finite value \(nan\) at \[3,17\]" \
    mpi 2 train "${d[@]}" --init c/w_nan.h5
expect_fail "--init with scale 0" "--init: c/scale_zero.h5: /model/scale must be finite and > 0" \
    mpi 2 train "${d[@]}" --init c/scale_zero.h5
expect_fail "--init with the wrong K" "--init: c/k_mismatch.h5: /model/W is \[5,3072\] but ../fake.h5 has K=10" \
    mpi 2 train "${d[@]}" --init c/k_mismatch.h5
expect_fail "--init made for other inputs" "--init: c/input_other.h5: the model was trained on input" \
    mpi 2 train "${d[@]}" --init c/input_other.h5
expect_fail "eval --val -5" "--val must be >= 0, or -1" mpi 2 eval --data ../fake.h5 --model good.h5 --val -5
expect_fail "eval --scale 7" "--scale: '7' is not one of std, 255, 1" mpi 2 eval --data ../fake.h5 --model good.h5 --scale 7
expect_fail "--init with mean but no scale" "--init: c/scale_missing.h5: /model has mean but no scale" \
    mpi 2 train "${d[@]}" --init c/scale_missing.h5
exit 0
fi
[[ $group == weights ]] || fail "unknown group $group"

# Weights from another tool: only /model/W and /model/b (float64). eval uses
# the training rows' mean and std as train computes them: the same numbers
# as the checkpoint the weights came from.
strip() { tail -n 1 | sed 's/"model":"[^"]*"//'; }
mpi 2 eval --data ../fake.h5 --model good.h5 2>/dev/null | strip > full.json || fail "eval good.h5"
expect_ok "eval of W and b only" mpi 2 eval --data ../fake.h5 --model c/weights_only.h5 --val 40
grep -q "c/weights_only.h5 has no /model/mean and /model/scale: using the training rows' mean and --scale std" ok.err \
    || fail "eval did not say which statistics it used: $(cat ok.err)"
strip < ok.json > wonly.json
[[ $(json_get accuracy < full.json) != 1 ]] || fail "the reference model is perfect: the comparison would prove little"
cmp -s full.json wonly.json || fail "eval of W and b only differs from the full checkpoint: $(cat wonly.json) vs $(cat full.json)"
echo "ok: W and b only evaluate exactly like the full checkpoint (accuracy $(json_get accuracy < full.json))"
mpi 2 eval --data ../fake.h5 --model c/weights_only.h5 --val 40 --scale 1 2>/dev/null | strip > s1.json
cmp -s full.json s1.json && fail "--scale 1 for W and b only changed nothing"
echo "ok: --scale chooses the statistics for W and b only"
# train --init: the run's own mean and scale, the same as the checkpoint's
mpi 2 train "${d[@]}" --init good.h5 --checkpoint from_full.h5 >/dev/null 2>&1 || fail "--init good.h5"
expect_ok "--init with W and b only" mpi 2 train --data ../fake.h5 --val 40 --epochs 1 --init c/weights_only.h5 \
    --checkpoint from_wonly.h5
grep -q -- "--init c/weights_only.h5 has no /model/mean and /model/scale: using this run's (--scale std)" ok.err \
    || fail "--init did not say which statistics it used"
for x in W b mean scale; do
    h5diff -q from_full.h5 from_wonly.h5 /model/$x /model/$x >/dev/null || fail "--init W and b only: /model/$x differs"
done
echo "ok: --init with W and b only trains bitwise like --init from the full checkpoint"
