/* dataset: open + validate a dataset/features file, read one rank's rows with
 * a collective hyperslab through MPI-IO, and gather normalized rows. */
#define _DEFAULT_SOURCE /* madvise */
#include "lincls/dataset.h"

#include <hdf5.h>
#include <sys/mman.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lincls/dist.h"
#include "lincls/h5util.h"

void lc_split_range(int64_t n, int parts, int i, int64_t *lo, int64_t *hi) {
    /* n * i fits easily: n < 2^40, parts < 2^20 */
    *lo = n * i / parts;
    *hi = n * (i + 1) / parts;
}

/* Silence HDF5's own error stack printing: we report our own messages. */
static void quiet_hdf5(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

static hid_t open_mpio(MPI_Comm comm, const char *path) {
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, fapl);
    H5Pclose(fapl);
    return f;
}

/* Shape of dataset `name`; rank and dims out. Returns -1 when missing. */
static int get_shape(hid_t f, const char *name, int *rank, hsize_t dims[4], H5T_class_t *cls,
                     size_t *size) {
    if (H5Lexists(f, name, H5P_DEFAULT) <= 0) return -1;
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    if (d < 0) return -1;
    hid_t s = H5Dget_space(d);
    *rank = H5Sget_simple_extent_ndims(s);
    if (*rank > 4 || *rank < 0) *rank = 4;
    H5Sget_simple_extent_dims(s, dims, NULL);
    hid_t t = H5Dget_type(d);
    *cls = H5Tget_class(t);
    *size = H5Tget_size(t);
    H5Tclose(t);
    H5Sclose(s);
    H5Dclose(d);
    return 0;
}

static int read_classes(hid_t f, lc_dataset_info *info, lc_err *e) {
    int rank;
    hsize_t dims[4];
    H5T_class_t cls;
    size_t sz;
    if (get_shape(f, "/classes", &rank, dims, &cls, &sz) < 0 || rank != 1 || cls != H5T_STRING)
        return lc_fail(e, LC_EDATA, "%s: /classes missing or not a 1-D string dataset", info->path);
    if (dims[0] < 2 || dims[0] > LC_MAX_CLASSES)
        return lc_fail(e, LC_EDATA, "%s: /classes has %llu names (2..%d allowed)", info->path,
                       (unsigned long long)dims[0], LC_MAX_CLASSES);
    info->n_classes = (int)dims[0];
    hid_t d = H5Dopen2(f, "/classes", H5P_DEFAULT);
    hid_t ft = H5Dget_type(d);
    int ok = 0;
    if (H5Tis_variable_str(ft) > 0) {
        char *names[LC_MAX_CLASSES] = {0};
        hid_t mt = H5Tcopy(H5T_C_S1);
        H5Tset_size(mt, H5T_VARIABLE);
        if (H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, names) >= 0) {
            for (int k = 0; k < info->n_classes; k++)
                snprintf(info->classes[k], LC_CLASS_NAME_MAX, "%s", names[k] ? names[k] : "");
            hid_t sp = H5Dget_space(d);
            H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, names);
            H5Sclose(sp);
            ok = 1;
        }
        H5Tclose(mt);
    } else {
        char *buf = calloc(dims[0], sz + 1);
        hid_t mt = H5Tcopy(H5T_C_S1);
        H5Tset_size(mt, sz);
        if (buf && H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0) {
            for (int k = 0; k < info->n_classes; k++) {
                char name[LC_CLASS_NAME_MAX];
                size_t m = sz < LC_CLASS_NAME_MAX - 1 ? sz : LC_CLASS_NAME_MAX - 1;
                memcpy(name, buf + (size_t)k * sz, m);
                name[m] = '\0';
                snprintf(info->classes[k], LC_CLASS_NAME_MAX, "%s", name);
            }
            ok = 1;
        }
        H5Tclose(mt);
        free(buf);
    }
    H5Tclose(ft);
    H5Dclose(d);
    return ok ? 0 : lc_fail(e, LC_EDATA, "%s: cannot read /classes", info->path);
}

/* Validate one split's data and labels datasets; sets *n. */
static int check_split(hid_t f, lc_dataset_info *info, const char *split, int64_t *n, lc_err *e) {
    char name[64], lname[64];
    int rank;
    hsize_t dims[4];
    H5T_class_t cls;
    size_t sz;
    snprintf(name, sizeof name, "/%s/%s", split, info->is_images ? "images" : "features");
    snprintf(lname, sizeof lname, "/%s/labels", split);
    if (get_shape(f, name, &rank, dims, &cls, &sz) < 0)
        return lc_fail(e, LC_EDATA, "%s: dataset %s is missing", info->path, name);
    if (info->is_images) {
        if (rank != 4 || dims[1] != 3 || dims[2] != 32 || dims[3] != 32 || cls != H5T_INTEGER || sz != 1)
            return lc_fail(e, LC_EDATA, "%s: %s must be uint8 [N,3,32,32]", info->path, name);
        info->dim = 3072;
    } else {
        if (rank != 2 || cls != H5T_FLOAT || sz != 4 || dims[1] < 1 || dims[1] > (1u << 24))
            return lc_fail(e, LC_EDATA, "%s: %s must be float32 [N,D]", info->path, name);
        if (info->dim && info->dim != (int)dims[1])
            return lc_fail(e, LC_EDATA, "%s: /train and /test features differ in width (%d vs %d)",
                           info->path, info->dim, (int)dims[1]);
        info->dim = (int)dims[1];
    }
    *n = (int64_t)dims[0];
    hsize_t ldims[4];
    if (get_shape(f, lname, &rank, ldims, &cls, &sz) < 0)
        return lc_fail(e, LC_EDATA, "%s: dataset %s is missing", info->path, lname);
    if (rank != 1 || cls != H5T_INTEGER || (sz != 1 && sz != 2) || ldims[0] != dims[0])
        return lc_fail(e, LC_EDATA, "%s: %s must be uint8 or uint16 [%lld] to match %s", info->path, lname,
                       (long long)dims[0], name);
    return 0;
}

static int open_serial_checks(hid_t f, lc_dataset_info *info, lc_err *e) {
    char fmt[64];
    int version = 0;
    if (lc_h5_get_str_attr(f, "format", fmt, sizeof fmt) < 0 || strcmp(fmt, "lincls-dataset") != 0)
        return lc_fail(e, LC_EDATA, "%s: not a lincls dataset (root attribute format != \"lincls-dataset\")",
                       info->path);
    if (lc_h5_get_attr(f, "version", H5T_NATIVE_INT, &version) < 0 || version != 1)
        return lc_fail(e, LC_EDATA, "%s: unsupported dataset version %d (expected 1)", info->path, version);
    if (read_classes(f, info, e)) return e->code;
    info->is_images = H5Lexists(f, "/train/images", H5P_DEFAULT) > 0;
    if (!info->is_images && H5Lexists(f, "/train/features", H5P_DEFAULT) <= 0)
        return lc_fail(e, LC_EDATA, "%s: neither /train/images nor /train/features exists", info->path);
    if (check_split(f, info, "train", &info->n_train, e)) return e->code;
    if (check_split(f, info, "test", &info->n_test, e)) return e->code;
    if (info->is_images) {
        snprintf(info->input, sizeof info->input, "images");
    } else if (lc_h5_get_str_attr(f, "features", info->input, sizeof info->input) < 0) {
        snprintf(info->input, sizeof info->input, "features");
    }
    return 0;
}

int lc_dataset_open(MPI_Comm comm, const char *path, lc_dataset_info *info, lc_err *e) {
    memset(info, 0, sizeof *info);
    quiet_hdf5();
    if (strlen(path) >= sizeof info->path) return lc_fail(e, LC_EARG, "--data path too long");
    snprintf(info->path, sizeof info->path, "%s", path);
    /* Every rank checks for itself (the metadata is small); the file is the
     * same for all, and agreeing before each collective step keeps a rank that
     * failed early from leaving the others waiting in H5Fopen. */
    FILE *probe = fopen(path, "rb");
    if (!probe)
        lc_fail(e, LC_EIO, "%s: cannot open data file (does it exist? make it with lincls-prep)", path);
    else
        fclose(probe);
    if (lc_agree(comm, e)) return e->code;
    hid_t f = open_mpio(comm, path);
    if (f < 0) {
        lc_fail(e, LC_EDATA, "%s: not an HDF5 file or unreadable", path);
    } else {
        open_serial_checks(f, info, e);
        H5Fclose(f);
    }
    return lc_agree(comm, e);
}

void lc_rows_free(lc_rows *r) {
    free(r->u8);
    free(r->f32);
    free(r->labels);
    memset(r, 0, sizeof *r);
}

/* Collective read of rows [row0, row0+n) x cols of dataset name into buf. */
static int read_rows(hid_t f, const char *name, hid_t memtype, int64_t row0, int64_t n, int ndims,
                     void *buf) {
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    if (d < 0) return -1;
    hid_t fs = H5Dget_space(d);
    hsize_t dims[4];
    H5Sget_simple_extent_dims(fs, dims, NULL);
    hsize_t start[4] = {(hsize_t)row0, 0, 0, 0}, count[4];
    count[0] = (hsize_t)n;
    for (int i = 1; i < ndims; i++) count[i] = dims[i];
    hid_t ms;
    if (n > 0) {
        H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
        ms = H5Screate_simple(ndims, count, NULL);
    } else {
        H5Sselect_none(fs);
        ms = H5Screate(H5S_NULL);
        H5Sselect_none(ms);
    }
    hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
    H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE);
    herr_t rc = H5Dread(d, memtype, ms, fs, dxpl, buf);
    H5Pclose(dxpl);
    H5Sclose(ms);
    H5Sclose(fs);
    H5Dclose(d);
    return rc < 0 ? -1 : 0;
}

/* Row storage. Training reads rows at random addresses every step; on 4 KiB
 * pages nearly every row is a TLB miss, so ask for transparent huge pages
 * (2 MiB) where the kernel offers them (measured: 0.88 -> 0.61 us per random
 * 3 KiB row converted). */
static void *rows_alloc(size_t bytes, lc_err *e) {
    const size_t huge = (size_t)2 << 20;
    if (bytes < huge) return lc_malloc(bytes, e);
    size_t rounded = (bytes + huge - 1) / huge * huge;
    void *p = aligned_alloc(huge, rounded);
    if (!p) return lc_malloc(bytes, e);
#ifdef MADV_HUGEPAGE
    madvise(p, rounded, MADV_HUGEPAGE);
#endif
    return p;
}

int lc_dataset_read(MPI_Comm comm, const lc_dataset_info *info, const char *split, int64_t row0,
                    int64_t nrows, lc_rows *out, lc_err *e) {
    memset(out, 0, sizeof *out);
    int64_t total = strcmp(split, "train") == 0 ? info->n_train : info->n_test;
    if (row0 < 0 || nrows < 0 || row0 + nrows > total)
        lc_fail(e, LC_EINTERNAL, "%s: rows [%lld, %lld) outside /%s (%lld rows)", info->path,
                (long long)row0, (long long)(row0 + nrows), split, (long long)total);
    out->row0 = row0;
    out->nrows = nrows;
    out->dim = info->dim;
    out->is_images = info->is_images;
    size_t cells = (size_t)nrows * (size_t)info->dim;
    if (!e->code) {
        if (info->is_images)
            out->u8 = rows_alloc(cells, e);
        else
            out->f32 = rows_alloc(cells * sizeof(float), e);
        out->labels = lc_malloc(sizeof(uint16_t) * (size_t)nrows, e);
    }
    if (lc_agree(comm, e)) {
        lc_rows_free(out);
        return e->code;
    }
    hid_t f = open_mpio(comm, info->path);
    char name[64], lname[64];
    snprintf(name, sizeof name, "/%s/%s", split, info->is_images ? "images" : "features");
    snprintf(lname, sizeof lname, "/%s/labels", split);
    int bad = f < 0;
    /* every rank must take part in both collective reads, even after a failure */
    if (!bad) {
        bad |= read_rows(f, name, info->is_images ? H5T_NATIVE_UINT8 : H5T_NATIVE_FLOAT, row0, nrows,
                         info->is_images ? 4 : 2, info->is_images ? (void *)out->u8 : (void *)out->f32) < 0;
        /* uint8 or uint16 in the file: HDF5 converts to uint16 */
        bad |= read_rows(f, lname, H5T_NATIVE_UINT16, row0, nrows, 1, out->labels) < 0;
        H5Fclose(f);
    }
    if (bad)
        lc_fail(e, LC_EIO, "%s: reading rows [%lld, %lld) of /%s failed (truncated file?)", info->path,
                (long long)row0, (long long)(row0 + nrows), split);
    for (int64_t i = 0; !e->code && i < nrows; i++)
        if (out->labels[i] >= info->n_classes)
            lc_fail(e, LC_EDATA, "%s: %s row %lld has label %d, but there are only %d classes",
                    info->path, lname, (long long)(row0 + i), out->labels[i], info->n_classes);
    if (!e->code && out->f32) {
        for (size_t i = 0; i < cells; i++)
            if (!isfinite(out->f32[i])) {
                lc_fail(e, LC_EDATA, "%s: %s row %lld column %d is not finite (NaN or inf)", info->path,
                        name, (long long)(row0 + (int64_t)(i / (size_t)info->dim)), (int)(i % (size_t)info->dim));
                break;
            }
    }
    if (lc_agree(comm, e)) {
        lc_rows_free(out);
        return e->code;
    }
    return 0;
}

int lc_dataset_read_shard(MPI_Comm comm, const lc_dataset_info *info, const char *split,
                          lc_rows *out, lc_err *e) {
    int rank, P;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &P);
    memset(out, 0, sizeof *out);
    int64_t n = strcmp(split, "train") == 0 ? info->n_train : info->n_test, lo, hi;
    if (P > n)
        return lc_fail(e, LC_EARG, "%s: /%s has %lld rows, fewer than the %d ranks: run with at most %lld ranks",
                       info->path, split, (long long)n, P, (long long)n);
    lc_split_range(n, P, rank, &lo, &hi);
    return lc_dataset_read(comm, info, split, lo, hi - lo, out, e);
}

/* The per-step conversion of sampled rows to normalized floats runs over
 * every pixel of every batch, so it gets an AVX2 clone where the CPU has it.
 * No FMA: both clones round the same way (and C11 mode keeps GCC from
 * contracting), so results do not depend on which clone runs. */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define LC_HOT_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define LC_HOT_CLONES
#endif

/* Start fetching a row that will be converted next: its start address is
 * random, so the hardware prefetcher would only catch on after a few lines. */
static inline void prefetch_row(const lc_rows *r, int64_t row) {
    const char *p = r->is_images ? (const char *)(r->u8 + (size_t)row * r->dim)
                                 : (const char *)(r->f32 + (size_t)row * r->dim);
    size_t bytes = (size_t)r->dim * (r->is_images ? 1 : sizeof(float));
    for (size_t off = 0; off < bytes; off += 64) __builtin_prefetch(p + off);
}

/* Row `row` of r, normalized, into o. */
static inline void norm_row(const lc_rows *r, int64_t row, const float *restrict mean,
                            const float *restrict inv_scale, float *restrict o) {
    const int D = r->dim;
    if (r->is_images) {
        const uint8_t *restrict x = r->u8 + (size_t)row * D;
        for (int d = 0; d < D; d++) o[d] = ((float)x[d] - mean[d]) * inv_scale[d];
    } else {
        const float *restrict x = r->f32 + (size_t)row * D;
        for (int d = 0; d < D; d++) o[d] = (x[d] - mean[d]) * inv_scale[d];
    }
}

LC_HOT_CLONES
void lc_rows_gather(const lc_rows *r, const int64_t *idx, int n, const float *mean,
                    const float *inv_scale, float *out) {
    if (n > 0) prefetch_row(r, idx[0]);
    for (int i = 0; i < n; i++) {
        if (i + 1 < n) prefetch_row(r, idx[i + 1]);
        norm_row(r, idx[i], mean, inv_scale, out + (size_t)i * r->dim);
    }
}

LC_HOT_CLONES
void lc_rows_slice(const lc_rows *r, int64_t i0, int n, const float *mean, const float *inv_scale,
                   float *out) {
    for (int i = 0; i < n; i++) norm_row(r, i0 + i, mean, inv_scale, out + (size_t)i * r->dim);
}
