/* bow: bag of visual words after Coates, Lee and Ng, "An analysis of
 * single-layer networks in unsupervised feature learning" (AISTATS 2011).
 *
 * Dictionary learning (collective, data-parallel):
 *   - sample `patches` patch x patch x 3 patches at random positions of random
 *     training images (counter-based stream: the sample does not depend on the
 *     rank count); each rank extracts the samples whose images it holds, then
 *     the sample is redistributed so that every rank holds whole blocks of
 *     LC_BOW_BLOCK samples in global sample order;
 *   - normalize each patch: subtract its mean, divide by sqrt(var + eps_norm)
 *     (var with the n-1 denominator, as the released code's var());
 *   - ZCA whitening: mean and covariance summed over all ranks in 64-bit fixed
 *     point (exact, so independent of the rank count), eigendecomposition with
 *     LAPACK, whiten = V diag(1/sqrt(lambda + eps_zca)) V^T;
 *   - k-means on the whitened patches: init from `K` distinct random samples,
 *     assignment by one GEMM per block, centroid sums and counts reduced in
 *     64-bit fixed point; a centroid with no members becomes 0 (released code).
 *
 * Encoding of one 3x32x32 planar uint8 image: every patch position (stride 1,
 * (33-patch)^2 positions), same normalization and whitening, distances to all
 * centroids by one GEMM per image (same shape for every image, so an image's
 * features do not depend on which other images are encoded with it), triangle
 * activation f_k = max(0, mean_j(z_j) - z_k) with z_k the Euclidean distance to
 * centroid k, sum-pooled over a pool x pool grid of regions of patch positions
 * (pool 2: the four quadrants). Feature index = (ry * pool + rx) * K + k,
 * regions in row-major order; region boundaries at ceil(P*i/pool), P = 33-patch
 * (27 positions, pool 2: rows/columns 0..13 and 14..26).
 *
 * Patch layout: value (c, dy, dx) at index c*patch*patch + dy*patch + dx. */
#ifndef LINCLS_BOW_H
#define LINCLS_BOW_H

#include <hdf5.h>
#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "lincls/features.h"
#include "lincls/util.h"

#define LC_BOW_BLOCK 1024 /* samples per block of the dictionary sample */

typedef struct {
    int patch;           /* patch side in pixels (6) */
    int dim;             /* patch*patch*3 */
    int K;               /* centroids */
    float eps_norm;      /* 10: per-patch normalization */
    float eps_zca;       /* 0.1: whitening */
    float *mean;         /* dim: mean of the normalized patches */
    float *whiten;       /* dim x dim, applied as (p - mean) W^T */
    float *centroids;    /* K x dim */
    /* Encoding and provenance (stored as attributes of the dictionary group). */
    int pool;            /* pooling grid side: 2 = four quadrants */
    int iters;           /* k-means iterations it was learned with */
    long long n_patches; /* patches sampled */
    unsigned long long seed;
} lc_bow_dict;

/* Allocates mean, whiten (identity) and centroids (zero); sets the defaults
 * eps_norm 10, eps_zca 0.1, pool 2. */
int lc_bow_dict_alloc(lc_bow_dict *d, int patch, int K, lc_err *e);
void lc_bow_dict_free(lc_bow_dict *d);

/* HDF5 group `group` under loc (e.g. "/dictionary" in a features file or
 * "/model/dictionary" in a checkpoint): datasets centroids [K,dim],
 * whiten [dim,dim], mean [dim]; attrs patch, channels, eps_norm, eps_zca, pool,
 * kmeans_iters, seed, patches. Read validates shapes (3 channels, dim =
 * patch*patch*3, finite values) and names the group in its message (the
 * caller prefixes the file). Serial HDF5: with a parallel file every rank
 * calls write with the same values. */
int lc_bow_dict_read(hid_t loc, const char *group, lc_bow_dict *d, lc_err *e);
int lc_bow_dict_write(hid_t loc, const char *group, const lc_bow_dict *d, lc_err *e);
/* Opens path (serial HDF5) and reads /dictionary, or /model/dictionary when
 * there is none. Fails naming path when neither exists. */
int lc_bow_dict_load(const char *path, lc_bow_dict *d, lc_err *e);
/* 1 when path has /dictionary or /model/dictionary, 0 when not, -1 when it
 * cannot be opened. */
int lc_bow_dict_present(const char *path);

int lc_bow_positions(const lc_bow_dict *d); /* (33 - patch): positions per side */
int lc_bow_dim(const lc_bow_dict *d);       /* pool*pool*K (4*K with pool 2) */
/* "bow(K=1600,patch=6,pool=2,norm=10,zca=0.1)" */
void lc_bow_recipe(const lc_bow_dict *d, char *buf, size_t n);

/* Encodes n images (each 3x32x32 planar uint8) into out (n x lc_bow_dim).
 * Bits of an image's features do not depend on n or the other images. */
int lc_bow_encode(const lc_bow_dict *d, const uint8_t *imgs, int n, float *out, lc_err *e);
/* Reference: the same encoding with naive double loops in double precision
 * (tests compare against it). */
int lc_bow_encode_naive(const lc_bow_dict *d, const uint8_t *img, float *out, lc_err *e);

/* --- dictionary learning (collective) ---------------------------------------- */

typedef struct {
    int patch, K, pool, iters;
    long long n_patches;
    unsigned long long seed;
    float eps_norm, eps_zca;
} lc_bow_params;

/* Defaults (also those of `features`' options): */
#define LC_BOW_DEFAULT_PATCH 6
#define LC_BOW_DEFAULT_K 1600
#define LC_BOW_DEFAULT_POOL 2
#define LC_BOW_DEFAULT_ITERS 50
#define LC_BOW_DEFAULT_PATCHES 400000
#define LC_BOW_DEFAULT_SEED 1
/* The defaults above, eps 10 / 0.1. */
void lc_bow_params_default(lc_bow_params *p);

/* imgs: this rank's training rows [row0, row0+nrows) of n_total, 3x32x32 each
 * (contiguous row ranges in rank order). Learns d (allocated here) identically
 * on every rank, bitwise the same for every rank count. Refuses K > patches. */
int lc_bow_learn(MPI_Comm comm, const lc_bow_params *p, const uint8_t *imgs, int64_t row0,
                 int64_t nrows, int64_t n_total, lc_bow_dict *d, lc_err *e);

/* The building blocks, exposed for tests. Samples are rows of dim floats; a
 * rank holds global samples [first, first+n) of n_total, and passes ranges
 * made of whole LC_BOW_BLOCK blocks (the last block may be short) for results
 * independent of the rank count. */

/* n raw patches (dim bytes each) -> out (n x dim): (p - mean(p)) / sqrt(var(p) + eps),
 * var with the n-1 denominator; mean and variance from exact integer sums. */
void lc_bow_normalize(const uint8_t *P, int64_t n, int dim, float eps, float *out);
/* mean (dim) and whiten (dim x dim) from the samples, collective. */
int lc_bow_zca(MPI_Comm comm, const float *X, int64_t first, int64_t n, int64_t n_total, int dim,
               float eps, float *mean, float *whiten, lc_err *e);
/* In place X <- (X - mean) W^T, in blocks of LC_BOW_BLOCK rows. */
int lc_bow_apply_whiten(float *X, int64_t first, int64_t n, int dim, const float *mean,
                        const float *whiten, lc_err *e);
/* k-means (collective). centroids (K x dim) out; counts (K) of the last
 * assignment out when not NULL. Init from K distinct samples chosen by seed. */
int lc_bow_kmeans(MPI_Comm comm, const float *X, int64_t first, int64_t n, int64_t n_total,
                  int dim, int K, int iters, uint64_t seed, float *centroids, int64_t *counts,
                  lc_err *e);

/* --- feature recipes on images --------------------------------------------------
 * What eval and predict need to turn images into a model's input: the model's
 * input string ("images", or a recipe such as
 * "bow(K=1600,patch=6,pool=2,norm=10,zca=0.1)+hog(cell=8,...)+color(hue,bins=24)")
 * parsed back, with the dictionary from the model file when the recipe has bow. */
typedef struct {
    int images;        /* input is raw pixels: compute copies them as floats */
    lc_feat_spec spec; /* kinds in order (hog, color, bow) */
    lc_bow_dict dict;  /* when spec has bow */
    int dim;           /* D */
} lc_recipe;

/* input: the model's input attribute; path: the model (or features) file that
 * holds the dictionary. Fails naming the file when the recipe is unknown or the
 * dictionary is missing or does not match the recipe. */
int lc_recipe_load(const char *input, const char *path, lc_recipe *r, lc_err *e);
/* n images -> out (n x r->dim). */
int lc_recipe_compute(const lc_recipe *r, const uint8_t *imgs, int n, float *out, lc_err *e);
void lc_recipe_free(lc_recipe *r);

#endif
