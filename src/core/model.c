/* model: parameters of a linear classifier and batched prediction. */
#include "lincls/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lincls/kern.h"

int lc_model_alloc(lc_model *m, int K, int D, lc_err *e) {
    memset(m, 0, sizeof *m);
    m->K = K;
    m->D = D;
    m->params = lc_calloc(lc_model_nparams(m), sizeof(float), e);
    m->mean = lc_calloc((size_t)D, sizeof(float), e);
    m->scale = lc_malloc(sizeof(float) * (size_t)D, e);
    m->inv_scale = lc_malloc(sizeof(float) * (size_t)D, e);
    if (e->code) {
        lc_model_free(m);
        return e->code;
    }
    m->W = m->params;
    m->b = m->params + (size_t)K * D;
    for (int d = 0; d < D; d++) m->scale[d] = 1.0f;
    lc_model_set_scale(m);
    m->margin = 1.0f;
    snprintf(m->input, sizeof m->input, "images");
    return 0;
}

void lc_model_free(lc_model *m) {
    free(m->params);
    free(m->mean);
    free(m->scale);
    free(m->inv_scale);
    memset(m, 0, sizeof *m);
}

void lc_model_set_scale(lc_model *m) {
    for (int d = 0; d < m->D; d++) m->inv_scale[d] = 1.0f / m->scale[d];
}

int lc_model_predict(const lc_model *m, const lc_rows *r, int64_t i0, int64_t n, uint16_t *pred,
                     int64_t *correct, int64_t *confusion, lc_err *e) {
    enum { BLOCK = 256 };
    const int K = m->K, D = m->D;
    if (r->dim != D)
        return lc_fail(e, LC_EDATA, "model has D = %d inputs but the data rows have %d", D, r->dim);
    float *S = lc_malloc(sizeof(float) * BLOCK * (size_t)K, e);
    float *scratch = lc_malloc(sizeof(float) * (size_t)D, e);
    int64_t *idx = lc_malloc(sizeof(int64_t) * BLOCK, e);
    if (e->code) {
        free(S);
        free(scratch);
        free(idx);
        return e->code;
    }
    for (int64_t i = 0; i < n; i += BLOCK) {
        int nb = (int)(n - i < BLOCK ? n - i : BLOCK);
        for (int j = 0; j < nb; j++) idx[j] = i0 + i + j;
        /* the fixed-order kernel: a prediction is the same on every CPU */
        lc_kern_scores(nb, D, K, r->u8, r->f32, idx, m->W, m->b, m->mean, m->inv_scale, S, scratch);
        for (int j = 0; j < nb; j++) {
            int best = lc_argmax_first(S + (size_t)j * K, K);
            int y = r->labels[i0 + i + j];
            if (pred) pred[i + j] = (uint16_t)best;
            if (correct && best == y) (*correct)++;
            if (confusion && y < K) confusion[(size_t)y * K + best]++;
        }
    }
    free(S);
    free(scratch);
    free(idx);
    return 0;
}
