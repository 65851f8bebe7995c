/* cmd_features: `lincls-mpi features` writes a features file from an images
 * dataset (layout: README.md, "Dataset file").
 *
 * Every rank reads its own contiguous rows of /train and /test, computes the
 * features (features.h) and writes them with one collective hyperslab write per
 * dataset into a temporary file beside OUT, which rank 0 created with a unique
 * name (io.h) and broadcast, and renames to OUT once every rank has closed the
 * file. Each step ends in lc_agree, so a failure on any rank stops all ranks at
 * the same point, the temporary file is removed (also on SIGINT, SIGTERM or
 * SIGHUP) and OUT is never left half-written. Features of one image do not
 * depend on any other image, so the file's datasets are identical for every
 * rank count. */
#define _POSIX_C_SOURCE 200809L
#include <hdf5.h>
#include <mpi.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lincls/blas.h"
#include "lincls/bow.h"
#include "lincls/cli.h"
#include "lincls/commands.h"
#include "lincls/h5util.h"
#include "lincls/dataset.h"
#include "lincls/dist.h"
#include "lincls/features.h"
#include "lincls/io.h"
#include "lincls/util.h"

#define CHUNK_BYTES (1 << 20) /* ~1 MiB chunks along rows */

typedef struct {
    const char *data, *out, *kind, *dictionary;
    int hog_cell, hog_bins, color_bins, force;
    int centroids, patch, pool, kmeans_iters; /* bag of words */
    long long patches, seed;
} feat_opts;

static const feat_opts defaults = {
    .data = "", .out = "", .kind = "hog,color", .dictionary = "", .hog_cell = 8, .hog_bins = 9,
    .color_bins = 24, /* CIFAR-10, linear SVM/softmax: 20-30 bins beat 10 by ~0.5% test acc */
    .centroids = LC_BOW_DEFAULT_K, .patch = LC_BOW_DEFAULT_PATCH, .pool = LC_BOW_DEFAULT_POOL,
    .kmeans_iters = LC_BOW_DEFAULT_ITERS, .patches = LC_BOW_DEFAULT_PATCHES, .seed = LC_BOW_DEFAULT_SEED,
};

#define OPT(name, type, field, help) {name, type, offsetof(feat_opts, field), help, NULL}
static const lc_opt options[] = {
    OPT("data", LC_OPT_STR, data, "input images dataset (HDF5, from lincls-prep)"),
    OPT("out", LC_OPT_STR, out, "output features file (HDF5)"),
    OPT("kind", LC_OPT_STR, kind, "feature kinds in order, comma-separated: hog, color"),
    OPT("hog-cell", LC_OPT_INT, hog_cell, "HOG cell side in pixels (1, 2, 4, 8 or 16)"),
    OPT("hog-bins", LC_OPT_INT, hog_bins, "HOG unsigned orientation bins over 0-180 deg"),
    OPT("color-bins", LC_OPT_INT, color_bins, "hue histogram bins over 0-360 deg"),
    OPT("centroids", LC_OPT_INT, centroids, "bow: k-means centroids K (visual words)"),
    OPT("patch", LC_OPT_INT, patch, "bow: patch side in pixels"),
    OPT("pool", LC_OPT_INT, pool, "bow: pooling grid side (2: the four quadrants, pool^2*K features)"),
    OPT("patches", LC_OPT_I64, patches, "bow: patches sampled from the training images for the dictionary"),
    OPT("kmeans-iters", LC_OPT_INT, kmeans_iters, "bow: k-means iterations"),
    OPT("seed", LC_OPT_I64, seed, "bow: random seed (patch sample, k-means init)"),
    OPT("dictionary", LC_OPT_STR, dictionary, "bow: reuse the dictionary of this features file or model"),
    OPT("force", LC_OPT_FLAG, force, "overwrite OUT if it exists"),
    LC_OPT_SENTINEL,
};
#undef OPT

typedef struct {
    MPI_Comm comm;
    int rank, size;
    int given_centroids, given_patch; /* named on the command line */
    lc_feat_spec spec;
    int has_bow;
    lc_recipe rec;    /* spec + dictionary: what computes a row */
    double t_dict;    /* seconds learning (or reading) the dictionary */
    int dim;
    char recipe[512];
    const char *out;  /* --out, for messages */
    double t_compute; /* seconds, max over ranks, summed over splits */
} feat_run;

/* --- options and paths ------------------------------------------------------- */

/* The parameters' own constraints. */
static int check_features(const void *params, int nranks, lc_err *e) {
    const feat_opts *o = params;
    lc_feat_spec spec;
    int has_bow = 0;
    if (!o->data[0]) return lc_fail(e, LC_EARG, "--data IN.h5 is required (see --help)");
    if (!o->out[0]) return lc_fail(e, LC_EARG, "--out OUT.h5 is required (see --help)");
    if (lc_feat_parse(o->kind, o->hog_cell, o->hog_bins, o->color_bins, &spec, e)) return e->code;
    for (int i = 0; i < spec.n; i++) has_bow |= spec.kinds[i] == LC_FEAT_BOW;
    if (o->dictionary[0] && !has_bow)
        return lc_fail(e, LC_EARG, "--dictionary %s: --kind %s has no bow", o->dictionary, o->kind);
    if (o->seed < 0) return lc_fail(e, LC_EARG, "--seed %lld: must be >= 0", o->seed);
    return 0;
}

static void finish_spec(feat_run *r) {
    if (r->has_bow) {
        r->spec.bow_K = r->rec.dict.K;
        r->spec.bow_patch = r->rec.dict.patch;
        r->spec.bow_pool = r->rec.dict.pool;
        r->spec.bow_eps_norm = r->rec.dict.eps_norm;
        r->spec.bow_eps_zca = r->rec.dict.eps_zca;
    }
    r->rec.spec = r->spec;
    r->dim = lc_feat_dim(&r->spec);
    r->rec.dim = r->dim;
    lc_feat_recipe(&r->spec, r->recipe, sizeof r->recipe);
}

/* Reads --dictionary (every rank: it is small) or learns one from this rank's
 * training rows, collectively. */
static int prepare_bow(feat_run *r, const feat_opts *o, const lc_dataset_info *info, lc_err *e) {
    double t0 = lc_now();
    lc_bow_dict *d = &r->rec.dict;
    if (o->dictionary[0]) {
        lc_bow_dict_load(o->dictionary, d, e);
        if (!e->code && r->given_patch && o->patch != d->patch)
            lc_fail(e, LC_EARG, "--patch %d does not match the dictionary in %s (patch %d)", o->patch,
                    o->dictionary, d->patch);
        if (!e->code && r->given_centroids && o->centroids != d->K)
            lc_fail(e, LC_EARG, "--centroids %d does not match the dictionary in %s (%d centroids)", o->centroids,
                    o->dictionary, d->K);
        if (!e->code) {
            int npos = 33 - d->patch;
            if (o->pool < 1 || o->pool > npos || o->pool > 32)
                lc_fail(e, LC_EARG, "--pool %d: must be in 1..%d with the dictionary's patch %d", o->pool,
                        npos < 32 ? npos : 32, d->patch);
            d->pool = o->pool;
        }
        if (lc_agree(r->comm, e)) return e->code;
        lc_log("features: dictionary from %s: %d centroids, %dx%d patches\n", o->dictionary, d->K, d->patch,
               d->patch);
    } else {
        lc_bow_params bp;
        lc_bow_params_default(&bp);
        bp.K = o->centroids;
        bp.patch = o->patch;
        bp.pool = o->pool;
        bp.iters = o->kmeans_iters;
        bp.n_patches = o->patches;
        bp.seed = (unsigned long long)o->seed;
        int64_t lo, hi;
        lc_split_range(info->n_train, r->size, r->rank, &lo, &hi);
        lc_rows rows;
        if (lc_dataset_read(r->comm, info, "train", lo, hi - lo, &rows, e)) return e->code;
        lc_bow_learn(r->comm, &bp, rows.u8, lo, hi - lo, info->n_train, d, e);
        lc_rows_free(&rows);
        if (e->code) return e->code; /* lc_bow_learn agrees its errors */
    }
    r->t_dict = lc_now() - t0;
    return 0;
}

/* Rank 0 judges the paths (it is the one that renames at the end). Writing
 * over the input would destroy it. */
static int check_paths(const feat_opts *o, lc_err *e) {
    struct stat so;
    if (lc_io_same_file(o->out, o->data))
        return lc_fail(e, LC_EARG, "--out %s is the input file --data %s: refusing to overwrite it", o->out,
                       o->data);
    if (o->dictionary[0] && lc_io_same_file(o->out, o->dictionary))
        return lc_fail(e, LC_EARG, "--out %s is the input file --dictionary %s: refusing to overwrite it", o->out,
                       o->dictionary);
    if (stat(o->out, &so) == 0 && !o->force)
        return lc_fail(e, LC_EARG, "--out %s already exists (use --force to overwrite it)", o->out);
    return 0;
}

/* --- HDF5 writing helpers ---------------------------------------------------- */

/* Root attributes: the dataset contract plus how the features were made.
 * Attribute calls are collective in parallel HDF5: every rank passes the same
 * values. */
static int write_root_attrs(hid_t f, const feat_run *r, const feat_opts *o) {
    char src[LC_OPT_STRLEN];
    int bad = lc_h5_put_dataset_header(f) | lc_h5_put_str_attr(f, "features", r->recipe) |
              lc_h5_put_str_attr(f, "source", lc_io_base_name(o->data, src, sizeof src)) |
              lc_h5_put_str_attr(f, "kind", o->kind);
    for (int i = 0; i < r->spec.n; i++) {
        if (r->spec.kinds[i] == LC_FEAT_HOG)
            bad |= lc_h5_put_int_attr(f, "hog_cell", r->spec.hog_cell) |
                   lc_h5_put_int_attr(f, "hog_bins", r->spec.hog_bins);
        else if (r->spec.kinds[i] == LC_FEAT_COLOR)
            bad |= lc_h5_put_int_attr(f, "color_bins", r->spec.color_bins);
    }
    return bad;
}

/* Transfer list for collective raw-data writes. */
static hid_t collective_dxpl(void) {
    hid_t x = H5Pcreate(H5P_DATASET_XFER);
    H5Pset_dxpl_mpio(x, H5FD_MPIO_COLLECTIVE);
    return x;
}

/* /classes as fixed-length strings like the input. Rank 0 writes every
 * element, the others select nothing: one writer, still a collective call. */
static int write_classes(hid_t f, const feat_run *r, const lc_dataset_info *info) {
    hid_t x = collective_dxpl();
    int bad = lc_h5_write_classes(f, info->classes[0], LC_CLASS_NAME_MAX, info->n_classes, H5P_DEFAULT, x,
                                  r->rank == 0);
    H5Pclose(x);
    return bad;
}

/* Rows of a chunk along rows of row_bytes each (~CHUNK_BYTES, at most n). */
static hsize_t chunk_rows(int64_t n, size_t row_bytes) {
    hsize_t c = CHUNK_BYTES / row_bytes;
    if (c < 1) c = 1;
    if (c > (hsize_t)n) c = (hsize_t)n;
    return c;
}

/* Creates name [n, cols] of file type t (memory type mt), chunked along rows,
 * and writes this rank's rows [row0, row0+nrows) from buf collectively.
 * cols == 0 means 1-D. On failure why says what HDF5 reported. */
static int write_rows(hid_t f, const char *name, hid_t t, hid_t mt, int64_t n, int cols,
                      int64_t row0, int64_t nrows, const void *buf, char *why, size_t wn) {
    int rank = cols ? 2 : 1;
    hsize_t dims[2] = {(hsize_t)n, (hsize_t)cols};
    size_t row_bytes = H5Tget_size(t) * (size_t)(cols ? cols : 1);
    hsize_t chunk[2] = {chunk_rows(n, row_bytes), (hsize_t)cols};
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (n > 0) H5Pset_chunk(dcpl, rank, chunk); /* a chunk may not exceed a fixed extent */
    H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER); /* every element is written below */
    hid_t fs = H5Screate_simple(rank, dims, NULL);
    hid_t d = H5Dcreate2(f, name, t, fs, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    hsize_t start[2] = {(hsize_t)row0, 0}, count[2] = {(hsize_t)nrows, (hsize_t)cols};
    hid_t ms = H5Screate_simple(rank, count, NULL);
    if (nrows > 0) {
        H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
    } else { /* still take part in the collective write */
        H5Sselect_none(fs);
        H5Sselect_none(ms);
    }
    hid_t x = collective_dxpl();
    /* an empty split (n = 0, on every rank alike) only gets its dataset */
    int bad = d < 0 || (n > 0 && H5Dwrite(d, mt, ms, fs, x, buf) < 0);
    if (bad) lc_h5_errmsg(why, wn); /* before the next call clears HDF5's error stack */
    H5Pclose(x);
    if (d >= 0) H5Dclose(d);
    H5Sclose(ms);
    H5Sclose(fs);
    H5Pclose(dcpl);
    return bad ? -1 : 0;
}

/* --- one split ------------------------------------------------------------------ */

/* Features of every row of rows into a new nrows x dim buffer. A bag of words
 * takes minutes on CIFAR-10: rank 0 reports its progress every ~10%. */
static float *compute_rows(const feat_run *r, const lc_rows *rows, const char *split, lc_err *e) {
    float *x = lc_malloc(sizeof(float) * (size_t)rows->nrows * (size_t)r->dim, e);
    if (!x) return NULL;
    if (!r->has_bow) {
        for (int64_t i = 0; i < rows->nrows; i++)
            lc_feat_compute(&r->spec, rows->u8 + (size_t)i * 3072, x + (size_t)i * (size_t)r->dim);
        return x;
    }
    const int64_t step = rows->nrows / 10 > 64 ? rows->nrows / 10 : 64;
    double t0 = lc_now();
    for (int64_t i = 0; i < rows->nrows; i += step) {
        int n = (int)(rows->nrows - i < step ? rows->nrows - i : step);
        if (lc_recipe_compute(&r->rec, rows->u8 + (size_t)i * 3072, n, x + (size_t)i * (size_t)r->dim, e)) {
            free(x);
            return NULL;
        }
        double t = lc_now() - t0;
        if (i + n < rows->nrows)
            lc_log("features: %s: %lld / %lld rows of rank 0 encoded, %.0f images/s\n", split,
                   (long long)(i + n), (long long)rows->nrows, (double)(i + n) / t);
    }
    return x;
}

static int do_split(feat_run *r, hid_t f, const lc_dataset_info *info, const char *split,
                    lc_err *e) {
    int64_t n = strcmp(split, "train") == 0 ? info->n_train : info->n_test, lo, hi;
    lc_split_range(n, r->size, r->rank, &lo, &hi);
    double t0 = lc_now();
    lc_rows rows;
    if (lc_dataset_read(r->comm, info, split, lo, hi - lo, &rows, e)) return e->code; /* agreed */
    double t1 = lc_now();
    float *x = compute_rows(r, &rows, split, e);
    double dt = lc_now() - t1, dt_max = 0;
    MPI_Allreduce(&dt, &dt_max, 1, MPI_DOUBLE, MPI_MAX, r->comm);
    r->t_compute += dt_max;
    if (lc_agree(r->comm, e)) {
        lc_rows_free(&rows);
        return e->code;
    }
    char group[64], name[64];
    snprintf(group, sizeof group, "/%s", split);
    hid_t g = H5Gcreate2(f, group, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    snprintf(name, sizeof name, "/%s/features", split);
    /* Both writes are collective: every rank makes both, whatever failed. */
    char why[256] = "cannot create the group", why2[256] = "cannot create the group";
    int bad = g < 0 || write_rows(f, name, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, n, r->dim, lo, hi - lo, x, why,
                                  sizeof why);
    snprintf(name, sizeof name, "/%s/labels", split);
    /* labels as the dataset contract has them: uint8, uint16 where K > 256 */
    int bad2 = g < 0 || write_rows(f, name, info->n_classes > 256 ? H5T_STD_U16LE : H5T_STD_U8LE, H5T_NATIVE_UINT16,
                                   n, 0, lo, hi - lo, rows.labels, why2, sizeof why2);
    if (!bad && bad2) memcpy(why, why2, sizeof why);
    bad |= bad2;
    if (g >= 0) H5Gclose(g);
    free(x);
    lc_rows_free(&rows);
    if (bad) lc_fail(e, LC_EIO, "%s: cannot write /%s (disk full?): %s", r->out, split, why);
    if (lc_agree(r->comm, e)) return e->code;
    lc_log("features: %s: %lld images, read %.2fs, features %.2fs (%.0f images/s), write %.2fs\n",
           split, (long long)n, t1 - t0, dt_max, dt_max > 0 ? (double)n / dt_max : 0.0,
           lc_now() - t1 - dt_max);
    return 0;
}

/* --- the whole file ------------------------------------------------------------- */

static hid_t create_tmp(const feat_run *r, const char *tmp, lc_err *e) {
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_fapl_mpio(fapl, r->comm, MPI_INFO_NULL);
    hid_t f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    char m[256];
    if (f < 0) lc_fail(e, LC_EIO, "%s: cannot create the output: %s", tmp, lc_h5_errmsg(m, sizeof m));
    return f;
}

/* Bytes of data the output will hold: whole chunks of every dataset. */
static uint64_t output_bytes(const feat_run *r, const lc_dataset_info *info) {
    uint64_t total = 0, row = sizeof(float) * (uint64_t)r->dim;
    for (int s = 0; s < 2; s++) {
        int64_t n = s ? info->n_test : info->n_train;
        total += lc_io_chunked_bytes(n, (int64_t)chunk_rows(n, row), row) +
                 lc_io_chunked_bytes(n, (int64_t)chunk_rows(n, 1), 1);
    }
    if (r->has_bow) { /* /dictionary: centroids, whitening matrix, mean */
        const lc_bow_dict *d = &r->rec.dict;
        total += sizeof(float) * ((uint64_t)d->K * d->dim + (uint64_t)d->dim * d->dim + (uint64_t)d->dim);
    }
    return total;
}

/* Writes everything into a temporary file that rank 0 creates, closes it,
 * and rank 0 renames it to out. On failure every rank closes the file (rank
 * 0 first empties it, so a full disk has room for the closing writes: a
 * failed close would crash HDF5 1.10 at exit) and rank 0 removes it. */
static int write_output(feat_run *r, const feat_opts *o, const lc_dataset_info *info, lc_err *e) {
    lc_h5_quiet(); /* our messages, not HDF5's stack dumps */
    lc_out out;
    char tmp[LC_TMP_MAX] = "";
    if (r->rank == 0 && lc_out_open(&out, o->out, LC_OUT_SIGNALS, e) == 0) snprintf(tmp, sizeof tmp, "%s", out.tmp);
    if (lc_agree(r->comm, e)) return e->code;
    MPI_Bcast(tmp, (int)sizeof tmp, MPI_CHAR, 0, r->comm);
    if (r->rank != 0) lc_out_join(&out, o->out, tmp, LC_OUT_SIGNALS);

    hid_t f = create_tmp(r, tmp, e);
    /* After the create (which truncates): a disk too small fails here. */
    if (r->rank == 0 && f >= 0) lc_out_reserve(&out, output_bytes(r, info), e);
    if (!lc_agree(r->comm, e)) {
        if (write_root_attrs(f, r, o) || write_classes(f, r, info))
            lc_fail(e, LC_EIO, "%s: writing attributes or /classes failed", o->out);
        if (!e->code && r->has_bow) lc_bow_dict_write(f, "/dictionary", &r->rec.dict, e);
        if (!lc_agree(r->comm, e) && !do_split(r, f, info, "train", e)) do_split(r, f, info, "test", e);
    }
    if (f >= 0) { /* the create is collective: every rank has the file, or none */
        if (e->code) { /* agreed: a write failed somewhere */
            if (r->rank == 0) lc_out_empty(&out);
            MPI_Barrier(r->comm);
        }
        char m[256];
        if (H5Fclose(f) < 0) lc_fail(e, LC_EIO, "%s: closing the output failed: %s", o->out, lc_h5_errmsg(m, sizeof m));
    }
    lc_agree(r->comm, e); /* every rank has closed the file past this point */
    if (r->rank == 0 && !e->code) lc_out_commit(&out, o->force, e);
    else lc_out_discard(&out);
    return lc_agree(r->comm, e);
}

static void print_result(const feat_run *r, const feat_opts *o, const lc_dataset_info *info,
                         double seconds, lc_json *j) {
    double n = (double)(info->n_train + info->n_test);
    lc_log("features: wrote %s: %lld + %lld rows x %d (%s) in %.2fs, %.0f images/s end to end, "
           "%d rank(s)\n", o->out, (long long)info->n_train, (long long)info->n_test, r->dim,
           r->recipe, seconds, n / seconds, r->size);
    if (r->rank != 0) return;
    lc_json_str(j, "out", o->out);
    lc_json_int(j, "train", info->n_train);
    lc_json_int(j, "test", info->n_test);
    lc_json_int(j, "dim", r->dim);
    lc_json_str(j, "features", r->recipe);
    lc_json_num(j, "seconds", seconds);
    lc_json_num(j, "images_per_second", n / seconds);
    lc_json_num(j, "extract_seconds", r->t_compute);
    if (r->has_bow) lc_json_num(j, "dictionary_seconds", r->t_dict);
    lc_json_num(j, "extract_images_per_second", r->t_compute > 0 ? n / r->t_compute : 0.0);
    lc_json_int(j, "ranks", r->size);
}

static int run_features(MPI_Comm comm, const void *params, const lc_args *args, lc_json *j, lc_err *e) {
    const feat_opts *op = params, o = *op;
    feat_run r;
    memset(&r, 0, sizeof r);
    r.comm = comm;
    MPI_Comm_rank(comm, &r.rank);
    MPI_Comm_size(comm, &r.size);
    double t0 = lc_now();
    openblas_set_num_threads(1); /* one process per core; GEMM bits fixed by shape */
    lc_feat_parse(o.kind, o.hog_cell, o.hog_bins, o.color_bins, &r.spec, e); /* checked: cannot fail */
    for (int i = 0; i < r.spec.n; i++) r.has_bow |= r.spec.kinds[i] == LC_FEAT_BOW;
    r.given_centroids = lc_cli_given(args->argc, args->argv, "centroids");
    r.given_patch = lc_cli_given(args->argc, args->argv, "patch");
    r.out = o.out;
    if (r.rank == 0) check_paths(&o, e);
    if (lc_agree(comm, e)) return 1;

    lc_dataset_info info;
    if (lc_dataset_open(comm, o.data, &info, e)) return 1;
    if (!info.is_images)
        lc_fail(e, LC_EDATA, "%s holds features (%s), not images: --data must be an images "
                "dataset made by lincls-prep", o.data, info.input);
    if (lc_agree(comm, e)) return 1;
    if (r.has_bow && prepare_bow(&r, &o, &info, e)) {
        lc_recipe_free(&r.rec);
        return 1;
    }
    finish_spec(&r);
    lc_log("features: %s -> %s: %lld train + %lld test images, %s (D=%d), %d rank(s)\n", o.data,
           o.out, (long long)info.n_train, (long long)info.n_test, r.recipe, r.dim, r.size);
    lc_blas_log();

    int rc = write_output(&r, &o, &info, e);
    if (!rc) print_result(&r, &o, &info, lc_now() - t0, j);
    lc_recipe_free(&r.rec);
    return rc ? 1 : 0;
}

const lc_command lc_cmd_features = {
    "features", "write a features file (HOG, colour histogram, bag of words) from a dataset",
    "usage: mpirun -np P lincls-mpi features --data IN.h5 --out OUT.h5 [options]\n\n"
    "Computes image features of every row of /train and /test of an images dataset\n"
    "(made by lincls-prep) and writes a features file with /train/features and\n"
    "/test/features float32 [N,D] (same labels and classes). Kinds, in order:\n"
    "  hog    Dalal-Triggs HOG of the grey image: (32/cell-1)^2 blocks x 4 cells x bins\n"
    "  color  histogram of HSV hue, grey pixels skipped: bins values\n"
    "  bow    bag of visual words (Coates, Lee & Ng 2011): k-means dictionary of\n"
    "         whitened patch x patch patches, triangle code of every patch position,\n"
    "         sum-pooled over pool x pool regions: pool^2 x centroids values\n"
    "The bag-of-words dictionary is learned across all ranks (or read with\n"
    "--dictionary from a features file or a model) and stored in /dictionary.\n"
    "Each rank computes its own rows; the output is written collectively to a\n"
    "temporary file beside OUT (OUT.tmp.<pid>.<random>) and renamed to OUT at the end.",
    options, &defaults, sizeof(feat_opts), check_features, run_features};
