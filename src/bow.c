/* bow: bag of visual words (see bow.h). */
#include "lincls/bow.h"

#include <stdlib.h>
#include <string.h>

int lc_bow_dict_alloc(lc_bow_dict *d, int patch, int K, lc_err *e) {
    memset(d, 0, sizeof *d);
    (void)patch; (void)K;
    return lc_fail(e, LC_EINTERNAL, "bow: not implemented yet");
}
void lc_bow_dict_free(lc_bow_dict *d) {
    free(d->mean);
    free(d->whiten);
    free(d->centroids);
    memset(d, 0, sizeof *d);
}
int lc_bow_dict_read(hid_t loc, const char *group, lc_bow_dict *d, lc_err *e) {
    memset(d, 0, sizeof *d);
    return lc_fail(e, LC_EINTERNAL, "bow: not implemented yet");
}
int lc_bow_dict_write(hid_t loc, const char *group, const lc_bow_dict *d, lc_err *e) {
    return lc_fail(e, LC_EINTERNAL, "bow: not implemented yet");
}
int lc_bow_dict_load(const char *path, lc_bow_dict *d, lc_err *e) {
    memset(d, 0, sizeof *d);
    return lc_fail(e, LC_EINTERNAL, "bow: not implemented yet");
}
int lc_bow_dict_present(const char *path) { return 0; }
int lc_bow_positions(const lc_bow_dict *d) { return 33 - d->patch; }
int lc_bow_dim(const lc_bow_dict *d) { return d->pool * d->pool * d->K; }
void lc_bow_recipe(const lc_bow_dict *d, char *buf, size_t n) { if (n) buf[0] = '\0'; }
int lc_bow_encode(const lc_bow_dict *d, const uint8_t *imgs, int n, float *out, lc_err *e) {
    return lc_fail(e, LC_EINTERNAL, "bow: not implemented yet");
}
int lc_bow_encode_naive(const lc_bow_dict *d, const uint8_t *img, float *out, lc_err *e) {
    return lc_fail(e, LC_EINTERNAL, "bow: not implemented yet");
}
void lc_bow_params_default(lc_bow_params *p) { memset(p, 0, sizeof *p); }
int lc_bow_learn(MPI_Comm comm, const lc_bow_params *p, const uint8_t *imgs, int64_t row0,
                 int64_t nrows, int64_t n_total, lc_bow_dict *d, lc_err *e) {
    return lc_fail(e, LC_EINTERNAL, "bow: not implemented yet");
}
void lc_bow_normalize(float *X, int64_t n, int dim, float eps) {}
int lc_bow_zca(MPI_Comm comm, const float *X, int64_t first, int64_t n, int64_t n_total, int dim,
               float eps, float *mean, float *whiten, lc_err *e) {
    return lc_fail(e, LC_EINTERNAL, "bow: not implemented yet");
}
int lc_bow_apply_whiten(float *X, int64_t first, int64_t n, int dim, const float *mean,
                        const float *whiten, lc_err *e) {
    return lc_fail(e, LC_EINTERNAL, "bow: not implemented yet");
}
int lc_bow_kmeans(MPI_Comm comm, const float *X, int64_t first, int64_t n, int64_t n_total,
                  int dim, int K, int iters, uint64_t seed, float *centroids, int64_t *counts,
                  lc_err *e) {
    return lc_fail(e, LC_EINTERNAL, "bow: not implemented yet");
}
int lc_recipe_load(const char *input, const char *path, lc_recipe *r, lc_err *e) {
    memset(r, 0, sizeof *r);
    return lc_fail(e, LC_EINTERNAL, "bow: not implemented yet");
}
int lc_recipe_compute(const lc_recipe *r, const uint8_t *imgs, int n, float *out, lc_err *e) {
    return lc_fail(e, LC_EINTERNAL, "bow: not implemented yet");
}
void lc_recipe_free(lc_recipe *r) { lc_bow_dict_free(&r->dict); }
