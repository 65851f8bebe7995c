#!/usr/bin/env bash
# prep_fixture.sh: makes the shared test datasets in the working folder.
#   fake.h5     60 records per batch (300 train, 60 test), seed 1
#   fake_big.h5 400 records per batch (2000 train, 400 test), seed 1
# Other tests (training, sharded reading) depend on exactly this content.
# Each file is verified against its source before the fixture succeeds.
# shellcheck source=tests/prep_lib.sh
source "$(dirname "$0")/prep_lib.sh"

make_one() { # NAME RECORDS
    local name=$1 n=$2
    "$LC_FAKE" "$name.tar.gz" --records "$n"
    "$LC_PREP" "$name.tar.gz" "$name.h5" --records-per-batch "$n" --force --quiet >/dev/null \
        || fail "converting $name.tar.gz"
    rm -rf "prep_fixture_ref/$name"
    "$LC_FAKE" "prep_fixture_ref/$name" --records "$n" --format dir
    "$LC_PREP_CHECK" "$name.h5" "prep_fixture_ref/$name" --records "$n" --source "$name.tar.gz" \
        || fail "$name.h5 does not match its source"
}

make_one fake 60
make_one fake_big 400
rm -rf prep_fixture_ref
echo "fixture ready: fake.h5 (300/60) fake_big.h5 (2000/400)"
