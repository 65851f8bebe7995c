/* test_features: known answers for the feature kernels (features.h).
 *   - option parsing: accepted lists, refusals naming the flag
 *   - dimensions and recipe strings
 *   - HOG: a vertical edge votes only in the 0-degree bin, a horizontal edge
 *     only around 90 degrees, a uniform image gives zeros, a 45-degree ramp
 *     splits 3:1 between its two nearest bins, and the fast kernel matches a
 *     plain atan2 reference on random images
 *   - hue: single-hue images fill one bin with 1.0, grey pixels are skipped
 * Exits non-zero on any failure. Optional argument "bench" times the kernels. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lincls/features.h"

#define NPIX 1024
#include "check.h"

/* --- image helpers ---------------------------------------------------------- */

static void fill_rgb(uint8_t *img, int r, int g, int b) {
    memset(img, r, NPIX);
    memset(img + NPIX, g, NPIX);
    memset(img + 2 * NPIX, b, NPIX);
}

static void set_gray(uint8_t *img, int y, int x, int v) {
    for (int c = 0; c < 3; c++) img[c * NPIX + y * 32 + x] = (uint8_t)v;
}

/* --- parsing ------------------------------------------------------------------ */

static void expect_parse_fail(const char *kinds, int cell, int hb, int cb, const char *flag) {
    lc_feat_spec s;
    lc_err e = {0};
    int rc = lc_feat_parse(kinds, cell, hb, cb, &s, &e);
    CHECK(rc == LC_EARG && e.code == LC_EARG, "parse('%s',%d,%d,%d) should fail", kinds, cell,
          hb, cb);
    CHECK(strstr(e.msg, flag) != NULL, "message '%s' should name %s", e.msg, flag);
}

static void test_parse(void) {
    lc_feat_spec s;
    lc_err e = {0};
    CHECK(lc_feat_parse("hog,color", 8, 9, 10, &s, &e) == 0, "hog,color: %s", e.msg);
    CHECK(s.n == 2 && s.kinds[0] == LC_FEAT_HOG && s.kinds[1] == LC_FEAT_COLOR, "order");
    CHECK(s.hog_cell == 8 && s.hog_bins == 9 && s.color_bins == 10, "params kept");
    CHECK(lc_feat_parse("color,hog", 4, 9, 12, &s, &e) == 0, "color,hog: %s", e.msg);
    CHECK(s.n == 2 && s.kinds[0] == LC_FEAT_COLOR && s.kinds[1] == LC_FEAT_HOG, "order kept");
    CHECK(lc_feat_parse("hog", 16, 1, 1, &s, &e) == 0 && s.n == 1, "hog alone: %s", e.msg);
    expect_parse_fail("hog,sift", 8, 9, 10, "--kind");
    expect_parse_fail("hog,hog", 8, 9, 10, "--kind");
    expect_parse_fail("", 8, 9, 10, "--kind");
    expect_parse_fail("hog,", 8, 9, 10, "--kind");
    expect_parse_fail("HOG", 8, 9, 10, "--kind");
    expect_parse_fail("hog", 3, 9, 10, "--hog-cell");
    expect_parse_fail("hog", 32, 9, 10, "--hog-cell"); /* one cell per side: no block */
    expect_parse_fail("hog", 0, 9, 10, "--hog-cell");
    expect_parse_fail("hog", -8, 9, 10, "--hog-cell");
    expect_parse_fail("hog", 8, 0, 10, "--hog-bins");
    expect_parse_fail("color", 8, 9, 0, "--color-bins");
}

static void test_dims(void) {
    lc_feat_spec s;
    lc_err e = {0};
    CHECK(lc_feat_hog_dim(8, 9) == 324, "cell 8: 3*3*4*9 = 324, got %d", lc_feat_hog_dim(8, 9));
    CHECK(lc_feat_hog_dim(4, 9) == 1764, "cell 4: 7*7*4*9");
    CHECK(lc_feat_hog_dim(16, 9) == 36, "cell 16: 1*1*4*9");
    CHECK(lc_feat_hog_dim(2, 6) == 15 * 15 * 4 * 6, "cell 2");
    lc_feat_parse("hog,color", 8, 9, 10, &s, &e);
    CHECK(lc_feat_dim(&s) == 334, "hog,color dim %d", lc_feat_dim(&s));
    char buf[256];
    lc_feat_recipe(&s, buf, sizeof buf);
    CHECK(strcmp(buf, "hog(cell=8,bins=9,block=2x2,norm=L2-Hys)+color(hue,bins=10)") == 0,
          "recipe '%s'", buf);
    lc_feat_parse("color", 8, 9, 12, &s, &e);
    CHECK(lc_feat_dim(&s) == 12, "color dim");
    lc_feat_recipe(&s, buf, sizeof buf);
    CHECK(strcmp(buf, "color(hue,bins=12)") == 0, "recipe '%s'", buf);
}

/* --- HOG known answers ----------------------------------------------------- */

/* Sum of |v| over HOG entries whose orientation bin is in [b_lo, b_hi]. */
static double bin_energy(const float *h, int dim, int bins, int b_lo, int b_hi) {
    double s = 0.0;
    for (int i = 0; i < dim; i++) {
        int b = i % bins;
        if (b >= b_lo && b <= b_hi) s += fabs(h[i]);
    }
    return s;
}

static void test_hog_edges(int bins) {
    uint8_t img[3 * NPIX];
    float h[4096];
    const int dim = lc_feat_hog_dim(8, bins);
    /* 90 degrees sits at position bins/2: one bin for even counts, split
     * between bins/2 and bins/2+1 for odd ones (centres at i*180/bins) */
    const int b90_lo = bins / 2, b90_hi = bins % 2 ? bins / 2 + 1 : bins / 2;
    /* vertical edge: left dark, right bright -> horizontal gradient, 0 deg */
    fill_rgb(img, 20, 20, 20);
    for (int y = 0; y < 32; y++)
        for (int x = 16; x < 32; x++) set_gray(img, y, x, 230);
    lc_feat_hog(img, 8, bins, h);
    double all = bin_energy(h, dim, bins, 0, bins - 1);
    double b0 = bin_energy(h, dim, bins, 0, 0);
    double b90 = bin_energy(h, dim, bins, b90_lo, b90_hi);
    CHECK(all > 1.0, "vertical edge: some energy (%g)", all);
    CHECK(fabs(b0 - all) <= 1e-6 * all, "vertical edge: all in bin 0 (%g of %g)", b0, all);
    CHECK(b90 <= 1e-6 * all, "vertical edge: nothing near 90 deg (%g)", b90);
    /* horizontal edge, bright on top: vertical gradient, 90 deg */
    fill_rgb(img, 20, 20, 20);
    for (int y = 0; y < 16; y++)
        for (int x = 0; x < 32; x++) set_gray(img, y, x, 230);
    lc_feat_hog(img, 8, bins, h);
    all = bin_energy(h, dim, bins, 0, bins - 1);
    b0 = bin_energy(h, dim, bins, 0, 0);
    b90 = bin_energy(h, dim, bins, b90_lo, b90_hi);
    CHECK(all > 1.0, "horizontal edge: some energy (%g)", all);
    CHECK(fabs(b90 - all) <= 1e-5 * all, "horizontal edge: all near 90 deg (%g of %g)", b90, all);
    CHECK(b0 <= 1e-6 * all, "horizontal edge: nothing in bin 0 (%g)", b0);
}

static void test_hog_uniform(void) {
    uint8_t img[3 * NPIX];
    float h[4096];
    const int colours[3][3] = {{0, 0, 0}, {255, 255, 255}, {200, 10, 90}};
    for (int c = 0; c < 3; c++) {
        fill_rgb(img, colours[c][0], colours[c][1], colours[c][2]);
        for (int k = 0; k < 3; k++) {
            int cell = k == 0 ? 8 : k == 1 ? 4 : 16;
            for (int i = 0; i < 4096; i++) h[i] = 123.0f; /* every entry must be written */
            lc_feat_hog(img, cell, 9, h);
            int nz = 0;
            for (int i = 0; i < lc_feat_hog_dim(cell, 9); i++) nz += h[i] != 0.0f;
            CHECK(nz == 0, "uniform colour %d cell %d: %d non-zero entries", c, cell, nz);
        }
    }
}

/* A ramp g = x + y: gradient (2,2) inside, 45 degrees. With 9 bins (centres
 * every 20 deg) 45 sits at 2.25 bins: bins 2 and 3 get 3/4 and 1/4 of each
 * vote. A block of four such cells is (a,b) x 4 with a = 3b; L2 gives
 * a = 0.75/sqrt(2.5) = 0.474 (clipped to 0.2) and b = 0.25/sqrt(2.5) = 0.158;
 * renormalizing divides both by sqrt(4 (0.2^2 + 0.158^2)) = sqrt(0.26). */
static void test_hog_diagonal(void) {
    uint8_t img[3 * NPIX];
    float h[324];
    const double a = 0.2 / sqrt(0.26), b = 0.25 / sqrt(2.5) / sqrt(0.26);
    for (int y = 0; y < 32; y++)
        for (int x = 0; x < 32; x++) set_gray(img, y, x, 4 * (x + y));
    lc_feat_hog(img, 8, 9, h);
    /* block (1,1) covers pixels 8..23 in both axes: all interior */
    const float *blk = h + (1 * 3 + 1) * 36;
    for (int c = 0; c < 4; c++) {
        const float *v = blk + c * 9;
        CHECK(fabs(v[2] - a) < 1e-4 && fabs(v[3] - b) < 1e-4,
              "45 deg: bins 2,3 = %g,%g, want %g,%g", v[2], v[3], a, b);
        float rest = 0;
        for (int k = 0; k < 9; k++)
            if (k != 2 && k != 3) rest += v[k];
        CHECK(rest == 0.0f, "45 deg: other bins empty (%g)", rest);
    }
}

/* --- reference HOG (plain, atan2, full cell grid) --------------------------- */

static void ref_hog(const uint8_t *img, int cell, int bins, float *out) {
    float g[NPIX];
    static float hist[32 * 32 * 180];
    int nc = 32 / cell;
    for (int i = 0; i < NPIX; i++)
        g[i] = 0.299f * img[i] + 0.587f * img[NPIX + i] + 0.114f * img[2 * NPIX + i];
    memset(hist, 0, sizeof(float) * (size_t)(nc * nc * bins));
    for (int y = 0; y < 32; y++)
        for (int x = 0; x < 32; x++) {
            int xl = x > 0 ? x - 1 : 0, xr = x < 31 ? x + 1 : 31;
            int yu = y > 0 ? y - 1 : 0, yd = y < 31 ? y + 1 : 31;
            double gx = g[y * 32 + xr] - g[y * 32 + xl], gy = g[yd * 32 + x] - g[yu * 32 + x];
            double mag = sqrt(gx * gx + gy * gy);
            double th = atan2(gy, gx) * 180.0 / 3.14159265358979323846;
            if (th < 0) th += 180.0;
            if (th >= 180.0) th -= 180.0;
            double pos = th * bins / 180.0;
            int b0 = (int)floor(pos);
            double f = pos - b0;
            float *hc = hist + ((y / cell) * nc + x / cell) * bins;
            hc[b0 % bins] += (float)((1 - f) * mag);
            hc[(b0 + 1) % bins] += (float)(f * mag);
        }
    float *o = out;
    for (int by = 0; by < nc - 1; by++)
        for (int bx = 0; bx < nc - 1; bx++) {
            for (int dy = 0; dy < 2; dy++)
                for (int dx = 0; dx < 2; dx++)
                    memcpy(o + (dy * 2 + dx) * bins, hist + ((by + dy) * nc + bx + dx) * bins,
                           sizeof(float) * (size_t)bins);
            for (int pass = 0; pass < 2; pass++) {
                double ss = 0;
                for (int i = 0; i < 4 * bins; i++) ss += (double)o[i] * o[i];
                double inv = 1.0 / sqrt(ss + (pass == 0 ? 1.0 : 1e-6));
                for (int i = 0; i < 4 * bins; i++) {
                    o[i] = (float)(o[i] * inv);
                    if (pass == 0 && o[i] > 0.2f) o[i] = 0.2f;
                }
            }
            o += 4 * bins;
        }
}

static void random_image(uint8_t *img, unsigned *seed) {
    /* smooth-ish random image: random blobs so gradients are not pure noise */
    for (int c = 0; c < 3; c++)
        for (int i = 0; i < NPIX; i++) {
            *seed = *seed * 1103515245u + 12345u;
            int y = i / 32, x = i % 32;
            img[c * NPIX + i] = (uint8_t)(((*seed >> 16) & 63) + 3 * ((x * (c + 1) + y * y) % 64));
        }
}

static void test_hog_reference(void) {
    uint8_t img[3 * NPIX];
    static float a[31 * 31 * 4 * 18], b[31 * 31 * 4 * 18];
    unsigned seed = 7;
    const int cells[] = {1, 2, 4, 8, 16}, nbins[] = {9, 6, 9, 9, 18};
    for (int t = 0; t < 5; t++) {
        random_image(img, &seed);
        int cell = cells[t], bins = nbins[t], dim = lc_feat_hog_dim(cell, bins);
        lc_feat_hog(img, cell, bins, a);
        ref_hog(img, cell, bins, b);
        double maxd = 0;
        for (int i = 0; i < dim; i++) maxd = fmax(maxd, fabs((double)a[i] - b[i]));
        CHECK(maxd < 2e-3, "cell %d bins %d: max |fast - reference| = %g", cell, bins, maxd);
        /* L2-Hys blocks of a textured image have unit norm (eps is tiny here) */
        for (int k = 0; k < dim / (4 * bins); k++) {
            double ss = 0;
            for (int i = 0; i < 4 * bins; i++) ss += (double)a[k * 4 * bins + i] * a[k * 4 * bins + i];
            if (fabs(sqrt(ss) - 1.0) > 1e-2) {
                CHECK(0, "cell %d block %d norm %g", cell, k, sqrt(ss));
                break;
            }
        }
    }
}

/* --- hue --------------------------------------------------------------------- */

static void expect_one_bin(int r, int g, int b, int bins, int want) {
    uint8_t img[3 * NPIX];
    float h[360];
    fill_rgb(img, r, g, b);
    lc_feat_hue_hist(img, bins, h);
    for (int k = 0; k < bins; k++)
        CHECK(h[k] == (k == want ? 1.0f : 0.0f), "rgb(%d,%d,%d) %d bins: bin %d = %g (want %d)",
              r, g, b, bins, k, h[k], want);
}

static void test_hue(void) {
    expect_one_bin(255, 0, 0, 10, 0);   /* red, 0 deg */
    expect_one_bin(0, 255, 0, 10, 3);   /* green, 120 deg: 120*10/360 = 3.3 */
    expect_one_bin(0, 0, 255, 10, 6);   /* blue, 240 deg: 6.7 */
    expect_one_bin(255, 0, 0, 12, 0);
    expect_one_bin(0, 255, 0, 12, 4);   /* exactly on a boundary: 120*12/360 = 4 */
    expect_one_bin(0, 0, 255, 12, 8);
    expect_one_bin(255, 255, 0, 6, 1);  /* yellow, 60 deg, boundary */
    expect_one_bin(0, 128, 128, 6, 3);  /* cyan, 180 deg */
    expect_one_bin(255, 0, 1, 10, 9);   /* just below 360 */
    expect_one_bin(90, 40, 40, 10, 0);  /* dark, unsaturated red is still red */
    expect_one_bin(200, 100, 0, 1, 0);  /* one bin takes every coloured pixel */

    uint8_t img[3 * NPIX];
    float h[10];
    fill_rgb(img, 128, 128, 128); /* grey: no hue, skipped */
    lc_feat_hue_hist(img, 10, h);
    float sum = 0;
    for (int k = 0; k < 10; k++) sum += h[k];
    CHECK(sum == 0.0f, "grey image: histogram sums to %g, want 0 (grey skipped)", sum);
    for (int i = 0; i < NPIX / 2; i++) { /* top half pure green, rest grey */
        img[i] = 0;
        img[NPIX + i] = 200;
        img[2 * NPIX + i] = 0;
    }
    lc_feat_hue_hist(img, 10, h);
    CHECK(h[3] == 0.5f && h[0] == 0.0f, "half green half grey: bin3 %g bin0 %g", h[3], h[0]);
}

static void test_compute(void) {
    uint8_t img[3 * NPIX];
    float all[334], hog[324], hue[10];
    lc_feat_spec s;
    lc_err e = {0};
    unsigned seed = 3;
    random_image(img, &seed);
    lc_feat_parse("hog,color", 8, 9, 10, &s, &e);
    lc_feat_compute(&s, img, all);
    lc_feat_hog(img, 8, 9, hog);
    lc_feat_hue_hist(img, 10, hue);
    CHECK(memcmp(all, hog, sizeof hog) == 0 && memcmp(all + 324, hue, sizeof hue) == 0,
          "hog,color concatenates hog then hue");
    lc_feat_parse("color,hog", 8, 9, 10, &s, &e);
    lc_feat_compute(&s, img, all);
    CHECK(memcmp(all, hue, sizeof hue) == 0 && memcmp(all + 10, hog, sizeof hog) == 0,
          "color,hog concatenates hue then hog");
}

/* --- optional timing ----------------------------------------------------------- */

static void bench(void) {
    enum { N = 2000, REPS = 10 };
    static uint8_t imgs[N][3 * NPIX];
    static float out[334];
    unsigned seed = 11;
    lc_feat_spec s;
    lc_err e = {0};
    for (int i = 0; i < N; i++) random_image(imgs[i], &seed);
    lc_feat_parse("hog,color", 8, 9, 10, &s, &e);
    double t = lc_now(), sink = 0;
    for (int r = 0; r < REPS; r++)
        for (int i = 0; i < N; i++) {
            lc_feat_compute(&s, imgs[i], out);
            sink += out[0];
        }
    t = lc_now() - t;
    printf("hog,color: %.0f images/s (one core)%s\n", N * REPS / t, sink < -1 ? "!" : "");
    t = lc_now();
    for (int r = 0; r < REPS; r++)
        for (int i = 0; i < N; i++) {
            ref_hog(imgs[i], 8, 9, out);
            sink += out[0];
        }
    t = lc_now() - t;
    printf("reference hog (atan2, double): %.0f images/s%s\n", N * REPS / t, sink < -1 ? "!" : "");
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "bench") == 0) {
        bench();
        return 0;
    }
    test_parse();
    test_dims();
    test_hog_edges(9);
    test_hog_edges(8);
    test_hog_uniform();
    test_hog_diagonal();
    test_hog_reference();
    test_hue();
    test_compute();
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("test_features: all checks passed\n");
    return 0;
}
