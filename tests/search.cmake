# Random search over W and hyperparameter sweeps (issue 4, points 1 and 2):
# rank-count invariance, stacked-GEMM losses against a naive recomputation,
# sweep groups, a trial's command reproducing it, k-fold arithmetic, refusals.
lincls_test_exe(test_search test_search.c)
set(SEARCH_ENV LC_TEST_SEARCH=$<TARGET_FILE:test_search>)

lincls_test(NAME search_folds_arith COMMAND $<TARGET_FILE:test_search> folds LABELS sweep)
lincls_test(NAME search_invariance COMMAND bash ${LC_TESTS_DIR}/search_invariance.sh
  LABELS search FIXTURES_REQUIRED "fake_data;fake_big_data" TIMEOUT 300 ENV ${SEARCH_ENV})
# the same bitwise claims under an OpenBLAS kernel other than the machine's
# own (Prescott runs on every x86-64; Haswell needs AVX2 and is skipped without)
foreach(core Prescott Haswell)
  lincls_test(NAME search_invariance_${core} COMMAND bash ${LC_TESTS_DIR}/search_invariance.sh
    LABELS search FIXTURES_REQUIRED "fake_data;fake_big_data" TIMEOUT 300
    ENV ${SEARCH_ENV} OPENBLAS_CORETYPE=${core} LC_TAG=${core})
endforeach()
lincls_test(NAME search_bad_input COMMAND bash ${LC_TESTS_DIR}/search_badinput.sh
  LABELS "search;sweep" FIXTURES_REQUIRED fake_data TIMEOUT 180)
lincls_test(NAME sweep_groups COMMAND bash ${LC_TESTS_DIR}/sweep_groups.sh
  LABELS sweep FIXTURES_REQUIRED fake_big_data TIMEOUT 240)
lincls_test(NAME sweep_folds_halving COMMAND bash ${LC_TESTS_DIR}/sweep_folds.sh
  LABELS sweep FIXTURES_REQUIRED fake_data TIMEOUT 180)
