/* test_loss: losses and regularizers against exact numbers.
 *  - the lecture's toy example (SVM 2.9, 0, 12.9, mean 5.27; softmax of the
 *    cat column 2.04 with natural log) through lc_loss_scores, lc_loss_naive
 *    and lc_loss_fwd_bwd, plus svm2, ova2 and the first-argmax accuracy count;
 *  - regularizer values and gradients (l2 gradient exactly 2 lambda W);
 *  - centered-difference gradient checks in double for every loss x reg, and
 *    a deliberately wrong gradient that the same check must reject;
 *  - the naive double path against the float BLAS path at several shapes.
 * Shapes: n rows, D inputs, K classes. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lincls/loss.h"
#include "lincls/reg.h"
#include "lincls/rng.h"

#include "check.h"

/* ---- the lecture's toy example ------------------------------------------- */

/* One row per image (cat, car, frog); columns are the class scores
 * (cat, car, frog): the lecture's table transposed. */
static const float toy[3][3] = {{3.2f, 5.1f, -1.7f}, {1.3f, 4.9f, 2.0f}, {2.2f, 2.5f, -3.1f}};
static const uint16_t toy_y[3] = {0, 1, 2};

/* the loss functions' scratch, for up to 10 classes */
static double lw[LC_LOSS_WORK(10)];

/* Per-row losses through lc_loss_scores (one row per call). */
static void toy_rows(lc_loss_kind k, float margin, double out[3], float ds[3][3]) {
    for (int i = 0; i < 3; i++) {
        memcpy(ds[i], toy[i], sizeof toy[i]);
        out[i] = lc_loss_scores(k, margin, 1, 3, ds[i], &toy_y[i], NULL, lw);
    }
}

static void test_toy_svm(void) {
    double L[3];
    float ds[3][3];
    toy_rows(LC_LOSS_SVM, 1.0f, L, ds);
    CHECK_NEAR(L[0], 2.9, 1e-5);
    CHECK_NEAR(L[1], 0.0, 0.0);
    CHECK_NEAR(L[2], 12.9, 1e-5);
    CHECK_NEAR((L[0] + L[1] + L[2]) / 3, 5.2667, 1e-4);
    /* cat: only car's term is active; frog: both terms active */
    CHECK(ds[0][0] == -1 && ds[0][1] == 1 && ds[0][2] == 0, "cat ds %g %g %g", ds[0][0], ds[0][1], ds[0][2]);
    CHECK(ds[1][0] == 0 && ds[1][1] == 0 && ds[1][2] == 0, "car ds not zero");
    CHECK(ds[2][0] == 1 && ds[2][1] == 1 && ds[2][2] == -2, "frog ds %g %g %g", ds[2][0], ds[2][1], ds[2][2]);

    float all[3][3];
    memcpy(all, toy, sizeof toy);
    int64_t correct = 5; /* accumulates onto the caller's count */
    double sum = lc_loss_scores(LC_LOSS_SVM, 1.0f, 3, 3, &all[0][0], toy_y, &correct, lw);
    CHECK_NEAR(sum / 3, 5.2667, 1e-4);
    CHECK(correct == 5 + 1, "correct %lld, want 6 (only the car is classified right)", (long long)correct);

    toy_rows(LC_LOSS_SVM, 0.0f, L, ds); /* margin 0: max(0, 5.1 - 3.2) + max(0, -4.9) */
    CHECK_NEAR(L[0], 1.9, 1e-5);
}

static void test_toy_svm2(void) {
    double L[3];
    float ds[3][3];
    toy_rows(LC_LOSS_SVM2, 1.0f, L, ds);
    CHECK_NEAR(L[0], 2.9 * 2.9, 1e-4);               /* 8.41 */
    CHECK_NEAR(L[1], 0.0, 0.0);
    CHECK_NEAR(L[2], 6.3 * 6.3 + 6.6 * 6.6, 1e-4);   /* 83.25 */
    CHECK_NEAR(ds[0][1], 2 * 2.9, 1e-5);
    CHECK_NEAR(ds[0][0], -2 * 2.9, 1e-5);
    CHECK_NEAR(ds[2][2], -2 * (6.3 + 6.6), 1e-4);
}

/* One-vs-all squared hinge, margin 1: cat (3.2, 5.1, -1.7) has only car's
 * term 1 + 5.1 active; car (1.3, 4.9, 2.0): 1 + 1.3 and 1 + 2.0; frog
 * (2.2, 2.5, -3.1): 1 + 2.2, 1 + 2.5 and 1 - (-3.1) (its own score is below
 * the margin). */
static void test_toy_ova2(void) {
    double L[3];
    float ds[3][3];
    toy_rows(LC_LOSS_OVA2, 1.0f, L, ds);
    CHECK_NEAR(L[0], 6.1 * 6.1, 1e-4);                          /* 37.21 */
    CHECK_NEAR(L[1], 2.3 * 2.3 + 3.0 * 3.0, 1e-4);              /* 14.29 */
    CHECK_NEAR(L[2], 3.2 * 3.2 + 3.5 * 3.5 + 4.1 * 4.1, 1e-4);  /* 39.30 */
    CHECK(ds[0][0] == 0 && ds[0][2] == 0, "cat ds %g %g %g", ds[0][0], ds[0][1], ds[0][2]);
    CHECK_NEAR(ds[0][1], 2 * 6.1, 1e-5);
    CHECK(ds[1][1] == 0, "car's own class is past the margin: ds %g", ds[1][1]);
    CHECK_NEAR(ds[1][0], 2 * 2.3, 1e-5);
    CHECK_NEAR(ds[1][2], 2 * 3.0, 1e-5);
    CHECK_NEAR(ds[2][2], -2 * 4.1, 1e-5);
    /* unlike svm2, the true class's score alone can make the loss 0 or not */
    float own[3] = {0.5f, -1.0f, -2.0f};
    uint16_t y0 = 0;
    CHECK_NEAR(lc_loss_scores(LC_LOSS_OVA2, 1.0f, 1, 3, own, &y0, NULL, lw), 0.25, 1e-7);
    CHECK_NEAR(own[0], -1.0, 1e-7);
}

static void test_toy_softmax(void) {
    double L[3];
    float ds[3][3];
    toy_rows(LC_LOSS_SOFTMAX, 1.0f, L, ds);
    double want = -log(exp(3.2) / (exp(3.2) + exp(5.1) + exp(-1.7)));
    CHECK_NEAR(L[0], want, 1e-5);
    CHECK_NEAR(L[0], 2.04, 0.005); /* the lecture's 0.89 is log base 10 */
    CHECK(fabs(L[0] - 0.89) > 0.5, "softmax must use the natural log");
    double p0 = exp(3.2) / (exp(3.2) + exp(5.1) + exp(-1.7));
    CHECK_NEAR(ds[0][0], p0 - 1, 1e-6);
    CHECK_NEAR(ds[0][0] + ds[0][1] + ds[0][2], 0.0, 1e-6);

    /* max subtracted: huge scores stay finite */
    float big[3] = {1000.0f, 0.0f, -1000.0f};
    uint16_t y1 = 1;
    double Lb = lc_loss_scores(LC_LOSS_SOFTMAX, 1.0f, 1, 3, big, &y1, NULL, lw);
    CHECK_NEAR(Lb, 1000.0, 1e-3);
}

/* First argmax: ties go to the lower class. */
static void test_argmax_ties(void) {
    float s[2][3] = {{2, 2, 1}, {2, 2, 1}};
    uint16_t y[2] = {1, 0};
    int64_t correct = 0;
    lc_loss_scores(LC_LOSS_SVM, 1.0f, 2, 3, &s[0][0], y, &correct, lw);
    CHECK(correct == 1, "tie counted for %lld rows, want 1", (long long)correct);
    float bad[3] = {1, 2, 3};
    uint16_t y5 = 5; /* label out of range is a caller bug: NaN, no out-of-bounds read */
    CHECK(isnan(lc_loss_scores(LC_LOSS_SVM, 1.0f, 1, 3, bad, &y5, NULL, lw)), "label >= K not NaN");
}

/* The toy through the naive and BLAS paths: W = I, b = (0.5, -0.5, 0) and
 * x = scores - b, so W x + b reproduces the table. */
static void test_toy_paths(void) {
    const lc_loss_kind kinds[4] = {LC_LOSS_SVM, LC_LOSS_SVM2, LC_LOSS_SOFTMAX, LC_LOSS_OVA2};
    const double want[4] = {(2.9 + 0 + 12.9), (8.41 + 0 + 83.25),
                            -log(exp(3.2) / (exp(3.2) + exp(5.1) + exp(-1.7))) +
                                -log(exp(4.9) / (exp(1.3) + exp(4.9) + exp(2.0))) +
                                -log(exp(-3.1) / (exp(2.2) + exp(2.5) + exp(-3.1))),
                            37.21 + 14.29 + 39.30};
    double W[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1}, b[3] = {0.5, -0.5, 0}, X[9];
    float Wf[9], bf[3], Xf[9], S[9], dWf[9], dbf[3];
    for (int i = 0; i < 9; i++) {
        X[i] = (double)toy[i / 3][i % 3] - b[i % 3];
        Xf[i] = toy[i / 3][i % 3] - (float)b[i % 3];
        Wf[i] = (float)W[i];
    }
    for (int k = 0; k < 3; k++) bf[k] = (float)b[k];
    for (int t = 0; t < 4; t++) {
        double dW[9], db[3];
        double Ln = lc_loss_naive(kinds[t], 1.0, 3, 3, 3, X, toy_y, W, b, dW, db, lw);
        CHECK_NEAR(Ln, want[t], 1e-4 * want[t]);
        int64_t correct = 0;
        double Lb = lc_loss_fwd_bwd(kinds[t], 1.0f, 3, 3, 3, Xf, toy_y, Wf, bf, S, dWf, dbf, &correct, lw);
        CHECK_NEAR(Lb, want[t], 1e-4 * want[t]);
        CHECK(correct == 1, "%s: correct %lld", lc_loss_name(kinds[t]), (long long)correct);
        for (int k = 0; k < 3; k++) CHECK_NEAR(dbf[k], db[k], 1e-4);
        for (int i = 0; i < 9; i++) CHECK_NEAR(dWf[i], dW[i], 1e-3);
    }
    double mean = lc_loss_naive(LC_LOSS_SVM, 1.0, 3, 3, 3, X, toy_y, W, b, NULL, NULL, lw) / 3;
    CHECK_NEAR(mean, 5.2667, 1e-4);
}

static void test_names(void) {
    lc_loss_kind k;
    for (int i = 0; i < LC_LOSS_COUNT; i++) {
        CHECK(lc_loss_parse(lc_loss_name((lc_loss_kind)i), &k) == 0 && k == (lc_loss_kind)i, "loss %d", i);
    }
    CHECK(lc_loss_parse("bogus", &k) == -1, "bogus loss parsed");
    lc_reg_kind r;
    for (int i = 0; i < 4; i++) {
        CHECK(lc_reg_parse(lc_reg_name((lc_reg_kind)i), &r) == 0 && r == (lc_reg_kind)i, "reg %d", i);
    }
    CHECK(lc_reg_parse("l3", &r) == -1, "bogus reg parsed");
}

/* ---- regularization --------------------------------------------------------- */

static void test_reg(void) {
    enum { N = 7 };
    const float W[N] = {0.5f, -1.25f, 0.0f, 3.0f, -0.1f, 1e-30f, -0.0f};
    const double Wd[N] = {0.5, -1.25, 0.0, 3.0, -0.1, 1e-30, -0.0};
    const float lam = 0.3f, beta = 0.25f;
    float dW[N];

    memset(dW, 0, sizeof dW);
    lc_reg_grad_add(LC_REG_L2, lam, beta, W, dW, N);
    for (int i = 0; i < N; i++) CHECK(dW[i] == 2.0f * lam * W[i], "l2 grad[%d] %g", i, dW[i]);

    memset(dW, 0, sizeof dW);
    lc_reg_grad_add(LC_REG_L1, lam, beta, W, dW, N);
    for (int i = 0; i < N; i++) {
        float sgn = W[i] > 0 ? 1.0f : W[i] < 0 ? -1.0f : 0.0f;
        CHECK(dW[i] == lam * sgn, "l1 grad[%d] %g", i, dW[i]);
    }

    for (int i = 0; i < N; i++) dW[i] = 1.0f;  /* adds, does not overwrite */
    lc_reg_grad_add(LC_REG_NONE, lam, beta, W, dW, N);
    lc_reg_grad_add(LC_REG_ELASTIC, lam, beta, W, dW, N);
    for (int i = 0; i < N; i++) {
        float sgn = W[i] > 0 ? 1.0f : W[i] < 0 ? -1.0f : 0.0f;
        CHECK_NEAR(dW[i], 1.0 + 2.0 * lam * beta * W[i] + lam * sgn, 1e-6);
    }

    double sq = 0, ab = 0;
    for (int i = 0; i < N; i++) {
        sq += Wd[i] * Wd[i];
        ab += fabs(Wd[i]);
    }
    CHECK(lc_reg_value(LC_REG_NONE, lam, beta, W, N) == 0.0, "none value");
    CHECK_NEAR(lc_reg_value(LC_REG_L2, 0.3, 0.25, W, N), 0.3 * sq, 1e-6);
    CHECK_NEAR(lc_reg_value(LC_REG_L1, 0.3, 0.25, W, N), 0.3 * ab, 1e-6);
    CHECK_NEAR(lc_reg_value(LC_REG_ELASTIC, 0.3, 0.25, W, N), 0.3 * (0.25 * sq + ab), 1e-6);
    CHECK_NEAR(lc_reg_value_d(LC_REG_L2, 0.3, 0.25, Wd, N), 0.3 * sq, 1e-15);
    CHECK_NEAR(lc_reg_value_d(LC_REG_ELASTIC, 0.3, 0.25, Wd, N), 0.3 * (0.25 * sq + ab), 1e-15);

    double dWd[N] = {0};
    lc_reg_grad_add_d(LC_REG_L2, 0.3, 0.25, Wd, dWd, N);
    for (int i = 0; i < N; i++) CHECK(dWd[i] == 2.0 * 0.3 * Wd[i], "l2 grad_d[%d]", i);
    memset(dWd, 0, sizeof dWd);
    lc_reg_grad_add_d(LC_REG_L1, 0.3, 0.25, Wd, dWd, N);
    CHECK(dWd[2] == 0.0 && dWd[6] == 0.0 && dWd[0] == 0.3 && dWd[1] == -0.3, "l1 grad_d");
}

/* ---- gradient checks in double ----------------------------------------------- */

typedef struct {
    int n, D, K;
    double *X, *t; /* t = W (K x D) then b (K) */
    uint16_t *y;
} problem;

static double full_loss(const problem *p, lc_loss_kind lk, lc_reg_kind rk, double *grad) {
    size_t KD = (size_t)p->K * p->D;
    double L = lc_loss_naive(lk, 1.0, p->n, p->D, p->K, p->X, p->y, p->t, p->t + KD, grad,
                             grad ? grad + KD : NULL, lw) / p->n;
    L += lc_reg_value_d(rk, 0.1, 0.5, p->t, KD);
    if (grad) {
        for (size_t i = 0; i < KD + p->K; i++) grad[i] /= p->n;
        lc_reg_grad_add_d(rk, 0.1, 0.5, p->t, grad, KD);
    }
    return L;
}

/* Max relative error of grad * scale against centered differences over every
 * coordinate. The difference quotient carries rounding noise of ~1e-10 here,
 * so entries below 1e-3 (where that noise alone would approach the 1e-6
 * tolerance) must agree to 1e-9 absolute instead. */
static double check_grad(problem *p, lc_loss_kind lk, lc_reg_kind rk, double scale) {
    size_t P = (size_t)p->K * p->D + p->K;
    double *g = malloc(P * sizeof *g), worst = 0, h = 1e-5;
    full_loss(p, lk, rk, g);
    for (size_t i = 0; i < P; i++) {
        double a = g[i] * scale, keep = p->t[i];
        p->t[i] = keep + h;
        double lp = full_loss(p, lk, rk, NULL);
        p->t[i] = keep - h;
        double lm = full_loss(p, lk, rk, NULL);
        p->t[i] = keep;
        double num = (lp - lm) / (2 * h), big = fmax(fabs(a), fabs(num));
        double r = big > 1e-3 ? fabs(a - num) / big : (fabs(a - num) > 1e-9 ? 1.0 : 0.0);
        if (r > worst) worst = r;
    }
    free(g);
    return worst;
}

/* Random problem whose hinge margins and weights stay >= 1e-3 from their kinks
 * (a step h = 1e-5 then never crosses one); redrawn from the next stream if not. */
static void make_problem(problem *p, int n, int D, int K) {
    p->n = n, p->D = D, p->K = K;
    size_t KD = (size_t)K * D;
    p->X = malloc((size_t)n * D * sizeof *p->X);
    p->t = malloc((KD + K) * sizeof *p->t);
    p->y = malloc(sizeof(uint16_t) * (size_t)n);
    for (uint64_t a = 0;; a++) {
        uint64_t st = lc_stream(LC_RNG_TEST, 100 + a);
        for (int i = 0; i < n * D; i++) p->X[i] = lc_rng_normal(7, st, (uint64_t)i);
        for (size_t i = 0; i < KD + K; i++)
            p->t[i] = lc_rng_normal(8, st, i) / sqrt((double)D);
        for (int i = 0; i < n; i++) p->y[i] = (uint16_t)lc_rng_below(9, st, (uint64_t)i, (uint64_t)K);
        int ok = 1;
        for (size_t i = 0; i < KD; i++) ok = ok && fabs(p->t[i]) > 1e-3;
        for (int i = 0; i < n && ok; i++) {
            double s[16];
            for (int k = 0; k < K; k++) {
                s[k] = p->t[KD + k];
                for (int d = 0; d < D; d++) s[k] += p->t[(size_t)k * D + d] * p->X[i * D + d];
            }
            for (int k = 0; k < K; k++)
                ok = ok && (k == p->y[i] || fabs(s[k] - s[p->y[i]] + 1.0) > 1e-3);
        }
        if (ok) return;
    }
}

static void free_problem(problem *p) {
    free(p->X);
    free(p->t);
    free(p->y);
}

static void test_gradcheck(void) {
    problem p;
    make_problem(&p, 6, 7, 5);
    for (int lk = 0; lk < LC_LOSS_COUNT; lk++) {
        for (int rk = 0; rk < 4; rk++) {
            double r = check_grad(&p, (lc_loss_kind)lk, (lc_reg_kind)rk, 1.0);
            CHECK(r < 1e-6, "%s + %s: relative error %g", lc_loss_name((lc_loss_kind)lk),
                  lc_reg_name((lc_reg_kind)rk), r);
            /* the check must be able to fail: a gradient 1% off is rejected */
            double bad = check_grad(&p, (lc_loss_kind)lk, (lc_reg_kind)rk, 1.01);
            CHECK(bad > 1e-3, "%s + %s: 1%% wrong gradient not detected (%g)",
                  lc_loss_name((lc_loss_kind)lk), lc_reg_name((lc_reg_kind)rk), bad);
        }
    }
    free_problem(&p);
}

/* ---- naive (double) against BLAS (float) ---------------------------------------- */

static void naive_vs_blas(int n, int D, int K, lc_loss_kind lk, uint64_t seed) {
    size_t KD = (size_t)K * D;
    double *X = malloc((size_t)n * D * sizeof *X), *W = malloc(KD * sizeof *W);
    double *b = malloc(K * sizeof *b), *dW = malloc(KD * sizeof *dW), *db = malloc(K * sizeof *db);
    float *Xf = malloc((size_t)n * D * sizeof *Xf), *Wf = malloc(KD * sizeof *Wf);
    float *bf = malloc(K * sizeof *bf), *dWf = malloc(KD * sizeof *dWf);
    float *dbf = malloc(K * sizeof *dbf), *S = malloc((size_t)n * K * sizeof *S);
    uint16_t *y = malloc(sizeof(uint16_t) * (size_t)n);
    uint64_t st = lc_stream(LC_RNG_TEST, 7000 + seed);
    /* float values in both copies, so only the arithmetic differs */
    for (size_t i = 0; i < (size_t)n * D; i++) X[i] = Xf[i] = (float)lc_rng_normal(seed, st, i);
    for (size_t i = 0; i < KD; i++) W[i] = Wf[i] = (float)(lc_rng_normal(seed + 1, st, i) / sqrt(D));
    for (int k = 0; k < K; k++) b[k] = bf[k] = (float)(0.5 * lc_rng_normal(seed + 2, st, (uint64_t)k));
    for (int i = 0; i < n; i++) y[i] = (uint16_t)lc_rng_below(seed + 3, st, (uint64_t)i, (uint64_t)K);

    double Ln = lc_loss_naive(lk, 1.0, n, D, K, X, y, W, b, dW, db, lw);
    int64_t c1 = 0, c2 = 0;
    double Lb = lc_loss_fwd_bwd(lk, 1.0f, n, D, K, Xf, y, Wf, bf, S, dWf, dbf, &c1, lw);
    double Lfwd = lc_loss_fwd_bwd(lk, 1.0f, n, D, K, Xf, y, Wf, bf, S, NULL, NULL, &c2, lw);
    double gmax = 0, dmax = 0;
    for (size_t i = 0; i < KD; i++) {
        gmax = fmax(gmax, fabs(dW[i]));
        dmax = fmax(dmax, fabs(dW[i] - dWf[i]));
    }
    for (int k = 0; k < K; k++) {
        gmax = fmax(gmax, fabs(db[k]));
        dmax = fmax(dmax, fabs(db[k] - dbf[k]));
    }
    const char *name = lc_loss_name(lk);
    CHECK(fabs(Ln - Lb) <= 1e-4 * fabs(Ln), "%s n=%d D=%d K=%d: loss %.9g vs %.9g", name, n, D, K, Ln, Lb);
    CHECK(dmax <= 1e-4 * gmax, "%s n=%d D=%d K=%d: grad error %g of %g", name, n, D, K, dmax, gmax);
    CHECK(Lfwd == Lb && c1 == c2, "%s: forward-only differs", name);
    free(X), free(W), free(b), free(dW), free(db), free(Xf), free(Wf), free(bf);
    free(dWf), free(dbf), free(S), free(y);
}

static void test_naive_vs_blas(void) {
    static const int shapes[][3] = {{1, 3, 3}, {1, 3072, 10}, {7, 3072, 10}, {37, 100, 3},
                                    {129, 3072, 10}, {5, 1, 2}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int lk = 0; lk < LC_LOSS_COUNT; lk++)
            naive_vs_blas(shapes[s][0], shapes[s][1], shapes[s][2], (lc_loss_kind)lk, 11 + s);
}

/* No rows: zero gradient and zero loss, with garbage in the outputs beforehand. */
static void test_empty(void) {
    float X[1] = {0}, W[6], b[2] = {1, 2}, S[2], dW[6], db[2];
    for (int i = 0; i < 6; i++) W[i] = dW[i] = 3.0f;
    db[0] = db[1] = 4.0f;
    double L = lc_loss_fwd_bwd(LC_LOSS_SVM, 1.0f, 0, 3, 2, X, NULL, W, b, S, dW, db, NULL, lw);
    CHECK(L == 0.0, "empty loss %g", L);
    for (int i = 0; i < 6; i++) CHECK(dW[i] == 0.0f, "empty dW[%d]", i);
    CHECK(db[0] == 0.0f && db[1] == 0.0f, "empty db");
}

int main(void) {
    test_toy_svm();
    test_toy_svm2();
    test_toy_ova2();
    test_toy_softmax();
    test_argmax_ties();
    test_toy_paths();
    test_names();
    test_reg();
    test_gradcheck();
    test_naive_vs_blas();
    test_empty();
    if (failures) {
        fprintf(stderr, "test_loss: %d failure(s)\n", failures);
        return 1;
    }
    printf("test_loss: all passed\n");
    return 0;
}
