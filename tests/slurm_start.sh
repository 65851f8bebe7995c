#!/usr/bin/env bash
# CTest fixture setup (label slurm): start the local single-node SLURM cluster and check
# that it runs an 8-task step. Skipped (77) where SLURM is not installed.
set -euo pipefail
# shellcheck source=tests/slurm_common.sh
source "${LC_TESTS_DIR:?}/slurm_common.sh"
need_slurm

"$LC_SRC/scripts/slurm-local.sh" start
# Idempotent: a second start finds it running.
"$LC_SRC/scripts/slurm-local.sh" start >/dev/null
"$LC_SRC/scripts/slurm-local.sh" status
n=$(timeout 60 srun --ntasks=8 --mpi=none hostname | wc -l) || fail "srun -n 8 hostname failed"
[[ $n -eq 8 ]] || fail "srun -n 8 hostname printed $n lines, expected 8"
echo "srun -n 8: ok"
