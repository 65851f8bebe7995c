#!/usr/bin/env bash
# prep_full.sh tmpfs|limit: lincls-prep writing onto a full disk (see
# full_lib.sh for the two ways of filling it). Each case: exit 3, exactly one
# error line naming OUT and the system's reason, no crash, no temporary left,
# and the OUT that was there before (replaced with --force) intact.
# shellcheck source=tests/prep_lib.sh
source "$(dirname "$0")/prep_lib.sh"
# shellcheck source=tests/full_lib.sh
source "$(dirname "$0")/full_lib.sh"
full_release "prep_full_$1"
fresh_dir "prep_full_$1"
full_mode "$1"
R=60                                       # the output: 1.1 MB
"$LC_FAKE" fake.tar.gz --records $R
"$LC_FAKE" small.tar.gz --records 10       # a previous OUT: 0.2 MB
"$LC_PREP" small.tar.gz previous.h5 --records-per-batch 10 --quiet >/dev/null
reason="No space left on device"
[[ $1 == limit ]] && reason="File too large"

expect_full() { # CASE DIR KB WANT [ENV...]: convert into DIR/out.h5 over a previous OUT
    local name=$1 dir=$2 kb=$3 want=$4
    shift 4
    full_dir "$dir" "$kb"
    cp previous.h5 "$dir/out.h5"
    set +e
    full_run "$kb" env "$@" "$LC_PREP" fake.tar.gz "$dir/out.h5" --records-per-batch $R --force \
        >stdout.txt 2>stderr.txt
    rc=$?
    set -e
    [[ $rc -eq 3 ]] || fail "$name: exit $rc, expected 3"
    [[ $(wc -l <stderr.txt) -eq 1 ]] || fail "$name: expected exactly one line on stderr"
    expect_stderr "lincls-prep: error: $dir/out.h5: $want" "$reason"
    [[ ! -s stdout.txt ]] || fail "$name: stdout not empty"
    cmp -s previous.h5 "$dir/out.h5" || fail "$name: the previous OUT was changed"
    [[ -z "$(full_left "$dir")" ]] || fail "$name: temporary file left behind: $(full_left "$dir")"
    echo "ok: $name: $(cat stderr.txt)"
}

# The space is reserved before the conversion: a disk or a file-size limit
# too small for the output fails at once.
expect_full reserve d_reserve 800 "no room for the output"
if [[ $1 == tmpfs ]]; then
    # Without the reservation (as on a file system that cannot reserve) the
    # writes themselves fail, at the first chunk or near the end.
    for kb in 256 640 1024; do
        expect_full "write_$kb" "d_write_$kb" "$kb" "cannot write the data" LINCLS_IO_NO_RESERVE=1
    done
fi
echo "PASS: full disk ($1)"
