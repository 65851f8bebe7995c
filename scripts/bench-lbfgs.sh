#!/usr/bin/env bash
# Full-batch L-BFGS against adam's default run, same data, same ranks, one run.
#
#   scripts/bench-lbfgs.sh [--data F.h5] [--ranks 2] [--iters 150] [--loss softmax] [-- EXTRA...]
#
# Runs `lincls-mpi train` twice on P ranks: adam with the defaults (20 epochs of
# minibatch 256, cosine schedule) and --optimizer lbfgs with --epochs ITERS
# (at most that many iterations; --gtol/--ftol may stop it earlier), both with
# --loss LOSS and any EXTRA train flags. Prints one table row per run: epochs or
# iterations, loss+gradient passes over the training rows (adam: epochs;
# lbfgs: evaluations), train / val / test accuracy, final loss and the training
# loop's seconds, then a JSON line with both results. A report, not a test:
# nothing is asserted; timings are only comparable on a quiet machine. The data
# comes from --data, $CIFAR10_H5 or data/cifar10.h5; lincls-mpi from
# $LINCLS_BUILD (default build/).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
die() { echo "bench-lbfgs: error: $*" >&2; exit 1; }
data=${CIFAR10_H5:-$root/data/cifar10.h5}
ranks=2 iters=150 loss=softmax extra=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        --data) data=$2; shift 2 ;;
        --ranks) ranks=$2; shift 2 ;;
        --iters) iters=$2; shift 2 ;;
        --loss) loss=$2; shift 2 ;;
        --) shift; extra=("$@"); break ;;
        *) die "unknown option '$1' (see --help)" ;;
    esac
done
[[ -f $data ]] || die "no data file $data (give --data or run scripts/get-cifar10.sh)"
bin=${LINCLS_BUILD:-$root/build}/lincls-mpi
[[ -x $bin ]] || die "$bin not built (scripts/setup.sh)"
# shellcheck source=scripts/mpienv.sh
source "$root/scripts/mpienv.sh"
export OPENBLAS_NUM_THREADS=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run() { # NAME ARGS...
    local name=$1; shift
    echo "bench-lbfgs: $name: mpirun -np $ranks lincls-mpi train --data $data --loss $loss $* ${extra[*]}" >&2
    mpirun -np "$ranks" "$bin" train --data "$data" --loss "$loss" "$@" "${extra[@]}" --quiet > "$tmp/$name.json" \
        || die "$name run failed"
    tail -n 1 "$tmp/$name.json"
}
get() { sed -n "s/.*\"$2\":\(\"[^\"]*\"\|[^,}]*\).*/\1/p" <<<"$1" | tr -d '"'; }

adam=$(run adam)
lbfgs=$(run lbfgs --optimizer lbfgs --epochs "$iters")
printf '\n%-8s %7s %7s %8s %8s %8s %10s %9s\n' optimizer epochs passes train val test final_loss seconds
for name in adam lbfgs; do
    line=${!name}
    passes=$(get "$line" evaluations); [[ -n $passes ]] || passes=$(get "$line" epochs)
    printf '%-8s %7s %7s %7.2f%% %7.2f%% %7.2f%% %10.5f %9.1f\n' "$name" "$(get "$line" epochs)" "$passes" \
        "$(awk -v x="$(get "$line" train_acc)" 'BEGIN{print 100*x}')" \
        "$(awk -v x="$(get "$line" val_acc)" 'BEGIN{print 100*x}')" \
        "$(awk -v x="$(get "$line" test_acc)" 'BEGIN{print 100*x}')" \
        "$(get "$line" final_loss)" "$(get "$line" seconds)"
done
[[ -z $(get "$lbfgs" stopped) ]] || echo "lbfgs stopped: $(get "$lbfgs" stopped)"
echo "{\"bench\":\"lbfgs\",\"ranks\":$ranks,\"adam\":$adam,\"lbfgs\":$lbfgs}"
