#!/usr/bin/env bash
# train --optimizer lbfgs end to end on the synthetic data:
#   - it learns (softmax and svm2), with a progress line per iteration, the
#     JSON members evaluations / grad_norm / lbfgs_stop, and stops on --gtol;
#   - the same checkpoint at 1, 2, 3 and 8 ranks (full_grad: exact sums, fixed
#     chunks; L-BFGS itself: plain loops in double), and under another
#     OpenBLAS kernel and lincls's generic vector kernels (no BLAS call and no
#     vector width decides the order of a sum);
#   - stopped half-way and resumed (at another rank count), it ends bitwise
#     identical to a straight run: model and /optim (x, g, pairs), also with
#     --checkpoint-every and with the history ring wrapped (--lbfgs-history 3);
#   - SIGUSR1 stops it between iterations (exit 75) and --resume ends bitwise
#     equal to the straight run;
#   - bad flags and a resume with another --lbfgs-history are refused.
# Usage: lbfgs_train.sh learn|ranks|resume|refuse (one part per CTest test, so
# that they run in parallel and each stays well inside its timeout).
source "$(dirname "$0")/train_lib.sh"
part=${1:?usage: lbfgs_train.sh learn|ranks|resume|refuse}
testdir "lbfgs_$part"
c=(--data ../fake.h5 --val 40 --optimizer lbfgs --lambda 1e-2 --gtol 0 --ftol 0 --quiet --no-test)
case $part in
learn)
    # learns, progress, JSON
    mpi 2 train --data ../fake_big.h5 --val 200 --optimizer lbfgs --epochs 30 --metrics m.jsonl > out.json 2> err.txt \
        || { cat err.txt; fail "lbfgs softmax"; }
    line=$(tail -n 1 out.json)
    ge "$(json_get test_acc <<<"$line")" 0.9 || fail "lbfgs softmax test accuracy too low: $line"
    for key in evaluations grad_norm lbfgs_stop; do
        [[ -n $(json_get $key <<<"$line") ]] || fail "JSON lacks $key: $line"
    done
    it=$(json_get epochs <<<"$line")
    [[ $(grep -c '^iter ' err.txt) -eq $it ]] || fail "expected $it progress lines: $(cat err.txt)"
    [[ $(wc -l < m.jsonl) -eq $it ]] || fail "metrics file should have $it lines"
    grep -q '"evaluations":' m.jsonl || fail "metrics lines lack evaluations"
    ev=$(json_get evaluations <<<"$line")
    [[ $ev -gt $it ]] || fail "$ev evaluations for $it iterations (plus the start) is impossible"
    echo "ok: softmax + lbfgs learns ($it iterations, $ev evaluations, stopped: $(json_get lbfgs_stop <<<"$line"))"
    line=$(mpi 2 train --data ../fake_big.h5 --val 200 --optimizer lbfgs --loss svm2 --epochs 10 --quiet | tail -n 1) \
        || fail "lbfgs svm2"
    ge "$(json_get test_acc <<<"$line")" 0.9 || fail "lbfgs svm2 test accuracy too low: $line"
    # a loose gradient tolerance stops early, and says so
    line=$(mpi 1 train --data ../fake.h5 --val 40 --optimizer lbfgs --epochs 50 --gtol 1e-3 --quiet | tail -n 1)
    [[ $(json_get lbfgs_stop <<<"$line") == gradient && $(json_get epochs <<<"$line") -lt 50 ]] \
        || fail "--gtol 1e-3 should stop early on the gradient: $line"
    ge 1e-3 "$(json_get grad_norm <<<"$line")" || fail "stopped with grad_norm above --gtol: $line"
    echo "ok: svm2 + lbfgs learns; --gtol stops early"

    ;;
ranks)
    # rank invariance
    mpi 1 train "${c[@]}" --epochs 6 --checkpoint p1.h5 >/dev/null || fail "1 rank"
    for np in 2 3 8; do
        mpi $np train "${c[@]}" --epochs 6 --checkpoint p$np.h5 >/dev/null || fail "$np ranks"
        same_model p1.h5 p$np.h5 || fail "lbfgs: $np ranks differ from 1 rank"
    done
    # the test can fail: one more iteration changes the checkpoint
    mpi 1 train "${c[@]}" --epochs 7 --checkpoint p7.h5 >/dev/null || fail "7 iterations"
    same_model p1.h5 p7.h5 && fail "lbfgs: 6 and 7 iterations give the same checkpoint"
    echo "ok: lbfgs checkpoints equal at 1, 2, 3 and 8 ranks"
    # another OpenBLAS kernel and the generic vector kernels: the same bits
    # (Prescott runs on every x86-64; the ISA override falls back where unknown)
    OPENBLAS_CORETYPE=Prescott LINCLS_KERN_ISA=generic "$LC_MPIEXEC" "$LC_NPFLAG" 2 "$LC_MPI" train "${c[@]}" \
        --epochs 6 --checkpoint pg.h5 >/dev/null || fail "Prescott + generic"
    same_model p1.h5 pg.h5 || fail "lbfgs: OPENBLAS_CORETYPE=Prescott LINCLS_KERN_ISA=generic differs"
    echo "ok: lbfgs checkpoint equal under OPENBLAS_CORETYPE=Prescott and LINCLS_KERN_ISA=generic"

    ;;
resume)
    # resume bit for bit, with the ring wrapped (m = 3 < iterations)
    for m in 10 3; do
        r=("${c[@]}" --epochs 8 --lbfgs-history $m)
        mpi 2 train "${r[@]}" --checkpoint straight.h5 >/dev/null || fail "m=$m straight"
        mpi 2 train "${r[@]}" --max-steps 4 --checkpoint half.h5 >/dev/null || fail "m=$m first half"
        same_model straight.h5 half.h5 && fail "m=$m: half-way equals the full run (test cannot fail)"
        [[ $(h5dump -a /optim/count half.h5 | grep -o '(0): [0-9]*' | cut -d' ' -f2) -eq $((m < 4 ? m : 4)) ]] \
            || fail "m=$m: the half-way checkpoint should hold $((m < 4 ? m : 4)) pairs"
        mpi 4 train "${r[@]}" --resume half.h5 --checkpoint resumed.h5 >/dev/null || fail "m=$m resume"
        same_model straight.h5 resumed.h5 || fail "m=$m: resumed run differs from the straight run"
        echo "ok: lbfgs (history $m) stopped after 4 iterations on 2 ranks and resumed on 4 ends bitwise equal"
    done
    mpi 2 train "${c[@]}" --epochs 8 --checkpoint-every 3 --checkpoint every.h5 >/dev/null || fail "checkpoint-every"
    mpi 2 train "${c[@]}" --epochs 8 --checkpoint straight8.h5 >/dev/null || fail "straight 8"
    same_model every.h5 straight8.h5 || fail "--checkpoint-every changed the result"
    # SIGUSR1 between iterations: exit 75 with the checkpoint; resumed on 3 ranks
    # it ends bitwise where the straight run ends (600 ms before each iteration
    # leaves the signal time to arrive before the run ends)
    loud=(--data ../fake.h5 --val 40 --optimizer lbfgs --lambda 1e-2 --gtol 0 --ftol 0 --no-test) # c without --quiet
    LINCLS_STEP_DELAY_MS=600 mpi_bg 2 train "${loud[@]}" --epochs 8 --checkpoint sig.h5 >sig.out 2>sig.err
    wait_until 300 grep -q '^iter    2/8' sig.err || { stop_job $MPI_PID; cat sig.err; fail "no second iteration within 300 s"; }
    victim=$(ranks_of $MPI_PID | tail -n 1) # a rank itself: no launcher in between
    [[ -n $victim ]] || { stop_job $MPI_PID; fail "no rank process under mpirun ($MPI_PID)"; }
    kill -USR1 "$victim"
    wait_until 300 eval '! running $MPI_PID' || { stop_job $MPI_PID; fail "still running 300 s after SIGUSR1"; }
    wait $MPI_PID
    rc=$?
    [[ $rc -eq 75 ]] || { cat sig.err; fail "lbfgs after SIGUSR1: exit $rc, expected 75"; }
    grep -q 'stopped: SIGUSR1 at step [0-9]* of 8' sig.err || { cat sig.err; fail "lbfgs: no 'stopped:' line"; }
    mpi 3 train "${c[@]}" --epochs 8 --resume sig.h5 --checkpoint sigres.h5 >/dev/null || fail "resume after SIGUSR1"
    same_model straight8.h5 sigres.h5 || fail "lbfgs stopped by SIGUSR1 and resumed differs from the straight run"
    echo "ok: lbfgs stopped by SIGUSR1 at $(grep -o 'stopped: SIGUSR1 at step [0-9]*' sig.err | grep -o 'step [0-9]*'), exit 75; resumed on 3 ranks: bitwise equal"
    ;;
refuse)
    mpi 2 train "${c[@]}" --epochs 8 --lbfgs-history 3 --max-steps 2 --checkpoint half.h5 >/dev/null || fail "first run"
    expect_fail "resume with another --lbfgs-history" "--lbfgs-history" \
        mpi 2 train "${c[@]}" --epochs 8 --lbfgs-history 5 --resume half.h5
    expect_fail "resume an adam checkpoint with lbfgs" "adam" \
        sh -c "\"$LC_MPIEXEC\" $LC_NPFLAG 1 \"$LC_MPI\" train --data ../fake.h5 --val 40 --epochs 1 --quiet --no-test --checkpoint adam.h5 >/dev/null && \"$LC_MPIEXEC\" $LC_NPFLAG 1 \"$LC_MPI\" train --data ../fake.h5 --val 40 --epochs 2 --quiet --no-test --optimizer lbfgs --resume adam.h5"
    expect_fail "--lbfgs-history 0" "--lbfgs-history" mpi 2 train "${c[@]}" --lbfgs-history 0
    expect_fail "--gtol -1" "--gtol" mpi 2 train "${c[@]}" --gtol -1
    mpi 1 train --help | grep -q -- '--lbfgs-history N .*\[10\]' || fail "--help lacks --lbfgs-history with its default"
    mpi 1 train --help | grep -q -- 'lbfgs' || fail "--help does not name lbfgs"
    echo "ok: refusals and --help"
    ;;
*) fail "unknown part $part" ;;
esac
