/* test_lbfgs: the L-BFGS module on problems with known answers.
 *   - the two-loop recursion equals the explicit inverse-Hessian BFGS
 *     recursion over the last m pairs (ring wrapped);
 *   - a convex quadratic: the minimizer A^-1 b (Cholesky here) to 1e-9, every
 *     accepted step satisfying the strong Wolfe conditions;
 *   - binary logistic regression and multinomial (softmax) regression with L2,
 *     tilted by a linear term so that a chosen w* is the exact minimizer: w* to
 *     1e-8;
 *   - Rosenbrock from (-1.2, 1): (1, 1) to 1e-6;
 *   - a function that is +inf outside its domain: the search steps back;
 *   - a wrong gradient (ascent direction): no progress reported, x unchanged;
 *   - the state copied between iterations (as a checkpoint does) continues bit
 *     for bit like the uninterrupted run. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lincls/lbfgs.h"
#include "lincls/rng.h"

static double urand(uint64_t *c) { return lc_rng_uniform(7, lc_stream(LC_RNG_TEST, 11), (*c)++); }
static double nrand(uint64_t *c) { return lc_rng_normal(7, lc_stream(LC_RNG_TEST, 12), (*c)++); }

/* --- quadratic f = 1/2 x'Ax - b'x ------------------------------------------------ */
typedef struct {
    int n;
    double *A, *b;
    int evals;
} quad;

static int quad_fn(void *ctx, const double *x, double *f, double *g, double *aux, lc_err *e) {
    quad *q = ctx;
    double v = 0;
    for (int i = 0; i < q->n; i++) {
        double ax = 0;
        for (int j = 0; j < q->n; j++) ax += q->A[i * q->n + j] * x[j];
        g[i] = ax - q->b[i];
        v += 0.5 * x[i] * ax - q->b[i] * x[i];
    }
    *f = v;
    *aux = ++q->evals;
    return 0;
}

/* A = M M' / n + diag(0.1 .. 10): SPD with condition number ~ 100 */
static void quad_make(quad *q, int n, uint64_t *c) {
    q->n = n;
    q->A = calloc((size_t)n * n, sizeof(double));
    q->b = calloc((size_t)n, sizeof(double));
    double *M = calloc((size_t)n * n, sizeof(double));
    for (int i = 0; i < n * n; i++) M[i] = nrand(c);
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int k = 0; k < n; k++) s += M[i * n + k] * M[j * n + k];
            q->A[i * n + j] = s / n;
        }
        q->A[i * n + i] += 0.1 + 9.9 * i / (n - 1);
        q->b[i] = nrand(c);
    }
    free(M);
}

/* Solves A x = b by Cholesky (the reference minimizer). */
static void chol_solve(int n, const double *A, const double *b, double *x) {
    double *L = calloc((size_t)n * n, sizeof(double));
    for (int j = 0; j < n; j++) {
        double s = A[j * n + j];
        for (int k = 0; k < j; k++) s -= L[j * n + k] * L[j * n + k];
        L[j * n + j] = sqrt(s);
        for (int i = j + 1; i < n; i++) {
            double t = A[i * n + j];
            for (int k = 0; k < j; k++) t -= L[i * n + k] * L[j * n + k];
            L[i * n + j] = t / L[j * n + j];
        }
    }
    for (int i = 0; i < n; i++) {
        double t = b[i];
        for (int k = 0; k < i; k++) t -= L[i * n + k] * x[k];
        x[i] = t / L[i * n + i];
    }
    for (int i = n - 1; i >= 0; i--) {
        double t = x[i];
        for (int k = i + 1; k < n; k++) t -= L[k * n + i] * x[k];
        x[i] = t / L[i * n + i];
    }
    free(L);
}

static double max_diff(const double *a, const double *b, size_t n) {
    double m = 0;
    for (size_t i = 0; i < n; i++) m = fmax(m, fabs(a[i] - b[i]));
    return m;
}

/* Runs to convergence (or max_iter); returns iterations. */
static int run(lc_lbfgs *s, lc_lbfgs_fn fn, void *ctx, const double *x0, int max_iter, int check_wolfe) {
    lc_err e = {0};
    CHECK(lc_lbfgs_start(s, x0, fn, ctx, &e) == 0, "%s", e.msg);
    double *gold = malloc(sizeof(double) * s->n);
    while (s->iter < max_iter && !lc_lbfgs_converged(s)) {
        lc_lbfgs_status st;
        double f0 = s->f;
        memcpy(gold, s->g, sizeof(double) * s->n);
        CHECK(lc_lbfgs_iterate(s, fn, ctx, &st, &e) == 0, "%s", e.msg);
        if (st != LC_LBFGS_STEP) break;
        if (getenv("LBFGS_TRACE"))
            fprintf(stderr, "  iter %lld f %.17g |g| %.3g t %.3g evals %d wolfe %d\n", (long long)s->iter, s->f,
                    lc_lbfgs_norm_inf(s->g, s->n), s->step, s->ls_evals, s->ls_wolfe);
        if (check_wolfe && s->ls_wolfe) {
            double dg0 = 0, dg1 = 0;
            for (size_t i = 0; i < s->n; i++) dg0 += gold[i] * s->d[i], dg1 += s->g[i] * s->d[i];
            CHECK(dg0 < 0, "iteration %lld: not a descent direction", (long long)s->iter);
            CHECK(s->f <= f0 + s->c1 * s->step * dg0 + 1e-15 * fabs(f0), "iteration %lld: no sufficient decrease",
                  (long long)s->iter);
            CHECK(fabs(dg1) <= s->c2 * fabs(dg0) * (1 + 1e-12), "iteration %lld: curvature condition %g > %g",
                  (long long)s->iter, fabs(dg1), s->c2 * fabs(dg0));
        }
    }
    free(gold);
    return (int)s->iter;
}

static void test_two_loop(void) {
    enum { N = 7, M = 4, PAIRS = 7 };
    uint64_t c = 0;
    quad q;
    quad_make(&q, N, &c);
    lc_lbfgs s;
    lc_err e = {0};
    CHECK(lc_lbfgs_init(&s, N, M, &e) == 0, "%s", e.msg);
    double sv[PAIRS][N], yv[PAIRS][N], g[N], d[N];
    for (int p = 0; p < PAIRS; p++) {
        for (int i = 0; i < N; i++) sv[p][i] = nrand(&c);
        for (int i = 0; i < N; i++) {
            yv[p][i] = 0;
            for (int j = 0; j < N; j++) yv[p][i] += q.A[i * N + j] * sv[p][j];
        }
        /* store as the module does: ring slot, rho */
        int slot = s.count < M ? (s.head + s.count) % M : s.head;
        memcpy(s.S + slot * N, sv[p], sizeof sv[p]);
        memcpy(s.Y + slot * N, yv[p], sizeof yv[p]);
        double ys = 0;
        for (int i = 0; i < N; i++) ys += yv[p][i] * sv[p][i];
        s.rho[slot] = 1 / ys;
        if (s.count < M) s.count++;
        else s.head = (s.head + 1) % M;
    }
    for (int i = 0; i < N; i++) g[i] = nrand(&c);
    lc_lbfgs_direction(&s, g, d);
    /* explicit: H0 = gamma I (newest pair), then H <- V'HV + rho s s' oldest to newest */
    double H[N][N], T[N][N];
    const int newest = PAIRS - 1, first = PAIRS - M;
    double ys = 0, yy = 0;
    for (int i = 0; i < N; i++) ys += yv[newest][i] * sv[newest][i], yy += yv[newest][i] * yv[newest][i];
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) H[i][j] = i == j ? ys / yy : 0;
    for (int p = first; p < PAIRS; p++) {
        double r = 0;
        for (int i = 0; i < N; i++) r += yv[p][i] * sv[p][i];
        r = 1 / r;
        double V[N][N]; /* V = I - rho y s' */
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) V[i][j] = (i == j) - r * yv[p][i] * sv[p][j];
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                T[i][j] = 0;
                for (int k = 0; k < N; k++) T[i][j] += H[i][k] * V[k][j];
            }
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                double v = 0;
                for (int k = 0; k < N; k++) v += V[k][i] * T[k][j];
                H[i][j] = v + r * sv[p][i] * sv[p][j];
            }
    }
    for (int i = 0; i < N; i++) {
        double want = 0;
        for (int j = 0; j < N; j++) want -= H[i][j] * g[j];
        CHECK(fabs(d[i] - want) <= 1e-11 * (1 + fabs(want)), "two-loop d[%d] = %.15g, explicit %.15g", i, d[i], want);
    }
    lc_lbfgs_free(&s);
    free(q.A), free(q.b);
}

static void test_quadratic(void) {
    enum { N = 60 };
    uint64_t c = 100;
    quad q = {0};
    quad_make(&q, N, &c);
    double xs[N], x0[N] = {0};
    chol_solve(N, q.A, q.b, xs);
    lc_lbfgs s;
    lc_err e = {0};
    CHECK(lc_lbfgs_init(&s, N, 10, &e) == 0, "%s", e.msg);
    /* the search compares values of f, so x is resolved to about sqrt(eps)
     * relative: gradients of 1e-8 are the floor here */
    s.gtol = 5e-8;
    s.ftol = 0;
    int it = run(&s, quad_fn, &q, x0, 500, 1);
    CHECK(lc_lbfgs_converged(&s) == 1, "quadratic: stopped without a small gradient after %d iterations", it);
    CHECK(max_diff(s.x, xs, N) <= 5e-8, "quadratic: |x - x*| = %g after %d iterations", max_diff(s.x, xs, N), it);
    CHECK(it < 150, "quadratic: %d iterations", it);
    CHECK(s.aux == q.evals || s.nfev >= s.iter + 1, "aux/nfev bookkeeping");
    printf("quadratic n=%d: %d iterations, %lld evaluations, |x - x*| = %.2g\n", N, it, (long long)s.nfev,
           max_diff(s.x, xs, N));
    lc_lbfgs_free(&s);
    free(q.A), free(q.b);
}

/* --- logistic regression, tilted so that wstar is the exact minimizer --------- */
typedef struct {
    int N, D, K;        /* K = 1: binary logistic; K >= 2: softmax over K classes */
    double *X;          /* N x D */
    int *y;             /* labels: +-1 (binary) or 0..K-1 */
    double lambda;
    double *tilt;       /* P: f(w) = data + lambda |w|^2 - tilt . w */
} logreg;

static int logreg_nparams(const logreg *L) { return L->K == 1 ? L->D : L->K * L->D; }

/* data loss + lambda |w|^2 and its gradient (without the tilt) */
static double logreg_raw(const logreg *L, const double *w, double *g) {
    const int P = logreg_nparams(L), D = L->D;
    double f = 0;
    for (int p = 0; p < P; p++) g[p] = 2 * L->lambda * w[p];
    for (int i = 0; i < L->N; i++) {
        const double *x = L->X + (size_t)i * D;
        if (L->K == 1) {
            double z = 0;
            for (int j = 0; j < D; j++) z += w[j] * x[j];
            double m = -L->y[i] * z; /* loss log(1 + e^m) */
            f += m > 0 ? m + log1p(exp(-m)) : log1p(exp(m));
            double sig = 1 / (1 + exp(-m));
            for (int j = 0; j < D; j++) g[j] += -L->y[i] * sig * x[j] / L->N;
        } else {
            double s[16] = {0}, mx = -INFINITY, z = 0;
            for (int k = 0; k < L->K; k++) {
                s[k] = 0;
                for (int j = 0; j < D; j++) s[k] += w[k * D + j] * x[j];
                mx = fmax(mx, s[k]);
            }
            for (int k = 0; k < L->K; k++) z += exp(s[k] - mx);
            f += log(z) + mx - s[L->y[i]];
            for (int k = 0; k < L->K; k++) {
                double p = exp(s[k] - mx) / z - (k == L->y[i]);
                for (int j = 0; j < D; j++) g[k * D + j] += p * x[j] / L->N;
            }
        }
    }
    f /= L->N;
    for (int p = 0; p < P; p++) f += L->lambda * w[p] * w[p];
    return f;
}

static int logreg_fn(void *ctx, const double *w, double *f, double *g, double *aux, lc_err *e) {
    const logreg *L = ctx;
    double v = logreg_raw(L, w, g);
    for (int p = 0; p < logreg_nparams(L); p++) {
        v -= L->tilt[p] * w[p];
        g[p] -= L->tilt[p];
    }
    *f = v;
    *aux = 0;
    return 0;
}

static void test_logreg(int K) {
    uint64_t c = 1000 + (uint64_t)K;
    logreg L = {.N = 80, .D = 6, .K = K, .lambda = 0.05};
    const int P = logreg_nparams(&L);
    L.X = malloc(sizeof(double) * (size_t)L.N * L.D);
    L.y = malloc(sizeof(int) * (size_t)L.N);
    L.tilt = calloc((size_t)P, sizeof(double));
    double *ws = malloc(sizeof(double) * P), *x0 = calloc((size_t)P, sizeof(double));
    for (int i = 0; i < L.N * L.D; i++) L.X[i] = nrand(&c);
    for (int i = 0; i < L.N; i++) L.y[i] = K == 1 ? (urand(&c) < 0.5 ? -1 : 1) : (int)(urand(&c) * K);
    for (int p = 0; p < P; p++) ws[p] = 0.7 * nrand(&c);
    /* tilt = gradient of the untilted objective at ws: then grad f(ws) = 0, and
     * f is strictly convex (lambda > 0), so ws is its only minimizer */
    logreg_raw(&L, ws, L.tilt);
    lc_lbfgs s;
    lc_err e = {0};
    CHECK(lc_lbfgs_init(&s, (size_t)P, 10, &e) == 0, "%s", e.msg);
    s.gtol = 1e-12;
    s.ftol = 0;
    int it = run(&s, logreg_fn, &L, x0, 500, 1);
    CHECK(max_diff(s.x, ws, (size_t)P) <= 1e-8, "%s: |w - w*| = %g after %d iterations",
          K == 1 ? "logistic" : "softmax", max_diff(s.x, ws, (size_t)P), it);
    printf("%s regression (%d parameters): %d iterations, %lld evaluations, |w - w*| = %.2g\n",
           K == 1 ? "logistic" : "softmax", P, it, (long long)s.nfev, max_diff(s.x, ws, (size_t)P));
    lc_lbfgs_free(&s);
    free(L.X), free(L.y), free(L.tilt), free(ws), free(x0);
}

/* --- Rosenbrock, a domain with a wall, a wrong gradient --------------------------- */
static int rosen_fn(void *ctx, const double *x, double *f, double *g, double *aux, lc_err *e) {
    double a = 1 - x[0], b = x[1] - x[0] * x[0];
    *f = a * a + 100 * b * b;
    g[0] = -2 * a - 400 * x[0] * b;
    g[1] = 200 * b;
    *aux = 0;
    return 0;
}

/* f(x) = sum x_i - 2 log x_i, +inf for x_i <= 0: minimizer x_i = 2 */
static int wall_fn(void *ctx, const double *x, double *f, double *g, double *aux, lc_err *e) {
    int *walls = ctx;
    double v = 0;
    for (int i = 0; i < 3; i++) {
        if (x[i] <= 0) {
            (*walls)++;
            *f = INFINITY;
            return 0;
        }
        v += x[i] - 2 * log(x[i]);
        g[i] = 1 - 2 / x[i];
    }
    *f = v;
    *aux = 0;
    return 0;
}

static int wrong_fn(void *ctx, const double *x, double *f, double *g, double *aux, lc_err *e) {
    double v = 0;
    for (int i = 0; i < 4; i++) {
        v += (x[i] - i) * (x[i] - i);
        g[i] = -2 * (x[i] - i); /* the negated gradient */
    }
    *f = v;
    *aux = 0;
    return 0;
}

static int fail_fn(void *ctx, const double *x, double *f, double *g, double *aux, lc_err *e) {
    int *calls = ctx;
    if (++*calls > 3) return lc_fail(e, LC_EIO, "evaluation %d failed", *calls);
    return rosen_fn(NULL, x, f, g, aux, e);
}

static void test_hard(void) {
    lc_lbfgs s;
    lc_err e = {0};
    double x0[4] = {-1.2, 1, 0, 0}, one[2] = {1, 1};
    CHECK(lc_lbfgs_init(&s, 2, 10, &e) == 0, "%s", e.msg);
    s.gtol = 1e-10;
    s.ftol = 0;
    int it = run(&s, rosen_fn, NULL, x0, 200, 1);
    CHECK(max_diff(s.x, one, 2) <= 1e-6, "rosenbrock: (%g, %g) after %d iterations", s.x[0], s.x[1], it);
    printf("rosenbrock: %d iterations, %lld evaluations, x = (%.10f, %.10f)\n", it, (long long)s.nfev, s.x[0], s.x[1]);
    lc_lbfgs_free(&s);

    int walls = 0;
    double w0[3] = {10, 0.05, 30}, two[3] = {2, 2, 2};
    CHECK(lc_lbfgs_init(&s, 3, 5, &e) == 0, "%s", e.msg);
    s.gtol = 1e-12;
    it = run(&s, wall_fn, &walls, w0, 200, 0);
    CHECK(max_diff(s.x, two, 3) <= 1e-7, "wall: x = (%g, %g, %g)", s.x[0], s.x[1], s.x[2]);
    CHECK(walls > 0, "the wall was never hit (test cannot fail)");
    printf("domain wall: %d iterations, %d trial points beyond the wall stepped back from\n", it, walls);
    lc_lbfgs_free(&s);

    CHECK(lc_lbfgs_init(&s, 4, 5, &e) == 0, "%s", e.msg);
    double z[4] = {5, 5, 5, 5};
    CHECK(lc_lbfgs_start(&s, z, wrong_fn, NULL, &e) == 0, "%s", e.msg);
    lc_lbfgs_status st = LC_LBFGS_STEP;
    CHECK(lc_lbfgs_iterate(&s, wrong_fn, NULL, &st, &e) == 0, "%s", e.msg);
    CHECK(st == LC_LBFGS_NO_PROGRESS, "an ascent 'gradient' made progress");
    CHECK(max_diff(s.x, z, 4) == 0 && s.iter == 0, "x moved without progress");
    CHECK(s.nfev > 1 && s.nfev <= 1 + s.max_ls, "evaluations %lld", (long long)s.nfev);
    lc_lbfgs_free(&s);

    int calls = 0;
    CHECK(lc_lbfgs_init(&s, 2, 5, &e) == 0, "%s", e.msg);
    lc_err fe = {0};
    lc_lbfgs_status st2;
    int rc = lc_lbfgs_start(&s, x0, fail_fn, &calls, &fe);
    for (int i = 0; i < 10 && rc == 0; i++) rc = lc_lbfgs_iterate(&s, fail_fn, &calls, &st2, &fe);
    CHECK(rc == LC_EIO && strstr(fe.msg, "evaluation 4 failed"), "an evaluation error is returned: %d %s", rc, fe.msg);
    lc_lbfgs_free(&s);

    CHECK(lc_lbfgs_init(&s, 3, 0, &e) == LC_EARG, "m = 0 accepted");
}

/* --- a copy of the state between iterations continues bit for bit -------------- */
static void copy_state(lc_lbfgs *dst, const lc_lbfgs *src) {
    const size_t n = src->n;
    dst->iter = src->iter;
    dst->nfev = src->nfev;
    dst->f = src->f;
    dst->f_prev = src->f_prev;
    dst->aux = src->aux;
    dst->step = src->step;
    dst->count = src->count;
    dst->head = src->head;
    memcpy(dst->x, src->x, sizeof(double) * n);
    memcpy(dst->g, src->g, sizeof(double) * n);
    memcpy(dst->S, src->S, sizeof(double) * n * (size_t)src->m);
    memcpy(dst->Y, src->Y, sizeof(double) * n * (size_t)src->m);
    memcpy(dst->rho, src->rho, sizeof(double) * (size_t)src->m);
}

static void test_resume(void) {
    enum { N = 30 };
    uint64_t c = 5000;
    quad q = {0};
    quad_make(&q, N, &c);
    double x0[N];
    for (int i = 0; i < N; i++) x0[i] = nrand(&c);
    lc_lbfgs a, b, r;
    lc_err e = {0};
    lc_lbfgs_status st;
    lc_lbfgs_init(&a, N, 3, &e);
    lc_lbfgs_init(&b, N, 3, &e);
    lc_lbfgs_init(&r, N, 3, &e);
    a.ftol = b.ftol = r.ftol = 0;
    a.gtol = b.gtol = r.gtol = 0;
    lc_lbfgs_start(&a, x0, quad_fn, &q, &e);
    lc_lbfgs_start(&b, x0, quad_fn, &q, &e);
    for (int i = 0; i < 12; i++) lc_lbfgs_iterate(&a, quad_fn, &q, &st, &e);
    for (int i = 0; i < 5; i++) lc_lbfgs_iterate(&b, quad_fn, &q, &st, &e);
    CHECK(b.head != 0, "the ring has not wrapped at the copy (test too weak)");
    copy_state(&r, &b);
    for (int i = 5; i < 12; i++) lc_lbfgs_iterate(&r, quad_fn, &q, &st, &e);
    CHECK(memcmp(a.x, r.x, sizeof(double) * N) == 0 && memcmp(&a.f, &r.f, sizeof a.f) == 0 && a.nfev == r.nfev,
          "resumed run differs from the uninterrupted one");
    CHECK(memcmp(a.x, b.x, sizeof(double) * N) != 0, "runs equal after 5 and 12 iterations (test cannot fail)");
    lc_lbfgs_free(&a), lc_lbfgs_free(&b), lc_lbfgs_free(&r);
    free(q.A), free(q.b);
}

int main(void) {
    test_two_loop();
    test_quadratic();
    test_logreg(1);
    test_logreg(3);
    test_hard();
    test_resume();
    if (failures) fprintf(stderr, "%d checks failed\n", failures);
    else printf("all checks passed\n");
    return failures != 0;
}
