#!/bin/sh
# loss_expect.sh NP RC STDOUT_RE STDERR_RE ARGS...
# Runs `mpiexec -n NP lincls-mpi ARGS...` and checks its exit code (RC, or
# "nonzero"), that the last stdout line matches STDOUT_RE and that stderr
# matches STDERR_RE (extended regexes; "-" = no check). The launcher and
# binary come from LC_MPIEXEC, LC_NPFLAG and LC_MPI, set by the test helper.
np=$1 want=$2 out_re=$3 err_re=$4
shift 4
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
"$LC_MPIEXEC" "$LC_NPFLAG" "$np" "$LC_MPI" "$@" >"$out" 2>"$err"
rc=$?
cat "$err" >&2
cat "$out"
fail=0
if [ "$want" = nonzero ]; then
    [ "$rc" -ne 0 ] || { echo "expected a non-zero exit code, got 0" >&2; fail=1; }
elif [ "$rc" -ne "$want" ]; then
    echo "expected exit code $want, got $rc" >&2
    fail=1
fi
if [ "$out_re" != - ] && ! tail -n 1 "$out" | grep -Eq -- "$out_re"; then
    echo "last stdout line does not match: $out_re" >&2
    fail=1
fi
if [ "$err_re" != - ] && ! grep -Eq -- "$err_re" "$err"; then
    echo "stderr does not match: $err_re" >&2
    fail=1
fi
exit $fail
