#!/usr/bin/env bash
# What the per-step stop vote costs: the preemption check (SIGUSR1/SIGTERM agreed
# by all ranks) against the gradient exchange it travels with, at each rank count.
# The percentages are of the exchange alone; a step also computes, so of a step they
# are smaller. Timings only, nothing asserted; run it on a quiet machine (another job on the
# cores swamps differences of a few microseconds).
#
#   scripts/bench-stop.sh [ranks...]     default: 1 2 ... (cores), and 8
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
case "${1:-}" in -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
bin=${LINCLS_BUILD:-$root/build}/tests/bench_stop
[[ -x $bin ]] || { echo "bench-stop: $bin not built (scripts/setup.sh)" >&2; exit 1; }
# shellcheck source=scripts/mpienv.sh
source "$root/scripts/mpienv.sh"
ranks=("$@")
if ((${#ranks[@]} == 0)); then
  for ((p = 1; p <= $(nproc); p++)); do ranks+=("$p"); done
  ((8 > $(nproc))) && ranks+=(8)
fi
echo "bench-stop: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%6s %14s %18s %14s %10s %10s\n' ranks "exchange us" "+ allreduce us" "+ vote us" "allreduce" "vote"
for p in "${ranks[@]}"; do
  line=$(mpirun -np "$p" "$bin" | tail -n 1)
  j() { sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p" <<<"$line"; }
  printf '%6s %14s %18s %14s %9s%% %9s%%\n' "$p" "$(j exchange_us)" "$(j with_allreduce_us)" "$(j with_vote_us)" \
    "$(j allreduce_cost_pct)" "$(j vote_cost_pct)"
done
