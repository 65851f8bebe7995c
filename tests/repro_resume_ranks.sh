#!/usr/bin/env bash
# Resume across a change of rank count: 2 epochs at 3 ranks, then resumed at 5
# ranks to 4 epochs, equals 4 epochs straight at 1 rank, bit for bit.
source "$(dirname "$0")/train_lib.sh"
testdir repro_resume_ranks
common=(--data ../fake_big.h5 --epochs 4 --quiet --no-test)
mpi 1 train "${common[@]}" --checkpoint straight.h5 >/dev/null || fail "straight run at 1 rank"
# 1000 training rows, batch 256: 4 steps per epoch
mpi 3 train "${common[@]}" --max-steps 8 --checkpoint half.h5 >/dev/null || fail "first half at 3 ranks"
same_model straight.h5 half.h5 && fail "the half-way model equals the full run (the test cannot fail)"
mpi 5 train "${common[@]}" --resume half.h5 --checkpoint resumed.h5 >/dev/null || fail "resume at 5 ranks"
same_model straight.h5 resumed.h5 || fail "3 ranks then 5 ranks differs from 1 rank straight"
echo "ok: 2 epochs at 3 ranks + 2 resumed at 5 ranks == 4 epochs at 1 rank, bitwise"
