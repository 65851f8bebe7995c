#!/usr/bin/env bash
# features_temporary.sh: the temporary file of `features` (2 ranks).
# SIGTERM or SIGINT while it exists: the job ends, no temporary and no OUT
# are left. Two jobs writing the same OUT at the same time: each has its own
# temporary, both finish, and OUT is a whole features file. A job pauses
# before its commit (LINCLS_IO_COMMIT_DELAY_MS) so that its temporary is
# there to be seen; the test waits for it with a deadline.
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
dir=features_temporary.d
# wait_tmp OUT JOB: until OUT's temporary exists (or JOB ended); 0 if it does
wait_tmp() {
    for _ in $(seq 600); do
        [[ -n "$(compgen -G "$1.tmp.*")" ]] && return 0
        kill -0 "$2" 2>/dev/null || break
        sleep 0.1
    done
    [[ -n "$(compgen -G "$1.tmp.*")" ]]
}
rm -rf "$dir" && mkdir -p "$dir" || exit 1
for sig in TERM INT; do
    out=$dir/out_$sig.h5
    LINCLS_IO_COMMIT_DELAY_MS=60000 "$LC_MPIEXEC" "$LC_NPFLAG" 2 "$LC_MPI" features --data fake.h5 --out "$out" \
        >"$dir/$sig.out" 2>"$dir/$sig.err" &
    job=$!
    wait_tmp "$out" $job || { kill -KILL $job; fail "$sig: no temporary file appeared"; }
    kill -"$sig" $job
    t0=$SECONDS
    while kill -0 $job 2>/dev/null; do
        (( SECONDS - t0 < 60 )) || { kill -KILL $job; fail "$sig: job still running 60 s after the signal"; }
        sleep 0.1
    done
    wait $job && fail "$sig: the job exited 0"
    [[ -z "$(compgen -G "$out.tmp.*")" ]] || fail "$sig: temporary left behind: $(compgen -G "$out.tmp.*")"
    [[ ! -e $out ]] || fail "$sig: $out was written"
    echo "ok: SIG$sig during the write: no temporary, no OUT"
done

out=$dir/both.h5
LINCLS_IO_COMMIT_DELAY_MS=3000 "$LC_MPIEXEC" "$LC_NPFLAG" 2 "$LC_MPI" features --data fake.h5 --out "$out" --force \
    >"$dir/a.out" 2>"$dir/a.err" &
job=$!
wait_tmp "$out" $job || { kill -KILL $job; fail "concurrent: no temporary file appeared"; }
"$LC_MPIEXEC" "$LC_NPFLAG" 2 "$LC_MPI" features --data fake.h5 --out "$out" --force >"$dir/b.out" 2>"$dir/b.err" \
    || { kill -KILL $job; cat "$dir/b.err"; fail "concurrent: the second job failed"; }
wait $job || { cat "$dir/a.err"; fail "concurrent: the first job failed"; }
[[ -z "$(compgen -G "$out.tmp.*")" ]] || fail "concurrent: temporary left behind"
"$LC_MPIEXEC" "$LC_NPFLAG" 2 "$LC_MPI" features --data fake.h5 --out "$dir/ref.h5" >/dev/null 2>&1 || fail "reference run"
for g in /classes /train /test; do
    h5diff -q "$out" "$dir/ref.h5" $g $g >/dev/null || fail "concurrent: $g of OUT differs from a lone run's"
done
echo "ok: two jobs writing the same OUT at once both finish; OUT is whole"
echo "PASS: features' temporary file: removed on SIGTERM and SIGINT, one per job"
