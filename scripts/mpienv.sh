# Sourced by the scripts: Open MPI settings for running on one machine.
# Open MPI refuses to run as root without these two (containers, CI).
if [[ $(id -u) -eq 0 ]]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# More ranks than cores (8 ranks on a 2-core laptop) needs oversubscription.
export OMPI_MCA_rmaps_base_oversubscribe=${OMPI_MCA_rmaps_base_oversubscribe:-1}
# Containers often forbid the cross-memory-attach syscalls; copy via shared memory.
export OMPI_MCA_btl_vader_single_copy_mechanism=${OMPI_MCA_btl_vader_single_copy_mechanism:-none}
# One BLAS thread per rank: ranks are the parallelism, and results stay reproducible.
export OPENBLAS_NUM_THREADS=1
# With more ranks than cores, waiting ranks must yield the core instead of
# spinning (an 8-rank run on 2 cores went from 0.71 s to 0.14 s).
export OMPI_MCA_mpi_yield_when_idle=${OMPI_MCA_mpi_yield_when_idle:-1}
