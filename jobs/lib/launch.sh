# shellcheck shell=bash
# Sourced by every jobs/*.sbatch: the Open MPI and OpenBLAS settings (scripts/mpienv.sh,
# the one file that holds them), the choice of launcher, and the functions that start
# MPI ranks inside the allocation.
#
# Debian's Open MPI 4 is built with PMIx, and SLURM's pmix plugin (mpi_pmix*.so, in
# slurm-wlm-basic-plugins) talks to it: `srun --mpi=pmix` starts the ranks directly.
# `--mpi=pmi2` and `--mpi=none` do NOT work with that Open MPI (MPI_Init fails).
# Where SLURM has no pmix plugin, `mpirun` inside the allocation works instead: Open MPI
# reads the allocation from SLURM_* variables and starts its daemons with srun.
# LINCLS_LAUNCH=auto picks srun when pmix is available, else mpirun.
#
# Functions:
#   launch NRANKS command...            run NRANKS ranks of command, in the foreground
#   run_step NRANKS LOG command...      the same in the background, stdout also appended
#                                       to LOG; SIGUSR1 or SIGTERM to this batch shell
#                                       (sbatch --signal=B:USR1@T, scancel --batch) is
#                                       passed on to the ranks as SIGUSR1, which asks
#                                       lincls-mpi train to checkpoint and exit 75.
#                                       Returns the launcher's exit status.

_lc_lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Same relative place in the source tree and in an installed share/lincls/.
# shellcheck source=scripts/mpienv.sh
source "$_lc_lib/../../scripts/mpienv.sh"
unset _lc_lib

launcher=${LINCLS_LAUNCH:-auto}
if [[ $launcher == auto ]]; then
  if srun --mpi=list 2>&1 | grep -q pmix; then launcher=srun; else launcher=mpirun; fi
fi

launch_prefix() {   # launch_prefix NRANKS: the launcher's words in the array LAUNCH
  case $launcher in
    srun) LAUNCH=(srun --mpi="${LINCLS_SRUN_MPI:-pmix}" --ntasks="$1") ;;
    mpirun) LAUNCH=(mpirun -n "$1") ;;
    *) read -ra LAUNCH <<<"$launcher" ;;   # custom prefix, e.g. "mpiexec -n 8"
  esac
}

launch() {   # launch NRANKS command...
  launch_prefix "$1"
  shift
  "${LAUNCH[@]}" "$@"
}

_lc_forward() {   # the trap of run_step: ask the ranks to stop at their next step
  echo "job: got SIG$1: passing SIGUSR1 to the ranks (lincls-mpi train checkpoints and exits 75)" >&2
  kill -USR1 "$_lc_step_pid" 2>/dev/null || true
}

run_step() {   # run_step NRANKS LOG command...
  local n=$1 log=$2 fifo tee_pid rc=0
  shift 2
  launch_prefix "$n"
  fifo=$(mktemp -u "${TMPDIR:-/tmp}/lincls-step.XXXXXX")
  mkfifo "$fifo" || return 1
  tee -a "$log" <"$fifo" &
  tee_pid=$!
  "${LAUNCH[@]}" "$@" >"$fifo" &
  _lc_step_pid=$!
  trap '_lc_forward USR1' USR1
  trap '_lc_forward TERM' TERM
  # wait returns early (status > 128) when a trapped signal arrives: wait again
  # until the launcher has really exited, then its status is the one returned
  while :; do
    wait "$_lc_step_pid"
    rc=$?
    kill -0 "$_lc_step_pid" 2>/dev/null || break
  done
  trap - USR1 TERM
  wait "$tee_pid"
  rm -f "$fifo"
  return "$rc"
}
