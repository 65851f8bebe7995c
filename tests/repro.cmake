# Reproducibility (the contract in README.md, "Reproducibility"): the same checkpoint at every rank
# count, under every OpenBLAS kernel and vector ISA the CPU can run, after a
# resume at another rank count; up to 1000 classes.
set(REPRO_SH ${CMAKE_CURRENT_SOURCE_DIR})
lincls_test(NAME repro_ranks COMMAND bash ${REPRO_SH}/repro_ranks.sh
  LABELS train FIXTURES_REQUIRED fake_big_data TIMEOUT 600)
lincls_test(NAME repro_cpu COMMAND bash ${REPRO_SH}/repro_cpu.sh
  LABELS train FIXTURES_REQUIRED fake_big_data TIMEOUT 600)
lincls_test(NAME repro_resume_ranks COMMAND bash ${REPRO_SH}/repro_resume_ranks.sh
  LABELS train FIXTURES_REQUIRED fake_big_data TIMEOUT 600)
lincls_test_exe(make_classes io/make_classes.c)
lincls_test(NAME classes1000 COMMAND bash ${REPRO_SH}/classes1000.sh
  LABELS train TIMEOUT 600 ENV LC_MAKE_CLASSES=$<TARGET_FILE:make_classes>)
