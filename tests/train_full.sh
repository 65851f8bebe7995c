#!/usr/bin/env bash
# train_full.sh tmpfs|limit: checkpoints (train, search, sweep) and a metrics
# file written onto a full disk (full_lib.sh says how it is filled), 2 ranks.
# Each case: a non-zero exit that is not a crash, one error line naming the
# file and the system's reason, no temporary left, and the checkpoint that
# was there before intact.
source "$(dirname "$0")/train_lib.sh"
# shellcheck source=tests/full_lib.sh
source "$(dirname "$0")/full_lib.sh"
full_release "train_full_$1"
testdir "train_full_$1"
full_mode "$1"
reason="No space left on device"
[[ $1 == limit ]] && reason="File too large"
d=(--data ../fake.h5 --val 40 --quiet --no-test)

# expect_full CASE DIR KB FILE CMD...: CMD fails writing FILE under the limit.
expect_full() {
    local name=$1 dir=$2 kb=$3 file=$4 rc
    shift 4
    full_run "$kb" "$@" >out.txt 2>err.txt
    rc=$?
    [[ $rc -ne 0 && $rc -lt 128 ]] || { cat err.txt; fail "$name: exit $rc, expected a failure without a crash"; }
    ! grep -q "Segmentation\|exited on signal" err.txt || { cat err.txt; fail "$name: a rank crashed"; }
    [[ $(grep -c "error:" err.txt) -eq 1 ]] || { cat err.txt; fail "$name: expected one error line"; }
    grep -q "error: .*$file.*$reason" err.txt || { cat err.txt; fail "$name: the message does not name $file and '$reason'"; }
    [[ -z "$(full_left "$dir")" ]] || fail "$name: temporary file left behind: $(full_left "$dir")"
    echo "ok: $name: $(grep 'error:' err.txt)"
}

# train: a 406 KB checkpoint (adam keeps two state vectors) fits once; its
# replacement cannot be written beside it.
full_dir t 600
mpi 2 train "${d[@]}" --epochs 1 --optimizer adam --checkpoint t/c.h5 >/dev/null || fail "first checkpoint"
sum=$(md5sum <t/c.h5)
expect_full train t 300 t/c.h5 mpi 2 train "${d[@]}" --epochs 2 --optimizer adam --checkpoint t/c.h5
[[ $(md5sum <t/c.h5) == "$sum" ]] || fail "train: the previous checkpoint was changed"
# the same for a periodic checkpoint, resuming from it
expect_full train_every t 300 t/c.h5 mpi 2 train "${d[@]}" --epochs 3 --optimizer adam --resume t/c.h5 \
    --checkpoint t/c.h5 --checkpoint-every 1
[[ $(md5sum <t/c.h5) == "$sum" ]] || fail "train --checkpoint-every: the previous checkpoint was changed"

# search: the best W (125 KB)
full_dir s 200
mpi 2 search --data ../fake.h5 --trials 4 --quiet --no-test --checkpoint s/w.h5 >/dev/null || fail "first search"
sum=$(md5sum <s/w.h5)
expect_full search s 100 s/w.h5 mpi 2 search --data ../fake.h5 --trials 8 --quiet --no-test --checkpoint s/w.h5
[[ $(md5sum <s/w.h5) == "$sum" ]] || fail "search: the previous checkpoint was changed"

# sweep: the first trial's checkpoint does not fit
full_dir w 64
expect_full sweep w/sw 64 "w/sw/trial-0.h5" mpi 2 sweep --data ../fake.h5 --trials 2 --epochs 1 --val 40 \
    --batches 32 --quiet --out w/sw

# metrics: one line per epoch until the disk is full
full_dir m 8
expect_full metrics m 8 "--metrics m/m.jsonl" mpi 2 train "${d[@]}" --epochs 300 --metrics m/m.jsonl
echo "PASS: checkpoints and metrics on a full disk ($1)"
