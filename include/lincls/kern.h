/* kern: compute kernels whose results are the same bits on every x86-64 CPU,
 * whatever vector ISA the CPU has and whatever BLAS is linked (this module
 * does not call BLAS).
 *
 * Three pieces:
 *   - deterministic elementary functions in plain double arithmetic (no FMA,
 *     no libm), for everything that feeds a training update;
 *   - lc_kern_scores: scores S = W x' + b with a summation order fixed by this
 *     file, so a scalar, SSE2, AVX2 and AVX-512 run give identical bits;
 *   - lc_kern_grad_u8: the weight gradient of uint8 rows in exact integer
 *     arithmetic, so any order (and any ISA) gives identical bits.
 *
 * Shape letters: n rows, D inputs, K classes.
 *
 * Floating-point environment: results assume the default MXCSR (round to
 * nearest, no flush-to-zero / denormals-are-zero). A program that turns on
 * FTZ/DAZ (e.g. linked with -ffast-math) gets different, though still
 * ISA-independent, bits. */
#ifndef LINCLS_KERN_H
#define LINCLS_KERN_H

#include <stdint.h>

/* ---- deterministic elementary functions --------------------------------
 * Fixed argument reduction + fixed polynomials evaluated with separate
 * multiplies and adds (this file is built with -ffp-contract=off), so the
 * result depends only on the argument, never on the CPU or the C library.
 * Accuracy: below 1 ulp (tests assert it against libm on many points).
 *
 * lc_exp(x):  e^x. exp(0) = 1 exactly; overflows to +inf above
 *             709.782712893384; 0 below -745.1332191019412 (gradual
 *             underflow in between); exp(-inf) = 0, exp(+inf) = +inf,
 *             NaN -> NaN.
 * lc_ln(x):   natural log (named lc_ln because lc_log is the logger in
 *             util.h). ln(1) = 0 exactly; ln(+-0) = -inf; ln(x<0) = NaN;
 *             ln(+inf) = +inf; NaN -> NaN; subnormal x is handled.
 * lc_cos(x):  cosine. cos(0) = 1 exactly; accurate for |x| <= 2^20 * pi/2
 *             (about 1.6e6); larger |x|, +-inf and NaN give NaN (the library
 *             only needs |x| <= 2 pi: cosine schedule, Box-Muller).
 * lc_sin(x):  sine, same domain as lc_cos; sin(+-0) = +-0.
 * lc_powi(x, n): x^n for integer n (n < 0: 1 / x^|n|) by repeated squaring
 *             in double-double arithmetic, a fixed sequence of operations
 *             depending only on n: below 1 ulp for results in [2^-900,
 *             2^900]; beyond that plain squaring (inf, 0). powi(x, 0) = 1. */
double lc_exp(double x);
double lc_ln(double x);
double lc_cos(double x);
double lc_sin(double x);
double lc_powi(double x, int64_t n);

/* ---- forward scores with a fixed summation order ------------------------
 * Exactly one of xu8 / xf32 is non-NULL: the data rows, D values each,
 * row-major. Row i of the call is stored row idx[i] (idx NULL: row i).
 * For every i < n and k < K:
 *
 *   xn[d]      = ((float)x[d] - mean[d]) * inv_scale[d]      (float, this expression)
 *   lane l     = +0.0f, then for d = l, l+16, l+32, ... < D, in increasing d:
 *                lane l = lane l + W[k*D+d] * xn[d]          (float multiply, then float add)
 *   tree       : for h = 8, 4, 2, 1: lane l = lane l + lane (l+h) for l < h
 *   S[i*K+k]   = lane 0 + b[k]
 *
 * i.e. 16 lanes, lane l owning the d with d % 16 == l; the tail D % 16 is
 * simply the last, partial round (lanes l >= D % 16 get nothing more). No
 * FMA anywhere. b may be NULL (read as zeros; lane 0 is never -0, so
 * S = lane 0).
 * scratch: room for D floats (the implementation may use it for a
 * normalized row); its content on return is unspecified.
 * No alignment is required of any pointer. n, K >= 0; D >= 0.
 * NaN inputs give NaN scores (NaN payload bits are not specified). */
void lc_kern_scores(int n, int D, int K, const uint8_t *xu8, const float *xf32,
                    const int64_t *idx, const float *W, const float *b, const float *mean,
                    const float *inv_scale, float *S, float *scratch);

/* ---- exact weight gradient of uint8 rows --------------------------------
 *   G[k*D+d] += sum_{i<n} q[i*K+k] * X[idx[i]*D+d]      (idx NULL: row i)
 * in 32-bit integers that wrap (two's complement): the result is exact
 * modulo 2^32 in every order, so every ISA gives the same bits. It is the
 * exact integer whenever, for every k and d,
 *   |G[k*D+d] on entry| + sum_i |q[i*K+k]| * 255 < 2^31
 * (e.g. G zeroed and sum_i |q[i*K+k]| <= 8,421,504: |q| <= 32767 for up
 * to 257 rows). G is accumulated into, not overwritten. No alignment
 * needed. Allocates ceil(n/2) * K * 4 bytes per call (packed q pairs); if
 * that fails it falls back to the scalar reference (same bits, slower). */
void lc_kern_grad_u8(int n, int D, int K, const uint8_t *X, const int64_t *idx,
                     const int16_t *q, int32_t *G);

/* ---- references and dispatch (tests, benchmarks) -------------------------
 * The plain scalar versions of the two kernels: the definition above written
 * as loops, one (i, k) at a time. */
void lc_kern_scores_ref(int n, int D, int K, const uint8_t *xu8, const float *xf32,
                        const int64_t *idx, const float *W, const float *b, const float *mean,
                        const float *inv_scale, float *S);
void lc_kern_grad_u8_ref(int n, int D, int K, const uint8_t *X, const int64_t *idx,
                         const int16_t *q, int32_t *G);

/* The vector ISA the kernels use: chosen on first use as the best the CPU
 * has, or forced by the environment variable LINCLS_KERN_ISA = generic
 * (SSE2) | avx2 | avx512 (F+BW+VL+DQ) | avx512vnni (a variant the CPU lacks
 * is ignored: the best it has is used). All give the same bits.
 * lc_kern_set_isa switches it at run time (tests): returns 0, or -1
 * (unchanged) if the name is unknown or the CPU cannot run it. Builds by
 * compilers other than GCC use the scalar references everywhere. */
const char *lc_kern_isa(void);
int lc_kern_set_isa(const char *name);

#endif
