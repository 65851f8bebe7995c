#!/usr/bin/env bash
# prep_cli.sh: lincls-prep's command line: --help, argument errors, an existing
# OUT (kept without --force, replaced with it), --quiet and the JSON line.
# shellcheck source=tests/prep_lib.sh
source "$(dirname "$0")/prep_lib.sh"
fresh_dir prep_cli
R=60
"$LC_FAKE" fake.tar.gz --records $R
"$LC_FAKE" ref --records $R --format dir

run_prep --help
[[ $rc -eq 0 ]] || fail "--help exited $rc"
grep -q '^usage: lincls-prep SRC OUT.h5' stdout.txt || fail "--help lacks the usage line"
for opt in --records-per-batch --force --quiet --help; do
    grep -q -- "$opt" stdout.txt || fail "--help does not list $opt"
done

expect_arg_error() { # EXPECTED-TEXT ARGS...
    local text=$1
    shift
    run_prep "$@"
    [[ $rc -eq 2 ]] || fail "'$*' exited $rc, expected 2"
    [[ $(wc -l <stderr.txt) -eq 1 ]] || fail "'$*': expected one line on stderr"
    expect_stderr "$text"
}
expect_arg_error "expected 2 arguments SRC OUT.h5, got 0"
expect_arg_error "expected 2 arguments SRC OUT.h5, got 1" fake.tar.gz
expect_arg_error "expected 2 arguments SRC OUT.h5, got 3" fake.tar.gz a.h5 b.h5
expect_arg_error "unknown option '--bogus'" fake.tar.gz a.h5 --bogus
expect_arg_error "--records-per-batch: 'ten' is not an integer" fake.tar.gz a.h5 --records-per-batch ten
expect_arg_error "--records-per-batch 0: must be 1.." fake.tar.gz a.h5 --records-per-batch 0
expect_no_output a.h5

# OUT exists: refused and untouched without --force.
echo "precious" >out.h5
run_prep fake.tar.gz out.h5 --records-per-batch $R
[[ $rc -eq 2 ]] || fail "existing OUT: exit $rc, expected 2"
expect_stderr "out.h5: already exists; use --force to replace it"
[[ "$(cat out.h5)" == precious ]] || fail "existing OUT was modified"
[[ -z "$(compgen -G 'out.h5.tmp.*' || true)" ]] || fail "temporary file left behind"

# --force replaces it; --quiet keeps stderr empty; stdout is one JSON line.
run_prep fake.tar.gz out.h5 --records-per-batch=$R --force --quiet
[[ $rc -eq 0 ]] || fail "--force exited $rc"
[[ ! -s stderr.txt ]] || fail "--quiet still wrote to stderr"
"$LC_PREP_CHECK" out.h5 ref --records $R --source fake.tar.gz || fail "--force output wrong"
grep -qE '^\{"out":"out.h5","source":"fake.tar.gz","train":300,"test":60,"classes":10,"seconds":[0-9.eE+-]+\}$' stdout.txt \
    || fail "JSON line: $(cat stdout.txt)"

# OUT naming an input -- the archive, however spelled, or a member of the
# folder -- is refused before anything is written, even with --force.
cp fake.tar.gz src.tgz
ln src.tgz hard.tgz
ln -s src.tgz sym.tgz
for o in src.tgz ./src.tgz "$PWD/src.tgz" hard.tgz sym.tgz; do
    run_prep src.tgz "$o" --records-per-batch $R --force
    [[ $rc -eq 2 ]] || fail "OUT $o naming SRC: exit $rc, expected 2"
    expect_stderr "$o is the input file src.tgz: refusing to overwrite it"
    [[ $(wc -l <stderr.txt) -eq 1 && ! -s stdout.txt ]] || fail "OUT $o naming SRC: output not one error line"
done
set +e
"$LC_PREP" - hard.tgz --records-per-batch $R --force <src.tgz >stdout.txt 2>stderr.txt
rc=$?
set -e
[[ $rc -eq 2 ]] || fail "OUT naming the archive on standard input: exit $rc, expected 2"
expect_stderr "hard.tgz is the input file /dev/stdin"
cp -r ref refcopy
run_prep refcopy refcopy/data_batch_3.bin --records-per-batch $R --force
[[ $rc -eq 2 ]] || fail "OUT naming a folder member: exit $rc, expected 2"
expect_stderr "refcopy/data_batch_3.bin is the input file refcopy/data_batch_3.bin"
cmp -s src.tgz fake.tar.gz || fail "a refused run changed the archive"
cmp -s refcopy/data_batch_3.bin ref/data_batch_3.bin || fail "a refused run changed a folder member"
[[ -z "$(compgen -G '*.tmp.*' || true)$(compgen -G 'refcopy/*.tmp.*' || true)" ]] || fail "temporary file left behind"

# A failed --force run keeps the old OUT (the temporary file is what fails).
"$LC_FAKE" bad.tar.gz --records $R --fault badlabel:data_batch_5.bin:3
cp out.h5 keep.h5
run_prep bad.tar.gz out.h5 --records-per-batch $R --force
[[ $rc -eq 4 ]] || fail "bad archive with --force: exit $rc"
cmp -s out.h5 keep.h5 || fail "failed --force run changed the existing OUT"
# SRC may be a pipe: the archive is read once, front to back.
mkfifo pipe
cat fake.tar.gz >pipe &
run_prep pipe piped.h5 --records-per-batch $R --quiet
wait
[[ $rc -eq 0 ]] || fail "converting from a pipe exited $rc"
"$LC_PREP_CHECK" piped.h5 ref --records $R --source pipe || fail "piped conversion wrong"

# '-' reads the archive from standard input.
set +e
"$LC_PREP" - stdin.h5 --records-per-batch $R --quiet <fake.tar.gz >stdout.txt 2>stderr.txt
rc=$?
set -e
[[ $rc -eq 0 ]] || fail "converting from standard input exited $rc"
"$LC_PREP_CHECK" stdin.h5 ref --records $R --source stdin || fail "conversion from stdin wrong"

# Interrupted (SIGTERM) while waiting for more input: no OUT, no temp file.
mkfifo slow
"$LC_PREP" slow killed.h5 --records-per-batch $R >/dev/null 2>stderr.txt &
prep_pid=$!
exec 3>slow                      # our end of the pipe; held open, so prep waits
head -c 600000 fake.tar.gz >&3     # more than zlib's 256 KiB input buffer
t0=$SECONDS                      # poll, with a deadline generous for a slow machine
while (( SECONDS - t0 < 120 )); do
    [[ -n "$(compgen -G 'killed.h5.tmp.*' || true)" ]] && break
    sleep 0.1
done
[[ -n "$(compgen -G 'killed.h5.tmp.*' || true)" ]] || fail "no temporary file while converting"
kill -TERM "$prep_pid"
set +e; wait "$prep_pid"; rc=$?; set -e
exec 3>&-
[[ $rc -eq 143 ]] || fail "interrupted conversion exited $rc, expected 143 (SIGTERM)"
expect_no_output killed.h5
echo "PASS: command line"
