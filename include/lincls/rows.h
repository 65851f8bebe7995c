/* rows: rows of a dataset split held in memory, and the pure helpers on
 * them. No MPI and no HDF5: the model (model.h) sees rows through this header
 * alone; dataset.h reads them from files. */
#ifndef LINCLS_ROWS_H
#define LINCLS_ROWS_H

#include <stdint.h>

#define LC_MAX_CLASSES 1000
#define LC_CLASS_NAME_MAX 64

/* Rows [row0, row0+nrows) of one split held by this rank. Exactly one of u8/f32
 * is non-NULL. */
typedef struct {
    int64_t row0, nrows;
    int dim, is_images;
    uint8_t *u8;      /* nrows*dim, images */
    float *f32;       /* nrows*dim, features */
    uint16_t *labels; /* nrows */
} lc_rows;

void lc_rows_free(lc_rows *r);

/* The i-th of `parts` contiguous pieces of [0, n): [floor(n*i/parts), floor(n*(i+1)/parts)). */
void lc_split_range(int64_t n, int parts, int i, int64_t *lo, int64_t *hi);

/* Gather rows idx[0..n) (indices into r, not global) into out (n x dim) as
 * (x - mean) * inv_scale. */
void lc_rows_gather(const lc_rows *r, const int64_t *idx, int n, const float *mean,
                    const float *inv_scale, float *out);
/* Contiguous variant: rows [i0, i0+n) of r. */
void lc_rows_slice(const lc_rows *r, int64_t i0, int n, const float *mean,
                   const float *inv_scale, float *out);

#endif
