/* shards: the training rows split over the ranks, shared by train and search.
 *
 * The training rows (the file's /train rows minus a held-out validation block)
 * have training indices 0..N-1; rank r of P holds the contiguous block
 * [lo, hi) = lc_split_range(N, P, r), so memory per rank falls as 1/P, plus
 * its even share of the validation and test rows. Training index t is file
 * row t before the held-out block and t + (hold_hi - hold_lo) after it.
 * Everything computed over all ranks here (statistics, feature levels,
 * accuracy) is exact, so it is the same for every P. */
#ifndef LINCLS_SHARDS_H
#define LINCLS_SHARDS_H

#include <mpi.h>

#include "lincls/dataset.h"
#include "lincls/model.h"
#include "lincls/util.h"

typedef struct {
    MPI_Comm comm;
    int rank, P;
    lc_dataset_info info;
    int64_t N;                /* training rows */
    int64_t hold_lo, hold_hi; /* held-out (validation) rows of /train */
    int64_t lo, hi;           /* this rank's training indices */
    lc_rows train, val, test; /* this rank's rows; train.row0 = lo, a training index */
    /* The gradient's view of the training rows, as uint8 levels: x ~ level_lo[d]
     * + level_step[d] * x8[row][d]. Pixels are their own levels (lo 0, step 1,
     * x8 = train.u8, exact); features get 256 levels per column between the
     * column's minimum and maximum over all training rows (lc_shards_levels). */
    const uint8_t *x8;
    uint8_t *x8_own;          /* features: the quantized copy (owned) */
    double *level_lo, *level_step; /* D each */
} lc_shards;

typedef struct {
    const char *data;
    long long val;    /* hold out the last val rows ... */
    int folds, fold;  /* ... or fold `fold` of `folds` (folds > 0) */
    int no_test;      /* skip reading the test rows */
    /* How the caller names val and folds in messages (a command names its
     * flags, "--val"); NULL: "validation rows", "folds". */
    const char *val_name, *folds_name;
} lc_shards_spec;

/* Collective: open, validate the split, read this rank's rows. Refuses more
 * ranks than training rows. */
int lc_shards_load(MPI_Comm comm, const lc_shards_spec *spec, lc_shards *sh, lc_err *e);
void lc_shards_free(lc_shards *sh);

/* Per-dimension mean and standard deviation over all training rows, the same
 * bits for every rank count: pixel sums are integers, exact in double and in
 * an allreduce of doubles; feature sums are exact fixed-point sums (xsum.h) of
 * each column scaled by a power of two from its largest magnitude. mean and sd
 * have D doubles each. Collective. */
int lc_shards_stats(lc_shards *sh, double *mean, double *sd, lc_err *e);

/* Input normalization x' = (x - mean) / scale: scale the standard deviation,
 * 255 or 1. */
typedef enum { LC_SCALE_STD = 0, LC_SCALE_255, LC_SCALE_1 } lc_scale_kind;
extern const lc_names lc_scale_names; /* "std", "255", "1" */

/* Sets m->mean and m->scale for a normalization (mean, scale); center = 0
 * keeps the mean at 0. Collective. */
int lc_shards_normalize(lc_shards *sh, lc_scale_kind scale, int center, lc_model *m, lc_err *e);

/* Sets x8, level_lo, level_step (see above). For features: each column's
 * minimum and maximum over all training rows (MPI_MIN/MAX, exact), step =
 * (max - min) / 255, level = round((x - min) / step); a value is then off by
 * at most step / 2. Collective. */
int lc_shards_levels(lc_shards *sh, lc_err *e);

/* Accuracy of m over one of this rank's row sets (rows of `total` in all),
 * summed over ranks exactly; NaN when total is 0. Collective. */
double lc_shards_accuracy(lc_shards *sh, const lc_model *m, const lc_rows *rows, int64_t total,
                          lc_err *e);

#endif
