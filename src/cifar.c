/* cifar: CIFAR-10 binary distribution (.tar.gz or extracted folder) -> lincls
 * HDF5 dataset. See include/lincls/cifar.h for the layout.
 *
 * The archive is read as one gzip stream (zlib) and the tar headers are parsed
 * here, so conversion needs no temporary extraction and no external tar. Each
 * .bin member is streamed in blocks of BLOCK_RECORDS records straight into
 * hyperslab writes at the member's row offset, so members may come in any
 * order and memory stays at a few MB. Every check names the source, the member
 * and, for labels, the record, because the user has to find the bad byte. */
#define _POSIX_C_SOURCE 200809L
#include "lincls/cifar.h"
#include "lincls/h5util.h"

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
#define TAR_NAME_MAX 4096
#define IMG_CHUNK_ROWS 1024
#define LAB_CHUNK_ROWS 65536
#define DIR_BUF 4160                /* folder path; src longer than 4000 refused */
#define PATH_BUF (DIR_BUF + 64)     /* folder + member name */
#define CHUNK_CACHE_BYTES (16u << 20) /* holds the chunks a member boundary splits */

/* --- small helpers ------------------------------------------------------- */

static const char *base_name(const char *path, char *buf, size_t n) {
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/') len--; /* "dir/" names "dir" */
    size_t start = len;
    while (start > 0 && path[start - 1] != '/') start--;
    snprintf(buf, n, "%.*s", (int)(len - start), path + start);
    return buf;
}

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

/* Innermost HDF5 error description, so a disk-full or permission error says so. */
static herr_t h5_walk_cb(unsigned n, const H5E_error2_t *err, void *data) {
    (void)n;
    if (err->desc && err->desc[0]) snprintf((char *)data, 256, "%s", err->desc);
    return 0;
}

static const char *h5_errmsg(char *buf) {
    snprintf(buf, 256, "unknown HDF5 error");
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, h5_walk_cb, buf);
    return buf;
}

/* --- byte input: one gzip stream or one plain file ------------------------ */

typedef struct {
    gzFile gz;          /* archive mode */
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

/* Reads exactly n bytes of member `where`; running out is a truncated source. */
static int in_read_exact(input *in, void *buf, size_t n, const char *where, int64_t member_pos,
                         int64_t member_size, lc_err *e) {
    int64_t got = in_read(in, buf, n, e);
    if (got < 0) return e->code;
    if ((size_t)got < n)
        return lc_fail(e, LC_EDATA, "%s: truncated: data ends at byte %lld of %lld%s", where,
                       (long long)(member_pos + got), (long long)member_size,
                       in->gz ? " (archive cut short)" : "");
    return 0;
}

static int in_skip(input *in, uint64_t n, const char *what, lc_err *e) {
    char buf[16384];
    while (n > 0) {
        size_t want = n > sizeof buf ? sizeof buf : (size_t)n;
        int64_t got = in_read(in, buf, want, e);
        if (got < 0) return e->code;
        if ((size_t)got < want)
            return lc_fail(e, LC_EDATA, "%s: truncated archive: data ends inside %s", in->src, what);
        n -= want;
    }
    return 0;
}

/* --- conversion state ------------------------------------------------------ */

typedef struct {
    const char *src, *out, *tmp;
    int64_t R;               /* records per .bin member */
    int tmp_created;
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
        snprintf(hint, sizeof hint, "; it holds %lld records: is --records-per-batch %lld meant?",
                 (long long)(size / LC_CIFAR_RECORD), (long long)(size / LC_CIFAR_RECORD));
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
            rc = lc_fail(e, LC_EIO, "%s: cannot write /%s/%s rows %lld..%lld: %s", c->tmp,
                         split ? "test" : "train", which ? "labels" : "images", (long long)row0,
                         (long long)(row0 + n - 1), h5_errmsg(m));
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

static int create_output(conv *c, lc_err *e) {
    /* open(2) first: its errno explains a missing directory or permissions. */
    int fd = open(c->tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return lc_fail(e, LC_EIO, "%s: cannot create output (temporary %s): %s", c->out,
                               c->tmp, strerror(errno));
    close(fd);
    c->tmp_created = 1;
    char m[256];
    c->file = H5Fcreate(c->tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (c->file < 0) return lc_fail(e, LC_EIO, "%s: cannot create HDF5 file: %s", c->tmp, h5_errmsg(m));
    /* Group and /classes property lists without timestamps (reproducible bytes). */
    c->gcpl = H5Pcreate(H5P_GROUP_CREATE);
    c->ccpl = H5Pcreate(H5P_DATASET_CREATE);
    if (c->gcpl < 0 || c->ccpl < 0 || H5Pset_obj_track_times(c->gcpl, 0) < 0 ||
        H5Pset_obj_track_times(c->ccpl, 0) < 0)
        return lc_fail(e, LC_EIO, "%s: cannot set up HDF5 properties: %s", c->tmp, h5_errmsg(m));
    const char *groups[2] = {"train", "test"};
    for (int s = 0; s < 2; s++) {
        hsize_t n = (hsize_t)(s ? c->R : LC_CIFAR_TRAIN_BATCHES * c->R);
        hsize_t idims[4] = {n, 3, 32, 32};
        hsize_t ichunk[4] = {n < IMG_CHUNK_ROWS ? n : IMG_CHUNK_ROWS, 3, 32, 32};
        hsize_t lchunk[1] = {n < LAB_CHUNK_ROWS ? n : LAB_CHUNK_ROWS};
        hid_t g = H5Gcreate2(c->file, groups[s], H5P_DEFAULT, c->gcpl, H5P_DEFAULT);
        if (g < 0) return lc_fail(e, LC_EIO, "%s: cannot create /%s: %s", c->tmp, groups[s], h5_errmsg(m));
        c->img[s] = make_dataset(g, "images", 4, idims, ichunk);
        c->lab[s] = make_dataset(g, "labels", 1, idims, lchunk);
        H5Gclose(g);
        if (c->img[s] < 0 || c->lab[s] < 0)
            return lc_fail(e, LC_EIO, "%s: cannot create /%s datasets: %s", c->tmp, groups[s], h5_errmsg(m));
    }
    return 0;
}

/* Fixed-length, NUL-terminated ASCII string type of `size` bytes. */
static hid_t str_type(size_t size) {
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0) return t;
    if (H5Tset_size(t, size) < 0 || H5Tset_strpad(t, H5T_STR_NULLTERM) < 0 ||
        H5Tset_cset(t, H5T_CSET_ASCII) < 0) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

static int write_classes(conv *c) {
    const lc_prep_result *r = c->res;
    size_t longest = 0;
    for (int k = 0; k < r->n_classes; k++)
        if (strlen(r->classes[k]) > longest) longest = strlen(r->classes[k]);
    size_t w = longest + 1;
    char buf[LC_CIFAR_CLASSES * LC_CIFAR_NAME_MAX];
    memset(buf, 0, sizeof buf);
    for (int k = 0; k < r->n_classes; k++) memcpy(buf + (size_t)k * w, r->classes[k], strlen(r->classes[k]));
    hsize_t dims[1] = {(hsize_t)r->n_classes};
    hid_t t = str_type(w);
    hid_t s = H5Screate_simple(1, dims, NULL);
    hid_t d = t >= 0 && s >= 0 ? H5Dcreate2(c->file, "classes", t, s, H5P_DEFAULT, c->ccpl, H5P_DEFAULT) : -1;
    int ok = d >= 0 && H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0;
    if (d >= 0) H5Dclose(d);
    if (s >= 0) H5Sclose(s);
    if (t >= 0) H5Tclose(t);
    return ok ? 0 : -1;
}

static int finish_file(conv *c, lc_err *e) {
    char m[256];
    if (write_classes(c) || lc_h5_put_str_attr(c->file, "format", "lincls-dataset") ||
        lc_h5_put_int_attr(c->file, "version", 1) || lc_h5_put_str_attr(c->file, "source", c->res->source))
        return lc_fail(e, LC_EIO, "%s: cannot write /classes or root attributes: %s", c->tmp, h5_errmsg(m));
    for (int s = 0; s < 2; s++) {
        herr_t a = H5Dclose(c->img[s]), b = H5Dclose(c->lab[s]);
        c->img[s] = c->lab[s] = -1;
        if (a < 0 || b < 0) return lc_fail(e, LC_EIO, "%s: cannot flush datasets: %s", c->tmp, h5_errmsg(m));
    }
    herr_t rc = H5Fclose(c->file);
    c->file = -1;
    if (rc < 0) return lc_fail(e, LC_EIO, "%s: cannot close HDF5 file: %s", c->tmp, h5_errmsg(m));
    return 0;
}

static void fsync_dir_of(const char *path) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash) snprintf(dir, sizeof dir, ".");
    else if (slash == dir) dir[1] = '\0';
    else *slash = '\0';
    int fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        fsync(fd); /* best effort: some file systems refuse directory fsync */
        close(fd);
    }
}

/* Makes the finished temp file durable, then gives it its real name. Without
 * force, link(2) refuses atomically if OUT appeared meanwhile. */
static int commit_output(conv *c, int force, lc_err *e) {
    int fd = open(c->tmp, O_RDONLY);
    if (fd < 0 || fsync(fd) != 0) {
        int err = errno;
        if (fd >= 0) close(fd);
        return lc_fail(e, LC_EIO, "%s: cannot fsync: %s", c->tmp, strerror(err));
    }
    close(fd);
    if (!force && link(c->tmp, c->out) == 0) {
        unlink(c->tmp);
    } else if (!force && errno == EEXIST) {
        return lc_fail(e, LC_EARG, "%s: already exists (created during conversion); use --force to replace it", c->out);
    } else if (rename(c->tmp, c->out) != 0) {
        return lc_fail(e, LC_EIO, "%s: cannot rename %s into place: %s", c->out, c->tmp, strerror(errno));
    }
    c->tmp_created = 0;
    fsync_dir_of(c->out);
    return 0;
}

/* --- archive (.tar.gz) ----------------------------------------------------- */

/* Octal tar number (NUL/space terminated), or GNU base-256 when the top bit is set. */
static int tar_number(const unsigned char *p, size_t n, uint64_t *out) {
    uint64_t v = 0;
    if (p[0] & 0x80) {
        v = p[0] & 0x7f;
        for (size_t i = 1; i < n; i++) {
            if (v >> 55) return -1;
            v = (v << 8) | p[i];
        }
        *out = v;
        return 0;
    }
    size_t i = 0;
    while (i < n && p[i] == ' ') i++;
    for (; i < n && p[i] >= '0' && p[i] <= '7'; i++) {
        if (v >> 60) return -1;
        v = v * 8 + (uint64_t)(p[i] - '0');
    }
    if (i < n && p[i] != '\0' && p[i] != ' ') return -1;
    *out = v;
    return 0;
}

static int tar_checksum_ok(const unsigned char *h) {
    uint64_t stored;
    if (tar_number(h + 148, 8, &stored)) return 0;
    unsigned long usum = 0;
    long ssum = 0; /* some old tars summed signed chars */
    for (int i = 0; i < TAR_BLOCK; i++) {
        unsigned char b = (i >= 148 && i < 156) ? ' ' : h[i];
        usum += b;
        ssum += (signed char)b;
    }
    return stored == usum || (long)stored == ssum;
}

static int block_is_zero(const unsigned char *h) {
    for (int i = 0; i < TAR_BLOCK; i++)
        if (h[i]) return 0;
    return 1;
}

/* The entry name: a pending GNU/pax long name, else ustar prefix + name. */
static void tar_name(const unsigned char *h, const char *longname, char *name, size_t n) {
    if (longname[0]) {
        snprintf(name, n, "%s", longname);
    } else if (memcmp(h + 257, "ustar", 5) == 0 && h[345]) {
        snprintf(name, n, "%.155s/%.100s", (const char *)h + 345, (const char *)h);
    } else {
        snprintf(name, n, "%.100s", (const char *)h);
    }
}

/* pax extended header: records "LEN key=value\n"; only "path" matters here. */
static void pax_path(const char *text, size_t len, char *longname, size_t n) {
    size_t p = 0;
    while (p < len) {
        char *end;
        unsigned long rl = strtoul(text + p, &end, 10);
        if (rl == 0 || p + rl > len || *end != ' ') return;
        const char *kv = end + 1;
        size_t kvlen = (size_t)(text + p + rl - kv);
        if (kvlen > 5 && strncmp(kv, "path=", 5) == 0 && kv[kvlen - 1] == '\n')
            snprintf(longname, n, "%.*s", (int)(kvlen - 6), kv + 5);
        p += rl;
    }
}

/* Reads a small metadata entry's data (GNU long name or pax header). */
static int tar_small_entry(input *in, uint64_t size, char *buf, size_t cap, lc_err *e) {
    if (size >= cap)
        return lc_fail(e, LC_EDATA, "%s: tar extended header of %llu bytes is too large", in->src,
                       (unsigned long long)size);
    uint64_t padded = (size + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
    int64_t got = in_read(in, buf, (size_t)size, e);
    if (got < 0) return e->code;
    if ((uint64_t)got < size)
        return lc_fail(e, LC_EDATA, "%s: truncated archive inside a tar extended header", in->src);
    buf[size] = '\0';
    return in_skip(in, padded - size, "tar padding", e);
}

/* Opens the archive and reads its first block, so a non-gzip source is
 * refused before any output exists. One open, no seek: SRC may be a pipe. */
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
    return 0;
}

/* Walks the tar entries and hands our members to handle_member. */
static int tar_walk(conv *c, input *in, lc_err *e) {
    unsigned char h[TAR_BLOCK];
    char longname[TAR_NAME_MAX] = "", name[TAR_NAME_MAX + 300], where[TAR_NAME_MAX + 4400];
    char *ext = NULL;
    int rc = 0, entries = 0;
    for (;;) {
        uint64_t hdr_off = in->offset;
        in->cur = "a tar header";
        int64_t got = in_read(in, h, TAR_BLOCK, e);
        if (got < 0) { rc = e->code; break; }
        if (got == 0 && entries > 0) break; /* no end marker: judged by what is missing */
        if (got < TAR_BLOCK) {
            rc = lc_fail(e, LC_EDATA, "%s: %s", c->src, entries ? "truncated archive: ends inside a tar header"
                                                              : "not a tar archive (gzip content too short)");
            break;
        }
        if (block_is_zero(h)) break; /* end-of-archive marker */
        if (!tar_checksum_ok(h)) {
            rc = entries ? lc_fail(e, LC_EDATA, "%s: corrupt tar header at byte %llu of the tar stream",
                                   c->src, (unsigned long long)hdr_off)
                         : lc_fail(e, LC_EDATA, "%s: not a tar archive (gzip content has no tar header)", c->src);
            break;
        }
        entries++;
        uint64_t size;
        if (tar_number(h + 124, 12, &size) || size > (1ull << 40)) {
            rc = lc_fail(e, LC_EDATA, "%s: corrupt tar header at byte %llu (bad size field)", c->src,
                         (unsigned long long)hdr_off);
            break;
        }
        uint64_t pad = (TAR_BLOCK - size % TAR_BLOCK) % TAR_BLOCK;
        char type = (char)h[156];
        if (type == 'L' || type == 'x') {
            if (!ext && !(ext = lc_malloc(META_MAX, e))) { rc = e->code; break; }
            in->cur = "a tar extended header";
            if ((rc = tar_small_entry(in, size, ext, META_MAX, e))) break;
            if (type == 'L') snprintf(longname, sizeof longname, "%s", ext);
            else pax_path(ext, (size_t)size, longname, sizeof longname);
            continue;
        }
        tar_name(h, longname, name, sizeof name);
        longname[0] = '\0';
        in->cur = name;
        int idx = (type == '0' || type == '\0' || type == '7') ? member_index(name) : -1;
        if (idx < 0) {
            if ((rc = in_skip(in, size + pad, name, e))) break;
            continue;
        }
        snprintf(where, sizeof where, "%s: member %s", c->src, name);
        if ((rc = handle_member(c, in, idx, (int64_t)size, where, e))) break;
        if ((rc = in_skip(in, pad, name, e))) break;
    }
    free(ext);
    return rc;
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
    o->tmp_path = NULL;
}

void lc_prep_tmp_path(const char *out, char *buf, size_t n) {
    snprintf(buf, n, "%s.tmp.%ld", out, (long)getpid());
}

static int check_paths(const char *src, const char *out, int force, lc_err *e) {
    struct stat st;
    if (stat(src, &st) != 0) return lc_fail(e, LC_EIO, "%s: cannot open: %s", src, strerror(errno));
    if (lstat(out, &st) == 0) {
        if (S_ISDIR(st.st_mode)) return lc_fail(e, LC_EARG, "%s: output is a directory", out);
        if (!force)
            return lc_fail(e, LC_EARG, "%s: already exists; use --force to replace it", out);
    }
    return 0;
}

static int run(conv *c, input *in, const lc_prep_opts *o, lc_err *e) {
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
    if (finish_file(c, e)) return e->code;
    return commit_output(c, o->force, e);
}

static void close_all(conv *c) {
    for (int s = 0; s < 2; s++) {
        if (c->img[s] >= 0) H5Dclose(c->img[s]);
        if (c->lab[s] >= 0) H5Dclose(c->lab[s]);
    }
    if (c->gcpl >= 0) H5Pclose(c->gcpl);
    if (c->ccpl >= 0) H5Pclose(c->ccpl);
    if (c->file >= 0) H5Fclose(c->file);
}

int lc_cifar_convert(const char *src, const char *out, const lc_prep_opts *opts,
                     lc_prep_result *res, lc_err *e) {
    memset(res, 0, sizeof *res);
    int64_t R = opts->records_per_batch;
    if (strlen(src) > 4000 || strlen(out) > 4000)
        return lc_fail(e, LC_EARG, "path too long: %.80s...", strlen(src) > 4000 ? src : out);
    if (R < 1 || R > LC_CIFAR_MAX_RECORDS)
        return lc_fail(e, LC_EARG, "--records-per-batch %lld: must be 1..%d", (long long)R,
                       LC_CIFAR_MAX_RECORDS);
    if (check_paths(src, out, opts->force, e)) return e->code;

    char tmp[8192];
    if (opts->tmp_path) snprintf(tmp, sizeof tmp, "%s", opts->tmp_path);
    else lc_prep_tmp_path(out, tmp, sizeof tmp);
    conv c = {.src = src, .out = out, .tmp = tmp, .R = R, .file = -1,
              .img = {-1, -1}, .lab = {-1, -1}, .gcpl = -1, .ccpl = -1, .res = res};
    base_name(src, res->source, sizeof res->source);
    res->n_train = LC_CIFAR_TRAIN_BATCHES * R;
    res->n_test = R;

    /* Our messages replace HDF5's automatic error stack dump. */
    H5E_auto2_t old_fn;
    void *old_data;
    H5Eget_auto2(H5E_DEFAULT, &old_fn, &old_data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);

    int rc = 0;
    c.rec = lc_malloc((size_t)member_bytes(BLOCK_RECORDS), e);
    if (!c.rec) rc = e->code;
    input in = {.src = src, .cur = "the archive"};
    if (rc == 0) rc = run(&c, &in, opts, e);
    if (in.gz) gzclose(in.gz);
    close_all(&c);
    if (c.tmp_created) unlink(tmp);
    free(c.rec);
    H5Eset_auto2(H5E_DEFAULT, old_fn, old_data);
    return rc;
}
