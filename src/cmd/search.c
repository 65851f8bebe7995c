/* search: random search over the weights, the lecture's baseline.
 *
 *   bestloss = inf
 *   for t in trials: W = randn(K, D+1) * S; loss = L(X_train, y_train, W); keep the lowest
 *
 * Candidate t is a pure function of (seed, t): parameter i of candidate t is
 * S * lc_rng_normal(seed, lc_stream(LC_RNG_SEARCH, t), i), i < K*D for W and
 * K*D <= i < K*D+K for b. The lecture folds the bias into W as a 3073rd column
 * (the bias trick), so the bias is random too, with the same scale.
 *
 * Input: the lecture scores raw pixels, which is what makes S = 1e-4 meaningful
 * (scores of order 1). So the default is x' = x (mean 0, scale 1);
 * --input-scale 255|std divides, --center subtracts the training mean.
 *
 * Scoring: each rank holds a contiguous block of the training rows (as in
 * train). A candidate's rows are scored with the fixed-order kernel
 * lc_kern_scores (its own W, b: no BLAS, so no kernel choice or stacking
 * changes a bit) and the per-row losses (double, lc_exp/lc_log) are summed
 * exactly in fixed point (xsum.h) over the rank's rows and then over the ranks
 * (an int64 allreduce, one per block of --batch-candidates). So a candidate's
 * loss is the same bits alone or in a block of any size, at any rank count and
 * on any CPU, and a search split into pieces (--first-trial) finds the winner
 * of the whole search: the lowest loss, ties to the lowest trial index.
 * A row loss that is not finite or is 2^40 or more makes the candidate's loss
 * inf.
 *
 * --local STEP: random local search from the best W. Each round proposes
 * --batch-candidates perturbations W + STEP * randn (stream LC_RNG_LOCAL,
 * index = round * C + j), scored together, and moves to the lowest if
 * it is lower than the current loss. With --batch-candidates 1 this is the
 * lecture's loop (one proposal, accept if lower). */
#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lincls/blas.h"
#include "lincls/ckpt.h"
#include "lincls/cli.h"
#include "lincls/commands.h"
#include "lincls/dataset.h"
#include "lincls/dist.h"
#include "lincls/io.h"
#include "lincls/loss.h"
#include "lincls/model.h"
#include "lincls/reg.h"
#include "lincls/rng.h"
#include "lincls/shards.h"
#include "lincls/kern.h"
#include "lincls/xsum.h"

enum { ROWS = 256 }; /* rows scored per kernel call */

typedef struct {
    const char *data, *checkpoint;
    const char *vshards; /* deprecated, ignored */
    lc_loss_kind loss;
    lc_reg_kind reg;
    lc_scale_kind input_scale;
    double scale, lambda, beta, margin, local;
    long long trials, first_trial, val, seed;
    int batch, local_steps, center, no_test, quiet;
} search_params;

static const search_params defaults = {
    .data = "data/cifar10.h5", .checkpoint = "", .vshards = "",
    .loss = LC_LOSS_SVM, .reg = LC_REG_L2, .input_scale = LC_SCALE_1,
    .scale = 1e-4, .lambda = 0, .beta = 0.5, .margin = 1.0,
    .trials = 1000, .seed = 1, .batch = 50, .local_steps = 100,
};

#define OPT(name, type, field, help) {name, type, offsetof(search_params, field), help, NULL}
#define CHOICE(name, field, table, help) {name, LC_OPT_CHOICE, offsetof(search_params, field), help, &table}
static const lc_opt options[] = {
    OPT("data", LC_OPT_STR, data, "dataset or features file (HDF5)"),
    OPT("trials", LC_OPT_I64, trials, "random candidates W to score"),
    OPT("first-trial", LC_OPT_I64, first_trial, "index of the first candidate (split one search into pieces)"),
    OPT("scale", LC_OPT_DOUBLE, scale, "candidate W, b = scale * randn (the lecture: 1e-4 on raw pixels)"),
    CHOICE("loss", loss, lc_loss_names, "%s (the lecture's random search used svm)"),
    OPT("margin", LC_OPT_DOUBLE, margin, "SVM margin delta"),
    CHOICE("reg", reg, lc_reg_names, "regularization: %s"),
    OPT("lambda", LC_OPT_DOUBLE, lambda, "regularization strength (full loss = data mean + lambda R(W))"),
    OPT("beta", LC_OPT_DOUBLE, beta, "elastic net: R = sum(beta W^2 + |W|)"),
    CHOICE("input-scale", input_scale, lc_scale_names, "x' = (x - mean)/scale with scale %s (1: raw pixels, as the lecture)"),
    OPT("center", LC_OPT_FLAG, center, "subtract the training mean image (default: mean 0, raw pixels)"),
    OPT("val", LC_OPT_I64, val, "validation rows: the last N training rows (the lecture: 0, all rows)"),
    OPT("seed", LC_OPT_I64, seed, "random seed: candidate t depends on (seed, t) only"),
    OPT("vshards", LC_OPT_STR, vshards, "deprecated, ignored: results are the same at every rank count"),
    OPT("batch-candidates", LC_OPT_INT, batch, "candidates C scored per round (one reduction each; no effect on any loss)"),
    OPT("local", LC_OPT_DOUBLE, local, "random local search step size after the search (0: off)"),
    OPT("local-steps", LC_OPT_INT, local_steps, "local search rounds of --batch-candidates proposals each"),
    OPT("checkpoint", LC_OPT_STR, checkpoint, "write the best W here (rank 0; eval reads it)"),
    OPT("no-test", LC_OPT_FLAG, no_test, "skip the test-set accuracy of the best W"),
    OPT("quiet", LC_OPT_FLAG, quiet, "no progress lines"),
    LC_OPT_SENTINEL,
};
#undef OPT
#undef CHOICE

/* --- state --------------------------------------------------------------------- */
typedef struct {
    MPI_Comm comm;
    int rank, P, K, D, C;
    const search_params *cfg;
    lc_shards sh;           /* this rank's block of training rows, validation and test rows */
    lc_model model;         /* the best candidate, with the mean/scale used */
    float *Wst, *bst;       /* C candidates: (C*K) x D and C*K */
    float *S, *scratch;     /* ROWS x K scores; D */
    double *srow, *ds;      /* K each: one row in double, its score gradient */
    int64_t *idx;           /* ROWS local row indices */
    int64_t *acc;           /* C exact loss sums (LC_XS_LIMBS each), then C bad flags */
    double *loss_c;         /* C totals */
    double t_gen, t_score, t_reduce;
} search_t;

static int check_search(const void *params, int nranks, lc_err *e) {
    const search_params *c = params;
    if (c->trials < 1) return lc_fail(e, LC_EARG, "--trials must be >= 1 (got %lld)", c->trials);
    if (c->first_trial < 0) return lc_fail(e, LC_EARG, "--first-trial must be >= 0 (got %lld)", c->first_trial);
    if (c->first_trial > LLONG_MAX - (c->trials - 1)) /* the last trial index, first + trials - 1, must fit */
        return lc_fail(e, LC_EARG, "--first-trial %lld + --trials %lld: the last trial index would pass 2^63 - 1",
                       c->first_trial, c->trials);
    if (!(c->scale >= 0)) return lc_fail(e, LC_EARG, "--scale must be >= 0 (got %g)", c->scale);
    if (!(c->lambda >= 0) || !(c->beta >= 0) || !(c->margin >= 0))
        return lc_fail(e, LC_EARG, "--lambda, --beta and --margin must be >= 0");
    if (c->val < 0) return lc_fail(e, LC_EARG, "--val must be >= 0 (got %lld)", c->val);
    long long vs;
    if (c->vshards[0] && (lc_parse_long(c->vshards, &vs) || vs < 1))
        return lc_fail(e, LC_EARG, "--vshards: '%s' is not a positive integer (the flag is ignored, but must parse)",
                       c->vshards);
    if (c->batch < 1 || c->batch > 4096)
        return lc_fail(e, LC_EARG, "--batch-candidates must be in 1..4096 (got %d)", c->batch);
    if (!(c->local >= 0)) return lc_fail(e, LC_EARG, "--local must be >= 0 (got %g)", c->local);
    if (c->local_steps < 0) return lc_fail(e, LC_EARG, "--local-steps must be >= 0 (got %d)", c->local_steps);
    return 0;
}

static int alloc_buffers(search_t *s, lc_err *e) {
    size_t CK = (size_t)s->C * s->K;
    if (CK * (size_t)s->D > INT_MAX) /* MPI counts are ints */
        return lc_fail(e, LC_EARG, "--batch-candidates %d: %d x %d x %d weights do not fit one block; use fewer",
                       s->C, s->C, s->K, s->D);
    s->Wst = lc_malloc(sizeof(float) * CK * (size_t)s->D, e);
    s->bst = lc_malloc(sizeof(float) * CK, e);
    s->S = lc_malloc(sizeof(float) * ROWS * (size_t)s->K, e);
    s->scratch = lc_malloc(sizeof(float) * (size_t)s->D, e);
    s->srow = lc_malloc(sizeof(double) * (size_t)s->K, e);
    s->ds = lc_malloc(sizeof(double) * (size_t)s->K, e);
    s->idx = lc_malloc(sizeof(int64_t) * ROWS, e);
    s->acc = lc_malloc(sizeof(int64_t) * (size_t)s->C * (LC_XS_LIMBS + 1), e);
    s->loss_c = lc_malloc(sizeof(double) * (size_t)s->C, e);
    return e->code;
}

static void search_free(search_t *s) {
    lc_shards_free(&s->sh);
    lc_model_free(&s->model);
    free(s->Wst);
    free(s->bst);
    free(s->S);
    free(s->scratch);
    free(s->srow);
    free(s->ds);
    free(s->idx);
    free(s->acc);
    free(s->loss_c);
}

/* --- candidates ------------------------------------------------------------------ */
/* Slot c <- base + step * randn(stream); base NULL means zeros (fresh candidates). */
static void make_candidate(search_t *s, int c, const float *baseW, const float *baseb, double step,
                           uint64_t stream) {
    const size_t KD = (size_t)s->K * s->D;
    float *W = s->Wst + (size_t)c * KD, *b = s->bst + (size_t)c * s->K;
    uint64_t seed = (uint64_t)s->cfg->seed;
    for (size_t i = 0; i < KD; i++)
        W[i] = (baseW ? baseW[i] : 0.0f) + (float)(step * lc_rng_normal(seed, stream, i));
    for (int k = 0; k < s->K; k++)
        b[k] = (baseb ? baseb[k] : 0.0f) + (float)(step * lc_rng_normal(seed, stream, KD + (size_t)k));
}

/* Slots [0, n) <- candidates with stream indices index0 + j of purpose. Each
 * rank draws an even share and the shares are all-gathered: the values are
 * pure functions of (seed, stream, i), so who draws them does not matter, and
 * drawing ~30k normals per candidate on every rank would cost more than the
 * scoring at a few ranks. */
static int make_block(search_t *s, int n, const float *baseW, const float *baseb, double step,
                      uint32_t purpose, uint64_t index0, lc_err *e) {
    const int KD = s->K * s->D;
    int *cnt = lc_malloc(sizeof(int) * 4 * (size_t)s->P, e);
    if (lc_agree(s->comm, e)) {
        free(cnt);
        return e->code;
    }
    int *dis = cnt + s->P, *cntb = dis + s->P, *disb = cntb + s->P;
    for (int r = 0; r < s->P; r++) {
        int64_t lo, hi;
        lc_split_range(n, s->P, r, &lo, &hi);
        cnt[r] = (int)(hi - lo) * KD, dis[r] = (int)lo * KD;
        cntb[r] = (int)(hi - lo) * s->K, disb[r] = (int)lo * s->K;
    }
    for (int j = dis[s->rank] / KD; j < (dis[s->rank] + cnt[s->rank]) / KD; j++)
        make_candidate(s, j, baseW, baseb, step, lc_stream(purpose, index0 + (uint64_t)j));
    MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_FLOAT, s->Wst, cnt, dis, MPI_FLOAT, s->comm);
    MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_FLOAT, s->bst, cntb, disb, MPI_FLOAT, s->comm);
    free(cnt);
    return 0;
}

/* Adds the losses of candidates [0, n) over this rank's rows [i0, i0+rows)
 * to their exact accumulators, flagging a candidate whose row loss cannot be
 * summed (not finite, or 2^40 or more). */
static void score_rows(search_t *s, int n, int64_t i0, int rows) {
    const int K = s->K, D = s->D;
    const size_t KD = (size_t)K * D;
    const lc_rows *tr = &s->sh.train;
    int64_t *bad = s->acc + (size_t)n * LC_XS_LIMBS;
    for (int i = 0; i < rows; i++) s->idx[i] = i0 + i;
    for (int c = 0; c < n; c++) {
        lc_kern_scores(rows, D, K, tr->u8, tr->f32, s->idx, s->Wst + (size_t)c * KD, s->bst + (size_t)c * K,
                       s->model.mean, s->model.inv_scale, s->S, s->scratch);
        int64_t *acc = s->acc + (size_t)c * LC_XS_LIMBS;
        for (int i = 0; i < rows; i++) {
            const float *row = s->S + (size_t)i * K;
            for (int k = 0; k < K; k++) s->srow[k] = row[k];
            bad[c] |= lc_xs_add(acc, lc_loss_row(s->cfg->loss, s->cfg->margin, s->srow, K, tr->labels[i0 + i], s->ds));
        }
    }
}

/* Full loss (data mean + lambda R) of the n candidates into loss_c.
 * Collective; the same bits for every rank count, block size and CPU. */
static int score_block(search_t *s, int n, lc_err *e) {
    const size_t KD = (size_t)s->K * s->D;
    double t0 = lc_now();
    memset(s->acc, 0, sizeof(int64_t) * (size_t)n * (LC_XS_LIMBS + 1));
    for (int64_t i = 0; i < s->sh.train.nrows; i += ROWS) {
        int rows = (int)(s->sh.train.nrows - i < ROWS ? s->sh.train.nrows - i : ROWS);
        score_rows(s, n, i, rows);
    }
    lc_xs_norm(s->acc, (size_t)n);
    double t1 = lc_now();
    /* n accumulators and n flags, all int64: one exact allreduce */
    if (MPI_Allreduce(MPI_IN_PLACE, s->acc, n * (LC_XS_LIMBS + 1), MPI_INT64_T, MPI_SUM, s->comm) != MPI_SUCCESS)
        return lc_fail(e, LC_EINTERNAL, "MPI_Allreduce failed (candidate losses)");
    for (int c = 0; c < n; c++)
        s->loss_c[c] = s->acc[(size_t)n * LC_XS_LIMBS + c]
                           ? INFINITY
                           : lc_xs_value(s->acc + (size_t)c * LC_XS_LIMBS) / (double)s->sh.N +
                                 lc_reg_value(s->cfg->reg, s->cfg->lambda, s->cfg->beta, s->Wst + (size_t)c * KD, KD);
    s->t_score += t1 - t0;
    s->t_reduce += lc_now() - t1;
    return 0;
}

/* Copy slot c into the model (the current best). */
static void keep(search_t *s, int c) {
    const size_t KD = (size_t)s->K * s->D;
    memcpy(s->model.W, s->Wst + (size_t)c * KD, sizeof(float) * KD);
    memcpy(s->model.b, s->bst + (size_t)c * s->K, sizeof(float) * (size_t)s->K);
}

typedef struct {
    double best_loss;
    long long best_trial, done, local_accepted, local_proposals;
    double seconds, last_log;
} progress_t;

static void log_progress(const search_t *s, progress_t *p, double t_start, int force) {
    double now = lc_now();
    if (s->cfg->quiet || (!force && now - p->last_log < 2.0)) return;
    p->last_log = now;
    double el = now - t_start, cis = (double)p->done * (double)s->sh.N / el;
    double frac = (double)p->done / (double)s->cfg->trials;
    char a[32], b[32];
    lc_log("search: %lld/%lld trials  best loss %.6f (trial %lld)  %.3g candidates x images/s  elapsed %s  ETA %s\n",
           p->done, s->cfg->trials, p->best_loss, p->best_trial, cis, lc_fmt_duration(el, a, sizeof a),
           lc_fmt_duration(frac > 0 ? el * (1 - frac) / frac : 0, b, sizeof b));
}

/* The random search proper: trials in blocks of C, lowest loss wins. */
static int run_trials(search_t *s, progress_t *p, double t_start, lc_err *e) {
    const search_params *c = s->cfg;
    p->best_loss = INFINITY;
    p->best_trial = -1;
    for (long long t0 = 0; t0 < c->trials; t0 += s->C) {
        int n = (int)(c->trials - t0 < s->C ? c->trials - t0 : s->C);
        double g0 = lc_now();
        if (make_block(s, n, NULL, NULL, c->scale, LC_RNG_SEARCH, (uint64_t)(c->first_trial + t0), e)) return e->code;
        s->t_gen += lc_now() - g0;
        if (score_block(s, n, e)) return e->code;
        for (int j = 0; j < n; j++)
            if (s->loss_c[j] < p->best_loss) { /* strict: ties keep the lower trial */
                p->best_loss = s->loss_c[j];
                p->best_trial = c->first_trial + t0 + j;
                keep(s, j);
            }
        p->done = t0 + n;
        log_progress(s, p, t_start, p->done == c->trials);
    }
    if (p->best_trial < 0)
        return lc_fail(e, LC_EDIVERGE, "every candidate's loss is nan or inf: lower --scale (got %g)", c->scale);
    return 0;
}

/* Random local search around the best W (see the header comment). */
static int run_local(search_t *s, progress_t *p, lc_err *e) {
    const search_params *c = s->cfg;
    if (!(c->local > 0) || c->local_steps == 0) return 0;
    const size_t KD = (size_t)s->K * s->D;
    float *baseW = lc_malloc(sizeof(float) * (KD + (size_t)s->K), e);
    if (lc_agree(s->comm, e)) {
        free(baseW);
        return e->code;
    }
    float *baseb = baseW + KD;
    for (int r = 0; r < c->local_steps && !e->code; r++) {
        memcpy(baseW, s->model.W, sizeof(float) * KD);
        memcpy(baseb, s->model.b, sizeof(float) * (size_t)s->K);
        double g0 = lc_now();
        if (make_block(s, s->C, baseW, baseb, c->local, LC_RNG_LOCAL, (uint64_t)r * (uint64_t)s->C, e)) break;
        s->t_gen += lc_now() - g0;
        if (score_block(s, s->C, e)) break;
        int jb = -1;
        for (int j = 0; j < s->C; j++)
            if (s->loss_c[j] < p->best_loss && (jb < 0 || s->loss_c[j] < s->loss_c[jb])) jb = j;
        if (jb >= 0) {
            p->best_loss = s->loss_c[jb];
            keep(s, jb);
            p->local_accepted++;
        }
        p->local_proposals += s->C;
        if (!c->quiet && (r + 1) % 10 == 0)
            lc_log("local: round %d/%d  loss %.6f  accepted %lld\n", r + 1, c->local_steps, p->best_loss,
                   p->local_accepted);
    }
    free(baseW);
    return e->code;
}

static int setup(search_t *s, lc_err *e) {
    const search_params *c = s->cfg;
    if (c->checkpoint[0] && lc_io_same_file(c->checkpoint, c->data))
        lc_fail(e, LC_EARG, "--checkpoint %s is the input file --data %s: refusing to overwrite it", c->checkpoint,
                c->data);
    if (lc_agree(s->comm, e)) return e->code;
    lc_shards_spec spec = {c->data, c->val, 0, 0, c->no_test, "--val", NULL};
    if (lc_shards_load(s->comm, &spec, &s->sh, e) || lc_agree(s->comm, e)) return e->code;
    s->K = s->sh.info.n_classes;
    s->D = s->sh.info.dim;
    if (lc_model_alloc(&s->model, s->K, s->D, e) || lc_agree(s->comm, e)) return e->code;
    lc_model *m = &s->model;
    m->loss = c->loss;
    m->margin = (float)s->cfg->margin;
    m->n_classes = s->K;
    memcpy(m->classes, s->sh.info.classes, sizeof s->sh.info.classes);
    snprintf(m->input, sizeof m->input, "%s", s->sh.info.input);
    /* raw pixels by default, as in the lecture: mean 0 unless --center */
    if (lc_shards_normalize(&s->sh, c->input_scale, c->center, m, e)) return e->code;
    alloc_buffers(s, e);
    return lc_agree(s->comm, e);
}

static void result_json(const search_t *s, const progress_t *p, double tr, double va, double te, lc_json *j) {
    const search_params *c = s->cfg;
    double ci = (double)(c->trials + p->local_proposals) * (double)s->sh.N;
    lc_json_num(j, "best_loss", p->best_loss);
    lc_json_int(j, "best_trial", p->best_trial);
    lc_json_num(j, "train_acc", tr);
    lc_json_num(j, "val_acc", va);
    lc_json_num(j, "test_acc", te);
    lc_json_int(j, "trials", c->trials);
    lc_json_int(j, "first_trial", c->first_trial);
    lc_json_num(j, "scale", c->scale);
    lc_json_str(j, "loss", lc_loss_name(c->loss));
    lc_json_num(j, "lambda", c->lambda);
    lc_json_int(j, "local_proposals", p->local_proposals);
    lc_json_int(j, "local_accepted", p->local_accepted);
    lc_json_int(j, "train_rows", s->sh.N);
    lc_json_num(j, "seconds", p->seconds);
    lc_json_num(j, "candidates_images_per_second", p->seconds > 0 ? ci / p->seconds : 0);
    lc_json_int(j, "ranks", s->P);
    lc_json_int(j, "batch_candidates", s->C);
    lc_json_int(j, "seed", c->seed);
    lc_json_str(j, "checkpoint", c->checkpoint);
    char t[160];
    snprintf(t, sizeof t, "{\"generate\":%.4f,\"score\":%.4f,\"reduce\":%.4f}", s->t_gen, s->t_score, s->t_reduce);
    lc_json_raw(j, "time_rank0", t);
}

static int write_ckpt(search_t *s, lc_err *e) {
    if (!s->cfg->checkpoint[0]) return 0;
    if (s->rank == 0) {
        lc_ckpt_out st = {0, 0, (uint64_t)s->cfg->seed, NULL, NULL, options, s->cfg, NULL, NULL};
        lc_ckpt_write(s->cfg->checkpoint, &s->model, &st, e);
    }
    return lc_agree(s->comm, e);
}

static int run_search(MPI_Comm comm, const void *params, const lc_args *args, lc_json *j, lc_err *e) {
    const search_params *c = params, cfg = *c; /* a copy: the fields read below */
    int rank;
    MPI_Comm_rank(comm, &rank);
    search_t s;
    memset(&s, 0, sizeof s);
    s.comm = comm;
    s.cfg = c;
    s.rank = rank;
    MPI_Comm_size(comm, &s.P);
    s.C = cfg.batch;
    openblas_set_num_threads(1); /* ranks are the parallelism */
    progress_t p = {0};
    double tr = NAN, va = NAN, te = NAN;
    if (setup(&s, e)) goto out;
    if (!cfg.quiet)
        lc_log("search: %s, N=%lld train rows, D=%d, K=%d, %lld trials x scale %g, loss %s, P=%d ranks, "
               "C=%d candidates per round\n", cfg.data, (long long)s.sh.N, s.D, s.K, cfg.trials, cfg.scale, lc_loss_name(cfg.loss),
               s.P, s.C);
    if (!cfg.quiet) lc_blas_log();
    double t0 = lc_now();
    if (run_trials(&s, &p, t0, e) || run_local(&s, &p, e)) goto out;
    p.seconds = lc_now() - t0;
    tr = lc_shards_accuracy(&s.sh, &s.model, &s.sh.train, s.sh.N, e);
    va = lc_shards_accuracy(&s.sh, &s.model, &s.sh.val, s.sh.hold_hi - s.sh.hold_lo, e);
    te = cfg.no_test ? NAN : lc_shards_accuracy(&s.sh, &s.model, &s.sh.test, s.sh.info.n_test, e);
    if (lc_agree(comm, e) || write_ckpt(&s, e)) goto out;
    if (rank == 0) {
        result_json(&s, &p, tr, va, te, j);
        char b[3][32];
        if (!cfg.quiet)
            lc_log("done: best loss %.6f (trial %lld)  train %s  val %s  test %s\n", p.best_loss, p.best_trial,
                   lc_fmt_pct(tr, 2, b[0], 32), lc_fmt_pct(va, 2, b[1], 32), lc_fmt_pct(te, 2, b[2], 32));
    }
out:
    search_free(&s);
    return e->code ? 1 : 0;
}

const lc_command lc_cmd_search = {
    "search", "random search over weights (the lecture's baseline)",
    "usage: lincls-mpi search [options]\n"
    "Random search over the weights (the lecture's baseline): candidate t is W, b = scale * randn,\n"
    "drawn from (seed, t) alone (b is random too: the lecture's bias column); the lowest full\n"
    "training loss wins. Inputs are raw pixels by default (x' = x), as in the lecture, which is\n"
    "what makes --scale 1e-4 give scores of order 1; --center subtracts the training mean.\n"
    "The last stdout line is a JSON object with the results.",
    options, &defaults, sizeof(search_params), check_search, run_search};
