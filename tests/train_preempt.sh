#!/usr/bin/env bash
# Preemption: SIGUSR1 or SIGTERM to one rank, or SIGUSR1 to mpirun (which
# forwards it), stops every rank at the next step boundary; rank 0 writes the
# checkpoint; the job exits 75 (EX_TEMPFAIL) with one "stopped:" line, and the
# last stdout line is a JSON object {"stopped": SIGNAL, "steps": ...}. Resumed
# (at another rank count), the run ends bitwise identical to an uninterrupted
# one: /model, /optim, and the per-epoch history of the epoch it stopped in.
source "$(dirname "$0")/train_lib.sh"
testdir train_preempt
# 260 rows / batch 16 = 17 steps per epoch, 102 steps in all
common=(train --data ../fake.h5 --val 40 --epochs 6 --batch 16 --optimizer adam --schedule cosine --lr 1e-3 --no-test)
mpi 2 "${common[@]}" --quiet --checkpoint straight.h5 >/dev/null || fail "uninterrupted run"
attr() { h5dump -a "$2" "$1" | sed -n 's/^ *(0): \(.*\)$/\1/p'; }   # attr FILE /path/attr

# signalled_run SIG TARGET NP [train options]: start a slowed-down run (40 ms a
# step), wait for its first epoch, send SIG to TARGET (rank: the last rank only;
# mpirun: the launcher), wait for the end. Sets RC; stderr in err.txt.
signalled_run() {
    local sig=$1 target=$2 np=$3 victim
    shift 3
    LINCLS_STEP_DELAY_MS=40 mpi_bg "$np" "${common[@]}" "$@" >out.txt 2>err.txt
    wait_until 300 grep -q 'epoch   1/6' err.txt || { stop_job $MPI_PID; cat err.txt; fail "no first epoch within 300 s"; }
    if [[ $target == rank ]]; then
        victim=$(ranks_of $MPI_PID | tail -n 1)
        [[ -n $victim ]] || { stop_job $MPI_PID; fail "no rank process under mpirun ($MPI_PID)"; }
    else
        victim=$MPI_PID
    fi
    kill -"$sig" "$victim"
    wait_until 300 eval '! running $MPI_PID' || { stop_job $MPI_PID; cat err.txt; fail "SIG$sig to $target: still running after 300 s"; }
    wait $MPI_PID
    RC=$?
}

mid_epoch=0
for c in "USR1 rank 2 4" "TERM rank 4 2" "USR1 mpirun 3 1"; do
    read -r sig target np np2 <<<"$c"
    rm -f int.h5 res.h5
    signalled_run "$sig" "$target" "$np" --checkpoint int.h5
    [[ $RC -eq 75 ]] || { cat err.txt; fail "SIG$sig to $target: exit $RC, expected 75"; }
    [[ $(grep -c 'stopped:' err.txt) -eq 1 ]] || { cat err.txt; fail "SIG$sig to $target: expected one 'stopped:' line"; }
    ! grep -q 'error:' err.txt || { cat err.txt; fail "SIG$sig to $target: an error line"; }
    line=$(grep 'stopped:' err.txt)
    step=$(sed -n "s/.*stopped: SIG$sig at step \([0-9]*\) of 102 (epoch [0-9]* of 6); checkpoint written to int.h5: continue with --resume int.h5$/\1/p" <<<"$line")
    [[ -n $step ]] || fail "SIG$sig to $target: unexpected message: $line"
    (( step > 0 && step < 102 )) || fail "SIG$sig to $target: stopped at step $step, not in the middle"
    [[ $(attr int.h5 /optim/step) == "$step" ]] || fail "checkpoint step $(attr int.h5 /optim/step), message says $step"
    j=$(tail -n 1 out.txt)
    [[ $(json_get stopped <<<"$j") == "SIG$sig" && $(json_get steps <<<"$j") == "$step" ]] \
        || fail "last stdout line is not the JSON of the stop: $j"
    if (( step % 17 != 0 )); then
        [[ $(attr int.h5 /history/partial_steps) == $((step % 17)) ]] || fail "checkpoint lacks the epoch in progress"
        mid_epoch=$((mid_epoch + 1))
    fi
    [[ -z $(ls int.h5.tmp.* 2>/dev/null) ]] || fail "temporary checkpoint file left behind"
    mpi "$np2" "${common[@]}" --quiet --resume int.h5 --checkpoint res.h5 >/dev/null || fail "resume after SIG$sig"
    same_model straight.h5 res.h5 || fail "SIG$sig to $target at step $step, resumed on $np2 ranks: differs from the uninterrupted run"
    for h in loss train_acc val_acc lr; do
        h5diff -q straight.h5 res.h5 /history/$h /history/$h >/dev/null || fail "history/$h differs after the stop at step $step"
    done
    echo "ok: SIG$sig to $target ($np ranks) stopped at step $step, exit 75; resumed on $np2 ranks: bitwise equal"
done
# (17 steps an epoch: a stop exactly between epochs is rare; one in the middle is required)
(( mid_epoch > 0 )) || fail "no run stopped in the middle of an epoch: the epoch-in-progress path went untested"

# Without --checkpoint: still exit 75, and the message says nothing was saved.
signalled_run USR1 rank 2
[[ $RC -eq 75 ]] || fail "no --checkpoint: exit $RC, expected 75"
grep -q 'stopped: SIGUSR1 at step [0-9]* of 102 .*nothing saved (no --checkpoint given)' err.txt \
    || { cat err.txt; fail "no --checkpoint: message"; }
echo "ok: without --checkpoint: exit 75, 'nothing saved'"

# No validation split: "val -", never "val nan%", in the progress and done: lines.
mpi 2 train --data ../fake.h5 --val 0 --epochs 1 --batch 32 >/dev/null 2>err.txt || fail "run with --val 0"
grep -q '^epoch   1/1 .* val   -  ' err.txt || { cat err.txt; fail "progress line without a validation split"; }
grep -q '^done: .* val -  test' err.txt || { cat err.txt; fail "done: line without a validation split"; }
! grep -qi 'nan' err.txt || { cat err.txt; fail "'nan' printed"; }
echo "ok: val - without a validation split"
