/* predict_tool: image files and independent answers for the predict tests.
 *
 *   predict_tool write DATA.h5 ROW0 N DIR
 *       rows ROW0..ROW0+N-1 of /test/images as DIR/rowR.png (stb_image_write);
 *       row ROW0 also as rowR.ppm and a grey rowR-grey.pgm (both written by hand
 *       here, binary P6/P5), rowR-grey.png (the same grey image as RGB PNG),
 *       rowR.bmp, rowR-rgba.png (an alpha channel added), rowR.jpg (quality
 *       95) and rowR-x3.png (each pixel repeated 3x3: 96x96, resized back).
 *   predict_tool expect MODEL.h5 DATA.h5 GROUP ROW0 N
 *       for each row of /GROUP/images (or /GROUP/features in a features file):
 *       "label v_0 ... v_{K-1}" with the model's scores (svm) or softmax
 *       probabilities computed here in double with plain loops from the HDF5
 *       datasets (nothing of the library but HDF5 reading).
 *   predict_tool set-input MODEL.h5 RECIPE
 *       rewrites the model's `input` attribute (a model of an unknown recipe).
 *   predict_tool drop-dictionary MODEL.h5
 *       unlinks /model/dictionary (a bag-of-words model without its dictionary). */
#include <hdf5.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb_image_write.h>

#define SIDE 32
#define NPIX (SIDE * SIDE)
#define IMG (3 * NPIX)

static int die(const char *what, const char *arg) {
    fprintf(stderr, "predict_tool: %s %s\n", what, arg ? arg : "");
    exit(2);
}

/* Rows [row0, row0+n) x width of a 2-D (or [N,3,32,32]) dataset. */
static void read_rows(hid_t f, const char *name, hid_t mem, long row0, long n, size_t width, void *out) {
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    if (d < 0) die("cannot open dataset", name);
    hid_t fs = H5Dget_space(d);
    int rank = H5Sget_simple_extent_ndims(fs);
    hsize_t dims[4] = {0}, start[4] = {0}, count[4] = {0};
    H5Sget_simple_extent_dims(fs, dims, NULL);
    size_t w = 1;
    for (int i = 1; i < rank; i++) w *= dims[i], count[i] = dims[i];
    if (w != width) die("unexpected row width in", name);
    start[0] = (hsize_t)row0;
    count[0] = (hsize_t)n;
    H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
    hid_t ms = H5Screate_simple(rank, count, NULL);
    if (H5Dread(d, mem, ms, fs, H5P_DEFAULT, out) < 0) die("cannot read", name);
    H5Sclose(ms);
    H5Sclose(fs);
    H5Dclose(d);
}

static void read_all(hid_t f, const char *name, hid_t mem, size_t n, void *out) {
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    if (d < 0) die("cannot open dataset", name);
    hid_t s = H5Dget_space(d);
    if ((size_t)H5Sget_simple_extent_npoints(s) != n) die("unexpected size of", name);
    if (H5Dread(d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0) die("cannot read", name);
    H5Sclose(s);
    H5Dclose(d);
}

static void to_hwc(const uint8_t *planar, uint8_t *hwc) {
    for (int i = 0; i < NPIX; i++)
        for (int c = 0; c < 3; c++) hwc[3 * i + c] = planar[c * NPIX + i];
}

static void write_pnm(const char *path, const char *magic, int w, int h, const uint8_t *data, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) die("cannot write", path);
    fprintf(f, "%s\n# written by predict_tool\n%d %d\n255\n", magic, w, h);
    if (fwrite(data, 1, n, f) != n || fclose(f) != 0) die("cannot write", path);
}

static int do_write(char **argv) {
    long row0 = atol(argv[3]), n = atol(argv[4]);
    const char *dir = argv[5];
    hid_t f = H5Fopen(argv[2], H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) die("cannot open", argv[2]);
    uint8_t *img = malloc((size_t)n * IMG);
    if (!img) die("out of memory", NULL);
    read_rows(f, "/test/images", H5T_NATIVE_UINT8, row0, n, IMG, img);
    H5Fclose(f);
    char path[4096];
    uint8_t hwc[IMG], rgba[4 * NPIX], grey[NPIX], grey3[IMG], big[9 * IMG];
    for (long i = 0; i < n; i++) {
        to_hwc(img + (size_t)i * IMG, hwc);
        snprintf(path, sizeof path, "%s/row%ld.png", dir, row0 + i);
        if (!stbi_write_png(path, SIDE, SIDE, 3, hwc, 3 * SIDE)) die("cannot write", path);
    }
    to_hwc(img, hwc);
    snprintf(path, sizeof path, "%s/row%ld.ppm", dir, row0);
    write_pnm(path, "P6", SIDE, SIDE, hwc, sizeof hwc);
    snprintf(path, sizeof path, "%s/row%ld.bmp", dir, row0);
    if (!stbi_write_bmp(path, SIDE, SIDE, 3, hwc)) die("cannot write", path);
    snprintf(path, sizeof path, "%s/row%ld.jpg", dir, row0);
    if (!stbi_write_jpg(path, SIDE, SIDE, 3, hwc, 95)) die("cannot write", path);
    for (int p = 0; p < NPIX; p++) {
        for (int c = 0; c < 3; c++) rgba[4 * p + c] = hwc[3 * p + c];
        rgba[4 * p + 3] = (uint8_t)(p % 251); /* any alpha: it must be ignored */
        grey[p] = img[NPIX + p];              /* the G plane as a grey image */
        for (int c = 0; c < 3; c++) grey3[3 * p + c] = grey[p];
    }
    snprintf(path, sizeof path, "%s/row%ld-rgba.png", dir, row0);
    if (!stbi_write_png(path, SIDE, SIDE, 4, rgba, 4 * SIDE)) die("cannot write", path);
    snprintf(path, sizeof path, "%s/row%ld-grey.pgm", dir, row0);
    write_pnm(path, "P5", SIDE, SIDE, grey, sizeof grey);
    snprintf(path, sizeof path, "%s/row%ld-grey.png", dir, row0);
    if (!stbi_write_png(path, SIDE, SIDE, 3, grey3, 3 * SIDE)) die("cannot write", path);
    for (int y = 0; y < 3 * SIDE; y++)
        for (int x = 0; x < 3 * SIDE; x++)
            for (int c = 0; c < 3; c++) big[(y * 3 * SIDE + x) * 3 + c] = hwc[((y / 3) * SIDE + x / 3) * 3 + c];
    snprintf(path, sizeof path, "%s/row%ld-x3.png", dir, row0);
    if (!stbi_write_png(path, 3 * SIDE, 3 * SIDE, 3, big, 9 * SIDE)) die("cannot write", path);
    free(img);
    return 0;
}

static int do_expect(char **argv) {
    const char *group = argv[4];
    long row0 = atol(argv[5]), n = atol(argv[6]);
    hid_t m = H5Fopen(argv[2], H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t f = H5Fopen(argv[3], H5F_ACC_RDONLY, H5P_DEFAULT);
    if (m < 0 || f < 0) die("cannot open model or data", NULL);
    hid_t d = H5Dopen2(m, "/model/W", H5P_DEFAULT);
    if (d < 0) die("no /model/W in", argv[2]);
    hid_t s = H5Dget_space(d);
    hsize_t kd[2];
    H5Sget_simple_extent_dims(s, kd, NULL);
    H5Sclose(s);
    H5Dclose(d);
    const int K = (int)kd[0], D = (int)kd[1];
    double *W = malloc(sizeof(double) * (size_t)K * D), *b = malloc(sizeof(double) * K);
    double *mean = malloc(sizeof(double) * D), *scale = malloc(sizeof(double) * D);
    double *X = malloc(sizeof(double) * (size_t)n * D), *sc = malloc(sizeof(double) * K);
    if (!W || !b || !mean || !scale || !X || !sc) die("out of memory", NULL);
    read_all(m, "/model/W", H5T_NATIVE_DOUBLE, (size_t)K * D, W);
    read_all(m, "/model/b", H5T_NATIVE_DOUBLE, (size_t)K, b);
    read_all(m, "/model/mean", H5T_NATIVE_DOUBLE, (size_t)D, mean);
    read_all(m, "/model/scale", H5T_NATIVE_DOUBLE, (size_t)D, scale);
    char name[256], loss[64] = "";
    hid_t a = H5Aopen_by_name(m, "/model", "loss", H5P_DEFAULT, H5P_DEFAULT);
    hid_t at = H5Aget_type(a);
    H5Aread(a, at, loss); /* fixed-length string, written by ckpt.c */
    H5Tclose(at);
    H5Aclose(a);
    int softmax = strncmp(loss, "softmax", 7) == 0;
    snprintf(name, sizeof name, "/%s/images", group);
    if (H5Lexists(f, name, H5P_DEFAULT) <= 0) snprintf(name, sizeof name, "/%s/features", group);
    read_rows(f, name, H5T_NATIVE_DOUBLE, row0, n, (size_t)D, X);
    for (long i = 0; i < n; i++) {
        int best = 0;
        for (int k = 0; k < K; k++) {
            double acc = b[k];
            for (int j = 0; j < D; j++) acc += W[(size_t)k * D + j] * ((X[(size_t)i * D + j] - mean[j]) / scale[j]);
            sc[k] = acc;
            if (acc > sc[best]) best = k;
        }
        if (softmax) {
            double z = 0, mx = sc[best];
            for (int k = 0; k < K; k++) z += exp(sc[k] - mx);
            for (int k = 0; k < K; k++) sc[k] = exp(sc[k] - mx) / z;
        }
        printf("%d", best);
        for (int k = 0; k < K; k++) printf(" %.9g", sc[k]);
        printf("\n");
    }
    H5Fclose(m);
    H5Fclose(f);
    free(W), free(b), free(mean), free(scale), free(X), free(sc);
    return 0;
}

static int do_set_input(char **argv) {
    hid_t f = H5Fopen(argv[2], H5F_ACC_RDWR, H5P_DEFAULT);
    if (f < 0) die("cannot open", argv[2]);
    hid_t g = H5Gopen2(f, "/model", H5P_DEFAULT);
    if (H5Aexists(g, "input") > 0) H5Adelete(g, "input");
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, strlen(argv[3]) + 1);
    hid_t s = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(g, "input", t, s, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0 || H5Awrite(a, t, argv[3]) < 0) die("cannot write the attribute in", argv[2]);
    H5Aclose(a), H5Sclose(s), H5Tclose(t), H5Gclose(g), H5Fclose(f);
    return 0;
}

static int do_drop_dictionary(char **argv) {
    hid_t f = H5Fopen(argv[2], H5F_ACC_RDWR, H5P_DEFAULT);
    if (f < 0) die("cannot open", argv[2]);
    if (H5Ldelete(f, "/model/dictionary", H5P_DEFAULT) < 0) die("no /model/dictionary in", argv[2]);
    H5Fclose(f);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 6 && strcmp(argv[1], "write") == 0) return do_write(argv);
    if (argc == 7 && strcmp(argv[1], "expect") == 0) return do_expect(argv);
    if (argc == 4 && strcmp(argv[1], "set-input") == 0) return do_set_input(argv);
    if (argc == 3 && strcmp(argv[1], "drop-dictionary") == 0) return do_drop_dictionary(argv);
    fprintf(stderr, "usage: predict_tool write DATA.h5 ROW0 N DIR | expect MODEL.h5 DATA.h5 GROUP ROW0 N |"
                    " set-input MODEL.h5 RECIPE | drop-dictionary MODEL.h5\n");
    return 2;
}
