#!/usr/bin/env bash
# Bad input to search and sweep ends the job on every rank with one clear
# message and a non-zero exit code, never a hang and never a partial output.
source "$(dirname "$0")/train_lib.sh"
testdir search_badinput
d=(--data ../fake.h5)
expect_fail "search --trials 0" "--trials must be >= 1" mpi 2 search "${d[@]}" --trials 0
expect_fail "search unknown loss" "--loss: unknown loss 'hinge'" mpi 2 search "${d[@]}" --loss hinge
expect_fail "search missing data" "nothere.h5" mpi 2 search --data nothere.h5 --trials 3
expect_fail "search --vshards not a number" "--vshards" mpi 3 search "${d[@]}" --vshards x
expect_fail "search --val too large" "--val 300" mpi 2 search "${d[@]}" --val 300
# trial indices first .. first + trials - 1 must fit in int64 (this overflowed
# and was blamed on the losses being nan)
expect_fail "search --first-trial at int64 max" \
    "--first-trial 9223372036854775807 \+ --trials 1000: the last trial index would pass 2\^63 - 1" \
    mpi 2 search "${d[@]}" --first-trial 9223372036854775807
expect_fail "search --first-trial + --trials past int64 max" "--first-trial 9223372036854775806 \+ --trials 3" \
    mpi 2 search "${d[@]}" --first-trial 9223372036854775806 --trials 3
out=$(mpi 2 search "${d[@]}" --first-trial 9223372036854775806 --trials 2 --quiet 2>&1) \
    || fail "search of the last two trial indices: $out"
[[ $(echo "$out" | tail -n 1 | json_get best_trial) == 922337203685477580[67] ]] || fail "best_trial out of range: $out"
echo "ok: the last two trial indices are searched"
sw=(sweep "${d[@]}" --val 40 --batches 32 --epochs 1 --out out)
expect_fail "sweep --trials 0" "--trials must be >= 1" mpi 2 "${sw[@]}" --trials 0
expect_fail "sweep groups > ranks" "--groups 3 is larger than the 2 ranks" mpi 2 "${sw[@]}" --groups 3
expect_fail "sweep ranks not divisible" "--groups 2 does not divide the 3 ranks" mpi 3 "${sw[@]}" --groups 2
expect_fail "sweep unknown loss" "--losses: unknown item 'hinge'" mpi 2 "${sw[@]}" --losses softmax,hinge
expect_fail "sweep unknown optimizer" "--optimizers: unknown item 'bfgs'" mpi 2 "${sw[@]}" --optimizers sgd,bfgs
expect_fail "sweep batch too large" "--batches: 500 is larger than the 260 training rows" \
    mpi 2 sweep "${d[@]}" --val 40 --batches 32,500 --out out
expect_fail "sweep missing data" "nothere.h5" mpi 2 sweep --data nothere.h5 --out out
expect_fail "sweep --trials too many" "--trials must be at most 1000000 \(got 3000000000\)" mpi 2 "${sw[@]}" --trials 3000000000
expect_fail "sweep missing --out" "--out DIR is required" mpi 2 sweep "${d[@]}"
expect_fail "sweep bad lr range" "--lr-min" mpi 1 "${sw[@]}" --lr-min 0.1 --lr-max 0.01
[[ ! -e out ]] || fail "a refused sweep left its output folder behind"
echo "ok: every bad input refused"
