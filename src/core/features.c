/* features: HOG and HSV-hue histograms of 3x32x32 planar uint8 images.
 *
 * Conventions chosen here (the header states the contract; these are the
 * details it leaves open):
 *
 * HOG
 *   - Grey level g = 0.299 R + 0.587 G + 0.114 B, in grey levels (0..255).
 *   - gx = g[y][x+1] - g[y][x-1], gy = g[y+1][x] - g[y-1][x] (image axes: y
 *     grows downwards); border pixels repeat the edge (clamped indices).
 *   - Unsigned orientation theta in [0,180): the gradient and its negation
 *     vote alike. Bin i is CENTRED at i*180/bins degrees, so bin 0 holds the
 *     horizontal gradient (a vertical edge) exactly; a vote at theta goes to the
 *     two nearest centres with linear weights, wrapping 180 -> 0.
 *   - Votes are weighted by the magnitude sqrt(gx^2 + gy^2).
 *   - Blocks of 2x2 cells, stride one cell, in row-major block order; inside a
 *     block the four cells are row-major, each contributing `bins` values.
 *   - L2-Hys: v /= sqrt(|v|^2 + eps1^2), clip at 0.2, v /= sqrt(|v|^2 + eps2^2).
 *     eps1 = 1 grey level (votes are in grey levels, a textured block has a
 *     norm in the hundreds); eps2 = 1e-3 because the clipped vector has norm
 *     <= 1 (a large eps2 would shrink every block). A uniform block stays 0.
 *   - Orientation without atan2: after folding the gradient into the upper
 *     half plane, a degree-9 odd minimax polynomial gives atan on [0,1] to
 *     ~1e-5 rad (far below a bin width) and is exact at 0 and 90 degrees.
 *
 * Hue
 *   - HSV hue from max/min of (R,G,B) in exact integer arithmetic, so bin
 *     boundaries do not depend on rounding: bin = floor(hue * bins / 360).
 *   - Pixels with zero saturation (R = G = B, grey) have no hue and are
 *     SKIPPED: counting them in bin 0 would make grey look red. Each coloured
 *     pixel adds 1/1024, so the histogram sums to the coloured fraction of the
 *     image (1 when no pixel is grey, 0 for a grey image). */
#include "lincls/features.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define SIDE 32
#define NPIX (SIDE * SIDE)
#define HOG_MAX_BINS 180   /* 1-degree bins; bounds the stack buffers below */
#define HUE_MAX_BINS 360
#define HOG_EPS1 1.0f    /* grey levels */
#define HOG_EPS2 1e-3f   /* after the first normalization */
#define HOG_CLIP 0.2f
#define DEG_PER_RAD 57.295779513082320876f

/* --- parsing and recipe ----------------------------------------------------- */

static int parse_kind(const char *tok, size_t len, lc_feat_kind *k) {
    if (len == 3 && strncmp(tok, "hog", 3) == 0) {
        *k = LC_FEAT_HOG;
        return 0;
    }
    if (len == 5 && strncmp(tok, "color", 5) == 0) {
        *k = LC_FEAT_COLOR;
        return 0;
    }
    if (len == 3 && strncmp(tok, "bow", 3) == 0) {
        *k = LC_FEAT_BOW;
        return 0;
    }
    return -1;
}

static int parse_kind_list(const char *kinds, lc_feat_spec *s, lc_err *e) {
    const char *p = kinds;
    s->n = 0;
    if (!kinds || !*kinds)
        return lc_fail(e, LC_EARG, "--kind: empty (expected e.g. 'hog,color')");
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        lc_feat_kind k;
        if (parse_kind(p, len, &k))
            return lc_fail(e, LC_EARG, "--kind: unknown kind '%.*s' (known: hog, color, bow)",
                           (int)len, p);
        for (int i = 0; i < s->n; i++)
            if (s->kinds[i] == k)
                return lc_fail(e, LC_EARG, "--kind: '%.*s' given twice", (int)len, p);
        if (s->n >= LC_FEAT_MAX_KINDS)
            return lc_fail(e, LC_EARG, "--kind: too many kinds");
        s->kinds[s->n++] = k;
        if (!comma) break;
        p = comma + 1;
    }
    return 0;
}

int lc_feat_parse(const char *kinds, int hog_cell, int hog_bins, int color_bins,
                  lc_feat_spec *s, lc_err *e) {
    memset(s, 0, sizeof *s);
    if (parse_kind_list(kinds, s, e)) return e->code;
    /* Parameters are checked even for kinds not requested: a typo in a flag
     * should not pass silently just because the kind is absent. */
    if (hog_cell < 1 || SIDE % hog_cell != 0 || SIDE / hog_cell < 2)
        return lc_fail(e, LC_EARG,
                       "--hog-cell: %d must divide %d and leave at least 2 cells per side "
                       "(1, 2, 4, 8 or 16)", hog_cell, SIDE);
    if (hog_bins < 1 || hog_bins > HOG_MAX_BINS)
        return lc_fail(e, LC_EARG, "--hog-bins: %d is not in 1..%d", hog_bins, HOG_MAX_BINS);
    if (color_bins < 1 || color_bins > HUE_MAX_BINS)
        return lc_fail(e, LC_EARG, "--color-bins: %d is not in 1..%d", color_bins,
                       HUE_MAX_BINS);
    s->hog_cell = hog_cell;
    s->hog_bins = hog_bins;
    s->color_bins = color_bins;
    return 0;
}

int lc_feat_hog_dim(int cell, int bins) {
    int nc = SIDE / cell;
    return (nc - 1) * (nc - 1) * 4 * bins;
}

int lc_feat_dim(const lc_feat_spec *s) {
    int d = 0;
    for (int i = 0; i < s->n; i++)
        d += s->kinds[i] == LC_FEAT_HOG   ? lc_feat_hog_dim(s->hog_cell, s->hog_bins)
             : s->kinds[i] == LC_FEAT_BOW ? s->bow_pool * s->bow_pool * s->bow_K
                                          : s->color_bins;
    return d;
}

void lc_feat_recipe(const lc_feat_spec *s, char *buf, size_t n) {
    size_t used = 0;
    if (n == 0) return;
    buf[0] = '\0';
    for (int i = 0; i < s->n && used < n; i++) {
        const char *sep = i ? "+" : "";
        int w = s->kinds[i] == LC_FEAT_HOG
                    ? snprintf(buf + used, n - used, "%shog(cell=%d,bins=%d,block=2x2,norm=L2-Hys)",
                               sep, s->hog_cell, s->hog_bins)
                : s->kinds[i] == LC_FEAT_BOW
                    ? snprintf(buf + used, n - used, "%sbow(K=%d,patch=%d,pool=%d,norm=%g,zca=%g)", sep,
                               s->bow_K, s->bow_patch, s->bow_pool, (double)s->bow_eps_norm,
                               (double)s->bow_eps_zca)
                    : snprintf(buf + used, n - used, "%scolor(hue,bins=%d)", sep, s->color_bins);
        if (w < 0) return;
        used += (size_t)w;
    }
}

/* Each '+'-separated part is read with sscanf for its numbers; the spec is then
 * validated by lc_feat_parse (and, for bow, a sanity check of its shape: the
 * dictionary that goes with it is checked where it is loaded, bow.h) and must
 * print the very same recipe, so a part with other fixed fields (block=3x3,
 * norm=L1, ...), junk or spacing is refused instead of being read as
 * something it is not. */
int lc_feat_recipe_parse(const char *recipe, lc_feat_spec *s, lc_err *e) {
    char kinds[64] = "";
    int cell = 8, hbins = 9, cbins = 24, n = 0, bK = 0, bpatch = 0, bpool = 0;
    float bnorm = 0, bzca = 0;
    const char *p = recipe ? recipe : "";
    memset(s, 0, sizeof *s);
    while (*p) {
        const char *end = strchr(p, '+');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char part[256];
        if (len >= sizeof part || n >= LC_FEAT_MAX_KINDS) break;
        memcpy(part, p, len);
        part[len] = '\0';
        int a, b, c;
        float f1, f2;
        const char *kind = NULL;
        if (sscanf(part, "hog(cell=%d,bins=%d,", &a, &b) == 2) {
            kind = "hog";
            cell = a;
            hbins = b;
        } else if (sscanf(part, "color(hue,bins=%d)", &a) == 1) {
            kind = "color";
            cbins = a;
        } else if (sscanf(part, "bow(K=%d,patch=%d,pool=%d,norm=%g,zca=%g)", &a, &b, &c, &f1, &f2) == 5) {
            kind = "bow";
            bK = a, bpatch = b, bpool = c, bnorm = f1, bzca = f2;
        } else {
            break;
        }
        size_t used = strlen(kinds);
        snprintf(kinds + used, sizeof kinds - used, "%s%s", n ? "," : "", kind);
        n++;
        if (!end) {
            p += len;
            break;
        }
        p = end + 1;
        if (!*p) break; /* a trailing '+' */
    }
    lc_err pe = {0};
    char back[512];
    int ok = n > 0 && *p == '\0' && lc_feat_parse(kinds, cell, hbins, cbins, s, &pe) == 0;
    if (ok && strstr(kinds, "bow")) {
        s->bow_K = bK, s->bow_patch = bpatch, s->bow_pool = bpool;
        s->bow_eps_norm = bnorm, s->bow_eps_zca = bzca;
        ok = bK >= 1 && bpatch >= 1 && bpatch <= SIDE && bpool >= 1 && bpool <= SIDE + 1 - bpatch &&
             bnorm >= 0 && bzca >= 0 && isfinite(bnorm) && isfinite(bzca);
    }
    if (ok) {
        lc_feat_recipe(s, back, sizeof back);
        ok = strcmp(back, recipe) == 0;
    }
    if (!ok) {
        memset(s, 0, sizeof *s);
        return lc_fail(e, LC_EDATA, "features of unknown recipe '%.400s'%s%s", recipe ? recipe : "",
                       pe.code ? ": " : "", pe.code ? pe.msg : "");
    }
    return 0;
}

/* --- HOG ----------------------------------------------------------------------- */

static void to_gray(const uint8_t *img, float *g) {
    const uint8_t *r = img, *gr = img + NPIX, *b = img + 2 * NPIX;
    for (int i = 0; i < NPIX; i++)
        g[i] = 0.299f * (float)r[i] + 0.587f * (float)gr[i] + 0.114f * (float)b[i];
}

/* atan(a) for a in [0,1], in radians; odd polynomial so atan(0) = 0 exactly. */
static inline float atan01(float a) {
    float a2 = a * a;
    return a * (0.9998660f +
                a2 * (-0.3302995f + a2 * (0.1801410f + a2 * (-0.0851330f + a2 * 0.0208351f))));
}

/* Unsigned orientation in degrees, [0,180]. 180 and 0 are the same bin after
 * the caller's wrap. */
static inline float orientation_deg(float gx, float gy) {
    if (gy < 0.0f || (gy == 0.0f && gx < 0.0f)) { /* fold into the upper half plane */
        gx = -gx;
        gy = -gy;
    }
    float ax = fabsf(gx);
    float t; /* angle from the +x axis in [0,90] for the folded |gx| */
    if (ax >= gy)
        t = ax > 0.0f ? atan01(gy / ax) * DEG_PER_RAD : 0.0f;
    else
        t = 90.0f - atan01(ax / gy) * DEG_PER_RAD;
    return gx >= 0.0f ? t : 180.0f - t;
}

/* Histograms of one row of cells (pixel rows y0..y0+cell-1) into h
 * (ncells x bins, zeroed here). */
static void cell_row(const float *g, int y0, int cell, int bins, float *h) {
    const int nc = SIDE / cell;
    const float per_deg = (float)bins / 180.0f;
    memset(h, 0, sizeof(float) * (size_t)(nc * bins));
    for (int y = y0; y < y0 + cell; y++) {
        const float *up = g + (y > 0 ? y - 1 : 0) * SIDE;
        const float *dn = g + (y < SIDE - 1 ? y + 1 : SIDE - 1) * SIDE;
        const float *row = g + y * SIDE;
        for (int x = 0; x < SIDE; x++) {
            float gx = row[x < SIDE - 1 ? x + 1 : SIDE - 1] - row[x > 0 ? x - 1 : 0];
            float gy = dn[x] - up[x];
            float mag = sqrtf(gx * gx + gy * gy);
            if (mag == 0.0f) continue;
            /* position in bin units; centres sit on integers */
            float pos = orientation_deg(gx, gy) * per_deg;
            int b0 = (int)pos; /* pos >= 0, so truncation is floor */
            float frac = pos - (float)b0;
            if (b0 >= bins) b0 -= bins; /* 180 degrees is 0 */
            int b1 = b0 + 1 == bins ? 0 : b0 + 1;
            float *hc = h + (x / cell) * bins;
            hc[b0] += (1.0f - frac) * mag;
            hc[b1] += frac * mag;
        }
    }
}

static void l2_scale(float *v, int n, float eps) {
    float ss = 0.0f;
    for (int i = 0; i < n; i++) ss += v[i] * v[i];
    float inv = 1.0f / sqrtf(ss + eps * eps);
    for (int i = 0; i < n; i++) v[i] *= inv;
}

static void l2_hys(float *v, int n) {
    l2_scale(v, n, HOG_EPS1);
    for (int i = 0; i < n; i++)
        if (v[i] > HOG_CLIP) v[i] = HOG_CLIP; /* votes are >= 0: no lower clip */
    l2_scale(v, n, HOG_EPS2);
}

/* Blocks whose top cells are row `top` and bottom cells `bot`. */
static void block_row(const float *top, const float *bot, int nc, int bins, float *out) {
    for (int bx = 0; bx < nc - 1; bx++) {
        float *v = out + (size_t)bx * 4 * bins;
        memcpy(v, top + bx * bins, sizeof(float) * (size_t)(2 * bins));
        memcpy(v + 2 * bins, bot + bx * bins, sizeof(float) * (size_t)(2 * bins));
        l2_hys(v, 4 * bins);
    }
}

/* cell and bins as lc_feat_parse accepts them (bins <= HOG_MAX_BINS sizes the
 * stack buffer; there is no error path here, so callers validate first). */
void lc_feat_hog(const uint8_t *img, int cell, int bins, float *out) {
    /* Blocks only span two rows of cells, so two rolling cell rows suffice:
     * small, cache-resident buffers whatever the cell size. */
    float g[NPIX];
    float rows[2][SIDE * HOG_MAX_BINS];
    const int nc = SIDE / cell;
    const size_t per_row = (size_t)(nc - 1) * 4 * bins;
    to_gray(img, g);
    cell_row(g, 0, cell, bins, rows[0]);
    for (int cy = 1; cy < nc; cy++) {
        cell_row(g, cy * cell, cell, bins, rows[cy & 1]);
        block_row(rows[(cy - 1) & 1], rows[cy & 1], nc, bins, out + (size_t)(cy - 1) * per_row);
    }
}

/* --- hue histogram -------------------------------------------------------- */

/* Hue bin of one pixel, or -1 for grey. hue = 60 * (sector + num/delta) with
 * sector 0 (max R), 2 (max G), 4 (max B); scaled by bins/360 and floored in
 * integers: bin = floor((sector*delta + num) * bins / (6*delta)). */
static inline int hue_bin(int r, int g, int b, int bins) {
    int mx = r > g ? (r > b ? r : b) : (g > b ? g : b);
    int mn = r < g ? (r < b ? r : b) : (g < b ? g : b);
    int d = mx - mn;
    if (d == 0) return -1;
    int num; /* in units of delta/6 of a full turn: 0 .. 6*d */
    if (mx == r) {
        num = g - b;
        if (num < 0) num += 6 * d; /* hue in [300,360) */
    } else if (mx == g) {
        num = 2 * d + (b - r);
    } else {
        num = 4 * d + (r - g);
    }
    int bin = (int)((long)num * bins / (6L * d));
    return bin < bins ? bin : bins - 1; /* num < 6d already; belt and braces */
}

void lc_feat_hue_hist(const uint8_t *img, int bins, float *out) {
    const uint8_t *r = img, *g = img + NPIX, *b = img + 2 * NPIX;
    int count[HUE_MAX_BINS];
    memset(count, 0, sizeof(int) * (size_t)bins);
    for (int i = 0; i < NPIX; i++) {
        int k = hue_bin(r[i], g[i], b[i], bins);
        if (k >= 0) count[k]++;
    }
    /* integer counts, one scaling: exact (1024 is a power of two) */
    for (int k = 0; k < bins; k++) out[k] = (float)count[k] * (1.0f / (float)NPIX);
}

void lc_feat_compute(const lc_feat_spec *s, const uint8_t *img, float *out) {
    for (int i = 0; i < s->n; i++) {
        if (s->kinds[i] == LC_FEAT_HOG) {
            lc_feat_hog(img, s->hog_cell, s->hog_bins, out);
            out += lc_feat_hog_dim(s->hog_cell, s->hog_bins);
        } else if (s->kinds[i] == LC_FEAT_BOW) {
            out += s->bow_pool * s->bow_pool * s->bow_K; /* needs a dictionary: bow.h */
        } else {
            lc_feat_hue_hist(img, s->color_bins, out);
            out += s->color_bins;
        }
    }
}
