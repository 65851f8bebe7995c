# Core modules: counter-based RNG, tree sum and error agreement, sharded reading.
lincls_test_exe(test_rng core/test_rng.c)
lincls_test_exe(test_dist par/test_dist.c)
lincls_test_exe(test_shard par/test_shard.c)

lincls_test(NAME rng COMMAND $<TARGET_FILE:test_rng> LABELS core)
foreach(np 1 2 3 4 8)
  lincls_mpi_test(NAME dist_np${np} NP ${np} COMMAND $<TARGET_FILE:test_dist> LABELS core)
  lincls_mpi_test(NAME shard_read_np${np} NP ${np} COMMAND $<TARGET_FILE:test_shard> fake.h5
                  LABELS core FIXTURES_REQUIRED fake_data)
endforeach()
# A file with 5 training rows cannot be split over 8 ranks: a clear refusal.
lincls_test(NAME shard_tiny_make
  COMMAND sh -c "$<TARGET_FILE:make_fake_cifar> tiny.tar.gz --records 1 && $<TARGET_FILE:lincls-prep> tiny.tar.gz tiny.h5 --records-per-batch 1 --force --quiet"
  LABELS core FIXTURES_SETUP tiny_data)
lincls_mpi_test(NAME shard_refuse_more_ranks_than_rows NP 8
  COMMAND $<TARGET_FILE:test_shard> tiny.h5 --expect-refusal LABELS core FIXTURES_REQUIRED tiny_data)
# Benchmark tool for scripts/bench-load.sh (not a test: timings are reported, never asserted).
lincls_test_exe(bench_load par/bench_load.c)
# Benchmark tool for scripts/scaling-model.py: the gradient exchange (today's tree
# sum, the exact integer pattern) and plain collectives; tested in bench.cmake.
lincls_test_exe(bench_reduce par/bench_reduce.c par/treesum_ref.c)
# cmake --install puts working tools, the job scripts and what they source under a prefix.
lincls_test(NAME install
  COMMAND bash ${LC_TESTS_DIR}/install.sh ${CMAKE_COMMAND} ${CMAKE_BINARY_DIR}
  LABELS core)

# OpenBLAS kernel choice: the flags rule over canned CPUs, and what lincls-mpi
# runs with OPENBLAS_CORETYPE unset (or set by lincls elsewhere) on this CPU.
lincls_test_exe(test_blas core/test_blas.c)
lincls_test(NAME blas_rule COMMAND $<TARGET_FILE:test_blas> LABELS core)
lincls_test(NAME blas_kernel_e2e COMMAND bash ${LC_TESTS_DIR}/blas_kernel.sh LABELS core
  FIXTURES_REQUIRED fake_data)
# Benchmark tool for scripts/bench-stop.sh (the cost of the per-step stop vote).
lincls_test_exe(bench_stop par/bench_stop.c)
# Bad input on the read side (issue 8): crafted dataset files (h5py; skipped
# without it), each refused with one message naming the file and what was
# expected and found, or accepted where any reader should accept it.
foreach(group attrs shapes labels splits features files)
  lincls_test(NAME read_dataset_${group} COMMAND bash ${LC_TESTS_DIR}/read_dataset.sh ${group}
    LABELS "core;badinput" FIXTURES_REQUIRED fake_data TIMEOUT 600)
endforeach()
lincls_test(NAME read_h5py_strings COMMAND bash ${LC_TESTS_DIR}/read_strings.sh
  LABELS "core;badinput" FIXTURES_REQUIRED fake_data TIMEOUT 600)
# The version string comes from project(VERSION) in CMakeLists.txt.
lincls_test(NAME version COMMAND $<TARGET_FILE:lincls-mpi> --version LABELS core)
set_tests_properties(version PROPERTIES PASS_REGULAR_EXPRESSION "^lincls-mpi ${PROJECT_VERSION}\n$")
