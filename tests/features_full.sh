#!/usr/bin/env bash
# features_full.sh tmpfs|limit: `lincls-mpi features` on 2 ranks writing onto
# a full disk (full_lib.sh says how it is filled). Each case: a non-zero exit
# that is not a crash, one error line naming OUT, no temporary left, and the
# OUT that was there before (replaced with --force) intact. Runs in the test
# work dir, where the fixture left fake.h5.
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
# shellcheck source=tests/full_lib.sh
source "$(dirname "$0")/full_lib.sh"
top=$PWD
dir=features_full_$1
full_release "$dir"
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"
full_mode "$1"
reason="No space left on device"
[[ $1 == limit ]] && reason="File too large"
# A previous OUT: the colour histogram only (35 KB); the new one is 0.5 MB.
"$LC_MPIEXEC" "$LC_NPFLAG" 2 "$LC_MPI" features --data "$top/fake.h5" --out previous.h5 --kind color \
    >/dev/null 2>&1 || fail "could not make the previous features file"

expect_full() { # CASE DIR KB WANT [ENV...]
    local name=$1 d=$2 kb=$3 want=$4 rc
    shift 4
    full_dir "$d" "$kb"
    cp previous.h5 "$d/out.h5"
    set +e
    full_run "$kb" env "$@" "$LC_MPIEXEC" "$LC_NPFLAG" 2 "$LC_MPI" features --data "$top/fake.h5" \
        --out "$d/out.h5" --force >out.txt 2>err.txt
    rc=$?
    set -e
    [[ $rc -ne 0 && $rc -lt 128 && $rc -ne 139 ]] || { cat err.txt; fail "$name: exit $rc, expected a failure without a crash"; }
    grep -q "Segmentation\|signal" err.txt && { cat err.txt; fail "$name: a rank crashed"; }
    [[ $(grep -c "lincls-mpi features: error:" err.txt) -eq 1 ]] || { cat err.txt; fail "$name: expected one error line"; }
    grep -qF "lincls-mpi features: error: $d/out.h5: $want" err.txt || { cat err.txt; fail "$name: message lacks '$want'"; }
    [[ $want != "no room"* ]] || grep -qF "$reason" err.txt || { cat err.txt; fail "$name: message lacks '$reason'"; }
    cmp -s previous.h5 "$d/out.h5" || fail "$name: the previous OUT was changed"
    [[ -z "$(full_left "$d")" ]] || fail "$name: temporary file left behind: $(full_left "$d")"
    echo "ok: $name: $(grep 'error:' err.txt)"
}

# The space is reserved after the collective create: a small disk or a
# file-size limit fails before any features are computed.
expect_full reserve d_reserve 300 "no room for the output"
if [[ $1 == tmpfs ]]; then
    # Without the reservation the collective writes fail; rank 0 empties the
    # temporary so that the closing metadata writes find room.
    for kb in 128 320; do
        expect_full "write_$kb" "d_write_$kb" "$kb" "cannot write /train" LINCLS_IO_NO_RESERVE=1
    done
fi
echo "PASS: features on a full disk ($1)"
