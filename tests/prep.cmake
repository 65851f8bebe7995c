# lincls-prep tests: the CIFAR-10 -> HDF5 converter.
#
# make_fake_cifar writes a synthetic archive in the official format;
# test_prep_check reads a converted .h5 back and compares it byte for byte with
# the source records (plain stdio on an extracted folder, no converter code).
# The shell drivers (prep_*.sh) each work in their own subfolder of ${LC_WORK}
# so the tests can run in parallel.

add_executable(make_fake_cifar ${CMAKE_CURRENT_SOURCE_DIR}/io/make_fake_cifar.c)
target_link_libraries(make_fake_cifar PRIVATE ZLIB::ZLIB lincls_flags)
lincls_test_exe(test_prep_check ${CMAKE_CURRENT_SOURCE_DIR}/io/test_prep_check.c)

set(PREP_ENV LC_FAKE=$<TARGET_FILE:make_fake_cifar> LC_PREP_CHECK=$<TARGET_FILE:test_prep_check>)
set(PREP_SH ${CMAKE_CURRENT_SOURCE_DIR})

# Fixture for the training and sharded-reading tests: fake.h5 (60 records per
# batch: 300 train, 60 test, seed 1) and fake_big.h5 (400 per batch: 2000
# train, 400 test) in ${LC_WORK}, each verified against its source.
lincls_test(NAME prep_fake_data
  COMMAND bash ${PREP_SH}/prep_fixture.sh
  FIXTURES_SETUP fake_data fake_big_data
  LABELS prep
  ENV ${PREP_ENV})

# Byte-exact round trips from every accepted source form.
foreach(form tgz tgz_reverse dir dir_parent systar)
  lincls_test(NAME prep_roundtrip_${form}
    COMMAND bash ${PREP_SH}/prep_roundtrip.sh ${form}
    LABELS prep
    ENV ${PREP_ENV})
endforeach()

# Command line: --help, bad flags, OUT exists / --force, --quiet, JSON line.
lincls_test(NAME prep_cli
  COMMAND bash ${PREP_SH}/prep_cli.sh
  LABELS prep
  ENV ${PREP_ENV})

# Each bad input: exit code, one message naming file/member/record, no output.
foreach(case missing_path notgzip nottar emptygz badcrc truncate missing_member missing_test
             short_member long_member badlabel badlabel_last nometa shortmeta
             wrong_records dir_missing dir_short dir_badlabel dir_nometa dir_empty
             out_dir_missing out_empty pax_negative_length pax_negative_path)
  lincls_test(NAME prep_bad_${case}
    COMMAND bash ${PREP_SH}/prep_bad.sh ${case}
    LABELS prep
    ENV ${PREP_ENV})
endforeach()

# The real archive, when CIFAR10_TARBALL names it; skipped (77) otherwise.
lincls_test(NAME prep_realdata
  COMMAND bash ${PREP_SH}/prep_realdata.sh
  TIMEOUT 300
  LABELS prep realdata
  ENV ${PREP_ENV})

# A full disk while converting: a real one (a small tmpfs; needs root with
# CAP_SYS_ADMIN, skipped otherwise) and a file-size limit (runs anywhere).
foreach(mode tmpfs limit)
  lincls_test(NAME prep_full_disk_${mode}
    COMMAND bash ${PREP_SH}/prep_full.sh ${mode}
    LABELS prep
    ENV ${PREP_ENV})
endforeach()
