#!/usr/bin/env bash
# Benchmarks lincls-mpi train against PyTorch on the same model, in one run.
#
#   scripts/bench-train.sh [--data F.h5] [--epochs 5] [--reps 3] [--lr 1e-3]
#                          [--batch 256] [--ranks "1 2"] [--threads 1,2]
#
# The model: softmax linear classifier on raw pixels standardised per pixel
# (mean and std of the training rows), W and b zero, plain SGD at a constant
# learning rate, no regularization, batch 256 of random rows, the last 1000
# training rows held out. lincls runs at each rank count in --ranks (mpirun, one
# BLAS thread per rank); PyTorch (scripts/bench_torch.py, Debian's
# /usr/bin/python3 with python3-torch) at each --threads count, with the data
# preloaded in memory as standardised float32 ("f32") and as uint8 converted
# per batch ("u8", the work lincls does). Each configuration runs --reps times;
# the median seconds per epoch is reported (lincls: its JSON "seconds" over
# "epochs": the training loop, including a 1000-row validation pass per epoch;
# PyTorch: the training loop only). Also printed: lincls's rank-0 time split
# (gather, gemm, reduce, update, eval) and the ratios PyTorch-best / lincls
# (the speed-up). A report, not a test: nothing is asserted. The data file comes
# from --data, $CIFAR10_H5 or data/cifar10.h5; lincls-mpi from $LINCLS_BUILD
# (default build/). The last stdout line is JSON.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
die() { echo "bench-train: error: $*" >&2; exit 1; }

data=${CIFAR10_H5:-$root/data/cifar10.h5}
epochs=5 reps=3 lr=1e-3 batch=256 ranks="1 2" threads=1,2
while [[ $# -gt 0 ]]; do
    case "$1" in
        -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        --data) data=$2; shift 2 ;;
        --epochs) epochs=$2; shift 2 ;;
        --reps) reps=$2; shift 2 ;;
        --lr) lr=$2; shift 2 ;;
        --batch) batch=$2; shift 2 ;;
        --ranks) ranks=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
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
[[ -x $py ]] || die "$py not found (Debian's python3 with python3-torch and python3-h5py)"
$py -c 'import torch, h5py' 2>/dev/null || die "$py cannot import torch and h5py (apt-get install python3-torch python3-h5py)"
# shellcheck source=scripts/mpienv.sh
source "$root/scripts/mpienv.sh"
mpirun=${MPIEXEC:-mpirun}

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-train.XXXXXX")
trap 'rm -rf "$work"' EXIT
cat "$data" >/dev/null # page cache: both read the file warm

echo "bench-train: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  data $data; softmax, batch $batch, $epochs epochs, SGD lr $lr const, no reg, zero init, std scaling, median of $reps"
blas=$("$lc" --blas-info)
kernel=$(sed -n 's/.*; kernel \([A-Za-z0-9_]*\) .*/\1/p' <<< "$blas")
echo "  OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-(unset)} (for both: PyTorch's BLAS is Debian's libblas, OpenBLAS), OPENBLAS_NUM_THREADS=$OPENBLAS_NUM_THREADS for lincls"
echo "  lincls BLAS: $blas"

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
jnum() { sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p"; } # jnum KEY < flat JSON line

# lincls: one JSON line per repetition, kept for the median and the time split
declare -A lc_sec
for p in $ranks; do
    : > "$work/lc$p.jsonl"
    for ((i = 0; i < reps; i++)); do
        "$mpirun" -np "$p" "$lc" train --data "$data" --loss softmax --reg none --optimizer sgd \
            --schedule const --lr "$lr" --batch "$batch" --epochs "$epochs" --init zeros --scale std \
            --val 1000 --no-test --quiet 2> "$work/err" | tail -n 1 >> "$work/lc$p.jsonl" \
            || { cat "$work/err" >&2; die "lincls-mpi at $p ranks failed"; }
    done
    lc_sec[$p]=$(while read -r l; do
        awk -v s="$(jnum seconds <<< "$l")" -v e="$(jnum epochs <<< "$l")" 'BEGIN { printf "%.4f\n", s / e }'
    done < "$work/lc$p.jsonl" | median)
done

$py "$root/scripts/bench_torch.py" --data "$data" --val 1000 --epochs "$epochs" --batch "$batch" --lr "$lr" \
    --reps "$reps" --threads "$threads" > "$work/torch.jsonl" 2> "$work/torch.err" \
    || { cat "$work/torch.err" >&2; die "bench_torch.py failed"; }

echo
printf '%-34s %12s %10s %10s  %s\n' "configuration" "s/epoch" "loss" "train_acc" "repetitions (s/epoch)"
for p in $ranks; do
    last=$(tail -n 1 "$work/lc$p.jsonl")
    all=$(while read -r l; do
        awk -v s="$(jnum seconds <<< "$l")" -v e="$(jnum epochs <<< "$l")" 'BEGIN { printf "%.4f ", s / e }'
    done < "$work/lc$p.jsonl")
    printf '%-34s %12.4f %10.5f %10.5f  %s\n' "lincls, $p rank(s), $kernel" "${lc_sec[$p]}" \
        "$(jnum final_loss <<< "$last")" "$(jnum train_acc <<< "$last")" "$all"
done
best_sec='' best_name=''
while read -r l; do
    mode=$(sed -n 's/.*"mode": "\([^"]*\)".*/\1/p' <<< "$l")
    th=$(sed -n 's/.*"threads": \([0-9]*\).*/\1/p' <<< "$l")
    s=$(sed -n 's/.*"sec_per_epoch": \([^,}]*\).*/\1/p' <<< "$l")
    fl=$(sed -n 's/.*"final_loss": \([^,}]*\).*/\1/p' <<< "$l")
    ta=$(sed -n 's/.*"train_acc": \([^,}]*\).*/\1/p' <<< "$l")
    rp=$(sed -n 's/.*"reps": \[\([^]]*\)\].*/\1/p' <<< "$l" | tr -d ',')
    name="pytorch, $th thread(s), $mode"
    printf '%-34s %12.4f %10.5f %10.5f  %s\n' "$name" "$s" "$fl" "$ta" "$rp"
    if [[ -z $best_sec ]] || awk -v a="$s" -v b="$best_sec" 'BEGIN { exit !(a < b) }'; then
        best_sec=$s best_name=$name
    fi
done < "$work/torch.jsonl"
[[ -n $best_sec ]] || die "bench_torch.py printed no result"

echo
echo "lincls time split on rank 0 (the median repetition's JSON time_rank0), per epoch; % of the training loop"
echo "(\"seconds\"). eval = validation pass each epoch + the final full training-set and validation"
echo "evaluation (mostly outside \"seconds\"); other = the rest of the loop, including that validation pass."
for p in $ranks; do
    l=$(while read -r x; do echo "$(jnum seconds <<< "$x") $x"; done < "$work/lc$p.jsonl" | sort -g | sed -n "$(( (reps + 1) / 2 ))p" | cut -d' ' -f2-)
    t=$(sed -n 's/.*"time_rank0":{\([^}]*\)}.*/\1/p' <<< "$l")
    awk -v p="$p" -v t="$t" -v s="$(jnum seconds <<< "$l")" -v e="$(jnum epochs <<< "$l")" 'BEGIN {
        n = split(t, kv, ","); out = ""; sum = 0
        for (i = 1; i <= n; i++) { split(kv[i], a, ":"); gsub(/"/, "", a[1]); v[a[1]] = a[2]; keys[i] = a[1]
                                   if (a[1] != "eval") sum += a[2] }
        for (i = 1; i <= n; i++) if (keys[i] != "eval")
            out = out sprintf("%s %.1f ms (%.0f%%)  ", keys[i], 1000 * v[keys[i]] / e, 100 * v[keys[i]] / s)
        printf "  %d rank(s): loop %.1f ms/epoch = %sother %.1f ms; eval %.1f ms/epoch\n", p, 1000 * s / e, out,
               1000 * (s - sum) / e, 1000 * v["eval"] / e }'
done

echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine inflates the times, most of all 2-rank waits in reduce)"
echo "PyTorch best: $best_name, $(printf %.4f "$best_sec") s/epoch"
json="{\"bench\":\"train\",\"blas_kernel\":\"$kernel\",\"epochs\":$epochs,\"batch\":$batch,\"pytorch_best\":$best_sec"
for p in $ranks; do
    r=$(awk -v a="$best_sec" -v b="${lc_sec[$p]}" 'BEGIN { printf "%.2f", a / b }')
    echo "  lincls at $p rank(s) ($kernel kernel): ${lc_sec[$p]} s/epoch; PyTorch-best / lincls = ${r}x (lincls/PyTorch = $(awk -v a="$best_sec" -v b="${lc_sec[$p]}" 'BEGIN { printf "%.3f", b / a }'))"
    json+=",\"lincls_${p}\":${lc_sec[$p]},\"speedup_${p}\":$r"
done
echo "$json}"
