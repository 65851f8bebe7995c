# shellcheck shell=bash
# Shared by the read_*.sh tests (bad input on the read side): h5py crafts the
# files (tests/badfiles.py), so these tests skip (77) where Debian's python3
# lacks h5py.
# shellcheck source=tests/train_lib.sh
source "$(dirname "$0")/train_lib.sh"
PY=${LC_PY:-/usr/bin/python3} # Debian's python3 (override only to test the skip)
[[ -x $PY ]] || skip "$PY not found (these tests craft files with python3-h5py)"
"$PY" -c 'import h5py, numpy' 2>/dev/null || skip "$PY lacks h5py or numpy (apt-get install python3-h5py)"
BADFILES=$(dirname "$0")/badfiles.py
# craft KIND GOOD.h5 DIR: the crafted variants of GOOD.h5 into DIR
craft() { "$PY" "$BADFILES" "$@" || fail "badfiles.py $* failed"; }
# expect_ok "what" cmd...: exit 0 and a JSON line last on stdout (kept in ok.json)
expect_ok() {
    local what=$1; shift
    "$@" > ok.json 2> ok.err || fail "$what: exit code $?, expected success: $(cat ok.err)"
    tail -n 1 ok.json | grep -q '^{.*}$' || fail "$what: no JSON line on stdout"
    echo "ok: $what succeeded"
}
