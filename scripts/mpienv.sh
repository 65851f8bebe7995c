# shellcheck shell=bash
# The Open MPI and OpenBLAS settings of every way lincls is started, in one place:
#
#   source scripts/mpienv.sh       export them (run.sh, test.sh, the benchmarks, the job
#                                  scripts through jobs/lib/launch.sh, you before mpirun)
#   bash scripts/mpienv.sh --list  print the MPI ones as NAME=VALUE lines (CMake reads
#                                  them into the tests' environment)
#
# A variable already set in the environment is kept: the user's choice wins.

_lc_names=()
_lc_set() {   # _lc_set NAME VALUE: export NAME=VALUE unless NAME is set already
  [[ -n ${!1+x} ]] || export "$1=$2"
  _lc_names+=("$1")
}

# Open MPI refuses to run as root (containers, CI) unless told twice; harmless otherwise.
_lc_set OMPI_ALLOW_RUN_AS_ROOT 1
_lc_set OMPI_ALLOW_RUN_AS_ROOT_CONFIRM 1
# Containers often forbid the cross-memory-attach syscalls; copy via shared memory.
_lc_set OMPI_MCA_btl_vader_single_copy_mechanism none
# One BLAS thread per rank: ranks are the parallelism, and results stay reproducible.
_lc_set OPENBLAS_NUM_THREADS 1
if [[ -z ${SLURM_JOB_ID:-} ]]; then
  # One machine: 8 ranks on a 2-core laptop need oversubscription, and waiting ranks
  # must yield the core instead of spinning (an 8-rank run on 2 cores went from
  # 0.71 s to 0.14 s).
  _lc_set OMPI_MCA_rmaps_base_oversubscribe 1
  _lc_set OMPI_MCA_mpi_yield_when_idle 1
else
  # Inside a SLURM allocation: no oversubscription (SLURM starts as many ranks as
  # there are slots), but a node that offers more task slots than it has cores (a
  # small test node, see scripts/slurm-local.sh) is oversubscribed all the same:
  # idle ranks must yield, or allreduce waits dominate (5x slower at 8 ranks on 2 cores).
  _lc_tasks=${SLURM_TASKS_PER_NODE:-1}
  _lc_tasks=${_lc_tasks%%[(,]*}
  if ((_lc_tasks > $(nproc))); then _lc_set OMPI_MCA_mpi_yield_when_idle 1; fi
  unset _lc_tasks
fi

if [[ ${BASH_SOURCE[0]} == "$0" && ${1:-} == --list ]]; then
  for _lc_n in "${_lc_names[@]}"; do echo "$_lc_n=${!_lc_n}"; done
  exit 0
fi

# OpenBLAS kernel: the fastest this CPU runs, as lincls-mpi decides it (the rule is in
# src/core/blas.c; `lincls-mpi --blas-coretype` prints it). OPENBLAS_CORETYPE set by the user
# is kept; one set here (LINCLS_BLAS_AUTO holds the same value), say on a login node
# with another CPU, is decided again. Without a built lincls-mpi nothing is set, and
# lincls-mpi decides for itself when it starts.
_lc_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ -z ${OPENBLAS_CORETYPE:-} || ${OPENBLAS_CORETYPE} == "${LINCLS_BLAS_AUTO:-}" ]]; then
  for _lc_bin in ${LINCLS_BIN:+"$LINCLS_BIN/lincls-mpi"} "${LINCLS_BUILD:-$_lc_here/../build}/lincls-mpi" \
                 "$_lc_here/../../../bin/lincls-mpi" "$(command -v lincls-mpi 2>/dev/null)"; do
    [[ -n $_lc_bin && -x $_lc_bin ]] || continue
    if _lc_core=$(env -u OPENBLAS_CORETYPE -u LINCLS_BLAS_AUTO "$_lc_bin" --blas-coretype 2>/dev/null); then
      export OPENBLAS_CORETYPE=$_lc_core LINCLS_BLAS_AUTO=$_lc_core
    fi
    break
  done
fi
unset _lc_here _lc_bin _lc_core _lc_names
unset -f _lc_set
