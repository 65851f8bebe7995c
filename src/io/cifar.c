/* cifar: CIFAR-10 binary distribution (.tar.gz or extracted folder) -> lincls
 * HDF5 dataset. See include/lincls/cifar.h for the layout.
 *
 * The archive is read as one stream: zlib decompresses it (and checks its
 * CRC and length at the end) and libarchive walks the tar entries in the
 * decompressed bytes, so conversion needs no temporary extraction and no
 * external tar, and SRC may be a pipe. Each .bin member is streamed in
 * blocks of BLOCK_RECORDS records straight into hyperslab writes at the
 * member's row offset, so members may come in any order and memory stays at
 * a few MB. Every check names the source, the member and, for labels, the
 * record, because the user has to find the bad byte. */
#define _POSIX_C_SOURCE 200809L
#include "lincls/cifar.h"
#include "lincls/h5util.h"
#include "lincls/io.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* Member order also gives the destination: 0..4 train batches, 5 test, 6 meta. */
enum { M_TEST = 5, M_META = 6, M_COUNT = 7 };
static const char *const k_members[M_COUNT] = {
    "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
    "data_batch_5.bin", "test_batch.bin",   "batches.meta.txt"};
static const char k_folder[] = "cifar-10-batches-bin";

#define BLOCK_RECORDS 1024          /* = IMG_CHUNK_ROWS: at most one chunk per write */
#define META_MAX (64 * 1024)        /* a class list is tens of bytes */
#define TAR_BLOCK 512
#define READ_BLOCK (64 * 1024)     /* decompressed bytes handed to libarchive at a time */
#define IMG_CHUNK_ROWS 1024
#define LAB_CHUNK_ROWS 65536
#define DIR_BUF 4160                /* folder path; src longer than 4000 refused */
#define PATH_BUF (DIR_BUF + 64)     /* folder + member name */
#define NAME_BUF 4400               /* "SRC: member NAME" */
#define CHUNK_CACHE_BYTES (16u << 20) /* holds the chunks a member boundary splits */

/* --- small helpers ------------------------------------------------------- */

static int is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int64_t member_bytes(int64_t records) { return records * LC_CIFAR_RECORD; }

/* Maps an archive or folder entry name to a member index, -1 if not ours.
 * Accepts "name", "./name", "cifar-10-batches-bin/name" (with "./" too). */
static int member_index(const char *name) {
    while (strncmp(name, "./", 2) == 0) name += 2;
    size_t fl = strlen(k_folder);
    if (strncmp(name, k_folder, fl) == 0 && name[fl] == '/') name += fl + 1;
    while (strncmp(name, "./", 2) == 0) name += 2;
    for (int i = 0; i < M_COUNT; i++)
        if (strcmp(name, k_members[i]) == 0) return i;
    return -1;
}

/* --- byte input: one gzip stream or one plain file ------------------------ */

typedef struct {
    gzFile gz;          /* archive mode: the decompressed tar stream ... */
    struct archive *ar; /* ... whose entries libarchive reads */
    unsigned char *block; /* READ_BLOCK bytes handed to libarchive */
    lc_err *err;        /* where the libarchive read callback reports */
    int eof;            /* the decompressed stream has ended */
    FILE *fp;           /* folder mode */
    const char *src;    /* the path the user gave, for messages */
    uint64_t offset;    /* bytes of decompressed stream consumed */
    const char *cur;    /* what is being read, for messages */
    unsigned char peek[TAR_BLOCK]; /* first block, read early to detect gzip */
    size_t peek_len, peek_pos;
} input;

/* Reads up to n bytes; returns the count (short only at end of data) or -1
 * with e set on a decompression or read error. */
static int64_t in_read(input *in, void *buf, size_t n, lc_err *e) {
    size_t got = 0;
    if (in->peek_pos < in->peek_len) {
        got = in->peek_len - in->peek_pos < n ? in->peek_len - in->peek_pos : n;
        memcpy(buf, in->peek + in->peek_pos, got);
        in->peek_pos += got;
    }
    while (got < n) {
        size_t want = n - got > (1u << 30) ? (1u << 30) : n - got;
        if (in->gz) {
            int r = gzread(in->gz, (char *)buf + got, (unsigned)want);
            if (r <= 0) {
                /* zlib reports a cut-off stream as Z_BUF_ERROR ("unexpected
                 * end of file"); a clean end of the gzip stream has no error. */
                int zerr;
                const char *msg = gzerror(in->gz, &zerr);
                unsigned long long at = (unsigned long long)(in->offset + got);
                if (r == 0 && zerr == Z_OK) break;
                if (zerr == Z_BUF_ERROR)
                    lc_fail(e, LC_EDATA, "%s: truncated archive: data ends at byte %llu of the tar stream, in %s",
                            in->src, at, in->cur);
                else
                    lc_fail(e, LC_EDATA, "%s: corrupt gzip data at byte %llu of the tar stream, in %s: %s",
                            in->src, at, in->cur, msg);
                return -1;
            }
            got += (size_t)r;
        } else {
            size_t r = fread((char *)buf + got, 1, want, in->fp);
            if (r == 0) {
                if (ferror(in->fp)) {
                    lc_fail(e, LC_EIO, "%s: read error: %s", in->src, strerror(errno));
                    return -1;
                }
                break;
            }
            got += r;
        }
    }
    in->offset += got;
    return (int64_t)got;
}

/* libarchive's source: the decompressed stream, a block at a time. A gzip
 * error is reported through in->err (our message wins over libarchive's). */
static la_ssize_t tar_source(struct archive *a, void *data, const void **buf) {
    input *in = data;
    int64_t got = in_read(in, in->block, READ_BLOCK, in->err);
    if (got < 0) {
        archive_set_error(a, EIO, "%s", in->err->msg);
        return ARCHIVE_FATAL;
    }
    in->eof = got == 0;
    *buf = in->block;
    return (la_ssize_t)got;
}

/* Reads exactly n bytes of member `where` (at member_pos of member_size);
 * running out is a truncated source. */
static int in_read_exact(input *in, void *buf, size_t n, const char *where, int64_t member_pos,
                         int64_t member_size, lc_err *e) {
    int64_t got = 0;
    if (in->ar) {
        while ((size_t)got < n) {
            la_ssize_t r = archive_read_data(in->ar, (char *)buf + got, n - (size_t)got);
            if (r < 0 && e->code) return e->code; /* the gzip reader failed */
            if (r < 0 && !in->eof)
                return lc_fail(e, LC_EDATA, "%s: cannot read at byte %lld: %s", where,
                               (long long)(member_pos + got), archive_error_string(in->ar));
            if (r <= 0) break; /* the stream ended inside the member */
            got += r;
        }
    } else {
        got = in_read(in, buf, n, e);
        if (got < 0) return e->code;
    }
    if ((size_t)got < n)
        return lc_fail(e, LC_EDATA, "%s: truncated: data ends at byte %lld of %lld%s", where,
                       (long long)(member_pos + got), (long long)member_size,
                       in->gz ? " (archive cut short)" : "");
    return 0;
}

/* --- conversion state ------------------------------------------------------ */

typedef struct {
    const char *src, *out;
    lc_out o;                /* the temporary beside out */
    int64_t R;               /* records per .bin member */
    const char *R_name;      /* how the caller names R (lc_prep_opts) */
    hid_t file, img[2], lab[2]; /* [0] train, [1] test */
    hid_t gcpl, ccpl;        /* group and /classes creation properties */
    int seen[M_COUNT];
    uint8_t *rec;            /* BLOCK_RECORDS records */
    lc_prep_result *res;
} conv;

static int check_size(const conv *c, int idx, int64_t size, const char *where, lc_err *e) {
    if (idx == M_META) {
        if (size > META_MAX)
            return lc_fail(e, LC_EDATA, "%s: class list is %lld bytes, expected at most %d", where,
                           (long long)size, META_MAX);
        return 0;
    }
    int64_t want = member_bytes(c->R);
    if (size == want) return 0;
    char hint[128] = "";
    if (size > 0 && size % LC_CIFAR_RECORD == 0)
        snprintf(hint, sizeof hint, "; it holds %lld records: is %s %lld meant?",
                 (long long)(size / LC_CIFAR_RECORD), c->R_name, (long long)(size / LC_CIFAR_RECORD));
    return lc_fail(e, LC_EDATA, "%s: %s member: %lld bytes, expected %lld (%lld records x %d)%s",
                   where, size < want ? "short" : "long", (long long)size, (long long)want,
                   (long long)c->R, LC_CIFAR_RECORD, hint);
}

static int write_rows(conv *c, int split, int64_t row0, int64_t n, const uint8_t *labels,
                      lc_err *e) {
    hsize_t start[4] = {(hsize_t)row0, 0, 0, 0};
    hsize_t count[4] = {(hsize_t)n, 3, 32, 32};
    int rc = 0;
    hid_t fs = -1, ms = -1;
    for (int which = 0; which < 2 && rc == 0; which++) {
        hid_t d = which == 0 ? c->img[split] : c->lab[split];
        int rank = which == 0 ? 4 : 1;
        const void *buf = which == 0 ? (const void *)c->rec : (const void *)labels;
        fs = H5Dget_space(d);
        ms = H5Screate_simple(rank, count, NULL);
        if (fs < 0 || ms < 0 ||
            H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) < 0 ||
            H5Dwrite(d, H5T_NATIVE_UINT8, ms, fs, H5P_DEFAULT, buf) < 0) {
            char m[256];
            rc = lc_fail(e, LC_EIO, "%s: cannot write /%s/%s rows %lld..%lld: %s", c->out,
                         split ? "test" : "train", which ? "labels" : "images", (long long)row0,
                         (long long)(row0 + n - 1), lc_h5_errmsg(m, sizeof m));
        }
        if (fs >= 0) H5Sclose(fs);
        if (ms >= 0) H5Sclose(ms);
        fs = ms = -1;
    }
    return rc;
}

/* Streams one .bin member: checks each label, drops the label bytes in place
 * (images stay contiguous for the hyperslab write) and writes block by block. */
static int process_bin(conv *c, input *in, int idx, const char *where, lc_err *e) {
    int split = idx == M_TEST;
    int64_t row_base = split ? 0 : idx * c->R;
    int64_t *count = split ? c->res->test_count : c->res->train_count;
    uint8_t labels[BLOCK_RECORDS];
    for (int64_t done = 0; done < c->R;) {
        /* Blocks end on image-chunk boundaries, so each write fills (part
         * of) one chunk and whole chunks go to disk in one piece. */
        int64_t n = BLOCK_RECORDS - (row_base + done) % IMG_CHUNK_ROWS;
        if (n > c->R - done) n = c->R - done;
        if (in_read_exact(in, c->rec, (size_t)member_bytes(n), where, member_bytes(done),
                          member_bytes(c->R), e))
            return e->code;
        for (int64_t i = 0; i < n; i++) {
            uint8_t lab = c->rec[i * LC_CIFAR_RECORD];
            if (lab >= LC_CIFAR_CLASSES)
                return lc_fail(e, LC_EDATA, "%s: record %lld (0-based, byte %lld): label %u is out of range 0..%d",
                               where, (long long)(done + i), (long long)member_bytes(done + i),
                               (unsigned)lab, LC_CIFAR_CLASSES - 1);
            labels[i] = lab;
            count[lab]++;
            /* Destination ends before record i+1 starts, so the forward move is safe. */
            memmove(c->rec + i * LC_CIFAR_IMAGE, c->rec + i * LC_CIFAR_RECORD + 1, LC_CIFAR_IMAGE);
        }
        if (write_rows(c, split, row_base + done, n, labels, e)) return e->code;
        done += n;
    }
    return 0;
}

/* Class names: one per line, surrounding blanks and CR dropped, blank lines
 * ignored; exactly LC_CIFAR_CLASSES printable names. */
static int parse_classes(conv *c, const char *text, size_t len, const char *where, lc_err *e) {
    lc_prep_result *r = c->res;
    int k = 0, line = 0;
    for (size_t p = 0; p < len;) {
        size_t q = p;
        while (q < len && text[q] != '\n') q++;
        line++;
        size_t a = p, b = q;
        while (a < b && (text[a] == ' ' || text[a] == '\t' || text[a] == '\r')) a++;
        while (b > a && (text[b - 1] == ' ' || text[b - 1] == '\t' || text[b - 1] == '\r')) b--;
        p = q + 1;
        if (a == b) continue;
        if (k >= LC_CIFAR_CLASSES)
            return lc_fail(e, LC_EDATA, "%s: more than %d class names (line %d)", where,
                           LC_CIFAR_CLASSES, line);
        if (b - a >= LC_CIFAR_NAME_MAX)
            return lc_fail(e, LC_EDATA, "%s: line %d: class name longer than %d characters", where,
                           line, LC_CIFAR_NAME_MAX - 1);
        for (size_t i = a; i < b; i++)
            if ((unsigned char)text[i] < 0x20 || (unsigned char)text[i] > 0x7e)
                return lc_fail(e, LC_EDATA, "%s: line %d: class name is not printable ASCII", where, line);
        memcpy(r->classes[k], text + a, b - a);
        r->classes[k][b - a] = '\0';
        k++;
    }
    if (k != LC_CIFAR_CLASSES)
        return lc_fail(e, LC_EDATA, "%s: short class list: %d class names, expected %d (one per line)",
                       where, k, LC_CIFAR_CLASSES);
    r->n_classes = k;
    return 0;
}

static int process_meta(conv *c, input *in, int64_t size, const char *where, lc_err *e) {
    char *text = lc_malloc((size_t)size + 1, e);
    if (!text) return e->code;
    int rc = in_read_exact(in, text, (size_t)size, where, 0, size, e);
    if (rc == 0) rc = parse_classes(c, text, (size_t)size, where, e);
    free(text);
    return rc;
}

/* One member of either source kind; the reader is positioned at its data. */
static int handle_member(conv *c, input *in, int idx, int64_t size, const char *where, lc_err *e) {
    if (c->seen[idx]) return lc_fail(e, LC_EDATA, "%s: member appears twice", where);
    c->seen[idx] = 1;
    if (check_size(c, idx, size, where, e)) return e->code;
    return idx == M_META ? process_meta(c, in, size, where, e) : process_bin(c, in, idx, where, e);
}

/* --- the HDF5 file --------------------------------------------------------- */

static hid_t make_dataset(hid_t loc, const char *name, int rank, const hsize_t *dims,
                          const hsize_t *chunk) {
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
    hid_t d = -1;
    /* Every byte gets written, so no fill pass; no timestamps, so the same
     * input gives the same bytes; a cache that holds a few chunks lets a
     * member boundary that splits a chunk fill it in memory. */
    if (space >= 0 && dcpl >= 0 && dapl >= 0 && H5Pset_chunk(dcpl, rank, chunk) >= 0 &&
        H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER) >= 0 && H5Pset_obj_track_times(dcpl, 0) >= 0 &&
        H5Pset_chunk_cache(dapl, 521, CHUNK_CACHE_BYTES, 1.0) >= 0)
        d = H5Dcreate2(loc, name, H5T_STD_U8LE, space, H5P_DEFAULT, dcpl, dapl);
    if (space >= 0) H5Sclose(space);
    if (dcpl >= 0) H5Pclose(dcpl);
    if (dapl >= 0) H5Pclose(dapl);
    return d;
}

/* Bytes of data the output will hold: whole chunks of every dataset. */
static uint64_t output_bytes(const conv *c) {
    uint64_t total = 0;
    for (int s = 0; s < 2; s++) {
        int64_t n = s ? c->R : LC_CIFAR_TRAIN_BATCHES * c->R;
        total += lc_io_chunked_bytes(n, n < IMG_CHUNK_ROWS ? n : IMG_CHUNK_ROWS, LC_CIFAR_IMAGE);
        total += lc_io_chunked_bytes(n, n < LAB_CHUNK_ROWS ? n : LAB_CHUNK_ROWS, 1);
    }
    return total;
}

static int create_output(conv *c, lc_err *e) {
    /* open(2) of the temporary first: its errno explains a missing directory
     * or permissions. */
    if (lc_out_open(&c->o, c->out, LC_OUT_SIGNALS, e)) return e->code;
    char m[256];
    c->file = H5Fcreate(c->o.tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (c->file < 0)
        return lc_fail(e, LC_EIO, "%s: cannot create HDF5 file: %s", c->o.tmp, lc_h5_errmsg(m, sizeof m));
    /* A disk too small for the whole output fails here, not at the end. */
    if (lc_out_reserve(&c->o, output_bytes(c), e)) return e->code;
    /* Group and /classes property lists without timestamps (reproducible bytes). */
    c->gcpl = H5Pcreate(H5P_GROUP_CREATE);
    c->ccpl = H5Pcreate(H5P_DATASET_CREATE);
    if (c->gcpl < 0 || c->ccpl < 0 || H5Pset_obj_track_times(c->gcpl, 0) < 0 ||
        H5Pset_obj_track_times(c->ccpl, 0) < 0)
        return lc_fail(e, LC_EIO, "%s: cannot set up HDF5 properties: %s", c->o.tmp, lc_h5_errmsg(m, sizeof m));
    const char *groups[2] = {"train", "test"};
    for (int s = 0; s < 2; s++) {
        hsize_t n = (hsize_t)(s ? c->R : LC_CIFAR_TRAIN_BATCHES * c->R);
        hsize_t idims[4] = {n, 3, 32, 32};
        hsize_t ichunk[4] = {n < IMG_CHUNK_ROWS ? n : IMG_CHUNK_ROWS, 3, 32, 32};
        hsize_t lchunk[1] = {n < LAB_CHUNK_ROWS ? n : LAB_CHUNK_ROWS};
        hid_t g = H5Gcreate2(c->file, groups[s], H5P_DEFAULT, c->gcpl, H5P_DEFAULT);
        if (g < 0)
            return lc_fail(e, LC_EIO, "%s: cannot create /%s: %s", c->o.tmp, groups[s], lc_h5_errmsg(m, sizeof m));
        c->img[s] = make_dataset(g, "images", 4, idims, ichunk);
        c->lab[s] = make_dataset(g, "labels", 1, idims, lchunk);
        H5Gclose(g);
        if (c->img[s] < 0 || c->lab[s] < 0)
            return lc_fail(e, LC_EIO, "%s: cannot create /%s datasets: %s", c->o.tmp, groups[s],
                           lc_h5_errmsg(m, sizeof m));
    }
    return 0;
}

/* /classes, the root attributes, and the data flushed to disk: a write that
 * fails here (a full disk) leaves the file closable (lc_h5_divert). */
static int finish_file(conv *c, lc_err *e) {
    char m[256];
    const lc_prep_result *r = c->res;
    if (lc_h5_write_classes(c->file, r->classes[0], LC_CIFAR_NAME_MAX, r->n_classes, c->ccpl, H5P_DEFAULT, 1) ||
        lc_h5_put_dataset_header(c->file) || lc_h5_put_str_attr(c->file, "source", r->source))
        return lc_fail(e, LC_EIO, "%s: cannot write /classes or root attributes: %s", c->out,
                       lc_h5_errmsg(m, sizeof m));
    for (int s = 0; s < 2; s++)
        if (H5Dflush(c->img[s]) < 0 || H5Dflush(c->lab[s]) < 0)
            return lc_fail(e, LC_EIO, "%s: cannot write the data: %s", c->out, lc_h5_errmsg(m, sizeof m));
    return 0;
}

/* Closes every HDF5 handle exactly once. After a failure the file is
 * diverted first, so no close can fail on a full disk (HDF5 1.10 crashes at
 * exit after a failed file close). Returns -1 when a close failed. */
static int close_all(conv *c, int ok) {
    if (!ok && c->file >= 0) lc_h5_divert(c->file);
    int bad = 0;
    for (int s = 0; s < 2; s++) {
        if (c->img[s] >= 0) bad |= H5Dclose(c->img[s]) < 0;
        if (c->lab[s] >= 0) bad |= H5Dclose(c->lab[s]) < 0;
        c->img[s] = c->lab[s] = -1;
    }
    if (c->gcpl >= 0) H5Pclose(c->gcpl);
    if (c->ccpl >= 0) H5Pclose(c->ccpl);
    if (c->file >= 0) bad |= H5Fclose(c->file) < 0;
    c->gcpl = c->ccpl = c->file = -1;
    return bad ? -1 : 0;
}

/* --- archive (.tar.gz) ----------------------------------------------------- */

/* Opens the archive and reads its first block, so a non-gzip source is
 * refused before any output exists. One open, no seek: SRC may be a pipe.
 * Then libarchive is set up to read the tar entries (any tar dialect: ustar,
 * GNU, pax, v7) from the decompressed stream. */
static int open_archive(const char *src, input *in, lc_err *e) {
    int fd = open(src, O_RDONLY);
    if (fd < 0) return lc_fail(e, LC_EIO, "%s: cannot open: %s", src, strerror(errno));
    in->gz = gzdopen(fd, "rb");
    if (!in->gz) {
        close(fd);
        return lc_fail(e, LC_ENOMEM, "%s: cannot set up gzip reading", src);
    }
    gzbuffer(in->gz, 1u << 18);
    int64_t got = in_read(in, in->peek, TAR_BLOCK, e);
    if (got < 0) return e->code;
    /* zlib passes non-gzip input through unchanged ("direct" mode). */
    if (gzdirect(in->gz))
        return lc_fail(e, LC_EDATA,
                       "%s: not a gzip file (expected cifar-10-binary.tar.gz or the extracted %s folder)",
                       src, k_folder);
    in->peek_len = (size_t)got;
    in->offset = 0;
    in->err = e;
    in->block = lc_malloc(READ_BLOCK, e);
    in->ar = in->block ? archive_read_new() : NULL;
    if (!in->ar || archive_read_support_format_tar(in->ar) != ARCHIVE_OK)
        return lc_fail(e, LC_ENOMEM, "%s: cannot set up tar reading", src);
    in->cur = "the first tar header";
    if (archive_read_open(in->ar, in, NULL, tar_source, NULL) != ARCHIVE_OK) {
        if (e->code) return e->code; /* the gzip reader failed */
        return lc_fail(e, LC_EDATA, "%s: not a tar archive (gzip content %s)", src,
                       in->offset < TAR_BLOCK ? "too short" : "has no tar header");
    }
    return 0;
}

/* Walks the tar entries and hands our members to handle_member; libarchive
 * skips the data of the others. */
static int tar_walk(conv *c, input *in, lc_err *e) {
    char where[NAME_BUF];
    for (;;) {
        struct archive_entry *ent;
        in->cur = "a tar header";
        int r = archive_read_next_header(in->ar, &ent);
        if (e->code) return e->code; /* the gzip reader failed */
        if (r == ARCHIVE_EOF) return 0;
        long long at = (long long)archive_read_header_position(in->ar);
        if (r < ARCHIVE_WARN)
            return lc_fail(e, LC_EDATA, "%s: corrupt tar header at byte %lld of the tar stream: %s", c->src, at,
                           archive_error_string(in->ar));
        const char *name = archive_entry_pathname(ent);
        if (!name) name = "";
        int idx = archive_entry_filetype(ent) == AE_IFREG && !archive_entry_hardlink(ent) ? member_index(name) : -1;
        if (idx < 0) continue; /* not ours (a warning about it does not matter) */
        /* A warning on one of our members means its header was not read as
         * written (e.g. malformed pax records): refuse rather than guess. */
        if (r == ARCHIVE_WARN)
            return lc_fail(e, LC_EDATA, "%s: malformed tar header at byte %lld of the tar stream, for %s (%s)",
                           c->src, at, name, archive_error_string(in->ar));
        int64_t size = archive_entry_size(ent);
        if (size < 0)
            return lc_fail(e, LC_EDATA, "%s: corrupt tar header at byte %lld of the tar stream (bad size field)",
                           c->src, at);
        in->cur = name;
        snprintf(where, sizeof where, "%s: member %s", c->src, name);
        if (handle_member(c, in, idx, size, where, e)) return e->code;
    }
}

static int convert_tar(conv *c, input *in, lc_err *e) {
    int rc = tar_walk(c, in, e);
    /* Drain the tail (end marker padding) so zlib verifies the gzip CRC and
     * length: a corrupted byte anywhere in the stream is caught here. */
    in->cur = "the end-of-archive padding";
    if (rc == 0) {
        char buf[16384];
        int64_t got;
        while ((got = in_read(in, buf, sizeof buf, e)) > 0) {}
        if (got < 0) rc = e->code;
    }
    for (int i = 0; rc == 0 && i < M_COUNT; i++)
        if (!c->seen[i])
            rc = lc_fail(e, LC_EDATA, "%s: missing member %s/%s (archive incomplete or not CIFAR-10)",
                         c->src, k_folder, k_members[i]);
    return rc;
}

/* --- folder ---------------------------------------------------------------- */

/* Checks presence and sizes of all members before any output is created. */
static int dir_precheck(conv *c, const char *dir, lc_err *e) {
    char path[PATH_BUF];
    for (int i = 0; i < M_COUNT; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, k_members[i]);
        struct stat st;
        if (stat(path, &st) != 0)
            return lc_fail(e, errno == ENOENT ? LC_EDATA : LC_EIO, "%s: missing member %s: %s", c->src,
                           path, strerror(errno));
        if (!S_ISREG(st.st_mode)) return lc_fail(e, LC_EDATA, "%s: member %s is not a regular file", c->src, path);
        if (lc_io_same_file(c->out, path))
            return lc_fail(e, LC_EARG, "%s is the input file %s: refusing to overwrite it", c->out, path);
        if (check_size(c, i, (int64_t)st.st_size, path, e)) return e->code;
    }
    return 0;
}

static int convert_dir(conv *c, const char *dir, lc_err *e) {
    char path[PATH_BUF];
    /* Class names first so a bad list fails before the long part. */
    static const int order[M_COUNT] = {M_META, 0, 1, 2, 3, 4, M_TEST};
    for (int j = 0; j < M_COUNT; j++) {
        int i = order[j];
        snprintf(path, sizeof path, "%s/%s", dir, k_members[i]);
        input in = {.src = path, .cur = path};
        in.fp = fopen(path, "rb");
        if (!in.fp) return lc_fail(e, LC_EIO, "%s: cannot open: %s", path, strerror(errno));
        struct stat st;
        int rc = fstat(fileno(in.fp), &st) != 0
                     ? lc_fail(e, LC_EIO, "%s: cannot stat: %s", path, strerror(errno))
                     : handle_member(c, &in, i, (int64_t)st.st_size, path, e);
        fclose(in.fp);
        if (rc) return rc;
    }
    return 0;
}

/* --- entry point ----------------------------------------------------------- */

void lc_prep_opts_default(lc_prep_opts *o) {
    o->records_per_batch = LC_CIFAR_RECORDS;
    o->force = 0;
    o->records_name = o->force_name = NULL;
}

static int check_paths(const char *src, const char *out, int force, const char *force_name, lc_err *e) {
    struct stat st;
    if (!out[0]) return lc_fail(e, LC_EARG, "OUT.h5 is empty: give the name of the file to write");
    if (stat(src, &st) != 0) return lc_fail(e, LC_EIO, "%s: cannot open: %s", src, strerror(errno));
    if (lc_io_same_file(out, src))
        return lc_fail(e, LC_EARG, "%s is the input file %s: refusing to overwrite it", out, src);
    if (lstat(out, &st) == 0) {
        if (S_ISDIR(st.st_mode)) return lc_fail(e, LC_EARG, "%s: output is a directory", out);
        if (!force && force_name)
            return lc_fail(e, LC_EARG, "%s: already exists; use %s to replace it", out, force_name);
        if (!force) return lc_fail(e, LC_EARG, "%s: already exists", out);
    }
    return 0;
}

static int run(conv *c, input *in, lc_err *e) {
    char dir[DIR_BUF];
    int archive = !is_dir(c->src);
    c->res->from_archive = archive;
    if (archive) {
        if (open_archive(c->src, in, e)) return e->code;
    } else {
        /* Accept the folder itself or a parent holding it. */
        snprintf(dir, sizeof dir, "%s/%s", c->src, k_folder);
        if (!is_dir(dir)) snprintf(dir, sizeof dir, "%s", c->src);
        if (dir_precheck(c, dir, e)) return e->code;
    }
    if (create_output(c, e)) return e->code;
    if (archive ? convert_tar(c, in, e) : convert_dir(c, dir, e)) return e->code;
    return finish_file(c, e);
}

int lc_cifar_convert(const char *src, const char *out, const lc_prep_opts *opts,
                     lc_prep_result *res, lc_err *e) {
    memset(res, 0, sizeof *res);
    int64_t R = opts->records_per_batch;
    if (strlen(src) > 4000 || strlen(out) > 4000)
        return lc_fail(e, LC_EARG, "path too long: %.80s...", strlen(src) > 4000 ? src : out);
    if (R < 1 || R > LC_CIFAR_MAX_RECORDS)
        return lc_fail(e, LC_EARG, "%s %lld: must be 1..%d", opts->records_name ? opts->records_name : "records per batch",
                       (long long)R, LC_CIFAR_MAX_RECORDS);
    if (check_paths(src, out, opts->force, opts->force_name, e)) return e->code;

    conv c = {.src = src, .out = out, .R = R, .R_name = opts->records_name ? opts->records_name : "records per batch",
              .file = -1,
              .img = {-1, -1}, .lab = {-1, -1}, .gcpl = -1, .ccpl = -1, .res = res};
    lc_out_init(&c.o);
    lc_io_base_name(src, res->source, sizeof res->source);
    res->n_train = LC_CIFAR_TRAIN_BATCHES * R;
    res->n_test = R;

    /* Our messages replace HDF5's automatic error stack dump. */
    H5E_auto2_t old_fn;
    void *old_data;
    H5Eget_auto2(H5E_DEFAULT, &old_fn, &old_data);
    lc_h5_quiet();

    int rc = 0;
    c.rec = lc_malloc((size_t)member_bytes(BLOCK_RECORDS), e);
    if (!c.rec) rc = e->code;
    input in = {.src = src, .cur = "the archive"};
    if (rc == 0) rc = run(&c, &in, e);
    if (in.ar) archive_read_free(in.ar);
    if (in.gz) gzclose(in.gz);
    free(in.block);
    char m[256];
    if (close_all(&c, rc == 0) && rc == 0)
        rc = lc_fail(e, LC_EIO, "%s: cannot close the HDF5 file: %s", out, lc_h5_errmsg(m, sizeof m));
    if (rc == 0) rc = lc_out_commit(&c.o, opts->force, e);
    else lc_out_discard(&c.o);
    free(c.rec);
    H5Eset_auto2(H5E_DEFAULT, old_fn, old_data);
    return rc;
}
