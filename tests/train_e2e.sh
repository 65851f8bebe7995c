#!/usr/bin/env bash
# End to end on synthetic data: every loss and optimizer learns the
# (learnable) synthetic classes; the JSON line and metrics file are complete;
# eval reproduces train's test accuracy; --help lists every option.
source "$(dirname "$0")/train_lib.sh"
testdir train_e2e
for loss in softmax svm svm2; do
    for opt in sgd momentum nesterov adagrad rmsprop adam; do
        lr=1e-3; [[ $opt == sgd || $opt == adagrad ]] && lr=1e-2
        line=$(mpi 2 train --data ../fake_big.h5 --val 200 --epochs 3 --loss "$loss" --optimizer "$opt" --lr $lr \
               --quiet | tail -n 1) || fail "$loss/$opt"
        acc=$(echo "$line" | json_get test_acc)
        ge "$acc" 0.9 || fail "$loss/$opt: test accuracy $acc < 0.9 on separable synthetic data"
    done
    echo "ok: $loss learns with every optimizer"
done
mpi 2 train --data ../fake_big.h5 --val 200 --epochs 3 --reg elastic --lambda 1e-3 --checkpoint m.h5 --metrics m.jsonl \
    > out.json 2> err.txt || fail "train with metrics"
line=$(tail -n 1 out.json)
for key in train_acc val_acc test_acc final_loss epochs seconds ranks samples_per_second; do
    [[ -n $(echo "$line" | json_get $key) ]] || fail "JSON result lacks $key: $line"
done
[[ $(wc -l < m.jsonl) -eq 3 ]] || fail "metrics file should have 3 lines"
grep -q 'epoch   3/3  loss' err.txt || fail "no progress line for epoch 3"
grep -q 'samples/s.*ETA' err.txt || fail "progress line lacks throughput/ETA"
ev=$(mpi 3 eval --data ../fake_big.h5 --model m.h5 2>/dev/null | tail -n 1)
[[ $(echo "$ev" | json_get accuracy) == $(echo "$line" | json_get test_acc) ]] \
    || fail "eval accuracy $(echo "$ev" | json_get accuracy) != train test_acc $(echo "$line" | json_get test_acc)"
echo "$ev" | grep -q '"confusion":\[\[' || fail "eval JSON lacks the confusion matrix"
for sub in train eval gradcheck search sweep features; do
    mpi 1 "$sub" --help > help.txt || fail "$sub --help exit code"
    grep -q -- '--help' help.txt || fail "$sub --help does not list options"
done
mpi 1 train --help | grep -q -- '--vshards.*deprecated' || fail "train --help does not mark --vshards deprecated"
# full-batch gradient descent: --batch = training rows
mpi 2 train --data ../fake.h5 --val 40 --batch 260 --epochs 2 --quiet > gd.json || fail "full-batch run"
[[ $(json_get steps < gd.json) == 2 ]] || fail "full batch should take one step per epoch"
echo "ok: JSON, metrics, progress, eval, --help, full-batch"
