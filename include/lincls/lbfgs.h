/* lbfgs: limited-memory BFGS for a smooth objective f: R^n -> R, in double.
 * The algorithm only; the caller supplies f and its gradient (for training:
 * one full-batch loss + gradient, reduced across ranks) and decides when to
 * checkpoint. No MPI, no BLAS: plain loops in a fixed order, so every rank that
 * runs it on the same numbers gets the same bits, and a state written between
 * iterations and read back continues bit for bit.
 *
 * One iteration (Nocedal and Wright, Numerical Optimization, Alg. 7.4 + 7.5):
 *   d = -H g by the two-loop recursion over the last m pairs (s_i, y_i),
 *       s_i = x_{i+1} - x_i, y_i = g_{i+1} - g_i, H_0 = (s.y / y.y) I of the
 *       newest pair (d = -g while no pair is stored);
 *   a line search for t > 0 along d satisfying the strong Wolfe conditions
 *       f(x + t d) <= f(x) + c1 t g.d   and   |g(x + t d).d| <= c2 |g.d|
 *       (Alg. 3.5: bracketing with doubling steps, then zoom by safeguarded
 *       cubic interpolation, Alg. 3.6), first trial t = 1, or 1/|g| while no
 *       pair is stored; at most max_ls evaluations; when the budget runs out the
 *       best trial with sufficient decrease is taken;
 *   x += t d; the pair (s, y) is stored when s.y > 1e-10 y.y (else skipped);
 *   if the search finds no decrease along the L-BFGS direction, the pairs are
 *       dropped and the search is retried once along -g; if that fails too the
 *       iteration reports LC_LBFGS_NO_PROGRESS and x stays as it was.
 * Stopping (lc_lbfgs_converged): max_i |g_i| <= gtol, or, after an iteration,
 *   (f_prev - f) / max(|f_prev|, |f|, 1) <= ftol. */
#ifndef LINCLS_LBFGS_H
#define LINCLS_LBFGS_H

#include <stddef.h>
#include <stdint.h>

#include "lincls/util.h"

/* f and g at x (n each). aux: any one number the caller wants carried along
 * with the accepted point (training: the correct count). Returns 0 or an lc_err
 * code; an error aborts the iteration. A non-finite f is allowed (the line
 * search steps back). */
typedef int (*lc_lbfgs_fn)(void *ctx, const double *x, double *f, double *g, double *aux, lc_err *e);

typedef struct {
    /* parameters (lc_lbfgs_init sets the defaults in brackets) */
    size_t n;
    int m;              /* pairs kept [10] */
    double c1, c2;      /* Wolfe constants [1e-4, 0.9] */
    int max_ls;         /* evaluations per line search [20] */
    double gtol, ftol;  /* stopping rule [1e-5, 1e-9] */
    /* state: all of it is written to a checkpoint */
    int64_t iter;       /* iterations done (steps taken) */
    int64_t nfev;       /* function evaluations done */
    double f, f_prev;   /* f(x); f before the last iteration (NaN before the first) */
    double aux;         /* the evaluation's aux at x */
    double step;        /* t of the last iteration (0 before the first) */
    double *x, *g;      /* n: the current point and its gradient */
    int ls_evals;       /* evaluations of the last line search (information only) */
    int ls_wolfe;       /* 1: its point met the strong Wolfe conditions; 0: the
                         * fallback (sufficient decrease only) */
    int count, head;    /* pairs stored; ring slot of the oldest */
    double *S, *Y;      /* m x n: pair i (0 = oldest) in ring slot (head + i) % m */
    double *rho;        /* m: 1 / (y.s) per slot */
    /* scratch */
    double *d, *xt, *gt, *gb, *alpha;
} lc_lbfgs;

typedef enum {
    LC_LBFGS_STEP = 0,       /* a step was taken */
    LC_LBFGS_NO_PROGRESS = 1 /* no decrease found even along -g: x unchanged */
} lc_lbfgs_status;

/* Allocates for n unknowns and m pairs (m >= 1); parameters get defaults. */
int lc_lbfgs_init(lc_lbfgs *s, size_t n, int m, lc_err *e);
void lc_lbfgs_free(lc_lbfgs *s);

/* Sets x = x0 and evaluates f, g there (one evaluation). */
int lc_lbfgs_start(lc_lbfgs *s, const double *x0, lc_lbfgs_fn fn, void *ctx, lc_err *e);

/* One iteration from the current state. */
int lc_lbfgs_iterate(lc_lbfgs *s, lc_lbfgs_fn fn, void *ctx, lc_lbfgs_status *status, lc_err *e);

/* 0: go on; 1: gradient small (max |g_i| <= gtol); 2: relative decrease of
 * the last iteration <= ftol. */
int lc_lbfgs_converged(const lc_lbfgs *s);

/* max_i |v_i|. */
double lc_lbfgs_norm_inf(const double *v, size_t n);

/* d = -H g with the stored pairs (the two-loop recursion); exposed for tests. */
void lc_lbfgs_direction(lc_lbfgs *s, const double *g, double *d);

#endif
