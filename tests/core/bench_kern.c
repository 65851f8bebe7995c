/* bench_kern: one training step's compute, today's BLAS path beside the
 * fixed-order kernels (timings are printed, never asserted).
 *
 *   (a) lc_rows_gather (gather + normalize to floats) + cblas_sgemm forward
 *       (scores = X W^T + b) + cblas_sgemm backward (dW = dS^T X)
 *   (b) lc_kern_scores + building q (int16 fixed point of dS) +
 *       lc_kern_grad_u8 (uint8 rows only; float rows have no exact integer
 *       backward, so for them only the forward halves are compared)
 *
 * Rows are drawn at random out of N stored rows, as in training. dS is a
 * fixed made-up matrix (the loss itself costs the same on both paths).
 * Each variant runs `steps` steps per repeat; the minimum over repeats is
 * reported, because the machine may be shared: numbers from a busy machine
 * must be remeasured on a quiet one. Times are this thread's CPU time
 * (CLOCK_THREAD_CPUTIME_ID), which time slices given to other processes do
 * not inflate (cache sharing still does); --wall uses the wall clock.
 * OpenBLAS runs the kernel lincls-mpi would choose (lc_blas_autoselect),
 * one thread, as in each rank; OPENBLAS_CORETYPE set by hand is kept.
 *
 * The two configurations of the project's notes:
 *   bench_kern                                           (CIFAR-10 pixels)
 *   bench_kern --floats --dim 6400 --rows 8000           (feature rows)
 *
 * bench_kern [--n 256] [--dim 3072] [--classes 10] [--rows 50000] [--floats]
 *            [--steps 20] [--repeats 15] [--wall] [--quick]                  */
#define _POSIX_C_SOURCE 200809L
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lincls/blas.h"
#include "lincls/dataset.h"
#include "lincls/kern.h"
#include "lincls/rng.h"
#include "lincls/util.h"

static int use_wall = 0;
static double now(void) {
    if (use_wall) return lc_now();
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "bench_kern: out of memory (%zu bytes)\n", n);
        exit(1);
    }
    return p;
}

/* q = round(dS * scale_k) per class, with scale_k the largest power of two
 * keeping |q| <= 32767 and sum_i |q_ik| * 255 < 2^31 (the kernel's bound). */
static void build_q(int n, int K, const float *dS, int16_t *q, float *scale) {
    for (int k = 0; k < K; k++) {
        double mx = 0, sum = 0;
        for (int i = 0; i < n; i++) {
            double a = fabs(dS[(size_t)i * K + k]);
            if (a > mx) mx = a;
            sum += a;
        }
        int e = 0;
        if (mx > 0) {
            int e1, e2;
            frexp(32767.0 / mx, &e1);
            frexp(2147483647.0 / 255.0 / (sum + n), &e2);
            e = (e1 < e2 ? e1 : e2) - 1;
        }
        scale[k] = ldexpf(1.0f, e);
    }
    for (int i = 0; i < n; i++)
        for (int k = 0; k < K; k++)
            q[(size_t)i * K + k] = (int16_t)lrintf(dS[(size_t)i * K + k] * scale[k]);
}

int main(int argc, char **argv) {
    lc_blas_autoselect(argv);
    int n = 256, D = 3072, K = 10, floats = 0, steps = 20, reps = 15;
    long rows = 50000;
    for (int a = 1; a < argc; a++) {
        if (!strcmp(argv[a], "--n") && a + 1 < argc) n = atoi(argv[++a]);
        else if (!strcmp(argv[a], "--dim") && a + 1 < argc) D = atoi(argv[++a]);
        else if (!strcmp(argv[a], "--classes") && a + 1 < argc) K = atoi(argv[++a]);
        else if (!strcmp(argv[a], "--rows") && a + 1 < argc) rows = atol(argv[++a]);
        else if (!strcmp(argv[a], "--steps") && a + 1 < argc) steps = atoi(argv[++a]);
        else if (!strcmp(argv[a], "--repeats") && a + 1 < argc) reps = atoi(argv[++a]);
        else if (!strcmp(argv[a], "--floats")) floats = 1;
        else if (!strcmp(argv[a], "--wall")) use_wall = 1;
        else if (!strcmp(argv[a], "--quick")) rows = 2000, steps = 2, reps = 2;
        else {
            fprintf(stderr, "usage: bench_kern [--n N] [--dim D] [--classes K] [--rows N] [--floats] "
                            "[--steps S] [--repeats R] [--wall] [--quick]\n");
            return 2;
        }
    }
    if (n < 1 || D < 1 || K < 1 || rows < 1 || steps < 1 || reps < 1) {
        fprintf(stderr, "bench_kern: sizes must be positive\n");
        return 2;
    }
    /* one thread, as each rank runs: the kernels are single-threaded too */
    openblas_set_num_threads(1);
    lc_rows r = {0};
    r.nrows = rows, r.dim = D, r.is_images = !floats;
    if (floats) r.f32 = xmalloc(sizeof(float) * rows * D);
    else r.u8 = xmalloc((size_t)rows * D);
    for (size_t t = 0; t < (size_t)rows * D; t++) {
        uint64_t u = lc_rng_u64(1, 2, t);
        if (floats) r.f32[t] = (float)(u >> 40) * 0x1p-24f;
        else r.u8[t] = (uint8_t)u;
    }
    float *mean = xmalloc(sizeof(float) * D), *inv = xmalloc(sizeof(float) * D);
    for (int d = 0; d < D; d++) mean[d] = floats ? 0.5f : 120.0f, inv[d] = floats ? 3.0f : 1 / 64.0f;
    float *W = xmalloc(sizeof(float) * K * D), *b = xmalloc(sizeof(float) * K);
    for (size_t t = 0; t < (size_t)K * D; t++) W[t] = (float)(lc_rng_uniform(3, 4, t) - 0.5) * 0.01f;
    for (int k = 0; k < K; k++) b[k] = 0.1f * k;
    float *X = xmalloc(sizeof(float) * n * D), *S = xmalloc(sizeof(float) * n * K);
    float *dS = xmalloc(sizeof(float) * n * K), *dW = xmalloc(sizeof(float) * K * D);
    float *scratch = xmalloc(sizeof(float) * D), *qs = xmalloc(sizeof(float) * K);
    int16_t *q = xmalloc(sizeof(int16_t) * n * K);
    int32_t *G = xmalloc(sizeof(int32_t) * K * D);
    int64_t *idx = xmalloc(sizeof(int64_t) * n);
    for (size_t t = 0; t < (size_t)n * K; t++) dS[t] = (float)(lc_rng_uniform(5, 6, t) - 0.5);

    enum { GATHER, FWD, BWD, KSC, KQ, KGRAD, NT };
    double best[NT];
    for (int t = 0; t < NT; t++) best[t] = 1e30;
    uint64_t draw = 0;
    for (int rep = 0; rep < reps; rep++) {
        double tt[NT] = {0};
        for (int s = 0; s < steps; s++) {
            for (int i = 0; i < n; i++) idx[i] = (int64_t)lc_rng_below(7, 8, draw++, (uint64_t)rows);
            double t0 = now();
            lc_rows_gather(&r, idx, n, mean, inv, X);
            double t1 = now();
            for (int i = 0; i < n; i++) memcpy(S + (size_t)i * K, b, sizeof(float) * K);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, K, D, 1.0f, X, D, W, D, 1.0f, S, K);
            double t2 = now();
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, K, D, n, 1.0f, dS, K, X, D, 0.0f, dW, D);
            double t3 = now();
            tt[GATHER] += t1 - t0, tt[FWD] += t2 - t1, tt[BWD] += t3 - t2;
            /* the same rows again, now through the kernels: evict them first
             * so both paths start from memory */
            for (int i = 0; i < n; i++) idx[i] = (int64_t)lc_rng_below(7, 8, draw++, (uint64_t)rows);
            t0 = now();
            lc_kern_scores(n, D, K, floats ? NULL : r.u8, floats ? r.f32 : NULL, idx, W, b, mean, inv, S,
                           scratch);
            t1 = now();
            tt[KSC] += t1 - t0;
            if (!floats) {
                build_q(n, K, dS, q, qs);
                t2 = now();
                memset(G, 0, sizeof(int32_t) * K * D);
                lc_kern_grad_u8(n, D, K, r.u8, idx, q, G);
                t3 = now();
                tt[KQ] += t2 - t1, tt[KGRAD] += t3 - t2;
            }
        }
        for (int t = 0; t < NT; t++)
            if (tt[t] / steps < best[t]) best[t] = tt[t] / steps;
    }
    double flop = 2.0 * n * D * K;
    const char *core = openblas_get_corename();
    char blas[512];
    lc_blas_describe(blas, sizeof blas);
    printf("bench_kern: n=%d D=%d K=%d %s rows at random out of %ld; min over %d repeats of %d steps (%s time)\n",
           n, D, K, floats ? "float" : "uint8", rows, reps, steps, use_wall ? "wall" : "CPU");
    printf("BLAS: %s\nkernel ISA: %s\n", blas, lc_kern_isa());
    double a = best[GATHER] + best[FWD] + (floats ? 0 : best[BWD]);
    double bb = best[KSC] + (floats ? 0 : best[KQ] + best[KGRAD]);
    printf("(a) gather+normalize   %8.4f ms\n", 1e3 * best[GATHER]);
    printf("(a) sgemm forward      %8.4f ms  %6.1f GFLOP/s\n", 1e3 * best[FWD], flop / best[FWD] * 1e-9);
    if (!floats)
        printf("(a) sgemm backward     %8.4f ms  %6.1f GFLOP/s\n", 1e3 * best[BWD], flop / best[BWD] * 1e-9);
    printf("(b) lc_kern_scores     %8.4f ms  %6.1f GFLOP/s (gather+normalize included)\n", 1e3 * best[KSC],
           flop / best[KSC] * 1e-9);
    if (!floats) {
        printf("(b) build q            %8.4f ms\n", 1e3 * best[KQ]);
        printf("(b) lc_kern_grad_u8    %8.4f ms  %6.1f GOP/s\n", 1e3 * best[KGRAD], flop / best[KGRAD] * 1e-9);
    }
    printf("step%s: (a) %.4f ms  (b) %.4f ms  ratio b/a %.3f\n", floats ? " (forward only)" : "", 1e3 * a,
           1e3 * bb, bb / a);
    printf("{\"n\":%d,\"D\":%d,\"K\":%d,\"rows\":\"%s\",\"core\":\"%s\",\"isa\":\"%s\",\"blas_ms\":%.5f,"
           "\"kern_ms\":%.5f,\"ratio\":%.4f}\n",
           n, D, K, floats ? "float" : "uint8", core ? core : "?", lc_kern_isa(), 1e3 * a, 1e3 * bb, bb / a);
    free(r.u8), free(r.f32), free(mean), free(inv), free(W), free(b), free(X), free(S), free(dS), free(dW);
    free(scratch), free(qs), free(q), free(G), free(idx);
    return 0;
}
