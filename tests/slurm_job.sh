#!/usr/bin/env bash
# CTest (label slurm): submit one of the jobs/*.sbatch scripts to the local SLURM
# cluster (fixture "slurm") on the tiny synthetic data set fake.h5 (fixture
# "fake_data", in the working directory), wait for it and check its outputs.
#
# Usage: slurm_job.sh train|train-preempt|sweep-array|sweep-grouped|search|scaling|help
set -euo pipefail
# shellcheck source=tests/slurm_common.sh
source "${LC_TESTS_DIR:?}/slurm_common.sh"

what=${1:?usage: slurm_job.sh train|train-preempt|sweep-array|sweep-grouped|search|scaling|help}

if [[ $what == help ]]; then   # needs no cluster: every script answers --help
  for f in "$LC_SRC"/jobs/*.sbatch "$LC_SRC"/scripts/slurm-local.sh; do
    h=$(bash "$f" --help) || fail "$f --help failed"
    grep -q '^Usage:' <<<"$h" || fail "$f --help prints no Usage line"
  done
  h=$(python3 "$LC_SRC/scripts/collect-sweep.py" --help) || fail "collect-sweep.py --help failed"
  grep -q '^usage:' <<<"$h" || fail "collect-sweep.py --help prints no usage line"
  echo "help: ok"
  exit 0
fi

need_slurm
need_cluster
data=$PWD/fake.h5
[[ -s $data ]] || fail "$data missing (fixture fake_data)"
export LINCLS_BIN
LINCLS_BIN=$(dirname "${LC_MPI:?}")
export LINCLS_DATA=$data
d=$(fresh_dir "slurm-$what")
jobs=$LC_SRC/jobs

case $what in
  train)
    # The same training twice: srun (pmix) on 4 ranks, mpirun inside the allocation on
    # 2 ranks. Results must agree (same checkpoint for every power-of-two rank count).
    export LINCLS_EPOCHS=2 LINCLS_BATCH=32 LINCLS_VAL=50 LINCLS_SEED=7
    export LINCLS_LAUNCH=srun LINCLS_OUT=$d/srun
    submit_wait "$d" --nodes=1 --ntasks-per-node=4 "$jobs/train.sbatch"
    [[ -s $d/lincls-train-$JOBID.out ]] || fail "job log lincls-train-$JOBID.out missing"
    grep -q 'via srun' "$d/lincls-train-$JOBID.out" || fail "job did not launch with srun"
    export LINCLS_LAUNCH=mpirun LINCLS_OUT=$d/mpirun
    submit_wait "$d" --nodes=1 --ntasks-per-node=2 "$jobs/train.sbatch"
    grep -q 'via mpirun' "$d/lincls-train-$JOBID.out" || fail "job did not launch with mpirun"
    for run in srun:4 mpirun:2; do
      o=$d/${run%%:*}
      check_json "$o/result.json" \
        'all(isnum(j[k]) for k in ("train_acc", "val_acc", "test_acc", "final_loss", "epochs", "seconds", "ranks"))' \
        "j['ranks'] == ${run#*:}" 'all(0 <= j[k] <= 1 for k in ("train_acc", "val_acc", "test_acc"))' \
        'j["final_loss"] > 0'
      [[ -s $o/checkpoint.h5 ]] || fail "$o/checkpoint.h5 missing"
      [[ -s $o/metrics.jsonl ]] || fail "$o/metrics.jsonl missing"
    done
    python3 - "$d/srun/result.json" "$d/mpirun/result.json" <<'PY' || fail "4-rank (srun) and 2-rank (mpirun) results differ"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
keys = ("train_acc", "val_acc", "test_acc", "final_loss")
diff = {k: (a[k], b[k]) for k in keys if a[k] != b[k]}
print("srun/4 vs mpirun/2:", diff or "identical")
sys.exit(1 if diff else 0)
PY
    ;;
  train-preempt)
    # jobs/train.sbatch stopped by a signal requeues itself and resumes from its
    # checkpoint; the final checkpoint equals an uninterrupted run's, bit for bit.
    # Steps are slowed down (LINCLS_STEP_DELAY_MS) so that the signal lands mid-run.
    export LINCLS_EPOCHS=3 LINCLS_BATCH=32 LINCLS_VAL=50 LINCLS_SEED=7   # 8 steps an epoch, 24 in all
    "$LC_MPIEXEC" "$LC_NPFLAG" 2 "$LC_MPI" train --data "$data" --loss softmax --reg l2 --epochs 3 --batch 32 \
      --val 50 --seed 7 --checkpoint "$d/ref.h5" --quiet >/dev/null || fail "uninterrupted reference run"
    same_model() { h5diff -q "$1" "$2" /model /model >/dev/null && h5diff -q "$1" "$2" /optim /optim >/dev/null; }
    requeued_ok() {   # requeued_ok OUT LOG: requeued at least once, resumed, same result
      ((RESTARTS >= 1)) || { dump_logs "$d"; fail "job $JOBID was never requeued"; }
      grep -q 'stopped: SIGUSR1 at step' "$2" || { dump_logs "$d"; fail "no 'stopped:' line in $2"; }
      grep -q "requeueing job $JOBID" "$2" || fail "the job did not requeue itself"
      grep -q 'resuming from' "$2" || fail "the requeued job did not resume"
      check_json "$1/result.json" 'j["epochs"] == 3' 'j["steps"] == 24'
      same_model "$d/ref.h5" "$1/checkpoint.h5" || fail "$1/checkpoint.h5 differs from the uninterrupted run"
    }
    # 1. SIGUSR1 to the batch shell (as sbatch --signal=B:USR1 sends it), ranks via srun
    export LINCLS_LAUNCH=srun LINCLS_OUT=$d/signal LINCLS_STEP_DELAY_MS=200
    submit "$d" --nodes=1 --ntasks-per-node=4 "$jobs/train.sbatch"
    t0=$SECONDS
    until [[ -s $d/signal/metrics.jsonl ]]; do   # the first epoch is done
      ((SECONDS - t0 < SLURM_WAIT)) || { scancel "$JOBID"; dump_logs "$d"; fail "no first epoch"; }
      sleep 0.2
    done
    scancel --signal=USR1 --batch "$JOBID" || fail "scancel --signal=USR1 --batch $JOBID"
    wait_job
    requeued_ok "$d/signal" "$d/lincls-train-$JOBID.out"
    echo "signal: requeued $RESTARTS time(s), checkpoint equal to the uninterrupted run"
    # 2. a one-minute time limit: SLURM itself sends SIGUSR1 20 s (plus up to 60 s of
    #    slack, in practice 20-50 s) before the end; ranks via mpirun. 24 steps of
    #    1.75 s outlast the signal; the job may need more than one requeue.
    export LINCLS_LAUNCH=mpirun LINCLS_OUT=$d/timelimit LINCLS_STEP_DELAY_MS=1750
    submit_wait "$d" --nodes=1 --ntasks-per-node=2 --time=1 --signal=B:USR1@20 "$jobs/train.sbatch"
    requeued_ok "$d/timelimit" "$d/lincls-train-$JOBID.out"
    echo "time limit: requeued $RESTARTS time(s), checkpoint equal to the uninterrupted run"
    ;;
  sweep-array)
    export LINCLS_GRID=2x2 LINCLS_EPOCHS=2 LINCLS_BATCH=32 LINCLS_VAL=50 LINCLS_OUT=$d/out
    submit_wait "$d" --array=0-3 --ntasks=2 "$jobs/sweep-array.sbatch"
    for i in 0 1 2 3; do
      [[ -s $d/lincls-sweep-${JOBID}_$i.out ]] || fail "per-task log lincls-sweep-${JOBID}_$i.out missing"
      check_json "$d/out/trial-$i.json" "j['trial'] == $i" "j['job'] == '${JOBID}_$i'" 'j["ranks"] == 2' \
        'isnum(j["lr"]) and isnum(j["lambda"])' 'isnum(j["result"]["val_acc"])'
    done
    python3 "$LC_SRC/scripts/collect-sweep.py" "$d/out" --expect 4 || fail "collect-sweep.py failed"
    python3 - "$d/out/sweep.csv" <<'PY' || fail "sweep.csv wrong"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 4, "expected 4 rows, got %d" % len(rows)
acc = [float(r["val_acc"]) for r in rows]
assert acc == sorted(acc, reverse=True), "not ranked by val_acc: %s" % acc
assert [r["rank"] for r in rows] == ["1", "2", "3", "4"]
pts = {(r["lr"], r["lambda"]) for r in rows}
assert len(pts) == 4, "trials share hyperparameters: %s" % pts
print("sweep.csv: 4 trials ranked, best val_acc %s" % acc[0])
PY
    ;;
  sweep-grouped)
    export LINCLS_GROUPS=2 LINCLS_TRIALS=4 LINCLS_EPOCHS=2 LINCLS_VAL=50 LINCLS_OUT=$d/out
    # fake.h5 has 250 training rows after --val 50: batches must fit
    submit_wait "$d" --ntasks=4 "$jobs/sweep-grouped.sbatch" --batches 32,64
    check_json "$d/out/result.json" '"best" in j' 'len(j["trials"]) == 4' \
      'all(isnum(t["val_acc"]) and t["ranks"] == 2 and "train" in t["command"] for t in j["trials"])'
    ;;
  search)
    export LINCLS_TRIALS=20 LINCLS_SCALE=1e-4 LINCLS_OUT=$d/out
    submit_wait "$d" --ntasks=4 "$jobs/search.sbatch"
    check_json "$d/out/result.json" 'isnum(j["best_loss"]) and j["best_loss"] > 0' \
      'isinstance(j["best_trial"], int) and 0 <= j["best_trial"] < 20' '0 <= j["test_acc"] <= 1'
    [[ -s $d/out/best.h5 ]] || fail "$d/out/best.h5 missing"
    ;;
  scaling)
    export LINCLS_RANKS="1 2 4 8" LINCLS_STEPS=5 LINCLS_BATCH=16 LINCLS_VAL=50 LINCLS_OUT=$d/out
    submit_wait "$d" "$jobs/scaling.sbatch"
    cat "$d/out/scaling.csv"
    python3 - "$d/out/scaling.csv" <<'PY' || fail "scaling.csv wrong"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
want = [(m, k) for m in ("strong", "weak") for k in (1, 2, 4, 8)]
got = [(r["mode"], int(r["ranks"])) for r in rows]
assert got == want, "rows %s, expected %s" % (got, want)
for r in rows:
    assert float(r["seconds"]) > 0 and float(r["samples_per_second"]) > 0, r
    assert float(r["speedup"]) > 0 and float(r["efficiency"]) > 0, r
    gb = 16 if r["mode"] == "strong" else 16 * int(r["ranks"])
    assert int(r["global_batch"]) == gb, r
    if r["ranks"] == "1":
        assert float(r["speedup"]) == 1 and float(r["efficiency"]) == 1, r
print("scaling.csv: 8 rows ok")
PY
    ;;
  *) fail "unknown job '$what'" ;;
esac
echo "$what: ok"
