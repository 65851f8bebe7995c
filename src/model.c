/* model: parameters of a linear classifier and batched prediction. */
#include "lincls/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int lc_model_predict(const lc_model *m, const lc_rows *r, int64_t i0, int64_t n, uint8_t *pred,
                     int64_t *correct, int64_t *confusion, lc_err *e) {
    enum { BLOCK = 256 };
    const int K = m->K, D = m->D;
    if (r->dim != D)
        return lc_fail(e, LC_EDATA, "model has D = %d inputs but the data rows have %d", D, r->dim);
    float *X = lc_malloc(sizeof(float) * BLOCK * (size_t)D, e);
    float *S = lc_malloc(sizeof(float) * BLOCK * (size_t)K, e);
    if (e->code) {
        free(X);
        free(S);
        return e->code;
    }
    for (int64_t i = 0; i < n; i += BLOCK) {
        int nb = (int)(n - i < BLOCK ? n - i : BLOCK);
        lc_rows_slice(r, i0 + i, nb, m->mean, m->inv_scale, X);
        lc_scores(nb, D, K, X, m->W, m->b, S);
        for (int j = 0; j < nb; j++) {
            const float *s = S + (size_t)j * K;
            int best = 0;
            for (int k = 1; k < K; k++)
                if (s[k] > s[best]) best = k;
            int y = r->labels[i0 + i + j];
            if (pred) pred[i + j] = (uint8_t)best;
            if (correct && best == y) (*correct)++;
            if (confusion && y < K) confusion[(size_t)y * K + best]++;
        }
    }
    free(X);
    free(S);
    return 0;
}
