# Shared by the train_*.sh tests. Each test works in its own folder under the
# CTest working directory, where the fixtures left fake.h5 and fake_big.h5.
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIPPED: $*"; exit 77; }
testdir() { rm -rf "$1" && mkdir -p "$1" && cd "$1" || fail "cannot make $1"; }
# mpi NP args...: lincls-mpi through the configured launcher
mpi() { local np=$1; shift; "$LC_MPIEXEC" "$LC_NPFLAG" "$np" "$LC_MPI" "$@"; }
# json_get KEY < line : a number or string member of a flat JSON object
json_get() { sed -n "s/.*\"$1\":\(\"[^\"]*\"\|[^,}]*\).*/\1/p" | tr -d '"'; }
# ge A B: A >= B as numbers
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'; }
# same_model A.h5 B.h5: /model and /optim bitwise equal (h5diff compares exactly)
same_model() { h5diff -q "$1" "$2" /model /model >/dev/null && h5diff -q "$1" "$2" /optim /optim >/dev/null; }
# expect_fail "what" "message regex" cmd...: non-zero exit, message on stderr
expect_fail() {
    local what=$1 re=$2; shift 2
    local out rc
    out=$("$@" 2>&1 >/dev/null); rc=$?
    [[ $rc -ne 0 ]] || fail "$what: exit code 0, expected failure"
    # under the sanitizer build a report after the message must not pass as the expected failure
    ! echo "$out" | grep -Eq 'Sanitizer|runtime error:' || fail "$what: sanitizer report: $out"
    echo "$out" | grep -Eq -- "$re" || fail "$what: message does not match /$re/: $out"
    [[ $(echo "$out" | grep -c 'error:') -eq 1 ]] || fail "$what: expected exactly one error line, got: $out"
    echo "ok: $what -> $(echo "$out" | grep 'error:')"
}
# mpi_bg NP args...: lincls-mpi through the launcher in the background; MPI_PID is
# the launcher's own pid (not a subshell's), so its children are the ranks.
mpi_bg() { local np=$1; shift; "$LC_MPIEXEC" "$LC_NPFLAG" "$np" "$LC_MPI" "$@" & MPI_PID=$!; }
# ranks_of PID: the lincls-mpi processes started by the launcher PID (by parent
# pid, never by a name pattern that could match someone else's processes)
ranks_of() {
    local p
    for p in $(pgrep -P "$1"); do
        [[ $(cat "/proc/$p/comm" 2>/dev/null) == lincls-mpi ]] && echo "$p"
    done
}
# wait_until SECONDS command...: poll (every 0.1 s) until the command succeeds;
# returns 1 after SECONDS. Deadlines are generous: a loaded or slow machine must
# not fail a test, only a hang may.
wait_until() {
    local limit=$1 t0=$SECONDS; shift
    until "$@"; do
        (( SECONDS - t0 < limit )) || return 1
        sleep 0.1
    done
}
# running PID: the process exists and has not exited (a zombie has exited)
running() { [[ -e /proc/$1 ]] && [[ $(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) != Z ]]; }
# stop_job PID: end a background job and its ranks by pid (SIGKILL), and reap it
stop_job() {
    local p
    for p in $(ranks_of "$1"); do kill -9 "$p" 2>/dev/null; done
    kill -9 "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    return 0
}
