#!/usr/bin/env bash
# Bad flags and inputs: one message naming the flag or file, non-zero exit on
# every rank, quickly (CTest's timeout turns a hang into a failure).
source "$(dirname "$0")/train_lib.sh"
testdir train_badflags
d=(--data ../fake.h5 --val 40 --epochs 1 --quiet)
expect_fail "negative lr" "--lr" mpi 2 train "${d[@]}" --lr -1
expect_fail "NaN lr" "--lr" mpi 2 train "${d[@]}" --lr nan
expect_fail "batch 0" "--batch" mpi 2 train "${d[@]}" --batch 0
expect_fail "batch > N" "--batch 5000 is larger" mpi 2 train "${d[@]}" --batch 5000
expect_fail "--vshards not a number (deprecated, ignored, but must parse)" "--vshards" mpi 2 train "${d[@]}" --vshards x
expect_fail "batch above the exact reduction's limit" "--batch 5000000: at most" mpi 2 train "${d[@]}" --batch 5000000
expect_fail "unknown loss" "--loss" mpi 2 train "${d[@]}" --loss hinge3
expect_fail "unknown reg" "--reg" mpi 2 train "${d[@]}" --reg l3
expect_fail "unknown optimizer" "--optimizer" mpi 2 train "${d[@]}" --optimizer bfgs
expect_fail "missing data file" "no-such.h5" mpi 2 train --data no-such.h5
expect_fail "not HDF5" "not-h5.txt" sh -c "echo hello > not-h5.txt; \"$LC_MPIEXEC\" $LC_NPFLAG 2 \"$LC_MPI\" train --data not-h5.txt"
expect_fail "unknown option" "--bogus" mpi 2 train "${d[@]}" --bogus 1
expect_fail "missing value" "--epochs" mpi 2 train --data ../fake.h5 --epochs
expect_fail "int flag out of range" "--epochs: 99999999999 is out of range" mpi 2 train "${d[@]}" --epochs 99999999999
expect_fail "val too large" "--val" mpi 2 train "${d[@]}" --val 300
expect_fail "bad init" "--init" mpi 2 train "${d[@]}" --init randn:x
expect_fail "unknown subcommand" "unknown subcommand" mpi 1 nosuch
expect_fail "eval without --model" "--model" mpi 2 eval --data ../fake.h5
# an unwritable checkpoint path fails on every rank with the path named
expect_fail "unwritable checkpoint" "no-dir/c.h5" mpi 2 train "${d[@]}" --checkpoint no-dir/c.h5
