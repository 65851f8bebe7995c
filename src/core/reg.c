/* reg: regularization lambda * R(W) and its gradient, in float (training)
 * and double (gradcheck).
 *   none: 0    l2: sum W^2    l1: sum |W|    elastic: sum (beta W^2 + |W|)
 * The subgradient of |w| at w = 0 is 0. The bias is never passed in here.
 * Values are accumulated in double in index order, so they are deterministic;
 * the gradient loops are branch-free so they vectorize. */
#include "lincls/reg.h"

#include <math.h>
#include <string.h>

static const char *const reg_names[] = {"none", "l2", "l1", "elastic"};
const lc_names lc_reg_names = LC_NAMES("regularization", reg_names);


int lc_reg_parse(const char *s, lc_reg_kind *out) {
    int v = lc_names_find(&lc_reg_names, s);
    if (v < 0) return -1;
    *out = (lc_reg_kind)v;
    return 0;
}

const char *lc_reg_name(lc_reg_kind k) { return lc_names_name(&lc_reg_names, (int)k); }

/* R(W) weights: l2 contributes q * w^2, l1 contributes a * |w|. */
static void reg_coeffs(lc_reg_kind k, double beta, double *q, double *a) {
    *q = (k == LC_REG_L2) ? 1.0 : (k == LC_REG_ELASTIC) ? beta : 0.0;
    *a = (k == LC_REG_L1 || k == LC_REG_ELASTIC) ? 1.0 : 0.0;
}

/* Sums of w^2 and |w| in double. It runs every training step over all K*D
 * weights, so it keeps 8 independent partial sums (a single accumulator is one
 * long chain of dependent adds); the lanes are combined in a fixed order, so
 * the result is the same on every run. */
enum { LANES = 8 };

double lc_reg_value(lc_reg_kind k, double lambda, double beta, const float *W, size_t n) {
    double q, a;
    reg_coeffs(k, beta, &q, &a);
    if (q == 0.0 && a == 0.0) return 0.0;
    double sq[LANES] = {0}, ab[LANES] = {0};
    size_t i = 0;
    for (; i + LANES <= n; i += LANES)
        for (int l = 0; l < LANES; l++) {
            double w = W[i + l];
            sq[l] += w * w;
            ab[l] += fabs(w);
        }
    for (; i < n; i++) {
        double w = W[i];
        sq[0] += w * w;
        ab[0] += fabs(w);
    }
    double tsq = 0.0, tab = 0.0;
    for (int l = 0; l < LANES; l++) {
        tsq += sq[l];
        tab += ab[l];
    }
    return lambda * (q * tsq + a * tab);
}

double lc_reg_value_d(lc_reg_kind k, double lambda, double beta, const double *W, size_t n) {
    double q, a;
    reg_coeffs(k, beta, &q, &a);
    if (q == 0.0 && a == 0.0) return 0.0;
    double sq = 0.0, ab = 0.0;
    for (size_t i = 0; i < n; i++) {
        sq += W[i] * W[i];
        ab += fabs(W[i]);
    }
    return lambda * (q * sq + a * ab);
}

/* sign(w) with sign(0) = 0, written as a difference of comparisons so the
 * loop stays branch-free. */
static inline float signf0(float w) { return (float)(w > 0.0f) - (float)(w < 0.0f); }
static inline double sign0(double w) { return (double)(w > 0.0) - (double)(w < 0.0); }

void lc_reg_grad_add(lc_reg_kind k, float lambda, float beta, const float *restrict W,
                     float *restrict dW, size_t n) {
    switch (k) {
    case LC_REG_NONE: return;
    case LC_REG_L2: {
        /* 2 * lambda * w: the factor 2 is exact, so this equals 2 lambda W bit for bit */
        float c = 2.0f * lambda;
        for (size_t i = 0; i < n; i++) dW[i] += c * W[i];
        return;
    }
    case LC_REG_L1:
        for (size_t i = 0; i < n; i++) dW[i] += lambda * signf0(W[i]);
        return;
    case LC_REG_ELASTIC: {
        float c = 2.0f * lambda * beta;
        for (size_t i = 0; i < n; i++) dW[i] += c * W[i] + lambda * signf0(W[i]);
        return;
    }
    }
}

void lc_reg_grad_add_d(lc_reg_kind k, double lambda, double beta, const double *restrict W,
                       double *restrict dW, size_t n) {
    switch (k) {
    case LC_REG_NONE: return;
    case LC_REG_L2:
        for (size_t i = 0; i < n; i++) dW[i] += 2.0 * lambda * W[i];
        return;
    case LC_REG_L1:
        for (size_t i = 0; i < n; i++) dW[i] += lambda * sign0(W[i]);
        return;
    case LC_REG_ELASTIC:
        for (size_t i = 0; i < n; i++) dW[i] += 2.0 * lambda * beta * W[i] + lambda * sign0(W[i]);
        return;
    }
}
