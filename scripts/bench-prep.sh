#!/usr/bin/env bash
# Benchmarks lincls-prep against `tar xzf` of the same archive, in one run.
#
#   CIFAR10_TARBALL=path/to/cifar-10-binary.tar.gz scripts/bench-prep.sh [REPEATS]
#
# Both read the archive from the page cache (it is read once beforehand) and
# write into the same temporary folder (beside the build, or $TMPDIR). Each
# is run REPEATS times (default 3); the best time of each is reported, and
# the ratio lincls-prep / tar. lincls-prep also fsyncs its output, tar does
# not; "tar xzf + sync" is shown for that comparison. lincls-prep comes from
# $LINCLS_BUILD (default build/) or PATH. The last stdout line is JSON.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
case "${1:-}" in -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
repeats=${1:-3}
die() { echo "bench-prep: error: $*" >&2; exit 1; }

tarball=${CIFAR10_TARBALL:-}
[[ -n "$tarball" ]] || die "set CIFAR10_TARBALL to the archive to convert"
[[ -f "$tarball" ]] || die "CIFAR10_TARBALL=$tarball: no such file"
build=${LINCLS_BUILD:-$root/build}
if [[ -x "$build/lincls-prep" ]]; then prep=$build/lincls-prep
elif command -v lincls-prep >/dev/null; then prep=$(command -v lincls-prep)
else die "lincls-prep not found in $build or on PATH (build first)"
fi
command -v tar >/dev/null || die "tar not found"

# shellcheck source=scripts/mpienv.sh
source "$root/scripts/mpienv.sh"   # the settings of every lincls start, the OpenBLAS kernel among them
blas="(lincls-mpi not found)"
[[ -x $build/lincls-mpi ]] && blas=$("$build/lincls-mpi" --blas-info)

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-prep.XXXXXX")
trap 'rm -rf "$work"' EXIT
cat "$tarball" >/dev/null # warm the page cache for both contenders

now() { date +%s.%N; }
best() { # COMMAND...: best wall time over $repeats runs, in seconds
    local b='' t0 t1 i
    for ((i = 0; i < repeats; i++)); do
        rm -rf "$work/x" "$work/out.h5"
        mkdir -p "$work/x"
        sync
        t0=$(now)
        "$@" >/dev/null
        t1=$(now)
        b=$(awk -v a="$t0" -v z="$t1" -v b="$b" 'BEGIN { d = z - a; if (b == "" || d < b) b = d; print b }')
    done
    awk -v b="$b" 'BEGIN { printf "%.3f", b }'
}
tar_only() { tar xzf "$tarball" -C "$work/x"; }
tar_sync() { tar xzf "$tarball" -C "$work/x" && sync; }
prep_run() { "$prep" "$tarball" "$work/out.h5" --quiet; }

t_tar=$(best tar_only)
t_tarsync=$(best tar_sync)
t_prep=$(best prep_run)
ratio=$(awk -v p="$t_prep" -v t="$t_tar" 'BEGIN { printf "%.2f", p / t }')
size=$(stat -c %s "$tarball" 2>/dev/null || wc -c <"$tarball")
{
    echo "bench-prep: $(basename "$tarball") ($((size / 1000000)) MB), best of $repeats"
    echo "  blas (conversion does no BLAS work; for the record): $blas"
    printf '  %-22s %8s s\n' "tar xzf" "$t_tar" "tar xzf + sync" "$t_tarsync" "lincls-prep" "$t_prep"
    printf '  %-22s %8s\n' "ratio prep / tar" "$ratio"
} >&2
printf '{"tar_s":%s,"tar_sync_s":%s,"prep_s":%s,"ratio":%s,"repeats":%d}\n' \
    "$t_tar" "$t_tarsync" "$t_prep" "$ratio" "$repeats"
