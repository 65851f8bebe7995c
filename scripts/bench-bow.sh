#!/usr/bin/env bash
# Benchmarks the bag of words of `lincls-mpi features --kind bow` against the
# same recipe in numpy (scripts/bow_numpy.py), in one run, on a subset.
#
#   scripts/bench-bow.sh [--data F.h5] [--train 2000] [--test 500] [--centroids 1600]
#                        [--patches 100000] [--iters 10] [--ranks "1 2"]
#   scripts/bench-bow.sh --pipeline [--data F.h5] [--ranks 2] [--centroids 1600]
#
# Subset mode (the default): the first --train training and --test test rows
# of the data file become a small images file; on it lincls learns a
# dictionary (--patches patches, --iters k-means iterations, --centroids K) and
# encodes every image, at each rank count in --ranks (one BLAS thread per
# rank), and numpy does the same work with as many BLAS threads. Reported per
# rank count: dictionary and encoding seconds of both, the ratios numpy/lincls
# (the speed-up), and the GFLOP/s of lincls's encoding (2*729*108*(108+K)
# flops per image: the whitening and distance GEMMs) against the machine's
# sgemm peak, measured here with a 4096^3 float32 product through numpy
# (OpenBLAS) at the same thread count. Also checks that numpy, given lincls's
# dictionary, computes the same features (largest difference printed).
#
# Pipeline mode: the whole way from the images file to a trained model with
# the defaults (features --kind bow, then train), wall-clock per stage.
#
# A report, not a test: nothing is asserted. Timings on a shared machine are
# not final: rerun on a quiet one. The data file comes from --data, $CIFAR10_H5
# or data/cifar10.h5; lincls-mpi from $LINCLS_BUILD (default build/). The last
# stdout line is JSON.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
die() { echo "bench-bow: error: $*" >&2; exit 1; }

data=${CIFAR10_H5:-$root/data/cifar10.h5}
ntrain=2000 ntest=500 K=1600 patches=100000 iters=10 ranks="1 2" pipeline=0 ranks_given=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        -h|--help) sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        --data) data=$2; shift 2 ;;
        --train) ntrain=$2; shift 2 ;;
        --test) ntest=$2; shift 2 ;;
        --centroids) K=$2; shift 2 ;;
        --patches) patches=$2; shift 2 ;;
        --iters) iters=$2; shift 2 ;;
        --ranks) ranks=$2; ranks_given=1; shift 2 ;;
        --pipeline) pipeline=1; shift ;;
        *) die "unknown option '$1' (see --help)" ;;
    esac
done
[[ -f "$data" ]] || die "--data $data: no such file (convert CIFAR-10 with lincls-prep first)"
build=${LINCLS_BUILD:-$root/build}
if [[ -x "$build/lincls-mpi" ]]; then lc=$build/lincls-mpi
elif command -v lincls-mpi >/dev/null; then lc=$(command -v lincls-mpi)
else die "lincls-mpi not found in $build or on PATH (build first)"
fi
py=/usr/bin/python3
[[ -x $py ]] || die "$py not found (Debian's python3 with python3-numpy and python3-h5py)"
$py -c 'import numpy, h5py' 2>/dev/null || die "$py cannot import numpy and h5py (apt-get install python3-numpy python3-h5py)"
# shellcheck source=scripts/mpienv.sh
source "$root/scripts/mpienv.sh"
mpirun=${MPIEXEC:-mpirun}
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-bow.XXXXXX")
trap 'rm -rf "$work"' EXIT
jget() { $py -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
now() { date +%s.%N; }
echo "bench-bow: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

if ((pipeline)); then
    ((ranks_given)) || ranks=2
    echo "  pipeline: $data -> features --kind bow --centroids $K -> train (defaults), $ranks ranks"
    t0=$(now)
    "$mpirun" -np "$ranks" "$lc" features --data "$data" --out "$work/bow.h5" --kind bow --centroids "$K" \
        >"$work/f.out" 2>"$work/f.err" || { cat "$work/f.err" >&2; die "features failed"; }
    t1=$(now)
    "$mpirun" -np "$ranks" "$lc" train --data "$work/bow.h5" --checkpoint "$work/model.h5" \
        >"$work/t.out" 2>"$work/t.err" || { cat "$work/t.err" >&2; die "train failed"; }
    t2=$(now)
    fj=$(tail -n 1 "$work/f.out") tj=$(tail -n 1 "$work/t.out")
    read -r fs ts total < <($py -c "print(f'{$t1-$t0:.1f} {$t2-$t1:.1f} {$t2-$t0:.1f}')")
    printf '  features %ss (dictionary %.1fs, encoding %.1fs), train %ss, total %ss\n' "$fs" \
        "$(jget "$fj" dictionary_seconds)" "$(jget "$fj" extract_seconds)" "$ts" "$total"
    printf '  accuracy: train %s, val %s, test %s\n' "$(jget "$tj" train_acc)" "$(jget "$tj" val_acc)" "$(jget "$tj" test_acc)"
    printf '{"bench":"bow-pipeline","ranks":%s,"centroids":%s,"features_seconds":%s,"train_seconds":%s,"total_seconds":%s,"train_acc":%s,"val_acc":%s,"test_acc":%s}\n' \
        "$ranks" "$K" "$fs" "$ts" "$total" "$(jget "$tj" train_acc)" "$(jget "$tj" val_acc)" "$(jget "$tj" test_acc)"
    exit 0
fi

# the subset: the first rows of each split, same layout
$py - "$data" "$work/subset.h5" "$ntrain" "$ntest" <<'EOF'
import sys, h5py
src, dst, ntr, nte = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
with h5py.File(src, "r") as f, h5py.File(dst, "w") as g:
    for k, v in f.attrs.items():  # the source's types (fixed strings with their terminator)
        g.attrs.create(k, v, dtype=f.attrs.get_id(k).dtype)
    g.create_dataset("classes", data=f["classes"][...])
    for split, n in (("train", ntr), ("test", nte)):
        g.create_dataset(f"{split}/images", data=f[f"{split}/images"][:n], chunks=True)
        g.create_dataset(f"{split}/labels", data=f[f"{split}/labels"][:n])
EOF
nimg=$((ntrain + ntest))
echo "  subset: $ntrain train + $ntest test images of $data; K=$K, $patches patches, $iters k-means iterations"
echo "  OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-(unset)}; lincls: one BLAS thread per rank; numpy: BLAS threads = ranks"
flops=$($py -c "print(2.0*729*108*(108+$K)*$nimg)")

peak() { # GFLOP/s of a 4096^3 sgemm at $1 threads, best of 3
    OPENBLAS_NUM_THREADS=$1 $py -c '
import numpy as np, time
n = 4096; a = np.random.rand(n, n).astype(np.float32); b = np.random.rand(n, n).astype(np.float32)
a @ b
best = min((lambda t0: (a @ b, time.perf_counter() - t0)[1])(time.perf_counter()) for _ in range(3))
print(f"{2.0 * n**3 / best / 1e9:.1f}")'
}

printf '\n%-6s %-7s %12s %12s %10s %12s %12s\n' ranks impl dict_s encode_s images/s enc_GFLOP/s sgemm_peak
json='{"bench":"bow","images":'$nimg',"centroids":'$K',"patches":'$patches',"iters":'$iters',"runs":['
sep=""
for np in $ranks; do
    pk=$(peak "$np")
    "$mpirun" -np "$np" "$lc" features --data "$work/subset.h5" --out "$work/l$np.h5" --force --kind bow \
        --centroids "$K" --patches "$patches" --kmeans-iters "$iters" >"$work/l.out" 2>"$work/l.err" \
        || { cat "$work/l.err" >&2; die "lincls features failed"; }
    lj=$(tail -n 1 "$work/l.out")
    ld=$(jget "$lj" dictionary_seconds) le=$(jget "$lj" extract_seconds)
    OPENBLAS_NUM_THREADS=$np $py "$root/scripts/bow_numpy.py" --data "$work/subset.h5" --centroids "$K" \
        --patches "$patches" --kmeans-iters "$iters" >"$work/n.out" 2>"$work/n.err" \
        || { cat "$work/n.err" >&2; die "numpy failed"; }
    nj=$(tail -n 1 "$work/n.out")
    nd=$(jget "$nj" dictionary_seconds) ne=$(jget "$nj" encode_seconds)
    read -r lg ng lips nips rd re < <($py -c "
f=$flops; print(f'{f/$le/1e9:.1f} {f/$ne/1e9:.1f} {$nimg/$le:.0f} {$nimg/$ne:.0f} {$nd/$ld:.2f} {$ne/$le:.2f}')")
    printf '%-6s %-7s %12.2f %12.2f %10s %12s %12s\n' "$np" lincls "$ld" "$le" "$lips" "$lg" "$pk"
    printf '%-6s %-7s %12.2f %12.2f %10s %12s %12s\n' "$np" numpy "$nd" "$ne" "$nips" "$ng" "$pk"
    printf '%-6s %-7s %12s %12s   (numpy / lincls: the speed-up)\n' "$np" ratio "${rd}x" "${re}x"
    json+="$sep{\"ranks\":$np,\"lincls_dictionary_s\":$ld,\"lincls_encode_s\":$le,\"numpy_dictionary_s\":$nd,\"numpy_encode_s\":$ne,\"dictionary_speedup\":$rd,\"encode_speedup\":$re,\"encode_gflops\":$lg,\"sgemm_peak_gflops\":$pk}"
    sep=","
done
# same recipe: numpy with lincls's dictionary reproduces lincls's features
first=$(echo "$ranks" | cut -d' ' -f1)
OPENBLAS_NUM_THREADS=1 $py "$root/scripts/bow_numpy.py" --data "$work/subset.h5" --dictionary "$work/l$first.h5" \
    --compare "$work/l$first.h5" >/dev/null 2>"$work/c.err" || { cat "$work/c.err" >&2; die "numpy check failed"; }
echo; grep "max |diff|" "$work/c.err" | sed 's/^numpy vs .*: /  numpy with the lincls dictionary vs lincls: /'
echo "$json]}"
