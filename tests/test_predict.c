/* test_predict: the pieces `predict` is made of, with known answers.
 *   - lc_feat_recipe_parse is the exact inverse of lc_feat_recipe over every
 *     kind order and a range of parameters, and refuses anything else;
 *   - lc_image_hwc_to_planar on a known pattern;
 *   - lc_image_load32 on files written here with stb_image_write: a 32x32 RGB
 *     PNG comes back pixel for pixel; a grey PNG gives three equal planes; an
 *     RGBA PNG loses its alpha; a constant-colour 7x5 image is resized to
 *     32x32 of that colour; missing and non-image files fail with LC_EIO and
 *     LC_EDATA naming the file.
 * Usage: test_predict DIR (scratch folder for the image files) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb_image_write.h>

#include "lincls/features.h"
#include "lincls/image.h"
#include "check.h"

#define NPIX 1024

static void recipe_roundtrip(void) {
    static const char *const kinds[] = {"hog", "color", "hog,color", "color,hog"};
    static const int cells[] = {1, 2, 4, 8, 16}, hbins[] = {1, 9, 12, 180}, cbins[] = {1, 10, 24, 360};
    int n = 0;
    for (int k = 0; k < 4; k++)
        for (int c = 0; c < 5; c++)
            for (int h = 0; h < 4; h++)
                for (int b = 0; b < 4; b++) {
                    lc_err e = {0};
                    lc_feat_spec s, back;
                    CHECK(lc_feat_parse(kinds[k], cells[c], hbins[h], cbins[b], &s, &e) == 0, "%s", e.msg);
                    char r[512], r2[512];
                    lc_feat_recipe(&s, r, sizeof r);
                    CHECK(lc_feat_recipe_parse(r, &back, &e) == 0, "'%s': %s", r, e.msg);
                    lc_feat_recipe(&back, r2, sizeof r2);
                    CHECK(strcmp(r, r2) == 0, "'%s' came back as '%s'", r, r2);
                    CHECK(back.n == s.n && lc_feat_dim(&back) == lc_feat_dim(&s), "'%s': dim %d vs %d", r,
                          lc_feat_dim(&back), lc_feat_dim(&s));
                    for (int i = 0; i < s.n; i++) CHECK(back.kinds[i] == s.kinds[i], "'%s': kind %d", r, i);
                    if (strchr(kinds[k], 'h'))
                        CHECK(back.hog_cell == s.hog_cell && back.hog_bins == s.hog_bins, "'%s': hog", r);
                    if (strchr(kinds[k], 'c'))
                        CHECK(back.color_bins == s.color_bins, "'%s': color bins", r);
                    n++;
                }
    /* bag-of-words terms, alone and with the others */
    static const char *const bows[] = {
        "bow(K=1600,patch=6,pool=2,norm=10,zca=0.1)",
        "bow(K=24,patch=6,pool=2,norm=10,zca=0.1)+hog(cell=8,bins=9,block=2x2,norm=L2-Hys)+color(hue,bins=24)",
        "color(hue,bins=10)+bow(K=4000,patch=8,pool=3,norm=5.5,zca=0.01)",
    };
    static const int bow_dims[] = {6400, 96 + 324 + 24, 10 + 36000};
    for (int i = 0; i < 3; i++) {
        lc_feat_spec b;
        lc_err eb = {0};
        char r[512];
        CHECK(lc_feat_recipe_parse(bows[i], &b, &eb) == 0, "'%s': %s", bows[i], eb.msg);
        lc_feat_recipe(&b, r, sizeof r);
        CHECK(strcmp(r, bows[i]) == 0, "'%s' came back as '%s'", bows[i], r);
        CHECK(lc_feat_dim(&b) == bow_dims[i], "'%s': dim %d, want %d", bows[i], lc_feat_dim(&b), bow_dims[i]);
    }
    /* the recipe of the features command's defaults, as stored in files */
    lc_feat_spec s;
    lc_err e = {0};
    CHECK(lc_feat_recipe_parse("hog(cell=8,bins=9,block=2x2,norm=L2-Hys)+color(hue,bins=24)", &s, &e) == 0,
          "%s", e.msg);
    CHECK(lc_feat_dim(&s) == 9 * 36 + 24, "dim %d", lc_feat_dim(&s));
    printf("recipe round trip: %d specs\n", n);
}

static void recipe_refusals(void) {
    static const char *const bad[] = {
        "", "images", "features", "hog", "hog()", "color",
        "hog(cell=8,bins=9,block=2x2,norm=L2-Hys)+",
        "+hog(cell=8,bins=9,block=2x2,norm=L2-Hys)",
        "hog(cell=8,bins=9,block=3x3,norm=L2-Hys)",
        "hog(cell=8,bins=9,block=2x2,norm=L1)",
        "hog(cell=8,bins=9,block=2x2,norm=L2-Hys)x",
        "hog(cell=8, bins=9,block=2x2,norm=L2-Hys)",
        " hog(cell=8,bins=9,block=2x2,norm=L2-Hys)",
        "hog(cell=5,bins=9,block=2x2,norm=L2-Hys)",
        "hog(cell=32,bins=9,block=2x2,norm=L2-Hys)",
        "hog(cell=8,bins=0,block=2x2,norm=L2-Hys)",
        "hog(cell=08,bins=9,block=2x2,norm=L2-Hys)",
        "color(hue,bins=0)", "color(hue,bins=361)", "color(sat,bins=10)", "color(hue,bins=10)+color(hue,bins=10)",
        "hog(cell=8,bins=9,block=2x2,norm=L2-Hys)+hog(cell=4,bins=9,block=2x2,norm=L2-Hys)",
        "color(hue,bins=10)++hog(cell=8,bins=9,block=2x2,norm=L2-Hys)",
        "bow(centroids=1600,patch=6)",
        "bow(K=0,patch=6,pool=2,norm=10,zca=0.1)",
        "bow(K=16,patch=33,pool=2,norm=10,zca=0.1)",
        "bow(K=16,patch=6,pool=28,norm=10,zca=0.1)",
        "bow(K=16,patch=6,pool=2,norm=10,zca=0.10)",
        "bow(K=16,patch=6,pool=2,norm=-1,zca=0.1)",
        "bow(K=16,patch=6,pool=2,norm=10,zca=0.1)+bow(K=16,patch=6,pool=2,norm=10,zca=0.1)",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        lc_feat_spec s;
        lc_err e = {0};
        CHECK(lc_feat_recipe_parse(bad[i], &s, &e) == LC_EDATA, "'%s' accepted", bad[i]);
        CHECK(strstr(e.msg, "unknown recipe") != NULL, "'%s': message '%s'", bad[i], e.msg);
    }
    lc_feat_spec s;
    lc_err e = {0};
    CHECK(lc_feat_recipe_parse(NULL, &s, &e) == LC_EDATA, "NULL accepted");
}

static void planar(void) {
    uint8_t hwc[3 * NPIX], out[3 * NPIX];
    for (int i = 0; i < NPIX; i++)
        for (int c = 0; c < 3; c++) hwc[3 * i + c] = (uint8_t)(i * 7 + c * 101);
    lc_image_hwc_to_planar(hwc, out);
    for (int i = 0; i < NPIX; i++)
        for (int c = 0; c < 3; c++)
            CHECK(out[c * NPIX + i] == (uint8_t)(i * 7 + c * 101), "pixel %d channel %d", i, c);
}

static void loading(const char *dir) {
    char path[4096];
    uint8_t hwc[3 * NPIX], out[3 * NPIX], grey[NPIX], rgba[4 * NPIX];
    lc_err e = {0};
    int w = 0, h = 0;
    for (int i = 0; i < NPIX; i++) {
        for (int c = 0; c < 3; c++) hwc[3 * i + c] = (uint8_t)((i * 13 + c * 71) ^ (i >> 3));
        grey[i] = (uint8_t)(i * 5);
        for (int c = 0; c < 3; c++) rgba[4 * i + c] = hwc[3 * i + c];
        rgba[4 * i + 3] = (uint8_t)i;
    }
    snprintf(path, sizeof path, "%s/rgb.png", dir);
    CHECK(stbi_write_png(path, 32, 32, 3, hwc, 96), "write %s", path);
    CHECK(lc_image_load32(path, out, &w, &h, &e) == 0, "%s", e.msg);
    CHECK(w == 32 && h == 32, "size %dx%d", w, h);
    for (int i = 0; i < NPIX; i++)
        for (int c = 0; c < 3; c++) CHECK(out[c * NPIX + i] == hwc[3 * i + c], "rgb pixel %d channel %d", i, c);

    snprintf(path, sizeof path, "%s/rgba.png", dir);
    CHECK(stbi_write_png(path, 32, 32, 4, rgba, 128), "write %s", path);
    CHECK(lc_image_load32(path, out, NULL, NULL, &e) == 0, "%s", e.msg);
    for (int i = 0; i < NPIX; i++)
        for (int c = 0; c < 3; c++) CHECK(out[c * NPIX + i] == hwc[3 * i + c], "rgba pixel %d channel %d", i, c);

    snprintf(path, sizeof path, "%s/grey.png", dir);
    CHECK(stbi_write_png(path, 32, 32, 1, grey, 32), "write %s", path);
    CHECK(lc_image_load32(path, out, NULL, NULL, &e) == 0, "%s", e.msg);
    for (int i = 0; i < NPIX; i++)
        for (int c = 0; c < 3; c++) CHECK(out[c * NPIX + i] == grey[i], "grey pixel %d channel %d", i, c);

    /* a constant colour stays that colour through the resize */
    uint8_t small[7 * 5 * 3];
    for (int i = 0; i < 35; i++) small[3 * i] = 200, small[3 * i + 1] = 30, small[3 * i + 2] = 90;
    snprintf(path, sizeof path, "%s/small.bmp", dir);
    CHECK(stbi_write_bmp(path, 7, 5, 3, small), "write %s", path);
    CHECK(lc_image_load32(path, out, &w, &h, &e) == 0, "%s", e.msg);
    CHECK(w == 7 && h == 5, "size %dx%d", w, h);
    for (int i = 0; i < NPIX; i++)
        CHECK(out[i] == 200 && out[NPIX + i] == 30 && out[2 * NPIX + i] == 90, "resized pixel %d: %d %d %d", i,
              out[i], out[NPIX + i], out[2 * NPIX + i]);

    lc_err e1 = {0}, e2 = {0};
    snprintf(path, sizeof path, "%s/none.png", dir);
    CHECK(lc_image_load32(path, out, NULL, NULL, &e1) == LC_EIO, "missing file: code %d", e1.code);
    CHECK(strstr(e1.msg, "none.png") != NULL, "message '%s'", e1.msg);
    snprintf(path, sizeof path, "%s/text.png", dir);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs("this is not an image\n", f);
        fclose(f);
    }
    CHECK(lc_image_load32(path, out, NULL, NULL, &e2) == LC_EDATA, "text file: code %d", e2.code);
    CHECK(strstr(e2.msg, "text.png") != NULL && strstr(e2.msg, "not an image") != NULL, "message '%s'", e2.msg);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: test_predict DIR\n");
        return 2;
    }
    recipe_roundtrip();
    recipe_refusals();
    planar();
    loading(argv[1]);
    if (failures) fprintf(stderr, "%d checks failed\n", failures);
    else printf("all checks passed\n");
    return failures != 0;
}
