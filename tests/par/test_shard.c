/* Sharded reading: every rank reads its share of /train and /test with the
 * collective MPI-IO path; rank 0 checks that the shards tile the file (no row
 * missing, none twice) and that every row's bytes and label equal a plain
 * serial read of the same file.
 *   mpiexec -n P test_shard FILE.h5 [--expect-refusal]                         */
#include <hdf5.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lincls/dataset.h"

static uint64_t fnv(const uint8_t *p, size_t n, uint64_t h) {
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

/* Serial reference read of a whole dataset (default file driver). */
static uint8_t *serial_read(const char *path, const char *name, size_t bytes) {
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    uint8_t *buf = malloc(bytes ? bytes : 1);
    if (H5Dread(d, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
        free(buf);
        buf = NULL;
    }
    H5Dclose(d);
    H5Fclose(f);
    return buf;
}

static int check_split(MPI_Comm comm, const lc_dataset_info *info, const char *split) {
    int rank, P;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &P);
    lc_err e = {0};
    lc_rows r;
    if (lc_dataset_read_shard(comm, info, split, &r, &e)) {
        if (rank == 0) fprintf(stderr, "read failed: %s\n", e.msg);
        return 1;
    }
    /* per-row hashes of image bytes + label, with the global row index */
    long long mine[2] = {r.row0, r.nrows};
    long long *ranges = malloc(sizeof(long long) * 2 * (size_t)P);
    MPI_Gather(mine, 2, MPI_LONG_LONG, ranges, 2, MPI_LONG_LONG, 0, comm);
    int64_t n = strcmp(split, "train") == 0 ? info->n_train : info->n_test;
    uint64_t *h = malloc(sizeof(uint64_t) * (size_t)(r.nrows ? r.nrows : 1));
    for (int64_t i = 0; i < r.nrows; i++) {
        uint8_t lab = (uint8_t)r.labels[i]; /* the file's uint8 label, held as uint16 */
        h[i] = fnv(&lab, 1, fnv(r.u8 + (size_t)i * 3072, 3072, 0xcbf29ce484222325ULL));
        if (r.labels[i] > 255) h[i] = 0;
    }
    int *counts = malloc(sizeof(int) * (size_t)P), *displs = malloc(sizeof(int) * (size_t)P);
    int cnt = (int)r.nrows;
    MPI_Gather(&cnt, 1, MPI_INT, counts, 1, MPI_INT, 0, comm);
    uint64_t *all = malloc(sizeof(uint64_t) * (size_t)(n ? n : 1));
    if (rank == 0)
        for (int p = 0, off = 0; p < P; p++) {
            displs[p] = off;
            off += counts[p];
        }
    MPI_Gatherv(h, cnt, MPI_UINT64_T, all, counts, displs, MPI_UINT64_T, 0, comm);
    int bad = 0;
    if (rank == 0) {
        /* tiling: rank p's range starts where rank p-1's ended, covers [0, n) */
        long long next = 0;
        for (int p = 0; p < P; p++) {
            if (ranges[2 * p] != next) {
                fprintf(stderr, "%s: rank %d starts at row %lld, expected %lld\n", split, p, ranges[2 * p], next);
                bad = 1;
            }
            next = ranges[2 * p] + ranges[2 * p + 1];
        }
        if (next != n) {
            fprintf(stderr, "%s: shards cover %lld rows, file has %lld\n", split, next, (long long)n);
            bad = 1;
        }
        char name[64], lname[64];
        snprintf(name, sizeof name, "/%s/images", split);
        snprintf(lname, sizeof lname, "/%s/labels", split);
        uint8_t *img = serial_read(info->path, name, (size_t)n * 3072);
        uint8_t *lab = serial_read(info->path, lname, (size_t)n);
        for (int64_t i = 0; img && lab && i < n && !bad; i++) {
            uint64_t want = fnv(lab + i, 1, fnv(img + (size_t)i * 3072, 3072, 0xcbf29ce484222325ULL));
            if (all[i] != want) {
                fprintf(stderr, "%s: row %lld differs from the serial read\n", split, (long long)i);
                bad = 1;
            }
        }
        if (!img || !lab) bad = 1;
        free(img);
        free(lab);
        if (!bad) printf("%s: %d ranks, %lld rows, shards tile the file and match byte for byte\n", split, P, (long long)n);
    }
    MPI_Bcast(&bad, 1, MPI_INT, 0, comm);
    free(ranges);
    free(h);
    free(counts);
    free(displs);
    free(all);
    lc_rows_free(&r);
    return bad;
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (argc < 2) {
        if (rank == 0) fprintf(stderr, "usage: test_shard FILE.h5 [--expect-refusal]\n");
        MPI_Finalize();
        return 2;
    }
    int expect_refusal = argc > 2 && strcmp(argv[2], "--expect-refusal") == 0;
    lc_err e = {0};
    lc_dataset_info info;
    int bad = 0;
    if (lc_dataset_open(MPI_COMM_WORLD, argv[1], &info, &e)) {
        if (rank == 0) fprintf(stderr, "open failed: %s\n", e.msg);
        bad = 1;
    } else if (expect_refusal) {
        lc_rows r;
        int rc = lc_dataset_read_shard(MPI_COMM_WORLD, &info, "train", &r, &e);
        if (rc == 0 || !strstr(e.msg, "fewer than the")) {
            if (rank == 0) fprintf(stderr, "expected a refusal for too many ranks, got rc=%d '%s'\n", rc, e.msg);
            bad = 1;
        } else if (rank == 0) {
            printf("refused as expected: %s\n", e.msg);
        }
        if (rc == 0) lc_rows_free(&r);
    } else {
        bad = check_split(MPI_COMM_WORLD, &info, "train") | check_split(MPI_COMM_WORLD, &info, "test");
    }
    MPI_Finalize();
    return bad;
}
