#!/usr/bin/env bash
# Resume equivalence: E epochs straight equal E/2 epochs, stop, resume to E,
# bit for bit (model, optimizer state), for optimizers with state and a
# schedule that depends on the step; resuming with a changed flag is refused.
source "$(dirname "$0")/train_lib.sh"
testdir train_resume
for opt in momentum adam nesterov; do
    for sched in step cosine; do
        common=(--data ../fake.h5 --val 40 --epochs 4 --batch 64 --optimizer "$opt" --schedule "$sched" --lr 1e-3 --quiet --no-test)
        mpi 2 train "${common[@]}" --checkpoint straight.h5 >/dev/null || fail "$opt straight"
        # 260 rows / 64 = 5 steps per epoch: stop after 2 epochs
        mpi 2 train "${common[@]}" --max-steps 10 --checkpoint half.h5 >/dev/null || fail "$opt first half"
        same_model straight.h5 half.h5 && fail "$opt: half-way model equals the full run (test cannot fail)"
        mpi 4 train "${common[@]}" --resume half.h5 --checkpoint resumed.h5 >/dev/null || fail "$opt resume"
        same_model straight.h5 resumed.h5 || fail "$opt/$sched: resumed run differs from the straight run"
        echo "ok: $opt/$sched resume (2 ranks then 4 ranks) bitwise equal to a straight run"
    done
done
expect_fail "resume with another --lr" "--lr" mpi 2 train "${common[@]}" --lr 5e-3 --resume half.h5
expect_fail "resume from a missing file" "nothere.h5" mpi 2 train "${common[@]}" --resume nothere.h5
