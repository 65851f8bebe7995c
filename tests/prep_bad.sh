#!/usr/bin/env bash
# prep_bad.sh CASE: one bad input to lincls-prep. Asserts the exit code, that
# stderr is exactly one "lincls-prep: error:" line naming the file (and
# member, record) with the expected wording, that stdout is empty, and that
# neither the output nor a temporary file is left behind.
# shellcheck source=tests/prep_lib.sh
source "$(dirname "$0")/prep_lib.sh"
name=$1
fresh_dir "prep_bad_$name"
R=60
src=fake.tar.gz
out=out.h5
flags=(--records-per-batch "$R")
code=4          # LC_EDATA unless said otherwise
member=cifar-10-batches-bin
gen() { "$LC_FAKE" "$src" --records $R "$@"; }
gendir() { src=fake; "$LC_FAKE" "$src" --records $R --format dir "$@"; }

case $name in
missing_path)
    src=no_such_archive.tar.gz; code=3
    want=("no_such_archive.tar.gz: cannot open: No such file or directory") ;;
notgzip)
    gen --fault notgzip
    want=("fake.tar.gz: not a gzip file") ;;
nottar)
    gen --fault nottar
    want=("fake.tar.gz: not a tar archive") ;;
emptygz)
    printf '' | gzip -c >"$src"
    want=("fake.tar.gz: not a tar archive") ;;
badcrc)
    # Intact data, wrong CRC-32 in the gzip trailer: only a reader that
    # finishes the stream (and so lets zlib check it) notices.
    gen
    size=$(stat -c %s "$src")
    printf '\xff' | dd of="$src" bs=1 seek=$((size - 8)) conv=notrunc status=none
    want=("fake.tar.gz: corrupt gzip data" "incorrect data check") ;;
truncate)
    gen --fault truncate
    want=("fake.tar.gz: truncated archive" "in $member/") ;;
missing_member)
    gen --fault missing:data_batch_3.bin
    want=("fake.tar.gz: missing member $member/data_batch_3.bin") ;;
missing_test)
    gen --fault missing:test_batch.bin
    want=("fake.tar.gz: missing member $member/test_batch.bin") ;;
short_member)
    gen --fault short:data_batch_2.bin
    want=("fake.tar.gz: member $member/data_batch_2.bin: short member: 184280 bytes, expected 184380 (60 records x 3073)") ;;
long_member)
    gen --fault long:test_batch.bin
    want=("fake.tar.gz: member $member/test_batch.bin: long member: 187453 bytes, expected 184380"
          "it holds 61 records") ;;
badlabel)
    gen --fault badlabel:data_batch_4.bin:17
    want=("fake.tar.gz: member $member/data_batch_4.bin: record 17 (0-based, byte 52241): label 10 is out of range 0..9") ;;
badlabel_last)
    gen --fault badlabel:test_batch.bin:59:255 --reverse
    want=("fake.tar.gz: member $member/test_batch.bin: record 59 " "label 255 is out of range") ;;
nometa)
    gen --fault nometa
    want=("fake.tar.gz: missing member $member/batches.meta.txt") ;;
shortmeta)
    gen --fault shortmeta
    want=("fake.tar.gz: member $member/batches.meta.txt: short class list: 9 class names, expected 10") ;;
wrong_records)
    gen; flags=()   # a 60-record archive read as the official 10000-record one
    want=("fake.tar.gz: member $member/" "short member: 184380 bytes, expected 30730000"
          "--records-per-batch 60") ;;
dir_missing)
    gendir --fault missing:data_batch_5.bin
    want=("fake: missing member fake/data_batch_5.bin") ;;
dir_short)
    gendir --fault short:test_batch.bin
    want=("fake/test_batch.bin: short member: 184280 bytes, expected 184380") ;;
dir_badlabel)
    gendir --fault badlabel:data_batch_1.bin:0:200
    want=("fake/data_batch_1.bin: record 0 (0-based, byte 0): label 200 is out of range 0..9") ;;
dir_nometa)
    gendir --fault nometa
    want=("fake: missing member fake/batches.meta.txt") ;;
dir_empty)
    src=empty; mkdir empty
    want=("empty: missing member empty/data_batch_1.bin") ;;
out_dir_missing)
    gen; out=no_such_dir/out.h5; code=3
    want=("no_such_dir/out.h5: cannot create output" "No such file or directory") ;;
out_empty)
    gen; out=""; code=2
    want=("OUT.h5 is empty") ;;
pax_negative_length)
    # A pax record whose length is negative: once an endless loop.
    gen --pax '10 a=bcde\n-10 x=y\n'
    want=("fake.tar.gz: malformed tar header at byte 1536 of the tar stream, for $member/data_batch_1.bin") ;;
pax_negative_path)
    # The same as the first record, on "path": once a read before the buffer.
    gen --pax '-10 path=y'
    want=("fake.tar.gz: malformed tar header at byte 1536 of the tar stream, for $member/data_batch_1.bin") ;;
*) fail "unknown case $name" ;;
esac

run_prep "$src" "$out" "${flags[@]}"
[[ $rc -eq $code ]] || fail "exit code $rc, expected $code"
[[ $(wc -l <stderr.txt) -eq 1 ]] || fail "expected exactly one line on stderr"
grep -q '^lincls-prep: error: ' stderr.txt || fail "message lacks the 'lincls-prep: error:' prefix"
expect_stderr "${want[@]}"
[[ ! -s stdout.txt ]] || fail "stdout not empty: $(cat stdout.txt)"
expect_no_output "$out"
[[ "$out" != no_such_dir/* || ! -e no_such_dir ]] || fail "no_such_dir was created"
echo "PASS: $name refused: $(cat stderr.txt)"
