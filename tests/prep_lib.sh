# shellcheck shell=bash
# shellcheck disable=SC2034  # rc is read by the scripts that source this file
# prep_lib.sh: helpers shared by the lincls-prep test drivers (sourced).
# Environment from CTest: LC_PREP (converter), LC_FAKE (make_fake_cifar),
# LC_PREP_CHECK (test_prep_check). Every driver works in its own folder.

set -euo pipefail

fail() {
    echo "FAIL: $*" >&2
    if [[ -f stderr.txt ]]; then echo "--- converter stderr:" >&2; cat stderr.txt >&2; fi
    exit 1
}

: "${LC_PREP:?LC_PREP must name lincls-prep}"
: "${LC_FAKE:?LC_FAKE must name make_fake_cifar}"
: "${LC_PREP_CHECK:?LC_PREP_CHECK must name test_prep_check}"

# fresh_dir NAME: empty working folder for this test, entered.
fresh_dir() {
    rm -rf "$1"
    mkdir -p "$1"
    cd "$1"
}

# run_prep ARGS...: runs the converter, keeps stdout.txt, stderr.txt and $rc.
rc=0 # exit code of the last run_prep, read by the drivers
run_prep() {
    set +e
    "$LC_PREP" "$@" >stdout.txt 2>stderr.txt
    rc=$?
    set -e
}

# expect_stderr FIXED-STRING...: each must occur in stderr.txt.
expect_stderr() {
    local s
    for s in "$@"; do
        grep -qF -- "$s" stderr.txt || fail "stderr does not contain '$s'"
    done
}

# expect_no_output OUT: neither OUT nor a temporary OUT.tmp.* is left.
expect_no_output() {
    [[ ! -e "$1" ]] || fail "$1 was left behind"
    local left
    left=$(compgen -G "$1.tmp.*" || true)
    [[ -z "$left" ]] || fail "temporary file left behind: $left"
}

# json_field NAME: value of a number field in the last stdout line.
json_field() {
    tail -n 1 stdout.txt | sed -n "s/.*\"$1\":\([0-9.eE+-]*\).*/\1/p"
}
