#!/usr/bin/env bash
# Benchmark: lincls-mpi search (C candidates stacked into one GEMM per row
# block, P ranks) against the lecture's numpy loop (one product per candidate),
# on the same data in the same run. Prints both throughputs in candidates x
# images per second and their ratio.
#
# usage: scripts/bench-search.sh DATA.h5 [RANKS] [TRIALS] [PEER_TRIALS]
# env:   LINCLS_BIN (build dir, default build), MPIEXEC (default mpiexec),
#        PYTHON (an interpreter with numpy and h5py, default /usr/bin/python3)
set -euo pipefail
data=${1:?usage: bench-search.sh DATA.h5 [RANKS] [TRIALS] [PEER_TRIALS]}
ranks=${2:-2}
trials=${3:-200}
peer_trials=${4:-20}
here=$(cd "$(dirname "$0")" && pwd)
exe=${LINCLS_BIN:-build}/lincls-mpi
py=${PYTHON:-/usr/bin/python3}
[[ -x $exe ]] || { echo "error: $exe not found: build first or set LINCLS_BIN" >&2; exit 1; }
json_get() { sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p"; }
# shellcheck source=scripts/mpienv.sh
source "$here/mpienv.sh"   # Open MPI settings; the OpenBLAS kernel for this CPU (both sides)
blas=$("$exe" --blas-info)
kernel=$(sed -n 's/.*; kernel \([A-Za-z0-9_]*\) .*/\1/p' <<<"$blas")
echo "BLAS: $blas"

ours=$(${MPIEXEC:-mpiexec} -n "$ranks" "$exe" search --data "$data" --trials "$trials" --scale 1e-4 --no-test --quiet | tail -n 1)
echo "lincls-mpi search ($ranks ranks, $trials trials, $kernel kernel): $ours"
peer=()
for threads in 1 "$ranks"; do
    for dt in "" --float32; do
        line=$(OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads "$py" "$here/bench-search-peer.py" "$data" \
               --trials "$peer_trials" $dt)
        echo "numpy peer ($threads BLAS threads${dt:+, float32}, OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}): $line"
        peer+=("$threads $([[ -n $dt ]] && echo float32 || echo float64) $(json_get candidates_images_per_second <<<"$line")")
    done
done
a=$(json_get candidates_images_per_second <<<"$ours")
echo
printf '%-36s %14s %8s\n' "run" "cand*img/s" "ratio"
printf '%-36s %14.4g %8s\n' "lincls-mpi search, $ranks ranks, $kernel" "$a" "1"
for p in "${peer[@]}"; do
    read -r th dt v <<<"$p"
    printf '%-36s %14.4g %8.2f\n' "numpy $dt, $th threads" "$v" "$(awk -v a="$a" -v b="$v" 'BEGIN { print a / b }')"
done
