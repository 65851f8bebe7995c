# shellcheck shell=bash
# Shared by the plots_*.sh tests: the plotting script, a skip when Debian's
# python3 lacks h5py or matplotlib, and a PNG check (magic bytes, pixel size).
# shellcheck source=tests/train_lib.sh
source "$(dirname "$0")/train_lib.sh"
PLOT=$(cd "$(dirname "$0")/.." && pwd)/scripts/plot.py
PY=${LC_PLOT_PYTHON:-/usr/bin/python3} # Debian's python3 (override only to test the skip)
[[ -x $PY ]] || skip "$PY not found (plots need Debian's python3 with python3-h5py and python3-matplotlib)"
"$PY" -c 'import h5py, matplotlib, numpy' 2>/dev/null \
    || skip "$PY lacks h5py, matplotlib or numpy (apt-get install python3-h5py python3-matplotlib python3-numpy)"
[[ -f $PLOT ]] || fail "$PLOT missing"
plot() { "$PY" "$PLOT" "$@"; }
# png_check FILE WIDTH HEIGHT: a PNG file of exactly that pixel size
png_check() {
    local f=$1 w=$2 h=$3
    [[ -s $f ]] || fail "$f was not written"
    [[ $(head -c 8 "$f" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] || fail "$f is not a PNG (magic bytes)"
    [[ $(head -c 16 "$f" | tail -c 4) == IHDR ]] || fail "$f: no IHDR chunk first"
    local gw gh
    gw=$(od -An -tu1 -j16 -N4 "$f" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
    gh=$(od -An -tu1 -j20 -N4 "$f" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
    [[ $gw == "$w" && $gh == "$h" ]] || fail "$f is ${gw}x${gh} pixels, expected ${w}x${h}"
    echo "ok: $f is a ${w}x${h} PNG ($(wc -c < "$f") bytes)"
}
# train_small NAME [flags...]: a 3-epoch run on fake.h5 writing NAME.h5 and NAME.jsonl
train_small() {
    local name=$1; shift
    mpi 2 train --data ../fake.h5 --val 60 --epochs 3 --batch 32 --quiet --no-test \
        --checkpoint "$name.h5" --metrics "$name.jsonl" "$@" > "$name.out" 2> "$name.err" \
        || fail "training $name: $(cat "$name.err")"
}
