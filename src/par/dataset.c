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
#include "lincls/io.h"

static hid_t open_mpio(MPI_Comm comm, const char *path) {
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, fapl);
    H5Pclose(fapl);
    return f;
}

static int read_classes(hid_t f, lc_dataset_info *info, lc_err *e) {
    int rank;
    hsize_t dims[1] = {0};
    H5T_class_t cls;
    size_t sz;
    char found[160];
    if (lc_h5_dset_shape(f, "/classes", 1, &rank, dims, &cls, &sz, NULL) != 0 || rank != 1 || cls != H5T_STRING)
        return lc_fail(e, LC_EDATA, "%s: /classes must be a 1-D dataset of K class names (strings), found %s",
                       info->path, lc_h5_dset_found(f, "/classes", found, sizeof found));
    if (dims[0] < 2 || dims[0] > LC_MAX_CLASSES)
        return lc_fail(e, LC_EDATA, "%s: /classes has %llu names (2..%d allowed)", info->path,
                       (unsigned long long)dims[0], LC_MAX_CLASSES);
    info->n_classes = (int)dims[0];
    hid_t d = H5Dopen2(f, "/classes", H5P_DEFAULT);
    int rc = d >= 0 ? lc_h5_read_strings(d, 0, dims[0], &info->classes[0][0], LC_CLASS_NAME_MAX) : -1;
    if (d >= 0) H5Dclose(d);
    const char *why = rc ? lc_h5_dset_unreadable(f, "/classes", found, sizeof found) : NULL;
    if (why) return lc_fail(e, LC_EDATA, "%s: /classes cannot be read: %s", info->path, why);
    return rc ? lc_fail(e, LC_EDATA, "%s: cannot read /classes (%s)", info->path,
                        lc_h5_dset_found(f, "/classes", found, sizeof found))
              : 0;
}

/* Validate one split's data and labels datasets; sets *n. */
static int check_split(hid_t f, lc_dataset_info *info, const char *split, int64_t *n, lc_err *e) {
    char name[64], lname[64], found[256];
    int rank, sgn;
    hsize_t dims[4] = {0, 0, 0, 0};
    H5T_class_t cls;
    size_t sz;
    snprintf(name, sizeof name, "/%s/%s", split, info->is_images ? "images" : "features");
    snprintf(lname, sizeof lname, "/%s/labels", split);
    if (lc_h5_dset_shape(f, name, 4, &rank, dims, &cls, &sz, &sgn) == LC_H5_MISSING) {
        if (strcmp(lc_h5_dset_found(f, name, found, sizeof found), "absent") != 0)
            return lc_fail(e, LC_EDATA, "%s: %s must be a dataset, found %s", info->path, name, found);
        return lc_fail(e, LC_EDATA, "%s: dataset %s is missing%s", info->path, name,
                       strcmp(split, "test") == 0 ? " (a file without test rows has it with 0 rows)" : "");
    }
    if (info->is_images) {
        if (rank != 4 || dims[1] != 3 || dims[2] != 32 || dims[3] != 32 || cls != H5T_INTEGER || sz != 1 || sgn)
            return lc_fail(e, LC_EDATA, "%s: %s must be uint8 [N,3,32,32], found %s", info->path, name,
                           lc_h5_dset_found(f, name, found, sizeof found));
        info->dim = 3072;
    } else {
        if (rank != 2 || cls != H5T_FLOAT || dims[1] < 1 || dims[1] > (1u << 24))
            return lc_fail(e, LC_EDATA, "%s: %s must be float32 [N,D] (float64 is converted; 1 <= D <= %u), found %s",
                           info->path, name, 1u << 24, lc_h5_dset_found(f, name, found, sizeof found));
        if (info->dim && info->dim != (int)dims[1])
            return lc_fail(e, LC_EDATA, "%s: /train and /test features differ in width (%d vs %d)",
                           info->path, info->dim, (int)dims[1]);
        info->dim = (int)dims[1];
    }
    if (dims[0] > ((hsize_t)1 << 40))
        return lc_fail(e, LC_EDATA, "%s: %s claims %llu rows (at most 2^40 supported)", info->path, name,
                       (unsigned long long)dims[0]);
    if (dims[0] == 0 && strcmp(split, "train") == 0)
        return lc_fail(e, LC_EDATA, "%s: %s has 0 rows: there is nothing to train on", info->path, name);
    *n = (int64_t)dims[0];
    hsize_t ldims[1] = {0};
    if (lc_h5_dset_shape(f, lname, 1, &rank, ldims, &cls, &sz, NULL) == LC_H5_MISSING) {
        if (strcmp(lc_h5_dset_found(f, lname, found, sizeof found), "absent") != 0)
            return lc_fail(e, LC_EDATA, "%s: %s must be a dataset, found %s", info->path, lname, found);
        return lc_fail(e, LC_EDATA, "%s: dataset %s is missing", info->path, lname);
    }
    if (rank != 1 || cls != H5T_INTEGER)
        return lc_fail(e, LC_EDATA, "%s: %s must be integers [%lld] (uint8, or uint16 where K > 256), found %s",
                       info->path, lname, (long long)dims[0], lc_h5_dset_found(f, lname, found, sizeof found));
    if (ldims[0] != dims[0])
        return lc_fail(e, LC_EDATA, "%s: %s has %llu labels but %s has %llu rows", info->path, lname,
                       (unsigned long long)ldims[0], name, (unsigned long long)dims[0]);
    const char *why = lc_h5_dset_unreadable(f, name, found, sizeof found);
    if (why) return lc_fail(e, LC_EDATA, "%s: %s cannot be read: %s", info->path, name, why);
    why = lc_h5_dset_unreadable(f, lname, found, sizeof found);
    if (why) return lc_fail(e, LC_EDATA, "%s: %s cannot be read: %s", info->path, lname, why);
    return 0;
}

static int open_serial_checks(hid_t f, lc_dataset_info *info, lc_err *e) {
    char fmt[64], found[160];
    long long version = 0;
    int rc;
    rc = lc_h5_get_str_attr(f, "format", fmt, sizeof fmt);
    if (rc == LC_H5_MISSING)
        return lc_fail(e, LC_EDATA, "%s: not a lincls dataset (no root attribute format = \"%s\")", info->path,
                       LC_DATASET_FORMAT);
    if (rc)
        return lc_fail(e, LC_EDATA, "%s: not a lincls dataset: root attribute format must be the string \"%s\", "
                       "found %s", info->path, LC_DATASET_FORMAT, lc_h5_attr_found(f, "format", found, sizeof found));
    if (strcmp(fmt, LC_DATASET_FORMAT) != 0)
        return lc_fail(e, LC_EDATA, "%s: not a lincls dataset (root attribute format is \"%.64s\", not \"%s\")",
                       info->path, fmt, LC_DATASET_FORMAT);
    rc = lc_h5_get_attr(f, "version", H5T_NATIVE_LLONG, &version);
    if (rc)
        return lc_fail(e, LC_EDATA, "%s: root attribute version must be one integer (%d), found %s", info->path,
                       LC_DATASET_VERSION, lc_h5_attr_found(f, "version", found, sizeof found));
    if (version != LC_DATASET_VERSION)
        return lc_fail(e, LC_EDATA, "%s: unsupported dataset version %lld (expected %d)", info->path, version,
                       LC_DATASET_VERSION);
    if (read_classes(f, info, e)) return e->code;
    int rank;
    hsize_t d0[1];
    H5T_class_t cls;
    size_t sz;
    /* something named /train/images (even a group) makes this an images file:
     * check_split then says what it is */
    info->is_images = strcmp(lc_h5_dset_found(f, "/train/images", found, sizeof found), "absent") != 0;
    if (!info->is_images && lc_h5_dset_shape(f, "/train/features", 1, &rank, d0, &cls, &sz, NULL) == LC_H5_MISSING)
        return lc_fail(e, LC_EDATA, "%s: neither /train/images nor /train/features exists", info->path);
    if (check_split(f, info, "train", &info->n_train, e)) return e->code;
    if (check_split(f, info, "test", &info->n_test, e)) return e->code;
    if (info->is_images) {
        snprintf(info->input, sizeof info->input, "images");
    } else {
        rc = lc_h5_get_str_attr(f, "features", info->input, sizeof info->input);
        if (rc == LC_H5_MISSING)
            snprintf(info->input, sizeof info->input, "features");
        else if (rc)
            return lc_fail(e, LC_EDATA, "%s: root attribute features (the recipe) must be one string of at most %zu "
                           "bytes, found %s", info->path, sizeof info->input - 1,
                           lc_h5_attr_found(f, "features", found, sizeof found));
    }
    return 0;
}

int lc_dataset_open(MPI_Comm comm, const char *path, lc_dataset_info *info, lc_err *e) {
    memset(info, 0, sizeof *info);
    lc_h5_quiet();
    if (strlen(path) >= sizeof info->path)
        return lc_fail(e, LC_EARG, "%.64s...: the file name is too long (at most %zu bytes)", path, sizeof info->path - 1);
    snprintf(info->path, sizeof info->path, "%s", path);
    /* Every rank checks for itself (the metadata is small); the file is the
     * same for all, and agreeing before each collective step keeps a rank that
     * failed early from leaving the others waiting in H5Fopen. */
    const char *why = lc_file_problem(path);
    if (why)
        lc_fail(e, LC_EIO, "%s: cannot open data file: it %s%s", path, why,
                strcmp(why, "does not exist") == 0 ? " (make it with lincls-prep)" : "");
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

/* Collective read of rows [row0, row0+n) x cols of dataset name into buf. */
static int read_rows(hid_t f, const char *name, hid_t memtype, int64_t row0, int64_t n, int ndims,
                     void *buf) {
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    if (d < 0) return -1;
    hid_t fs = H5Dget_space(d);
    hsize_t dims[4];
    /* the shape was checked at open; a file changed since then is refused, not overrun */
    if (H5Sget_simple_extent_ndims(fs) != ndims || H5Sget_simple_extent_dims(fs, dims, NULL) < 0 ||
        dims[0] < (hsize_t)(row0 + n)) {
        H5Sclose(fs);
        H5Dclose(d);
        return -1;
    }
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
        if (e->code == LC_ENOMEM) {
            lc_err_clear(e);
            lc_fail(e, LC_ENOMEM, "%s: rows [%lld, %lld) of /%s need %.3g GB on one rank: out of memory (more "
                    "ranks each hold fewer rows)", info->path, (long long)row0, (long long)(row0 + nrows), split,
                    (double)cells * (info->is_images ? 1 : 4) / 1e9);
        }
    }
    /* labels may be any integer type (h5py writes int64 from a Python list):
     * read as int64, range-checked below, stored as uint16 */
    int64_t *lab = e->code ? NULL : lc_malloc(sizeof(int64_t) * (size_t)(nrows > 0 ? nrows : 1), e);
    if (lc_agree(comm, e)) {
        free(lab);
        lc_rows_free(out);
        return e->code;
    }
    /* an empty split (a file without test rows) has nothing to read; every
     * rank sees the same total, so all skip the collective reads together */
    hid_t f = total == 0 ? -1 : open_mpio(comm, info->path);
    char name[64], lname[64];
    snprintf(name, sizeof name, "/%s/%s", split, info->is_images ? "images" : "features");
    snprintf(lname, sizeof lname, "/%s/labels", split);
    int bad = f < 0 && total > 0;
    /* every rank must take part in both collective reads, even after a failure */
    if (f >= 0) {
        bad |= read_rows(f, name, info->is_images ? H5T_NATIVE_UINT8 : H5T_NATIVE_FLOAT, row0, nrows,
                         info->is_images ? 4 : 2, info->is_images ? (void *)out->u8 : (void *)out->f32) < 0;
        bad |= read_rows(f, lname, H5T_NATIVE_INT64, row0, nrows, 1, lab) < 0;
        H5Fclose(f);
    }
    if (bad)
        lc_fail(e, LC_EIO, "%s: reading rows [%lld, %lld) of /%s failed (truncated or damaged file?)", info->path,
                (long long)row0, (long long)(row0 + nrows), split);
    for (int64_t i = 0; !e->code && i < nrows; i++) {
        if (lab[i] < 0 || lab[i] >= info->n_classes)
            lc_fail(e, LC_EDATA, "%s: %s row %lld has label %lld, but labels must be 0..%d (%d classes)",
                    info->path, lname, (long long)(row0 + i), (long long)lab[i], info->n_classes - 1,
                    info->n_classes);
        else
            out->labels[i] = (uint16_t)lab[i];
    }
    free(lab);
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
