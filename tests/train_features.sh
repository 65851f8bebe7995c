#!/usr/bin/env bash
# Features end to end: extract HOG + hue features from the synthetic dataset,
# train on the features file unchanged (D != 3072), evaluate the checkpoint,
# and check that the model records the feature recipe and its statistics.
source "$(dirname "$0")/train_lib.sh"
testdir train_features
mpi 2 features --data ../fake_big.h5 --out feats.h5 > feats.json 2>/dev/null || fail "features"
dim=$(json_get dim < feats.json)
[[ $dim -gt 0 && $dim -ne 3072 ]] || fail "unexpected feature width $dim"
line=$(mpi 2 train --data feats.h5 --val 200 --epochs 5 --checkpoint m.h5 --quiet | tail -n 1) || fail "train on features"
ge "$(echo "$line" | json_get test_acc)" 0.8 || fail "test accuracy on features too low: $line"
ev=$(mpi 3 eval --data feats.h5 --model m.h5 2>/dev/null | tail -n 1) || fail "eval on features"
[[ $(echo "$ev" | json_get accuracy) == $(echo "$line" | json_get test_acc) ]] || fail "eval disagrees with train"
h5dump -a /model/input m.h5 | grep -q 'hog' || fail "model does not record the feature recipe"
h5dump -H -d /model/mean m.h5 | grep -q "( $dim )" || fail "model mean is not of the feature width"
# on the images file, eval computes the model's features from each image (its
# recipe): the same accuracy as on the features file
evi=$(mpi 3 eval --data ../fake_big.h5 --model m.h5 2>/dev/null | tail -n 1) || fail "eval of a features model on images"
[[ $(echo "$evi" | json_get accuracy) == $(echo "$ev" | json_get accuracy) ]] \
    || fail "eval on images $(echo "$evi" | json_get accuracy) != eval on features $(echo "$ev" | json_get accuracy)"
echo "ok: features ($dim dims) -> train -> eval"
