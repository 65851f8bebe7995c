#!/bin/sh
# bow_e2e.sh: bag of words end to end on the synthetic dataset.
#   features (bow_np2.h5, made by the bow_features_np2 test) -> train -> the
#   checkpoint holds /model/dictionary; eval on the images file (encoding on the
#   fly) prints the same JSON as eval on the features file, at 2 and 3 ranks;
#   features --dictionary MODEL reproduces the features file bit for bit.
# Env: LC_MPI, LC_MPIEXEC, LC_NPFLAG. Runs in the test work dir.
set -u
fails=0
run() { np=$1; shift; "$LC_MPIEXEC" "$LC_NPFLAG" "$np" "$LC_MPI" "$@"; }
m=bow_e2e_model.h5
rm -f "$m"
# a random model (one tiny step from random weights): right only sometimes, so
# the confusion matrices compared below have many off-diagonal counts (adam
# named: on bag-of-words features the default would be full-batch L-BFGS)
run 2 train --data bow_np2.h5 --optimizer adam --batch 50 --val 50 --epochs 1 --max-steps 1 --lr 1e-9 --init randn:0.05 --checkpoint "$m" \
  --quiet >bow_e2e_train.out 2>bow_e2e_train.err || { echo "FAIL: train"; cat bow_e2e_train.err; exit 1; }
tail -n 1 bow_e2e_train.out
if h5ls -r "$m" | grep -q '^/model/dictionary/centroids'; then
  echo "ok: $m carries /model/dictionary"
else
  echo "FAIL: no /model/dictionary in $m"; fails=$((fails + 1))
fi
for split in test train; do
  run 2 eval --data bow_np2.h5 --model "$m" --split "$split" >bow_e2e_f.out 2>bow_e2e_f.err \
    || { echo "FAIL: eval on features"; cat bow_e2e_f.err; exit 1; }
  want=$(tail -n 1 bow_e2e_f.out)
  for np in 2 3; do
    run "$np" eval --data fake.h5 --model "$m" --split "$split" >bow_e2e_i.out 2>bow_e2e_i.err \
      || { echo "FAIL: eval on images at $np ranks"; cat bow_e2e_i.err; fails=$((fails + 1)); continue; }
    got=$(tail -n 1 bow_e2e_i.out | sed "s/\"ranks\":$np/\"ranks\":2/")
    if [ "$got" = "$want" ]; then
      echo "same: eval --split $split on images ($np ranks) and on features: $(echo "$got" | cut -c1-70)"
    else
      echo "FAIL: eval --split $split differs between images ($np ranks) and features:"
      echo " features: $want"; echo " images:   $got"; fails=$((fails + 1))
    fi
  done
  grep -q "computing bow(" bow_e2e_i.err || { echo "FAIL: eval on images did not say it encodes"; fails=$((fails + 1)); }
done
# reuse the model's dictionary: the same features as the file it was trained on
run 2 features --data fake.h5 --out bow_e2e_again.h5 --force --kind bow,hog,color --dictionary "$m" \
  >bow_e2e_again.out 2>bow_e2e_again.err || { echo "FAIL: features --dictionary"; cat bow_e2e_again.err; exit 1; }
# (the dictionary's provenance attributes are the model's, so only the datasets
# must match: each must be reported the same, a dump that fails counts too)
sh "$(dirname "$0")/bow_compare.sh" bow_np1.h5 bow_e2e_again.h5 >bow_e2e_cmp.out 2>&1
for d in /train/features /train/labels /test/features /test/labels /dictionary/centroids /dictionary/whiten \
  /dictionary/mean; do
  if grep -q "^same: $d " bow_e2e_cmp.out; then
    echo "same: $d recomputed with --dictionary $m"
  else
    echo "FAIL: $d from features --dictionary $m is not the original's:"; grep "$d" bow_e2e_cmp.out
    fails=$((fails + 1))
  fi
done
[ "$fails" -eq 0 ] || exit 1
echo "end to end ok"
