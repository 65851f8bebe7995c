#!/usr/bin/env bash
# --resume from a damaged or edited checkpoint (issue 8, section 2): a
# negative step made every rank loop forever, a step near 2^62 overflowed
# the batch arithmetic; now each is refused naming the file and attribute.
source "$(dirname "$0")/read_lib.sh"
testdir read_resume
d=(--data ../fake.h5 --val 40 --batch 64 --quiet --no-test)
mpi 2 train "${d[@]}" --epochs 2 --checkpoint good.h5 >/dev/null 2>&1 || fail "good run"
craft resume good.h5 r
t() { local what=$1 re=$2; expect_fail "resume $what" "$re" mpi 2 train "${d[@]}" --epochs 3 --resume "r/$what.h5"; }
t step_negative 'r/step_negative.h5: /optim attribute step is -1 \(must be >= 0\)'
t step_huge '--resume r/step_huge.h5: /optim attribute step 4611686018427387904 is too large \(must be below 144115188075855871 with --batch 64\)'
t step_array 'r/step_array.h5: /optim attribute step must be one integer, found int64 \[4096\]'
t epoch_wrong '--resume r/epoch_wrong.h5: /optim attributes step 10 and epoch 7 disagree \(5 steps per epoch: step 10 is in epoch 2\)'
t t_negative 'r/t_negative.h5: /optim attribute t is -3 \(must be 0..step = 10\)'
t seed_array 'r/seed_array.h5: /optim attribute seed must be one integer, found uint64 \[4096\]'
t kind_array 'r/kind_array.h5: /optim attribute kind must be one string \(the optimizer\), found 4-byte ASCII string \[4096\]'
t s1_nan 'r/s1_nan.h5: /optim/s1 has a non-finite value nan at \[2\]'
t s2_negative 'r/s2_negative.h5: /optim/s2 has a negative second-moment value -1 at \[6\]'
t s1_missing 'r/s1_missing.h5: no dataset /optim/s1 \(the adam optimizer state, float32 \[30730\]\)'
t optim_missing 'r/optim_missing.h5: no group /optim: not a training checkpoint'
t config_lambda_array '--resume r/config_lambda_array.h5: /config attribute lambda is not one string'
t history_short 'r/history_short.h5: /history/train_acc must be float64 \[2\] like /history/loss, found float64 \[1\]'
t partial_huge '--resume r/partial_huge.h5: /history attributes partial_steps 4611686018427387904, .* do not fit step 10'
t partial_array 'r/partial_array.h5: /history attributes partial_loss, partial_correct, partial_steps must be one number each'
# the good checkpoint still resumes
expect_ok "resume from the good checkpoint" mpi 2 train "${d[@]}" --epochs 3 --resume good.h5
