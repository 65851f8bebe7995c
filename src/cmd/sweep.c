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
#include <stddef.h>
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
#include "lincls/reg.h"
#include "lincls/shards.h"
#include "lincls/rng.h"
#include "lincls/train.h"

enum { CMDLEN = 16384 };

typedef struct {
    const char *data, *out, *batches;
    const char *vshards; /* deprecated, ignored */
    lc_choice_list losses, optimizers;
    lc_reg_kind reg;
    lc_scale_kind scale;
    double lr_min, lr_max, lambda_min, lambda_max;
    long long trials, val, seed;
    int groups, epochs, folds, halving, keep_all, quiet;
} sweep_params;

static const sweep_params defaults = {
    .data = "data/cifar10.h5", .out = "", .batches = "128,256", .vshards = "",
    .losses = {2, {LC_LOSS_SOFTMAX, LC_LOSS_SVM}}, .optimizers = {3, {LC_OPT_SGD, LC_OPT_MOMENTUM, LC_OPT_ADAM}},
    .reg = LC_REG_L2, .scale = LC_SCALE_STD,
    .lr_min = 1e-4, .lr_max = 1e-1, .lambda_min = 1e-5, .lambda_max = 1e-1,
    .trials = 16, .val = 1000, .seed = 1, .groups = 1, .epochs = 5,
};

#define OPT(name, type, field, help) {name, type, offsetof(sweep_params, field), help, NULL}
#define TABLE(name, type, field, table, help) {name, type, offsetof(sweep_params, field), help, &table}
static const lc_opt options[] = {
    OPT("data", LC_OPT_STR, data, "dataset or features file (HDF5)"),
    OPT("out", LC_OPT_STR, out, "output folder: results.csv and the best trial's checkpoint (required)"),
    OPT("trials", LC_OPT_I64, trials, "hyperparameter draws"),
    OPT("groups", LC_OPT_INT, groups, "rank groups G training trials side by side (G divides the ranks)"),
    OPT("epochs", LC_OPT_INT, epochs, "epochs per trial (with --halving: at the last rung)"),
    OPT("val", LC_OPT_I64, val, "validation rows: the last N training rows"),
    OPT("folds", LC_OPT_INT, folds, "k-fold cross-validation instead of --val (0: off)"),
    OPT("lr-min", LC_OPT_DOUBLE, lr_min, "learning rate, log-uniform from"),
    OPT("lr-max", LC_OPT_DOUBLE, lr_max, "learning rate, log-uniform to"),
    OPT("lambda-min", LC_OPT_DOUBLE, lambda_min, "regularization strength, log-uniform from"),
    OPT("lambda-max", LC_OPT_DOUBLE, lambda_max, "regularization strength, log-uniform to"),
    TABLE("losses", LC_OPT_LIST, losses, lc_loss_names, "comma list to choose from: %s"),
    TABLE("optimizers", LC_OPT_LIST, optimizers, lc_optim_names, "comma list: %s"),
    OPT("batches", LC_OPT_STR, batches, "comma list of batch sizes"),
    TABLE("reg", LC_OPT_CHOICE, reg, lc_reg_names, "regularization of every trial: %s"),
    TABLE("scale", LC_OPT_CHOICE, scale, lc_scale_names, "input normalization of every trial: %s"),
    OPT("seed", LC_OPT_I64, seed, "seed of the draws and of every trial's training"),
    OPT("vshards", LC_OPT_STR, vshards, "deprecated, ignored: every trial is the same at every rank count"),
    OPT("halving", LC_OPT_FLAG, halving, "successive halving: short runs first, the better half goes on"),
    OPT("keep-all", LC_OPT_FLAG, keep_all, "keep every trial's checkpoint, not only the best"),
    OPT("quiet", LC_OPT_FLAG, quiet, "no progress lines"),
    LC_OPT_SENTINEL,
};
#undef OPT
#undef TABLE

/* --batches: a comma list of batch sizes 1..2^24 (at most LC_LIST_MAX). */
static int parse_batches(const char *s, int *batch, int *n, lc_err *e) {
    *n = 0;
    for (const char *p = s; *p;) {
        size_t len = strcspn(p, ",");
        if (len > 0) {
            char item[32];
            long long v;
            snprintf(item, sizeof item, "%.*s", (int)(len < 31 ? len : 31), p);
            if (*n == LC_LIST_MAX) return lc_fail(e, LC_EARG, "--batches: more than %d items", LC_LIST_MAX);
            if (len >= 16 || lc_parse_long(item, &v) || v < 1 || v > 1 << 24)
                return lc_fail(e, LC_EARG, "--batches: unknown item '%s' (positive integers)", item);
            batch[(*n)++] = (int)v;
        }
        p += len;
        if (*p == ',') p++;
    }
    if (*n == 0) return lc_fail(e, LC_EARG, "--batches: empty list");
    return 0;
}

/* --- the search space ---------------------------------------------------------- */
typedef struct {
    lc_choice_list loss, opt;
    int nbatch, batch[LC_LIST_MAX];
} space_t;

static int parse_space(const sweep_params *c, space_t *sp, lc_err *e) {
    sp->loss = c->losses;
    sp->opt = c->optimizers;
    return parse_batches(c->batches, sp->batch, &sp->nbatch, e);
}

static int check_sweep(const void *params, int P, lc_err *e) {
    const sweep_params *c = params;
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
    space_t sp;
    return parse_space(c, &sp, e);
}

/* --- trials ---------------------------------------------------------------------- */
typedef struct {
    double lr, lambda;
    int loss, opt, batch;  /* indices into the space lists */
} draw_t;

static double log_uniform(double lo, double hi, double u) {
    return lo == hi ? lo : exp(log(lo) + u * (log(hi) - log(lo)));
}

static draw_t draw_trial(const sweep_params *c, const space_t *sp, long long t) {
    uint64_t seed = (uint64_t)c->seed, st = lc_stream(LC_RNG_SWEEP, (uint64_t)t);
    draw_t d;
    d.lr = log_uniform(c->lr_min, c->lr_max, lc_rng_uniform(seed, st, 0));
    d.lambda = log_uniform(c->lambda_min, c->lambda_max, lc_rng_uniform(seed, st, 1));
    d.loss = (int)lc_rng_below(seed, st, 2, (uint64_t)sp->loss.n);
    d.opt = (int)lc_rng_below(seed, st, 3, (uint64_t)sp->opt.n);
    d.batch = (int)lc_rng_below(seed, st, 4, (uint64_t)sp->nbatch);
    return d;
}

/* DIR/trial-<t>.h5 or DIR/trial-<t>-fold-<f>.h5; nonzero if it does not fit
 * (check_cfg bounds --out so that it always does). */
static int ckpt_path(const sweep_params *c, long long t, int fold, char *buf, size_t n) {
    int w = c->folds > 0 ? snprintf(buf, n, "%.4000s/trial-%lld-fold-%d.h5", c->out, t, fold)
                         : snprintf(buf, n, "%.4000s/trial-%lld.h5", c->out, t);
    return w < 0 || (size_t)w >= n;
}

/* The train parameters of job (trial t, fold f) at `epochs` epochs; ckpt
 * (LC_OPT_STRLEN + 64 bytes) receives the checkpoint's name. */
static void trial_params(const sweep_params *c, const space_t *sp, long long t, int fold, int epochs,
                         lc_train_params *tc, char *ckpt) {
    draw_t d = draw_trial(c, sp, t);
    *tc = lc_train_defaults;
    tc->data = c->data;
    tc->loss = (lc_loss_kind)sp->loss.v[d.loss];
    tc->optimizer = (lc_optim_kind)sp->opt.v[d.opt];
    tc->reg = c->reg;
    tc->scale = c->scale;
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
    (void)ckpt_path(c, t, fold, ckpt, LC_OPT_STRLEN + 64);
    tc->checkpoint = ckpt;
}

/* "lincls-mpi train ..." for tc, without --checkpoint and --quiet. */
static void trial_command(const lc_train_params *tc, char *buf, size_t n) {
    lc_train_params copy = *tc;
    copy.checkpoint = "";
    copy.quiet = 0;
    int used = snprintf(buf, n, "lincls-mpi train ");
    lc_cli_format(lc_train_opts, &copy, buf + used, n - (size_t)used);
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
    const sweep_params *cfg;
    space_t sp;
    lc_dataset_info info;
    FILE *csv;            /* world rank 0 */
    trial_res *res;       /* [trials] */
    int nk;               /* folds per trial (1 without --folds) */
    double t0;
} sweep_t;

/* Trains job (t, f) on this group. Divergence is a result, not an error. */
static void run_job(sweep_t *s, long long t, int f, int epochs, job_res *out, lc_err *e) {
    lc_train_params tc;
    char ckpt[LC_OPT_STRLEN + 64];
    trial_params(s->cfg, &s->sp, t, f, epochs, &tc, ckpt);
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
    lc_train_params tc;
    char cmd[CMDLEN], ckpt[LC_OPT_STRLEN + 64];
    trial_params(s->cfg, &s->sp, j->trial, j->fold, epochs, &tc, ckpt);
    trial_command(&tc, cmd, sizeof cmd);
    fprintf(s->csv, "%lld,%d,%d,%d,%s,%s,%.17g,%.17g,%d,%.17g,%.17g,%.17g,%.3f,%d,%d,%s,", j->trial, j->fold, rung,
            epochs, lc_loss_name(tc.loss), lc_optim_name(tc.optimizer), tc.lr, tc.lambda, tc.batch, j->val_acc, j->train_acc, j->final_loss,
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
           "(group %d, %d ranks)\n", j->trial, fold, lc_loss_name((lc_loss_kind)s->sp.loss.v[d.loss]),
           lc_optim_name((lc_optim_kind)s->sp.opt.v[d.opt]), d.lr, d.lambda, s->sp.batch[d.batch], lc_fmt_pct(j->val_acc, 2, va, sizeof va), j->final_loss, j->seconds, j->group,
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
    const sweep_params *c = s->cfg;
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
    const sweep_params *c = s->cfg;
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
    lc_train_params tc;
    char cmd[CMDLEN], ck[LC_OPT_STRLEN + 64];
    trial_params(s->cfg, &s->sp, t->trial, 0, t->epochs, &tc, ck);
    trial_command(&tc, cmd, sizeof cmd);
    lc_json_begin(j);
    lc_json_int(j, "trial", t->trial);
    lc_json_str(j, "loss", lc_loss_name(tc.loss));
    lc_json_str(j, "optimizer", lc_optim_name(tc.optimizer));
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

static void print_result(const sweep_t *s, long long best, lc_json *j) {
    lc_json t;
    trial_json(s, &s->res[best], &t);
    lc_json_raw(j, "best", t.s);
    lc_json_free(&t);
    lc_json_key(j, "trials");
    lc_json_append(j, "[");
    for (long long i = 0; i < s->cfg->trials; i++) {
        trial_json(s, &s->res[i], &t);
        if (i) lc_json_append(j, ",");
        lc_json_append(j, t.s);
        lc_json_free(&t);
    }
    lc_json_append(j, "]");
    lc_json_int(j, "groups", s->G);
    lc_json_int(j, "ranks", s->P);
    lc_json_int(j, "halving", s->cfg->halving);
    lc_json_num(j, "seconds", lc_now() - s->t0);
    lc_json_str(j, "out", s->cfg->out);
    if (!s->cfg->quiet) {
        draw_t d = draw_trial(s->cfg, &s->sp, best);
        char va[32];
        lc_log("done: best trial %lld: val %s  %s %s lr %.3g lambda %.3g batch %d  (%lld trials, %d groups)\n",
               best, lc_fmt_pct(s->res[best].val_acc, 2, va, sizeof va), lc_loss_name((lc_loss_kind)s->sp.loss.v[d.loss]),
               lc_optim_name((lc_optim_kind)s->sp.opt.v[d.opt]), d.lr, d.lambda,
               s->sp.batch[d.batch], s->cfg->trials, s->G);
    }
}

static int setup(sweep_t *s, lc_err *e) {
    const sweep_params *c = s->cfg;
    if (parse_space(c, &s->sp, e) || lc_agree(s->world, e)) return e->code;
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

static int run_sweep(MPI_Comm comm, const void *params, const lc_args *args, lc_json *j, lc_err *e) {
    const sweep_params *cfg = params;
    sweep_t s;
    memset(&s, 0, sizeof s);
    s.world = comm;
    s.group = MPI_COMM_NULL;
    s.cfg = cfg;
    s.t0 = lc_now();
    MPI_Comm_rank(comm, &s.wrank);
    MPI_Comm_size(comm, &s.P);
    if (setup(&s, e)) goto out;
    if (!cfg->quiet)
        lc_log("sweep: %lld trials, %d groups of %d ranks, %d epochs%s%s, results in %s/results.csv\n", cfg->trials,
               s.G, s.P / s.G, cfg->epochs, cfg->folds ? ", k-fold" : "", cfg->halving ? ", successive halving" : "",
               cfg->out);
    if (!cfg->quiet) lc_blas_log();
    if (run_all(&s, e)) goto out;
    long long best = best_trial(&s);
    prune_ckpts(&s, best);
    if (s.wrank == 0) print_result(&s, best, j);
out:
    if (s.csv) fclose(s.csv);
    if (s.group != MPI_COMM_NULL) MPI_Comm_free(&s.group);
    free(s.res);
    return e->code ? 1 : 0;
}

const lc_command lc_cmd_sweep = {
    "sweep", "random search over hyperparameters, ranks split into groups",
    "usage: lincls-mpi sweep --out DIR [options]\n"
    "Random search over hyperparameters: trial t draws a log-uniform lr and lambda and a loss,\n"
    "optimizer and batch from (seed, t) alone. The ranks split into --groups equal groups, each\n"
    "training its trials with the code of `train`. Rank 0 appends a row per finished trial to\n"
    "DIR/results.csv; the best trial's checkpoint is kept. The last stdout line is a JSON object\n"
    "{best, trials: [{val_acc, ranks, command, ...}]}; `command` reproduces a trial bit for bit.",
    options, &defaults, sizeof(sweep_params), check_sweep, run_sweep};
