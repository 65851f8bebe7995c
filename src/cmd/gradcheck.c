/* gradcheck: the `lincls-mpi gradcheck` subcommand.
 *
 * For each selected loss x regularization it checks the analytic gradient of
 *   L(W, b) = (1/n) sum_i L_i + lambda R(W)
 * (lc_loss_naive + lc_reg_grad_add_d, double) against centered differences
 * (L(t + h) - L(t - h)) / 2h at random coordinates of W and b, with relative
 * error |a - num| / max(|a|, |num|, floor), where floor is 1e-12 or, if
 * larger, the smallest gradient the difference quotient resolves in double
 * (see noise_floor). It also runs the float BLAS path
 * (lc_loss_fwd_bwd + lc_reg_grad_add) on the same numbers and compares it to
 * the double gradient, normalized by the largest gradient entry (float
 * rounding makes per-entry relative errors meaningless for tiny entries).
 *
 * Shapes: n samples, D inputs, K classes; the parameters t are one block of
 * K*D + K doubles, W first, then b, so a coordinate is a single index.
 *
 * Only rank 0 computes; the others wait for its exit code, so the command runs
 * under mpirun at any rank count. */
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lincls/cli.h"
#include "lincls/commands.h"
#include "lincls/dist.h"
#include "lincls/loss.h"
#include "lincls/reg.h"
#include "lincls/rng.h"
#include "lincls/util.h"

#define GC_TINY 1e-12
#define GC_MAX_ATTEMPTS 1000

typedef struct {
    int loss, reg; /* an lc_loss_kind / lc_reg_kind, or -1: all */
    double lambda, beta, margin, step, tol, blas_tol, perturb;
    int samples, dim, classes, checks;
    long long seed;
} gc_opts;

/* One random problem, held in double with every value exactly representable
 * in float, so the float path sees the same numbers as the double path. */
typedef struct {
    int n, D, K;
    size_t P;          /* K*D + K parameters */
    double *X, *t;     /* n x D inputs; parameters (W then b) */
    float *Xf, *tf;    /* float copies */
    uint16_t *y;
    double *work;      /* LC_LOSS_WORK(K): the loss functions' scratch */
} gc_problem;

typedef struct {
    lc_loss_kind loss;
    lc_reg_kind reg;
    double rel, blas_rel;
    int passed;
} gc_result;

/* ---- options -------------------------------------------------------------- */

static int check_gradcheck(const void *params, int nranks, lc_err *e) {
    const gc_opts *o = params;
    if (o->samples < 1) return lc_fail(e, LC_EARG, "--samples must be at least 1 (got %d)", o->samples);
    if (o->dim < 1) return lc_fail(e, LC_EARG, "--dim must be at least 1 (got %d)", o->dim);
    if (o->classes < 2 || o->classes > 256)
        return lc_fail(e, LC_EARG, "--classes must be in 2..256 (got %d)", o->classes);
    if (o->checks < 1) return lc_fail(e, LC_EARG, "--checks must be at least 1 (got %d)", o->checks);
    if ((double)o->samples * o->dim > 1e8 || (double)o->classes * o->dim > 1e8)
        return lc_fail(e, LC_EARG, "--samples/--dim/--classes: problem too large for a check");
    if (!(o->step > 0)) return lc_fail(e, LC_EARG, "--step must be positive (got %g)", o->step);
    if (!(o->tol > 0)) return lc_fail(e, LC_EARG, "--tol must be positive (got %g)", o->tol);
    if (!(o->blas_tol > 0))
        return lc_fail(e, LC_EARG, "--blas-tol must be positive (got %g)", o->blas_tol);
    if (o->lambda < 0) return lc_fail(e, LC_EARG, "--lambda must be >= 0 (got %g)", o->lambda);
    if (o->beta < 0) return lc_fail(e, LC_EARG, "--beta must be >= 0 (got %g)", o->beta);
    if (o->margin < 0) return lc_fail(e, LC_EARG, "--margin must be >= 0 (got %g)", o->margin);
    return 0;
}

/* ---- the random problem ----------------------------------------------------- */

static void problem_free(gc_problem *p) {
    free(p->X);
    free(p->t);
    free(p->Xf);
    free(p->tf);
    free(p->y);
    free(p->work);
    memset(p, 0, sizeof *p);
}

static int problem_alloc(gc_problem *p, int n, int D, int K, lc_err *e) {
    memset(p, 0, sizeof *p);
    p->n = n;
    p->D = D;
    p->K = K;
    p->P = (size_t)K * D + (size_t)K;
    p->X = lc_malloc((size_t)n * D * sizeof *p->X, e);
    p->Xf = lc_malloc((size_t)n * D * sizeof *p->Xf, e);
    p->t = lc_malloc(p->P * sizeof *p->t, e);
    p->tf = lc_malloc(p->P * sizeof *p->tf, e);
    p->y = lc_malloc(sizeof(uint16_t) * (size_t)n, e);
    p->work = lc_malloc(LC_LOSS_WORK(K) * sizeof *p->work, e);
    if (e->code) problem_free(p);
    return e->code;
}

/* Centered differences are only valid where L is smooth within h of the point,
 * so the data are chosen away from the kinks rather than coordinates skipped:
 *  - l1: every weight is at least 20 h from 0 (|w| is pushed out by 20 h);
 *  - hinge: moving one coordinate by h moves a score by at most
 *    h * max(1, max|x|), so every s_j - s_y + margin must stay 10x that far
 *    from 0. A row that fails is redrawn (its x and label only: rows are
 *    independent), which keeps the acceptance rate high at any n.
 * All values are rounded to float first, so both paths see the same data. */

static float to_float(double v, double *d) {
    float f = (float)v;
    *d = f;
    return f;
}

static void draw_params(gc_problem *p, uint64_t seed, double h) {
    size_t KD = (size_t)p->K * p->D;
    uint64_t sw = lc_stream(LC_RNG_TEST, 1), sb = lc_stream(LC_RNG_TEST, 2);
    /* W ~ N(0, 1/D) so scores have unit spread at any D: hinge terms are a mix
     * of active and inactive and softmax probabilities are not tiny */
    double scale = 1.0 / sqrt((double)p->D);
    for (size_t i = 0; i < KD; i++) {
        double z = scale * lc_rng_normal(seed, sw, i);
        p->tf[i] = to_float(copysign(fabs(z) + 20.0 * h, z), &p->t[i]);
    }
    for (int k = 0; k < p->K; k++)
        p->tf[KD + k] = to_float(0.5 * lc_rng_normal(seed, sb, (uint64_t)k), &p->t[KD + k]);
}

/* Row i of X and its label from attempt a's streams. */
static void draw_row(gc_problem *p, uint64_t seed, int i, uint64_t a) {
    uint64_t sx = lc_stream(LC_RNG_TEST, 16 + 2 * a), sy = lc_stream(LC_RNG_TEST, 17 + 2 * a);
    size_t off = (size_t)i * p->D;
    for (int d = 0; d < p->D; d++)
        p->Xf[off + d] = to_float(lc_rng_normal(seed, sx, off + d), &p->X[off + d]);
    p->y[i] = (uint16_t)lc_rng_below(seed, sy, (uint64_t)i, (uint64_t)p->K);
}

static double score(const gc_problem *p, int i, int k) {
    const double *x = p->X + (size_t)i * p->D, *w = p->t + (size_t)k * p->D;
    double s = p->t[(size_t)p->K * p->D + k];
    for (int d = 0; d < p->D; d++) s += w[d] * x[d];
    return s;
}

static int row_clear_of_hinges(const gc_problem *p, int i, double margin, double h) {
    double xmax = 1.0;
    for (int d = 0; d < p->D; d++) xmax = fmax(xmax, fabs(p->X[(size_t)i * p->D + d]));
    double gap = 10.0 * h * xmax, sy = score(p, i, p->y[i]);
    for (int j = 0; j < p->K; j++)
        if (j != p->y[i] && fabs(score(p, i, j) - sy + margin) <= gap) return 0;
    return 1;
}

static int make_problem(gc_problem *p, const gc_opts *o, lc_err *e) {
    if (problem_alloc(p, o->samples, o->dim, o->classes, e)) return e->code;
    uint64_t seed = (uint64_t)o->seed;
    draw_params(p, seed, o->step);
    for (int i = 0; i < p->n; i++) {
        uint64_t a = 0;
        for (draw_row(p, seed, i, a); !row_clear_of_hinges(p, i, o->margin, o->step);
             draw_row(p, seed, i, a))
            if (++a == GC_MAX_ATTEMPTS) {
                problem_free(p);
                return lc_fail(e, LC_EARG, "--step %g: could not draw a sample whose hinge margins "
                               "stay clear of 0 by 10 h; use a smaller --step", o->step);
            }
    }
    return 0;
}

/* ---- losses and gradients ----------------------------------------------------- */

/* Full loss in double; grad (P, may be NULL) receives its analytic gradient. */
static double full_loss(const gc_problem *p, lc_loss_kind lk, lc_reg_kind rk, const gc_opts *o,
                        double *grad) {
    size_t KD = (size_t)p->K * p->D;
    double L = lc_loss_naive(lk, o->margin, p->n, p->D, p->K, p->X, p->y, p->t, p->t + KD,
                             grad, grad ? grad + KD : NULL, p->work);
    L = L / p->n + lc_reg_value_d(rk, o->lambda, o->beta, p->t, KD);
    if (grad) {
        for (size_t i = 0; i < p->P; i++) grad[i] /= p->n;
        lc_reg_grad_add_d(rk, o->lambda, o->beta, p->t, grad, KD);
    }
    return L;
}

/* The same full loss through the float BLAS path. */
static double full_loss_blas(const gc_problem *p, lc_loss_kind lk, lc_reg_kind rk,
                             const gc_opts *o, float *scores, float *grad) {
    size_t KD = (size_t)p->K * p->D;
    double L = lc_loss_fwd_bwd(lk, (float)o->margin, p->n, p->D, p->K, p->Xf, p->y, p->tf,
                               p->tf + KD, scores, grad, grad + KD, NULL, p->work);
    for (size_t i = 0; i < p->P; i++) grad[i] /= (float)p->n;
    lc_reg_grad_add(rk, (float)o->lambda, (float)o->beta, p->tf, grad, KD);
    return L / p->n + lc_reg_value(rk, o->lambda, o->beta, p->tf, KD);
}

/* |a - b| / max(|a|, |b|, floor) */
static double rel_err(double a, double b, double floor) {
    return fabs(a - b) / fmax(fmax(fabs(a), fabs(b)), floor);
}

/* L(t +- h) carry rounding errors of a few ulps of |L|, so the difference
 * quotient carries noise of about 4 eps |L| / h (~1e-10 here). A gradient
 * entry smaller than noise / tol cannot be resolved to the tolerance in
 * double: an SVM bias gradient that is exactly 0 (active terms cancelling as
 * integers) comes back as +-1e-10 and would read as relative error 1. Below
 * that magnitude the error is measured against the floor instead, i.e. as an
 * absolute error; above it, the plain relative error. */
static double noise_floor(double lp, double lm, double h, double tol) {
    double noise = 4.0 * DBL_EPSILON * fmax(fabs(lp), fabs(lm)) / h;
    return fmax(GC_TINY, noise / tol);
}

/* Coordinate of check c: every fourth one is a bias, the rest are weights, so
 * both blocks are always exercised (b is only K of the K*D + K parameters). */
static size_t coordinate(const gc_problem *p, uint64_t seed, int c) {
    uint64_t stream = lc_stream(LC_RNG_TEST, (uint64_t)1 << 40);
    size_t KD = (size_t)p->K * p->D;
    if (c % 4 == 3) return KD + (size_t)lc_rng_below(seed, stream, (uint64_t)c, (uint64_t)p->K);
    return (size_t)lc_rng_below(seed, stream, (uint64_t)c, (uint64_t)KD);
}

/* Max relative error of the analytic gradient over the random coordinates. */
static double numeric_error(gc_problem *p, lc_loss_kind lk, lc_reg_kind rk, const gc_opts *o,
                            const double *grad) {
    double worst = 0.0;
    for (int c = 0; c < o->checks; c++) {
        size_t i = coordinate(p, (uint64_t)o->seed, c);
        double keep = p->t[i];
        p->t[i] = keep + o->step;
        double lp = full_loss(p, lk, rk, o, NULL);
        p->t[i] = keep - o->step;
        double lm = full_loss(p, lk, rk, o, NULL);
        p->t[i] = keep;
        double r = rel_err(grad[i], (lp - lm) / (2.0 * o->step),
                           noise_floor(lp, lm, o->step, o->tol));
        worst = isnan(r) || r > worst ? r : worst; /* NaN must not hide */
    }
    return worst;
}

/* Float BLAS path against the double analytic gradient: the larger of the loss
 * relative error and max|gf - g| / max|g|. */
static double blas_error(const gc_problem *p, double L, const double *grad, const float *gf,
                         double Lf) {
    double gmax = 0.0, dmax = 0.0;
    for (size_t i = 0; i < p->P; i++) {
        gmax = fmax(gmax, fabs(grad[i]));
        double d = fabs((double)gf[i] - grad[i]);
        dmax = isnan(d) || d > dmax ? d : dmax;
    }
    double gerr = dmax / fmax(gmax, GC_TINY);
    double lerr = rel_err(L, Lf, GC_TINY);
    return isnan(lerr) || lerr > gerr ? lerr : gerr;
}

static int check_one(gc_problem *p, lc_loss_kind lk, lc_reg_kind rk, const gc_opts *o,
                     gc_result *res, lc_err *e) {
    double *grad = lc_malloc(p->P * sizeof *grad, e);
    float *gf = lc_malloc(p->P * sizeof *gf, e);
    float *scores = lc_malloc((size_t)p->n * p->K * sizeof *scores, e);
    if (!e->code) {
        double L = full_loss(p, lk, rk, o, grad);
        /* --perturb: a deliberately wrong gradient, to show the check can fail */
        for (size_t i = 0; i < p->P; i++) grad[i] *= 1.0 + o->perturb;
        double Lf = full_loss_blas(p, lk, rk, o, scores, gf);
        res->loss = lk;
        res->reg = rk;
        res->rel = numeric_error(p, lk, rk, o, grad);
        res->blas_rel = blas_error(p, L, grad, gf, Lf);
        res->passed = res->rel <= o->tol && res->blas_rel <= o->blas_tol;
    }
    free(grad);
    free(gf);
    free(scores);
    return e->code;
}

/* ---- output ------------------------------------------------------------------- */

static void print_table(const gc_opts *o, const gc_problem *p, const gc_result *r, int nres) {
    fprintf(stderr, "gradcheck: n=%d D=%d K=%d, %d coordinates, h=%g, lambda=%g beta=%g margin=%g\n",
            p->n, p->D, p->K, o->checks, o->step, o->lambda, o->beta, o->margin);
    fprintf(stderr, "%-8s %-8s %-20s %-16s %s\n", "loss", "reg", "numeric-vs-analytic",
            "blas-vs-double", "result");
    for (int i = 0; i < nres; i++)
        fprintf(stderr, "%-8s %-8s %-20.3e %-16.3e %s\n", lc_loss_name(r[i].loss),
                lc_reg_name(r[i].reg), r[i].rel, r[i].blas_rel, r[i].passed ? "PASS" : "FAIL");
    fprintf(stderr, "tolerances: %g (numeric, double), %g (blas, float)\n", o->tol, o->blas_tol);
    fflush(stderr);
}

static void print_json(const gc_result *r, int nres, int passed, double worst, lc_json *jp) {
    lc_json_raw(jp, "passed", passed ? "true" : "false");
    lc_json_num(jp, "max_rel_error", worst);
    lc_json_key(jp, "results");
    lc_json_append(jp, "[");
    for (int i = 0; i < nres; i++) {
        lc_json item;
        lc_json_begin(&item);
        lc_json_str(&item, "loss", lc_loss_name(r[i].loss));
        lc_json_str(&item, "reg", lc_reg_name(r[i].reg));
        lc_json_num(&item, "max_rel_error", r[i].rel);
        lc_json_num(&item, "blas_rel_error", r[i].blas_rel);
        lc_json_raw(&item, "passed", r[i].passed ? "true" : "false");
        lc_json_end(&item);
        if (i) lc_json_append(jp, ",");
        lc_json_append(jp, item.s);
        lc_json_free(&item);
    }
    lc_json_append(jp, "]");
}

/* ---- the command ---------------------------------------------------------------- */

/* Rank 0's work: every selected combination on one shared problem. Returns the
 * exit code (0 all passed, 1 some failed) or an error code through e. */
static int run_checks(const gc_opts *o, const int *losses, int nl, const int *regs, int nr,
                      lc_json *j, lc_err *e) {
    gc_problem p;
    gc_result res[LC_LOSS_COUNT * 4]; /* every loss x every regularization */
    int nres = 0;
    if (make_problem(&p, o, e)) return e->code;
    for (int a = 0; a < nl && !e->code; a++)
        for (int b = 0; b < nr && !e->code; b++)
            if (!check_one(&p, (lc_loss_kind)losses[a], (lc_reg_kind)regs[b], o, &res[nres], e))
                nres++;
    if (!e->code) {
        int passed = 1;
        double worst = 0.0;
        for (int i = 0; i < nres; i++) {
            passed = passed && res[i].passed;
            worst = isnan(res[i].rel) || res[i].rel > worst ? res[i].rel : worst;
        }
        print_table(o, &p, res, nres);
        print_json(res, nres, passed, worst, j);
        problem_free(&p);
        return passed ? 0 : 1;
    }
    problem_free(&p);
    return e->code;
}

static const gc_opts defaults = {
    .loss = -1, .reg = -1, .lambda = 0.1, .beta = 0.5, .margin = 1.0, .samples = 8, .dim = 30, .classes = 10,
    .checks = 40, .step = 1e-5, .tol = 1e-6, .blas_tol = 1e-3, .seed = 1};

#define OPT(name, type, field, help) {name, type, offsetof(gc_opts, field), help, NULL}
static const lc_opt options[] = {
    {"loss", LC_OPT_ALL, offsetof(gc_opts, loss), "%s", &lc_loss_names},
    {"reg", LC_OPT_ALL, offsetof(gc_opts, reg), "%s", &lc_reg_names},
    OPT("lambda", LC_OPT_DOUBLE, lambda, "regularization strength"),
    OPT("beta", LC_OPT_DOUBLE, beta, "elastic net: weight of the squared term"),
    OPT("margin", LC_OPT_DOUBLE, margin, "SVM margin (delta)"),
    OPT("samples", LC_OPT_INT, samples, "random samples n"),
    OPT("dim", LC_OPT_INT, dim, "input dimensions D"),
    OPT("classes", LC_OPT_INT, classes, "classes K"),
    OPT("checks", LC_OPT_INT, checks, "random coordinates of W and b checked"),
    OPT("step", LC_OPT_DOUBLE, step, "finite-difference step h"),
    OPT("tol", LC_OPT_DOUBLE, tol, "max relative error, numeric vs analytic (double)"),
    OPT("blas-tol", LC_OPT_DOUBLE, blas_tol, "max relative error, BLAS float vs double"),
    OPT("seed", LC_OPT_I64, seed, "random seed"),
    OPT("perturb", LC_OPT_DOUBLE, perturb, "scale the analytic gradient by 1+X (self-test: a nonzero X must FAIL)"),
    LC_OPT_SENTINEL,
};
#undef OPT

/* The kinds a selection names: one, or every kind of the table (-1). */
static int selection(int v, const lc_names *t, int *kinds) {
    if (v >= 0) {
        kinds[0] = v;
        return 1;
    }
    for (int k = 0; k < t->n; k++) kinds[k] = k;
    return t->n;
}

/* The check runs on rank 0 (it is small and serial); every rank returns its
 * verdict. */
static int run_gradcheck(MPI_Comm comm, const void *params, const lc_args *args, lc_json *j, lc_err *e) {
    const gc_opts *o = params;
    int rank = 0, code = 0, losses[LC_LOSS_COUNT], regs[4];
    MPI_Comm_rank(comm, &rank);
    if (rank == 0) {
        int nl = selection(o->loss, &lc_loss_names, losses), nr = selection(o->reg, &lc_reg_names, regs);
        code = run_checks(o, losses, nl, regs, nr, j, e);
        if (e->code) code = 0;
    }
    MPI_Bcast(&code, 1, MPI_INT, 0, comm);
    lc_agree(comm, e);
    return code;
}

const lc_command lc_cmd_gradcheck = {
    "gradcheck", "compare analytic and numerical gradients",
    "usage: lincls-mpi gradcheck [options]\n"
    "Checks analytic gradients of (1/n) sum_i L_i + lambda R(W) against centered differences.",
    options, &defaults, sizeof(gc_opts), check_gradcheck, run_gradcheck};
