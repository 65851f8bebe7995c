/* make_classes: a synthetic lincls dataset file with many classes.
 *
 *   make_classes OUT.h5 --classes K --train N --test M [--features D] [--seed S]
 *
 * Without --features: /train/images, /test/images uint8 [N,3,32,32]; with it:
 * /train/features, /test/features float32 [N,D]. Labels are uint8 when K <= 256
 * and uint16 otherwise (README.md, "Dataset file"). Row i has label i mod K, so every class
 * has rows; each class has a fixed random template (pixels 40..215, features
 * in [-1, 1]) and each row adds independent noise (+-30 pixel levels, +-0.3),
 * so a linear classifier can learn it. Class names "class0000" ... . Written
 * with serial HDF5; everything is a pure function of (seed, row, column). */
#include <hdf5.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lincls/rng.h"

static double unif(uint64_t seed, uint64_t stream, uint64_t c) { return lc_rng_uniform(seed, stream, c); }

static int write_dset(hid_t f, const char *name, hid_t ftype, hid_t mtype, int rank, const hsize_t *dims,
                      const void *buf) {
    hid_t s = H5Screate_simple(rank, dims, NULL);
    hid_t d = H5Dcreate2(f, name, ftype, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int rc = d >= 0 && H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0 ? 0 : -1;
    if (d >= 0) H5Dclose(d);
    H5Sclose(s);
    return rc;
}

static int write_split(hid_t f, const char *split, long n, int K, int D, int feats, uint64_t seed, long row0) {
    char name[64];
    snprintf(name, sizeof name, "/%s", split);
    hid_t g = H5Gcreate2(f, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return -1;
    H5Gclose(g);
    size_t cells = (size_t)n * (size_t)D;
    uint16_t *lab = malloc(sizeof(uint16_t) * (size_t)n);
    void *x = malloc(cells * (feats ? sizeof(float) : 1));
    if (!lab || !x) return -1;
    for (long i = 0; i < n; i++) {
        long row = row0 + i;
        int y = (int)(row % K);
        lab[i] = (uint16_t)y;
        for (int d = 0; d < D; d++) {
            double t = unif(seed, lc_stream(LC_RNG_TEST, 1000 + (uint64_t)y), (uint64_t)d);
            double z = 2 * unif(seed, lc_stream(LC_RNG_TEST, 2), (uint64_t)row * (uint64_t)D + (uint64_t)d) - 1;
            if (feats)
                ((float *)x)[(size_t)i * D + d] = (float)((2 * t - 1) + 0.3 * z);
            else
                ((uint8_t *)x)[(size_t)i * D + d] = (uint8_t)(40 + (int)(175 * t) + (int)(30 * z));
        }
    }
    int rc;
    if (feats) {
        hsize_t dims[2] = {(hsize_t)n, (hsize_t)D};
        snprintf(name, sizeof name, "/%s/features", split);
        rc = write_dset(f, name, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 2, dims, x);
    } else {
        hsize_t dims[4] = {(hsize_t)n, 3, 32, 32};
        snprintf(name, sizeof name, "/%s/images", split);
        rc = write_dset(f, name, H5T_STD_U8LE, H5T_NATIVE_UINT8, 4, dims, x);
    }
    hsize_t ln = (hsize_t)n;
    snprintf(name, sizeof name, "/%s/labels", split);
    rc |= write_dset(f, name, K > 256 ? H5T_STD_U16LE : H5T_STD_U8LE, H5T_NATIVE_UINT16, 1, &ln, lab);
    free(lab);
    free(x);
    return rc;
}

static int put_str_attr(hid_t loc, const char *name, const char *v) {
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, strlen(v) + 1);
    hid_t s = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(loc, name, t, s, H5P_DEFAULT, H5P_DEFAULT);
    int rc = a >= 0 && H5Awrite(a, t, v) >= 0 ? 0 : -1;
    if (a >= 0) H5Aclose(a);
    H5Sclose(s);
    H5Tclose(t);
    return rc;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: make_classes OUT.h5 --classes K --train N --test M [--features D] [--seed S]\n");
        return 2;
    }
    const char *out = argv[1];
    long K = 1000, N = 2000, M = 1000, D = 0, seed = 1;
    for (int i = 2; i + 1 < argc; i += 2) {
        long v = atol(argv[i + 1]);
        if (!strcmp(argv[i], "--classes")) K = v;
        else if (!strcmp(argv[i], "--train")) N = v;
        else if (!strcmp(argv[i], "--test")) M = v;
        else if (!strcmp(argv[i], "--features")) D = v;
        else if (!strcmp(argv[i], "--seed")) seed = v;
        else return fprintf(stderr, "make_classes: unknown option %s\n", argv[i]), 2;
    }
    if (K < 2 || K > 65535 || N < 1 || M < 1 || D < 0) return fprintf(stderr, "make_classes: bad sizes\n"), 2;
    int feats = D > 0;
    if (!feats) D = 3072;
    hid_t f = H5Fcreate(out, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) return fprintf(stderr, "make_classes: cannot create %s\n", out), 1;
    int rc = put_str_attr(f, "format", "lincls-dataset");
    int version = 1;
    hid_t s = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(f, "version", H5T_STD_I32LE, s, H5P_DEFAULT, H5P_DEFAULT);
    rc |= a < 0 || H5Awrite(a, H5T_NATIVE_INT, &version) < 0;
    if (a >= 0) H5Aclose(a);
    H5Sclose(s);
    if (feats) rc |= put_str_attr(f, "features", "synthetic(make_classes)");
    char *names = calloc((size_t)K, 16);
    for (long k = 0; k < K; k++) snprintf(names + 16 * k, 16, "class%04ld", k);
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, 16);
    hsize_t kn = (hsize_t)K;
    rc |= write_dset(f, "/classes", t, t, 1, &kn, names);
    H5Tclose(t);
    free(names);
    rc |= write_split(f, "train", N, (int)K, (int)D, feats, (uint64_t)seed, 0);
    rc |= write_split(f, "test", M, (int)K, (int)D, feats, (uint64_t)seed, N);
    H5Fclose(f);
    if (rc) return fprintf(stderr, "make_classes: writing %s failed\n", out), 1;
    return 0;
}
