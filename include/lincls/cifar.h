/* cifar: convert the CIFAR-10 binary distribution into the lincls HDF5 dataset.
 *
 * The source is either the official cifar-10-binary.tar.gz (read as a stream:
 * zlib decompresses, libarchive reads the tar entries, nothing is extracted) or
 * the extracted cifar-10-batches-bin/ folder (the folder itself or a parent
 * that holds it). Members used: data_batch_1.bin .. data_batch_5.bin,
 * test_batch.bin (records of 1 label byte + 3072 pixel bytes, R, G, B planes)
 * and batches.meta.txt (the class names, one per line).
 *
 * Output layout (contract: README.md, "Dataset file"):
 *   /              attrs format = "lincls-dataset", version = 1 (int32),
 *                        source = basename of the source path
 *   /classes       fixed-length ASCII strings [K], size = longest name + 1
 *   /train/images  uint8 [N,3,32,32]  chunks [min(N,1024),3,32,32]
 *   /train/labels  uint8 [N]          chunks [min(N,65536)]
 *   /test/images   uint8 [M,3,32,32]
 *   /test/labels   uint8 [M]
 *
 * The file is written under a temporary name in the output's directory and
 * renamed into place only once complete and fsync'ed (io.h), so a failure
 * (reported through lc_err, naming the file, member and record) never leaves
 * OUT behind, and neither does SIGINT, SIGTERM or SIGHUP. An OUT that is the
 * source itself (same file, however spelled) is refused. */
#ifndef LINCLS_CIFAR_H
#define LINCLS_CIFAR_H

#include <stddef.h>
#include <stdint.h>

#include "lincls/util.h"

#define LC_CIFAR_CLASSES 10
#define LC_CIFAR_IMAGE 3072          /* 3 x 32 x 32 pixel bytes */
#define LC_CIFAR_RECORD 3073         /* label byte + image */
#define LC_CIFAR_RECORDS 10000       /* records per official .bin member */
#define LC_CIFAR_TRAIN_BATCHES 5
#define LC_CIFAR_NAME_MAX 64         /* class name buffer, NUL included */
#define LC_CIFAR_MAX_RECORDS (1 << 24)

typedef struct {
    int64_t records_per_batch; /* records in every .bin member (official: 10000) */
    int force;                 /* replace OUT if it already exists */
    /* How the caller names the two in messages (a command names its flags,
     * "--records-per-batch", "--force"); NULL: "records per batch", none. */
    const char *records_name, *force_name;
} lc_prep_opts;

typedef struct {
    int64_t n_train, n_test;
    int n_classes;
    char classes[LC_CIFAR_CLASSES][LC_CIFAR_NAME_MAX];
    int64_t train_count[LC_CIFAR_CLASSES], test_count[LC_CIFAR_CLASSES];
    int from_archive;          /* 1: .tar.gz, 0: folder */
    char source[256];          /* basename of the source, stored as attribute */
} lc_prep_result;

void lc_prep_opts_default(lc_prep_opts *o);

/* Converts src into out. Returns 0 or an lc_err code (LC_EIO: cannot read or
 * write a file; LC_EDATA: malformed archive or member; LC_EARG: bad options or
 * OUT exists without force). On failure no OUT and no temporary file remain. */
int lc_cifar_convert(const char *src, const char *out, const lc_prep_opts *opts,
                     lc_prep_result *res, lc_err *e);

#endif
