/* train: data-parallel minibatch training of a linear classifier.
 *
 * Shapes: N training rows (after the validation split), D inputs, K classes,
 * B global batch, P ranks. Rank r holds the training rows [lo, hi) =
 * lc_split_range(N, P, r) only.
 *
 * The batch does not depend on P: position p = step * B + i (i < B) of an
 * endless sequence of random permutations of the training rows, one per pass,
 * is training row lc_rng_perm(seed, stream(BATCH, p / N), p % N, N). Every rank
 * computes the B rows and works on those it holds.
 *
 * The gradient is reduced exactly (README.md, "Reproducibility"):
 *   forward   scores of the rank's batch rows with lc_kern_scores (fixed order),
 *             per-row loss and score gradient dS in double (lc_exp, lc_log)
 *   pass 1    exact sums over all ranks: per class A_k = sum_i |dS_ik| and
 *             db_k = sum_i dS_ik, the loss sum (fixed point, xsum.h), the
 *             correct count (int64, MPI_SUM) and max_i |dS_ik| (MPI_MAX)
 *   quantize  from those global numbers every rank picks the same shift e_k
 *             (shift_for) and rounds q_ik = round(dS_ik 2^e_k) to int16, with
 *             |q| <= 32767 and sum_i |q_ik| * 255 < 2^31
 *   pass 2    G = sum_i q_ik x8_i (int32, lc_kern_grad_u8, exact) and
 *             Q_k = sum_i q_ik; MPI_Allreduce of [G | Q] over int32 (exact)
 *   gradient  dW_kd = (step_d G_kd + (lo_d - mean_d) Q_k) inv_scale_d 2^-e_k / B,
 *             an elementwise formula (x8 = the uint8 levels of the inputs:
 *             the pixels themselves, lo 0, step 1; features, see shards.h);
 *             db_k = db_k(pass 1) / B
 *   update    g += lambda dR/dW;  params <- optimizer(params, g, lr(step))
 * Every number that feeds the update is then the same bits for every P and
 * on every CPU, and the traffic per rank per step is about twice the
 * gradient's bytes (an int32 allreduce of K*D + K values) whatever P is. */
#define _POSIX_C_SOURCE 200809L
#include "lincls/train.h"

#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <time.h>

#include "lincls/blas.h"
#include "lincls/bow.h"
#include "lincls/ckpt.h"
#include "lincls/commands.h"
#include "lincls/dataset.h"
#include "lincls/dist.h"
#include "lincls/h5util.h"
#include "lincls/io.h"
#include "lincls/lbfgs.h"
#include "lincls/loss.h"
#include "lincls/model.h"
#include "lincls/optim.h"
#include "lincls/reg.h"
#include "lincls/rng.h"
#include "lincls/shards.h"
#include "lincls/stop.h"
#include "lincls/kern.h"
#include "lincls/xgrad.h"
#include "lincls/xsum.h"

const lc_train_params lc_train_defaults = {
    .data = "data/cifar10.h5", .init = "zeros", .checkpoint = "", .resume = "", .metrics = "", .vshards = "",
    .loss = LC_LOSS_SOFTMAX, .reg = LC_REG_L2, .optimizer = LC_OPT_ADAM, .schedule = LC_SCHED_COSINE,
    .scale = LC_SCALE_STD,
    .lambda = 1e-3, .beta = 0.5, .margin = 1.0,
    .lr = 0, /* auto: see lc_train_lr */
    .lr_decay = 0.9, .lr_step = 1, .min_lr = 0, .momentum = 0.9,
    .batch = 256, .epochs = 20, .warmup = 0, .checkpoint_every = 0, .max_steps = 0, .val = 1000, .seed = 1,
    .lbfgs_m = 10, .gtol = 1e-5, .ftol = 1e-9,
};

#define OPT(name, type, field, help) {name, type, offsetof(lc_train_params, field), help, NULL}
#define CHOICE(name, field, table, help) {name, LC_OPT_CHOICE, offsetof(lc_train_params, field), help, &table}
const lc_opt lc_train_opts[] = {
    OPT("data", LC_OPT_STR, data, "dataset or features file (HDF5, made by lincls-prep / features)"),
    CHOICE("loss", loss, lc_loss_names, "%s (ova2: one-vs-all squared hinge)"),
    OPT("margin", LC_OPT_DOUBLE, margin, "SVM margin delta"),
    CHOICE("reg", reg, lc_reg_names, "regularization: %s"),
    OPT("lambda", LC_OPT_DOUBLE, lambda, "regularization strength"),
    OPT("beta", LC_OPT_DOUBLE, beta, "elastic net: R = sum(beta W^2 + |W|)"),
    CHOICE("optimizer", optimizer, lc_optim_names, "%s (lbfgs: full batch)"),
    OPT("momentum", LC_OPT_DOUBLE, momentum, "momentum / nesterov coefficient mu"),
    OPT("lbfgs-history", LC_OPT_INT, lbfgs_m, "lbfgs: correction pairs kept (m)"),
    OPT("gtol", LC_OPT_DOUBLE, gtol, "lbfgs: stop when max |gradient_i| <= gtol"),
    OPT("ftol", LC_OPT_DOUBLE, ftol, "lbfgs: stop when an iteration lowers the loss by <= ftol x max(|loss|, 1)"),
    OPT("lr", LC_OPT_DOUBLE, lr, "learning rate (0: 1e-4 on images, 1e-3 on features)"),
    CHOICE("schedule", schedule, lc_sched_names, "learning-rate schedule: %s"),
    OPT("lr-decay", LC_OPT_DOUBLE, lr_decay, "step schedule: lr *= lr-decay every --lr-step epochs"),
    OPT("lr-step", LC_OPT_INT, lr_step, "step schedule: epochs between decays"),
    OPT("min-lr", LC_OPT_DOUBLE, min_lr, "cosine schedule: final learning rate"),
    OPT("warmup", LC_OPT_INT, warmup, "linear warmup steps"),
    OPT("batch", LC_OPT_INT, batch, "global minibatch B (= training rows: full-batch gradient descent)"),
    OPT("epochs", LC_OPT_INT, epochs, "passes over the training rows (lbfgs: most iterations)"),
    OPT("max-steps", LC_OPT_I64, max_steps, "stop after this many updates in all (0 = no limit; the schedule still spans --epochs)"),
    OPT("val", LC_OPT_I64, val, "validation rows: the last N training rows"),
    OPT("folds", LC_OPT_INT, folds, "k-fold cross-validation: cut the training rows into k folds (0: off, use --val)"),
    OPT("fold", LC_OPT_INT, fold, "with --folds: the fold (0..k-1) held out for validation"),
    CHOICE("scale", scale, lc_scale_names, "input normalization x' = (x - mean)/scale: %s"),
    OPT("seed", LC_OPT_I64, seed, "random seed (batches, init)"),
    OPT("init", LC_OPT_STR, init, "zeros | randn:SCALE | FILE.h5 (a checkpoint)"),
    OPT("vshards", LC_OPT_STR, vshards, "deprecated, ignored: results are the same at every rank count"),
    OPT("checkpoint", LC_OPT_STR, checkpoint, "checkpoint file written by rank 0 (empty: none)"),
    OPT("checkpoint-every", LC_OPT_INT, checkpoint_every, "also checkpoint every N epochs (0: only at the end)"),
    OPT("resume", LC_OPT_STR, resume, "continue exactly from this checkpoint"),
    OPT("metrics", LC_OPT_STR, metrics, "write one JSON object per epoch to this file (JSON lines)"),
    OPT("no-test", LC_OPT_FLAG, no_test, "skip the final test-set evaluation"),
    OPT("quiet", LC_OPT_FLAG, quiet, "no progress lines"),
    LC_OPT_SENTINEL,
};
#undef OPT
#undef CHOICE

/* The default learning rate, measured on CIFAR-10 with adam + cosine over 20
 * epochs: 1e-4 suits standardized pixels (softmax 41.4%, svm 39.9% test), 1e-3
 * the much shorter HOG + hue feature vectors (softmax 53.5%, svm 52.9%). */
double lc_train_lr(const lc_train_params *c, int is_images) {
    if (c->lr > 0) return c->lr;
    return is_images ? 1e-4 : 1e-3;
}

/* On bag-of-words features the classifier of the paper beats the general
 * defaults (softmax, adam, lambda 1e-3, 20 epochs) by two points: on CIFAR-10
 * with 1,600 centroids, ova2 with lambda 0.005 (the paper's C = 100, as
 * lambda = 1/(2C) on the mean loss) minimized by L-BFGS reaches 73.1% test,
 * where softmax stays near 71% at any lambda and optimizer tried. */
int lc_train_bow_defaults(lc_train_params *c, int argc, char **argv) {
    if (lc_cli_given(argc, argv, "loss") || lc_cli_given(argc, argv, "optimizer")) return 0;
    c->loss = LC_LOSS_OVA2;
    c->optimizer = LC_OPT_LBFGS;
    if (!lc_cli_given(argc, argv, "lambda")) c->lambda = LC_BOW_LAMBDA;
    if (!lc_cli_given(argc, argv, "epochs")) c->epochs = LC_BOW_EPOCHS;
    return 1;
}

/* Options that must match between a checkpoint and the run resuming from it. */
static const char *const resume_must_match[] = {
    "loss", "margin", "reg", "lambda", "beta", "optimizer", "momentum", "lr", "schedule", "lr-decay",
    "lr-step", "min-lr", "warmup", "batch", "val", "folds", "fold", "scale", "seed", "lbfgs-history"};

/* --- state of one run ---------------------------------------------------------- */
typedef struct {
    MPI_Comm comm;
    int rank, P;
    const lc_train_params *cfg;
    lc_sched sched;
    lc_shards sh;            /* this rank's block of the training rows, val and test rows */
    int64_t B;               /* global batch */
    int K, D;
    lc_model model;
    lc_bow_dict dict;        /* rank 0: the features file's dictionary, carried into checkpoints */
    lc_optim opt;
    lc_history hist;
    /* work buffers for up to `cap` of this rank's rows at a time */
    int cap;
    int64_t *idx;            /* cap: local row indices */
    float *S;                /* cap x K scores */
    double *dS, *L;          /* cap x K score gradients; cap row losses */
    float *scratch;          /* D */
    double *srow;            /* K: one row of scores in double */
    double *ca, *cb;         /* D: the gradient's factors (xgrad.h) */
    void *gbuf;              /* K*D + K: [G | Q] as int32, then the gradient as float */
    lc_xgrad xg;             /* the exact reduction */
    int64_t step, epoch, spe, total, end;
    lc_train_result *res;
    int64_t samples;         /* rows through forward + backward (throughput) */
    /* lbfgs */
    int lbfgs;
    lc_lbfgs lb;
    const char *stop;        /* why the iterations ended early (NULL: they did not) */
} run_t;

/* Largest batch: the rounding slack B/2 of the quantized gradient must leave
 * room below 2^31 / 255 (see shift_for). */
#define LC_MAX_BATCH (1 << 22)

int lc_train_check(const lc_train_params *c, lc_err *e) {
    if (c->lbfgs_m < 1 || c->lbfgs_m > 1000)
        return lc_fail(e, LC_EARG, "--lbfgs-history must be in 1..1000 (got %d)", c->lbfgs_m);
    if (!(c->gtol >= 0) || !(c->ftol >= 0))
        return lc_fail(e, LC_EARG, "--gtol and --ftol must be >= 0 (got %g, %g)", c->gtol, c->ftol);
    if (!(c->lr >= 0) || !isfinite(c->lr))
        return lc_fail(e, LC_EARG, "--lr must be a positive number, or 0 for the default (got %g)", c->lr);
    if (!(c->lambda >= 0)) return lc_fail(e, LC_EARG, "--lambda must be >= 0 (got %g)", c->lambda);
    if (!(c->beta >= 0)) return lc_fail(e, LC_EARG, "--beta must be >= 0 (got %g)", c->beta);
    if (!(c->margin >= 0)) return lc_fail(e, LC_EARG, "--margin must be >= 0 (got %g)", c->margin);
    if (!(c->lr_decay > 0 && c->lr_decay <= 1)) return lc_fail(e, LC_EARG, "--lr-decay must be in (0, 1] (got %g)", c->lr_decay);
    if (c->lr_step < 1) return lc_fail(e, LC_EARG, "--lr-step must be >= 1 (got %d)", c->lr_step);
    if (!(c->momentum >= 0 && c->momentum < 1)) return lc_fail(e, LC_EARG, "--momentum must be in [0, 1) (got %g)", c->momentum);
    if (c->min_lr < 0 || c->warmup < 0) return lc_fail(e, LC_EARG, "--min-lr and --warmup must be >= 0");
    if (c->batch < 1) return lc_fail(e, LC_EARG, "--batch must be >= 1 (got %d)", c->batch);
    if (c->epochs < 1) return lc_fail(e, LC_EARG, "--epochs must be >= 1 (got %d)", c->epochs);
    if (c->max_steps < 0) return lc_fail(e, LC_EARG, "--max-steps must be >= 0 (got %lld)", c->max_steps);
    if (c->val < 0) return lc_fail(e, LC_EARG, "--val must be >= 0 (got %lld)", c->val);
    if (c->batch > LC_MAX_BATCH)
        return lc_fail(e, LC_EARG, "--batch %d: at most %d rows per step", c->batch, LC_MAX_BATCH);
    long long vs;
    if (c->vshards[0] && (lc_parse_long(c->vshards, &vs) || vs < 1))
        return lc_fail(e, LC_EARG, "--vshards: '%s' is not a positive integer (the flag is ignored, but must parse)",
                       c->vshards);
    if (c->folds < 0 || c->folds == 1 || (c->folds > 0 && (c->fold < 0 || c->fold >= c->folds)))
        return lc_fail(e, LC_EARG, "--folds %d --fold %d: need folds >= 2 and 0 <= fold < folds", c->folds, c->fold);
    if (c->folds > 0 && c->val > 0)
        return lc_fail(e, LC_EARG, "--folds replaces --val: give --val 0 with --folds");
    if (c->checkpoint_every < 0) return lc_fail(e, LC_EARG, "--checkpoint-every must be >= 0");
    if (strncmp(c->init, "randn:", 6) == 0) {
        double s;
        if (lc_parse_double(c->init + 6, &s) || s < 0)
            return lc_fail(e, LC_EARG, "--init: '%s' is not randn:SCALE with SCALE >= 0", c->init);
    }
    return 0;
}

static int init_params(run_t *r, lc_err *e) {
    const lc_train_params *c = r->cfg;
    lc_model *m = &r->model;
    if (strcmp(c->init, "zeros") == 0) return 0;
    if (strncmp(c->init, "randn:", 6) == 0) {
        double s = atof(c->init + 6);
        /* one stream for W: a parameter's value does not depend on anything else */
        for (size_t i = 0; i < (size_t)r->K * r->D; i++)
            m->W[i] = (float)(s * lc_rng_normal((uint64_t)c->seed, lc_stream(LC_RNG_INIT, 0), i));
        return 0;
    }
    /* a checkpoint, or weights from another tool: /model/W and /model/b only,
     * and then this run's own mean and scale (--scale) */
    lc_model src;
    int has_norm = 0;
    if (lc_ckpt_read_weights(c->init, &src, &has_norm, e) == 0)
        lc_ckpt_check_fits(c->init, &src, c->data, r->K, r->D, r->sh.info.input, e);
    if (e->code) {
        char msg[sizeof e->msg];
        snprintf(msg, sizeof msg, "--init: %.1000s", e->msg);
        snprintf(e->msg, sizeof e->msg, "%s", msg);
    } else {
        memcpy(m->params, src.params, sizeof(float) * lc_model_nparams(m));
        if (has_norm) {
            memcpy(m->mean, src.mean, sizeof(float) * (size_t)r->D);
            memcpy(m->scale, src.scale, sizeof(float) * (size_t)r->D);
            lc_model_set_scale(m);
        } else if (!c->quiet) {
            lc_log("--init %s has no /model/mean and /model/scale: using this run's (--scale %s)\n", c->init,
                   lc_names_name(&lc_scale_names, (int)c->scale));
        }
    }
    lc_model_free(&src);
    return e->code;
}

static int resume_from(run_t *r, lc_err *e) {
    const char *path = r->cfg->resume;
    for (size_t i = 0; i < sizeof resume_must_match / sizeof *resume_must_match; i++) {
        char was[LC_OPT_STRLEN + 64], now[LC_OPT_STRLEN + 64];
        const char *name = resume_must_match[i];
        for (const lc_opt *o = lc_train_opts; o->name; o++) {
            if (strcmp(o->name, name) != 0) continue;
            lc_cli_value(o, r->cfg, now, sizeof now);
            int rc = lc_ckpt_read_config(path, name, was, sizeof was);
            if (rc == LC_H5_WRONG)
                return lc_fail(e, LC_EDATA, "--resume %s: /config attribute %s is not one string (each /config "
                               "attribute holds an option's value as text)", path, name);
            if (rc == 0 && strcmp(was, now) != 0)
                return lc_fail(e, LC_EARG,
                               "--resume %s: the checkpoint was trained with --%s %s, this run has --%s %s "
                               "(resuming exactly needs the same value)", path, name, was, name, now);
        }
    }
    lc_model saved;
    if (lc_ckpt_read_model(path, &saved, e)) return e->code;
    if (lc_ckpt_check_fits(path, &saved, r->cfg->data, r->K, r->D, r->sh.info.input, e) == 0) {
        memcpy(r->model.params, saved.params, sizeof(float) * lc_model_nparams(&r->model));
        memcpy(r->model.mean, saved.mean, sizeof(float) * (size_t)r->D);
        memcpy(r->model.scale, saved.scale, sizeof(float) * (size_t)r->D);
        lc_model_set_scale(&r->model);
    }
    lc_model_free(&saved);
    if (e->code) return e->code;
    uint64_t seed = 0;
    if (lc_ckpt_read_state(path, &r->opt, &r->step, &r->epoch, &seed, &r->hist, e)) return e->code;
    if (seed != (uint64_t)r->cfg->seed)
        return lc_fail(e, LC_EARG, "--resume %s: checkpoint seed %llu differs from --seed %lld", path,
                       (unsigned long long)seed, r->cfg->seed);
    /* the position must be one this run could have reached: epoch = step / spe,
     * and step * B (batch positions, draw_batch) must not overflow */
    int64_t spe = (r->sh.N + r->B - 1) / r->B;
    if (r->step >= INT64_MAX / r->B)
        return lc_fail(e, LC_EDATA, "--resume %s: /optim attribute step %lld is too large (must be below %lld with "
                       "--batch %lld)", path, (long long)r->step, (long long)(INT64_MAX / r->B), (long long)r->B);
    if (r->epoch != r->step / spe)
        return lc_fail(e, LC_EDATA, "--resume %s: /optim attributes step %lld and epoch %lld disagree (%lld steps per "
                       "epoch: step %lld is in epoch %lld)", path, (long long)r->step, (long long)r->epoch,
                       (long long)spe, (long long)r->step, (long long)(r->step / spe));
    /* the epoch in progress at a stop: at most the steps done in it, finite sums */
    if (r->hist.part_steps > r->step % spe || !isfinite(r->hist.part_loss) || !isfinite(r->hist.part_correct) ||
        r->hist.part_correct < 0)
        return lc_fail(e, LC_EDATA, "--resume %s: /history attributes partial_steps %lld, partial_loss %g, "
                       "partial_correct %g do not fit step %lld (at most %lld steps into epoch %lld, finite sums)",
                       path, (long long)r->hist.part_steps, r->hist.part_loss, r->hist.part_correct,
                       (long long)r->step, (long long)(r->step % spe), (long long)(r->step / spe + 1));
    return 0;
}

/* This rank's rows of the batch of step `step`: positions p = step * B + i of
 * an endless sequence of random permutations of the N training rows, one per
 * pass; a position belongs to the rank that holds its row. Local indices into
 * idx (in position order); returns how many. */
static int batch_rows(const run_t *r, int64_t step, int64_t *idx) {
    const uint64_t N = (uint64_t)r->sh.N, lo = (uint64_t)r->sh.lo, hi = (uint64_t)r->sh.hi;
    const uint64_t seed = (uint64_t)r->cfg->seed, p0 = (uint64_t)step * (uint64_t)r->B;
    int n = 0;
    for (int64_t i = 0; i < r->B; i++) {
        uint64_t p = p0 + (uint64_t)i, pass = p / N, j = p % N;
        uint64_t t = lc_rng_perm(seed, lc_stream(LC_RNG_BATCH, pass), j, N);
        if (t >= lo && t < hi) idx[n++] = (int64_t)(t - lo);
    }
    return n;
}

/* Scores, losses and score gradients of this rank's rows idx[0..n) into S,
 * L, dS; returns how many are predicted right. */
static int64_t forward(run_t *r, int n, const int64_t *idx) {
    const int K = r->K;
    const lc_shards *sh = &r->sh;
    if (n > 0)
        lc_kern_scores(n, r->D, K, sh->train.u8, sh->train.f32, idx, r->model.W, r->model.b, r->model.mean,
                       r->model.inv_scale, r->S, r->scratch);
    int64_t hits = 0;
    for (int i = 0; i < n; i++) {
        const float *s = r->S + (size_t)i * K;
        int y = sh->train.labels[idx[i]];
        for (int k = 0; k < K; k++) r->srow[k] = s[k];
        hits += lc_argmax_first(s, K) == y;
        r->L[i] = lc_loss_row(r->cfg->loss, r->cfg->margin, r->srow, K, y, r->dS + (size_t)i * K);
    }
    return hits;
}

/* The rows idx[0..n) of this rank, together with the other ranks' rows a set
 * of `rows` rows: their loss sum and correct count (every rank gets the
 * totals) and, unless gout and gacc are both NULL, the gradient of their loss
 * sum reduced exactly (xgrad.h: gout = gradient / rows as floats, or added to
 * gacc). *loss_sum is NaN (and no gradient is computed) when a row's loss or
 * score gradient is NaN, infinite or 2^40 or more: a diverged run.
 * Collective; n <= r->cap. */
static int exact_pass(run_t *r, int n, const int64_t *idx, int64_t rows, float *gout, double *gacc,
                      double *loss_sum, int64_t *correct, lc_err *e) {
    lc_train_result *res = r->res;
    double t0 = lc_now(), red0 = r->xg.t_reduce;
    int64_t hits = forward(r, n, idx);
    if (lc_xgrad_pass1(&r->xg, n, r->L, r->dS, hits, e)) return e->code;
    *loss_sum = r->xg.loss_sum;
    *correct = r->xg.correct;
    if (!r->xg.bad && (gout || gacc) &&
        lc_xgrad_pass2(&r->xg, n, r->dS, r->sh.x8, idx, rows, r->ca, r->cb, gout, gacc, e))
        return e->code;
    double red = r->xg.t_reduce - red0;
    res->t_reduce += red;
    res->t_gemm += lc_now() - t0 - red;
    return 0;
}

static int full_grad(run_t *r, double *loss, double *acc, float *grad, lc_err *e);

/* One synchronized update. Returns the minibatch loss (data + reg) in *loss
 * and the batch's correct count in *correct. A batch of all N rows (full-batch
 * gradient descent) takes full_grad's gradient, in chunks of rows: the same
 * rows, less memory. */
static int train_step(run_t *r, double lr, double *loss, double *correct, lc_err *e) {
    const size_t KD = (size_t)r->K * r->D;
    lc_train_result *res = r->res;
    if (r->B == r->sh.N) {
        double acc = 0;
        if (full_grad(r, loss, &acc, r->gbuf, e)) return e->code;
        *correct = acc * (double)r->sh.N;
        r->samples += r->B;
        if (!isfinite(*loss)) return 0;
        double t3 = lc_now();
        lc_optim_step(&r->opt, (float)lr, r->model.params, r->gbuf);
        res->t_update += lc_now() - t3;
        return 0;
    }
    double t0 = lc_now();
    int n = batch_rows(r, r->step, r->idx);
    res->t_gather += lc_now() - t0;
    float *grad = r->gbuf;
    double ls = 0;
    int64_t hits = 0;
    if (exact_pass(r, n, r->idx, r->B, grad, NULL, &ls, &hits, e)) return e->code;
    r->samples += r->B;
    double t3 = lc_now();
    *loss = ls / (double)r->B + lc_reg_value(r->cfg->reg, r->cfg->lambda, r->cfg->beta, r->model.W, KD);
    *correct = (double)hits;
    if (!isfinite(*loss)) return 0; /* the caller stops; params stay as they were */
    lc_reg_grad_add(r->cfg->reg, (float)r->cfg->lambda, (float)r->cfg->beta, r->model.W, grad, KD);
    lc_optim_step(&r->opt, (float)lr, r->model.params, grad);
    res->t_update += lc_now() - t3;
    return 0;
}

/* Rows per chunk of full_grad: a function of K alone (never of P), so the
 * chunks, and the result, are the same for every rank count. */
static int64_t chunk_rows(int K) {
    int64_t c = ((int64_t)1 << 21) / K;
    if (c > 65536) c = 65536;
    if (c < 256) c = 256;
    return c;
}

/* The full-batch loss and gradient at the current parameters, the same bits
 * for every rank count and on every CPU (for L-BFGS and the final evaluation):
 *   *loss = (1/N) sum_i L_i + lambda R(W)   over all N training rows
 *   *acc  = the fraction of training rows predicted right
 *   grad  = d loss / d params (K*D + K floats; NULL: loss and accuracy only)
 * The training rows are taken in chunks of chunk_rows(K) consecutive training
 * indices; each chunk's gradient is reduced exactly like a step's, and the
 * chunks are added in double in chunk order. Collective. */
static int full_grad(run_t *r, double *loss, double *acc, float *grad, lc_err *e) {
    const int K = r->K;
    const size_t KD = (size_t)K * r->D, np = KD + (size_t)K;
    const int64_t N = r->sh.N, lo = r->sh.lo, hi = r->sh.hi;
    double lsum = 0;
    int64_t hits = 0;
    if (!grad) {
        /* loss and count only: blocks of cap rows, one exact reduction */
        int64_t *acc4 = lc_calloc(LC_XS_LIMBS + 2, sizeof(int64_t), e);
        if (lc_agree(r->comm, e)) return e->code;
        for (int64_t i = lo; i < hi; i += r->cap) {
            int n = (int)(hi - i < r->cap ? hi - i : r->cap);
            for (int j = 0; j < n; j++) r->idx[j] = i - lo + j;
            lc_kern_scores(n, r->D, K, r->sh.train.u8, r->sh.train.f32, r->idx, r->model.W, r->model.b,
                           r->model.mean, r->model.inv_scale, r->S, r->scratch);
            for (int j = 0; j < n; j++) {
                const float *s = r->S + (size_t)j * K;
                int y = r->sh.train.labels[r->idx[j]];
                for (int k = 0; k < K; k++) r->srow[k] = s[k];
                acc4[LC_XS_LIMBS] += lc_argmax_first(s, K) == y;
                acc4[LC_XS_LIMBS + 1] |= lc_xs_add(acc4, lc_loss_row(r->cfg->loss, r->cfg->margin, r->srow, K, y, r->dS));
            }
        }
        lc_xs_norm(acc4, 1);
        if (MPI_Allreduce(MPI_IN_PLACE, acc4, LC_XS_LIMBS + 2, MPI_INT64_T, MPI_SUM, r->comm) != MPI_SUCCESS)
            lc_fail(e, LC_EINTERNAL, "MPI_Allreduce failed (full loss)");
        lsum = acc4[LC_XS_LIMBS + 1] ? NAN : lc_xs_value(acc4);
        hits = acc4[LC_XS_LIMBS];
        free(acc4);
        if (e->code) return e->code;
    } else {
        double *g = lc_calloc(np, sizeof(double), e);
        if (lc_agree(r->comm, e)) return e->code;
        const int64_t ch = chunk_rows(K);
        for (int64_t c0 = 0; c0 < N && !e->code; c0 += ch) {
            int64_t a = c0 > lo ? c0 : lo, b = c0 + ch < hi ? c0 + ch : hi;
            int n = b > a ? (int)(b - a) : 0;
            for (int j = 0; j < n; j++) r->idx[j] = a - lo + j;
            double ls = 0;
            int64_t h = 0;
            if (exact_pass(r, n, r->idx, (c0 + ch < N ? ch : N - c0), NULL, g, &ls, &h, e)) break;
            lsum += ls;
            hits += h;
            if (isnan(ls)) break; /* diverged: every rank sees it */
        }
        for (size_t i = 0; i < np; i++) grad[i] = (float)(g[i] / (double)N);
        free(g);
        if (e->code) return e->code;
        lc_reg_grad_add(r->cfg->reg, (float)r->cfg->lambda, (float)r->cfg->beta, r->model.W, grad, KD);
    }
    *loss = lsum / (double)N + lc_reg_value(r->cfg->reg, r->cfg->lambda, r->cfg->beta, r->model.W, KD);
    *acc = (double)hits / (double)N;
    return 0;
}

/* Full training loss (data + reg) and accuracy at the end (full_grad). */
static int final_train_eval(run_t *r, lc_err *e) {
    return full_grad(r, &r->res->final_loss, &r->res->train_acc, NULL, e);
}

/* --- full-batch L-BFGS ----------------------------------------------------------- */

/* The objective L-BFGS sees: F(x) = full_grad's loss at the float parameters
 * nearest x (the model holds floats), its float gradient widened to double;
 * aux = training accuracy. One exact reduction per evaluation. */
static int lbfgs_eval(void *ctx, const double *x, double *f, double *g, double *aux, lc_err *e) {
    run_t *r = ctx;
    const size_t np = lc_model_nparams(&r->model);
    const float *grad = r->gbuf;
    for (size_t i = 0; i < np; i++) r->model.params[i] = (float)x[i];
    if (full_grad(r, f, aux, r->gbuf, e)) return e->code;
    for (size_t i = 0; i < np; i++) g[i] = (double)grad[i];
    r->samples += r->sh.N;
    return 0;
}

static void lbfgs_sync_model(run_t *r) {
    const size_t np = lc_model_nparams(&r->model);
    for (size_t i = 0; i < np; i++) r->model.params[i] = (float)r->lb.x[i];
    r->opt.t = r->lb.iter;
}

/* Starts from the model's parameters (one evaluation), unless resumed. */
static int lbfgs_setup(run_t *r, int resumed, lc_err *e) {
    const size_t np = lc_model_nparams(&r->model);
    if (lc_lbfgs_init(&r->lb, np, r->cfg->lbfgs_m, e)) return e->code;
    r->lb.gtol = r->cfg->gtol;
    r->lb.ftol = r->cfg->ftol;
    if (resumed) {
        if (lc_ckpt_read_lbfgs(r->cfg->resume, &r->lb, e)) return e->code;
        lbfgs_sync_model(r);
        return 0;
    }
    for (size_t i = 0; i < np; i++) r->lb.x[i] = (double)r->model.params[i];
    return lc_lbfgs_start(&r->lb, r->lb.x, lbfgs_eval, r, e);
}

/* One L-BFGS iteration; *moved = 0 when it did not take a step (the stopping
 * rule holds already, or no decrease could be found), with r->stop saying why. */
static int lbfgs_step(run_t *r, double *loss, double *correct, int *moved, lc_err *e) {
    static const char *const why[] = {NULL, "gradient", "decrease"};
    *moved = 0;
    r->stop = why[lc_lbfgs_converged(&r->lb)];
    if (r->stop) return 0;
    lc_lbfgs_status st;
    if (lc_lbfgs_iterate(&r->lb, lbfgs_eval, r, &st, e)) return e->code;
    lbfgs_sync_model(r);
    if (st == LC_LBFGS_NO_PROGRESS) {
        r->stop = "no_progress";
        return 0;
    }
    *moved = 1;
    *loss = r->lb.f;
    *correct = r->lb.aux * (double)r->sh.N; /* the loop divides by B = N */
    r->stop = why[lc_lbfgs_converged(&r->lb)];
    return 0;
}

static int write_ckpt(run_t *r, lc_err *e) {
    if (!r->cfg->checkpoint[0]) return 0;
    if (r->rank == 0) {
        lc_ckpt_out st = {r->step, r->epoch, (uint64_t)r->cfg->seed, &r->opt, &r->hist, lc_train_opts, r->cfg,
                          r->dict.K ? &r->dict : NULL, r->lbfgs ? &r->lb : NULL};
        lc_ckpt_write(r->cfg->checkpoint, &r->model, &st, e);
    }
    return lc_agree(r->comm, e);
}

/* A signal stopped the run at a step boundary (every rank agreed): save the
 * epoch in progress with the checkpoint, and say how to go on. */
static int stop_run(run_t *r, int sig, double ep_loss, double ep_corr, int64_t ep_steps, lc_err *e) {
    const char *ck = r->cfg->checkpoint;
    r->hist.part_loss = ep_loss;
    r->hist.part_correct = ep_corr;
    r->hist.part_steps = ep_steps;
    r->res->stopped = sig;
    r->res->steps = r->step;
    r->res->epochs = (int)r->epoch;
    if (write_ckpt(r, e)) return e->code;
    char where[160];
    snprintf(where, sizeof where, "%s at step %lld of %lld (epoch %lld of %d)", lc_stop_signame(sig),
             (long long)r->step, (long long)r->end, (long long)(r->step / r->spe + 1), r->cfg->epochs);
    if (ck[0])
        return lc_fail(e, LC_ESTOP, "%s; checkpoint written to %s: continue with --resume %s", where, ck, ck);
    return lc_fail(e, LC_ESTOP, "%s; nothing saved (no --checkpoint given)", where);
}

/* Test hook: LINCLS_STEP_DELAY_MS sleeps before every step, so that a test
 * can signal a run in the middle on any machine. */
static long step_delay_ms(void) {
    const char *s = getenv("LINCLS_STEP_DELAY_MS");
    return s ? atol(s) : 0;
}

static void progress(run_t *r, double loss, double tr_acc, double va_acc, double lr, double sps,
                     double elapsed, double eta) {
    if (r->cfg->quiet) return;
    char el[32], et[32], va[32];
    if (isnan(va_acc)) snprintf(va, sizeof va, "  -   "); /* no validation split: as wide as "100.0%" */
    else snprintf(va, sizeof va, "%5.1f%%", 100 * va_acc);
    if (r->lbfgs) {
        lc_log("iter %4lld/%d  loss %.6f  train %5.1f%%  val %s  step %.2e  evals %2d  max|g| %.2e  %7.0f samples/s  "
               "elapsed %s  ETA %s\n",
               (long long)r->epoch, r->cfg->epochs, loss, 100 * tr_acc, va, lr, r->lb.ls_evals,
               lc_lbfgs_norm_inf(r->lb.g, r->lb.n), sps, lc_fmt_duration(elapsed, el, sizeof el),
               lc_fmt_duration(eta, et, sizeof et));
        return;
    }
    lc_log("epoch %3lld/%d  loss %.4f  train %5.1f%%  val %s  lr %.2e  %7.0f samples/s  elapsed %s  ETA %s\n",
           (long long)r->epoch, r->cfg->epochs, loss, 100 * tr_acc, va, lr, sps,
           lc_fmt_duration(elapsed, el, sizeof el), lc_fmt_duration(eta, et, sizeof et));
}

/* Rank 0: an output that names an input (or the other output) would
 * destroy it; refused before anything is written, by device and inode.
 * --checkpoint may name --init or --resume: they are read before the first
 * checkpoint replaces them atomically, which is how a run is continued. */
static int check_outputs(const lc_train_params *c, lc_err *e) {
    const char *init = strcmp(c->init, "zeros") && strncmp(c->init, "randn:", 6) ? c->init : "";
    const struct { const char *flag, *path, *what; } other[] = {
        {"--data", c->data, "input"}, {"--init", init, "input"}, {"--resume", c->resume, "input"},
        {"--checkpoint", c->checkpoint, "checkpoint"}};
    for (int i = 0; i < 4 && c->metrics[0]; i++)
        if (lc_io_same_file(c->metrics, other[i].path))
            return lc_fail(e, LC_EARG, "--metrics %s is the %s file %s %s: refusing to overwrite it", c->metrics,
                           other[i].what, other[i].flag, other[i].path);
    if (c->checkpoint[0] && lc_io_same_file(c->checkpoint, c->data))
        return lc_fail(e, LC_EARG, "--checkpoint %s is the input file --data %s: refusing to overwrite it",
                       c->checkpoint, c->data);
    return 0;
}

/* Rank 0: one JSON line per epoch; a write that fails (a full disk) is an
 * error naming the file. */
static int metrics_line(run_t *r, FILE *mf, double loss, double tr_acc, double va_acc, double lr,
                        double sps, double elapsed, lc_err *e) {
    if (!mf) return 0;
    lc_json j;
    lc_json_begin(&j);
    lc_json_int(&j, "epoch", r->epoch);
    lc_json_int(&j, "step", r->step);
    lc_json_num(&j, "loss", loss);
    lc_json_num(&j, "train_acc", tr_acc);
    lc_json_num(&j, "val_acc", va_acc);
    lc_json_num(&j, "lr", lr);
    lc_json_num(&j, "samples_per_second", sps);
    lc_json_num(&j, "elapsed", elapsed);
    if (r->lbfgs) {
        lc_json_int(&j, "evaluations", r->lb.nfev);
        lc_json_num(&j, "grad_norm", lc_lbfgs_norm_inf(r->lb.g, r->lb.n));
    }
    lc_json_end(&j);
    fprintf(mf, "%s\n", j.s);
    int bad = fflush(mf) != 0 || ferror(mf);
    lc_json_free(&j);
    if (bad) return lc_fail(e, LC_EIO, "--metrics %s: cannot write: %s", r->cfg->metrics, strerror(errno));
    return 0;
}

static int alloc_buffers(run_t *r, lc_err *e) {
    const int K = r->K, D = r->D;
    const int64_t nloc = r->sh.hi - r->sh.lo;
    /* a step's local rows: B <= N, so a batch spans at most two passes (it
     * wraps from one permutation into the next), each holding a row once */
    int64_t cap = r->B == r->sh.N ? 0 : r->B < 2 * nloc ? r->B : 2 * nloc;
    int64_t ch = chunk_rows(K) < nloc ? chunk_rows(K) : nloc; /* full_grad's */
    if (ch > cap) cap = ch;
    if (cap < 1) cap = 1;
    r->cap = (int)cap;
    size_t ck = (size_t)cap * (size_t)K;
    r->idx = lc_malloc(sizeof(int64_t) * (size_t)cap, e);
    r->S = lc_malloc(sizeof(float) * ck, e);
    r->dS = lc_malloc(sizeof(double) * ck, e);
    r->L = lc_malloc(sizeof(double) * (size_t)cap, e);
    r->scratch = lc_malloc(sizeof(float) * (size_t)D, e);
    r->srow = lc_malloc(sizeof(double) * (size_t)K, e);
    r->ca = lc_malloc(sizeof(double) * (size_t)D, e);
    r->cb = lc_malloc(sizeof(double) * (size_t)D, e);
    r->gbuf = lc_malloc(sizeof(int32_t) * lc_model_nparams(&r->model), e); /* int32 and float: 4 bytes */
    if (!e->code) lc_xgrad_init(&r->xg, r->comm, K, D, r->cap, r->gbuf, e);
    return e->code;
}

/* The elementwise factors of the gradient formula, from the model's mean and
 * scale and the inputs' levels (after normalize / init / resume). */
static void set_factors(run_t *r) {
    for (int d = 0; d < r->D; d++) {
        double inv = r->model.inv_scale[d];
        r->ca[d] = r->sh.level_step[d] * inv;
        r->cb[d] = (r->sh.level_lo[d] - (double)r->model.mean[d]) * inv;
    }
}

static void run_free(run_t *r) {
    lc_shards_free(&r->sh);
    lc_model_free(&r->model);
    lc_bow_dict_free(&r->dict);
    lc_optim_free(&r->opt);
    lc_history_free(&r->hist);
    free(r->idx);
    free(r->S);
    free(r->dS);
    free(r->L);
    free(r->scratch);
    free(r->srow);
    free(r->ca);
    free(r->cb);
    lc_xgrad_free(&r->xg);
    free(r->gbuf);
    lc_lbfgs_free(&r->lb);
}

static int setup(run_t *r, lc_err *e) {
    const lc_train_params *c = r->cfg;
    r->sched = (lc_sched){c->schedule, c->lr, c->lr_decay, c->lr_step, c->min_lr, c->warmup};
    r->lbfgs = c->optimizer == LC_OPT_LBFGS;
    if (r->rank == 0) check_outputs(c, e);
    if (lc_agree(r->comm, e)) return e->code;
    lc_shards_spec spec = {c->data, c->val, c->folds, c->fold, c->no_test, "--val", "--folds"};
    if (lc_shards_load(r->comm, &spec, &r->sh, e) || lc_agree(r->comm, e)) return e->code;
    r->K = r->sh.info.n_classes;
    r->D = r->sh.info.dim;
    r->B = r->lbfgs ? r->sh.N : c->batch; /* lbfgs: every evaluation is full batch */
    if (r->B > r->sh.N)
        lc_fail(e, LC_EARG, "--batch %d is larger than the %lld training rows of %s", c->batch,
                (long long)r->sh.N, c->data);
    else if ((int64_t)r->K * (r->D + 1) > INT32_MAX)
        lc_fail(e, LC_EDATA, "%s: %d classes x %d inputs are too many parameters for one reduction", c->data, r->K,
                r->D);
    if (lc_agree(r->comm, e)) return e->code;
    if (lc_model_alloc(&r->model, r->K, r->D, e) || lc_agree(r->comm, e)) return e->code;
    r->model.loss = r->cfg->loss;
    r->model.margin = (float)r->cfg->margin;
    r->model.n_classes = r->K;
    memcpy(r->model.classes, r->sh.info.classes, sizeof r->sh.info.classes);
    snprintf(r->model.input, sizeof r->model.input, "%s", r->sh.info.input);
    /* bag-of-words features: the model carries their dictionary (bow.h) */
    if (r->rank == 0 && !r->sh.info.is_images && lc_bow_dict_present(c->data) == 1) lc_bow_dict_load(c->data, &r->dict, e);
    if (lc_agree(r->comm, e)) return e->code;
    if (lc_shards_normalize(&r->sh, c->scale, 1, &r->model, e) || lc_shards_levels(&r->sh, e)) return e->code;
    r->sched.lr = lc_train_lr(c, r->sh.info.is_images);
    r->res->lr = r->sched.lr;
    if (lc_optim_init(&r->opt, r->cfg->optimizer, lc_model_nparams(&r->model), e) || lc_agree(r->comm, e)) return e->code;
    r->opt.mu = (float)r->cfg->momentum;
    if (r->cfg->resume[0]) {
        resume_from(r, e);
    } else {
        init_params(r, e);
    }
    if (lc_agree(r->comm, e)) return e->code;
    if (alloc_buffers(r, e) || lc_agree(r->comm, e)) return e->code;
    set_factors(r);
    if (r->lbfgs) lbfgs_setup(r, r->cfg->resume[0] != 0, e); /* full_grad needs the factors */
    return lc_agree(r->comm, e);
}

int lc_train_run(MPI_Comm comm, const lc_train_params *cfg, lc_train_result *res, lc_err *e) {
    run_t r;
    memset(&r, 0, sizeof r);
    memset(res, 0, sizeof *res);
    r.comm = comm;
    r.cfg = cfg;
    r.res = res;
    MPI_Comm_rank(comm, &r.rank);
    MPI_Comm_size(comm, &r.P);
    openblas_set_num_threads(1); /* ranks are the parallelism */

    double t_load = lc_now();
    FILE *mf = NULL;
    lc_stop_vote vote = LC_STOP_VOTE_INIT;
    if (setup(&r, e)) goto done;
    res->load_seconds = lc_now() - t_load;
    res->ranks = r.P;
    r.spe = (r.sh.N + r.B - 1) / r.B;
    r.total = r.spe * cfg->epochs;
    r.end = cfg->max_steps > 0 && cfg->max_steps < r.total ? cfg->max_steps : r.total;
    if (r.rank == 0 && cfg->metrics[0]) {
        mf = fopen(cfg->metrics, r.step > 0 ? "a" : "w");
        if (!mf) lc_fail(e, LC_EIO, "--metrics %s: cannot open for writing", cfg->metrics);
    }
    if (lc_agree(comm, e)) goto done;
    if (!cfg->quiet && r.lbfgs)
        lc_log("train: %s, N=%lld train / %lld val / %lld test rows, D=%d, K=%d, P=%d ranks, loss %s, reg %s "
               "(lambda %g), full-batch lbfgs (history %d, gtol %g, ftol %g), at most %lld iterations; "
               "start: loss %.6f, max|g| %.2e\n",
               cfg->data, (long long)r.sh.N, (long long)(r.sh.hold_hi - r.sh.hold_lo), (long long)r.sh.info.n_test,
               r.D, r.K, r.P, lc_loss_name(cfg->loss), lc_reg_name(cfg->reg), cfg->lambda, cfg->lbfgs_m, cfg->gtol, cfg->ftol,
               (long long)r.end, r.lb.f, lc_lbfgs_norm_inf(r.lb.g, r.lb.n));
    else if (!cfg->quiet)
        lc_log("train: %s, N=%lld train / %lld val / %lld test rows, D=%d, K=%d, B=%lld, P=%d ranks, "
               "%lld steps/epoch, loss %s, reg %s (lambda %g), %s lr %g\n",
               cfg->data, (long long)r.sh.N, (long long)(r.sh.hold_hi - r.sh.hold_lo), (long long)r.sh.info.n_test, r.D, r.K, (long long)r.B, r.P,
               (long long)r.spe, lc_loss_name(cfg->loss), lc_reg_name(cfg->reg), cfg->lambda, lc_optim_name(cfg->optimizer), r.sched.lr);
    if (!cfg->quiet) lc_blas_log();
    if (!cfg->quiet && cfg->vshards[0])
        lc_log("train: --vshards is deprecated and ignored: the result is the same at every rank count\n");

    /* A run resumed after a signal carries on the sums of the epoch it stopped in. */
    double t_start = lc_now(), t_epoch = t_start, ep_loss = r.hist.part_loss, ep_corr = r.hist.part_correct;
    double lr = r.sched.lr;
    int64_t ep_steps = r.hist.part_steps, start_step = r.step;
    int64_t start_samples = r.samples, ep_samples = r.samples; /* rows through forward + backward */
    r.hist.part_loss = r.hist.part_correct = 0;
    r.hist.part_steps = 0;
    const long delay_ms = step_delay_ms();
    int stop_sig = 0;
    while (r.step < r.end) {
        /* step boundary: a SIGUSR1/SIGTERM that reached any rank stops every rank here */
        if (stop_sig) {
            stop_run(&r, stop_sig, ep_loss, ep_corr, ep_steps, e);
            goto done;
        }
        if (delay_ms > 0) nanosleep(&(struct timespec){delay_ms / 1000, delay_ms % 1000 * 1000000L}, NULL);
        double loss = 0, corr = 0;
        lc_stop_vote_start(&vote, comm); /* travels with the step's gradient exchange */
        if (r.lbfgs) {
            int moved = 0;
            if (lbfgs_step(&r, &loss, &corr, &moved, e)) goto done;
            stop_sig = lc_stop_vote_finish(&vote);
            if (!moved) break;
            lr = r.lb.step;
        } else {
            lr = lc_sched_lr(&r.sched, r.step, r.spe, r.total);
            if (train_step(&r, lr, &loss, &corr, e)) goto done;
            stop_sig = lc_stop_vote_finish(&vote);
        }
        if (!isfinite(loss)) {
            lc_fail(e, LC_EDIVERGE, "training diverged: loss is %s at step %lld (epoch %lld); lower --lr%s%s",
                    isnan(loss) ? "nan" : "inf", (long long)r.step + 1, (long long)r.epoch + 1,
                    cfg->checkpoint[0] ? "; the last good checkpoint is kept in " : "", cfg->checkpoint);
            goto done;
        }
        r.step++;
        ep_loss += loss;
        ep_corr += corr;
        ep_steps++;
        if (r.step % r.spe != 0 && r.step != r.end) continue;
        /* end of an epoch (or of the run) */
        if (r.step % r.spe == 0) r.epoch = r.step / r.spe;
        double te = lc_now();
        double va = lc_shards_accuracy(&r.sh, &r.model, &r.sh.val, r.sh.hold_hi - r.sh.hold_lo, e);
        if (e->code) goto done;
        res->t_eval += lc_now() - te;
        double now = lc_now(), sps = (double)(r.samples - ep_samples) / (now - t_epoch);
        double done_frac = (double)(r.step - start_step) / (double)(r.end - start_step);
        double eta = (now - t_start) * (1 - done_frac) / done_frac;
        double mean_loss = ep_loss / (double)ep_steps, tr = ep_corr / (double)(ep_steps * r.B);
        if (lc_history_push(&r.hist, mean_loss, tr, va, lr, now - t_start, e)) goto done;
        progress(&r, mean_loss, tr, va, lr, sps, now - t_start, eta);
        metrics_line(&r, mf, mean_loss, tr, va, lr, sps, now - t_start, e);
        if (cfg->metrics[0] && lc_agree(comm, e)) goto done; /* rank 0 writes; every rank agrees */
        res->val_acc = va;
        if (cfg->checkpoint_every > 0 && r.step % r.spe == 0 && r.epoch % cfg->checkpoint_every == 0 &&
            r.step != r.end && write_ckpt(&r, e))
            goto done;
        if (r.stop) break; /* lbfgs: the stopping rule holds */
        ep_loss = ep_corr = 0;
        ep_steps = 0;
        ep_samples = r.samples;
        t_epoch = lc_now();
    }
    res->seconds = lc_now() - t_start;
    res->steps = r.step;
    res->epochs = (int)r.epoch;
    res->samples_per_second = res->seconds > 0 ? (double)(r.samples - start_samples) / res->seconds : 0;
    if (r.lbfgs) {
        res->evaluations = r.lb.nfev;
        res->grad_norm = lc_lbfgs_norm_inf(r.lb.g, r.lb.n);
        snprintf(res->lbfgs_stop, sizeof res->lbfgs_stop, "%s", r.stop ? r.stop : "epochs");
        if (!cfg->quiet && r.stop)
            lc_log("lbfgs: stopped after %lld iterations: %s\n", (long long)r.step,
                   strcmp(r.stop, "gradient") == 0 ? "max |gradient_i| <= --gtol"
                   : strcmp(r.stop, "decrease") == 0 ? "the last iteration lowered the loss by <= --ftol (relative)"
                   : "no decrease found along the L-BFGS direction nor along -gradient (precision limit)");
    }
    double te = lc_now();
    if (final_train_eval(&r, e)) goto done;
    res->val_acc = lc_shards_accuracy(&r.sh, &r.model, &r.sh.val, r.sh.hold_hi - r.sh.hold_lo, e);
    res->test_acc = cfg->no_test ? NAN : lc_shards_accuracy(&r.sh, &r.model, &r.sh.test, r.sh.info.n_test, e);
    res->t_eval += lc_now() - te;
    if (lc_agree(comm, e)) goto done;
    write_ckpt(&r, e);
done:
    lc_stop_vote_finish(&vote); /* a step that failed left its vote open */
    if (mf && fclose(mf) != 0) lc_fail(e, LC_EIO, "--metrics %s: cannot write: %s", cfg->metrics, strerror(errno));
    run_free(&r);
    return lc_agree(comm, e);
}

void lc_train_result_json(const lc_train_params *c, const lc_train_result *res, lc_json *j) {
    lc_json_num(j, "train_acc", res->train_acc);
    lc_json_num(j, "val_acc", res->val_acc);
    lc_json_num(j, "test_acc", res->test_acc);
    lc_json_num(j, "final_loss", res->final_loss);
    lc_json_int(j, "epochs", res->epochs);
    lc_json_int(j, "steps", res->steps);
    lc_json_num(j, "seconds", res->seconds);
    lc_json_num(j, "load_seconds", res->load_seconds);
    lc_json_num(j, "samples_per_second", res->samples_per_second);
    lc_json_int(j, "ranks", res->ranks);
    if (c->optimizer == LC_OPT_LBFGS) {
        lc_json_int(j, "evaluations", res->evaluations);
        lc_json_num(j, "grad_norm", res->grad_norm);
        lc_json_str(j, "lbfgs_stop", res->lbfgs_stop);
    }
    lc_json_str(j, "loss", lc_loss_name(c->loss));
    lc_json_str(j, "reg", lc_reg_name(c->reg));
    lc_json_num(j, "lambda", c->lambda);
    lc_json_str(j, "optimizer", lc_optim_name(c->optimizer));
    lc_json_num(j, "lr", res->lr);
    lc_json_int(j, "batch", c->batch);
    lc_json_int(j, "seed", c->seed);
    lc_json_str(j, "checkpoint", c->checkpoint);
    char t[256];
    snprintf(t, sizeof t, "{\"gather\":%.4f,\"gemm\":%.4f,\"reduce\":%.4f,\"update\":%.4f,\"eval\":%.4f}",
             res->t_gather, res->t_gemm, res->t_reduce, res->t_update, res->t_eval);
    lc_json_raw(j, "time_rank0", t);
}

/* --- the command ------------------------------------------------------------------ */
static int check_train(const void *p, int nranks, lc_err *e) { return lc_train_check(p, e); }

static int run_train(MPI_Comm comm, const void *p, const lc_args *args, lc_json *j, lc_err *e) {
    lc_train_params params = *(const lc_train_params *)p; /* the bag-of-words defaults may change it */
    const lc_train_params *cfg = &params;
    int rank;
    MPI_Comm_rank(comm, &rank);
    /* a bag-of-words features file: the recipe's classifier unless told otherwise
     * (a file that cannot be read is reported by the run itself) */
    int bow = rank == 0 ? lc_bow_dict_present(cfg->data) == 1 : 0;
    MPI_Bcast(&bow, 1, MPI_INT, 0, comm);
    if (bow && lc_train_bow_defaults(&params, args->argc, args->argv) && rank == 0 && !cfg->quiet)
        lc_log("train: %s holds bag-of-words features: the recipe's classifier, --loss %s --optimizer %s "
               "--lambda %g --epochs %d (name --loss or --optimizer to choose another)\n",
               cfg->data, lc_loss_name(cfg->loss), lc_optim_name(cfg->optimizer), cfg->lambda, cfg->epochs);
    lc_train_result res;
    lc_stop_arm(); /* SIGUSR1 / SIGTERM: stop at the next step, checkpoint, exit 75 */
    int failed = lc_train_run(comm, cfg, &res, e);
    lc_stop_disarm();
    if (failed && e->code == LC_ESTOP && rank == 0) { /* a JSON line all the same: job scripts read it */
        lc_json_str(j, "stopped", lc_stop_signame(res.stopped));
        lc_json_int(j, "steps", res.steps);
        lc_json_int(j, "epochs", res.epochs);
        lc_json_str(j, "checkpoint", cfg->checkpoint);
    }
    if (failed) return 1;
    if (rank == 0) {
        lc_train_result_json(cfg, &res, j);
        if (!cfg->quiet) {
            char buf[32], val[32], test[32];
            lc_log("done: train %.2f%%  val %s  test %s  final loss %.4f  in %s\n", 100 * res.train_acc,
                   lc_fmt_pct(res.val_acc, 2, val, sizeof val), lc_fmt_pct(res.test_acc, 2, test, sizeof test),
                   res.final_loss, lc_fmt_duration(res.seconds, buf, sizeof buf));
        }
    }
    return 0;
}

const lc_command lc_cmd_train = {
    "train", "train a linear classifier (default subcommand)",
    "usage: lincls-mpi train [options]\n"
    "Trains a linear classifier s = W x' + b on a dataset or features file, data-parallel\n"
    "over the MPI ranks. The last stdout line is a JSON object with the results.\n"
    "On a bag-of-words features file (one with a /dictionary) a run that names neither\n"
    "--loss nor --optimizer trains the recipe's classifier: --loss ova2 --optimizer lbfgs\n"
    "--lambda 0.005 --epochs 1000 (--lambda and --epochs given still apply).",
    lc_train_opts, &lc_train_defaults, sizeof(lc_train_params), check_train, run_train};
