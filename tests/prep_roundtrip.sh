#!/usr/bin/env bash
# prep_roundtrip.sh FORM: converts a synthetic source and compares every row
# and label of the .h5 with the source records.
#   tgz          gzip'ed tar as make_fake_cifar writes it (checked against a
#                `tar -xzf` extraction when tar is available)
#   tgz_reverse  members in reverse order (test batch first, class list last)
#   dir          the extracted folder itself
#   dir_parent   a folder that holds cifar-10-batches-bin/
#   systar       archives written by the system tar in gnu, pax and v7
#                formats, with "./" name prefixes (skipped without tar)
# shellcheck source=tests/prep_lib.sh
source "$(dirname "$0")/prep_lib.sh"
form=$1
fresh_dir "prep_rt_$form"
R=60

"$LC_FAKE" ref --format dir --records $R   # reference records (same seed)

convert_and_check() { # SRC OUT SOURCE-NAME
    run_prep "$1" "$2" --records-per-batch $R
    [[ $rc -eq 0 ]] || fail "lincls-prep $1 exited $rc"
    "$LC_PREP_CHECK" "$2" ref --records $R --source "$3" || fail "$2 differs from the source"
    [[ "$(json_field train)" == 300 && "$(json_field test)" == 60 ]] \
        || fail "JSON line wrong: $(tail -n 1 stdout.txt)"
    [[ $(wc -l <stdout.txt) -eq 1 ]] || fail "stdout should hold only the JSON line"
    # Summary table: every class name, and totals that match the split sizes.
    local c
    for c in airplane automobile bird cat deer dog frog horse ship truck; do
        grep -qE "^ +[0-9] +$c +[0-9]+ +[0-9]+$" stderr.txt || fail "summary lacks class $c"
    done
    grep -qE "^ +total +300 +60$" stderr.txt || fail "summary totals wrong"
    expect_no_output_tmp "$2"
}

expect_no_output_tmp() {
    local left
    left=$(compgen -G "$1.tmp.*" || true)
    [[ -z "$left" ]] || fail "temporary file left behind: $left"
}

case $form in
tgz)
    "$LC_FAKE" fake.tar.gz --records $R
    convert_and_check fake.tar.gz out.h5 fake.tar.gz
    # The generator is deterministic and so is the converter's output.
    "$LC_FAKE" again.tar.gz --records $R
    cmp -s fake.tar.gz again.tar.gz || fail "make_fake_cifar is not deterministic"
    run_prep fake.tar.gz out2.h5 --records-per-batch $R
    cmp -s out.h5 out2.h5 || fail "two conversions of the same archive differ"
    if command -v tar >/dev/null; then
        # An independent reader: the archive is a real tar.gz laid out like
        # the official one (directory entry first) and holds these records.
        tar -tzf fake.tar.gz >list.txt
        first=$(head -n 1 list.txt)
        [[ "$first" == "cifar-10-batches-bin/" ]] || fail "first entry is '$first'"
        mkdir x && tar -xzf fake.tar.gz -C x
        "$LC_PREP_CHECK" out.h5 x/cifar-10-batches-bin --records $R || fail "differs from tar's extraction"
    fi
    ;;
tgz_reverse)
    "$LC_FAKE" rev.tar.gz --records $R --reverse
    convert_and_check rev.tar.gz out.h5 rev.tar.gz
    ;;
dir)
    convert_and_check ref out.h5 ref
    run_prep ref/ out2.h5 --records-per-batch $R
    [[ $rc -eq 0 ]] || fail "trailing slash refused"
    "$LC_PREP_CHECK" out2.h5 ref --records $R --source ref || fail "source attribute with trailing slash"
    ;;
dir_parent)
    "$LC_FAKE" parent/cifar-10-batches-bin --format dir --records $R
    echo "not part of the dataset" >parent/readme.txt
    convert_and_check parent out.h5 parent
    ;;
systar)
    command -v tar >/dev/null || { echo "SKIPPED: no tar on PATH"; exit 77; }
    mkdir -p top && cp -r ref top/cifar-10-batches-bin
    echo "<html>ignored member</html>" >top/cifar-10-batches-bin/readme.html
    for fmt in gnu pax v7; do
        tar --format=$fmt -czf "dot_$fmt.tgz" -C ref .
        convert_and_check "dot_$fmt.tgz" "dot_$fmt.h5" "dot_$fmt.tgz"
        tar --format=$fmt -czf "top_$fmt.tgz" -C top cifar-10-batches-bin
        convert_and_check "top_$fmt.tgz" "top_$fmt.h5" "top_$fmt.tgz"
    done
    ;;
*) fail "unknown form $form" ;;
esac
echo "PASS: round trip ($form)"
