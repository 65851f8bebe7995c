/* bow: bag of visual words (bow.h states the recipe and the layouts).
 *
 * Why the bits do not depend on the rank count:
 *   - the sample of patches is a pure function of (seed, sample index): rank r
 *     extracts the samples whose images it holds, and one all-to-all moves
 *     them so that every rank holds whole blocks of LC_BOW_BLOCK samples in
 *     global order (block b on rank floor-split of the block range). Every
 *     GEMM runs on one such block, whose shape is fixed by the global layout;
 *   - statistics and centroid sums are exact 64-bit fixed-point integers
 *     against a shared power-of-two scale (chosen from the global maximum, so
 *     nothing overflows), summed by MPI_Allreduce: integer addition is
 *     associative, so any reduction order gives the same total;
 *   - the eigendecomposition runs on rank 0 from those totals and is broadcast;
 *   - an image is encoded by GEMMs of one fixed shape (positions x dim x K),
 *     whatever else is encoded with it.
 * Patch statistics (mean, variance) are computed from integer pixel sums, so
 * they are exact too. */
#define _POSIX_C_SOURCE 200809L
#include "lincls/bow.h"

#include <cblas.h>
#include <lapacke.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lincls/dist.h"
#include "lincls/h5util.h"
#include "lincls/io.h"
#include "lincls/rng.h"

#define SIDE 32
#define NPIX (SIDE * SIDE)
#define CH 3
#define MAX_POOL 32

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define LC_HOT_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define LC_HOT_CLONES
#endif

/* --- dictionary ----------------------------------------------------------------- */

static int check_shape(int patch, int K, int pool, lc_err *e) {
    if (patch < 2 || patch > SIDE)
        return lc_fail(e, LC_EARG, "--patch %d: the patch side must be in 2..%d pixels", patch, SIDE);
    if (K < 1 || K > (1 << 20))
        return lc_fail(e, LC_EARG, "--centroids %d: must be in 1..%d", K, 1 << 20);
    int npos = SIDE + 1 - patch;
    if (pool < 1 || pool > npos || pool > MAX_POOL)
        return lc_fail(e, LC_EARG, "--pool %d: must be in 1..%d (patch positions per side with --patch %d)",
                       pool, npos < MAX_POOL ? npos : MAX_POOL, patch);
    if ((int64_t)pool * pool * K > (1 << 24))
        return lc_fail(e, LC_EARG, "--pool %d with --centroids %d gives %lld features per image (at most %d)",
                       pool, K, (long long)pool * pool * K, 1 << 24);
    return 0;
}

int lc_bow_dict_alloc(lc_bow_dict *d, int patch, int K, lc_err *e) {
    memset(d, 0, sizeof *d);
    if (check_shape(patch, K, 1, e)) return e->code;
    d->patch = patch;
    d->dim = patch * patch * CH;
    d->K = K;
    d->eps_norm = 10.0f;
    d->eps_zca = 0.1f;
    d->pool = 2;
    d->mean = lc_calloc((size_t)d->dim, sizeof(float), e);
    d->whiten = lc_calloc((size_t)d->dim * d->dim, sizeof(float), e);
    d->centroids = lc_calloc((size_t)K * d->dim, sizeof(float), e);
    if (e->code) {
        lc_bow_dict_free(d);
        return e->code;
    }
    for (int i = 0; i < d->dim; i++) d->whiten[(size_t)i * d->dim + i] = 1.0f;
    return 0;
}

void lc_bow_dict_free(lc_bow_dict *d) {
    free(d->mean);
    free(d->whiten);
    free(d->centroids);
    memset(d, 0, sizeof *d);
}

int lc_bow_positions(const lc_bow_dict *d) { return SIDE + 1 - d->patch; }
int lc_bow_dim(const lc_bow_dict *d) { return d->pool * d->pool * d->K; }

void lc_bow_recipe(const lc_bow_dict *d, char *buf, size_t n) {
    snprintf(buf, n, "bow(K=%d,patch=%d,pool=%d,norm=%g,zca=%g)", d->K, d->patch, d->pool,
             (double)d->eps_norm, (double)d->eps_zca);
}

/* --- HDF5 ------------------------------------------------------------------------ */

static void file_name(hid_t loc, char *buf, size_t n) {
    if (H5Fget_name(loc, buf, n) < 0) snprintf(buf, n, "(file)");
}

/* Rank of this process in the file's MPI-IO communicator; 0 and *par = 0 for
 * a serial file. */
static int file_rank(hid_t loc, int *par) {
    *par = 0;
    int rank = 0;
    hid_t f = H5Iget_file_id(loc);
    if (f < 0) return 0;
    hid_t fapl = H5Fget_access_plist(f);
    if (fapl >= 0 && H5Pget_driver(fapl) == H5FD_MPIO) {
        MPI_Comm comm = MPI_COMM_NULL;
        MPI_Info info = MPI_INFO_NULL;
        if (H5Pget_fapl_mpio(fapl, &comm, &info) >= 0) {
            *par = 1;
            MPI_Comm_rank(comm, &rank);
            MPI_Comm_free(&comm);
            if (info != MPI_INFO_NULL) MPI_Info_free(&info);
        }
    }
    if (fapl >= 0) H5Pclose(fapl);
    H5Fclose(f);
    return rank;
}

/* Float dataset of `rank` dims; in a parallel file rank 0 writes, the others
 * select nothing (one collective call, one writer). */
static int put_floats(hid_t g, const char *name, int nd, const hsize_t *dims, const float *v,
                      int par, int rank) {
    hid_t fs = H5Screate_simple(nd, dims, NULL), ms = H5Screate_simple(nd, dims, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER);
    hid_t d = H5Dcreate2(g, name, H5T_IEEE_F32LE, fs, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    hid_t x = H5Pcreate(H5P_DATASET_XFER);
    if (par) {
        H5Pset_dxpl_mpio(x, H5FD_MPIO_COLLECTIVE);
        if (rank != 0) {
            H5Sselect_none(fs);
            H5Sselect_none(ms);
        }
    }
    int bad = d < 0 || H5Dwrite(d, H5T_NATIVE_FLOAT, ms, fs, x, v) < 0;
    H5Pclose(x);
    if (d >= 0) H5Dclose(d);
    H5Pclose(dcpl);
    H5Sclose(ms);
    H5Sclose(fs);
    return bad ? -1 : 0;
}

int lc_bow_dict_write(hid_t loc, const char *group, const lc_bow_dict *d, lc_err *e) {
    char fname[1024];
    int par = 0, rank = file_rank(loc, &par);
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    hid_t g = H5Gcreate2(loc, group, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    H5Pclose(lcpl);
    int bad = g < 0;
    if (!bad) {
        hsize_t kd[2] = {(hsize_t)d->K, (hsize_t)d->dim}, dd[2] = {(hsize_t)d->dim, (hsize_t)d->dim};
        long long np = d->n_patches;
        unsigned long long seed = d->seed;
        bad |= put_floats(g, "centroids", 2, kd, d->centroids, par, rank);
        bad |= put_floats(g, "whiten", 2, dd, d->whiten, par, rank);
        bad |= put_floats(g, "mean", 1, dd, d->mean, par, rank);
        bad |= lc_h5_put_int_attr(g, "patch", d->patch) | lc_h5_put_int_attr(g, "channels", CH) |
               lc_h5_put_int_attr(g, "pool", d->pool) | lc_h5_put_int_attr(g, "kmeans_iters", d->iters) |
               lc_h5_put_attr(g, "eps_norm", H5T_IEEE_F32LE, &d->eps_norm) |
               lc_h5_put_attr(g, "eps_zca", H5T_IEEE_F32LE, &d->eps_zca) |
               lc_h5_put_attr(g, "patches", H5T_STD_I64LE, &np) |
               lc_h5_put_attr(g, "seed", H5T_STD_U64LE, &seed) |
               lc_h5_put_str_attr(g, "recipe",
                                  "Coates, Lee & Ng 2011: patches normalized by mean and sqrt(var+eps_norm), "
                                  "ZCA whitening (p - mean) whiten^T, k-means; encoding: triangle "
                                  "activation max(0, mean(z) - z_k), sum-pooled over pool x pool regions");
        H5Gclose(g);
    }
    if (bad) {
        file_name(loc, fname, sizeof fname);
        return lc_fail(e, LC_EIO, "%s: writing the dictionary %s failed", fname, group);
    }
    return 0;
}

/* Dataset name of g: float, exactly the dims given (nd dims), readable as a
 * whole (no missing filter, written), read as floats; the validated readers'
 * checks (h5util.h). 0, or -1 with *why saying what the file holds. */
static int get_floats(hid_t g, const char *name, int nd, const hsize_t *want, float *out, char *why, size_t nwhy) {
    int rank = 0;
    hsize_t dims[4] = {0};
    H5T_class_t cls;
    size_t sz;
    int ok = lc_h5_dset_shape(g, name, 4, &rank, dims, &cls, &sz, NULL) == 0 && rank == nd && cls == H5T_FLOAT;
    for (int i = 0; ok && i < nd; i++) ok = dims[i] == want[i];
    if (!ok) {
        lc_h5_dset_found(g, name, why, nwhy);
        return -1;
    }
    const char *bad = lc_h5_dset_unreadable(g, name, why, nwhy);
    if (bad) return -1;
    hid_t d = H5Dopen2(g, name, H5P_DEFAULT);
    ok = d >= 0 && H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) >= 0;
    if (d >= 0) H5Dclose(d);
    if (!ok) snprintf(why, nwhy, "a dataset HDF5 cannot read");
    return ok ? 0 : -1;
}

/* First dimension of dataset name when it is 2-D, else -1. */
static long long dim0(hid_t g, const char *name) {
    int rank = 0;
    hsize_t dims[2] = {0};
    H5T_class_t cls;
    size_t sz;
    if (lc_h5_dset_shape(g, name, 2, &rank, dims, &cls, &sz, NULL) != 0 || rank != 2) return -1;
    return dims[0] > (hsize_t)LLONG_MAX ? -1 : (long long)dims[0];
}

/* Attribute read: required ones must be there; any that is there must be one
 * number of a fitting type (lc_h5_get_attr), else the message says what the
 * file holds. 0 or the error code. */
static int dict_attr(hid_t g, const char *fname, const char *group, const char *name, hid_t type, void *out,
                     int required, const char *want, lc_err *e) {
    int rc = lc_h5_get_attr(g, name, type, out);
    if (rc == 0 || (rc == LC_H5_MISSING && !required)) return 0;
    char found[160];
    return lc_fail(e, LC_EDATA, "%s: %s attribute %s must be %s, found %s", fname, group, name, want,
                   lc_h5_attr_found(g, name, found, sizeof found));
}

int lc_bow_dict_read(hid_t loc, const char *group, lc_bow_dict *d, lc_err *e) {
    memset(d, 0, sizeof *d);
    char fname[1024];
    file_name(loc, fname, sizeof fname);
    lc_h5_quiet();
    if (H5Lexists(loc, group, H5P_DEFAULT) <= 0)
        return lc_fail(e, LC_EDATA, "%s has no %s (not a bag-of-words features file or model)", fname, group);
    hid_t g = H5Gopen2(loc, group, H5P_DEFAULT);
    if (g < 0) return lc_fail(e, LC_EDATA, "%s: %s is not a group", fname, group);
    int patch = 0, ch = 0, pool = 2, iters = 0;
    float en = 10.0f, ez = 0.1f;
    long long np = 0;
    unsigned long long seed = 0;
    if (dict_attr(g, fname, group, "patch", H5T_NATIVE_INT, &patch, 1, "one integer", e) ||
        dict_attr(g, fname, group, "channels", H5T_NATIVE_INT, &ch, 1, "one integer", e) ||
        dict_attr(g, fname, group, "eps_norm", H5T_NATIVE_FLOAT, &en, 1, "one number", e) ||
        dict_attr(g, fname, group, "eps_zca", H5T_NATIVE_FLOAT, &ez, 1, "one number", e) ||
        dict_attr(g, fname, group, "pool", H5T_NATIVE_INT, &pool, 0, "one integer", e) ||
        dict_attr(g, fname, group, "kmeans_iters", H5T_NATIVE_INT, &iters, 0, "one integer", e) ||
        dict_attr(g, fname, group, "patches", H5T_NATIVE_LLONG, &np, 0, "one integer", e) ||
        dict_attr(g, fname, group, "seed", H5T_NATIVE_ULLONG, &seed, 0, "one integer", e)) {
        H5Gclose(g);
        return e->code;
    }
    long long K = dim0(g, "centroids");
    if (ch != CH) {
        H5Gclose(g);
        return lc_fail(e, LC_EDATA, "%s: the dictionary %s is for %d-channel patches, the images have %d", fname,
                       group, ch, CH);
    }
    if (patch < 2 || patch > SIDE) {
        H5Gclose(g);
        return lc_fail(e, LC_EDATA, "%s: the dictionary %s has patch side %d, which does not fit %dx%d images",
                       fname, group, patch, SIDE, SIDE);
    }
    if (!(en >= 0) || !(ez > 0) || !isfinite(en) || !isfinite(ez)) {
        H5Gclose(g);
        return lc_fail(e, LC_EDATA, "%s: %s: eps_norm %g must be >= 0 and eps_zca %g > 0, both finite", fname, group,
                       (double)en, (double)ez);
    }
    if (pool < 1 || pool > SIDE + 1 - patch || pool > MAX_POOL) {
        H5Gclose(g);
        return lc_fail(e, LC_EDATA, "%s: %s: pool %d does not fit patch side %d (1..%d)", fname, group, pool, patch,
                       SIDE + 1 - patch < MAX_POOL ? SIDE + 1 - patch : MAX_POOL);
    }
    if (K < 1 || K > (1 << 20)) {
        char found[160];
        lc_h5_dset_found(g, "centroids", found, sizeof found);
        H5Gclose(g);
        return lc_fail(e, LC_EDATA, "%s: %s/centroids must be float [K, %d] with K in 1..%d, found %s", fname,
                       group, patch * patch * CH, 1 << 20, found);
    }
    lc_err e2 = {0};
    if (lc_bow_dict_alloc(d, patch, (int)K, &e2)) {
        H5Gclose(g);
        return lc_fail(e, e2.code, "%s: %s: %s", fname, group, e2.msg);
    }
    d->eps_norm = en;
    d->eps_zca = ez;
    d->pool = pool;
    d->iters = iters;
    d->n_patches = np;
    d->seed = seed;
    hsize_t kd[2] = {(hsize_t)K, (hsize_t)d->dim}, dd[2] = {(hsize_t)d->dim, (hsize_t)d->dim};
    static const char *const names[3] = {"centroids", "whiten", "mean"};
    static const char *const shapes[3] = {"K, dim", "dim, dim", "dim"};
    const int nds[3] = {2, 2, 1};
    const hsize_t *wants[3] = {kd, dd, dd};
    float *vs[3] = {d->centroids, d->whiten, d->mean};
    int bad = -1;
    char why[160] = "";
    for (int a = 0; a < 3; a++)
        if (get_floats(g, names[a], nds[a], wants[a], vs[a], why, sizeof why)) {
            bad = a;
            break;
        }
    H5Gclose(g);
    if (bad >= 0) {
        int dim = d->dim;
        lc_bow_dict_free(d);
        return lc_fail(e, LC_EDATA, "%s: %s/%s must be float [%s] (patch %d x %d x %d = %d values), found %s", fname,
                       group, names[bad], shapes[bad], patch, patch, CH, dim, why);
    }
    size_t nv[3] = {(size_t)K * d->dim, (size_t)d->dim * d->dim, (size_t)d->dim};
    for (int a = 0; a < 3; a++)
        for (size_t i = 0; i < nv[a]; i++)
            if (!isfinite(vs[a][i])) {
                lc_bow_dict_free(d);
                return lc_fail(e, LC_EDATA, "%s: %s/%s holds a value that is not finite", fname, group, names[a]);
            }
    return 0;
}

int lc_bow_dict_present(const char *path) {
    lc_h5_quiet();
    if (lc_file_problem(path)) return -1;
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return -1;
    int r = H5Lexists(f, "/dictionary", H5P_DEFAULT) > 0 ||
            (H5Lexists(f, "/model", H5P_DEFAULT) > 0 && H5Lexists(f, "/model/dictionary", H5P_DEFAULT) > 0);
    H5Fclose(f);
    return r;
}

int lc_bow_dict_load(const char *path, lc_bow_dict *d, lc_err *e) {
    memset(d, 0, sizeof *d);
    lc_h5_quiet();
    /* before HDF5 opens anything: a FIFO would block the open forever */
    const char *why = lc_file_problem(path);
    if (why) return lc_fail(e, LC_EIO, "%s: cannot open the dictionary file: it %s", path, why);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return lc_fail(e, LC_EDATA, "%s: not an HDF5 file", path);
    const char *group = NULL;
    if (H5Lexists(f, "/dictionary", H5P_DEFAULT) > 0)
        group = "/dictionary";
    else if (H5Lexists(f, "/model", H5P_DEFAULT) > 0 && H5Lexists(f, "/model/dictionary", H5P_DEFAULT) > 0)
        group = "/model/dictionary";
    if (!group) {
        H5Fclose(f);
        return lc_fail(e, LC_EDATA,
                       "%s has no /dictionary or /model/dictionary (not a bag-of-words features file or model)",
                       path);
    }
    int rc = lc_bow_dict_read(f, group, d, e);
    H5Fclose(f);
    return rc;
}

/* --- patches ------------------------------------------------------------------------ */

static void extract_u8(const uint8_t *img, int p, int y, int x, uint8_t *out) {
    for (int c = 0; c < CH; c++)
        for (int dy = 0; dy < p; dy++)
            memcpy(out + (c * p + dy) * p, img + c * NPIX + (y + dy) * SIDE + x, (size_t)p);
}

/* One patch: (v - mean) / sqrt(var + eps) - sub (sub may be NULL). The mean
 * and the variance come from exact integer sums. */
static inline void normalize_one(const uint8_t *v, int dim, double eps, const float *sub, float *out) {
    int64_t s = 0, q = 0;
    for (int i = 0; i < dim; i++) {
        s += v[i];
        q += (int64_t)v[i] * v[i];
    }
    double m = (double)s / dim;
    double var = (double)((int64_t)dim * q - s * s) / ((double)dim * (dim - 1));
    double inv = 1.0 / sqrt(var + eps);
    if (sub)
        for (int i = 0; i < dim; i++) out[i] = (float)(((double)v[i] - m) * inv) - sub[i];
    else
        for (int i = 0; i < dim; i++) out[i] = (float)(((double)v[i] - m) * inv);
}

void lc_bow_normalize(const uint8_t *P, int64_t n, int dim, float eps, float *out) {
    for (int64_t i = 0; i < n; i++) normalize_one(P + (size_t)i * dim, dim, eps, NULL, out + (size_t)i * dim);
}

/* Blocks: global sample range [first, first+n) cut at multiples of LC_BOW_BLOCK. */
static int64_t block_end(int64_t i, int64_t end) {
    int64_t b = (i / LC_BOW_BLOCK + 1) * LC_BOW_BLOCK;
    return b < end ? b : end;
}

/* Power-of-two scale s with bound * 2^s <= 2^61 (bound > 0). */
static int fixed_exponent(double bound) {
    int ex = 0;
    if (!(bound > 0)) return 0;
    frexp(bound, &ex); /* bound < 2^ex */
    return 61 - ex;
}

/* --- ZCA ------------------------------------------------------------------------------- */

int lc_bow_zca(MPI_Comm comm, const float *X, int64_t first, int64_t n, int64_t n_total, int dim,
               float eps, float *mean, float *whiten, lc_err *e) {
    int rank;
    MPI_Comm_rank(comm, &rank);
    if (n_total < 2) lc_fail(e, LC_EARG, "whitening needs at least 2 patches, got %lld", (long long)n_total);
    if (!(eps > 0)) lc_fail(e, LC_EARG, "the whitening epsilon must be > 0, got %g", (double)eps);
    const size_t dd = (size_t)dim * dim;
    int64_t *T = lc_calloc(dd + (size_t)dim, sizeof(int64_t), e);
    int64_t *all = lc_calloc(dd + (size_t)dim, sizeof(int64_t), e);
    double *Xd = lc_malloc(sizeof(double) * LC_BOW_BLOCK * (size_t)dim, e);
    double *S = lc_malloc(sizeof(double) * (dd + (size_t)dim), e);
    double *C = NULL, *w = NULL;
    if (rank == 0) {
        C = lc_malloc(sizeof(double) * dd, e);
        w = lc_malloc(sizeof(double) * (size_t)dim, e);
    }
    if (lc_agree(comm, e)) goto out;
    /* bound on |x|: the largest magnitude anywhere (exact max) */
    float mx = 0, gmx = 0;
    for (size_t i = 0; i < (size_t)n * dim; i++) mx = fabsf(X[i]) > mx ? fabsf(X[i]) : mx;
    MPI_Allreduce(&mx, &gmx, 1, MPI_FLOAT, MPI_MAX, comm);
    double m1 = (double)gmx > 1.0 ? (double)gmx : 1.0;
    int s = fixed_exponent((double)n_total * m1 * m1);
    for (int64_t i = first; i < first + n;) {
        int64_t end = block_end(i, first + n);
        int nb = (int)(end - i);
        const float *Xb = X + (size_t)(i - first) * dim;
        for (size_t j = 0; j < (size_t)nb * dim; j++) Xd[j] = Xb[j];
        /* block sums: S = Xb^T Xb (upper triangle), column sums */
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, dim, nb, 1.0, Xd, dim, 0.0, S, dim);
        double *sx = S + dd;
        for (int a = 0; a < dim; a++) sx[a] = 0;
        for (int j = 0; j < nb; j++)
            for (int a = 0; a < dim; a++) sx[a] += Xd[(size_t)j * dim + a];
        for (int a = 0; a < dim; a++)
            for (int b = a; b < dim; b++) T[(size_t)a * dim + b] += llrint(ldexp(S[(size_t)a * dim + b], s));
        for (int a = 0; a < dim; a++) T[dd + a] += llrint(ldexp(sx[a], s));
        i = end;
    }
    MPI_Allreduce(T, all, (int)(dd + (size_t)dim), MPI_INT64_T, MPI_SUM, comm);
    if (rank == 0) {
        const double N = (double)n_total;
        double *mu = S + dd;
        for (int a = 0; a < dim; a++) mu[a] = ldexp((double)all[dd + a], -s) / N;
        for (int a = 0; a < dim; a++)
            for (int b = a; b < dim; b++) {
                double v = (ldexp((double)all[(size_t)a * dim + b], -s) - N * mu[a] * mu[b]) / (N - 1);
                C[(size_t)a * dim + b] = C[(size_t)b * dim + a] = v;
            }
        int info = LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'V', 'U', dim, C, dim, w);
        if (info != 0) {
            lc_fail(e, LC_EINTERNAL, "whitening: the eigendecomposition of the patch covariance failed (info %d)", info);
        } else {
            /* C now holds eigenvectors in its columns: W = V diag(1/sqrt(l+eps)) V^T */
            for (int k = 0; k < dim; k++) {
                double l = w[k] + (double)eps;
                w[k] = l > 0 ? 1.0 / sqrt(l) : 0.0;
            }
            for (int a = 0; a < dim; a++)
                for (int b = 0; b < dim; b++) {
                    double acc = 0;
                    for (int k = 0; k < dim; k++) acc += C[(size_t)a * dim + k] * w[k] * C[(size_t)b * dim + k];
                    whiten[(size_t)a * dim + b] = (float)acc;
                }
            for (int a = 0; a < dim; a++) mean[a] = (float)mu[a];
        }
    }
    if (lc_agree(comm, e)) goto out;
    MPI_Bcast(whiten, (int)dd, MPI_FLOAT, 0, comm);
    MPI_Bcast(mean, dim, MPI_FLOAT, 0, comm);
out:
    free(T);
    free(all);
    free(Xd);
    free(S);
    free(C);
    free(w);
    return e->code;
}

int lc_bow_apply_whiten(float *X, int64_t first, int64_t n, int dim, const float *mean,
                        const float *whiten, lc_err *e) {
    float *Y = lc_malloc(sizeof(float) * LC_BOW_BLOCK * (size_t)dim, e);
    if (!Y) return e->code;
    for (int64_t i = first; i < first + n;) {
        int64_t end = block_end(i, first + n);
        int nb = (int)(end - i);
        float *Xb = X + (size_t)(i - first) * dim;
        for (int j = 0; j < nb; j++)
            for (int a = 0; a < dim; a++) Xb[(size_t)j * dim + a] -= mean[a];
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, nb, dim, dim, 1.0f, Xb, dim, whiten, dim, 0.0f,
                    Y, dim);
        memcpy(Xb, Y, sizeof(float) * (size_t)nb * dim);
        i = end;
    }
    free(Y);
    return 0;
}

/* --- k-means ------------------------------------------------------------------------ */

/* Index of the first maximum of v[0..K). */
static int argmax_first(const float *v, int K) {
    float m[8];
    int k = 0;
    for (int l = 0; l < 8; l++) m[l] = -INFINITY;
    for (; k + 8 <= K; k += 8)
        for (int l = 0; l < 8; l++) m[l] = v[k + l] > m[l] ? v[k + l] : m[l];
    float best = -INFINITY;
    for (int l = 0; l < 8; l++) best = m[l] > best ? m[l] : best;
    for (; k < K; k++) best = v[k] > best ? v[k] : best;
    for (k = 0; k < K; k++)
        if (v[k] == best) return k;
    return 0;
}

int lc_bow_kmeans(MPI_Comm comm, const float *X, int64_t first, int64_t n, int64_t n_total,
                  int dim, int K, int iters, uint64_t seed, float *centroids, int64_t *counts,
                  lc_err *e) {
    int rank;
    MPI_Comm_rank(comm, &rank);
    if (K < 1 || (int64_t)K > n_total)
        lc_fail(e, LC_EARG, "--centroids %d: k-means needs at least as many sampled patches (%lld) as centroids",
                K, (long long)n_total);
    const size_t kd = (size_t)K * dim;
    int64_t *sums = lc_malloc(sizeof(int64_t) * (kd + (size_t)K + 1), e);
    int64_t *tot = lc_malloc(sizeof(int64_t) * (kd + (size_t)K + 1), e);
    float *G = lc_malloc(sizeof(float) * LC_BOW_BLOCK * (size_t)K, e);
    float *c2 = lc_malloc(sizeof(float) * (size_t)K, e);
    if (lc_agree(comm, e)) goto out;

    /* init: the first K of a random permutation of the samples */
    memset(centroids, 0, sizeof(float) * kd);
    for (int k = 0; k < K; k++) {
        int64_t i = (int64_t)lc_rng_perm(seed, lc_stream(LC_RNG_BOW, 3), (uint64_t)k, (uint64_t)n_total);
        if (i >= first && i < first + n) memcpy(centroids + (size_t)k * dim, X + (size_t)(i - first) * dim, sizeof(float) * dim);
    }
    /* one rank contributes each row, the others zeros: the sum is exact */
    MPI_Allreduce(MPI_IN_PLACE, centroids, (int)kd, MPI_FLOAT, MPI_SUM, comm);
    for (size_t j = 0; j < kd; j++) centroids[j] += 0.0f; /* -0 -> +0 whatever the rank count */

    float mx = 0, gmx = 0;
    for (size_t i = 0; i < (size_t)n * dim; i++) mx = fabsf(X[i]) > mx ? fabsf(X[i]) : mx;
    MPI_Allreduce(&mx, &gmx, 1, MPI_FLOAT, MPI_MAX, comm);
    const int s = fixed_exponent((double)n_total * ((double)gmx > 1.0 ? (double)gmx : 1.0));
    const double scale = ldexp(1.0, s);
    const double lscale = 65536.0; /* distortion, for the log only */

    for (int it = 0; it < iters; it++) {
        double t0 = lc_now();
        for (int k = 0; k < K; k++) {
            const float *c = centroids + (size_t)k * dim;
            float acc = 0;
            for (int a = 0; a < dim; a++) acc += c[a] * c[a];
            c2[k] = 0.5f * acc;
        }
        memset(sums, 0, sizeof(int64_t) * (kd + (size_t)K + 1));
        int64_t *cnt = sums + kd, *dist = cnt + K;
        for (int64_t i = first; i < first + n;) {
            int64_t end = block_end(i, first + n);
            int nb = (int)(end - i);
            const float *Xb = X + (size_t)(i - first) * dim;
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, nb, K, dim, 1.0f, Xb, dim, centroids, dim, 0.0f,
                        G, K);
            for (int j = 0; j < nb; j++) {
                float *g = G + (size_t)j * K;
                for (int k = 0; k < K; k++) g[k] -= c2[k];
                int best = argmax_first(g, K);
                const float *x = Xb + (size_t)j * dim;
                int64_t *sb = sums + (size_t)best * dim;
                double x2 = 0;
                for (int a = 0; a < dim; a++) {
                    sb[a] += llrint((double)x[a] * scale);
                    x2 += (double)x[a] * x[a];
                }
                cnt[best]++;
                *dist += llrint((0.5 * x2 - (double)g[best]) * lscale);
            }
            i = end;
        }
        MPI_Allreduce(sums, tot, (int)(kd + (size_t)K + 1), MPI_INT64_T, MPI_SUM, comm);
        int empty = 0;
        for (int k = 0; k < K; k++) {
            float *c = centroids + (size_t)k * dim;
            int64_t m = tot[kd + k];
            if (m == 0) { /* the released code zeroes empty centroids */
                memset(c, 0, sizeof(float) * dim);
                empty++;
                continue;
            }
            for (int a = 0; a < dim; a++) c[a] = (float)(ldexp((double)tot[(size_t)k * dim + a], -s) / (double)m);
        }
        if (counts) memcpy(counts, tot + kd, sizeof(int64_t) * K);
        double t = lc_now() - t0, tmax = 0;
        MPI_Allreduce(&t, &tmax, 1, MPI_DOUBLE, MPI_MAX, comm);
        if (it == 0 || it + 1 == iters || (it + 1) % 10 == 0)
            lc_log("bow: k-means iteration %d/%d: distortion %.4f, %d empty clusters, %.2fs\n", it + 1, iters,
                   (double)tot[kd + K] / lscale / (double)n_total, empty, tmax);
    }
out:
    free(sums);
    free(tot);
    free(G);
    free(c2);
    return e->code;
}

/* --- learning: sample, redistribute, normalize, whiten, cluster -------------------- */

void lc_bow_params_default(lc_bow_params *p) {
    memset(p, 0, sizeof *p);
    p->patch = LC_BOW_DEFAULT_PATCH;
    p->K = LC_BOW_DEFAULT_K;
    p->pool = LC_BOW_DEFAULT_POOL;
    p->iters = LC_BOW_DEFAULT_ITERS;
    p->n_patches = LC_BOW_DEFAULT_PATCHES;
    p->seed = LC_BOW_DEFAULT_SEED;
    p->eps_norm = 10.0f;
    p->eps_zca = 0.1f;
}

/* Index of the range holding x among P sorted contiguous ranges lo[r] <= x < lo[r+1]. */
static int range_of(const int64_t *lo, int P, int64_t x) {
    int a = 0, b = P - 1;
    while (a < b) {
        int m = (a + b + 1) / 2;
        if (lo[m] <= x) a = m;
        else b = m - 1;
    }
    return a;
}

int lc_bow_learn(MPI_Comm comm, const lc_bow_params *p, const uint8_t *imgs, int64_t row0,
                 int64_t nrows, int64_t n_total, lc_bow_dict *d, lc_err *e) {
    int rank, P;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &P);
    memset(d, 0, sizeof *d);
    const int64_t Ns = p->n_patches;
    if (!check_shape(p->patch, p->K, p->pool, e)) {
        if (Ns < 2 || Ns > (int64_t)INT_MAX / (p->patch * p->patch * CH))
            lc_fail(e, LC_EARG, "--patches %lld: must be in 2..%lld", (long long)Ns,
                    (long long)INT_MAX / (p->patch * p->patch * CH));
        else if ((int64_t)p->K > Ns)
            lc_fail(e, LC_EARG, "--centroids %d is larger than --patches %lld: k-means needs at least one sampled "
                    "patch per centroid", p->K, (long long)Ns);
        else if (p->iters < 0)
            lc_fail(e, LC_EARG, "--kmeans-iters %d: must be >= 0", p->iters);
        else if (!(p->eps_norm >= 0) || !(p->eps_zca > 0))
            lc_fail(e, LC_EARG, "normalization epsilon must be >= 0 and whitening epsilon > 0");
        else if (n_total < 1)
            lc_fail(e, LC_EDATA, "no training images to sample patches from");
    }
    if (lc_agree(comm, e)) return e->code;
    if (lc_bow_dict_alloc(d, p->patch, p->K, e) == 0) {
        d->pool = p->pool;
        d->eps_norm = p->eps_norm;
        d->eps_zca = p->eps_zca;
        d->iters = p->iters;
        d->n_patches = Ns;
        d->seed = p->seed;
    }
    const int dim = p->patch * p->patch * CH, npos = SIDE + 1 - p->patch;
    const uint64_t seed = p->seed;
    const uint64_t s_img = lc_stream(LC_RNG_BOW, 0), s_y = lc_stream(LC_RNG_BOW, 1), s_x = lc_stream(LC_RNG_BOW, 2);
    int64_t *rlo = lc_malloc(sizeof(int64_t) * (size_t)(P + 1), e);  /* image rows per rank */
    int64_t *slo = lc_malloc(sizeof(int64_t) * (size_t)(P + 1), e);  /* sample ranges per rank */
    int *scnt = lc_calloc((size_t)P, sizeof(int), e), *sdis = lc_calloc((size_t)P, sizeof(int), e);
    int *rcnt = lc_calloc((size_t)P, sizeof(int), e), *rdis = lc_calloc((size_t)P, sizeof(int), e);
    uint8_t *sbuf = NULL, *rbuf = NULL, *mine = NULL;
    float *X = NULL;
    int64_t my_lo = 0, my_n = 0;
    if (lc_agree(comm, e)) goto out;
    {
        MPI_Allgather(&row0, 1, MPI_INT64_T, rlo, 1, MPI_INT64_T, comm);
        rlo[P] = n_total;
        int64_t nb = (Ns + LC_BOW_BLOCK - 1) / LC_BOW_BLOCK;
        for (int r = 0; r <= P; r++) {
            int64_t b = nb * r / P;
            slo[r] = b * LC_BOW_BLOCK < Ns ? b * LC_BOW_BLOCK : Ns;
        }
        my_lo = slo[rank];
        my_n = slo[rank + 1] - my_lo;
        /* what this rank sends: samples whose image it holds, in sample order */
        int64_t nsend = 0;
        for (int64_t i = 0; i < Ns; i++) {
            int64_t img = (int64_t)lc_rng_below(seed, s_img, (uint64_t)i, (uint64_t)n_total);
            if (img >= row0 && img < row0 + nrows) {
                scnt[range_of(slo, P, i)] += dim;
                nsend++;
            }
        }
        for (int64_t i = my_lo; i < my_lo + my_n; i++) {
            int64_t img = (int64_t)lc_rng_below(seed, s_img, (uint64_t)i, (uint64_t)n_total);
            rcnt[range_of(rlo, P, img)] += dim;
        }
        for (int r = 1; r < P; r++) {
            sdis[r] = sdis[r - 1] + scnt[r - 1];
            rdis[r] = rdis[r - 1] + rcnt[r - 1];
        }
        sbuf = lc_malloc((size_t)nsend * dim + 1, e);
        rbuf = lc_malloc((size_t)my_n * dim + 1, e);
        mine = lc_malloc((size_t)my_n * dim + 1, e);
        X = lc_malloc(sizeof(float) * ((size_t)my_n * dim + 1), e);
        if (lc_agree(comm, e)) goto out;
        double t0 = lc_now();
        uint8_t *q = sbuf;
        for (int64_t i = 0; i < Ns; i++) {
            int64_t img = (int64_t)lc_rng_below(seed, s_img, (uint64_t)i, (uint64_t)n_total);
            if (img < row0 || img >= row0 + nrows) continue;
            int y = (int)lc_rng_below(seed, s_y, (uint64_t)i, (uint64_t)npos);
            int x = (int)lc_rng_below(seed, s_x, (uint64_t)i, (uint64_t)npos);
            extract_u8(imgs + (size_t)(img - row0) * CH * NPIX, p->patch, y, x, q);
            q += dim;
        }
        MPI_Alltoallv(sbuf, scnt, sdis, MPI_BYTE, rbuf, rcnt, rdis, MPI_BYTE, comm);
        /* received grouped by source rank, each in sample order: merge back into sample order */
        for (int r = 0; r < P; r++) rcnt[r] = rdis[r];
        for (int64_t i = my_lo; i < my_lo + my_n; i++) {
            int64_t img = (int64_t)lc_rng_below(seed, s_img, (uint64_t)i, (uint64_t)n_total);
            int src = range_of(rlo, P, img);
            memcpy(mine + (size_t)(i - my_lo) * dim, rbuf + rcnt[src], (size_t)dim);
            rcnt[src] += dim;
        }
        lc_bow_normalize(mine, my_n, dim, p->eps_norm, X);
        free(sbuf);
        free(rbuf);
        free(mine);
        sbuf = rbuf = mine = NULL;
        double t1 = lc_now();
        lc_log("bow: %lld patches %dx%dx%d sampled (%lld per rank on rank 0) in %.2fs\n", (long long)Ns, p->patch,
               p->patch, CH, (long long)my_n, t1 - t0);
        if (lc_bow_zca(comm, X, my_lo, my_n, Ns, dim, p->eps_zca, d->mean, d->whiten, e)) goto out;
        lc_bow_apply_whiten(X, my_lo, my_n, dim, d->mean, d->whiten, e);
        if (lc_agree(comm, e)) goto out;
        lc_log("bow: ZCA whitening (eps %g) in %.2fs\n", (double)p->eps_zca, lc_now() - t1);
        lc_bow_kmeans(comm, X, my_lo, my_n, Ns, dim, p->K, p->iters, seed, d->centroids, NULL, e);
    }
out:
    free(rlo);
    free(slo);
    free(scnt);
    free(sdis);
    free(rcnt);
    free(rdis);
    free(sbuf);
    free(rbuf);
    free(mine);
    free(X);
    if (e->code) lc_bow_dict_free(d);
    return e->code;
}

/* --- encoding ----------------------------------------------------------------------- */

typedef struct {
    int npos, M;       /* positions per side, M = npos^2 */
    float *X, *Y, *G;  /* M x dim (normalized - mean), M x dim (whitened), M x K */
    float *cc;         /* K: |c_k|^2 */
    uint8_t *pb;       /* dim: one raw patch */
    int reg[SIDE];     /* region index of each position along one side */
} enc_scratch;

static void scratch_free(enc_scratch *s) {
    free(s->X);
    free(s->Y);
    free(s->G);
    free(s->cc);
    free(s->pb);
    memset(s, 0, sizeof *s);
}

/* Region boundaries at ceil(npos * i / pool). */
static void regions(int npos, int pool, int *reg) {
    for (int r = 0, y = 0; r < pool; r++) {
        int end = (npos * (r + 1) + pool - 1) / pool;
        for (; y < end; y++) reg[y] = r;
    }
}

static int scratch_init(enc_scratch *s, const lc_bow_dict *d, lc_err *e) {
    memset(s, 0, sizeof *s);
    if (check_shape(d->patch, d->K, d->pool, e)) return e->code;
    s->npos = SIDE + 1 - d->patch;
    s->M = s->npos * s->npos;
    s->X = lc_malloc(sizeof(float) * (size_t)s->M * d->dim, e);
    s->Y = lc_malloc(sizeof(float) * (size_t)s->M * d->dim, e);
    s->G = lc_malloc(sizeof(float) * (size_t)s->M * d->K, e);
    s->cc = lc_malloc(sizeof(float) * (size_t)d->K, e);
    s->pb = lc_malloc((size_t)d->dim, e);
    if (e->code) {
        scratch_free(s);
        return e->code;
    }
    for (int k = 0; k < d->K; k++) {
        const float *c = d->centroids + (size_t)k * d->dim;
        float acc = 0;
        for (int a = 0; a < d->dim; a++) acc += c[a] * c[a];
        s->cc[k] = acc;
    }
    regions(s->npos, d->pool, s->reg);
    return 0;
}

/* Triangle activations of one position's distances row (in place: g holds
 * x.c_k on entry, xx = |x|^2), summed into pooled (K). Sums in fixed order:
 * 8 lanes then the tail. */
static inline void triangle_row(float *restrict g, const float *restrict cc, float xx, int K,
                                float *restrict pooled) {
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int k = 0;
    for (; k + 8 <= K; k += 8)
        for (int l = 0; l < 8; l++) {
            float t = xx + cc[k + l] - 2.0f * g[k + l];
            float z = sqrtf(t > 0.0f ? t : 0.0f);
            g[k + l] = z;
            acc[l] += z;
        }
    float sum = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (; k < K; k++) {
        float t = xx + cc[k] - 2.0f * g[k];
        float z = sqrtf(t > 0.0f ? t : 0.0f);
        g[k] = z;
        sum += z;
    }
    const float mu = sum / (float)K;
    for (k = 0; k < K; k++) {
        float f = mu - g[k];
        pooled[k] += f > 0.0f ? f : 0.0f;
    }
}

/* Everything after the GEMMs: distances, triangle codes, pooling. Wider
 * vectors where the CPU has them; no FMA contraction (ISO C mode) and the
 * same operation order in every clone, so the bits do not depend on the CPU
 * features used. */
LC_HOT_CLONES
static void codes_and_pool(const lc_bow_dict *d, enc_scratch *s, float *out) {
    const int dim = d->dim, K = d->K, np = s->npos, pool = d->pool;
    memset(out, 0, sizeof(float) * (size_t)pool * pool * K);
    for (int y = 0, j = 0; y < np; y++)
        for (int x = 0; x < np; x++, j++) {
            const float *w = s->Y + (size_t)j * dim;
            float xx = 0;
            for (int a = 0; a < dim; a++) xx += w[a] * w[a];
            float *pooled = out + (size_t)(s->reg[y] * pool + s->reg[x]) * K;
            triangle_row(s->G + (size_t)j * K, s->cc, xx, K, pooled);
        }
}

static void encode_one(const lc_bow_dict *d, enc_scratch *s, const uint8_t *img, float *out) {
    const int dim = d->dim, K = d->K, M = s->M, np = s->npos;
    for (int y = 0, j = 0; y < np; y++)
        for (int x = 0; x < np; x++, j++) {
            extract_u8(img, d->patch, y, x, s->pb);
            normalize_one(s->pb, dim, d->eps_norm, d->mean, s->X + (size_t)j * dim);
        }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, dim, dim, 1.0f, s->X, dim, d->whiten, dim, 0.0f,
                s->Y, dim);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, K, dim, 1.0f, s->Y, dim, d->centroids, dim, 0.0f,
                s->G, K);
    codes_and_pool(d, s, out);
}

int lc_bow_encode(const lc_bow_dict *d, const uint8_t *imgs, int n, float *out, lc_err *e) {
    enc_scratch s;
    if (scratch_init(&s, d, e)) return e->code;
    const size_t D = (size_t)lc_bow_dim(d);
    for (int i = 0; i < n; i++) encode_one(d, &s, imgs + (size_t)i * CH * NPIX, out + (size_t)i * D);
    scratch_free(&s);
    return 0;
}

int lc_bow_encode_naive(const lc_bow_dict *d, const uint8_t *img, float *out, lc_err *e) {
    if (check_shape(d->patch, d->K, d->pool, e)) return e->code;
    const int dim = d->dim, K = d->K, p = d->patch, np = SIDE + 1 - p, pool = d->pool;
    double *v = lc_malloc(sizeof(double) * (size_t)dim, e), *w = lc_malloc(sizeof(double) * (size_t)dim, e);
    double *z = lc_malloc(sizeof(double) * (size_t)K, e), *acc = lc_calloc((size_t)pool * pool * K, sizeof(double), e);
    if (e->code) {
        free(v);
        free(w);
        free(z);
        free(acc);
        return e->code;
    }
    int reg[SIDE];
    regions(np, pool, reg);
    for (int y = 0; y < np; y++)
        for (int x = 0; x < np; x++) {
            for (int c = 0; c < CH; c++)
                for (int dy = 0; dy < p; dy++)
                    for (int dx = 0; dx < p; dx++) v[(c * p + dy) * p + dx] = img[c * NPIX + (y + dy) * SIDE + x + dx];
            double m = 0, var = 0;
            for (int a = 0; a < dim; a++) m += v[a];
            m /= dim;
            for (int a = 0; a < dim; a++) var += (v[a] - m) * (v[a] - m);
            var /= dim - 1;
            for (int a = 0; a < dim; a++) v[a] = (v[a] - m) / sqrt(var + d->eps_norm) - d->mean[a];
            for (int a = 0; a < dim; a++) {
                w[a] = 0;
                for (int b = 0; b < dim; b++) w[a] += (double)d->whiten[(size_t)a * dim + b] * v[b];
            }
            double mu = 0;
            for (int k = 0; k < K; k++) {
                double s2 = 0;
                for (int a = 0; a < dim; a++) {
                    double t = w[a] - d->centroids[(size_t)k * dim + a];
                    s2 += t * t;
                }
                z[k] = sqrt(s2);
                mu += z[k];
            }
            mu /= K;
            double *o = acc + (size_t)(reg[y] * pool + reg[x]) * K;
            for (int k = 0; k < K; k++) o[k] += mu - z[k] > 0 ? mu - z[k] : 0;
        }
    for (size_t i = 0; i < (size_t)pool * pool * K; i++) out[i] = (float)acc[i];
    free(v);
    free(w);
    free(z);
    free(acc);
    return 0;
}

/* --- recipes on images ---------------------------------------------------------------- */

/* Parses one "+"-separated term into s (appending its kind). */
static int parse_term(const char *t, size_t len, lc_feat_spec *s) {
    char buf[256];
    if (len >= sizeof buf || s->n >= LC_FEAT_MAX_KINDS) return -1;
    memcpy(buf, t, len);
    buf[len] = '\0';
    int a = 0, b = 0, c = 0, used = 0;
    float f1 = 0, f2 = 0;
    if (sscanf(buf, "hog(cell=%d,bins=%d,block=2x2,norm=L2-Hys)%n", &a, &b, &used) == 2 && used == (int)len) {
        s->kinds[s->n++] = LC_FEAT_HOG;
        s->hog_cell = a;
        s->hog_bins = b;
        return 0;
    }
    if (sscanf(buf, "color(hue,bins=%d)%n", &a, &used) == 1 && used == (int)len) {
        s->kinds[s->n++] = LC_FEAT_COLOR;
        s->color_bins = a;
        return 0;
    }
    if (sscanf(buf, "bow(K=%d,patch=%d,pool=%d,norm=%g,zca=%g)%n", &a, &b, &c, &f1, &f2, &used) == 5 &&
        used == (int)len) {
        s->kinds[s->n++] = LC_FEAT_BOW;
        s->bow_K = a;
        s->bow_patch = b;
        s->bow_pool = c;
        s->bow_eps_norm = f1;
        s->bow_eps_zca = f2;
        return 0;
    }
    return -1;
}

int lc_recipe_load(const char *input, const char *path, lc_recipe *r, lc_err *e) {
    memset(r, 0, sizeof *r);
    if (strcmp(input, "images") == 0) {
        r->images = 1;
        r->dim = CH * NPIX;
        return 0;
    }
    lc_feat_spec *s = &r->spec;
    s->hog_cell = 8;
    s->hog_bins = 9;
    s->color_bins = 24;
    int has_bow = 0;
    for (const char *p = input;;) {
        const char *plus = strchr(p, '+');
        size_t len = plus ? (size_t)(plus - p) : strlen(p);
        if (parse_term(p, len, s))
            return lc_fail(e, LC_EDATA, "%s: the model's input recipe '%s' is not one images can be turned into "
                           "(term '%.*s' unknown)", path, input, (int)len, p);
        if (!plus) break;
        p = plus + 1;
    }
    /* the same checks as the features command, and a round trip of the text */
    lc_feat_spec chk;
    char kinds[64] = "";
    for (int i = 0; i < s->n; i++) {
        const char *nm = s->kinds[i] == LC_FEAT_HOG ? "hog" : s->kinds[i] == LC_FEAT_COLOR ? "color" : "bow";
        if (s->kinds[i] == LC_FEAT_BOW) has_bow = 1;
        strcat(kinds, i ? "," : "");
        strcat(kinds, nm);
    }
    lc_err e2 = {0};
    if (lc_feat_parse(kinds, s->hog_cell, s->hog_bins, s->color_bins, &chk, &e2))
        return lc_fail(e, LC_EDATA, "%s: the model's input recipe '%s': %s", path, input, e2.msg);
    if (has_bow) {
        if (lc_bow_dict_load(path, &r->dict, e)) return e->code;
        if (r->dict.K != s->bow_K || r->dict.patch != s->bow_patch || r->dict.eps_norm != s->bow_eps_norm ||
            r->dict.eps_zca != s->bow_eps_zca) {
            lc_fail(e, LC_EDATA, "%s: its dictionary (K=%d, patch=%d, norm=%g, zca=%g) does not match the recipe '%s'",
                    path, r->dict.K, r->dict.patch, (double)r->dict.eps_norm, (double)r->dict.eps_zca, input);
            lc_recipe_free(r);
            return e->code;
        }
        r->dict.pool = s->bow_pool;
        if (check_shape(r->dict.patch, r->dict.K, r->dict.pool, &e2)) {
            lc_fail(e, LC_EDATA, "%s: the recipe '%s': %s", path, input, e2.msg);
            lc_recipe_free(r);
            return e->code;
        }
    }
    char again[512];
    lc_feat_recipe(s, again, sizeof again);
    if (strcmp(again, input) != 0) {
        lc_fail(e, LC_EDATA, "%s: the model's input recipe '%s' is not understood (read back as '%s')", path, input,
                again);
        lc_recipe_free(r);
        return e->code;
    }
    r->dim = lc_feat_dim(s);
    return 0;
}

int lc_recipe_compute(const lc_recipe *r, const uint8_t *imgs, int n, float *out, lc_err *e) {
    if (r->images) {
        for (size_t i = 0; i < (size_t)n * CH * NPIX; i++) out[i] = imgs[i];
        return 0;
    }
    enc_scratch s;
    int has_bow = 0;
    for (int k = 0; k < r->spec.n; k++) has_bow |= r->spec.kinds[k] == LC_FEAT_BOW;
    if (has_bow && scratch_init(&s, &r->dict, e)) return e->code;
    for (int i = 0; i < n; i++) {
        const uint8_t *img = imgs + (size_t)i * CH * NPIX;
        float *o = out + (size_t)i * r->dim;
        lc_feat_compute(&r->spec, img, o); /* hog and color; leaves the bow columns */
        for (int k = 0; k < r->spec.n; k++) {
            if (r->spec.kinds[k] == LC_FEAT_BOW) {
                encode_one(&r->dict, &s, img, o);
                o += lc_bow_dim(&r->dict);
            } else {
                o += r->spec.kinds[k] == LC_FEAT_HOG ? lc_feat_hog_dim(r->spec.hog_cell, r->spec.hog_bins)
                                                     : r->spec.color_bins;
            }
        }
    }
    if (has_bow) scratch_free(&s);
    return 0;
}

void lc_recipe_free(lc_recipe *r) {
    lc_bow_dict_free(&r->dict);
    memset(r, 0, sizeof *r);
}
