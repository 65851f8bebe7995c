# tests for this area: image features (features.h, `lincls-mpi features`).
# Known answers for the kernels; the same features file from 1 and 3 ranks,
# byte for byte; the file's rows equal features recomputed from the images;
# refusals of bad input with nothing left behind.
lincls_test_exe(test_features ${CMAKE_CURRENT_SOURCE_DIR}/core/test_features.c)
lincls_test_exe(test_features_file ${CMAKE_CURRENT_SOURCE_DIR}/io/test_features_file.c)

lincls_test(NAME features_kernels COMMAND $<TARGET_FILE:test_features> LABELS features)

foreach(np 1 3)
  lincls_mpi_test(NAME features_np${np} NP ${np}
    COMMAND ${LC_MPI} features --data fake.h5 --out feats_np${np}.h5 --force
    LABELS features FIXTURES_REQUIRED fake_data FIXTURES_SETUP feats_np${np})
endforeach()

lincls_test(NAME features_same_1_vs_3_ranks
  COMMAND sh ${LC_TESTS_DIR}/features_compare.sh feats_np1.h5 feats_np3.h5
  LABELS features FIXTURES_REQUIRED "feats_np1;feats_np3")

# Every row of the 3-rank file, read back on 2 ranks, equals the features
# recomputed from fake.h5 (and labels, classes, recipe attribute match).
lincls_mpi_test(NAME features_file_matches_images NP 2
  COMMAND $<TARGET_FILE:test_features_file> check fake.h5 feats_np3.h5 hog,color 8 9 24
  LABELS features FIXTURES_REQUIRED "fake_data;feats_np3")

lincls_test(NAME features_cli COMMAND sh ${LC_TESTS_DIR}/features_cli.sh
  LABELS features FIXTURES_REQUIRED fake_data)

lincls_test(NAME features_refusals
  COMMAND sh ${LC_TESTS_DIR}/features_refuse.sh $<TARGET_FILE:test_features_file>
  LABELS features FIXTURES_REQUIRED fake_data TIMEOUT 300)

# A full disk while writing: a real one (a small tmpfs; needs root with
# CAP_SYS_ADMIN, skipped otherwise) and a file-size limit (runs anywhere).
foreach(mode tmpfs limit)
  lincls_test(NAME features_full_disk_${mode}
    COMMAND bash ${LC_TESTS_DIR}/features_full.sh ${mode}
    LABELS features FIXTURES_REQUIRED fake_data TIMEOUT 180)
endforeach()
lincls_test(NAME features_temporary_file
  COMMAND bash ${LC_TESTS_DIR}/features_temporary.sh
  LABELS features FIXTURES_REQUIRED fake_data TIMEOUT 240)
