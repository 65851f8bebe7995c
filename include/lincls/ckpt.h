/* ckpt: checkpoint files (contract, DESIGN.md). Rank 0 writes a temporary
 * file, fsyncs it, renames it over the target and fsyncs the directory, so a
 * crash at any moment leaves either the old or the new checkpoint, whole.
 *   /model/W float32 [K,D], /model/b [K], /model/mean [D], /model/scale [D]
 *   /model   attrs loss, margin, classes, input
 *   /model/dictionary  the bag-of-words dictionary (bow.h) when the input
 *            recipe has bow: what turns images into this model's input
 *   /optim   attrs kind, step, epoch, t, seed, hyperparameters; datasets s1, s2
 *   /history per-epoch arrays: epoch, loss, train_acc, val_acc, lr, seconds
 *   /config  attrs: every option of the run, as given (strings)               */
#ifndef LINCLS_CKPT_H
#define LINCLS_CKPT_H

#include <stdint.h>

#include "lincls/bow.h"
#include "lincls/cli.h"
#include "lincls/model.h"
#include "lincls/optim.h"
#include "lincls/util.h"

typedef struct {
    int n, cap;
    double *loss, *train_acc, *val_acc, *lr, *seconds;
} lc_history;

int lc_history_push(lc_history *h, double loss, double train_acc, double val_acc, double lr,
                    double seconds, lc_err *e);
void lc_history_free(lc_history *h);

typedef struct {
    int64_t step;         /* updates done */
    int64_t epoch;        /* epochs done */
    uint64_t seed;        /* the run's seed: with step, the RNG position */
    const lc_optim *opt;  /* may be NULL (search results) */
    const lc_history *hist; /* may be NULL */
    const lc_opt *config; /* may be NULL */
    int nconfig;
    const lc_bow_dict *dict; /* may be NULL: written to /model/dictionary */
} lc_ckpt_out;

/* Serial write by one process (call it on rank 0 only). */
int lc_ckpt_write(const char *path, const lc_model *m, const lc_ckpt_out *st, lc_err *e);

/* Reads /model into m (allocating it). Any process, serial HDF5. */
int lc_ckpt_read_model(const char *path, lc_model *m, lc_err *e);

/* Reads /optim into opt (already initialized with the same kind and size) and
 * the step/epoch/seed, and /history into hist (may be NULL). */
int lc_ckpt_read_state(const char *path, lc_optim *opt, int64_t *step, int64_t *epoch,
                       uint64_t *seed, lc_history *hist, lc_err *e);

/* One /config attribute as a string; -1 when absent. */
int lc_ckpt_read_config(const char *path, const char *name, char *buf, size_t n);

#endif
