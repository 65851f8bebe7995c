/* rows: rows of a split in memory (no I/O, no MPI). */
#include "lincls/rows.h"

#include <stdlib.h>
#include <string.h>

void lc_split_range(int64_t n, int parts, int i, int64_t *lo, int64_t *hi) {
    /* n * i fits easily: n < 2^40, parts < 2^20 */
    *lo = n * i / parts;
    *hi = n * (i + 1) / parts;
}

void lc_rows_free(lc_rows *r) {
    free(r->u8);
    free(r->f32);
    free(r->labels);
    memset(r, 0, sizeof *r);
}

/* The per-step conversion of sampled rows to normalized floats runs over
 * every pixel of every batch, so it gets an AVX2 clone where the CPU has it.
 * No FMA: both clones round the same way (and C11 mode keeps GCC from
 * contracting), so results do not depend on which clone runs. */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define LC_HOT_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define LC_HOT_CLONES
#endif

/* Start fetching a row that will be converted next: its start address is
 * random, so the hardware prefetcher would only catch on after a few lines. */
static inline void prefetch_row(const lc_rows *r, int64_t row) {
    const char *p = r->is_images ? (const char *)(r->u8 + (size_t)row * r->dim)
                                 : (const char *)(r->f32 + (size_t)row * r->dim);
    size_t bytes = (size_t)r->dim * (r->is_images ? 1 : sizeof(float));
    for (size_t off = 0; off < bytes; off += 64) __builtin_prefetch(p + off);
}

/* Row `row` of r, normalized, into o. */
static inline void norm_row(const lc_rows *r, int64_t row, const float *restrict mean,
                            const float *restrict inv_scale, float *restrict o) {
    const int D = r->dim;
    if (r->is_images) {
        const uint8_t *restrict x = r->u8 + (size_t)row * D;
        for (int d = 0; d < D; d++) o[d] = ((float)x[d] - mean[d]) * inv_scale[d];
    } else {
        const float *restrict x = r->f32 + (size_t)row * D;
        for (int d = 0; d < D; d++) o[d] = (x[d] - mean[d]) * inv_scale[d];
    }
}

LC_HOT_CLONES
void lc_rows_gather(const lc_rows *r, const int64_t *idx, int n, const float *mean,
                    const float *inv_scale, float *out) {
    if (n > 0) prefetch_row(r, idx[0]);
    for (int i = 0; i < n; i++) {
        if (i + 1 < n) prefetch_row(r, idx[i + 1]);
        norm_row(r, idx[i], mean, inv_scale, out + (size_t)i * r->dim);
    }
}

LC_HOT_CLONES
void lc_rows_slice(const lc_rows *r, int64_t i0, int n, const float *mean, const float *inv_scale,
                   float *out) {
    for (int i = 0; i < n; i++) norm_row(r, i0 + i, mean, inv_scale, out + (size_t)i * r->dim);
}
