#!/usr/bin/env bash
# Install what is missing, build, run the test suite (CTest).
#
#   scripts/test.sh [--asan] [ctest options...]     e.g. scripts/test.sh -L train
#
# --asan builds with AddressSanitizer + UBSan into build-asan and runs there.
# Tests that need the real CIFAR-10 archive run when CIFAR10_TARBALL names it
# and are reported as skipped otherwise; the SLURM tests run against a local
# single-node SLURM that the tests start themselves.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
setup=(--with-slurm --with-plots)
ctest_args=()
for arg in "$@"; do
  case "$arg" in
    --asan) setup+=(--asan) ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) ctest_args+=("$arg") ;;
  esac
done
"$root/scripts/setup.sh" "${setup[@]}"
# shellcheck source=scripts/mpienv.sh
source "$root/scripts/mpienv.sh"
if [[ " ${setup[*]} " == *" --asan "* ]]; then
  bdir=${LINCLS_BUILD:-$root/build-asan}
  # Open MPI and HDF5 keep allocations until exit; leaks there are not ours.
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
else
  bdir=${LINCLS_BUILD:-$root/build}
fi
cd "$bdir"
ctest --output-on-failure "${ctest_args[@]}"
