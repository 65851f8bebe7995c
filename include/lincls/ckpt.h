/* ckpt: checkpoint files (contract: README.md, "Checkpoint file"). Rank 0 writes a temporary
 * file, fsyncs it, renames it over the target and fsyncs the directory, so a
 * crash at any moment leaves either the old or the new checkpoint, whole.
 *   /model/W float32 [K,D], /model/b [K], /model/mean [D], /model/scale [D]
 *   /model   attrs loss, margin, classes, input
 *   /model/dictionary  the bag-of-words dictionary (bow.h) when the input
 *            recipe has bow: what turns images into this model's input
 *   /optim   attrs kind, step, epoch, t, seed, hyperparameters; datasets s1, s2;
 *            lbfgs: attrs m, count, iter, nfev, f, f_prev, aux, step_length and
 *            datasets x, g [n], S, Y [count, n] (oldest pair first), rho [count]
 *   /history per-epoch arrays: epoch, loss, train_acc, val_acc, lr, seconds
 *   /config  attrs: every option of the run, as given (strings)               */
#ifndef LINCLS_CKPT_H
#define LINCLS_CKPT_H

#include <stdint.h>

#include "lincls/bow.h"
#include "lincls/cli.h"
#include "lincls/lbfgs.h"
#include "lincls/model.h"
#include "lincls/optim.h"
#include "lincls/util.h"

typedef struct {
    int n, cap;
    double *loss, *train_acc, *val_acc, *lr, *seconds;
    /* the epoch in progress when a run stops between epochs (a signal): its
     * summed step losses, correct counts and steps, so that a resumed run
     * reports that epoch as an uninterrupted one would. /history attributes
     * partial_loss, partial_correct, partial_steps; absent when 0 steps. */
    double part_loss, part_correct;
    long long part_steps;
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
    const lc_opt *config; /* may be NULL: the option table ... */
    const void *params;   /* ... and the parameters it reads: /config, one attribute per option */
    const lc_bow_dict *dict; /* may be NULL: written to /model/dictionary */
    const lc_lbfgs *lbfgs;   /* L-BFGS state (may be NULL) */
} lc_ckpt_out;

/* Serial write by one process (call it on rank 0 only). */
int lc_ckpt_write(const char *path, const lc_model *m, const lc_ckpt_out *st, lc_err *e);

/* Reads /model into m (allocating it). Any process, serial HDF5. Every
 * dataset and attribute is checked (shape, type, finite values, scale > 0);
 * an error names the file, the object, the shape expected and the one found. */
int lc_ckpt_read_model(const char *path, lc_model *m, lc_err *e);
/* m->input is "" when /model has no input attribute. The same, but
 * /model/mean and /model/scale may both be absent (weights
 * exported from another tool: only /model/W and /model/b): then *has_norm is
 * 0 and m has mean 0, scale 1 for the caller to replace. */
int lc_ckpt_read_weights(const char *path, lc_model *m, int *has_norm, lc_err *e);

/* 0 when m is [K,D] and was made for the data's input (m->input "images" or
 * a features recipe; "" when the file does not say, which fits any); else an
 * error naming the model file, the data file and both shapes or inputs. */
int lc_ckpt_check_fits(const char *path, const lc_model *m, const char *data, int K, int D, const char *input,
                       lc_err *e);

/* Reads /optim into opt (already initialized with the same kind and size) and
 * the step/epoch/seed, and /history into hist (may be NULL). Checks step,
 * epoch >= 0, 0 <= t <= step, the state finite (second moments >= 0); the
 * caller checks them against its run (steps per epoch, batch). */
int lc_ckpt_read_state(const char *path, lc_optim *opt, int64_t *step, int64_t *epoch,
                       uint64_t *seed, lc_history *hist, lc_err *e);

/* Reads the L-BFGS state written with lc_ckpt_out.lbfgs into s (initialized
 * with the same n and m; a different m or size is refused). */
int lc_ckpt_read_lbfgs(const char *path, lc_lbfgs *s, lc_err *e);

/* One /config attribute as a string: 0, LC_H5_MISSING (-1) when absent,
 * LC_H5_WRONG (-2) when it is not one string that fits in n - 1 bytes. */
int lc_ckpt_read_config(const char *path, const char *name, char *buf, size_t n);

#endif
