/* test_prep_check: verifies a lincls-prep output file against the source
 * records, read from an extracted folder by plain stdio (an independent path:
 * it shares no code with the converter).
 *
 *   test_prep_check FILE.h5 DIR [--records N] [--sample S] [--source NAME]
 *
 * DIR holds data_batch_1..5.bin, test_batch.bin and batches.meta.txt. Checks
 * the layout contract (root attributes and their types, /classes type and
 * values, dataset types, shapes, chunk shapes, no filters), every label, and
 * every image row byte-for-byte, or with --sample S about S evenly spread
 * rows per split plus the first and last row of every batch. Prints one line per failure; exit 0 only if all pass. */
#define _POSIX_C_SOURCE 200809L
#include <hdf5.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RECORD 3073
#define IMAGE 3072

static int g_fail = 0;

#define CHECK(cond, ...)                                  \
    do {                                                  \
        if (!(cond)) {                                    \
            fprintf(stderr, "test_prep_check: FAIL: ");   \
            fprintf(stderr, __VA_ARGS__);                 \
            fprintf(stderr, "\n");                        \
            if (++g_fail > 20) exit(1);                   \
        }                                                 \
    } while (0)

static const char *const k_bins[6] = {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                                      "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"};

/* Reads a fixed-length string attribute of the root group. */
static void check_str_attr(hid_t f, const char *name, const char *want) {
    hid_t a = H5Aopen(f, name, H5P_DEFAULT);
    CHECK(a >= 0, "root attribute '%s' missing", name);
    if (a < 0) return;
    hid_t t = H5Aget_type(a), s = H5Aget_space(a);
    CHECK(H5Tget_class(t) == H5T_STRING && !H5Tis_variable_str(t), "attribute '%s' is not a fixed-length string", name);
    CHECK(H5Sget_simple_extent_type(s) == H5S_SCALAR, "attribute '%s' is not scalar", name);
    size_t sz = H5Tget_size(t);
    char *buf = calloc(sz + 1, 1);
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, sz + 1);
    CHECK(H5Aread(a, mt, buf) >= 0, "cannot read attribute '%s'", name);
    CHECK(strcmp(buf, want) == 0, "attribute '%s' = '%s', want '%s'", name, buf, want);
    free(buf);
    H5Tclose(mt);
    H5Tclose(t);
    H5Sclose(s);
    H5Aclose(a);
}

static void check_version(hid_t f) {
    hid_t a = H5Aopen(f, "version", H5P_DEFAULT);
    CHECK(a >= 0, "root attribute 'version' missing");
    if (a < 0) return;
    hid_t t = H5Aget_type(a);
    CHECK(H5Tget_class(t) == H5T_INTEGER && H5Tget_size(t) == 4 && H5Tget_sign(t) == H5T_SGN_2,
          "attribute 'version' is not a 32-bit signed int");
    int v = -1;
    CHECK(H5Aread(a, H5T_NATIVE_INT, &v) >= 0 && v == 1, "attribute 'version' = %d, want 1", v);
    H5Tclose(t);
    H5Aclose(a);
}

/* Class names as the meta file has them: non-blank lines, trimmed. */
static int read_meta(const char *dir, char names[16][64]) {
    char path[4200], line[256];
    snprintf(path, sizeof path, "%s/batches.meta.txt", dir);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL, "cannot open %s", path);
    if (!f) return 0;
    int k = 0;
    while (fgets(line, sizeof line, f) && k < 16) {
        size_t n = strlen(line);
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ')) line[--n] = '\0';
        if (n) snprintf(names[k++], 64, "%s", line);
    }
    fclose(f);
    return k;
}

static void check_classes(hid_t f, const char *dir) {
    char want[16][64];
    int k = read_meta(dir, want);
    hid_t d = H5Dopen2(f, "classes", H5P_DEFAULT);
    CHECK(d >= 0, "/classes missing");
    if (d < 0) return;
    hid_t t = H5Dget_type(d), s = H5Dget_space(d);
    hsize_t n = 0;
    CHECK(H5Sget_simple_extent_ndims(s) == 1, "/classes is not 1-D");
    H5Sget_simple_extent_dims(s, &n, NULL);
    CHECK((int)n == k, "/classes has %d names, meta file %d", (int)n, k);
    size_t longest = 0;
    for (int i = 0; i < k; i++)
        if (strlen(want[i]) > longest) longest = strlen(want[i]);
    CHECK(H5Tget_class(t) == H5T_STRING && !H5Tis_variable_str(t), "/classes is not fixed-length strings");
    CHECK(H5Tget_size(t) == longest + 1, "/classes string size %zu, want %zu", H5Tget_size(t), longest + 1);
    CHECK(H5Tget_strpad(t) == H5T_STR_NULLTERM, "/classes strings are not NUL-terminated");
    CHECK(H5Tget_cset(t) == H5T_CSET_ASCII, "/classes strings are not ASCII");
    if ((int)n == k && k > 0) {
        size_t w = H5Tget_size(t);
        char *buf = calloc((size_t)k, w + 1);
        hid_t mt = H5Tcopy(t);
        CHECK(H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0, "cannot read /classes");
        for (int i = 0; i < k; i++) {
            char name[80];
            snprintf(name, sizeof name, "%.*s", (int)w, buf + (size_t)i * w);
            CHECK(strcmp(name, want[i]) == 0, "/classes[%d] = '%s', want '%s'", i, name, want[i]);
        }
        H5Tclose(mt);
        free(buf);
    }
    H5Tclose(t);
    H5Sclose(s);
    H5Dclose(d);
}

/* Type, shape, chunk shape, no filters. */
static hid_t open_checked(hid_t f, const char *name, int rank, const hsize_t *dims, const hsize_t *chunk) {
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    CHECK(d >= 0, "%s missing", name);
    if (d < 0) exit(1);
    hid_t t = H5Dget_type(d), s = H5Dget_space(d), p = H5Dget_create_plist(d);
    CHECK(H5Tget_class(t) == H5T_INTEGER && H5Tget_size(t) == 1 && H5Tget_sign(t) == H5T_SGN_NONE,
          "%s is not uint8", name);
    hsize_t got[4] = {0}, gc[4] = {0};
    CHECK(H5Sget_simple_extent_ndims(s) == rank, "%s rank %d, want %d", name, H5Sget_simple_extent_ndims(s), rank);
    H5Sget_simple_extent_dims(s, got, NULL);
    for (int i = 0; i < rank; i++)
        CHECK(got[i] == dims[i], "%s dim %d = %llu, want %llu", name, i, (unsigned long long)got[i],
              (unsigned long long)dims[i]);
    CHECK(H5Pget_layout(p) == H5D_CHUNKED, "%s is not chunked", name);
    if (H5Pget_layout(p) == H5D_CHUNKED) {
        H5Pget_chunk(p, rank, gc);
        for (int i = 0; i < rank; i++)
            CHECK(gc[i] == chunk[i], "%s chunk dim %d = %llu, want %llu", name, i,
                  (unsigned long long)gc[i], (unsigned long long)chunk[i]);
    }
    CHECK(H5Pget_nfilters(p) == 0, "%s has %d filters, want none", name, H5Pget_nfilters(p));
    H5Pclose(p);
    H5Sclose(s);
    H5Tclose(t);
    return d;
}

static void read_row(hid_t d, hsize_t row, uint8_t *buf) {
    hid_t fs = H5Dget_space(d);
    hsize_t start[4] = {row, 0, 0, 0}, count[4] = {1, 3, 32, 32};
    hid_t ms = H5Screate_simple(4, count, NULL);
    H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
    CHECK(H5Dread(d, H5T_NATIVE_UINT8, ms, fs, H5P_DEFAULT, buf) >= 0, "cannot read row %llu",
          (unsigned long long)row);
    H5Sclose(ms);
    H5Sclose(fs);
}

/* Is row r (of n, batches of R) one of the sampled rows? */
static int sampled(long r, long n, long R, long sample) {
    if (sample <= 0) return 1;
    if (r == 0 || r == n - 1 || r % R == 0 || r % R == R - 1) return 1;
    long step = n / sample > 0 ? n / sample : 1;
    return r % step == step / 2;
}

/* Compares one split: labels all, images all or sampled; returns rows compared. */
static long check_split(hid_t f, const char *dir, int split, long R, long sample) {
    int nb = split ? 1 : 5, b0 = split ? 5 : 0;
    long n = nb * R;
    char name[64];
    hsize_t idims[4] = {(hsize_t)n, 3, 32, 32}, ichunk[4] = {(hsize_t)(n < 1024 ? n : 1024), 3, 32, 32};
    hsize_t ldims[1] = {(hsize_t)n}, lchunk[1] = {(hsize_t)(n < 65536 ? n : 65536)};
    snprintf(name, sizeof name, "/%s/images", split ? "test" : "train");
    hid_t di = open_checked(f, name, 4, idims, ichunk);
    snprintf(name, sizeof name, "/%s/labels", split ? "test" : "train");
    hid_t dl = open_checked(f, name, 1, ldims, lchunk);
    uint8_t *labels = malloc((size_t)n), rec[RECORD], row[IMAGE];
    CHECK(H5Dread(dl, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, labels) >= 0, "cannot read %s", name);
    long compared = 0;
    for (int b = 0; b < nb; b++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", dir, k_bins[b0 + b]);
        FILE *src = fopen(path, "rb");
        CHECK(src != NULL, "cannot open %s", path);
        if (!src) break;
        for (long i = 0; i < R; i++) {
            long r = b * R + i;
            if (fread(rec, 1, RECORD, src) != RECORD) {
                CHECK(0, "%s: short read at record %ld", path, i);
                break;
            }
            CHECK(labels[r] == rec[0], "%s row %ld: label %u, source %s record %ld has %u",
                  split ? "test" : "train", r, labels[r], k_bins[b0 + b], i, rec[0]);
            if (!sampled(r, n, R, sample)) continue;
            read_row(di, (hsize_t)r, row);
            CHECK(memcmp(row, rec + 1, IMAGE) == 0, "%s row %ld: image differs from %s record %ld",
                  split ? "test" : "train", r, k_bins[b0 + b], i);
            compared++;
        }
        CHECK(fgetc(src) == EOF, "%s is longer than %ld records", path, R);
        fclose(src);
    }
    free(labels);
    H5Dclose(di);
    H5Dclose(dl);
    return compared;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: test_prep_check FILE.h5 DIR [--records N] [--sample S] [--source NAME]\n");
        return 2;
    }
    long R = 60, sample = 0;
    const char *source = NULL;
    for (int i = 3; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--records")) R = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--sample")) sample = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--source")) source = argv[i + 1];
        else { fprintf(stderr, "test_prep_check: unknown option %s\n", argv[i]); return 2; }
    }
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(argv[1], H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        fprintf(stderr, "test_prep_check: FAIL: cannot open %s\n", argv[1]);
        return 1;
    }
    check_str_attr(f, "format", "lincls-dataset");
    check_version(f);
    if (source) check_str_attr(f, "source", source);
    check_classes(f, argv[2]);
    long a = check_split(f, argv[2], 0, R, sample);
    long b = check_split(f, argv[2], 1, R, sample);
    H5Fclose(f);
    if (g_fail) {
        fprintf(stderr, "test_prep_check: %d failures\n", g_fail);
        return 1;
    }
    printf("test_prep_check: OK %s: layout, all %ld labels, %ld train + %ld test images byte-exact\n",
           argv[1], 6 * R, a, b);
    return 0;
}
