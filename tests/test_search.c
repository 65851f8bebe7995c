/* Checks for search and sweep that need the library, not the command line.
 *
 *   test_search folds
 *       k-fold arithmetic (lc_split_range, as train --folds k --fold f uses it):
 *       for many (n, k) the k validation folds are disjoint, cover [0, n), differ
 *       in size by at most one, and each fold's training rows are exactly the rest.
 *   mpiexec -n 1 test_search loss FILE.h5 TRIAL SEED SCALE VAL LOSS EXPECTED
 *       recomputes search candidate TRIAL (W, b = SCALE * randn from
 *       lc_stream(LC_RNG_SEARCH, TRIAL), raw pixels, lambda 0) with the naive
 *       double-precision loss over the training rows [0, N - VAL) and checks
 *       that search's stacked-GEMM loss EXPECTED agrees to 1e-5 (float scores). */
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lincls/dataset.h"
#include "lincls/loss.h"
#include "lincls/rng.h"

static int check_folds(void) {
    int bad = 0;
    for (long long n = 2; n <= 300 && !bad; n += (n < 40 ? 1 : 37)) {
        for (int k = 2; k <= 12 && k <= n; k++) {
            char *seen = calloc((size_t)n, 1);
            long long minsz = n, maxsz = 0, prev_hi = 0;
            for (int f = 0; f < k; f++) {
                int64_t lo, hi;
                lc_split_range(n, k, f, &lo, &hi);
                if (lo != prev_hi) bad = 1; /* contiguous and in order: no gap, no overlap */
                prev_hi = hi;
                for (int64_t i = lo; i < hi; i++) bad |= seen[i]++ != 0;
                minsz = hi - lo < minsz ? hi - lo : minsz;
                maxsz = hi - lo > maxsz ? hi - lo : maxsz;
                /* train's training rows for fold f: [0, lo) and [hi, n) */
                if (lo + (n - hi) != n - (hi - lo)) bad = 1;
            }
            for (long long i = 0; i < n; i++) bad |= seen[i] != 1;
            if (prev_hi != n || maxsz - minsz > 1 || minsz < 1) bad = 1;
            free(seen);
            if (bad) {
                fprintf(stderr, "FAIL: folds of n=%lld k=%d are not a partition into near-equal parts\n", n, k);
                return 1;
            }
        }
    }
    printf("ok: k-fold splits are disjoint, covering and balanced\n");
    return 0;
}

static int check_loss(int argc, char **argv) {
    if (argc != 9) {
        fprintf(stderr, "usage: test_search loss FILE TRIAL SEED SCALE VAL LOSS EXPECTED\n");
        return 2;
    }
    const char *path = argv[2];
    long long trial = atoll(argv[3]), seed = atoll(argv[4]), val = atoll(argv[6]);
    double scale = atof(argv[5]), expected = atof(argv[8]);
    lc_loss_kind kind;
    if (lc_loss_parse(argv[7], &kind)) return fprintf(stderr, "unknown loss %s\n", argv[7]), 2;
    lc_err e = {0};
    lc_dataset_info info;
    lc_rows r;
    if (lc_dataset_open(MPI_COMM_WORLD, path, &info, &e) ||
        lc_dataset_read(MPI_COMM_WORLD, &info, "train", 0, info.n_train - val, &r, &e))
        return fprintf(stderr, "FAIL: %s\n", e.msg), 1;
    const int K = info.n_classes, D = info.dim;
    const int64_t N = r.nrows;
    const size_t KD = (size_t)K * D;
    double *W = malloc(sizeof(double) * (KD + (size_t)K)), *X = malloc(sizeof(double) * (size_t)D);
    double *work = malloc(sizeof(double) * LC_LOSS_WORK(K));
    uint64_t st = lc_stream(LC_RNG_SEARCH, (uint64_t)trial);
    /* the float rounding search stores, then exact double arithmetic */
    for (size_t i = 0; i < KD + (size_t)K; i++) W[i] = (float)(scale * lc_rng_normal((uint64_t)seed, st, i));
    double sum = 0;
    for (int64_t i = 0; i < N; i++) {
        for (int d = 0; d < D; d++) X[d] = r.is_images ? r.u8[(size_t)i * D + d] : r.f32[(size_t)i * D + d];
        sum += lc_loss_naive(kind, 1.0, 1, D, K, X, r.labels + i, W, W + KD, NULL, NULL, work);
    }
    double loss = sum / (double)N, rel = fabs(loss - expected) / fmax(fabs(loss), 1e-30);
    printf("naive loss of trial %lld: %.12g, search reported %.12g, relative difference %.2e\n", trial, loss,
           expected, rel);
    free(W);
    free(X);
    free(work);
    lc_rows_free(&r);
    if (!(rel < 1e-5)) return fprintf(stderr, "FAIL: relative difference %.3g >= 1e-5\n", rel), 1;
    return 0;
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rc = 2;
    if (argc >= 2 && strcmp(argv[1], "folds") == 0) rc = check_folds();
    else if (argc >= 2 && strcmp(argv[1], "loss") == 0) rc = check_loss(argc, argv);
    else fprintf(stderr, "usage: test_search folds | loss FILE TRIAL SEED SCALE VAL LOSS EXPECTED\n");
    MPI_Finalize();
    return rc;
}
