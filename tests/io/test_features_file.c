/* test_features_file: checks a features file against the images it came from,
 * and makes a corrupted input for the refusal tests.
 *
 *   mpiexec -n P test_features_file check IMAGES.h5 FEATS.h5 KIND CELL BINS CBINS
 *       opens both with lc_dataset_open; the features file must be a features
 *       file (recipe attribute = the recipe of KIND/CELL/BINS/CBINS, D right,
 *       same rows and classes), and every rank's rows must equal features
 *       recomputed here from the images, bit for bit, with identical labels.
 *   test_features_file badlabel IN.h5 OUT.h5
 *       copies IN to OUT and sets /test/labels[M-1] = 200 (out of range), so
 *       `features` fails after it has started writing its temporary file. */
#include <hdf5.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lincls/dataset.h"
#include "lincls/features.h"

static int fail(const char *what) {
    fprintf(stderr, "test_features_file: FAIL: %s\n", what);
    return 1;
}

static int check_split(MPI_Comm comm, const lc_dataset_info *img, const lc_dataset_info *ft,
                       const lc_feat_spec *spec, const char *split, lc_err *e) {
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    int64_t n = strcmp(split, "train") == 0 ? img->n_train : img->n_test, lo, hi;
    lc_split_range(n, size, rank, &lo, &hi);
    lc_rows a, b;
    if (lc_dataset_read(comm, img, split, lo, hi - lo, &a, e)) return 1;
    if (lc_dataset_read(comm, ft, split, lo, hi - lo, &b, e)) return 1;
    int bad = 0;
    float *x = malloc(sizeof(float) * (size_t)ft->dim);
    for (int64_t i = 0; x && !bad && i < a.nrows; i++) {
        lc_feat_compute(spec, a.u8 + (size_t)i * 3072, x);
        if (memcmp(x, b.f32 + (size_t)i * (size_t)ft->dim, sizeof(float) * (size_t)ft->dim)) {
            fprintf(stderr, "%s row %lld differs from recomputed features\n", split,
                    (long long)(lo + i));
            bad = 1;
        }
    }
    if (!bad && memcmp(a.labels, b.labels, sizeof(uint16_t) * (size_t)a.nrows)) bad = fail("labels differ");
    free(x);
    lc_rows_free(&a);
    lc_rows_free(&b);
    int any = 0;
    MPI_Allreduce(&bad, &any, 1, MPI_INT, MPI_MAX, comm);
    return any;
}

static int do_check(char **argv) {
    MPI_Comm comm = MPI_COMM_WORLD;
    lc_err e = {0};
    lc_feat_spec spec;
    if (lc_feat_parse(argv[3], atoi(argv[4]), atoi(argv[5]), atoi(argv[6]), &spec, &e))
        return fail(e.msg);
    static lc_dataset_info img, ft;
    if (lc_dataset_open(comm, argv[1], &img, &e) || lc_dataset_open(comm, argv[2], &ft, &e))
        return fail(e.msg);
    char recipe[512];
    lc_feat_recipe(&spec, recipe, sizeof recipe);
    if (!img.is_images || ft.is_images) return fail("expected an images file and a features file");
    if (ft.dim != lc_feat_dim(&spec)) return fail("feature width is not lc_feat_dim");
    if (strcmp(ft.input, recipe) != 0) return fail("recipe attribute 'features' is wrong");
    if (ft.n_train != img.n_train || ft.n_test != img.n_test) return fail("row counts differ");
    if (ft.n_classes != img.n_classes) return fail("class count differs");
    for (int k = 0; k < img.n_classes; k++)
        if (strcmp(ft.classes[k], img.classes[k])) return fail("class names differ");
    if (check_split(comm, &img, &ft, &spec, "train", &e) || check_split(comm, &img, &ft, &spec, "test", &e))
        return fail(e.code ? e.msg : "features differ");
    return 0;
}

static int copy_file(const char *from, const char *to) {
    FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
    char buf[1 << 16];
    size_t k;
    int bad = !in || !out;
    while (!bad && (k = fread(buf, 1, sizeof buf, in)) > 0) bad = fwrite(buf, 1, k, out) != k;
    if (in) fclose(in);
    if (out && fclose(out)) bad = 1;
    return bad;
}

static int do_badlabel(char **argv) {
    if (copy_file(argv[1], argv[2])) return fail("cannot copy the input");
    hid_t f = H5Fopen(argv[2], H5F_ACC_RDWR, H5P_DEFAULT); /* serial: one process */
    hid_t d = f >= 0 ? H5Dopen2(f, "/test/labels", H5P_DEFAULT) : -1;
    if (d < 0) return fail("cannot open /test/labels");
    hid_t fs = H5Dget_space(d);
    hsize_t m, one = 1, start;
    H5Sget_simple_extent_dims(fs, &m, NULL);
    start = m - 1;
    H5Sselect_hyperslab(fs, H5S_SELECT_SET, &start, NULL, &one, NULL);
    hid_t ms = H5Screate_simple(1, &one, NULL);
    unsigned char v = 200;
    herr_t rc = H5Dwrite(d, H5T_NATIVE_UCHAR, ms, fs, H5P_DEFAULT, &v);
    H5Sclose(ms);
    H5Sclose(fs);
    H5Dclose(d);
    H5Fclose(f);
    return rc < 0 ? fail("cannot write the label") : 0;
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rc = 2;
    if (argc == 8 && strcmp(argv[1], "check") == 0)
        rc = do_check(argv + 1);
    else if (argc == 4 && strcmp(argv[1], "badlabel") == 0)
        rc = do_badlabel(argv + 1);
    else
        fprintf(stderr, "usage: test_features_file check IMAGES FEATS KIND CELL BINS CBINS | "
                        "badlabel IN OUT\n");
    MPI_Finalize();
    return rc;
}
