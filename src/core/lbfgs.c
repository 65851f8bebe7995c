/* lbfgs: two-loop recursion, strong-Wolfe line search, iteration driver.
 * Every sum is a plain loop in index order (no BLAS, no threads; C11 mode
 * keeps the compiler from contracting into FMAs or reassociating), so the
 * same inputs give the same bits on every rank and on every run. */
#include "lincls/lbfgs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double dot(const double *a, const double *b, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

double lc_lbfgs_norm_inf(const double *v, size_t n) {
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        double a = fabs(v[i]);
        if (a > m || a != a) m = a; /* NaN propagates */
    }
    return m;
}

int lc_lbfgs_init(lc_lbfgs *s, size_t n, int m, lc_err *e) {
    memset(s, 0, sizeof *s);
    if (m < 1 || n < 1) return lc_fail(e, LC_EARG, "lbfgs: need n >= 1 and history m >= 1 (got n=%zu, m=%d)", n, m);
    s->n = n;
    s->m = m;
    s->c1 = 1e-4;
    s->c2 = 0.9;
    s->max_ls = 20;
    s->gtol = 1e-5;
    s->ftol = 1e-9;
    s->f = s->f_prev = NAN;
    s->x = lc_calloc(n, sizeof(double), e);
    s->g = lc_calloc(n, sizeof(double), e);
    s->S = lc_calloc((size_t)m * n, sizeof(double), e);
    s->Y = lc_calloc((size_t)m * n, sizeof(double), e);
    s->rho = lc_calloc((size_t)m, sizeof(double), e);
    s->d = lc_calloc(n, sizeof(double), e);
    s->xt = lc_calloc(n, sizeof(double), e);
    s->gt = lc_calloc(n, sizeof(double), e);
    s->gb = lc_calloc(n, sizeof(double), e);
    s->alpha = lc_calloc((size_t)m, sizeof(double), e);
    if (e->code) lc_lbfgs_free(s);
    return e->code;
}

void lc_lbfgs_free(lc_lbfgs *s) {
    free(s->x);
    free(s->g);
    free(s->S);
    free(s->Y);
    free(s->rho);
    free(s->d);
    free(s->xt);
    free(s->gt);
    free(s->gb);
    free(s->alpha);
    memset(s, 0, sizeof *s);
}

int lc_lbfgs_start(lc_lbfgs *s, const double *x0, lc_lbfgs_fn fn, void *ctx, lc_err *e) {
    memcpy(s->x, x0, sizeof(double) * s->n);
    s->iter = 0;
    s->count = s->head = 0;
    s->f_prev = NAN;
    s->step = 0;
    s->aux = 0;
    if (fn(ctx, s->x, &s->f, s->g, &s->aux, e)) return e->code;
    s->nfev = 1;
    return 0;
}

int lc_lbfgs_converged(const lc_lbfgs *s) {
    if (lc_lbfgs_norm_inf(s->g, s->n) <= s->gtol) return 1;
    if (s->iter > 0 && isfinite(s->f_prev)) {
        double scale = fmax(fmax(fabs(s->f_prev), fabs(s->f)), 1.0);
        if (s->f_prev - s->f <= s->ftol * scale) return 2;
    }
    return 0;
}

void lc_lbfgs_direction(lc_lbfgs *s, const double *g, double *d) {
    const size_t n = s->n;
    for (size_t i = 0; i < n; i++) d[i] = g[i];
    for (int i = s->count - 1; i >= 0; i--) {
        const int j = (s->head + i) % s->m;
        const double *sj = s->S + (size_t)j * n, *yj = s->Y + (size_t)j * n;
        double a = s->rho[j] * dot(sj, d, n);
        s->alpha[i] = a;
        for (size_t k = 0; k < n; k++) d[k] -= a * yj[k];
    }
    if (s->count > 0) {
        const int j = (s->head + s->count - 1) % s->m;
        const double *yj = s->Y + (size_t)j * n;
        double gamma = 1.0 / (s->rho[j] * dot(yj, yj, n)); /* s.y / y.y */
        for (size_t k = 0; k < n; k++) d[k] *= gamma;
    }
    for (int i = 0; i < s->count; i++) {
        const int j = (s->head + i) % s->m;
        const double *sj = s->S + (size_t)j * n, *yj = s->Y + (size_t)j * n;
        double b = s->rho[j] * dot(yj, d, n);
        double c = s->alpha[i] - b;
        for (size_t k = 0; k < n; k++) d[k] += c * sj[k];
    }
    for (size_t k = 0; k < n; k++) d[k] = -d[k];
}

/* --- line search ------------------------------------------------------------ */

typedef struct {
    double t, f, dg; /* step, phi(t) = f(x + t d), phi'(t) = g(x + t d).d */
} ls_point;

/* phi at t: the trial point into s->xt, its gradient into s->gt. */
static int ls_eval(lc_lbfgs *s, double t, lc_lbfgs_fn fn, void *ctx, ls_point *p, double *aux, lc_err *e) {
    const size_t n = s->n;
    for (size_t i = 0; i < n; i++) s->xt[i] = s->x[i] + t * s->d[i];
    double f = NAN;
    if (fn(ctx, s->xt, &f, s->gt, aux, e)) return e->code;
    s->nfev++;
    p->t = t;
    p->f = f;
    p->dg = isfinite(f) ? dot(s->gt, s->d, n) : NAN;
    return 0;
}

/* Minimizer of the cubic through (a.t, a.f, a.dg) and (b.t, b.f, b.dg),
 * kept inside the middle 80% of the interval; bisection when the cubic has
 * no minimizer there or the numbers are not finite (Nocedal-Wright 3.59). */
static double cubic_step(ls_point a, ls_point b) {
    double lo = fmin(a.t, b.t), hi = fmax(a.t, b.t), w = hi - lo, mid = lo + 0.5 * w;
    if (!isfinite(a.f) || !isfinite(b.f) || !isfinite(a.dg) || !isfinite(b.dg)) return mid;
    double d1 = a.dg + b.dg - 3.0 * (a.f - b.f) / (a.t - b.t);
    double disc = d1 * d1 - a.dg * b.dg;
    if (!(disc >= 0)) return mid;
    double d2 = copysign(sqrt(disc), b.t - a.t);
    double den = b.dg - a.dg + 2.0 * d2;
    if (den == 0) return mid;
    double t = b.t - (b.t - a.t) * (b.dg + d2 - d1) / den;
    if (!(t >= lo + 0.1 * w && t <= hi - 0.1 * w)) return mid;
    return t;
}

static void swap_ptr(double **a, double **b) {
    double *t = *a;
    *a = *b;
    *b = t;
}

/* Strong Wolfe search along s->d from s->x (Nocedal-Wright Alg. 3.5 + 3.6).
 * On success (*found = 1) the accepted point is s->xt-by-formula x + t d with
 * f, aux and its gradient in *g_acc (one of the scratch buffers). */
static int line_search(lc_lbfgs *s, double t0, lc_lbfgs_fn fn, void *ctx, int *found, ls_point *acc,
                       double *aux_acc, double **g_acc, lc_err *e) {
    const double f0 = s->f, dg0 = dot(s->g, s->d, s->n);
    const double armijo = s->c1 * dg0, curv = -s->c2 * dg0;
    ls_point lo = {0, f0, dg0}, hi = lo, cur;
    double aux_lo = s->aux, aux;
    int evals = 0, zoom = 0;
    *found = 0;
    /* bracketing: grow t until phi rises, fails sufficient decrease, or turns up */
    double t = t0;
    while (evals < s->max_ls) {
        if (ls_eval(s, t, fn, ctx, &cur, &aux, e)) return e->code;
        evals++;
        if (!isfinite(cur.f) || cur.f > f0 + cur.t * armijo || (evals > 1 && cur.f >= lo.f)) {
            hi = cur;
            zoom = 1;
            break;
        }
        if (fabs(cur.dg) <= curv) goto accept_cur;
        if (cur.dg >= 0) {
            hi = lo;
            lo = cur;
            aux_lo = aux;
            swap_ptr(&s->gt, &s->gb);
            zoom = 1;
            break;
        }
        lo = cur; /* sufficient decrease, still going down: a valid fallback */
        aux_lo = aux;
        swap_ptr(&s->gt, &s->gb);
        t = 2.0 * t;
    }
    /* zoom: lo satisfies sufficient decrease and is the best so far; the
     * minimizer sought lies between lo and hi */
    while (zoom && evals < s->max_ls) {
        if (fabs(hi.t - lo.t) <= 1e-15 * fmax(fabs(hi.t), fabs(lo.t))) break;
        t = cubic_step(lo, hi);
        if (ls_eval(s, t, fn, ctx, &cur, &aux, e)) return e->code;
        evals++;
        if (!isfinite(cur.f) || cur.f > f0 + cur.t * armijo || cur.f >= lo.f) {
            hi = cur;
            continue;
        }
        if (fabs(cur.dg) <= curv) goto accept_cur;
        if (cur.dg * (hi.t - lo.t) >= 0) hi = lo;
        lo = cur;
        aux_lo = aux;
        swap_ptr(&s->gt, &s->gb);
    }
    /* out of evaluations: the best point with sufficient decrease, if any */
    s->ls_evals = evals;
    s->ls_wolfe = 0;
    if (lo.t > 0) {
        *found = 1;
        *acc = lo;
        *aux_acc = aux_lo;
        *g_acc = s->gb;
    }
    return 0;
accept_cur:
    s->ls_evals = evals;
    s->ls_wolfe = 1;
    *found = 1;
    *acc = cur;
    *aux_acc = aux;
    *g_acc = s->gt;
    return 0;
}

/* --- iteration ----------------------------------------------------------------- */

static void store_pair(lc_lbfgs *s, const double *xn, const double *gn) {
    const size_t n = s->n;
    int slot;
    if (s->count < s->m) {
        slot = (s->head + s->count) % s->m;
    } else {
        slot = s->head;
    }
    double *sv = s->S + (size_t)slot * n, *yv = s->Y + (size_t)slot * n;
    for (size_t i = 0; i < n; i++) {
        sv[i] = xn[i] - s->x[i];
        yv[i] = gn[i] - s->g[i];
    }
    double ys = dot(yv, sv, n), yy = dot(yv, yv, n);
    if (!(ys > 1e-10 * yy) || !isfinite(ys)) return; /* no curvature information: skip */
    s->rho[slot] = 1.0 / ys;
    if (s->count < s->m) s->count++;
    else s->head = (s->head + 1) % s->m;
}

static void steepest(lc_lbfgs *s) {
    for (size_t i = 0; i < s->n; i++) s->d[i] = -s->g[i];
}

int lc_lbfgs_iterate(lc_lbfgs *s, lc_lbfgs_fn fn, void *ctx, lc_lbfgs_status *status, lc_err *e) {
    const size_t n = s->n;
    *status = LC_LBFGS_NO_PROGRESS;
    double gnorm = sqrt(dot(s->g, s->g, n));
    if (!(gnorm > 0) || !isfinite(s->f)) return 0;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (attempt == 1 && s->count == 0) break; /* -g was tried already */
        if (attempt == 1) s->count = s->head = 0; /* drop the pairs, retry along -g */
        if (s->count > 0) lc_lbfgs_direction(s, s->g, s->d);
        else steepest(s);
        if (!(dot(s->g, s->d, n) < 0)) { /* not a descent direction (rounding) */
            s->count = s->head = 0;
            steepest(s);
        }
        double t0 = s->count > 0 ? 1.0 : 1.0 / gnorm;
        int found = 0;
        ls_point acc;
        double aux = 0, *gn = NULL;
        if (line_search(s, t0, fn, ctx, &found, &acc, &aux, &gn, e)) return e->code;
        if (!found) continue;
        for (size_t i = 0; i < n; i++) s->xt[i] = s->x[i] + acc.t * s->d[i];
        store_pair(s, s->xt, gn);
        memcpy(s->x, s->xt, sizeof(double) * n);
        memcpy(s->g, gn, sizeof(double) * n);
        s->f_prev = s->f;
        s->f = acc.f;
        s->aux = aux;
        s->step = acc.t;
        s->iter++;
        *status = LC_LBFGS_STEP;
        return 0;
    }
    return 0;
}
