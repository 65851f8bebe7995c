#!/usr/bin/env bash
# Strings as h5py writes them (issue 8, section 4): the root attribute format
# and /classes in every form HDF5 has (variable or fixed length, ASCII or
# UTF-8, NULLTERM / NULLPAD / SPACEPAD, a one-element array) are read, train
# the same W and b as fake.h5 itself, and the class names come through eval's
# JSON intact (non-ASCII kept, long names cut at a character boundary,
# invalid UTF-8 and control characters as '?').
source "$(dirname "$0")/read_lib.sh"
testdir read_strings
craft strings ../fake.h5 f
run() { mpi 2 train --data "$1" --val 40 --epochs 1 --batch 64 --quiet --checkpoint "$2" >/dev/null 2> err \
        || fail "$1 refused: $(cat err)"; }
run ../fake.h5 ref.h5
# names VARIANT: the per_class names of eval's JSON, one per line
names() { mpi 2 eval --data "f/$1.h5" --model "$1.ckpt.h5" 2>/dev/null | tail -n 1 \
          | "$PY" -c 'import json, sys; print("\n".join(json.load(sys.stdin)["per_class"]))'; }
plain=$("$PY" -c 'import h5py; print("\n".join(n.decode() for n in h5py.File("../fake.h5")["classes"][:]))')
[[ $(echo "$plain" | wc -l) == 10 ]] || fail "fake.h5 does not have 10 class names"
for v in str_python str_bytes str_bytes_array str_vlen_ascii str_utf8_fixed str_spacepad str_nullterm_exact \
         str_long_names str_bad_utf8; do
    run "f/$v.h5" "$v.ckpt.h5"
    for d in W b; do
        h5diff -q ref.h5 "$v.ckpt.h5" /model/$d /model/$d >/dev/null || fail "$v: /model/$d differs from fake.h5's"
    done
    got=$(names "$v") || fail "$v: eval failed"
    case $v in
    str_utf8_fixed) want=$(echo "$plain" | sed 's/$/-é中/') ;;
    str_long_names) want=$("$PY" -c 'import sys; [print((n * 20)[:63]) for n in sys.stdin.read().split()]' <<< "$plain") ;;
    str_bad_utf8) want=$(echo "$plain" | sed 's/^/bad??/; s/$/?/') ;;
    *) want=$plain ;;
    esac
    [[ $got == "$want" ]] || fail "$v: class names came out as: $(echo $got) (expected $(echo $want))"
    echo "ok: $v read, same W and b, names: $(echo "$got" | head -n 2 | tr '\n' ' ')..."
done
