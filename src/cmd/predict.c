/* predict: the top classes of image files a user brings.
 *
 *   lincls-mpi predict --model M.h5 [--top N] IMAGE...
 *
 * Each file is decoded and resized to 32x32 (image.h: stb_image and
 * stb_image_resize), turned into the model's input by the recipe stored in the
 * model's `input` attribute, as eval does for a model on features (bow.h,
 * lc_recipe_*: "images" are the pixels as they are; HOG, hue histograms and
 * bags of words, the latter with the dictionary in /model/dictionary, are
 * recomputed from the image; anything else is refused), normalized with the
 * model's mean and scale, and scored s = W x' + b.
 * Softmax models report probabilities (softmax of the scores, in double with
 * the maximum subtracted), SVM models their raw scores.
 *
 * Ranks: the files are cut into P contiguous runs in the order given; each rank
 * classifies its own run (every rank reads the model), and rank 0 gathers the
 * results in order and prints them. Every file is scored on its own (one row
 * through the same code), so the output does not depend on P or on which other
 * files are given.
 *
 * Failure: one bad file fails the whole command, before anything is printed:
 * the message names the first bad file in the order given (each rank stops at
 * its first, and the lowest failing rank's message wins) with the system's or
 * the decoder's reason. Exit codes: 0 ok; 2 bad arguments (unknown flag,
 * --top < 1, no IMAGE); 1 anything else refused: a file that cannot be read or
 * is not an image, a model file that is not a model, a model whose input cannot
 * be computed from images. */
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
#include "lincls/image.h"
#include "lincls/loss.h"
#include "lincls/model.h"

typedef struct {
    const char *model;
    int top, quiet;
    lc_rest files; /* the IMAGE arguments */
} predict_cfg;

static const predict_cfg defaults = {.model = "", .top = 3};

static const lc_opt options[] = {
    {"model", LC_OPT_STR, offsetof(predict_cfg, model), "checkpoint written by train (required)", NULL},
    {"top", LC_OPT_INT, offsetof(predict_cfg, top), "classes listed per file, best first (at most K)", NULL},
    {"quiet", LC_OPT_FLAG, offsetof(predict_cfg, quiet), "no table on stderr (the JSON line only)", NULL},
    {"IMAGE", LC_OPT_REST, offsetof(predict_cfg, files), "image files", NULL},
    LC_OPT_SENTINEL,
};

/* A model and how to compute its input from one image. */
typedef struct {
    lc_model m;
    lc_recipe rec;
    float *raw;         /* D: the unnormalized input (pixels or features) */
    float *x;           /* D: normalized */
    float *s;           /* K: scores */
} predictor;

static void predictor_free(predictor *p) {
    lc_model_free(&p->m);
    lc_recipe_free(&p->rec);
    free(p->raw);
    free(p->x);
    free(p->s);
    memset(p, 0, sizeof *p);
}

/* Reads the model and decides from its recipe how images become its input. */
static int predictor_open(const char *path, predictor *p, lc_err *e) {
    memset(p, 0, sizeof *p);
    if (lc_ckpt_read_model(path, &p->m, e)) return e->code;
    const lc_model *m = &p->m;
    if (lc_recipe_load(m->input, path, &p->rec, e)) return e->code;
    if (p->rec.dim != m->D)
        return lc_fail(e, LC_EDATA, "%s: the recipe '%s' gives %d inputs but the model has D = %d", path,
                       m->input, p->rec.dim, m->D);
    p->raw = lc_malloc(sizeof(float) * (size_t)m->D, e);
    p->x = lc_malloc(sizeof(float) * (size_t)m->D, e);
    p->s = lc_malloc(sizeof(float) * (size_t)m->K, e);
    return e->code;
}

/* Scores of one 3x32x32 planar image into p->s: the same normalization code
 * as training (lc_rows_slice) on one row. */
static int predictor_scores(predictor *p, const uint8_t *img, lc_err *e) {
    const lc_model *m = &p->m;
    if (lc_recipe_compute(&p->rec, img, 1, p->raw, e)) return e->code;
    lc_rows r = {.row0 = 0, .nrows = 1, .dim = m->D, .f32 = p->raw};
    lc_rows_slice(&r, 0, 1, m->mean, m->inv_scale, p->x);
    lc_scores(1, m->D, m->K, p->x, m->W, m->b, p->s);
    return 0;
}

/* The best T classes of scores s (K), highest first, ties to the lower class
 * (so best[0] is the first argmax, as in eval), with their probabilities
 * (softmax) or scores: out = [label, class_1, value_1, ..., class_T, value_T]. */
static void top_classes(const float *s, int K, int T, int softmax, double *out) {
    double mx = s[0], z = 0;
    for (int k = 1; k < K; k++)
        if (s[k] > mx) mx = s[k];
    if (softmax)
        for (int k = 0; k < K; k++) z += exp((double)s[k] - mx);
    int taken[LC_MAX_CLASSES] = {0};
    for (int t = 0; t < T; t++) {
        int best = -1;
        for (int k = 0; k < K; k++)
            if (!taken[k] && (best < 0 || s[k] > s[best])) best = k;
        taken[best] = 1;
        out[1 + 2 * t] = best;
        out[2 + 2 * t] = softmax ? exp((double)s[best] - mx) / z : (double)s[best];
    }
    out[0] = out[1];
}

static const char *class_name(const lc_model *m, int k, char *buf, size_t n) {
    if (m->n_classes > k && m->classes[k][0]) return m->classes[k];
    snprintf(buf, n, "%d", k);
    return buf;
}

static void print_table(const predictor *p, char **files, int nfiles, int T, const double *res) {
    const lc_model *m = &p->m;
    const int softmax = m->loss == LC_LOSS_SOFTMAX, w = 1 + 2 * T;
    int fw = 4;
    for (int i = 0; i < nfiles; i++) {
        int l = (int)strlen(files[i]);
        if (l > fw) fw = l;
    }
    if (fw > 40) fw = 40;
    fprintf(stderr, "\n%-*s", fw, "file");
    static const char *const nth[] = {"1st", "2nd", "3rd"};
    for (int t = 0; t < T; t++) {
        char h[16];
        if (t < 3) snprintf(h, sizeof h, "%s", nth[t]);
        else snprintf(h, sizeof h, "%dth", t + 1);
        fprintf(stderr, "   %-12s %7s", h, softmax ? "prob" : "score");
    }
    fprintf(stderr, "\n");
    for (int i = 0; i < nfiles; i++) {
        const double *r = res + (size_t)i * w;
        int l = (int)strlen(files[i]);
        /* long names keep their end, which usually differs */
        fprintf(stderr, "%s%-*s", l > fw ? "..." : "", l > fw ? fw - 3 : fw, l > fw ? files[i] + l - (fw - 3) : files[i]);
        for (int t = 0; t < T; t++) {
            char buf[16];
            fprintf(stderr, "   %-12.12s %7.3f", class_name(m, (int)r[1 + 2 * t], buf, sizeof buf), r[2 + 2 * t]);
        }
        fprintf(stderr, "\n");
    }
    fflush(stderr);
}

static void print_json(const predictor *p, const predict_cfg *c, char **files, int nfiles, int T,
                       const double *res, int P, lc_json *jp) {
    const lc_model *m = &p->m;
    const int w = 1 + 2 * T;
    const char *what = m->loss == LC_LOSS_SOFTMAX ? "prob" : "score";
    char buf[16];
    lc_json_str(jp, "model", c->model);
    lc_json_str(jp, "loss", lc_loss_name(m->loss));
    lc_json_str(jp, "input", m->input);
    lc_json_int(jp, "ranks", P);
    lc_json_key(jp, "predictions");
    lc_json_append(jp, "[");
    for (int i = 0; i < nfiles; i++) {
        const double *r = res + (size_t)i * w;
        lc_json_append(jp, i ? ",{" : "{");
        jp->first = 1;
        lc_json_str(jp, "file", files[i]);
        lc_json_int(jp, "label", (long long)r[0]);
        lc_json_str(jp, "class", class_name(m, (int)r[0], buf, sizeof buf));
        lc_json_key(jp, "top");
        lc_json_append(jp, "[");
        for (int t = 0; t < T; t++) {
            lc_json_append(jp, t ? ",{" : "{");
            jp->first = 1;
            lc_json_str(jp, "class", class_name(m, (int)r[1 + 2 * t], buf, sizeof buf));
            lc_json_int(jp, "label", (long long)r[1 + 2 * t]);
            lc_json_num(jp, what, r[2 + 2 * t]);
            lc_json_append(jp, "}");
        }
        lc_json_append(jp, "]}");
    }
    lc_json_append(jp, "]");
    jp->first = 0;
}

static int check_predict(const void *params, int nranks, lc_err *e) {
    const predict_cfg *c = params;
    if (!c->model[0]) return lc_fail(e, LC_EARG, "--model is required (a checkpoint written by train)");
    if (c->top < 1) return lc_fail(e, LC_EARG, "--top must be >= 1 (got %d)", c->top);
    if (c->files.n == 0) return lc_fail(e, LC_EARG, "no IMAGE given (usage: lincls-mpi predict --model M.h5 IMAGE...)");
    return 0;
}

static int run_predict(MPI_Comm comm, const void *params, const lc_args *args, lc_json *j, lc_err *e) {
    const predict_cfg *cp = params, c = *cp;
    int rank, P;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &P);
    openblas_set_num_threads(1);
    predictor p;
    memset(&p, 0, sizeof p);
    double *mine = NULL, *all = NULL;
    int *counts = NULL, *displs = NULL;
    char **files = c.files.v;
    int nfiles = c.files.n;
    predictor_open(c.model, &p, e);
    if (lc_agree(comm, e)) goto out;
    const int K = p.m.K, T = c.top < K ? c.top : K, w = 1 + 2 * T;
    const int softmax = p.m.loss == LC_LOSS_SOFTMAX;
    int64_t lo, hi;
    lc_split_range(nfiles, P, rank, &lo, &hi);
    if (rank == 0 && !c.quiet)
        lc_log("predict: %s: %s model on %s, K=%d, D=%d; %d file%s on %d rank%s\n", c.model,
               lc_loss_name(p.m.loss), p.m.input, K, p.m.D, nfiles, nfiles == 1 ? "" : "s", P, P == 1 ? "" : "s");
    mine = lc_malloc(sizeof(double) * (size_t)((hi - lo) * w + 1), e);
    for (int64_t i = lo; i < hi && !e->code; i++) {
        uint8_t img[LC_IMAGE_BYTES];
        if (lc_image_load32(files[i], img, NULL, NULL, e) || predictor_scores(&p, img, e)) break;
        top_classes(p.s, K, T, softmax, mine + (size_t)(i - lo) * w);
    }
    if (lc_agree(comm, e)) goto out;

    if (rank == 0) {
        all = lc_malloc(sizeof(double) * (size_t)nfiles * w, e);
        counts = lc_malloc(sizeof(int) * (size_t)P, e);
        displs = lc_malloc(sizeof(int) * (size_t)P, e);
    }
    if (lc_agree(comm, e)) goto out;
    if (rank == 0)
        for (int r = 0; r < P; r++) {
            int64_t a, b;
            lc_split_range(nfiles, P, r, &a, &b);
            counts[r] = (int)((b - a) * w);
            displs[r] = (int)(a * w);
        }
    MPI_Gatherv(mine, (int)((hi - lo) * w), MPI_DOUBLE, all, counts, displs, MPI_DOUBLE, 0, comm);
    if (rank == 0) {
        if (!c.quiet) print_table(&p, files, nfiles, T, all);
        print_json(&p, &c, files, nfiles, T, all, P, j);
    }
out:
    predictor_free(&p);
    free(mine);
    free(all);
    free(counts);
    free(displs);
    return e->code ? 1 : 0;
}

const lc_command lc_cmd_predict = {
    "predict", "top classes of image files (PNG, JPEG, PPM, ...) under a model",
    "usage: lincls-mpi predict --model M.h5 [--top N] IMAGE...\n\n"
    "Classifies image files (PNG, JPEG, PPM/PGM, BMP, GIF, TGA, ...: whatever stb_image\n"
    "decodes; grey becomes RGB, alpha is dropped, other sizes are resized to 32x32)\n"
    "with a model written by train: raw-pixel models and models on HOG, colour or\n"
    "bag-of-words features (recomputed from the image by the recipe and dictionary\n"
    "the model stores).\n"
    "Prints the top classes per file on stderr (probabilities for softmax models,\n"
    "scores for SVM models) and one JSON line with \"predictions\", one object per\n"
    "file in the order given. One bad file fails the whole command. Under mpirun the\n"
    "files are split over the ranks. Exit codes: 0 ok, 2 bad arguments, 1 a file\n"
    "that is unreadable or not an image, or a model that is not usable.",
    options, &defaults, sizeof(predict_cfg), check_predict, run_predict};
