/* model: a linear classifier s = W x' + b, x' = (x - mean) / scale.
 * W (K x D) and b (K) live in one contiguous block `params` (W first), so the
 * optimizer and the allreduce see one vector of K*D + K floats. */
#ifndef LINCLS_MODEL_H
#define LINCLS_MODEL_H

#include <stdint.h>

#include "lincls/loss.h"
#include "lincls/rows.h"
#include "lincls/util.h"

typedef struct {
    int K, D;
    float *params;      /* K*D + K */
    float *W, *b;       /* views into params */
    float *mean, *scale; /* D each */
    float *inv_scale;   /* D, 1/scale, derived */
    lc_loss_kind loss;
    float margin;
    char input[512];    /* "images" or the feature recipe */
    int n_classes;
    char classes[LC_MAX_CLASSES][LC_CLASS_NAME_MAX];
} lc_model;

static inline size_t lc_model_nparams(const lc_model *m) {
    return (size_t)m->K * (size_t)m->D + (size_t)m->K;
}

/* Allocates W, b (zero), mean 0, scale 1. */
int lc_model_alloc(lc_model *m, int K, int D, lc_err *e);
void lc_model_free(lc_model *m);
void lc_model_set_scale(lc_model *m); /* recompute inv_scale from scale */

/* Predicted classes (first argmax) for rows [i0, i0+n) of r, computed in
 * blocks with the fixed-order kernel lc_kern_scores (the same predictions on
 * every CPU); scratch is allocated internally. Counts correct predictions into
 * *correct when labels are known, and confusion[K*K] (row = true, col = predicted)
 * when not NULL. Returns 0 or an error. */
int lc_model_predict(const lc_model *m, const lc_rows *r, int64_t i0, int64_t n, uint16_t *pred,
                     int64_t *correct, int64_t *confusion, lc_err *e);

#endif
