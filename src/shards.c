/* shards: loading the virtual shards of the training rows, statistics and
 * accuracy over all ranks. */
#include "lincls/shards.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Training indices [lo, hi) with the held-out block cut out: read the (at most
 * two) pieces and join them. Collective: every rank makes both reads, possibly
 * of zero rows. */
static int read_train_range(lc_shards *sh, int64_t lo, int64_t hi, lc_rows *out, lc_err *e) {
    int64_t gap = sh->hold_hi - sh->hold_lo;
    int64_t a_hi = hi < sh->hold_lo ? hi : sh->hold_lo, b_lo = lo > sh->hold_lo ? lo : sh->hold_lo;
    if (a_hi < lo) a_hi = lo;
    if (b_lo > hi) b_lo = hi;
    lc_rows a, b;
    if (lc_dataset_read(sh->comm, &sh->info, "train", lo, a_hi - lo, &a, e)) return e->code;
    if (lc_dataset_read(sh->comm, &sh->info, "train", b_lo + gap, hi - b_lo, &b, e)) {
        lc_rows_free(&a);
        return e->code;
    }
    if (b.nrows == 0 || a.nrows == 0) {
        *out = b.nrows == 0 ? a : b;
        lc_rows_free(b.nrows == 0 ? &b : &a);
    } else {
        size_t row_bytes = (size_t)sh->info.dim * (a.is_images ? 1 : sizeof(float));
        void *ax = a.is_images ? (void *)a.u8 : (void *)a.f32;
        const void *bx = b.is_images ? (const void *)b.u8 : (const void *)b.f32;
        void *x = realloc(ax, (size_t)(a.nrows + b.nrows) * row_bytes);
        uint8_t *y = x ? realloc(a.labels, (size_t)(a.nrows + b.nrows)) : NULL;
        if (!x || !y) {
            free(x ? x : ax);
            free(a.labels);
            lc_rows_free(&b);
            memset(out, 0, sizeof *out);
            return lc_fail(e, LC_ENOMEM, "out of memory joining training rows");
        }
        memcpy((char *)x + (size_t)a.nrows * row_bytes, bx, (size_t)b.nrows * row_bytes);
        memcpy(y + a.nrows, b.labels, (size_t)b.nrows);
        *out = a;
        if (a.is_images) out->u8 = x;
        else out->f32 = x;
        out->labels = y;
        out->nrows = a.nrows + b.nrows;
        lc_rows_free(&b);
    }
    out->row0 = lo; /* in training-index space */
    return 0;
}

static int check_split(lc_shards *sh, const lc_shards_spec *s, lc_err *e) {
    int64_t n = sh->info.n_train;
    if (s->folds > 0) {
        if (n < s->folds)
            return lc_fail(e, LC_EARG, "--folds %d: %s has only %lld training rows", s->folds, s->data, (long long)n);
        lc_split_range(n, s->folds, s->fold, &sh->hold_lo, &sh->hold_hi);
    } else {
        if (s->val < 0 || s->val >= n)
            return lc_fail(e, LC_EARG, "--val %lld leaves no training rows (%s has %lld)", s->val, s->data, (long long)n);
        sh->hold_lo = n - s->val;
        sh->hold_hi = n;
    }
    sh->N = n - (sh->hold_hi - sh->hold_lo);
    if (sh->N < sh->V)
        return lc_fail(e, LC_EARG, "%lld training rows cannot fill --vshards %d", (long long)sh->N, sh->V);
    return 0;
}

int lc_shards_load(MPI_Comm comm, const lc_shards_spec *s, lc_shards *sh, lc_err *e) {
    memset(sh, 0, sizeof *sh);
    sh->comm = comm;
    MPI_Comm_rank(comm, &sh->rank);
    MPI_Comm_size(comm, &sh->P);
    sh->V = s->V;
    if (lc_dataset_open(comm, s->data, &sh->info, e)) return e->code;
    if (check_split(sh, s, e) || lc_treesum_init(&sh->tree, comm, sh->V, e)) return e->code;
    sh->shard_lo = lc_malloc(sizeof(int64_t) * (size_t)(sh->V + 1), e);
    if (!sh->shard_lo) return e->code;
    for (int v = 0; v <= sh->V; v++) sh->shard_lo[v] = sh->N * v / sh->V;
    if (read_train_range(sh, sh->shard_lo[sh->tree.v_lo], sh->shard_lo[sh->tree.v_hi], &sh->train, e))
        return e->code;
    int64_t lo, hi;
    lc_split_range(sh->hold_hi - sh->hold_lo, sh->P, sh->rank, &lo, &hi);
    if (lc_dataset_read(comm, &sh->info, "train", sh->hold_lo + lo, hi - lo, &sh->val, e)) return e->code;
    if (s->no_test) return 0;
    lc_split_range(sh->info.n_test, sh->P, sh->rank, &lo, &hi);
    return lc_dataset_read(comm, &sh->info, "test", lo, hi - lo, &sh->test, e);
}

void lc_shards_free(lc_shards *sh) {
    lc_rows_free(&sh->train);
    lc_rows_free(&sh->val);
    lc_rows_free(&sh->test);
    lc_treesum_free(&sh->tree);
    free(sh->shard_lo);
    memset(sh, 0, sizeof *sh);
}

int lc_shards_stats(lc_shards *sh, double *mean, double *sd, lc_err *e) {
    const int D = sh->info.dim, nv = sh->tree.v_hi - sh->tree.v_lo;
    const lc_rows *r = &sh->train;
    double *leaves = lc_calloc((size_t)nv * 2 * D, sizeof(double), e);
    double *tot = lc_malloc(sizeof(double) * 2 * (size_t)D, e);
    if (!e->code) {
        for (int v = sh->tree.v_lo; v < sh->tree.v_hi; v++) {
            double *s = leaves + (size_t)(v - sh->tree.v_lo) * 2 * D, *s2 = s + D;
            for (int64_t i = sh->shard_lo[v] - r->row0; i < sh->shard_lo[v + 1] - r->row0; i++)
                for (int d = 0; d < D; d++) {
                    double x = r->is_images ? r->u8[(size_t)i * D + d] : r->f32[(size_t)i * D + d];
                    s[d] += x;
                    s2[d] += x * x;
                }
        }
    }
    if (!lc_agree(sh->comm, e) && !lc_treesum_double(&sh->tree, leaves, 2 * (size_t)D, tot, e)) {
        for (int d = 0; d < D; d++) {
            mean[d] = tot[d] / (double)sh->N;
            double var = tot[D + d] / (double)sh->N - mean[d] * mean[d];
            sd[d] = var > 0 ? sqrt(var) : 0;
        }
    }
    free(leaves);
    free(tot);
    return e->code;
}

int lc_shards_normalize(lc_shards *sh, const char *scale, int center, lc_model *m, lc_err *e) {
    const int D = sh->info.dim;
    int use_std = strcmp(scale, "std") == 0;
    float fixed = strcmp(scale, "255") == 0 ? 255.0f : 1.0f;
    for (int d = 0; d < D; d++) {
        m->mean[d] = 0.0f;
        m->scale[d] = fixed;
    }
    if (center || use_std) {
        double *mean = lc_malloc(sizeof(double) * (size_t)D, e), *sd = lc_malloc(sizeof(double) * (size_t)D, e);
        if (!lc_agree(sh->comm, e) && !lc_shards_stats(sh, mean, sd, e)) {
            for (int d = 0; d < D; d++) {
                if (center) m->mean[d] = (float)mean[d];
                /* a constant input (sd ~ 0) is left unscaled rather than blown up */
                if (use_std) m->scale[d] = sd[d] > 1e-6 * (fabs(mean[d]) + 1) ? (float)sd[d] : 1.0f;
            }
        }
        free(mean);
        free(sd);
    }
    lc_model_set_scale(m);
    return e->code;
}

double lc_shards_accuracy(lc_shards *sh, const lc_model *m, const lc_rows *rows, int64_t total,
                          lc_err *e) {
    if (total == 0) return NAN;
    int64_t mine = 0, all = 0;
    lc_model_predict(m, rows, 0, rows->nrows, NULL, &mine, NULL, e);
    if (lc_agree(sh->comm, e)) return NAN;
    MPI_Allreduce(&mine, &all, 1, MPI_INT64_T, MPI_SUM, sh->comm);
    return (double)all / (double)total;
}
