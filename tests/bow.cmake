# tests for the bag of visual words (bow.h, `features --kind bow`, a model
# carrying its dictionary, eval on images with on-the-fly encoding).
# Kernels against known answers and naive loops (k-means and whitening also
# on 3 ranks against 1, bitwise); the features file with its dictionary from
# 1, 2 and 4 ranks, byte for byte; features -> train -> eval on the images file
# equal to eval on the features file; refusals of bad input.
lincls_test_exe(test_bow ${CMAKE_CURRENT_SOURCE_DIR}/par/test_bow.c)

foreach(np 1 3)
  lincls_mpi_test(NAME bow_kernels_np${np} NP ${np} COMMAND $<TARGET_FILE:test_bow> LABELS bow)
endforeach()

# 3000 patches are 3 blocks of 1024: at 4 ranks one rank holds none.
set(BOW_FLAGS --kind bow,hog,color --centroids 24 --patches 3000 --kmeans-iters 8)
foreach(np 1 2 4)
  lincls_mpi_test(NAME bow_features_np${np} NP ${np}
    COMMAND ${LC_MPI} features --data fake.h5 --out bow_np${np}.h5 --force ${BOW_FLAGS}
    LABELS bow FIXTURES_REQUIRED fake_data FIXTURES_SETUP bow_np${np})
endforeach()
foreach(np 2 4)
  lincls_test(NAME bow_same_1_vs_${np}_ranks
    COMMAND sh ${LC_TESTS_DIR}/bow_compare.sh bow_np1.h5 bow_np${np}.h5
    LABELS bow FIXTURES_REQUIRED "bow_np1;bow_np${np}")
endforeach()

lincls_test(NAME bow_end_to_end COMMAND sh ${LC_TESTS_DIR}/bow_e2e.sh
  LABELS bow FIXTURES_REQUIRED "fake_data;bow_np1;bow_np2" TIMEOUT 300)

lincls_test(NAME bow_refusals COMMAND sh ${LC_TESTS_DIR}/bow_refuse.sh $<TARGET_FILE:test_bow>
  LABELS bow FIXTURES_REQUIRED "fake_data;bow_np1" TIMEOUT 300)

lincls_test(NAME bow_train_defaults COMMAND bash ${LC_TESTS_DIR}/bow_train_defaults.sh
  LABELS bow FIXTURES_REQUIRED "fake_data;bow_np2" TIMEOUT 300)
