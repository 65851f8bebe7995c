#!/usr/bin/env bash
# prep_realdata.sh: converts the real CIFAR-10 archive named by CIFAR10_TARBALL
# and compares it with the records as `tar -xzf` extracts them: the layout,
# the class list, all 60,000 labels and every image byte for byte (a full
# comparison takes well under a second). The extracted folder is converted
# too and checked the same way. Skipped (exit 77) when CIFAR10_TARBALL is not
# set or not found; it never downloads.
# shellcheck source=tests/prep_lib.sh
source "$(dirname "$0")/prep_lib.sh"
tarball=${CIFAR10_TARBALL:-}
if [[ -z "$tarball" ]]; then
    echo "SKIPPED: CIFAR10_TARBALL not set (point it at cifar-10-binary.tar.gz to run this test)"
    exit 77
fi
# A relative path is taken from the current folder, else from the source tree
# root (where CI scripts run from).
if [[ "$tarball" != /* && ! -f "$tarball" && -f "$LC_TESTS_DIR/../$tarball" ]]; then
    tarball=$LC_TESTS_DIR/../$tarball
fi
if [[ ! -f "$tarball" ]]; then
    echo "SKIPPED: CIFAR10_TARBALL=$CIFAR10_TARBALL: no such file"
    exit 77
fi
command -v tar >/dev/null || { echo "SKIPPED: no tar on PATH for the independent extraction"; exit 77; }
tarball=$(cd "$(dirname "$tarball")" && pwd)/$(basename "$tarball")

fresh_dir prep_realdata
trap 'cd .. && rm -rf prep_realdata' EXIT
run_prep "$tarball" cifar10.h5
[[ $rc -eq 0 ]] || fail "lincls-prep exited $rc"
[[ "$(json_field train)" == 50000 && "$(json_field test)" == 10000 ]] || fail "JSON: $(cat stdout.txt)"
cat stderr.txt
mkdir x
tar -xzf "$tarball" -C x
dir=x/cifar-10-batches-bin
[[ -d $dir ]] || dir=x
"$LC_PREP_CHECK" cifar10.h5 "$dir" --records 10000 --source "$(basename "$tarball")" \
    || fail "converted file differs from the archive"
run_prep x folder.h5 --quiet
[[ $rc -eq 0 ]] || fail "converting the extracted folder exited $rc"
"$LC_PREP_CHECK" folder.h5 "$dir" --records 10000 --source x || fail "folder conversion differs"
echo "PASS: real archive and its extracted folder converted byte-exact"
