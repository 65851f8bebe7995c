/* shards: the training data as V virtual shards, shared by train and search.
 *
 * The training rows (the file's /train rows minus a held-out validation block)
 * are cut into V contiguous shards, shard v = training indices
 * [shard_lo[v], shard_lo[v+1]); rank r owns a contiguous run of shards
 * (tree.v_lo .. tree.v_hi) and holds only their rows, plus its even share of
 * the validation and test rows. Training index t is file row t before the
 * held-out block and t + (hold_hi - hold_lo) after it. */
#ifndef LINCLS_SHARDS_H
#define LINCLS_SHARDS_H

#include <mpi.h>

#include "lincls/dataset.h"
#include "lincls/dist.h"
#include "lincls/model.h"
#include "lincls/util.h"

typedef struct {
    MPI_Comm comm;
    int rank, P, V;
    lc_dataset_info info;
    int64_t N;                /* training rows */
    int64_t hold_lo, hold_hi; /* held-out (validation) rows of /train */
    int64_t *shard_lo;        /* V + 1 bounds in training-index space */
    lc_treesum tree;
    lc_rows train, val, test; /* this rank's rows; train.row0 is a training index */
} lc_shards;

typedef struct {
    const char *data;
    int V;
    long long val;    /* hold out the last val rows ... */
    int folds, fold;  /* ... or fold `fold` of `folds` (folds > 0) */
    int no_test;      /* skip reading the test rows */
} lc_shards_spec;

/* Collective: open, validate the split (naming --val/--folds/--vshards), read
 * this rank's rows. */
int lc_shards_load(MPI_Comm comm, const lc_shards_spec *spec, lc_shards *sh, lc_err *e);
void lc_shards_free(lc_shards *sh);

/* Per-dimension mean and standard deviation over all training rows, the same
 * bits for every rank count (per-shard sums, tree-summed; exact for pixels).
 * mean and sd have D doubles each. Collective. */
int lc_shards_stats(lc_shards *sh, double *mean, double *sd, lc_err *e);

/* Sets m->mean and m->scale for a normalization: "std" (mean, std), "255"
 * (mean, 255), "1" (mean, 1); center = 0 keeps the mean at 0. Collective. */
int lc_shards_normalize(lc_shards *sh, const char *scale, int center, lc_model *m, lc_err *e);

/* Accuracy of m over one of this rank's row sets (rows of `total` in all),
 * summed over ranks exactly; NaN when total is 0. Collective. */
double lc_shards_accuracy(lc_shards *sh, const lc_model *m, const lc_rows *rows, int64_t total,
                          lc_err *e);

#endif
