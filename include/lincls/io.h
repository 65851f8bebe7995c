/* io: how lincls writes files, in one place.
 *
 * Atomic output (lc_out). Every file written for the user -- a converted
 * dataset, a features file, a checkpoint -- is first written under a
 * temporary name beside the target, OUT.tmp.<pid>.<random>, created
 * exclusively (two runs writing the same OUT never share a temporary). When
 * complete it is fsync'ed, renamed over OUT and the directory is fsync'ed, so
 * a crash at any moment leaves either the previous OUT or the complete new
 * one. Every failure path removes the temporary. With LC_OUT_SIGNALS the
 * temporary is also removed when SIGINT, SIGTERM or SIGHUP ends the process
 * (for each of those signals whose action is still the default).
 *
 * A full disk. lc_out_reserve asks the file system for the whole expected
 * size up front (fallocate without changing the file size), so a disk that
 * is too small, a quota or a file-size limit fails at once with a message
 * naming OUT, before a long conversion, and the later writes land in blocks
 * the file already owns. File systems that cannot reserve are written
 * without. Whatever is left unused is released at commit.
 *
 * HDF5 outputs. HDF5 1.10 does not survive a failed flush of its metadata:
 * every later flush fails too ("slist already enabled"), H5Fclose returns an
 * error but leaves a dangling identifier, and the library crashes when it
 * shuts down (at exit, or in MPI_Finalize); a failed H5Dclose does the same.
 * So the space is reserved first (above); a serial writer then flushes each
 * dataset's raw data (H5Dflush, the bulk, which fails before any metadata is
 * written) before it closes, and when anything failed it diverts the file
 * (lc_h5_divert) before closing: the remaining writes go to memory, every
 * close succeeds and every handle is closed exactly once. A parallel writer
 * empties its temporary instead (lc_out_empty), which leaves a full disk
 * room for the closing writes. Checkpoints avoid the question: they are
 * built in memory and written with lc_out_write.
 *
 * The dataset file header (format, version) and the /classes writer live
 * here too, with the HDF5 error silencing and file-name helpers. */
#ifndef LINCLS_IO_H
#define LINCLS_IO_H

#include <hdf5.h>
#include <stddef.h>
#include <stdint.h>

#include "lincls/util.h"

/* Root attributes of a dataset or features file (contract: README.md, "Dataset file"). */
#define LC_DATASET_FORMAT "lincls-dataset"
#define LC_DATASET_VERSION 1

#define LC_PATH_MAX 4096
#define LC_TMP_MAX (LC_PATH_MAX + 48)

typedef struct {
    char path[LC_PATH_MAX]; /* the target OUT */
    char tmp[LC_TMP_MAX];   /* the temporary beside it */
    int fd;                 /* open on tmp (the process that created it); -1 otherwise */
    int slot;               /* signal-cleanup registration; -1 none */
    int reserved;           /* lc_out_reserve succeeded: trim at commit */
} lc_out;

enum { LC_OUT_SIGNALS = 1 }; /* remove the temporary on SIGINT/SIGTERM/SIGHUP */

/* Creates the temporary for path (its directory must exist). */
int lc_out_open(lc_out *o, const char *path, int flags, lc_err *e);
/* For the other processes of a collective write: they write into tmp, which
 * another process created and commits; they only take part in the signal
 * cleanup. Always succeeds; lc_out_discard undoes it. */
void lc_out_join(lc_out *o, const char *path, const char *tmp, int flags);
/* Appends n bytes to the temporary (the process that opened it). */
int lc_out_write(lc_out *o, const void *buf, size_t n, lc_err *e);
/* Reserves data_bytes, plus room for HDF5's own structures, for the
 * temporary (see above), and checks the file-size limit (ulimit -f). 0 when
 * it did or the file system cannot; LC_EIO naming OUT when there is no room. */
int lc_out_reserve(lc_out *o, uint64_t data_bytes, lc_err *e);
/* Releases the temporary's blocks (file emptied, name kept): a failed write
 * on a full disk gives the space back for the closing writes. */
void lc_out_empty(lc_out *o);
/* Makes the temporary durable and gives it the name OUT. replace=0: if OUT
 * exists by now it is kept and the write fails (LC_EARG). On failure the
 * temporary is removed. Either way o is finished. */
int lc_out_commit(lc_out *o, int replace, lc_err *e);
/* Removes the temporary (if this process created it) and finishes o. Safe
 * to call on a finished or zeroed-by-lc_out_init lc_out. */
void lc_out_discard(lc_out *o);
/* An lc_out that owns nothing (so lc_out_discard is a no-op). */
void lc_out_init(lc_out *o);

/* For a driver's main, before anything else: a file-size limit (ulimit -f)
 * makes a write fail with EFBIG, reported and cleaned up like a full disk,
 * instead of killing the process with SIGXFSZ; and HDF5 is not shut down by
 * an exit handler (every file is closed by then; after a failed write that
 * shutdown only complains about HDF5's own leaks on stderr). Under MPI,
 * HDF5 still shuts down in MPI_Finalize. */
void lc_io_init_process(void);

/* 1 when a and b name the same file: for existing files the same device
 * and inode (links, symbolic links and other spellings count); when neither
 * exists yet, the same name in the same folder. 0 otherwise. */
int lc_io_same_file(const char *a, const char *b);

/* Last component of path ("dir/" names "dir"), into buf. */
const char *lc_io_base_name(const char *path, char *buf, size_t n);

/* Bytes a chunked dataset of n rows of row_bytes occupies, chunks of
 * chunk_rows rows (HDF5 allocates whole chunks). */
uint64_t lc_io_chunked_bytes(int64_t n, int64_t chunk_rows, uint64_t row_bytes);

/* --- HDF5 ------------------------------------------------------------------ */

/* No automatic HDF5 error-stack printing: lincls reports its own messages. */
void lc_h5_quiet(void);
/* The innermost HDF5 error description (e.g. the system error), into buf. */
const char *lc_h5_errmsg(char *buf, size_t n);

/* Makes every later write to f harmless: for a serial (sec2) file the writes
 * go to an anonymous memory file (a file-size limit still applies to it);
 * otherwise nothing changes. Call it on the failure path before closing f's
 * objects and f. */
void lc_h5_divert(hid_t f);

/* Root attributes format = LC_DATASET_FORMAT, version = LC_DATASET_VERSION. */
int lc_h5_put_dataset_header(hid_t f);

/* /classes: n class names (names + i*stride, NUL-terminated) as fixed-length
 * NUL-terminated ASCII strings, one longer than the longest name. dcpl: the
 * creation properties (H5P_DEFAULT allowed). In a parallel file every
 * process calls it (dxpl collective) and only the one with writer != 0
 * supplies the data. */
int lc_h5_write_classes(hid_t f, const char *names, size_t stride, int n, hid_t dcpl, hid_t dxpl,
                        int writer);
/* The same names as attribute `name` of loc, strings of `width` bytes. */
int lc_h5_put_names_attr(hid_t loc, const char *name, const char *names, size_t stride, int n,
                         size_t width);

#endif
