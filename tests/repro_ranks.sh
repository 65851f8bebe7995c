#!/usr/bin/env bash
# Reproducibility at any rank count: with default flags (only --epochs shortened)
# the checkpoints at 1, 2, 3, 5, 8 and 16 ranks (oversubscribed) are bitwise
# identical (/model and /optim), and so are the JSON's losses and accuracies.
source "$(dirname "$0")/train_lib.sh"
testdir repro_ranks
common=(--data ../fake_big.h5 --epochs 2 --quiet)
for np in 1 2 3 5 8 16; do
    mpi "$np" train "${common[@]}" --checkpoint "p$np.h5" > "p$np.json" || fail "train at $np ranks"
done
for np in 2 3 5 8 16; do
    same_model p1.h5 "p$np.h5" || fail "1 rank and $np ranks give different checkpoints"
    for k in final_loss train_acc val_acc test_acc; do
        [[ $(json_get $k < p1.json) == $(json_get $k < "p$np.json") ]] || fail "$k differs between 1 and $np ranks"
    done
done
echo "ok: 1, 2, 3, 5, 8, 16 ranks: bitwise identical checkpoints, final_loss $(json_get final_loss < p1.json)"
mpi 3 train "${common[@]}" --seed 7 --checkpoint s7.h5 >/dev/null || fail "train with another seed"
same_model p1.h5 s7.h5 && fail "another seed gave the same checkpoint: the comparison cannot fail"
echo "ok: another seed differs"
