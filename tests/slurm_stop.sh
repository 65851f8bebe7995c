#!/usr/bin/env bash
# CTest fixture cleanup (label slurm): stop the local SLURM cluster (logs stay in
# $LINCLS_SLURM_DIR/log).
set -euo pipefail
# shellcheck source=tests/slurm_common.sh
source "${LC_TESTS_DIR:?}/slurm_common.sh"
need_slurm
"$LC_SRC/scripts/slurm-local.sh" stop
if "$LC_SRC/scripts/slurm-local.sh" status >/dev/null 2>&1; then
  fail "cluster still up after stop"
fi
echo "stopped"
