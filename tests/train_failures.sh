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
LINCLS_CKPT_DELAY_MS=4000 mpi 2 train "${d[@]}" --epochs 50 --checkpoint-every 1 --checkpoint k.h5 >/dev/null 2>&1 &
job=$!
for _ in $(seq 1 200); do [[ -f k.h5 ]] && compgen -G 'k.h5.tmp.*' >/dev/null && break; sleep 0.1; done
[[ -f k.h5 ]] || { kill -9 $job; fail "first checkpoint never appeared"; }
compgen -G 'k.h5.tmp.*' >/dev/null || { kill -9 $job; fail "second checkpoint write never started"; }
pkill -9 -f "lincls-mpi train.*k.h5" ; kill -9 $job 2>/dev/null; wait $job 2>/dev/null
mpi 1 eval --data ../fake.h5 --model k.h5 --split train > eval.json 2>/dev/null || fail "checkpoint unreadable after kill -9 during a write"
[[ -n $(json_get accuracy < eval.json) ]] || fail "eval of the surviving checkpoint printed no accuracy"
echo "ok: kill -9 during a checkpoint write left the previous checkpoint readable"

# a rank killed mid-run: the job must end, not hang
mpi 4 train "${d[@]}" --epochs 100000 >/dev/null 2>&1 &
job=$!
sleep 3
victim=$(pgrep -f "lincls-mpi train --data ../fake.h5 --val 40 --quiet --no-test --epochs 100000" | tail -n 1)
[[ -n $victim ]] || { kill -9 $job; fail "no rank found to kill"; }
kill -9 "$victim"
t0=$SECONDS
while kill -0 $job 2>/dev/null; do
    (( SECONDS - t0 < 20 )) || { pkill -9 -f "epochs 100000"; fail "job still running 20 s after a rank was killed"; }
    sleep 0.2
done
wait $job && fail "job exited 0 after a rank was killed"
echo "ok: killing one rank ended the job in $((SECONDS - t0)) s"
