#!/bin/sh
# bow_refuse.sh TEST_BOW: bad bag-of-words input is refused on 2 ranks with a
# non-zero exit, one message naming the flag or file, and neither OUT nor a
# temporary OUT.tmp.* left behind. Each run is bounded by `timeout` (a FIFO
# given as a file must be refused, not waited on).
# Env: LC_MPI, LC_MPIEXEC, LC_NPFLAG. Runs in the test work dir (fake.h5,
# bow_np1.h5).
set -u
helper=$1
dir=refuse_bow.d
rm -rf "$dir" && mkdir -p "$dir" || exit 1
fails=0
run2() { timeout 240 "$LC_MPIEXEC" "$LC_NPFLAG" 2 "$LC_MPI" "$@"; }

# expect_refusal NAME SUB OUT PATTERN ARGS...
expect_refusal() {
  name=$1 sub=$2 out=$3 pattern=$4
  shift 4
  run2 "$sub" "$@" >"$dir/$name.out" 2>"$dir/$name.err"
  rc=$?
  [ "$rc" -ne 0 ] || { echo "FAIL $name: exit code 0"; fails=$((fails + 1)); }
  if ! grep -qF -- "$pattern" "$dir/$name.err"; then
    echo "FAIL $name: stderr does not mention '$pattern':"; cat "$dir/$name.err"; fails=$((fails + 1))
  fi
  n=$(grep -c "lincls-mpi $sub: error:" "$dir/$name.err")
  [ "$n" -eq 1 ] || { echo "FAIL $name: expected one error line, got $n"; fails=$((fails + 1)); }
  if [ -n "$out" ]; then
    for t in "$out" "$out".tmp*; do
      [ -e "$t" ] && { echo "FAIL $name: $t was left behind"; fails=$((fails + 1)); }
    done
  fi
  echo "checked $name (exit $rc): $(grep 'error:' "$dir/$name.err" | head -1)"
}

o=$dir/out.h5
small="--centroids 8 --patches 2000 --kmeans-iters 2"
expect_refusal no_dictionary features "$o" "fake.h5 has no /dictionary" \
  --data fake.h5 --out "$o" --kind bow --dictionary fake.h5
expect_refusal missing_dictionary features "$o" "$dir/nope.h5" \
  --data fake.h5 --out "$o" --kind bow --dictionary "$dir/nope.h5"
expect_refusal patch_mismatch features "$o" "--patch 8 does not match" \
  --data fake.h5 --out "$o" --kind bow --dictionary bow_np1.h5 --patch 8
expect_refusal centroids_mismatch features "$o" "--centroids 30 does not match" \
  --data fake.h5 --out "$o" --kind bow --dictionary bow_np1.h5 --centroids 30
"$helper" mkdict "$dir/onechannel.h5" 1 || { echo "FAIL: mkdict"; fails=$((fails + 1)); }
expect_refusal channels features "$o" "1-channel patches" \
  --data fake.h5 --out "$o" --kind bow --dictionary "$dir/onechannel.h5"
for v in strpool nan flat; do
  "$helper" mkdict "$dir/$v.h5" 3 $v || { echo "FAIL: mkdict $v"; fails=$((fails + 1)); }
done
expect_refusal attr_type features "$o" "/dictionary attribute pool must be one integer, found" \
  --data fake.h5 --out "$o" --kind bow --dictionary "$dir/strpool.h5"
expect_refusal not_finite features "$o" "/dictionary/whiten holds a value that is not finite" \
  --data fake.h5 --out "$o" --kind bow --dictionary "$dir/nan.h5"
expect_refusal flat_centroids features "$o" "/dictionary/centroids must be float [K, 108]" \
  --data fake.h5 --out "$o" --kind bow --dictionary "$dir/flat.h5"
mkfifo "$dir/fifo.h5" || { echo "FAIL: mkfifo"; fails=$((fails + 1)); }
expect_refusal fifo_dictionary features "$o" "fifo.h5: cannot open the dictionary file: it is not a regular file" \
  --data fake.h5 --out "$o" --kind bow --dictionary "$dir/fifo.h5"
# an output naming the dictionary it reads is refused, and the file is untouched
cp bow_np1.h5 "$dir/dict.h5" || { echo "FAIL: cp"; fails=$((fails + 1)); }
expect_refusal out_is_dictionary features "" "is the input file --dictionary" \
  --data fake.h5 --out "$dir/dict.h5" --force --kind bow --dictionary "$dir/dict.h5"
cmp -s bow_np1.h5 "$dir/dict.h5" || { echo "FAIL out_is_dictionary: the dictionary file changed"; fails=$((fails + 1)); }
expect_refusal k_over_patches features "$o" "--centroids 50 is larger than --patches 40" \
  --data fake.h5 --out "$o" --kind bow --centroids 50 --patches 40
expect_refusal dictionary_without_bow features "$o" "--dictionary" \
  --data fake.h5 --out "$o" --kind hog --dictionary bow_np1.h5
expect_refusal bad_patch features "$o" "--patch 40" --data fake.h5 --out "$o" --kind bow $small --patch 40
expect_refusal bad_pool features "$o" "--pool 0" --data fake.h5 --out "$o" --kind bow $small --pool 0
expect_refusal bad_iters features "$o" "--kmeans-iters" --data fake.h5 --out "$o" --kind bow $small --kmeans-iters -1

# a bag-of-words model whose dictionary is gone cannot be fed images
run2 train --data bow_np1.h5 --batch 50 --val 50 --epochs 1 --max-steps 1 --checkpoint "$dir/m.h5" --quiet \
  >/dev/null 2>"$dir/train.err" || { echo "FAIL: train"; cat "$dir/train.err"; fails=$((fails + 1)); }
cp "$dir/m.h5" "$dir/nodict.h5" && "$helper" rmdict "$dir/nodict.h5" || { echo "FAIL: rmdict"; fails=$((fails + 1)); }
expect_refusal eval_no_dictionary eval "" "$dir/nodict.h5 has no /dictionary or /model/dictionary" \
  --data fake.h5 --model "$dir/nodict.h5"
# ... but still evaluates on its features file
run2 eval --data bow_np1.h5 --model "$dir/nodict.h5" >/dev/null 2>&1 \
  || { echo "FAIL: eval of the model without dictionary on its features file"; fails=$((fails + 1)); }

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all bow refusals ok"
