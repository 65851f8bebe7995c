/* features: image descriptors computed from a 3x32x32 planar uint8 image
 * (CIFAR record order: R plane, G plane, B plane, each row-major 32x32).
 *   hog:   histogram of oriented gradients after Dalal and Triggs on the
 *          grayscale image: centered [-1,0,1] gradients, cells of cell x cell
 *          pixels with `bins` unsigned orientation bins over [0,180) degrees
 *          (vote split linearly between the two nearest bins), 2x2-cell blocks
 *          with a one-cell stride, L2-Hys block normalization (clip 0.2).
 *   color: histogram of HSV hue with `bins` bins over [0,360), each pixel
 *          weighted 1/(32*32); gray pixels (R = G = B, hue undefined) are
 *          skipped, so the histogram sums to the fraction of coloured pixels.
 *   bow:   bag of visual words with a learned dictionary (bow.h); the spec
 *          carries its shape (bow_K, bow_patch, bow_pool) for the width and
 *          the recipe, set by the caller after lc_feat_parse.
 * Kinds concatenate in the order given ("hog,color" = HOG then hue). */
#ifndef LINCLS_FEATURES_H
#define LINCLS_FEATURES_H

#include <stdint.h>

#include "lincls/util.h"

#define LC_FEAT_MAX_KINDS 4

typedef enum { LC_FEAT_HOG = 0, LC_FEAT_COLOR = 1, LC_FEAT_BOW = 2 } lc_feat_kind;

typedef struct {
    int n;                               /* number of kinds */
    lc_feat_kind kinds[LC_FEAT_MAX_KINDS];
    int hog_cell;                        /* pixels per cell side, divides 32 */
    int hog_bins;                        /* orientation bins (9) */
    int color_bins;                      /* hue bins */
    /* bag of words (bow.h): computed with a dictionary, not by lc_feat_compute */
    int bow_K, bow_patch, bow_pool;      /* centroids, patch side, pooling grid side */
    float bow_eps_norm, bow_eps_zca;
} lc_feat_spec;

/* "hog,color" etc. Unknown kinds, repeats, bad cell sizes or bin counts fail
 * naming the flag. */
int lc_feat_parse(const char *kinds, int hog_cell, int hog_bins, int color_bins,
                  lc_feat_spec *s, lc_err *e);
int lc_feat_dim(const lc_feat_spec *s);
/* A one-line recipe ("hog(cell=8,bins=9,block=2x2,norm=L2-Hys)+color(hue,bins=10)")
 * stored in the features file and in models trained on it. */
void lc_feat_recipe(const lc_feat_spec *s, char *buf, size_t n);
/* The inverse of lc_feat_recipe (hog, color and bow terms): a stored recipe
 * back into a spec, so a model trained on a features file can compute its
 * features from images. Accepts exactly the strings lc_feat_recipe writes (the
 * parsed spec must write the same string back) with parameters lc_feat_parse
 * accepts; anything else fails with LC_EDATA quoting the recipe. */
int lc_feat_recipe_parse(const char *recipe, lc_feat_spec *s, lc_err *e);

int lc_feat_hog_dim(int cell, int bins);
void lc_feat_hog(const uint8_t *img, int cell, int bins, float *out);
void lc_feat_hue_hist(const uint8_t *img, int bins, float *out);
/* All kinds in order into out (lc_feat_dim floats). Bag-of-words columns are
 * left as they are (they need a dictionary: lc_recipe_compute in bow.h). */
void lc_feat_compute(const lc_feat_spec *s, const uint8_t *img, float *out);

#endif
