# tests for this area: the deterministic kernels (src/core/kern.c).

lincls_test_exe(test_kern core/test_kern.c)
# every check, under every vector ISA the CPU has (switched inside the test)
lincls_test(NAME kern_unit COMMAND test_kern LABELS kern TIMEOUT 300)
# the kernels do not use BLAS: the same checks pass whatever kernel OpenBLAS picks
# (SkylakeX included even on a CPU without AVX-512: this program calls no BLAS)
foreach(core Prescott Haswell SkylakeX)
  lincls_test(NAME kern_unit_openblas_${core} COMMAND test_kern LABELS kern TIMEOUT 300
              ENV OPENBLAS_CORETYPE=${core})
endforeach()
# one hash of the kernels' outputs on a fixed problem: the same value under each
# LINCLS_KERN_ISA and OPENBLAS_CORETYPE, and equal to the value recorded in the
# script (computed once; the same on every x86-64 CPU)
lincls_test(NAME kern_digest COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/kern_digest.sh $<TARGET_FILE:test_kern>
            LABELS kern)
# Benchmark: today's gather + sgemm step beside the kernels (timings printed,
# never asserted; remeasure on a quiet machine). The test only checks it runs.
lincls_test_exe(bench_kern core/bench_kern.c)
lincls_test(NAME kern_bench_smoke COMMAND bench_kern --quick LABELS bench)
