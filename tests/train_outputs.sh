#!/usr/bin/env bash
# Outputs that would destroy an input are refused before anything is
# written, whatever the spelling (./, a hard link, a symbolic link): train's
# --metrics and --checkpoint, search's --checkpoint, sweep's results.csv.
# A metrics file that cannot be written is an error naming it.
source "$(dirname "$0")/train_lib.sh"
testdir train_outputs
d=(--val 40 --quiet --no-test --epochs 1)
cp ../fake.h5 in.h5 && ln in.h5 hard.h5 && ln -s in.h5 sym.h5 || fail "cannot make the links"
mpi 2 train --data in.h5 "${d[@]}" --checkpoint k.h5 >/dev/null || fail "making a checkpoint"
ln -s k.h5 ksym.h5 || fail "cannot link k.h5"
ksum=$(md5sum <k.h5)

refused() { # WHAT MESSAGE ARGS...: exit 2 (a bad argument), one error line matching MESSAGE
    local what=$1 re=$2 out rc
    shift 2
    out=$("$@" 2>&1 >/dev/null)
    rc=$?
    [[ $rc -eq ${code:-2} ]] || fail "$what: exit $rc, expected ${code:-2}: $out"
    echo "$out" | grep -Eq -- "$re" || fail "$what: message does not match /$re/: $out"
    [[ $(echo "$out" | grep -c 'error:') -eq 1 ]] || fail "$what: expected exactly one error line, got: $out"
    echo "ok: $what -> $(echo "$out" | grep 'error:')"
}
refused "--metrics naming --data (./)" "--metrics \./in\.h5 is the input file --data in\.h5: refusing" \
    mpi 2 train --data in.h5 "${d[@]}" --metrics ./in.h5
refused "--metrics naming --data (hard link)" "--metrics hard\.h5 is the input file --data in\.h5" \
    mpi 2 train --data in.h5 "${d[@]}" --metrics hard.h5
refused "--checkpoint naming --data (symbolic link)" "--checkpoint sym\.h5 is the input file --data in\.h5" \
    mpi 2 train --data in.h5 "${d[@]}" --checkpoint sym.h5
refused "--metrics naming --init" "--metrics ksym\.h5 is the input file --init k\.h5" \
    mpi 2 train --data in.h5 "${d[@]}" --init k.h5 --metrics ksym.h5
refused "--metrics naming --resume" "--metrics \./k\.h5 is the input file --resume k\.h5" \
    mpi 2 train --data in.h5 "${d[@]}" --epochs 2 --resume k.h5 --metrics ./k.h5
refused "--metrics naming --checkpoint (neither exists yet)" \
    "--metrics new\.h5 is the checkpoint file --checkpoint \./new\.h5" \
    mpi 2 train --data in.h5 "${d[@]}" --metrics new.h5 --checkpoint ./new.h5
[[ ! -e new.h5 ]] || fail "a refused run left new.h5"
refused "search --checkpoint naming --data" "--checkpoint hard\.h5 is the input file --data in\.h5" \
    mpi 2 search --data in.h5 --trials 2 --quiet --checkpoint hard.h5
mkdir sw && ln in.h5 sw/results.csv || fail "cannot link sw/results.csv"
refused "sweep results.csv naming --data" "sw/results\.csv is the input file --data in\.h5" \
    mpi 2 sweep --data in.h5 --trials 2 --epochs 1 --val 40 --batches 32 --quiet --out sw
cmp -s in.h5 ../fake.h5 || fail "a refused run changed the dataset"
[[ $(md5sum <k.h5) == "$ksum" ]] || fail "a refused run changed the checkpoint"

# --checkpoint may name --resume (or --init): read first, replaced atomically.
mpi 2 train --data in.h5 --val 40 --quiet --no-test --epochs 2 --resume k.h5 --checkpoint ./k.h5 >/dev/null \
    || fail "resuming into the same checkpoint was refused"

# A metrics file that cannot be written: an error naming it, on every rank.
code=1 refused "--metrics /dev/full" "--metrics /dev/full: cannot write: No space left on device" \
    mpi 2 train --data in.h5 "${d[@]}" --metrics /dev/full
echo "PASS: outputs naming inputs refused, unwritable metrics reported"
