#!/usr/bin/env bash
# The main job, from a fresh clone: install what is missing, build, get
# CIFAR-10 (data/cifar10.h5), train a softmax classifier on 8 MPI ranks on
# this machine, evaluate it on the test set.
#
#   scripts/run.sh [extra train options...]     e.g. scripts/run.sh --loss svm
#
# Environment: CIFAR10_TARBALL  a local copy of cifar-10-binary.tar.gz (no download)
#              LINCLS_NP        ranks (default 8)
#              LINCLS_DATA      dataset file (default data/cifar10.h5)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
case "${1:-}" in -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
setup=()
[[ -n ${CIFAR10_TARBALL:-} ]] || setup+=(--with-download) # curl, to fetch the archive
"$root/scripts/setup.sh" "${setup[@]}"
# shellcheck source=scripts/mpienv.sh
source "$root/scripts/mpienv.sh"
bin=${LINCLS_BUILD:-$root/build}
data=${LINCLS_DATA:-$root/data/cifar10.h5}
LINCLS_DATA=$data "$root/scripts/get-cifar10.sh"
np=${LINCLS_NP:-8}
model=$root/data/model.h5
echo "run: mpirun -np $np lincls-mpi train --data $data --checkpoint $model $*" >&2
mpirun -np "$np" "$bin/lincls-mpi" train --data "$data" --checkpoint "$model" \
  --metrics "$root/data/metrics.jsonl" "$@"
mpirun -np "$np" "$bin/lincls-mpi" eval --data "$data" --model "$model" --split test | tail -n 1 > "$root/data/eval.json"
echo "run: model in data/model.h5, per-epoch metrics in data/metrics.jsonl, test evaluation in data/eval.json" >&2
