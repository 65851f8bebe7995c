/* dataset: open and validate an HDF5 dataset or features file, read one rank's
 * rows with a collective hyperslab (MPI-IO), gather + normalize rows for a step.
 *
 * File layout (contract: README.md, "Dataset file"):
 *   /                attrs format = "lincls-dataset", version = 1
 *   /classes         string[K]
 *   /train/images    uint8 [N,3,32,32]   or  /train/features float32 [N,D]
 *   /train/labels    uint8 [N]  (uint16 where K > 256)
 *   /test/images     uint8 [M,3,32,32]   or  /test/features  float32 [M,D]
 *   /test/labels     uint8 [M]  (uint16 where K > 256)
 * Readers take more than lincls-prep writes: strings in any HDF5 form, labels
 * of any integer type (range-checked, held as uint16 in memory), features
 * float32 or float64, a /test split of 0 rows (M = 0: nothing is read).
 * Images must be uint8.                                                     */
#ifndef LINCLS_DATASET_H
#define LINCLS_DATASET_H

#include <mpi.h>
#include <stdint.h>

#include "lincls/rows.h"
#include "lincls/util.h"

typedef struct {
    char path[4096];
    int64_t n_train, n_test;  /* rows in /train and /test */
    int dim;                  /* D: 3072 for images, else feature length */
    int is_images;            /* 1: uint8 images; 0: float32 features */
    int n_classes;            /* K */
    char classes[LC_MAX_CLASSES][LC_CLASS_NAME_MAX];
    char input[512];          /* "images", or the features file's recipe attribute */
} lc_dataset_info;

/* Collective over comm. Opens with the MPI-IO driver, checks the layout (format
 * attribute, datasets present, ranks and shapes agree, D consistent between
 * splits, every dataset readable: no missing filter, not unwritten). Each
 * refusal names the file, the object, what was expected and what was found.
 * All ranks return the same result. */
int lc_dataset_open(MPI_Comm comm, const char *path, lc_dataset_info *info, lc_err *e);

/* Collective: every rank of comm calls it with its own (row0, nrows), which may
 * be 0 rows. split is "train" or "test". Validates labels < K and, for features,
 * finite values (naming the file, split and global row on failure; agreed across
 * ranks). */
int lc_dataset_read(MPI_Comm comm, const lc_dataset_info *info, const char *split,
                    int64_t row0, int64_t nrows, lc_rows *out, lc_err *e);

/* Collective: rank r of P reads its even share lc_split_range(n, P, r) of the
 * split. Refuses P > n (some rank would get no rows) naming both numbers. */
int lc_dataset_read_shard(MPI_Comm comm, const lc_dataset_info *info, const char *split,
                          lc_rows *out, lc_err *e);

#endif
