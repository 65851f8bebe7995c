/* blas: the OpenBLAS extensions lincls uses, and the choice of OpenBLAS's
 * kernel ("core type") for this CPU.
 *
 * OpenBLAS built with DYNAMIC_ARCH picks its kernels when the library loads:
 * from OPENBLAS_CORETYPE when set, else from cpuid. A release that does not
 * know the CPU falls back to its Prescott (SSE3) kernels, 3-5x slower on a
 * CPU with AVX-512. lincls decides from the instruction sets the kernel lists
 * in /proc/cpuinfo ("flags"), the one place this mapping lives:
 *   avx512f+avx512bw+avx512vl+avx512dq  -> SkylakeX (Cooperlake with avx512_bf16)
 *   avx2+fma                            -> Haswell
 *   avx                                 -> SandyBridge
 *   otherwise                           -> Prescott
 * A kernel the flags do not allow is never chosen. OPENBLAS_CORETYPE set by
 * the user is kept; set by lincls (LINCLS_BLAS_AUTO holds the same value; the
 * scripts do that too), it is a guess made where the variable was set (a
 * login node, say) and is decided again on the CPU that runs.
 *
 * lc_blas_autoselect runs first in main(), before MPI_Init: when the kernel
 * should change it sets the variables and re-executes /proc/self/exe once
 * with the same arguments and environment (the pid stays, so mpirun and srun
 * keep track of the rank). */
#ifndef LINCLS_BLAS_H
#define LINCLS_BLAS_H

#include <stddef.h>

/* OpenBLAS extensions (declared by no standard header). */
void openblas_set_num_threads(int n);
char *openblas_get_corename(void);
char *openblas_get_config(void);

/* The environment variable that marks OPENBLAS_CORETYPE as set by lincls. */
#define LC_BLAS_AUTO_ENV "LINCLS_BLAS_AUTO"

/* The fastest core type for an x86-64 CPU with these /proc/cpuinfo flags
 * (space separated), or NULL when the flags are not an x86-64 CPU's (no sse2,
 * or empty). Pure. */
const char *lc_blas_best_coretype(const char *flags);

/* Rank of an OpenBLAS core name by the instruction set its kernels need:
 * 1 SSE3 class, 2 AVX, 3 AVX2, 4 AVX-512, 5 AVX-512 + BF16; 0 for SSE2-only
 * cores; -1 when unknown. Case-insensitive. Pure. */
int lc_blas_core_level(const char *name);

/* What to do at start-up. flags: this CPU's; loaded: the core OpenBLAS runs
 * (openblas_get_corename()); env: OPENBLAS_CORETYPE or NULL; automark: the
 * value of LINCLS_BLAS_AUTO or NULL. Returns the core type to set and
 * re-execute with, or NULL to keep the process as it is. Pure. */
const char *lc_blas_choose(const char *flags, const char *loaded, const char *env, const char *automark);

/* This CPU's flags line from /proc/cpuinfo into buf ("" when unreadable or
 * not x86). Returns buf. */
char *lc_blas_cpu_flags(char *buf, size_t n);

/* The start-up step described above. Call first thing in main(), with main's
 * argv, before anything else runs. Returns only when the process keeps going
 * (no change needed, or the re-exec failed). */
void lc_blas_autoselect(char **argv);

/* One line for progress headers and benchmarks, e.g.
 * "OpenBLAS 0.3.21 ... Cooperlake MAX_THREADS=64; kernel Cooperlake (chosen by lincls for this CPU)". */
const char *lc_blas_describe(char *buf, size_t n);

/* The progress-header line "  blas: <lc_blas_describe>" (rank 0, stderr). */
void lc_blas_log(void);

#endif
