/* loss: multiclass SVM (hinge), squared hinge, one-vs-all squared hinge and
 * softmax cross-entropy.
 * Forward + backward with cblas_sgemm, plus naive double-precision loops that
 * the tests (and gradcheck) compare against.
 *
 * Shapes: n rows, D inputs, K classes. X is n x D row-major (already
 * normalized), W is K x D row-major (row k is class k's template), b is K.
 * scores s_i = W x_i + b.
 *   svm:     L_i = sum_{j != y_i} max(0, s_j - s_{y_i} + margin)
 *   svm2:    L_i = sum_{j != y_i} max(0, s_j - s_{y_i} + margin)^2
 *   ova2:    L_i = sum_j max(0, margin - t_ij s_j)^2, t_ij = +1 if j = y_i else -1:
 *            one-vs-all squared hinge, the L2-SVM of Coates, Lee & Ng (2011)
 *   softmax: L_i = -ln(e^{s_{y_i}} / sum_j e^{s_j}), max subtracted first
 * Labels are uint16 (up to 65535 classes; files may store uint8).
 * The per-row loss and score gradient are computed in double with lc_exp and
 * lc_log (kern.h), so they are the same bits on every CPU.                    */
#ifndef LINCLS_LOSS_H
#define LINCLS_LOSS_H

#include <stdint.h>

#include "lincls/util.h"

typedef enum { LC_LOSS_SOFTMAX = 0, LC_LOSS_SVM = 1, LC_LOSS_SVM2 = 2, LC_LOSS_OVA2 = 3 } lc_loss_kind;
#define LC_LOSS_COUNT 4

extern const lc_names lc_loss_names;
int lc_loss_parse(const char *s, lc_loss_kind *out); /* 0 ok, -1 unknown */
const char *lc_loss_name(lc_loss_kind k);

/* One row: L_i of the K scores s with label y, and dL_i/ds into ds (K). A
 * label outside [0, K) gives NaN. */
double lc_loss_row(lc_loss_kind k, double margin, const double *s, int K, int y, double *ds);
/* The predicted class: the first maximum (ties go to the lower class). */
int lc_argmax_first(const float *s, int K);

/* The scratch the functions below need, in doubles, for K classes (one row
 * of scores and its gradient). The caller owns it: nothing here allocates, so
 * no allocation failure can come back as a NaN loss (which a trainer would
 * take for divergence). */
#define LC_LOSS_WORK(K) (2 * (size_t)(K))

/* Per-row loss and score gradient from a score matrix (n x K), in place:
 * on return scores holds dL_i/ds (not divided by n). Returns sum_i L_i in
 * double; adds to *correct the rows whose first argmax equals y_i (if correct
 * is not NULL). work: LC_LOSS_WORK(K) doubles. */
double lc_loss_scores(lc_loss_kind k, float margin, int n, int K, float *scores,
                      const uint16_t *y, int64_t *correct, double *work);

/* BLAS path. scores is n x K scratch. Overwrites dW (K x D) and db (K) with the
 * gradient of sum_i L_i (a sum over rows, not a mean: the caller scales).
 * dW and db may be NULL for forward only. Returns sum_i L_i. work:
 * LC_LOSS_WORK(K) doubles. */
double lc_loss_fwd_bwd(lc_loss_kind k, float margin, int n, int D, int K, const float *X,
                       const uint16_t *y, const float *W, const float *b, float *scores,
                       float *dW, float *db, int64_t *correct, double *work);

/* Scores only: scores = X W^T + b (n x K), cblas_sgemm. */
void lc_scores(int n, int D, int K, const float *X, const float *W, const float *b,
               float *scores);

/* Naive reference in double: plain loops, same contract as lc_loss_fwd_bwd
 * (dW, db overwritten with the gradient of sum_i L_i; may be NULL; work:
 * LC_LOSS_WORK(K) doubles). */
double lc_loss_naive(lc_loss_kind k, double margin, int n, int D, int K, const double *X,
                     const uint16_t *y, const double *W, const double *b, double *dW,
                     double *db, double *work);

#endif
