/* loss: multiclass SVM (hinge), squared hinge, one-vs-all squared hinge and
 * softmax cross-entropy.
 *
 * Shapes: n rows, D inputs, K classes. X is n x D row-major, W is K x D
 * row-major, b is K, scores are n x K.
 *
 * Both the BLAS path (float, cblas_sgemm) and the naive reference (double,
 * plain loops) share one per-row kernel written in double: the row of K scores
 * is tiny next to the GEMMs, and evaluating it in double means the two paths
 * differ only in how the scores and the weight gradient are multiplied out. */
#include "lincls/loss.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lincls/kern.h"

static const char *const loss_names[] = {"softmax", "svm", "svm2", "ova2"};
const lc_names lc_loss_names = LC_NAMES("loss", loss_names);

int lc_loss_parse(const char *s, lc_loss_kind *out) {
    int v = lc_names_find(&lc_loss_names, s);
    if (v < 0) return -1;
    *out = (lc_loss_kind)v;
    return 0;
}

const char *lc_loss_name(lc_loss_kind k) { return lc_names_name(&lc_loss_names, (int)k); }

int lc_argmax_first(const float *s, int K) {
    int best = 0;
    for (int j = 1; j < K; j++)
        if (s[j] > s[best]) best = j;
    return best;
}

/* Index of the first maximum: ties go to the lower class, so a row of equal
 * scores counts as correct only for label 0. */
static int first_argmax(const double *s, int K) {
    int best = 0;
    for (int j = 1; j < K; j++)
        if (s[j] > s[best]) best = j;
    return best;
}

/* -ln softmax(s)_y with the max subtracted so exp never overflows;
 * ds_j = p_j - [j == y]. */
static double row_softmax(const double *s, int K, int y, double *ds) {
    double m = s[first_argmax(s, K)];
    double sum = 0.0;
    for (int j = 0; j < K; j++) {
        ds[j] = lc_exp(s[j] - m);
        sum += ds[j];
    }
    for (int j = 0; j < K; j++) ds[j] /= sum;
    ds[y] -= 1.0;
    return lc_ln(sum) - (s[y] - m);
}

/* Hinge (squared = 0) or squared hinge (squared = 1). A term exactly at 0 is
 * inactive: max(0, .) has subgradient 0 there. */
static double row_svm(const double *s, int K, int y, double margin, int squared, double *ds) {
    double loss = 0.0, dy = 0.0;
    for (int j = 0; j < K; j++) {
        double t = s[j] - s[y] + margin;
        double g = 0.0;
        if (j != y && t > 0.0) {
            loss += squared ? t * t : t;
            g = squared ? 2.0 * t : 1.0;
        }
        ds[j] = g;
        dy += g;
    }
    ds[y] = -dy;
    return loss;
}

/* One-vs-all squared hinge: every class is its own binary problem, the true
 * class wanting s_y >= margin and every other class s_j <= -margin;
 * ds_j = -2 t_j max(0, margin - t_j s_j). */
static double row_ova2(const double *s, int K, int y, double margin, double *ds) {
    double loss = 0.0;
    for (int j = 0; j < K; j++) {
        double t = j == y ? 1.0 : -1.0, h = margin - t * s[j];
        if (h > 0.0) {
            loss += h * h;
            ds[j] = -2.0 * t * h;
        } else {
            ds[j] = 0.0;
        }
    }
    return loss;
}

/* Loss of one row and its score gradient ds (K). A label outside [0, K) is a
 * caller bug; it yields NaN rather than reading out of bounds. */
double lc_loss_row(lc_loss_kind k, double margin, const double *s, int K, int y, double *ds) {
    if (y < 0 || y >= K) {
        for (int j = 0; j < K; j++) ds[j] = NAN;
        return NAN;
    }
    switch (k) {
    case LC_LOSS_SOFTMAX: return row_softmax(s, K, y, ds);
    case LC_LOSS_SVM: return row_svm(s, K, y, margin, 0, ds);
    case LC_LOSS_SVM2: return row_svm(s, K, y, margin, 1, ds);
    case LC_LOSS_OVA2: return row_ova2(s, K, y, margin, ds);
    }
    return NAN;
}

double lc_loss_scores(lc_loss_kind k, float margin, int n, int K, float *scores,
                      const uint16_t *y, int64_t *correct, double *work) {
    if (n <= 0 || K <= 0) return 0.0;
    double *s = work, *ds = work + K; /* the row and its gradient */
    double total = 0.0;
    int64_t hits = 0;
    for (int i = 0; i < n; i++) {
        float *row = scores + (size_t)i * K;
        for (int j = 0; j < K; j++) s[j] = row[j];
        hits += first_argmax(s, K) == y[i];
        total += lc_loss_row(k, margin, s, K, y[i], ds);
        for (int j = 0; j < K; j++) row[j] = (float)ds[j];
    }
    if (correct) *correct += hits;
    return total;
}

void lc_scores(int n, int D, int K, const float *X, const float *W, const float *b,
               float *scores) {
    if (n <= 0 || K <= 0) return;
    /* start from the bias in every row and let the GEMM accumulate (beta = 1) */
    for (int i = 0; i < n; i++) memcpy(scores + (size_t)i * K, b, (size_t)K * sizeof *b);
    if (D <= 0) return;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, K, D, 1.0f, X, D, W, D, 1.0f,
                scores, K);
}

/* db_k = sum_i dS_ik, accumulated in double in row order (deterministic). */
static void column_sums(int n, int K, const float *dS, float *db) {
    for (int k = 0; k < K; k++) {
        double acc = 0.0;
        for (int i = 0; i < n; i++) acc += dS[(size_t)i * K + k];
        db[k] = (float)acc;
    }
}

double lc_loss_fwd_bwd(lc_loss_kind k, float margin, int n, int D, int K, const float *X,
                       const uint16_t *y, const float *W, const float *b, float *scores,
                       float *dW, float *db, int64_t *correct, double *work) {
    if (n <= 0) {
        /* no rows: zero gradient (a GEMM with inner size 0 is not relied on) */
        if (dW) memset(dW, 0, (size_t)K * (size_t)D * sizeof *dW);
        if (db) memset(db, 0, (size_t)K * sizeof *db);
        return 0.0;
    }
    lc_scores(n, D, K, X, W, b, scores);
    double loss = lc_loss_scores(k, margin, n, K, scores, y, correct, work);
    if (dW && D > 0) /* dW (K x D) = dS^T (K x n) X (n x D) */
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, K, D, n, 1.0f, scores, K, X, D,
                    0.0f, dW, D);
    if (db) column_sums(n, K, scores, db);
    return loss;
}

double lc_loss_naive(lc_loss_kind k, double margin, int n, int D, int K, const double *X,
                     const uint16_t *y, const double *W, const double *b, double *dW,
                     double *db, double *work) {
    if (dW) memset(dW, 0, (size_t)K * (size_t)D * sizeof *dW);
    if (db) memset(db, 0, (size_t)K * sizeof *db);
    if (n <= 0 || K <= 0) return 0.0;
    double *s = work, *ds = work + K;
    double total = 0.0;
    for (int i = 0; i < n; i++) {
        const double *x = X + (size_t)i * D;
        for (int c = 0; c < K; c++) {
            double acc = b[c];
            for (int d = 0; d < D; d++) acc += W[(size_t)c * D + d] * x[d];
            s[c] = acc;
        }
        total += lc_loss_row(k, margin, s, K, y[i], ds);
        for (int c = 0; c < K; c++) {
            if (db) db[c] += ds[c];
            if (dW)
                for (int d = 0; d < D; d++) dW[(size_t)c * D + d] += ds[c] * x[d];
        }
    }
    return total;
}
