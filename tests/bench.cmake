# The reduction microbenchmark (tests/par/bench_reduce.c) and the scaling model
# (scripts/scaling-model.py): quick runs only, timings never asserted.
set(BENCH_ENV LINCLS_BUILD=${CMAKE_BINARY_DIR})
lincls_test(NAME bench_reduce_smoke COMMAND bash ${LC_TESTS_DIR}/bench_scaling.sh smoke $<TARGET_FILE:bench_reduce>
  LABELS bench)
lincls_test(NAME scaling_model_table COMMAND bash ${LC_TESTS_DIR}/bench_scaling.sh table LABELS bench ENV ${BENCH_ENV})
lincls_test(NAME scaling_model_bytes COMMAND bash ${LC_TESTS_DIR}/bench_scaling.sh bytes LABELS bench ENV ${BENCH_ENV})
