#!/usr/bin/env bash
# How fast P ranks load the training set (each its own rows, collective
# hyperslab reads through MPI-IO, as training does), beside `cat` of the same
# file in the same run. Both read from the page cache after a warm-up read:
# this measures the software path, not the disk.
#
#   scripts/bench-load.sh [DATA.h5] [ranks...]     default: data/cifar10.h5, ranks 1 2 8
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
case "${1:-}" in -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
data=${1:-$root/data/cifar10.h5}
shift || true
ranks=("$@")
((${#ranks[@]})) || ranks=(1 2 8)
bin=${LINCLS_BUILD:-$root/build}/tests/bench_load
[[ -x $bin ]] || { echo "bench-load: $bin not built (scripts/setup.sh)" >&2; exit 1; }
[[ -f $data ]] || { echo "bench-load: $data not found (scripts/get-cifar10.sh)" >&2; exit 1; }
# shellcheck source=scripts/mpienv.sh
source "$root/scripts/mpienv.sh"
lc=${LINCLS_BUILD:-$root/build}/lincls-mpi
[[ -x $lc ]] && echo "blas (loading does no BLAS work; for the record): $("$lc" --blas-info)"
cat "$data" > /dev/null # warm the page cache
best=1e9
for _ in 1 2 3; do
  t0=$(date +%s.%N); cat "$data" > /dev/null; t1=$(date +%s.%N)
  best=$(awk -v a="$best" -v b="$t1" -v c="$t0" 'BEGIN { d = b - c; print (d < a ? d : a) }')
done
size=$(stat -c %s "$data")
awk -v f="$(basename "$data")" -v t="$best" -v n="$size" \
  'BEGIN { printf "cat %s: %.4f s for %d bytes (%.2f GB/s), best of 3\n", f, t, n, n / t / 1e9 }'
for np in "${ranks[@]}"; do
  line=$(mpirun -np "$np" "$bin" "$data" 3 | tail -n 1)
  secs=$(echo "$line" | sed -n 's/.*"seconds":\([0-9.]*\).*/\1/p')
  awk -v np="$np" -v s="$secs" -v l="$line" -v c="$best" \
    'BEGIN { printf "lincls load, %d rank(s): %s s (%s); cat / load = %.2f\n", np, s, l, c / s }'
done
