#!/bin/bash
# bow_train_defaults.sh: on a bag-of-words features file (bow_np2.h5, made by
# the bow_features_np2 test) train defaults to the recipe's classifier (ova2,
# lbfgs, lambda 0.005, 1000 iterations at most); --lambda and --epochs given
# still apply; naming --loss or --optimizer keeps every general default; a
# file without a dictionary (the images file) keeps the general defaults too.
# Env: LC_MPI, LC_MPIEXEC, LC_NPFLAG. Runs in the test work dir.
source "$(dirname "$0")/train_lib.sh"
testdir bow_train_defaults
# expect "what" 'JSON members (regex, in output order)' train args...
expect() {
    local what=$1 re=$2; shift 2
    line=$(mpi 2 train --val 50 --quiet "$@" | tail -n 1) || fail "$what: train failed"
    echo "$line" | grep -Eq -- "$re" || fail "$what: /$re/ not in $line"
    echo "ok: $what"
}
expect "bag of words: ova2 + lbfgs, lambda 0.005, at most 1000 iterations" \
    '"epochs":[0-9]+,.*"lbfgs_stop":"[a-z_]+","loss":"ova2","reg":"l2","lambda":0.005,"optimizer":"lbfgs"' \
    --data ../bow_np2.h5
[[ $(json_get lbfgs_stop <<<"$line") != epochs ]] || fail "1000 iterations did not converge on 200 rows: $line"
expect "bag of words, --lambda and --epochs given" '"epochs":3,.*"loss":"ova2","reg":"l2","lambda":0.01,"optimizer":"lbfgs"' \
    --data ../bow_np2.h5 --lambda 0.01 --epochs 3
expect "bag of words, --epochs=2 given in the = form" '"epochs":2,.*"loss":"ova2","reg":"l2","lambda":0.005,"optimizer":"lbfgs"' \
    --data ../bow_np2.h5 --epochs=2
expect "bag of words, --loss named: the general defaults" '"epochs":2,.*"loss":"softmax","reg":"l2","lambda":0.001,"optimizer":"adam"' \
    --data ../bow_np2.h5 --loss softmax --epochs 2 --batch 50
expect "bag of words, --optimizer named: the general defaults" '"loss":"softmax","reg":"l2","lambda":0.001,"optimizer":"lbfgs"' \
    --data ../bow_np2.h5 --optimizer lbfgs --epochs 2
expect "images: the general defaults" '"epochs":1,.*"loss":"softmax","reg":"l2","lambda":0.001,"optimizer":"adam"' \
    --data ../fake.h5 --epochs 1 --batch 50
