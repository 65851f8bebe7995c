/* sweep: random search over hyperparameters, the ranks split into groups.
 *
 * Trial t draws, from lc_stream(LC_RNG_SWEEP, t) alone (so the draw depends on
 * the seed and t only, not on G, P or the order trials run in):
 *   counter 0: lr      log-uniform in [--lr-min, --lr-max]
 *   counter 1: lambda  log-uniform in [--lambda-min, --lambda-max]
 *   counter 2, 3, 4:   loss, optimizer, batch: uniform choices from the lists
 * Every other train option is train's default, or the sweep flag of the same
 * name (--epochs --val --scale --reg --seed: one seed for all trials,
 * so trials differ by their hyperparameters only).
 *
 * Scheduling: MPI_Comm_split into G equal groups of P/G ranks. The work is a
 * list of jobs (trial, fold); group g runs jobs g, g+G, g+2G, ... with
 * lc_train_run on its communicator: the same code as `train`, so a trial's
 * `command` (lc_cli_format over its train option table) reproduces its model
 * bit for bit at any rank count, on any CPU. After each round of G
 * jobs, world rank 0 gathers the round's results (MPI_Gather on the world
 * communicator), appends them to DIR/results.csv and flushes. Groups therefore
 * wait for each other at round ends; in exchange there is one simple
 * synchronization point where errors are agreed (no rank can hang) and
 * successive halving gets its rungs for free.
 *
 * A trial whose training diverges (NaN/inf loss) is recorded with status
 * "diverged" and null accuracies; any other failure ends the sweep on every rank.
 *
 * --folds k: each trial trains k models (--val 0 --folds k --fold f); its
 * val_acc, train_acc, final_loss are the means over the folds.
 *
 * --halving: successive halving with eta = 2. Rung r trains the surviving
 * trials from scratch for max(1, epochs >> (R-1-r)) epochs, R = floor(log2 T)+1
 * rungs (fewer if the epochs run out), and keeps the better half by val_acc
 * (ties: lower final_loss, then lower trial). Retraining from scratch (instead
 * of resuming) keeps each reported trial a plain `train` command. The JSON has
 * every trial at the last rung it reached ("rung", "epochs").
 *
 * Checkpoints: each job writes DIR/trial-<t>.h5 (DIR/trial-<t>-fold-<f>.h5
 * with folds); at the end only the best trial's are kept unless --keep-all. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lincls/blas.h"
#include "lincls/cli.h"
#include "lincls/commands.h"
#include "lincls/dataset.h"
#include "lincls/dist.h"
#include "lincls/io.h"
#include "lincls/loss.h"
#include "lincls/optim.h"
#include "lincls/rng.h"
#include "lincls/train.h"

enum { MAXLIST = 16, MAXOPTS = 40, CMDLEN = 16384 };

typedef struct {
    char data[LC_OPT_STRLEN], out[LC_OPT_STRLEN], losses[LC_OPT_STRLEN], optimizers[LC_OPT_STRLEN];
    char batches[LC_OPT_STRLEN], reg[LC_OPT_STRLEN], scale[LC_OPT_STRLEN];
    char vshards[LC_OPT_STRLEN]; /* deprecated, ignored */
    double lr_min, lr_max, lambda_min, lambda_max;
    long long trials, val, seed;
    int groups, epochs, folds, halving, keep_all, quiet;
} sweep_cfg;

static void cfg_defaults(sweep_cfg *c) {
    memset(c, 0, sizeof *c);
    snprintf(c->data, sizeof c->data, "data/cifar10.h5");
    snprintf(c->losses, sizeof c->losses, "softmax,svm");
    snprintf(c->optimizers, sizeof c->optimizers, "sgd,momentum,adam");
    snprintf(c->batches, sizeof c->batches, "128,256");
    snprintf(c->reg, sizeof c->reg, "l2");
    snprintf(c->scale, sizeof c->scale, "std");
    c->lr_min = 1e-4;
    c->lr_max = 1e-1;
    c->lambda_min = 1e-5;
    c->lambda_max = 1e-1;
    c->trials = 16;
    c->val = 1000;
    c->seed = 1;
    c->groups = 1;
    c->epochs = 5;
}

static int cfg_options(sweep_cfg *c, lc_opt *o) {
    int n = 0;
#define OPT(name, type, ptr, help) o[n++] = (lc_opt){name, type, ptr, help}
    OPT("data", LC_OPT_STR, c->data, "dataset or features file (HDF5)");
    OPT("out", LC_OPT_STR, c->out, "output folder: results.csv and the best trial's checkpoint (required)");
    OPT("trials", LC_OPT_I64, &c->trials, "hyperparameter draws");
    OPT("groups", LC_OPT_INT, &c->groups, "rank groups G training trials side by side (G divides the ranks)");
    OPT("epochs", LC_OPT_INT, &c->epochs, "epochs per trial (with --halving: at the last rung)");
    OPT("val", LC_OPT_I64, &c->val, "validation rows: the last N training rows");
    OPT("folds", LC_OPT_INT, &c->folds, "k-fold cross-validation instead of --val (0: off)");
    OPT("lr-min", LC_OPT_DOUBLE, &c->lr_min, "learning rate, log-uniform from");
    OPT("lr-max", LC_OPT_DOUBLE, &c->lr_max, "learning rate, log-uniform to");
    OPT("lambda-min", LC_OPT_DOUBLE, &c->lambda_min, "regularization strength, log-uniform from");
    OPT("lambda-max", LC_OPT_DOUBLE, &c->lambda_max, "regularization strength, log-uniform to");
    OPT("losses", LC_OPT_STR, c->losses, "comma list to choose from: softmax, svm, svm2, ova2");
    OPT("optimizers", LC_OPT_STR, c->optimizers, "comma list: sgd, momentum, nesterov, adagrad, rmsprop, adam");
    OPT("batches", LC_OPT_STR, c->batches, "comma list of batch sizes");
    OPT("reg", LC_OPT_STR, c->reg, "regularization of every trial: none | l2 | l1 | elastic");
    OPT("scale", LC_OPT_STR, c->scale, "input normalization of every trial: std | 255 | 1");
    OPT("seed", LC_OPT_I64, &c->seed, "seed of the draws and of every trial's training");
    OPT("vshards", LC_OPT_STR, c->vshards, "deprecated, ignored: every trial is the same at every rank count");
    OPT("halving", LC_OPT_FLAG, &c->halving, "successive halving: short runs first, the better half goes on");
    OPT("keep-all", LC_OPT_FLAG, &c->keep_all, "keep every trial's checkpoint, not only the best");
    OPT("quiet", LC_OPT_FLAG, &c->quiet, "no progress lines");
#undef OPT
    return n;
}

/* --- the search space ---------------------------------------------------------- */
typedef struct {
    int nloss, nopt, nbatch;
    char loss[MAXLIST][16], opt[MAXLIST][16];
    int batch[MAXLIST];
} space_t;

/* Splits a comma list into items, each checked by ok(item); names the flag. */
static int split_list(const char *flag, const char *s, char items[][16], int *n, int (*ok)(const char *),
                      const char *valid, lc_err *e) {
    char buf[LC_OPT_STRLEN];
    snprintf(buf, sizeof buf, "%s", s);
    *n = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (*n == MAXLIST) return lc_fail(e, LC_EARG, "--%s: more than %d items", flag, MAXLIST);
        if (strlen(tok) >= 16 || !ok(tok))
            return lc_fail(e, LC_EARG, "--%s: unknown item '%s' (%s)", flag, tok, valid);
        snprintf(items[(*n)++], 16, "%s", tok);
    }
    if (*n == 0) return lc_fail(e, LC_EARG, "--%s: empty list", flag);
    return 0;
}

static int ok_loss(const char *s) { lc_loss_kind k; return lc_loss_parse(s, &k) == 0; }
static int ok_opt(const char *s) { lc_optim_kind k; return lc_optim_parse(s, &k) == 0; }
static int ok_batch(const char *s) { long long v; return lc_parse_long(s, &v) == 0 && v >= 1 && v <= 1 << 24; }

static int parse_space(const sweep_cfg *c, space_t *sp, lc_err *e) {
    char b[MAXLIST][16];
    if (split_list("losses", c->losses, sp->loss, &sp->nloss, ok_loss, "softmax, svm, svm2, ova2", e) ||
        split_list("optimizers", c->optimizers, sp->opt, &sp->nopt, ok_opt,
                   "sgd, momentum, nesterov, adagrad, rmsprop, adam", e) ||
        split_list("batches", c->batches, b, &sp->nbatch, ok_batch, "positive integers", e))
        return e->code;
    for (int i = 0; i < sp->nbatch; i++) sp->batch[i] = atoi(b[i]);
    return 0;
}

static int check_cfg(const sweep_cfg *c, int P, lc_err *e) {
    if (!c->out[0]) return lc_fail(e, LC_EARG, "--out DIR is required (results.csv and checkpoints go there)");
    if (strlen(c->out) > LC_OPT_STRLEN - 64) return lc_fail(e, LC_EARG, "--out: the path is too long");
    if (c->trials < 1) return lc_fail(e, LC_EARG, "--trials must be >= 1 (got %lld)", c->trials);
    if (c->trials > 1000000) /* results are kept per trial and broadcast with int counts */
        return lc_fail(e, LC_EARG, "--trials must be at most 1000000 (got %lld)", c->trials);
    if (c->groups < 1) return lc_fail(e, LC_EARG, "--groups must be >= 1 (got %d)", c->groups);
    if (c->groups > P)
        return lc_fail(e, LC_EARG, "--groups %d is larger than the %d ranks: every group needs at least one rank",
                       c->groups, P);
    if (P % c->groups)
        return lc_fail(e, LC_EARG, "--groups %d does not divide the %d ranks: groups must be equal", c->groups, P);
    long long vs;
    if (c->vshards[0] && (lc_parse_long(c->vshards, &vs) || vs < 1))
        return lc_fail(e, LC_EARG, "--vshards: '%s' is not a positive integer (the flag is ignored, but must parse)",
                       c->vshards);
    if (c->epochs < 1) return lc_fail(e, LC_EARG, "--epochs must be >= 1 (got %d)", c->epochs);
    if (c->folds < 0 || c->folds == 1) return lc_fail(e, LC_EARG, "--folds must be 0 (off) or >= 2 (got %d)", c->folds);
    if (!(c->lr_min > 0 && c->lr_min <= c->lr_max))
        return lc_fail(e, LC_EARG, "--lr-min %g --lr-max %g: need 0 < lr-min <= lr-max", c->lr_min, c->lr_max);
    if (!(c->lambda_min > 0 && c->lambda_min <= c->lambda_max) && !(c->lambda_min == 0 && c->lambda_max == 0))
        return lc_fail(e, LC_EARG, "--lambda-min %g --lambda-max %g: need 0 < lambda-min <= lambda-max (or both 0)",
                       c->lambda_min, c->lambda_max);
    return 0;
}

/* --- trials ---------------------------------------------------------------------- */
typedef struct {
    double lr, lambda;
    int loss, opt, batch;  /* indices into the space lists */
} draw_t;

static double log_uniform(double lo, double hi, double u) {
    return lo == hi ? lo : exp(log(lo) + u * (log(hi) - log(lo)));
}

static draw_t draw_trial(const sweep_cfg *c, const space_t *sp, long long t) {
    uint64_t seed = (uint64_t)c->seed, st = lc_stream(LC_RNG_SWEEP, (uint64_t)t);
    draw_t d;
    d.lr = log_uniform(c->lr_min, c->lr_max, lc_rng_uniform(seed, st, 0));
    d.lambda = log_uniform(c->lambda_min, c->lambda_max, lc_rng_uniform(seed, st, 1));
    d.loss = (int)lc_rng_below(seed, st, 2, (uint64_t)sp->nloss);
    d.opt = (int)lc_rng_below(seed, st, 3, (uint64_t)sp->nopt);
    d.batch = (int)lc_rng_below(seed, st, 4, (uint64_t)sp->nbatch);
    return d;
}

/* DIR/trial-<t>.h5 or DIR/trial-<t>-fold-<f>.h5; nonzero if it does not fit
 * (check_cfg bounds --out so that it always does). */
static int ckpt_path(const sweep_cfg *c, long long t, int fold, char *buf, size_t n) {
    int w = c->folds > 0 ? snprintf(buf, n, "%.4000s/trial-%lld-fold-%d.h5", c->out, t, fold)
                         : snprintf(buf, n, "%.4000s/trial-%lld.h5", c->out, t);
    return w < 0 || (size_t)w >= n;
}

/* The train configuration of job (trial t, fold f) at `epochs` epochs. */
static void trial_cfg(const sweep_cfg *c, const space_t *sp, long long t, int fold, int epochs, lc_train_cfg *tc) {
    draw_t d = draw_trial(c, sp, t);
    lc_train_defaults(tc);
    snprintf(tc->data, sizeof tc->data, "%s", c->data);
    snprintf(tc->loss, sizeof tc->loss, "%s", sp->loss[d.loss]);
    snprintf(tc->optimizer, sizeof tc->optimizer, "%s", sp->opt[d.opt]);
    snprintf(tc->reg, sizeof tc->reg, "%s", c->reg);
    snprintf(tc->scale, sizeof tc->scale, "%s", c->scale);
    tc->lr = d.lr;
    tc->lambda = d.lambda;
    tc->batch = sp->batch[d.batch];
    tc->epochs = epochs;
    tc->seed = c->seed;
    tc->val = c->folds > 0 ? 0 : c->val;
    tc->folds = c->folds;
    tc->fold = c->folds > 0 ? fold : 0;
    tc->no_test = 1; /* selection is by val_acc; the test set is for the final model (eval) */
    tc->quiet = 1;
    (void)ckpt_path(c, t, fold, tc->checkpoint, sizeof tc->checkpoint);
}

/* "lincls-mpi train ..." for tc, without --checkpoint and --quiet. */
static void trial_command(const lc_train_cfg *tc, char *buf, size_t n) {
    lc_train_cfg copy = *tc;
    copy.checkpoint[0] = '\0';
    copy.quiet = 0;
    lc_opt opts[LC_TRAIN_MAXOPTS];
    int nopts = lc_train_options(&copy, opts);
    int used = snprintf(buf, n, "lincls-mpi train ");
    lc_cli_format(opts, nopts, buf + used, n - (size_t)used);
}

/* One job's outcome, sent from a group's rank 0 to world rank 0. */
typedef struct {
    long long trial;      /* -1: this group had no job this round */
    int fold, code, ranks, group;
    double val_acc, train_acc, final_loss, seconds;
} job_res; /* errors other than divergence travel through lc_agree */

/* Per-trial aggregate over its folds, at its last rung. */
typedef struct {
    long long trial;
    int rung, epochs, nfolds, diverged, ranks, group;
    double val_acc, train_acc, final_loss, seconds;
} trial_res;

typedef struct {
    MPI_Comm world, group;
    int wrank, P, G, g, grank;
    const sweep_cfg *cfg;
    space_t sp;
    lc_dataset_info info;
    FILE *csv;            /* world rank 0 */
    trial_res *res;       /* [trials] */
    int nk;               /* folds per trial (1 without --folds) */
    double t0;
} sweep_t;

/* Trains job (t, f) on this group. Divergence is a result, not an error. */
static void run_job(sweep_t *s, long long t, int f, int epochs, job_res *out, lc_err *e) {
    lc_train_cfg tc;
    trial_cfg(s->cfg, &s->sp, t, f, epochs, &tc);
    lc_train_result r;
    double t0 = lc_now();
    int rc = lc_train_run(s->group, &tc, &r, e);
    memset(out, 0, sizeof *out);
    out->trial = t;
    out->fold = f;
    out->ranks = s->P / s->G;
    out->group = s->g;
    out->seconds = lc_now() - t0;
    out->code = rc;
    out->val_acc = rc ? NAN : r.val_acc;
    out->train_acc = rc ? NAN : r.train_acc;
    out->final_loss = rc ? NAN : r.final_loss;
    if (rc == LC_EDIVERGE) lc_err_clear(e);
}

static void csv_quote(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* Rank 0: one CSV row per finished job, flushed at once. */
static void csv_row(sweep_t *s, const job_res *j, int rung, int epochs) {
    if (!s->csv) return;
    lc_train_cfg tc;
    char cmd[CMDLEN];
    trial_cfg(s->cfg, &s->sp, j->trial, j->fold, epochs, &tc);
    trial_command(&tc, cmd, sizeof cmd);
    fprintf(s->csv, "%lld,%d,%d,%d,%s,%s,%.17g,%.17g,%d,%.17g,%.17g,%.17g,%.3f,%d,%d,%s,", j->trial, j->fold, rung,
            epochs, tc.loss, tc.optimizer, tc.lr, tc.lambda, tc.batch, j->val_acc, j->train_acc, j->final_loss,
            j->seconds, j->ranks, j->group, j->code == 0 ? "ok" : "diverged");
    csv_quote(s->csv, cmd);
    fputc('\n', s->csv);
    fflush(s->csv);
}

/* Folds a job result into its trial's aggregate (fold order is fixed by the
 * job list, so the means are the same for every G). */
static void account(sweep_t *s, const job_res *j, int rung, int epochs) {
    trial_res *t = &s->res[j->trial];
    if (t->rung != rung || t->epochs != epochs || t->nfolds == s->nk) {
        memset(t, 0, sizeof *t);
        t->trial = j->trial;
        t->rung = rung;
        t->epochs = epochs;
    }
    t->nfolds++;
    t->diverged |= j->code != 0;
    t->val_acc += j->val_acc / s->nk;
    t->train_acc += j->train_acc / s->nk;
    t->final_loss += j->final_loss / s->nk;
    t->seconds += j->seconds;
    t->ranks = j->ranks;
    t->group = j->group;
}

static void log_job(const sweep_t *s, const job_res *j) {
    draw_t d = draw_trial(s->cfg, &s->sp, j->trial);
    char fold[32] = "";
    if (s->nk > 1) snprintf(fold, sizeof fold, " fold %d", j->fold);
    char va[32];
    lc_log("sweep: trial %lld%s  %s %s lr %.3g lambda %.3g batch %d  -> val %s  loss %.4f  %.1fs  "
           "(group %d, %d ranks)\n", j->trial, fold, s->sp.loss[d.loss], s->sp.opt[d.opt], d.lr, d.lambda,
           s->sp.batch[d.batch], lc_fmt_pct(j->val_acc, 2, va, sizeof va), j->final_loss, j->seconds, j->group,
           j->ranks);
}

/* Runs trials ids[0..n) (all folds) at `epochs` epochs, G jobs per round. */
static int run_rung(sweep_t *s, const long long *ids, int n, int rung, int epochs, lc_err *e) {
    long long njobs = (long long)n * s->nk;
    job_res mine, *all = NULL;
    if (s->wrank == 0) all = lc_malloc(sizeof(job_res) * (size_t)s->G * (size_t)(s->P / s->G) , e);
    if (lc_agree(s->world, e)) return e->code;
    for (long long r0 = 0; r0 < njobs; r0 += s->G) {
        long long jb = r0 + s->g;
        memset(&mine, 0, sizeof mine);
        mine.trial = -1;
        if (jb < njobs) run_job(s, ids[jb / s->nk], (int)(jb % s->nk), epochs, &mine, e);
        /* every world rank sends; rank 0 reads the group leaders' entries */
        MPI_Gather(&mine, (int)sizeof mine, MPI_BYTE, all, (int)sizeof mine, MPI_BYTE, 0, s->world);
        if (lc_agree(s->world, e)) break;
        for (int g = 0; s->wrank == 0 && g < s->G; g++) {
            const job_res *j = &all[(size_t)g * (size_t)(s->P / s->G)];
            if (j->trial < 0) continue;
            csv_row(s, j, rung, epochs);
            account(s, j, rung, epochs);
            if (!s->cfg->quiet) log_job(s, j);
        }
    }
    free(all);
    /* rank 0 owns the aggregates; the others need them for halving decisions */
    MPI_Bcast(s->res, (int)(sizeof(trial_res) * (size_t)s->cfg->trials), MPI_BYTE, 0, s->world);
    return e->code;
}

/* Ordering for "better": higher val_acc, then lower final_loss, then lower
 * trial; diverged trials last. */
static int better(const trial_res *a, const trial_res *b) {
    int da = a->diverged || isnan(a->val_acc), db = b->diverged || isnan(b->val_acc);
    if (da != db) return db;
    if (!da && a->val_acc != b->val_acc) return a->val_acc > b->val_acc;
    if (!da && a->final_loss != b->final_loss) return a->final_loss < b->final_loss;
    return a->trial < b->trial;
}

static int cmp_ll(const void *x, const void *y) {
    long long a = *(const long long *)x, b = *(const long long *)y;
    return (a > b) - (a < b);
}

static const trial_res *sweep_res_ptr; /* qsort has no context argument */
static int cmp_ids(const void *x, const void *y) {
    const trial_res *a = &sweep_res_ptr[*(const long long *)x], *b = &sweep_res_ptr[*(const long long *)y];
    return better(a, b) ? -1 : better(b, a) ? 1 : 0;
}

static int run_all(sweep_t *s, lc_err *e) {
    const sweep_cfg *c = s->cfg;
    long long *ids = lc_malloc(sizeof(long long) * (size_t)c->trials, e);
    if (lc_agree(s->world, e)) {
        free(ids);
        return e->code;
    }
    for (long long t = 0; t < c->trials; t++) ids[t] = t;
    int n = (int)c->trials, rungs = 1;
    if (c->halving)
        while ((1LL << rungs) <= c->trials && (c->epochs >> rungs) >= 1) rungs++;
    for (int r = 0; r < rungs && !e->code; r++) {
        int epochs = c->epochs >> (rungs - 1 - r);
        if (rungs > 1 && !c->quiet) lc_log("sweep: rung %d/%d: %d trials x %d epochs\n", r + 1, rungs, n, epochs);
        if (run_rung(s, ids, n, r, epochs, e)) break;
        if (r + 1 < rungs) {
            sweep_res_ptr = s->res;
            qsort(ids, (size_t)n, sizeof *ids, cmp_ids);
            n = (n + 1) / 2;
            /* run the survivors in trial order: the schedule then does not depend on ties */
            qsort(ids, (size_t)n, sizeof *ids, cmp_ll);
        }
    }
    free(ids);
    return e->code;
}

/* --- setup and output -------------------------------------------------------------- */
/* Batches and folds must fit the data: checked before any trial runs, so a bad
 * list fails at once on every rank instead of in the middle of the sweep. */
static int check_data(sweep_t *s, lc_err *e) {
    const sweep_cfg *c = s->cfg;
    if (lc_dataset_open(s->world, c->data, &s->info, e)) return e->code;
    long long n = s->info.n_train, rows;
    if (c->folds > 0) {
        if (n < c->folds) return lc_fail(e, LC_EARG, "--folds %d: %s has only %lld training rows", c->folds, c->data, n);
        int64_t lo, hi;
        lc_split_range(n, c->folds, 0, &lo, &hi); /* fold 0 is among the largest */
        rows = n - (hi - lo);
        for (int f = 1; f < c->folds; f++) {
            lc_split_range(n, c->folds, f, &lo, &hi);
            if (n - (hi - lo) < rows) rows = n - (hi - lo);
        }
    } else {
        if (c->val < 0 || c->val >= n)
            return lc_fail(e, LC_EARG, "--val %lld: %s has %lld training rows", c->val, c->data, n);
        rows = n - c->val;
    }
    for (int i = 0; i < s->sp.nbatch; i++)
        if (s->sp.batch[i] > rows)
            return lc_fail(e, LC_EARG, "--batches: %d is larger than the %lld training rows of %s", s->sp.batch[i],
                           rows, c->data);
    if (rows < s->P / c->groups)
        return lc_fail(e, LC_EARG, "%lld training rows cannot be split over the %d ranks of a group", rows,
                       s->P / c->groups);
    return 0;
}

/* Rank 0 makes DIR and starts results.csv (the header, then rows as they come). */
static int open_out(sweep_t *s, lc_err *e) {
    if (s->wrank != 0) return 0;
    const char *dir = s->cfg->out;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return lc_fail(e, LC_EIO, "--out %s: cannot create the folder (%s)", dir, strerror(errno));
    char path[LC_OPT_STRLEN + 32];
    snprintf(path, sizeof path, "%s/results.csv", dir);
    if (lc_io_same_file(path, s->cfg->data))
        return lc_fail(e, LC_EARG, "--out %s: %s is the input file --data %s: refusing to overwrite it", dir, path,
                       s->cfg->data);
    s->csv = fopen(path, "w");
    if (!s->csv) return lc_fail(e, LC_EIO, "--out %s: cannot write %s (%s)", dir, path, strerror(errno));
    fprintf(s->csv, "trial,fold,rung,epochs,loss,optimizer,lr,lambda,batch,val_acc,train_acc,final_loss,seconds,"
                    "ranks,group,status,command\n");
    fflush(s->csv);
    return 0;
}

static long long best_trial(const sweep_t *s) {
    long long b = 0;
    for (long long t = 1; t < s->cfg->trials; t++)
        if (better(&s->res[t], &s->res[b])) b = t;
    return b;
}

/* Rank 0: delete every checkpoint but the best trial's (unless --keep-all). */
static void prune_ckpts(const sweep_t *s, long long best) {
    if (s->wrank != 0 || s->cfg->keep_all) return;
    char path[LC_OPT_STRLEN + 64];
    for (long long t = 0; t < s->cfg->trials; t++)
        for (int f = 0; f < s->nk && t != best; f++) {
            if (!ckpt_path(s->cfg, t, s->cfg->folds > 0 ? f : 0, path, sizeof path)) unlink(path); /* absent when the trial diverged before its first checkpoint: fine */
        }
}

static void trial_json(const sweep_t *s, const trial_res *t, lc_json *j) {
    lc_train_cfg tc;
    char cmd[CMDLEN], ck[LC_OPT_STRLEN + 64];
    trial_cfg(s->cfg, &s->sp, t->trial, 0, t->epochs, &tc);
    trial_command(&tc, cmd, sizeof cmd);
    snprintf(ck, sizeof ck, "%s", tc.checkpoint);
    lc_json_begin(j);
    lc_json_int(j, "trial", t->trial);
    lc_json_str(j, "loss", tc.loss);
    lc_json_str(j, "optimizer", tc.optimizer);
    lc_json_num(j, "lr", tc.lr);
    lc_json_num(j, "lambda", tc.lambda);
    lc_json_int(j, "batch", tc.batch);
    lc_json_int(j, "epochs", t->epochs);
    lc_json_int(j, "rung", t->rung);
    lc_json_num(j, "val_acc", t->val_acc);
    lc_json_num(j, "train_acc", t->train_acc);
    lc_json_num(j, "final_loss", t->final_loss);
    lc_json_num(j, "seconds", t->seconds);
    lc_json_int(j, "folds", s->cfg->folds);
    lc_json_int(j, "ranks", t->ranks);
    lc_json_int(j, "group", t->group);
    lc_json_str(j, "status", t->diverged ? "diverged" : "ok");
    lc_json_str(j, "checkpoint", ck);
    lc_json_str(j, "command", cmd); /* with --folds: fold 0; the others differ by --fold f */
    lc_json_end(j);
}

static void print_result(const sweep_t *s, long long best) {
    lc_json j, t;
    lc_json_begin(&j);
    lc_json_str(&j, "cmd", "sweep");
    trial_json(s, &s->res[best], &t);
    lc_json_raw(&j, "best", t.s);
    lc_json_free(&t);
    lc_json_key(&j, "trials");
    lc_json_append(&j, "[");
    for (long long i = 0; i < s->cfg->trials; i++) {
        trial_json(s, &s->res[i], &t);
        if (i) lc_json_append(&j, ",");
        lc_json_append(&j, t.s);
        lc_json_free(&t);
    }
    lc_json_append(&j, "]");
    lc_json_int(&j, "groups", s->G);
    lc_json_int(&j, "ranks", s->P);
    lc_json_int(&j, "halving", s->cfg->halving);
    lc_json_num(&j, "seconds", lc_now() - s->t0);
    lc_json_str(&j, "out", s->cfg->out);
    lc_json_end(&j);
    printf("%s\n", j.s);
    fflush(stdout);
    lc_json_free(&j);
    if (!s->cfg->quiet) {
        draw_t d = draw_trial(s->cfg, &s->sp, best);
        char va[32];
        lc_log("done: best trial %lld: val %s  %s %s lr %.3g lambda %.3g batch %d  (%lld trials, %d groups)\n",
               best, lc_fmt_pct(s->res[best].val_acc, 2, va, sizeof va), s->sp.loss[d.loss], s->sp.opt[d.opt], d.lr, d.lambda,
               s->sp.batch[d.batch], s->cfg->trials, s->G);
    }
}

static int setup(sweep_t *s, lc_err *e) {
    const sweep_cfg *c = s->cfg;
    if (check_cfg(c, s->P, e) || parse_space(c, &s->sp, e) || lc_agree(s->world, e)) return e->code;
    s->G = c->groups;
    s->g = s->wrank / (s->P / s->G);
    s->nk = c->folds > 0 ? c->folds : 1;
    if (check_data(s, e) || lc_agree(s->world, e)) return e->code;
    s->res = lc_calloc((size_t)c->trials, sizeof(trial_res), e);
    if (lc_agree(s->world, e)) return e->code;
    for (long long t = 0; t < c->trials; t++) {
        s->res[t].trial = t;
        s->res[t].val_acc = s->res[t].train_acc = s->res[t].final_loss = NAN;
    }
    open_out(s, e);
    if (lc_agree(s->world, e)) return e->code;
    MPI_Comm_split(s->world, s->g, s->wrank, &s->group);
    MPI_Comm_rank(s->group, &s->grank);
    return 0;
}

int lc_cmd_sweep(MPI_Comm comm, int argc, char **argv) {
    sweep_cfg cfg;
    cfg_defaults(&cfg);
    lc_opt opts[MAXOPTS];
    int nopts = cfg_options(&cfg, opts), help = 0;
    sweep_t s;
    memset(&s, 0, sizeof s);
    s.world = comm;
    s.group = MPI_COMM_NULL;
    s.cfg = &cfg;
    s.t0 = lc_now();
    MPI_Comm_rank(comm, &s.wrank);
    MPI_Comm_size(comm, &s.P);
    lc_err e = {0};
    lc_cli_parse(argc, argv, opts, nopts,
                 "usage: lincls-mpi sweep --out DIR [options]\n"
                 "Random search over hyperparameters: trial t draws a log-uniform lr and lambda and a loss,\n"
                 "optimizer and batch from (seed, t) alone. The ranks split into --groups equal groups, each\n"
                 "training its trials with the code of `train`. Rank 0 appends a row per finished trial to\n"
                 "DIR/results.csv; the best trial's checkpoint is kept. The last stdout line is a JSON object\n"
                 "{best, trials: [{val_acc, ranks, command, ...}]}; `command` reproduces a trial bit for bit.",
                 s.wrank == 0, &help, &e);
    if (help) return 0;
    if (lc_agree(comm, &e) || setup(&s, &e)) goto out;
    if (!cfg.quiet)
        lc_log("sweep: %lld trials, %d groups of %d ranks, %d epochs%s%s, results in %s/results.csv\n", cfg.trials,
               s.G, s.P / s.G, cfg.epochs, cfg.folds ? ", k-fold" : "", cfg.halving ? ", successive halving" : "",
               cfg.out);
    if (!cfg.quiet) lc_blas_log();
    if (run_all(&s, &e)) goto out;
    long long best = best_trial(&s);
    prune_ckpts(&s, best);
    if (s.wrank == 0) print_result(&s, best);
out:
    if (s.csv) fclose(s.csv);
    if (s.group != MPI_COMM_NULL) MPI_Comm_free(&s.group);
    free(s.res);
    return e.code ? lc_cmd_report(comm, "sweep", &e) : 0;
}
