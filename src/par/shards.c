/* shards: loading this rank's block of the training rows, exact statistics,
 * feature levels and accuracy over all ranks. */
#include "lincls/shards.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lincls/dist.h"
#include "lincls/xsum.h"

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
        uint16_t *y = x ? realloc(a.labels, sizeof(uint16_t) * (size_t)(a.nrows + b.nrows)) : NULL;
        if (!x || !y) {
            free(x ? x : ax);
            free(a.labels);
            lc_rows_free(&b);
            memset(out, 0, sizeof *out);
            return lc_fail(e, LC_ENOMEM, "out of memory joining training rows");
        }
        memcpy((char *)x + (size_t)a.nrows * row_bytes, bx, (size_t)b.nrows * row_bytes);
        memcpy(y + a.nrows, b.labels, sizeof(uint16_t) * (size_t)b.nrows);
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
    const char *val = s->val_name ? s->val_name : "validation rows", *folds = s->folds_name ? s->folds_name : "folds";
    if (s->folds > 0) {
        if (n < s->folds)
            return lc_fail(e, LC_EARG, "%s %d: %s has only %lld training rows", folds, s->folds, s->data, (long long)n);
        lc_split_range(n, s->folds, s->fold, &sh->hold_lo, &sh->hold_hi);
    } else {
        if (s->val < 0 || s->val >= n)
            return lc_fail(e, LC_EARG, "%s %lld leaves no training rows (%s has %lld)", val, s->val, s->data, (long long)n);
        sh->hold_lo = n - s->val;
        sh->hold_hi = n;
    }
    sh->N = n - (sh->hold_hi - sh->hold_lo);
    if (sh->N < sh->P)
        return lc_fail(e, LC_EARG, "%lld training rows cannot be split over %d ranks: run with at most %lld ranks",
                       (long long)sh->N, sh->P, (long long)sh->N);
    if (sh->N >= ((int64_t)1 << 31))
        return lc_fail(e, LC_EDATA, "%s: %lld training rows, more than the 2^31 - 1 supported", s->data,
                       (long long)sh->N);
    return 0;
}

int lc_shards_load(MPI_Comm comm, const lc_shards_spec *s, lc_shards *sh, lc_err *e) {
    memset(sh, 0, sizeof *sh);
    sh->comm = comm;
    MPI_Comm_rank(comm, &sh->rank);
    MPI_Comm_size(comm, &sh->P);
    if (lc_dataset_open(comm, s->data, &sh->info, e)) return e->code;
    if (check_split(sh, s, e)) return e->code;
    lc_split_range(sh->N, sh->P, sh->rank, &sh->lo, &sh->hi);
    if (read_train_range(sh, sh->lo, sh->hi, &sh->train, e)) return e->code;
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
    free(sh->x8_own);
    free(sh->level_lo);
    free(sh->level_step);
    memset(sh, 0, sizeof *sh);
}

/* Features: each column's minimum and maximum over all training rows, exact
 * (MPI_MAX is order-free). mm holds 2D doubles: max[d], then -min[d]. A rank
 * with no rows contributes -inf. */
static int column_range(lc_shards *sh, double *mm, lc_err *e) {
    const int D = sh->info.dim;
    const lc_rows *r = &sh->train;
    for (int d = 0; d < 2 * D; d++) mm[d] = -INFINITY;
    for (int64_t i = 0; i < r->nrows; i++) {
        const float *x = r->f32 + (size_t)i * D;
        for (int d = 0; d < D; d++) {
            double v = x[d];
            if (v > mm[d]) mm[d] = v;
            if (-v > mm[D + d]) mm[D + d] = -v;
        }
    }
    if (MPI_Allreduce(MPI_IN_PLACE, mm, 2 * D, MPI_DOUBLE, MPI_MAX, sh->comm) != MPI_SUCCESS)
        return lc_fail(e, LC_EINTERNAL, "MPI_Allreduce failed (column ranges)");
    return 0;
}

/* Pixels: integer sums, exact in double (every partial sum is an integer below
 * 2^53 for fewer than 2^37 rows), so an allreduce of doubles is exact too. */
static int stats_pixels(lc_shards *sh, double *tot, lc_err *e) {
    const int D = sh->info.dim;
    const lc_rows *r = &sh->train;
    memset(tot, 0, sizeof(double) * 2 * (size_t)D);
    for (int64_t i = 0; i < r->nrows; i++) {
        const uint8_t *x = r->u8 + (size_t)i * D;
        for (int d = 0; d < D; d++) {
            double v = x[d];
            tot[d] += v;
            tot[D + d] += v * v;
        }
    }
    if (MPI_Allreduce(MPI_IN_PLACE, tot, 2 * D, MPI_DOUBLE, MPI_SUM, sh->comm) != MPI_SUCCESS)
        return lc_fail(e, LC_EINTERNAL, "MPI_Allreduce failed (pixel statistics)");
    return 0;
}

/* Features: column d is scaled by 2^-E_d with 2^E_d >= max |x| (exact), so the
 * scaled values and their squares (exact in double: a float squared has 48
 * bits) lie in [-1, 1]; their sums are exact fixed-point sums (xsum.h), summed
 * over ranks exactly. tot gets sum x and sum x^2 per column, unscaled. */
static int stats_features(lc_shards *sh, double *tot, lc_err *e) {
    const int D = sh->info.dim;
    const lc_rows *r = &sh->train;
    double *mm = lc_malloc(sizeof(double) * 2 * (size_t)D, e);
    int *ex = lc_malloc(sizeof(int) * (size_t)D, e);
    int64_t *acc = lc_calloc((size_t)2 * D * LC_XS_LIMBS, sizeof(int64_t), e);
    if (lc_agree(sh->comm, e) || column_range(sh, mm, e)) goto out;
    for (int d = 0; d < D; d++) {
        double m = fmax(mm[d], mm[D + d]);
        ex[d] = 0;
        if (m > 0) frexp(m, &ex[d]); /* m < 2^ex */
    }
    for (int64_t i = 0; i < r->nrows; i++) {
        const float *x = r->f32 + (size_t)i * D;
        for (int d = 0; d < D; d++) {
            double v = ldexp((double)x[d], -ex[d]);
            lc_xs_add(acc + (size_t)d * LC_XS_LIMBS, v);
            lc_xs_add(acc + (size_t)(D + d) * LC_XS_LIMBS, v * v);
        }
    }
    if (lc_xs_allreduce(acc, 2 * (size_t)D, sh->comm, e)) goto out;
    for (int d = 0; d < D; d++) {
        tot[d] = ldexp(lc_xs_value(acc + (size_t)d * LC_XS_LIMBS), ex[d]);
        tot[D + d] = ldexp(lc_xs_value(acc + (size_t)(D + d) * LC_XS_LIMBS), 2 * ex[d]);
    }
out:
    free(mm);
    free(ex);
    free(acc);
    return e->code;
}

int lc_shards_stats(lc_shards *sh, double *mean, double *sd, lc_err *e) {
    const int D = sh->info.dim;
    double *tot = lc_malloc(sizeof(double) * 2 * (size_t)D, e);
    if (lc_agree(sh->comm, e)) {
        free(tot);
        return e->code;
    }
    if (!(sh->info.is_images ? stats_pixels(sh, tot, e) : stats_features(sh, tot, e))) {
        for (int d = 0; d < D; d++) {
            mean[d] = tot[d] / (double)sh->N;
            double var = tot[D + d] / (double)sh->N - mean[d] * mean[d];
            sd[d] = var > 0 ? sqrt(var) : 0;
        }
    }
    free(tot);
    return e->code;
}

static const char *const scale_names[] = {"std", "255", "1"};
const lc_names lc_scale_names = LC_NAMES(NULL, scale_names); /* "--scale: 'x' is not one of ..." */

int lc_shards_normalize(lc_shards *sh, lc_scale_kind scale, int center, lc_model *m, lc_err *e) {
    const int D = sh->info.dim;
    int use_std = scale == LC_SCALE_STD;
    float fixed = scale == LC_SCALE_255 ? 255.0f : 1.0f;
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

int lc_shards_levels(lc_shards *sh, lc_err *e) {
    const int D = sh->info.dim;
    const lc_rows *r = &sh->train;
    sh->level_lo = lc_malloc(sizeof(double) * (size_t)D, e);
    sh->level_step = lc_malloc(sizeof(double) * (size_t)D, e);
    double *mm = sh->info.is_images ? NULL : lc_malloc(sizeof(double) * 2 * (size_t)D, e);
    if (!sh->info.is_images) sh->x8_own = lc_malloc((size_t)r->nrows * (size_t)D, e);
    if (lc_agree(sh->comm, e)) goto out;
    if (sh->info.is_images) {
        for (int d = 0; d < D; d++) sh->level_lo[d] = 0.0, sh->level_step[d] = 1.0;
        sh->x8 = r->u8;
        goto out;
    }
    if (column_range(sh, mm, e)) goto out;
    for (int d = 0; d < D; d++) {
        double lo = -mm[D + d], hi = mm[d];
        sh->level_lo[d] = lo;
        sh->level_step[d] = hi > lo ? (hi - lo) / 255.0 : 0.0;
    }
    for (int64_t i = 0; i < r->nrows; i++) {
        const float *x = r->f32 + (size_t)i * D;
        uint8_t *o = sh->x8_own + (size_t)i * D;
        for (int d = 0; d < D; d++) {
            double st = sh->level_step[d];
            double v = st > 0 ? nearbyint(((double)x[d] - sh->level_lo[d]) / st) : 0.0;
            o[d] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
    sh->x8 = sh->x8_own;
out:
    free(mm);
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
