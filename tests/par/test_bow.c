/* test_bow: known answers for the bag-of-words kernels (bow.h).
 *
 *   mpiexec -n P test_bow            all checks; the collective ones (k-means,
 *                                    whitening) run on P ranks and rank 0 redoes
 *                                    them alone: the results must be bitwise equal
 *   test_bow mkdict OUT.h5 CHANNELS [VARIANT]
 *                                    writes a file whose only content is a
 *                                    /dictionary with that channel count, or
 *                                    another flaw (mkdict below; for the
 *                                    refusal tests)
 *   test_bow rmdict FILE.h5          deletes /model/dictionary from a checkpoint */
#include <hdf5.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lincls/bow.h"
#include "lincls/features.h"
#include "lincls/h5util.h"
#include "lincls/rng.h"

static int rank_ = 0, size_ = 1;

/* Block-aligned share of n samples for rank r of P (as lc_bow_learn lays them out). */
static void share(int64_t n, int P, int r, int64_t *lo, int64_t *hi) {
    int64_t nb = (n + LC_BOW_BLOCK - 1) / LC_BOW_BLOCK;
    *lo = nb * r / P * LC_BOW_BLOCK;
    *hi = nb * (r + 1) / P * LC_BOW_BLOCK;
    if (*lo > n) *lo = n;
    if (*hi > n) *hi = n;
}

/* --- k-means on hand-made clusters ------------------------------------------------- */

enum { KM_DIM = 5, KM_K = 4, KM_N = 5000 };

static float km_sample(int64_t i, int a) {
    int cl = (int)(i % KM_K);
    float center = a == cl ? 20.0f : (a == KM_DIM - 1 ? -5.0f * (float)cl : 0.0f);
    return center + (float)(lc_rng_uniform(7, lc_stream(LC_RNG_TEST, 1), (uint64_t)(i * KM_DIM + a)) - 0.5);
}

static int nearest_center(const float *c) {
    int best = -1;
    double bd = 1e30;
    for (int t = 0; t < KM_K; t++) {
        double d = 0;
        for (int a = 0; a < KM_DIM; a++) {
            float center = a == t ? 20.0f : (a == KM_DIM - 1 ? -5.0f * (float)t : 0.0f);
            d += (c[a] - center) * (c[a] - center);
        }
        if (d < bd) {
            bd = d;
            best = t;
        }
    }
    return best;
}

static void test_kmeans(void) {
    int64_t lo, hi;
    share(KM_N, size_, rank_, &lo, &hi);
    float *X = malloc(sizeof(float) * KM_N * KM_DIM);
    for (int64_t i = 0; i < KM_N; i++)
        for (int a = 0; a < KM_DIM; a++) X[i * KM_DIM + a] = km_sample(i, a);
    float C[KM_K * KM_DIM], C1[KM_K * KM_DIM];
    int64_t counts[KM_K];
    lc_err e = {0};
    /* k-means from samples cannot undo an init with two seeds in one cluster:
     * take the first seed whose init (0 iterations) hits every cluster */
    uint64_t seed = 0;
    for (uint64_t s = 1; s < 200 && !seed; s++) {
        lc_bow_kmeans(MPI_COMM_WORLD, X + lo * KM_DIM, lo, hi - lo, KM_N, KM_DIM, KM_K, 0, s, C, NULL, &e);
        int hit[KM_K] = {0}, all = 1;
        for (int k = 0; k < KM_K; k++) hit[nearest_center(C + k * KM_DIM)] = 1;
        for (int t = 0; t < KM_K; t++) all &= hit[t];
        if (all) seed = s;
    }
    CHECK(seed != 0, "no seed in 1..199 initializes one centroid per cluster");
    CHECK(lc_bow_kmeans(MPI_COMM_WORLD, X + lo * KM_DIM, lo, hi - lo, KM_N, KM_DIM, KM_K, 10, seed, C, counts, &e) == 0,
          "kmeans: %s", e.msg);
    int found[KM_K] = {0};
    for (int k = 0; k < KM_K; k++) {
        int t = nearest_center(C + k * KM_DIM);
        found[t]++;
        CHECK(counts[k] == KM_N / KM_K, "centroid %d has %lld members, want %d", k, (long long)counts[k], KM_N / KM_K);
        for (int a = 0; a < KM_DIM; a++) {
            float center = a == t ? 20.0f : (a == KM_DIM - 1 ? -5.0f * (float)t : 0.0f);
            CHECK_NEAR(C[k * KM_DIM + a], center, 0.05);
        }
    }
    for (int t = 0; t < KM_K; t++) CHECK(found[t] == 1, "cluster %d recovered by %d centroids", t, found[t]);
    /* the same on one rank holding everything: bitwise */
    if (rank_ == 0) {
        lc_bow_kmeans(MPI_COMM_SELF, X, 0, KM_N, KM_N, KM_DIM, KM_K, 10, seed, C1, NULL, &e);
        CHECK(memcmp(C, C1, sizeof C) == 0, "k-means centroids differ between %d ranks and 1", size_);
    }
    /* K larger than the sample is refused (collectively) */
    lc_err e2 = {0};
    CHECK(lc_bow_kmeans(MPI_COMM_WORLD, X + lo * KM_DIM, lo, hi - lo, 3, KM_DIM, KM_K, 1, 1, C, NULL, &e2) != 0 &&
              strstr(e2.msg, "--centroids"),
          "K > samples not refused: '%s'", e2.msg);
    free(X);
}

/* --- whitening ---------------------------------------------------------------------- */

enum { WD = 6, WN = 20000 };

static void test_whitening(void) {
    int64_t lo, hi;
    share(WN, size_, rank_, &lo, &hi);
    float *X = malloc(sizeof(float) * WN * WD), *Y = malloc(sizeof(float) * WN * WD);
    /* x = offset + A g, A lower triangular with scales 1..6: strongly correlated */
    for (int64_t i = 0; i < WN; i++) {
        double g[WD];
        for (int a = 0; a < WD; a++) g[a] = lc_rng_normal(3, lc_stream(LC_RNG_TEST, 2), (uint64_t)(i * WD + a));
        for (int a = 0; a < WD; a++) {
            double v = 3.0 - a;
            for (int b = 0; b <= a; b++) v += (b == a ? (double)(a + 1) : 0.7) * g[b];
            X[i * WD + a] = (float)v;
        }
    }
    memcpy(Y, X, sizeof(float) * WN * WD);
    float mean[WD], W[WD * WD], mean1[WD], W1[WD * WD];
    lc_err e = {0};
    CHECK(lc_bow_zca(MPI_COMM_WORLD, X + lo * WD, lo, hi - lo, WN, WD, 1e-6f, mean, W, &e) == 0, "zca: %s", e.msg);
    CHECK(lc_bow_apply_whiten(X + lo * WD, lo, hi - lo, WD, mean, W, &e) == 0, "whiten: %s", e.msg);
    /* sample covariance of the whitened rows (plain double sums, gathered) */
    double s[WD + WD * WD] = {0}, tot[WD + WD * WD];
    for (int64_t i = lo; i < hi; i++)
        for (int a = 0; a < WD; a++) {
            s[a] += X[i * WD + a];
            for (int b = 0; b < WD; b++) s[WD + a * WD + b] += (double)X[i * WD + a] * X[i * WD + b];
        }
    MPI_Allreduce(s, tot, WD + WD * WD, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    double worst = 0;
    for (int a = 0; a < WD; a++) {
        double ma = tot[a] / WN;
        CHECK(fabs(ma) < 1e-3, "whitened mean[%d] = %g", a, ma);
        for (int b = 0; b < WD; b++) {
            double c = (tot[WD + a * WD + b] - WN * ma * (tot[b] / WN)) / (WN - 1);
            double dev = fabs(c - (a == b ? 1.0 : 0.0));
            if (dev > worst) worst = dev;
        }
    }
    CHECK(worst < 1e-3, "whitened covariance is off the identity by %g", worst);
    for (int a = 0; a < WD; a++)
        for (int b = 0; b < WD; b++) CHECK_NEAR(W[a * WD + b], W[b * WD + a], 1e-5); /* ZCA: symmetric */
    if (rank_ == 0) {
        lc_bow_zca(MPI_COMM_SELF, Y, 0, WN, WN, WD, 1e-6f, mean1, W1, &e);
        CHECK(memcmp(mean, mean1, sizeof mean) == 0 && memcmp(W, W1, sizeof W) == 0,
              "whitening differs between %d ranks and 1", size_);
    }
    free(X);
    free(Y);
}

/* --- encoding --------------------------------------------------------------------------- */

static void random_image(uint64_t seed, uint8_t *img) {
    /* smooth-ish: a gradient plus noise, so patches are not all alike */
    for (int c = 0; c < 3; c++)
        for (int y = 0; y < 32; y++)
            for (int x = 0; x < 32; x++) {
                double v = 60 + 3.0 * x + (c + 1) * 1.5 * y +
                           60 * lc_rng_uniform(seed, lc_stream(LC_RNG_TEST, 3), (uint64_t)(c * 1024 + y * 32 + x));
                img[c * 1024 + y * 32 + x] = (uint8_t)(v > 255 ? 255 : v);
            }
}

static void raw_patch(const uint8_t *img, int p, int y, int x, uint8_t *out) {
    for (int c = 0; c < 3; c++)
        for (int dy = 0; dy < p; dy++)
            for (int dx = 0; dx < p; dx++) out[(c * p + dy) * p + dx] = img[c * 1024 + (y + dy) * 32 + x + dx];
}

static void test_triangle_and_pooling(void) {
    uint8_t img[3072], raw[108];
    random_image(11, img);
    lc_bow_dict d;
    lc_err e = {0};
    enum { K = 5 };
    lc_bow_dict_alloc(&d, 6, K, &e); /* mean 0, whiten identity */
    const int y0 = 3, x0 = 7, dim = d.dim;
    raw_patch(img, 6, y0, x0, raw);
    lc_bow_normalize(raw, 1, dim, d.eps_norm, d.centroids); /* centroid 0 = that patch */
    for (int k = 1; k < K; k++)
        for (int a = 0; a < dim; a++)
            d.centroids[k * dim + a] = (float)lc_rng_normal(5, lc_stream(LC_RNG_TEST, 4), (uint64_t)(k * dim + a));
    /* pool 27: one region per position, so the output is every position's code */
    d.pool = 27;
    float *f27 = malloc(sizeof(float) * 27 * 27 * K);
    CHECK(lc_bow_encode(&d, img, 1, f27, &e) == 0, "encode: %s", e.msg);
    double z[K], mu = 0;
    for (int k = 0; k < K; k++) {
        double s = 0;
        for (int a = 0; a < dim; a++) {
            double t = (double)d.centroids[0 * dim + a] - d.centroids[k * dim + a];
            s += t * t;
        }
        z[k] = sqrt(s);
        mu += z[k] / K;
    }
    const float *code = f27 + (y0 * 27 + x0) * K;
    CHECK(fabs(code[0] - mu) < 0.01, "triangle code of a patch equal to centroid 0: f0 = %g, mean(z) = %g",
          (double)code[0], mu);
    for (int k = 1; k < K; k++) {
        double want = mu - z[k] > 0 ? mu - z[k] : 0;
        CHECK(fabs(code[k] - want) < 0.01, "f%d = %g, want max(0, mean(z) - z) = %g", k, (double)code[k], want);
        CHECK(code[k] <= code[0], "f%d = %g exceeds f0 = %g", k, (double)code[k], (double)code[0]);
    }
    /* pooling: the quadrants of 27 positions are rows/columns 0..13 and 14..26;
     * pool 2 sums the per-position codes in row-major position order */
    int bounds[2][4] = {{0, 14, 27, 0}, {0, 9, 18, 27}}, pools[2] = {2, 3};
    for (int t = 0; t < 2; t++) {
        int g = pools[t];
        float *fg = malloc(sizeof(float) * g * g * K);
        d.pool = g;
        CHECK(lc_bow_encode(&d, img, 1, fg, &e) == 0, "encode pool %d: %s", g, e.msg);
        int bad = 0;
        for (int ry = 0; ry < g; ry++)
            for (int rx = 0; rx < g; rx++)
                for (int k = 0; k < K; k++) {
                    float s = 0;
                    for (int y = bounds[t][ry]; y < bounds[t][ry + 1]; y++)
                        for (int x = bounds[t][rx]; x < bounds[t][rx + 1]; x++) s += f27[(y * 27 + x) * K + k];
                    if (memcmp(&s, &fg[(ry * g + rx) * K + k], sizeof s) != 0) {
                        if (!bad)
                            fprintf(stderr, "pool %d region (%d,%d) k %d: %.9g vs sum of its positions %.9g\n", g, ry,
                                    rx, k, (double)fg[(ry * g + rx) * K + k], (double)s);
                        bad++;
                    }
                }
        CHECK(bad == 0, "pool %d: %d pooled values differ from the sums of their regions", g, bad);
        free(fg);
    }
    /* pool 1 is the sum of all */
    free(f27);
    lc_bow_dict_free(&d);
}

/* A dictionary learned (one rank) on a few images, then GEMM vs naive. */
static void test_gemm_vs_naive(const char *dictfile) {
    enum { NIMG = 40 };
    uint8_t *imgs = malloc(3072 * NIMG);
    for (int i = 0; i < NIMG; i++) random_image(100 + (uint64_t)i, imgs + 3072 * i);
    lc_bow_params p;
    lc_bow_params_default(&p);
    p.K = 16;
    p.n_patches = 3000;
    p.iters = 5;
    lc_bow_dict d;
    lc_err e = {0};
    CHECK(lc_bow_learn(MPI_COMM_SELF, &p, imgs, 0, NIMG, NIMG, &d, &e) == 0, "learn: %s", e.msg);
    if (e.code) {
        free(imgs);
        return;
    }
    const int D = lc_bow_dim(&d);
    CHECK(D == 4 * 16, "lc_bow_dim = %d, want 64", D);
    float *a = malloc(sizeof(float) * 3 * D), *b = malloc(sizeof(float) * D), *one = malloc(sizeof(float) * D);
    CHECK(lc_bow_encode(&d, imgs, 3, a, &e) == 0, "encode: %s", e.msg);
    double worst = 0, big = 0;
    for (int i = 0; i < 3; i++) {
        lc_bow_encode_naive(&d, imgs + 3072 * i, b, &e);
        for (int j = 0; j < D; j++) {
            double dv = fabs((double)a[i * D + j] - b[j]);
            if (dv > worst) worst = dv;
            if (fabs(b[j]) > big) big = fabs(b[j]);
        }
        lc_bow_encode(&d, imgs + 3072 * i, 1, one, &e);
        CHECK(memcmp(one, a + i * D, sizeof(float) * D) == 0, "image %d: encoded alone differs from encoded with others", i);
    }
    fprintf(stderr, "gemm vs naive: max |diff| %.3g, max |feature| %.3g\n", worst, big);
    CHECK(big > 1.0, "features are all ~0 (max %g): the test would prove nothing", big);
    CHECK(worst <= 1e-5 * big, "GEMM encoding differs from the naive double loop by %g (max feature %g)", worst, big);

    /* dictionary round trip, then a recipe using it */
    hid_t f = H5Fcreate(dictfile, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(lc_bow_dict_write(f, "/dictionary", &d, &e) == 0, "write: %s", e.msg);
    H5Fclose(f);
    lc_bow_dict r;
    CHECK(lc_bow_dict_load(dictfile, &r, &e) == 0, "load: %s", e.msg);
    if (!e.code) {
        CHECK(r.K == d.K && r.patch == d.patch && r.dim == d.dim && r.pool == d.pool && r.iters == 5 &&
                  r.n_patches == 3000 && r.seed == 1 && r.eps_norm == d.eps_norm && r.eps_zca == d.eps_zca,
              "attributes do not round-trip");
        CHECK(memcmp(r.centroids, d.centroids, sizeof(float) * d.K * d.dim) == 0 &&
                  memcmp(r.whiten, d.whiten, sizeof(float) * d.dim * d.dim) == 0 &&
                  memcmp(r.mean, d.mean, sizeof(float) * d.dim) == 0,
              "arrays do not round-trip bitwise");
        lc_bow_dict_free(&r);
    }
    char recipe[640], want[512];
    lc_bow_recipe(&d, want, sizeof want);
    CHECK(strcmp(want, "bow(K=16,patch=6,pool=2,norm=10,zca=0.1)") == 0, "recipe '%s'", want);
    snprintf(recipe, sizeof recipe, "%s+hog(cell=8,bins=9,block=2x2,norm=L2-Hys)", want);
    lc_recipe rc;
    CHECK(lc_recipe_load(recipe, dictfile, &rc, &e) == 0, "recipe load: %s", e.msg);
    if (!e.code) {
        CHECK(rc.dim == 64 + 324, "recipe dim %d", rc.dim);
        float *x = malloc(sizeof(float) * 2 * rc.dim), hog[324];
        lc_recipe_compute(&rc, imgs, 2, x, &e);
        for (int i = 0; i < 2; i++) {
            lc_feat_hog(imgs + 3072 * i, 8, 9, hog);
            CHECK(memcmp(x + i * rc.dim, a + i * D, sizeof(float) * D) == 0, "recipe bow part differs (image %d)", i);
            CHECK(memcmp(x + i * rc.dim + D, hog, sizeof hog) == 0, "recipe hog part differs (image %d)", i);
        }
        free(x);
        lc_recipe_free(&rc);
    }
    /* refusals */
    const char *bad[] = {"bow(K=17,patch=6,pool=2,norm=10,zca=0.1)", "bow(K=16,patch=8,pool=2,norm=10,zca=0.1)",
                         "sift(bins=8)", "bow(K=16,patch=6,pool=2,norm=10,zca=0.1)+"};
    for (int i = 0; i < 4; i++) {
        lc_err e2 = {0};
        CHECK(lc_recipe_load(bad[i], dictfile, &rc, &e2) != 0 && strstr(e2.msg, dictfile),
              "recipe '%s' accepted or message without the file: '%s'", bad[i], e2.msg);
    }
    lc_err e3 = {0};
    CHECK(lc_recipe_load("images", dictfile, &rc, &e3) == 0 && rc.images && rc.dim == 3072, "images recipe");
    /* a file without a dictionary */
    f = H5Fcreate("bow_nodict.h5", H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    H5Fclose(f);
    CHECK(lc_bow_dict_load("bow_nodict.h5", &r, &e3) != 0 && strstr(e3.msg, "bow_nodict.h5") &&
              strstr(e3.msg, "/dictionary"),
          "missing dictionary: '%s'", e3.msg);
    free(a);
    free(b);
    free(one);
    free(imgs);
    lc_bow_dict_free(&d);
}

/* A dictionary file with one flaw: variant "channels" (CHANNELS-channel
 * patches), "strpool" (the pool attribute a string), "nan" (a NaN in the
 * whitening matrix), "flat" (centroids 1-D). */
static int mkdict(const char *out, int channels, const char *variant) {
    lc_bow_dict d;
    lc_err e = {0};
    if (lc_bow_dict_alloc(&d, 6, 8, &e)) return 1;
    if (strcmp(variant, "nan") == 0) d.whiten[5] = NAN;
    hid_t f = H5Fcreate(out, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    int rc = lc_bow_dict_write(f, "/dictionary", &d, &e);
    hid_t g = rc ? -1 : H5Gopen2(f, "/dictionary", H5P_DEFAULT);
    if (g >= 0 && channels != 3) {
        H5Adelete(g, "channels");
        rc = lc_h5_put_int_attr(g, "channels", channels);
    }
    if (g >= 0 && strcmp(variant, "strpool") == 0) {
        H5Adelete(g, "pool");
        rc = lc_h5_put_str_attr(g, "pool", "two");
    }
    if (g >= 0 && strcmp(variant, "flat") == 0) {
        hsize_t n = (hsize_t)d.K * d.dim;
        H5Ldelete(g, "centroids", H5P_DEFAULT);
        hid_t sp = H5Screate_simple(1, &n, NULL);
        hid_t ds = H5Dcreate2(g, "centroids", H5T_IEEE_F32LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        rc = ds < 0 || H5Dwrite(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, d.centroids) < 0;
        if (ds >= 0) H5Dclose(ds);
        H5Sclose(sp);
    }
    if (g >= 0) H5Gclose(g);
    H5Fclose(f);
    lc_bow_dict_free(&d);
    return rc ? 1 : 0;
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    lc_log_rank = 1; /* quiet */
    if ((argc == 4 || argc == 5) && strcmp(argv[1], "mkdict") == 0) {
        int rc = mkdict(argv[2], atoi(argv[3]), argc == 5 ? argv[4] : "channels");
        MPI_Finalize();
        return rc;
    }
    if (argc == 3 && strcmp(argv[1], "rmdict") == 0) {
        hid_t f = H5Fopen(argv[2], H5F_ACC_RDWR, H5P_DEFAULT);
        int rc = f < 0 || H5Ldelete(f, "/model/dictionary", H5P_DEFAULT) < 0;
        if (f >= 0) H5Fclose(f);
        MPI_Finalize();
        return rc;
    }
    test_kmeans();
    test_whitening();
    if (rank_ == 0) {
        char name[64];
        snprintf(name, sizeof name, "bow_unit_dict_np%d.h5", size_);
        test_triangle_and_pooling();
        test_gemm_vs_naive(name);
    }
    int any = 0;
    MPI_Allreduce(&failures, &any, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    if (rank_ == 0) printf(any ? "%d failure(s)\n" : "all bow checks passed\n", any);
    MPI_Finalize();
    return any != 0;
}
