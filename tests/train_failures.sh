#!/usr/bin/env bash
# Failure behaviour: divergence stops with the step named and keeps the last
# good checkpoint; kill -9 during a checkpoint write leaves the previous
# checkpoint readable; a rank killed mid-run ends the whole job quickly.
source "$(dirname "$0")/train_lib.sh"
testdir train_failures
d=(--data ../fake.h5 --val 40 --quiet --no-test)

# divergence
mpi 2 train "${d[@]}" --epochs 1 --checkpoint good.h5 >/dev/null || fail "good run"
sum=$(md5sum < good.h5)
expect_fail "divergence" "diverged.*step [0-9]+.*good.h5" mpi 2 train "${d[@]}" --epochs 3 --optimizer sgd --lr 1e30 --init good.h5 --checkpoint good.h5
[[ $(md5sum < good.h5) == "$sum" ]] || fail "the diverged run changed the last good checkpoint"

# kill -9 while the second checkpoint is being written (the write pauses
# between the finished temporary file and the rename)
LINCLS_CKPT_DELAY_MS=8000 mpi_bg 2 train "${d[@]}" --epochs 50 --checkpoint-every 1 --checkpoint k.h5 >/dev/null 2>&1
writing() { [[ -f k.h5 ]] && compgen -G 'k.h5.tmp.*' >/dev/null; }
wait_until 300 writing || { stop_job $MPI_PID; fail "second checkpoint write never started (first: $(ls k.h5 2>&1))"; }
stop_job $MPI_PID   # kill -9, every rank and mpirun, by pid
mpi 1 eval --data ../fake.h5 --model k.h5 --split train > eval.json 2>/dev/null || fail "checkpoint unreadable after kill -9 during a write"
[[ -n $(json_get accuracy < eval.json) ]] || fail "eval of the surviving checkpoint printed no accuracy"
echo "ok: kill -9 during a checkpoint write left the previous checkpoint readable"

# a rank killed mid-run: the job must end, not hang
mpi_bg 4 train --data ../fake.h5 --val 40 --no-test --epochs 100000 >/dev/null 2>err.txt
wait_until 300 grep -q '^epoch' err.txt || { stop_job $MPI_PID; fail "the run never got to its first epoch"; }
victim=$(ranks_of $MPI_PID | tail -n 1)
[[ -n $victim ]] || { stop_job $MPI_PID; fail "no rank found to kill under mpirun $MPI_PID"; }
kill -9 "$victim"
t0=$SECONDS
wait_until 30 eval '! running $MPI_PID' || { stop_job $MPI_PID; fail "job still running 30 s after a rank was killed"; }
wait $MPI_PID && fail "job exited 0 after a rank was killed"
echo "ok: killing one rank ended the job in $((SECONDS - t0)) s"
