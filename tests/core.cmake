# Core modules: counter-based RNG, tree sum and error agreement, sharded reading.
lincls_test_exe(test_rng test_rng.c)
lincls_test_exe(test_dist test_dist.c)
lincls_test_exe(test_shard test_shard.c)

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
lincls_test_exe(bench_load bench_load.c)
# Benchmark tool for scripts/scaling-model.py: the gradient exchange (today's tree
# sum, the exact integer pattern) and plain collectives; tested in bench.cmake.
lincls_test_exe(bench_reduce bench_reduce.c treesum_ref.c)
# cmake --install puts working tools (and the job scripts) under a prefix.
lincls_test(NAME install
  COMMAND sh -c "rm -rf install-test && \"${CMAKE_COMMAND}\" --install \"${CMAKE_BINARY_DIR}\" --prefix install-test >/dev/null && install-test/bin/lincls-mpi --help | grep -q subcommand && install-test/bin/lincls-prep --help | grep -q SRC && test -f install-test/share/lincls/jobs/train.sbatch"
  LABELS core)
