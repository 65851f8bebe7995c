# shellcheck shell=bash
# Shared by the tests/slurm_*.sh tests (sourced, not run). Needs LC_TESTS_DIR (set by
# tests/CMakeLists.txt), LINCLS_SLURM_DIR and SLURM_CONF (set by tests/experiments.cmake).
# Exit 77 = skipped (CTest SKIP_RETURN_CODE).

LC_SRC=$(cd "${LC_TESTS_DIR:?LC_TESTS_DIR not set}/.." && pwd)
SLURM_WAIT=${LC_SLURM_WAIT:-240}   # seconds a job may take from submission to the end

skip() { echo "SKIPPED: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

# Skip visibly where SLURM (or munge) is not installed.
need_slurm() {
  local c
  for c in sbatch srun squeue scontrol sinfo scancel; do
    command -v "$c" >/dev/null || skip "SLURM client '$c' not installed (Debian: slurm-client / slurm-wlm)"
  done
  for c in slurmctld slurmd munged; do
    PATH="$PATH:/usr/sbin:/sbin" command -v "$c" >/dev/null \
      || skip "'$c' not installed (Debian: slurm-wlm, munge)"
  done
  command -v python3 >/dev/null || skip "python3 not installed (needed to check JSON)"
}

# The cluster started by the slurm_start fixture must answer.
need_cluster() {
  [[ -n ${SLURM_CONF:-} && -f $SLURM_CONF ]] || fail "no local cluster: SLURM_CONF='${SLURM_CONF:-}' (did slurm_start run?)"
  sinfo -h >/dev/null 2>&1 || fail "sinfo does not answer with SLURM_CONF=$SLURM_CONF; $("$LC_SRC/scripts/slurm-local.sh" status 2>&1)"
}

# A fresh output directory for this test, under the tests' working directory.
fresh_dir() {
  rm -rf "$1"
  mkdir -p "$1"
  cd "$1" >/dev/null && pwd
}

# dump_logs DIR: show every job log in DIR (on failure).
dump_logs() {
  local f
  for f in "$1"/*.out; do
    [[ -f $f ]] || continue
    echo "---- $f ----" >&2
    tail -n 40 "$f" >&2
  done
}

# submit DIR sbatch-args...: submit from DIR (the job's working directory). Sets JOBID
# and JOBDIR.
submit() {
  JOBDIR=$1
  shift
  JOBID=$(sbatch --parsable --chdir="$JOBDIR" "$@") || fail "sbatch $* refused the job"
  JOBID=${JOBID%%;*}
  JOB_T0=$SECONDS
  echo "submitted job $JOBID: sbatch $*"
}

# wait_job: wait (bounded) until job JOBID, every array task included, has left the
# queue, then require JobState=COMPLETED and ExitCode=0:0 for all of them (scontrol
# keeps finished jobs for MinJobAge seconds; there is no slurmdbd, so no sacct). A
# requeued job waits ~30 s before it starts again (cred_expire in slurm-local.sh).
# Sets RESTARTS (the job's requeues).
wait_job() {
  local t0=$JOB_T0 info states
  while [[ -n $(squeue -h -j "$JOBID" -o %i 2>/dev/null) ]]; do
    if ((SECONDS - t0 > SLURM_WAIT)); then
      scancel "$JOBID" 2>/dev/null || true
      squeue >&2 || true
      dump_logs "$JOBDIR"
      fail "job $JOBID still queued/running after ${SLURM_WAIT}s (cancelled)"
    fi
    sleep 0.5
  done
  info=$(scontrol show job -o "$JOBID" 2>&1) || fail "scontrol show job $JOBID: $info"
  RESTARTS=$(grep -o 'Restarts=[0-9]*' <<<"$info" | head -n 1 | cut -d= -f2)
  states=$(grep -o 'JobState=[A-Z_]* .*ExitCode=[0-9:]*' <<<"$info" | sed 's/JobState=\([A-Z_]*\) .*ExitCode=\([0-9:]*\)/\1 \2/' | sort | uniq -c)
  echo "job $JOBID finished after $((SECONDS - t0))s, ${RESTARTS:-0} requeue(s): $(tr '\n' ' ' <<<"$states")"
  if grep -v -q 'COMPLETED 0:0' <<<"$states"; then
    dump_logs "$JOBDIR"
    fail "job $JOBID did not complete cleanly: $states"
  fi
}

# submit_wait DIR sbatch-args...: submit, then wait_job.
submit_wait() {
  submit "$@"
  wait_job
}

# check_json FILE PYTHON-EXPRESSION...: FILE's last line is a JSON object `j`; every
# expression must be true.
check_json() {
  local file=$1
  shift
  [[ -s $file ]] || fail "$file missing or empty"
  python3 - "$file" "$@" <<'PY' || fail "$file: check failed"
import json, sys
path, exprs = sys.argv[1], sys.argv[2:]
with open(path) as f:
    lines = [l for l in f.read().splitlines() if l.strip()]
j = json.loads(lines[-1])
assert isinstance(j, dict), "not a JSON object"
for e in exprs:
    try:
        ok = eval(e, {"j": j, "isnum": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)})
    except Exception as ex:
        ok = False
        print("%s: %s raised %r" % (path, e, ex), file=sys.stderr)
    if not ok:
        print("%s: not true: %s\n  in %s" % (path, e, json.dumps(j)[:2000]), file=sys.stderr)
        sys.exit(1)
PY
}
