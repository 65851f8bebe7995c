/* eval: accuracy, per-class accuracy and confusion matrix of a checkpoint on
 * one split, each rank predicting its own rows; counts summed exactly.
 * A model trained on features (HOG, colour, bag of words) evaluated on an
 * images file computes its input per row with the model's recipe (bow.h),
 * the bag of words with the dictionary stored in the model. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lincls/blas.h"
#include "lincls/bow.h"
#include "lincls/ckpt.h"
#include "lincls/cli.h"
#include "lincls/commands.h"
#include "lincls/dataset.h"
#include "lincls/dist.h"
#include "lincls/h5util.h"
#include "lincls/model.h"
#include "lincls/shards.h"

typedef enum { SPLIT_TEST, SPLIT_TRAIN, SPLIT_VAL } split_kind;
static const char *const split_names[] = {"test", "train", "val"};
static const lc_names splits = LC_NAMES(NULL, split_names);

typedef struct {
    const char *data, *model;
    split_kind split;
    lc_scale_kind scale;
    long long val;
} eval_cfg;

static const eval_cfg defaults = {
    .data = "data/cifar10.h5", .model = "", .split = SPLIT_TEST, .scale = LC_SCALE_STD, .val = -1};

static const lc_opt options[] = {
    {"data", LC_OPT_STR, offsetof(eval_cfg, data), "dataset or features file", NULL},
    {"model", LC_OPT_STR, offsetof(eval_cfg, model), "checkpoint to evaluate (required)", NULL},
    {"split", LC_OPT_CHOICE, offsetof(eval_cfg, split), "%s", &splits},
    {"val", LC_OPT_I64, offsetof(eval_cfg, val), "validation rows (-1: the value the model was trained with)", NULL},
    {"scale", LC_OPT_CHOICE, offsetof(eval_cfg, scale),
     "for a model without /model/mean and /model/scale: %s over the training rows", &lc_scale_names},
    LC_OPT_SENTINEL,
};

static int check_eval(const void *params, int nranks, lc_err *e) {
    const eval_cfg *c = params;
    if (!c->model[0]) return lc_fail(e, LC_EARG, "--model is required (a checkpoint written by train)");
    if (c->val < -1) return lc_fail(e, LC_EARG, "--val must be >= 0, or -1 for the model's own (got %lld)", c->val);
    return 0;
}

/* A model with only /model/W and /model/b (weights from another tool) gets
 * the normalization train would give it: mean and --scale over the training
 * rows of the data (the last --val rows held out), computed the same way
 * (exact sums: the same bits as train's at any rank count). */
static int data_norm(MPI_Comm comm, const eval_cfg *c, lc_model *m, lc_err *e) {
    lc_shards sh;
    lc_shards_spec spec = {c->data, c->val, 0, 0, 1, "--val", NULL};
    if (!lc_shards_load(comm, &spec, &sh, e)) lc_shards_normalize(&sh, c->scale, 1, m, e);
    lc_shards_free(&sh);
    if (!e->code)
        lc_log("%s has no /model/mean and /model/scale: using the training rows' mean and --scale %s of %s\n",
               c->model, lc_names_name(&lc_scale_names, (int)c->scale), c->data);
    return e->code;
}

/* Rows [lo, hi) of the file's /train or /test that make up the split. */
static int split_rows(const eval_cfg *c, const lc_dataset_info *info, const char **grp, int64_t *lo,
                      int64_t *hi, lc_err *e) {
    if (c->val < 0 || c->val >= info->n_train)
        return lc_fail(e, LC_EARG, "--val %lld: must be in [0, %lld)", c->val, (long long)info->n_train);
    switch (c->split) {
    case SPLIT_TEST:
        *grp = "test";
        *lo = 0;
        *hi = info->n_test;
        break;
    case SPLIT_TRAIN:
        *grp = "train";
        *lo = 0;
        *hi = info->n_train - c->val;
        break;
    case SPLIT_VAL:
        if (c->val == 0) return lc_fail(e, LC_EARG, "--split val needs --val N > 0");
        *grp = "train";
        *lo = info->n_train - c->val;
        *hi = info->n_train;
        break;
    }
    return 0;
}

static void print_table(const lc_model *m, const char *split, const int64_t *conf, long long total,
                        long long correct) {
    const int K = m->K;
    fprintf(stderr, "%s accuracy: %.2f%% (%lld / %lld)\n\n%-12s %8s  confusion (rows: true, columns: predicted)\n",
            split, 100.0 * (double)correct / (double)total, correct, total, "class", "acc");
    for (int k = 0; k < K; k++) {
        int64_t n = 0;
        for (int j = 0; j < K; j++) n += conf[k * K + j];
        fprintf(stderr, "%-12.12s %7.2f%% ", m->n_classes ? m->classes[k] : "?",
                n ? 100.0 * (double)conf[k * K + k] / (double)n : 0.0);
        for (int j = 0; j < K; j++) fprintf(stderr, " %5lld", (long long)conf[k * K + j]);
        fprintf(stderr, "\n");
    }
    fflush(stderr);
}

static void result_json(const lc_model *m, const eval_cfg *c, const int64_t *conf, long long total,
                        long long correct, int P, lc_json *j) {
    const int K = m->K;
    lc_json_str(j, "split", split_names[c->split]);
    lc_json_num(j, "accuracy", (double)correct / (double)total);
    lc_json_int(j, "correct", correct);
    lc_json_int(j, "total", total);
    lc_json_key(j, "per_class");
    lc_json_append(j, "{");
    for (int k = 0; k < K; k++) {
        int64_t n = 0;
        for (int x = 0; x < K; x++) n += conf[k * K + x];
        char name[16];
        snprintf(name, sizeof name, "%d", k);
        j->first = k == 0;
        lc_json_num(j, m->n_classes ? m->classes[k] : name, n ? (double)conf[k * K + k] / (double)n : NAN);
    }
    lc_json_append(j, "}");
    lc_json_key(j, "confusion");
    lc_json_append(j, "[");
    for (int k = 0; k < K; k++) {
        lc_json_append(j, k ? ",[" : "[");
        for (int x = 0; x < K; x++) {
            char buf[32];
            snprintf(buf, sizeof buf, x ? ",%lld" : "%lld", (long long)conf[k * K + x]);
            lc_json_append(j, buf);
        }
        lc_json_append(j, "]");
    }
    lc_json_append(j, "]");
    lc_json_int(j, "ranks", P);
    lc_json_str(j, "model", c->model);
}

static int run_eval(MPI_Comm comm, const void *params, const lc_args *args, lc_json *j, lc_err *e) {
    int rank, P;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &P);
    openblas_set_num_threads(1);
    eval_cfg c = *(const eval_cfg *)params; /* --val -1 becomes the model's own */
    lc_model m;
    memset(&m, 0, sizeof m);
    lc_dataset_info info;
    lc_rows rows;
    memset(&rows, 0, sizeof rows);
    int has_norm = 0;
    lc_recipe rec;
    memset(&rec, 0, sizeof rec);
    int encode = 0;
    float *F = NULL;
    lc_ckpt_read_weights(c.model, &m, &has_norm, e);
    if (c.val < 0 && !e->code) {
        char buf[64];
        long long v = 0;
        int rc = lc_ckpt_read_config(c.model, "val", buf, sizeof buf);
        if (rc == 0 && lc_parse_long(buf, &v) == 0 && v >= 0) c.val = v;
        else if (rc == LC_H5_MISSING) c.val = 0;
        else lc_fail(e, LC_EDATA, "%s: /config attribute val must be one string holding an integer >= 0 (give --val)",
                     c.model);
    }
    if (lc_agree(comm, e) || lc_dataset_open(comm, c.data, &info, e)) goto out;
    /* a model on features evaluated on an images file: its recipe (bow.h)
     * computes the features of every row on the fly. An input that is no
     * recipe of ours ("hog(cell=4)" from another tool) is the mismatch
     * lc_ckpt_check_fits reports. */
    if (info.is_images && m.input[0] && strcmp(m.input, "images") != 0) {
        lc_feat_spec spec;
        lc_err pe = {0};
        encode = lc_feat_recipe_parse(m.input, &spec, &pe) == 0;
    }
    if (encode) { /* every rank reads the (small) recipe and dictionary */
        if (!has_norm)
            lc_fail(e, LC_EDATA, "%s: a model on '%s' needs its /model/mean and /model/scale to be evaluated on "
                    "images", c.model, m.input);
        else if (!lc_recipe_load(m.input, c.model, &rec, e) && rec.dim != m.D)
            lc_fail(e, LC_EDATA, "%s: the recipe '%s' gives %d features but W has D=%d", c.model, m.input, rec.dim,
                    m.D);
        if (!e->code && info.n_classes != m.K)
            lc_fail(e, LC_EDATA, "%s has K=%d classes but the model %s has K=%d", c.data, info.n_classes, c.model,
                    m.K);
    } else {
        lc_ckpt_check_fits(c.model, &m, c.data, info.n_classes, info.dim, info.input, e);
    }
    if (!e->code && m.n_classes == 0) { /* weights without class names: the data's */
        memcpy(m.classes, info.classes, sizeof m.classes);
        m.n_classes = m.K;
    }
    const char *grp = "test";
    int64_t lo = 0, hi = 0, mlo, mhi;
    if (!e->code) split_rows(&c, &info, &grp, &lo, &hi, e);
    if (!e->code && hi == lo)
        lc_fail(e, LC_EDATA, "%s: --split %s has 0 rows: nothing to evaluate", c.data, split_names[c.split]);
    if (lc_agree(comm, e)) goto out;
    if (!has_norm && data_norm(comm, &c, &m, e)) goto out;
    lc_split_range(hi - lo, P, rank, &mlo, &mhi);
    if (lc_dataset_read(comm, &info, grp, lo + mlo, mhi - mlo, &rows, e)) goto out;
    int64_t *conf = lc_calloc((size_t)m.K * m.K, sizeof(int64_t), e);
    int64_t *all = lc_calloc((size_t)m.K * m.K, sizeof(int64_t), e);
    if (encode) {
        enum { CHUNK = 256 };
        F = lc_malloc(sizeof(float) * CHUNK * (size_t)m.D, e);
        if (!e->code) lc_log("eval: computing %s per image from %s\n", m.input, c.data);
        double t0 = lc_now();
        for (int64_t i = 0; !e->code && i < rows.nrows; i += CHUNK) {
            int nb = (int)(rows.nrows - i < CHUNK ? rows.nrows - i : CHUNK);
            lc_rows chunk = {.row0 = rows.row0 + i, .nrows = nb, .dim = m.D, .f32 = F, .labels = rows.labels + i};
            if (!lc_recipe_compute(&rec, rows.u8 + (size_t)i * 3072, nb, F, e))
                lc_model_predict(&m, &chunk, 0, nb, NULL, NULL, conf, e);
        }
        if (!e->code) lc_log("eval: %lld images of rank 0 encoded in %.2fs\n", (long long)rows.nrows, lc_now() - t0);
    } else if (!e->code) {
        lc_model_predict(&m, &rows, 0, rows.nrows, NULL, NULL, conf, e);
    }
    if (!lc_agree(comm, e)) {
        MPI_Allreduce(conf, all, m.K * m.K, MPI_INT64_T, MPI_SUM, comm);
        long long correct = 0, total = hi - lo;
        for (int k = 0; k < m.K; k++) correct += all[k * m.K + k];
        if (rank == 0) {
            print_table(&m, split_names[c.split], all, total, correct);
            result_json(&m, &c, all, total, correct, P, j);
        }
    }
    free(conf);
    free(all);
out:
    free(F);
    lc_recipe_free(&rec);
    lc_rows_free(&rows);
    lc_model_free(&m);
    return e->code ? 1 : 0;
}

const lc_command lc_cmd_eval = {
    "eval", "accuracy, per-class accuracy and confusion matrix of a checkpoint",
    "usage: lincls-mpi eval --data F.h5 --model CKPT.h5 [--split test]\n"
    "Accuracy, per-class accuracy and the confusion matrix of a trained model.",
    options, &defaults, sizeof(eval_cfg), check_eval, run_eval};
