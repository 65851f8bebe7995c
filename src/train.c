/* train: data-parallel minibatch training of a linear classifier.
 *
 * Shapes: N training rows (after the validation split), D inputs, K classes,
 * B global batch, P ranks, V virtual shards. Training rows are cut into V
 * contiguous shards; rank r holds the rows of its shards only. Shard v draws
 * b_v = floor(B(v+1)/V) - floor(Bv/V) rows per step from its own random
 * stream: a fresh random permutation of the shard each pass over it. So the
 * global batch, and with the tree sum every bit of the result, depends on
 * (data, flags, seed) alone, not on P. */
#define _POSIX_C_SOURCE 200809L
#include "lincls/train.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lincls/bow.h"
#include "lincls/ckpt.h"
#include "lincls/commands.h"
#include "lincls/dataset.h"
#include "lincls/dist.h"
#include "lincls/loss.h"
#include "lincls/model.h"
#include "lincls/optim.h"
#include "lincls/reg.h"
#include "lincls/rng.h"
#include "lincls/shards.h"

void openblas_set_num_threads(int n); /* OpenBLAS extension */

void lc_train_defaults(lc_train_cfg *c) {
    memset(c, 0, sizeof *c);
    snprintf(c->data, sizeof c->data, "data/cifar10.h5");
    snprintf(c->loss, sizeof c->loss, "softmax");
    snprintf(c->reg, sizeof c->reg, "l2");
    snprintf(c->optimizer, sizeof c->optimizer, "adam");
    snprintf(c->schedule, sizeof c->schedule, "cosine");
    snprintf(c->init, sizeof c->init, "zeros");
    snprintf(c->scale, sizeof c->scale, "std");
    c->lambda = 1e-3;
    c->beta = 0.5;
    c->margin = 1.0;
    c->lr = 0; /* auto: see lc_train_lr */
    c->lr_decay = 0.9;
    c->lr_step = 1;
    c->min_lr = 0;
    c->momentum = 0.9;
    c->batch = 256;
    c->epochs = 20;
    c->warmup = 0;
    c->checkpoint_every = 0;
    c->vshards = 8;
    c->max_steps = 0;
    c->val = 1000;
    c->seed = 1;
}

int lc_train_options(lc_train_cfg *c, lc_opt *o) {
    int n = 0;
#define OPT(name, type, ptr, help) o[n++] = (lc_opt){name, type, ptr, help}
    OPT("data", LC_OPT_STR, c->data, "dataset or features file (HDF5, made by lincls-prep / features)");
    OPT("loss", LC_OPT_STR, c->loss, "softmax | svm | svm2");
    OPT("margin", LC_OPT_DOUBLE, &c->margin, "SVM margin delta");
    OPT("reg", LC_OPT_STR, c->reg, "regularization: none | l2 | l1 | elastic");
    OPT("lambda", LC_OPT_DOUBLE, &c->lambda, "regularization strength");
    OPT("beta", LC_OPT_DOUBLE, &c->beta, "elastic net: R = sum(beta W^2 + |W|)");
    OPT("optimizer", LC_OPT_STR, c->optimizer, "sgd | momentum | nesterov | adagrad | rmsprop | adam");
    OPT("momentum", LC_OPT_DOUBLE, &c->momentum, "momentum / nesterov coefficient mu");
    OPT("lr", LC_OPT_DOUBLE, &c->lr, "learning rate (0: 1e-4 on images, 1e-3 on features)");
    OPT("schedule", LC_OPT_STR, c->schedule, "learning-rate schedule: const | step | cosine");
    OPT("lr-decay", LC_OPT_DOUBLE, &c->lr_decay, "step schedule: lr *= lr-decay every --lr-step epochs");
    OPT("lr-step", LC_OPT_INT, &c->lr_step, "step schedule: epochs between decays");
    OPT("min-lr", LC_OPT_DOUBLE, &c->min_lr, "cosine schedule: final learning rate");
    OPT("warmup", LC_OPT_INT, &c->warmup, "linear warmup steps");
    OPT("batch", LC_OPT_INT, &c->batch, "global minibatch B (= training rows: full-batch gradient descent)");
    OPT("epochs", LC_OPT_INT, &c->epochs, "passes over the training rows");
    OPT("max-steps", LC_OPT_I64, &c->max_steps, "stop after this many updates in all (0 = no limit; the schedule still spans --epochs)");
    OPT("val", LC_OPT_I64, &c->val, "validation rows: the last N training rows");
    OPT("folds", LC_OPT_INT, &c->folds, "k-fold cross-validation: cut the training rows into k folds (0: off, use --val)");
    OPT("fold", LC_OPT_INT, &c->fold, "with --folds: the fold (0..k-1) held out for validation");
    OPT("scale", LC_OPT_STR, c->scale, "input normalization x' = (x - mean)/scale: std | 255 | 1");
    OPT("seed", LC_OPT_I64, &c->seed, "random seed (batches, init)");
    OPT("init", LC_OPT_STR, c->init, "zeros | randn:SCALE | FILE.h5 (a checkpoint)");
    OPT("vshards", LC_OPT_INT, &c->vshards, "virtual shards V: results identical for any rank count up to V");
    OPT("checkpoint", LC_OPT_STR, c->checkpoint, "checkpoint file written by rank 0 (empty: none)");
    OPT("checkpoint-every", LC_OPT_INT, &c->checkpoint_every, "also checkpoint every N epochs (0: only at the end)");
    OPT("resume", LC_OPT_STR, c->resume, "continue exactly from this checkpoint");
    OPT("metrics", LC_OPT_STR, c->metrics, "write one JSON object per epoch to this file (JSON lines)");
    OPT("no-test", LC_OPT_FLAG, &c->no_test, "skip the final test-set evaluation");
    OPT("quiet", LC_OPT_FLAG, &c->quiet, "no progress lines");
#undef OPT
    return n;
}

/* The default learning rate, measured on CIFAR-10 with adam + cosine over 20
 * epochs: 1e-4 suits standardized pixels (softmax 41.4%, svm 39.9% test), 1e-3
 * the much shorter HOG + hue feature vectors (softmax 53.5%, svm 52.9%). */
double lc_train_lr(const lc_train_cfg *c, int is_images) {
    if (c->lr > 0) return c->lr;
    return is_images ? 1e-4 : 1e-3;
}

/* Options that must match between a checkpoint and the run resuming from it. */
static const char *const resume_must_match[] = {
    "loss", "margin", "reg", "lambda", "beta", "optimizer", "momentum", "lr", "schedule", "lr-decay",
    "lr-step", "min-lr", "warmup", "batch", "val", "folds", "fold", "scale", "seed", "vshards"};

/* --- state of one run ---------------------------------------------------------- */
typedef struct {
    MPI_Comm comm;
    int rank, P, V;
    const lc_train_cfg *cfg;
    lc_loss_kind loss;
    lc_reg_kind reg;
    lc_optim_kind optk;
    lc_sched sched;
    lc_shards sh;            /* this rank's shards of the training rows, val and test rows */
    int64_t B;               /* global batch */
    int K, D;
    lc_model model;
    lc_bow_dict dict;        /* rank 0: the features file's dictionary, carried into checkpoints */
    lc_optim opt;
    lc_history hist;
    size_t len;              /* leaf length: K*D + K + 2 */
    float *leaves, *sum, *grad, *X, *S;
    int64_t *idx;
    uint8_t *y;
    int64_t step, epoch, spe, total, end;
    lc_train_result *res;
} run_t;

static int64_t shard_share(int64_t B, int V, int v) { return B * (v + 1) / V - B * v / V; }

static int parse_cfg(run_t *r, lc_err *e) {
    const lc_train_cfg *c = r->cfg;
    if (lc_loss_parse(c->loss, &r->loss))
        return lc_fail(e, LC_EARG, "--loss: unknown loss '%s' (softmax, svm, svm2)", c->loss);
    if (lc_reg_parse(c->reg, &r->reg))
        return lc_fail(e, LC_EARG, "--reg: unknown regularization '%s' (none, l2, l1, elastic)", c->reg);
    if (lc_optim_parse(c->optimizer, &r->optk))
        return lc_fail(e, LC_EARG, "--optimizer: unknown optimizer '%s' (sgd, momentum, nesterov, adagrad, rmsprop, adam)",
                       c->optimizer);
    lc_sched_kind sk;
    if (lc_sched_parse(c->schedule, &sk))
        return lc_fail(e, LC_EARG, "--schedule: unknown schedule '%s' (const, step, cosine)", c->schedule);
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
    if (c->vshards < 1 || c->vshards > 4096) return lc_fail(e, LC_EARG, "--vshards must be in 1..4096 (got %d)", c->vshards);
    if (c->folds < 0 || c->folds == 1 || (c->folds > 0 && (c->fold < 0 || c->fold >= c->folds)))
        return lc_fail(e, LC_EARG, "--folds %d --fold %d: need folds >= 2 and 0 <= fold < folds", c->folds, c->fold);
    if (c->folds > 0 && c->val > 0)
        return lc_fail(e, LC_EARG, "--folds replaces --val: give --val 0 with --folds");
    if (c->checkpoint_every < 0) return lc_fail(e, LC_EARG, "--checkpoint-every must be >= 0");
    if (strcmp(c->scale, "std") && strcmp(c->scale, "255") && strcmp(c->scale, "1"))
        return lc_fail(e, LC_EARG, "--scale: '%s' is not one of std, 255, 1", c->scale);
    if (strncmp(c->init, "randn:", 6) == 0) {
        double s;
        if (lc_parse_double(c->init + 6, &s) || s < 0)
            return lc_fail(e, LC_EARG, "--init: '%s' is not randn:SCALE with SCALE >= 0", c->init);
    }
    r->sched = (lc_sched){sk, c->lr, c->lr_decay, c->lr_step, c->min_lr, c->warmup};
    return 0;
}

static int init_params(run_t *r, lc_err *e) {
    const lc_train_cfg *c = r->cfg;
    lc_model *m = &r->model;
    if (strcmp(c->init, "zeros") == 0) return 0;
    if (strncmp(c->init, "randn:", 6) == 0) {
        double s = atof(c->init + 6);
        /* one stream for W: a parameter's value does not depend on anything else */
        for (size_t i = 0; i < (size_t)r->K * r->D; i++)
            m->W[i] = (float)(s * lc_rng_normal((uint64_t)c->seed, lc_stream(LC_RNG_INIT, 0), i));
        return 0;
    }
    lc_model src;
    if (lc_ckpt_read_model(c->init, &src, e)) {
        char msg[sizeof e->msg];
        snprintf(msg, sizeof msg, "--init: %.1000s", e->msg);
        snprintf(e->msg, sizeof e->msg, "%s", msg);
        return e->code;
    }
    if (src.K != r->K || src.D != r->D) {
        lc_fail(e, LC_EDATA, "--init %s: model is %dx%d but the data needs %dx%d", c->init, src.K, src.D, r->K, r->D);
    } else {
        memcpy(m->params, src.params, sizeof(float) * lc_model_nparams(m));
        memcpy(m->mean, src.mean, sizeof(float) * (size_t)r->D);
        memcpy(m->scale, src.scale, sizeof(float) * (size_t)r->D);
        lc_model_set_scale(m);
    }
    lc_model_free(&src);
    return e->code;
}

static int resume_from(run_t *r, const lc_opt *opts, int nopts, lc_err *e) {
    const char *path = r->cfg->resume;
    for (size_t i = 0; i < sizeof resume_must_match / sizeof *resume_must_match; i++) {
        char was[LC_OPT_STRLEN + 64], now[LC_OPT_STRLEN + 64];
        const char *name = resume_must_match[i];
        for (int k = 0; k < nopts; k++) {
            if (strcmp(opts[k].name, name) != 0) continue;
            lc_cli_value(&opts[k], now, sizeof now);
            if (lc_ckpt_read_config(path, name, was, sizeof was) == 0 && strcmp(was, now) != 0)
                return lc_fail(e, LC_EARG,
                               "--resume %s: the checkpoint was trained with --%s %s, this run has --%s %s "
                               "(resuming exactly needs the same value)", path, name, was, name, now);
        }
    }
    lc_model saved;
    if (lc_ckpt_read_model(path, &saved, e)) return e->code;
    if (saved.K != r->K || saved.D != r->D) {
        lc_fail(e, LC_EDATA, "--resume %s: model is %dx%d but the data needs %dx%d", path, saved.K, saved.D, r->K, r->D);
    } else {
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
    return 0;
}

/* Rows of shard v for step s: b_v positions of an endless sequence of random
 * permutations of the shard, one permutation per pass. */
static void draw_batch(const run_t *r, int v, int64_t s, int64_t bv, int64_t *idx) {
    int64_t nv = r->sh.shard_lo[v + 1] - r->sh.shard_lo[v];
    int64_t off = r->sh.shard_lo[v] - r->sh.train.row0;
    for (int64_t i = 0; i < bv; i++) {
        int64_t pos = s * bv + i, pass = pos / nv, j = pos % nv;
        uint64_t stream = lc_stream(LC_RNG_BATCH, ((uint64_t)v << 32) | (uint64_t)pass);
        idx[i] = off + (int64_t)lc_rng_perm((uint64_t)r->cfg->seed, stream, (uint64_t)j, (uint64_t)nv);
    }
}

/* One synchronized update. Returns the minibatch loss (data + reg) in *loss
 * and the batch's correct count in *correct. */
static int train_step(run_t *r, double lr, double *loss, double *correct, lc_err *e) {
    const int K = r->K, D = r->D;
    const size_t KD = (size_t)K * D, len = r->len;
    lc_train_result *res = r->res;
    for (int v = r->sh.tree.v_lo; v < r->sh.tree.v_hi; v++) {
        float *leaf = r->leaves + (size_t)(v - r->sh.tree.v_lo) * len;
        int64_t bv = shard_share(r->B, r->V, v);
        if (bv == 0) {
            memset(leaf, 0, len * sizeof(float));
            continue;
        }
        double t0 = lc_now();
        draw_batch(r, v, r->step, bv, r->idx);
        lc_rows_gather(&r->sh.train, r->idx, (int)bv, r->model.mean, r->model.inv_scale, r->X);
        for (int64_t i = 0; i < bv; i++) r->y[i] = r->sh.train.labels[r->idx[i]];
        double t1 = lc_now();
        int64_t corr = 0;
        double ls = lc_loss_fwd_bwd(r->loss, (float)r->cfg->margin, (int)bv, D, K, r->X, r->y,
                                    r->model.W, r->model.b, r->S, leaf, leaf + KD, &corr);
        leaf[KD + K] = (float)ls;
        leaf[KD + K + 1] = (float)corr;
        res->t_gather += t1 - t0;
        res->t_gemm += lc_now() - t1;
    }
    double t2 = lc_now();
    if (lc_treesum_float(&r->sh.tree, r->leaves, len, r->sum, e)) return e->code;
    double t3 = lc_now();
    const float invB = 1.0f / (float)r->B;
    for (size_t i = 0; i < KD + (size_t)K; i++) r->grad[i] = r->sum[i] * invB;
    *loss = (double)r->sum[KD + K] / (double)r->B +
            lc_reg_value(r->reg, r->cfg->lambda, r->cfg->beta, r->model.W, KD);
    *correct = r->sum[KD + K + 1];
    if (!isfinite(*loss)) return 0; /* the caller stops; params stay as they were */
    lc_reg_grad_add(r->reg, (float)r->cfg->lambda, (float)r->cfg->beta, r->model.W, r->grad, KD);
    lc_optim_step(&r->opt, (float)lr, r->model.params, r->grad);
    res->t_reduce += t3 - t2;
    res->t_update += lc_now() - t3;
    return 0;
}

/* Full training loss (data + reg) and accuracy at the end: per-shard sums in
 * double, tree-summed, so the number is the same for every P. */
static int final_train_eval(run_t *r, lc_err *e) {
    const int K = r->K, D = r->D, nv = r->sh.tree.v_hi - r->sh.tree.v_lo;
    enum { BLOCK = 256 };
    double *leaves = lc_calloc((size_t)nv * 2, sizeof(double), e);
    if (!leaves) return e->code;
    for (int v = r->sh.tree.v_lo; v < r->sh.tree.v_hi; v++) {
        double *lf = leaves + (size_t)(v - r->sh.tree.v_lo) * 2;
        for (int64_t i = r->sh.shard_lo[v]; i < r->sh.shard_lo[v + 1]; i += BLOCK) {
            int n = (int)(r->sh.shard_lo[v + 1] - i < BLOCK ? r->sh.shard_lo[v + 1] - i : BLOCK);
            int64_t row = i - r->sh.train.row0;
            lc_rows_slice(&r->sh.train, row, n, r->model.mean, r->model.inv_scale, r->X);
            int64_t corr = 0;
            lf[0] += lc_loss_fwd_bwd(r->loss, (float)r->cfg->margin, n, D, K, r->X, r->sh.train.labels + row,
                                     r->model.W, r->model.b, r->S, NULL, NULL, &corr);
            lf[1] += (double)corr;
        }
    }
    double tot[2];
    if (!lc_treesum_double(&r->sh.tree, leaves, 2, tot, e)) {
        r->res->final_loss = tot[0] / (double)r->sh.N +
                             lc_reg_value(r->reg, r->cfg->lambda, r->cfg->beta, r->model.W, (size_t)K * D);
        r->res->train_acc = tot[1] / (double)r->sh.N;
    }
    free(leaves);
    return e->code;
}

static int write_ckpt(run_t *r, const lc_opt *opts, int nopts, lc_err *e) {
    if (!r->cfg->checkpoint[0]) return 0;
    if (r->rank == 0) {
        lc_ckpt_out st = {r->step, r->epoch, (uint64_t)r->cfg->seed, &r->opt, &r->hist, opts, nopts,
                          r->dict.K ? &r->dict : NULL};
        lc_ckpt_write(r->cfg->checkpoint, &r->model, &st, e);
    }
    return lc_agree(r->comm, e);
}

static void progress(run_t *r, double loss, double tr_acc, double va_acc, double lr, double sps,
                     double elapsed, double eta) {
    if (r->cfg->quiet) return;
    char el[32], et[32], va[32];
    if (isnan(va_acc)) snprintf(va, sizeof va, "  -  ");
    else snprintf(va, sizeof va, "%5.1f%%", 100 * va_acc);
    lc_log("epoch %3lld/%d  loss %.4f  train %5.1f%%  val %s  lr %.2e  %7.0f samples/s  elapsed %s  ETA %s\n",
           (long long)r->epoch, r->cfg->epochs, loss, 100 * tr_acc, va, lr, sps,
           lc_fmt_duration(elapsed, el, sizeof el), lc_fmt_duration(eta, et, sizeof et));
}

static int metrics_line(run_t *r, FILE *mf, double loss, double tr_acc, double va_acc, double lr,
                        double sps, double elapsed) {
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
    lc_json_end(&j);
    fprintf(mf, "%s\n", j.s);
    fflush(mf);
    lc_json_free(&j);
    return 0;
}

static int alloc_buffers(run_t *r, lc_err *e) {
    int64_t bmax = 0;
    for (int v = 0; v < r->V; v++) {
        int64_t b = shard_share(r->B, r->V, v);
        if (b > bmax) bmax = b;
    }
    if (bmax < 256) bmax = 256; /* evaluation blocks reuse X and S */
    int nv = r->sh.tree.v_hi - r->sh.tree.v_lo;
    r->len = (size_t)r->K * r->D + (size_t)r->K + 2;
    r->leaves = lc_malloc(sizeof(float) * r->len * (size_t)nv, e);
    r->sum = lc_malloc(sizeof(float) * r->len, e);
    r->grad = lc_malloc(sizeof(float) * r->len, e);
    r->X = lc_malloc(sizeof(float) * (size_t)bmax * (size_t)r->D, e);
    r->S = lc_malloc(sizeof(float) * (size_t)bmax * (size_t)r->K, e);
    r->idx = lc_malloc(sizeof(int64_t) * (size_t)bmax, e);
    r->y = lc_malloc((size_t)bmax, e);
    return e->code;
}

static void run_free(run_t *r) {
    lc_shards_free(&r->sh);
    lc_model_free(&r->model);
    lc_bow_dict_free(&r->dict);
    lc_optim_free(&r->opt);
    lc_history_free(&r->hist);
    free(r->leaves);
    free(r->sum);
    free(r->grad);
    free(r->X);
    free(r->S);
    free(r->idx);
    free(r->y);
}

static int setup(run_t *r, const lc_opt *opts, int nopts, lc_err *e) {
    if (parse_cfg(r, e) || lc_agree(r->comm, e)) return e->code;
    const lc_train_cfg *c = r->cfg;
    lc_shards_spec spec = {c->data, r->V, c->val, c->folds, c->fold, c->no_test};
    if (lc_shards_load(r->comm, &spec, &r->sh, e) || lc_agree(r->comm, e)) return e->code;
    r->K = r->sh.info.n_classes;
    r->D = r->sh.info.dim;
    r->B = c->batch;
    if (r->B > r->sh.N)
        lc_fail(e, LC_EARG, "--batch %d is larger than the %lld training rows of %s", c->batch,
                (long long)r->sh.N, c->data);
    if (lc_agree(r->comm, e)) return e->code;
    if (lc_model_alloc(&r->model, r->K, r->D, e) || lc_agree(r->comm, e)) return e->code;
    r->model.loss = r->loss;
    r->model.margin = (float)r->cfg->margin;
    r->model.n_classes = r->K;
    memcpy(r->model.classes, r->sh.info.classes, sizeof r->sh.info.classes);
    snprintf(r->model.input, sizeof r->model.input, "%s", r->sh.info.input);
    /* bag-of-words features: the model carries their dictionary (bow.h) */
    if (r->rank == 0 && !r->sh.info.is_images && lc_bow_dict_present(c->data) == 1) lc_bow_dict_load(c->data, &r->dict, e);
    if (lc_agree(r->comm, e)) return e->code;
    if (lc_shards_normalize(&r->sh, c->scale, 1, &r->model, e)) return e->code;
    r->sched.lr = lc_train_lr(c, r->sh.info.is_images);
    r->res->lr = r->sched.lr;
    if (lc_optim_init(&r->opt, r->optk, lc_model_nparams(&r->model), e) || lc_agree(r->comm, e)) return e->code;
    r->opt.mu = (float)r->cfg->momentum;
    if (r->cfg->resume[0]) {
        resume_from(r, opts, nopts, e);
    } else {
        init_params(r, e);
    }
    if (lc_agree(r->comm, e)) return e->code;
    return alloc_buffers(r, e) || lc_agree(r->comm, e);
}

int lc_train_run(MPI_Comm comm, const lc_train_cfg *cfg, lc_train_result *res, lc_err *e) {
    run_t r;
    memset(&r, 0, sizeof r);
    memset(res, 0, sizeof *res);
    r.comm = comm;
    r.cfg = cfg;
    r.res = res;
    MPI_Comm_rank(comm, &r.rank);
    MPI_Comm_size(comm, &r.P);
    r.V = cfg->vshards;
    openblas_set_num_threads(1); /* one GEMM per shard, single-threaded: reproducible */
    lc_train_cfg copy = *cfg;     /* the option table binds to a mutable config */
    lc_opt opts[LC_TRAIN_MAXOPTS];
    int nopts = lc_train_options(&copy, opts);

    double t_load = lc_now();
    FILE *mf = NULL;
    if (setup(&r, opts, nopts, e)) goto done;
    res->load_seconds = lc_now() - t_load;
    res->ranks = r.P;
    res->vshards = r.V;
    r.spe = (r.sh.N + r.B - 1) / r.B;
    r.total = r.spe * cfg->epochs;
    r.end = cfg->max_steps > 0 && cfg->max_steps < r.total ? cfg->max_steps : r.total;
    if (r.rank == 0 && cfg->metrics[0]) {
        mf = fopen(cfg->metrics, r.step > 0 ? "a" : "w");
        if (!mf) lc_fail(e, LC_EIO, "--metrics %s: cannot open for writing", cfg->metrics);
    }
    if (lc_agree(comm, e)) goto done;
    if (!cfg->quiet)
        lc_log("train: %s, N=%lld train / %lld val / %lld test rows, D=%d, K=%d, B=%lld, P=%d ranks, V=%d shards, "
               "%lld steps/epoch, loss %s, reg %s (lambda %g), %s lr %g\n",
               cfg->data, (long long)r.sh.N, (long long)(r.sh.hold_hi - r.sh.hold_lo), (long long)r.sh.info.n_test, r.D, r.K, (long long)r.B, r.P, r.V,
               (long long)r.spe, cfg->loss, cfg->reg, cfg->lambda, cfg->optimizer, r.sched.lr);

    double t_start = lc_now(), t_epoch = t_start, ep_loss = 0, ep_corr = 0, lr = r.sched.lr;
    int64_t ep_steps = 0, start_step = r.step;
    while (r.step < r.end) {
        double loss = 0, corr = 0;
        lr = lc_sched_lr(&r.sched, r.step, r.spe, r.total);
        if (train_step(&r, lr, &loss, &corr, e)) goto done;
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
        double now = lc_now(), sps = (double)(ep_steps * r.B) / (now - t_epoch);
        double done_frac = (double)(r.step - start_step) / (double)(r.end - start_step);
        double eta = (now - t_start) * (1 - done_frac) / done_frac;
        double mean_loss = ep_loss / (double)ep_steps, tr = ep_corr / (double)(ep_steps * r.B);
        if (lc_history_push(&r.hist, mean_loss, tr, va, lr, now - t_start, e)) goto done;
        progress(&r, mean_loss, tr, va, lr, sps, now - t_start, eta);
        metrics_line(&r, mf, mean_loss, tr, va, lr, sps, now - t_start);
        res->val_acc = va;
        if (cfg->checkpoint_every > 0 && r.step % r.spe == 0 && r.epoch % cfg->checkpoint_every == 0 &&
            r.step != r.end && write_ckpt(&r, opts, nopts, e))
            goto done;
        ep_loss = ep_corr = 0;
        ep_steps = 0;
        t_epoch = lc_now();
    }
    res->seconds = lc_now() - t_start;
    res->steps = r.step;
    res->epochs = (int)r.epoch;
    res->samples_per_second = res->seconds > 0 ? (double)((r.step - start_step) * r.B) / res->seconds : 0;
    double te = lc_now();
    if (final_train_eval(&r, e)) goto done;
    res->val_acc = lc_shards_accuracy(&r.sh, &r.model, &r.sh.val, r.sh.hold_hi - r.sh.hold_lo, e);
    res->test_acc = cfg->no_test ? NAN : lc_shards_accuracy(&r.sh, &r.model, &r.sh.test, r.sh.info.n_test, e);
    res->t_eval += lc_now() - te;
    if (lc_agree(comm, e)) goto done;
    write_ckpt(&r, opts, nopts, e);
done:
    if (mf) fclose(mf);
    run_free(&r);
    return lc_agree(comm, e);
}

void lc_train_result_json(const lc_train_cfg *c, const lc_train_result *res, lc_json *j) {
    lc_json_begin(j);
    lc_json_str(j, "cmd", "train");
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
    lc_json_int(j, "vshards", res->vshards);
    lc_json_str(j, "loss", c->loss);
    lc_json_str(j, "reg", c->reg);
    lc_json_num(j, "lambda", c->lambda);
    lc_json_str(j, "optimizer", c->optimizer);
    lc_json_num(j, "lr", res->lr);
    lc_json_int(j, "batch", c->batch);
    lc_json_int(j, "seed", c->seed);
    lc_json_str(j, "checkpoint", c->checkpoint);
    char t[256];
    snprintf(t, sizeof t, "{\"gather\":%.4f,\"gemm\":%.4f,\"reduce\":%.4f,\"update\":%.4f,\"eval\":%.4f}",
             res->t_gather, res->t_gemm, res->t_reduce, res->t_update, res->t_eval);
    lc_json_raw(j, "time_rank0", t);
}

int lc_cmd_train(MPI_Comm comm, int argc, char **argv) {
    int rank;
    MPI_Comm_rank(comm, &rank);
    lc_train_cfg cfg;
    lc_train_defaults(&cfg);
    lc_opt opts[LC_TRAIN_MAXOPTS];
    int nopts = lc_train_options(&cfg, opts), help = 0;
    lc_err e = {0};
    lc_cli_parse(argc, argv, opts, nopts,
                 "usage: lincls-mpi train [options]\n"
                 "Trains a linear classifier s = W x' + b on a dataset or features file, data-parallel\n"
                 "over the MPI ranks. The last stdout line is a JSON object with the results.",
                 rank == 0, &help, &e);
    if (help) return 0;
    if (e.code) return lc_cmd_report(comm, "train", &e);
    lc_train_result res;
    if (lc_train_run(comm, &cfg, &res, &e)) return lc_cmd_report(comm, "train", &e);
    if (rank == 0) {
        lc_json j;
        lc_train_result_json(&cfg, &res, &j);
        lc_json_end(&j);
        printf("%s\n", j.s);
        fflush(stdout);
        lc_json_free(&j);
        if (!cfg.quiet) {
            char buf[32], test[32] = "-";
            if (!isnan(res.test_acc)) snprintf(test, sizeof test, "%.2f%%", 100 * res.test_acc);
            lc_log("done: train %.2f%%  val %.2f%%  test %s  final loss %.4f  in %s\n", 100 * res.train_acc,
                   100 * res.val_acc, test, res.final_loss, lc_fmt_duration(res.seconds, buf, sizeof buf));
        }
    }
    return 0;
}
