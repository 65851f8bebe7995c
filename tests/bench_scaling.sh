#!/usr/bin/env bash
# The reduction microbenchmark and the scaling model (label bench). Timings are
# never asserted; what is checked is exact: bytes from the algorithm, the JSON
# the script reads, the table printed from the committed measurements, and the
# bytes Open MPI counts against the algorithm's count.
#   bench_scaling.sh smoke BENCH   bench_reduce at 2 ranks on a tiny size
#   bench_scaling.sh table         scripts/scaling-model.py with no arguments
#   bench_scaling.sh bytes         scripts/scaling-model.py --count-check
# shellcheck source=tests/train_lib.sh
source "$(dirname "$0")/train_lib.sh"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=${LC_PLOT_PYTHON:-/usr/bin/python3}
need_numpy() {
    [[ -x $PY ]] || skip "$PY not found (the scaling model needs python3 with numpy)"
    "$PY" -c 'import numpy' 2>/dev/null || skip "$PY lacks numpy (apt-get install python3-numpy)"
}
case "${1:-}" in
smoke)
    bench=$2
    testdir bench_smoke
    # K=3, D=50: the train vector is 3*50+3+2 = 155 floats (620 bytes); the
    # exact pattern is 8 int64 (64 bytes) and 153 int32 (612 bytes).
    out=$("$LC_MPIEXEC" "$LC_NPFLAG" 2 "$bench" pattern --K 3 --D 50 --repeats 3 --min-repeats 1 --warmup 1 --budget 0.01) \
        || fail "bench_reduce pattern at 2 ranks failed"
    echo "$out"
    tree=$(echo "$out" | grep '"what":"tree"') || fail "no tree line"
    exact=$(echo "$out" | grep '"what":"exact"') || fail "no exact line"
    [[ $(json_get len <<<"$tree") == 155 && $(json_get vshards <<<"$tree") == 8 && $(json_get nodes <<<"$tree") == 2 ]] \
        || fail "tree: expected len 155, V 8 (the default), 2 nodes: $tree"
    # each rank receives the other rank's subtree sum: 620 bytes
    [[ $(json_get recv_model <<<"$tree") == 620 && $(json_get sent_model <<<"$tree") == 620 ]] || fail "tree bytes: $tree"
    # two allreduces at P = 2: 2 (P-1)/P n = n each way, 64 + 612
    [[ $(json_get recv_model <<<"$exact") == 676 && $(json_get int64 <<<"$exact") == 8 && $(json_get int32 <<<"$exact") == 153 ]] \
        || fail "exact: $exact"
    for line in "$tree" "$exact"; do
        mn=$(json_get min_s <<<"$line") md=$(json_get median_s <<<"$line")
        if ! ge "$md" "$mn" || ! ge "$mn" 0.000000001; then fail "timings: min $mn, median $md"; fi
    done
    # V = P: one leaf per rank, still one node each
    out=$("$LC_MPIEXEC" "$LC_NPFLAG" 2 "$bench" pattern --K 3 --D 50 --vshards 2 --only tree --calls 2) || fail "--calls"
    [[ $(json_get calls <<<"$out") == 2 && $(json_get vshards <<<"$out") == 2 ]] || fail "--vshards 2 --calls 2: $out"
    # plain collectives: allgather of 8 bytes from each of 2 ranks receives 8
    out=$("$LC_MPIEXEC" "$LC_NPFLAG" 2 "$bench" sweep --op allgather_float --bytes 8,4096 --repeats 2 --min-repeats 1 --budget 0.01) \
        || fail "sweep failed"
    [[ $(echo "$out" | grep -c '"what":"allgather_float"') == 2 ]] || fail "sweep: two lines expected: $out"
    [[ $(head -n 1 <<<"$out" | json_get recv_model) == 8 ]] || fail "sweep bytes: $out"
    # refusals
    "$LC_MPIEXEC" "$LC_NPFLAG" 2 "$bench" sweep --op nosuch --bytes 8 >/dev/null 2>&1 && fail "unknown --op accepted"
    "$LC_MPIEXEC" "$LC_NPFLAG" 2 "$bench" pattern --vshards 1 >/dev/null 2>&1 && fail "V < P accepted"
    echo "ok: bench_reduce"
    ;;
table)
    need_numpy
    out=$("$PY" "$ROOT/scripts/scaling-model.py") || fail "scaling-model.py with no arguments failed"
    echo "$out"
    for want in "Fit of this machine's MPI" "Check: the model against the measured reductions" \
                "Predicted on a cluster" "10 x 3,072: predicted step time" "10 x 16,000: predicted step time" \
                "1,000 x 3,072: predicted step time"; do
        grep -qF "$want" <<<"$out" || fail "missing: $want"
    done
    # bytes per rank per step at P = 1,024 for 10 x 3,072 do not depend on the
    # measurements: tree 1023 x 30732 x 4 = 126 MB; exact 2 (1023/1024) 122,920
    # (Rabenseifner) + 10 x 176 (recursive doubling) = 247 kB
    row=$(awk '/^10 x 3,072: predicted/ { f = 1 } f && $1 == "1,024" { print; exit }' <<<"$out")
    [[ $(awk '{ print $2, $3, $4, $5 }' <<<"$row") == "126 MB 247 kB" ]] || fail "P = 1,024 bytes: '$row'"
    md=$("$PY" "$ROOT/scripts/scaling-model.py" --markdown) || fail "--markdown failed"
    grep -q '^| P | bytes tree | bytes exact |' <<<"$md" || fail "--markdown: no cluster table"
    echo "ok: scaling-model.py"
    ;;
bytes)
    need_numpy
    "$PY" "$ROOT/scripts/scaling-model.py" --count-check
    ;;
*) fail "usage: bench_scaling.sh smoke BENCH | table | bytes" ;;
esac
