/* io: atomic output, space reservation, signal cleanup of temporaries, the
 * dataset header and /classes, HDF5 error handling. See include/lincls/io.h. */
#define _GNU_SOURCE /* fallocate, memfd_create */
#include "lincls/io.h"
#include "lincls/h5util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* --- signal cleanup -------------------------------------------------------- */

/* Temporaries to remove if a signal ends the process. The handler only reads
 * the table and calls unlink, sigaction and raise (async-signal-safe); the
 * table is changed with those signals blocked. */
enum { SLOTS = 8, NSIGS = 3 };
static const int k_sigs[NSIGS] = {SIGINT, SIGTERM, SIGHUP};
static char g_clean[SLOTS][LC_TMP_MAX];
static volatile sig_atomic_t g_used[SLOTS];
static struct sigaction g_old[NSIGS];
static int g_taken[NSIGS]; /* our handler is installed for k_sigs[i] */
static int g_count;

static void on_signal(int sig) {
    for (int i = 0; i < SLOTS; i++)
        if (g_used[i]) unlink(g_clean[i]);
    /* Only signals whose action was the default are taken: restore it and
     * let the pending signal end the process once the handler returns. */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    raise(sig);
}

static void block_signals(sigset_t *old) {
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < NSIGS; i++) sigaddset(&set, k_sigs[i]);
    sigprocmask(SIG_BLOCK, &set, old);
}

static int cleanup_add(const char *tmp) {
    sigset_t old;
    block_signals(&old);
    int slot = -1;
    for (int i = 0; i < SLOTS && slot < 0; i++)
        if (!g_used[i]) slot = i;
    if (slot >= 0) {
        snprintf(g_clean[slot], sizeof g_clean[slot], "%s", tmp);
        g_used[slot] = 1;
        if (g_count++ == 0) {
            struct sigaction sa;
            memset(&sa, 0, sizeof sa);
            sa.sa_handler = on_signal;
            sigemptyset(&sa.sa_mask);
            for (int i = 0; i < NSIGS; i++) sigaddset(&sa.sa_mask, k_sigs[i]);
            for (int i = 0; i < NSIGS; i++) {
                /* A signal someone ignores or handles stays theirs. */
                g_taken[i] = sigaction(k_sigs[i], NULL, &g_old[i]) == 0 &&
                             !(g_old[i].sa_flags & SA_SIGINFO) && g_old[i].sa_handler == SIG_DFL &&
                             sigaction(k_sigs[i], &sa, NULL) == 0;
            }
        }
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    return slot;
}

static void cleanup_remove(int slot) {
    if (slot < 0) return;
    sigset_t old;
    block_signals(&old);
    g_used[slot] = 0;
    if (--g_count == 0)
        for (int i = 0; i < NSIGS; i++)
            if (g_taken[i]) {
                sigaction(k_sigs[i], &g_old[i], NULL);
                g_taken[i] = 0;
            }
    sigprocmask(SIG_SETMASK, &old, NULL);
}

/* --- atomic output ---------------------------------------------------------- */

void lc_out_init(lc_out *o) {
    memset(o, 0, sizeof *o);
    o->fd = -1;
    o->slot = -1;
}

static uint64_t mix64(uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

int lc_out_open(lc_out *o, const char *path, int flags, lc_err *e) {
    static uint64_t counter;
    lc_out_init(o);
    if (!path[0]) return lc_fail(e, LC_EARG, "the output file name is empty");
    if (strlen(path) >= sizeof o->path) return lc_fail(e, LC_EARG, "%.80s...: output path too long", path);
    snprintf(o->path, sizeof o->path, "%s", path);
    /* pid + a random suffix; O_EXCL makes the name ours alone. */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = mix64(((uint64_t)ts.tv_sec << 30) ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 20));
    int err = 0;
    for (int attempt = 0; attempt < 100; attempt++) {
        x = mix64(x ^ ++counter);
        snprintf(o->tmp, sizeof o->tmp, "%s.tmp.%ld.%08llx", path, (long)getpid(),
                 (unsigned long long)(x & 0xffffffffu));
        o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (o->fd >= 0 || (err = errno) != EEXIST) break;
    }
    if (o->fd < 0)
        return lc_fail(e, LC_EIO, "%s: cannot create output (temporary %s): %s", path, o->tmp, strerror(err));
    if (flags & LC_OUT_SIGNALS) o->slot = cleanup_add(o->tmp);
    return 0;
}

void lc_out_join(lc_out *o, const char *path, const char *tmp, int flags) {
    lc_out_init(o);
    snprintf(o->path, sizeof o->path, "%s", path);
    snprintf(o->tmp, sizeof o->tmp, "%s", tmp);
    if (flags & LC_OUT_SIGNALS) o->slot = cleanup_add(o->tmp);
}

int lc_out_write(lc_out *o, const void *buf, size_t n, lc_err *e) {
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(o->fd, p, n > (1u << 30) ? (1u << 30) : n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0)
            return lc_fail(e, LC_EIO, "%s: cannot write (temporary %s): %s", o->path, o->tmp,
                           w < 0 ? strerror(errno) : "no progress");
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int lc_out_reserve(lc_out *o, uint64_t data_bytes, lc_err *e) {
    if (o->fd < 0 || data_bytes == 0) return 0;
    /* HDF5's own structures: ~20 KB for a CIFAR-10 file; generous room. */
    uint64_t bytes = data_bytes + (64u << 10) + data_bytes / 1024;
    /* A file-size limit (ulimit -f) is not checked by a reservation. */
    struct rlimit lim;
    if (getrlimit(RLIMIT_FSIZE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY && bytes > (uint64_t)lim.rlim_cur)
        return lc_fail(e, LC_EIO, "%s: no room for the output (%.1f MB; temporary %s): %s (the file-size limit, "
                       "ulimit -f, is %.1f MB)", o->path, (double)bytes / 1e6, o->tmp, strerror(EFBIG),
                       (double)lim.rlim_cur / 1e6);
#ifdef FALLOC_FL_KEEP_SIZE
    /* Test hook: LINCLS_IO_NO_RESERVE=1 skips the reservation, so a test on a
     * small file system reaches a write that fails midway. */
    const char *skip = getenv("LINCLS_IO_NO_RESERVE");
    if (skip && skip[0] == '1') return 0;
    if (fallocate(o->fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)bytes) == 0) {
        o->reserved = 1;
        return 0;
    }
    int err = errno;
    if (err == ENOSPC || err == EDQUOT || err == EFBIG)
        return lc_fail(e, LC_EIO, "%s: no room for the output (%.1f MB; temporary %s): %s", o->path,
                       (double)bytes / 1e6, o->tmp, strerror(err));
    /* EOPNOTSUPP and the like: written without a reservation. */
#endif
    return 0;
}

void lc_out_empty(lc_out *o) {
    if (o->fd >= 0 && ftruncate(o->fd, 0) != 0) {
        /* best effort: the file is removed anyway */
    }
}

static void fsync_dir_of(const char *path) {
    char dir[LC_PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash) snprintf(dir, sizeof dir, ".");
    else if (slash == dir) dir[1] = '\0';
    else *slash = '\0';
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd); /* best effort: some file systems refuse directory fsync */
        close(fd);
    }
}

/* Test hook: LINCLS_IO_COMMIT_DELAY_MS pauses before a finished temporary is
 * made durable and renamed, so a test can signal the process while it exists. */
static void commit_delay(void) {
    const char *s = getenv("LINCLS_IO_COMMIT_DELAY_MS");
    long ms = s ? atol(s) : 0;
    if (ms <= 0) return;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int lc_out_commit(lc_out *o, int replace, lc_err *e) {
    if (o->fd < 0) return lc_fail(e, LC_EINTERNAL, "%s: no temporary file to commit", o->path);
    commit_delay();
    struct stat st;
    if (o->reserved && fstat(o->fd, &st) == 0 && ftruncate(o->fd, st.st_size) != 0) {
        /* the unused reservation stays allocated: harmless */
    }
    int rc = 0;
    if (fsync(o->fd) != 0)
        rc = lc_fail(e, LC_EIO, "%s: cannot write (fsync of temporary %s): %s", o->path, o->tmp, strerror(errno));
    /* close may report a deferred write error (network file systems) */
    if (close(o->fd) != 0 && rc == 0)
        rc = lc_fail(e, LC_EIO, "%s: cannot write (closing temporary %s): %s", o->path, o->tmp, strerror(errno));
    o->fd = -1;
    if (rc == 0) {
        if (!replace && link(o->tmp, o->path) == 0) {
            unlink(o->tmp);
        } else if (!replace && errno == EEXIST) {
            rc = lc_fail(e, LC_EARG, "%s: already exists (it appeared while the output was written); not replaced",
                         o->path);
        } else if (rename(o->tmp, o->path) != 0) {
            rc = lc_fail(e, LC_EIO, "%s: cannot rename the temporary %s into place: %s", o->path, o->tmp,
                         strerror(errno));
        }
    }
    if (rc) unlink(o->tmp);
    cleanup_remove(o->slot);
    o->slot = -1;
    if (rc == 0) fsync_dir_of(o->path);
    return rc;
}

void lc_out_discard(lc_out *o) {
    if (o->fd >= 0) {
        close(o->fd);
        o->fd = -1;
        unlink(o->tmp);
    }
    cleanup_remove(o->slot);
    o->slot = -1;
}

void lc_io_init_process(void) {
    signal(SIGXFSZ, SIG_IGN);
    H5dont_atexit();
}

/* --- file names ------------------------------------------------------------- */

/* The folder holding path: its device and inode. */
static int parent_of(const char *path, struct stat *st) {
    char dir[LC_PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/') dir[--len] = '\0';
    char *slash = strrchr(dir, '/');
    if (!slash) snprintf(dir, sizeof dir, ".");
    else if (slash == dir) dir[1] = '\0';
    else *slash = '\0';
    return stat(dir, st);
}

int lc_io_same_file(const char *a, const char *b) {
    if (!a[0] || !b[0]) return 0;
    struct stat sa, sb;
    int ea = stat(a, &sa) == 0, eb = stat(b, &sb) == 0;
    if (ea && eb) return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    if (ea || eb) return 0;
    /* Neither exists yet: the same name in the same folder. */
    char na[LC_PATH_MAX], nb[LC_PATH_MAX];
    return parent_of(a, &sa) == 0 && parent_of(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino &&
           strcmp(lc_io_base_name(a, na, sizeof na), lc_io_base_name(b, nb, sizeof nb)) == 0;
}

const char *lc_io_base_name(const char *path, char *buf, size_t n) {
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/') len--; /* "dir/" names "dir" */
    size_t start = len;
    while (start > 0 && path[start - 1] != '/') start--;
    snprintf(buf, n, "%.*s", (int)(len - start), path + start);
    return buf;
}

uint64_t lc_io_chunked_bytes(int64_t n, int64_t chunk_rows, uint64_t row_bytes) {
    if (n <= 0) return 0;
    if (chunk_rows < 1) chunk_rows = 1;
    uint64_t chunks = (uint64_t)((n + chunk_rows - 1) / chunk_rows);
    return chunks * (uint64_t)chunk_rows * row_bytes;
}

/* --- HDF5 -------------------------------------------------------------------- */

void lc_h5_quiet(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

typedef struct {
    char *buf;
    size_t n;
} errbuf;

/* Keeps the innermost description; of a failed system call (HDF5 writes
 * "..., errno = 28, error message = 'No space left on device', ...") only
 * the system's message. */
static herr_t walk_cb(unsigned i, const H5E_error2_t *err, void *data) {
    (void)i;
    errbuf *b = data;
    if (!err->desc || !err->desc[0]) return 0;
    const char *sys = strstr(err->desc, "error message = '");
    if (sys) {
        sys += strlen("error message = '");
        const char *end = strchr(sys, '\'');
        snprintf(b->buf, b->n, "%.*s", (int)(end ? end - sys : (long)strlen(sys)), sys);
    } else {
        snprintf(b->buf, b->n, "%s", err->desc);
    }
    return 0;
}

const char *lc_h5_errmsg(char *buf, size_t n) {
    errbuf b = {buf, n};
    snprintf(buf, n, "unknown HDF5 error");
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, walk_cb, &b);
    return buf;
}

void lc_h5_divert(hid_t f) {
#ifdef MFD_CLOEXEC
    hid_t fapl = H5Fget_access_plist(f);
    if (fapl < 0) return;
    hid_t driver = H5Pget_driver(fapl);
    H5Pclose(fapl);
    void *handle = NULL;
    if (driver != H5FD_SEC2 || H5Fget_vfd_handle(f, H5P_DEFAULT, &handle) < 0 || !handle) return;
    int mem = memfd_create("lincls-discarded", MFD_CLOEXEC);
    if (mem < 0) return;
    dup2(mem, *(int *)handle); /* the file's descriptor now names the memory file */
    close(mem);
#else
    (void)f;
#endif
}

int lc_h5_put_dataset_header(hid_t f) {
    return lc_h5_put_str_attr(f, "format", LC_DATASET_FORMAT) || lc_h5_put_int_attr(f, "version", LC_DATASET_VERSION)
               ? -1 : 0;
}

/* n names packed at `width` bytes each (NUL-padded), and their string type. */
static char *pack_names(const char *names, size_t stride, int n, size_t width, hid_t *type) {
    char *buf = calloc(n > 0 ? (size_t)n : 1, width);
    *type = H5Tcopy(H5T_C_S1);
    if (!buf || *type < 0 || H5Tset_size(*type, width) < 0 || H5Tset_strpad(*type, H5T_STR_NULLTERM) < 0 ||
        H5Tset_cset(*type, H5T_CSET_ASCII) < 0) {
        free(buf);
        if (*type >= 0) H5Tclose(*type);
        *type = -1;
        return NULL;
    }
    for (int k = 0; k < n; k++) {
        const char *s = names + (size_t)k * stride;
        size_t len = strnlen(s, width - 1);
        memcpy(buf + (size_t)k * width, s, len);
    }
    return buf;
}

int lc_h5_write_classes(hid_t f, const char *names, size_t stride, int n, hid_t dcpl, hid_t dxpl,
                        int writer) {
    size_t width = 1;
    for (int k = 0; k < n; k++) {
        size_t len = strnlen(names + (size_t)k * stride, stride - 1);
        if (len + 1 > width) width = len + 1;
    }
    hid_t t;
    char *buf = pack_names(names, stride, n, width, &t);
    if (!buf) return -1;
    hsize_t dims = (hsize_t)n;
    hid_t fs = H5Screate_simple(1, &dims, NULL), ms = H5Screate_simple(1, &dims, NULL);
    hid_t d = fs >= 0 ? H5Dcreate2(f, "classes", t, fs, H5P_DEFAULT, dcpl, H5P_DEFAULT) : -1;
    if (!writer && fs >= 0 && ms >= 0) { /* still takes part in a collective write */
        H5Sselect_none(fs);
        H5Sselect_none(ms);
    }
    int bad = d < 0 || ms < 0 || H5Dwrite(d, t, ms, fs, dxpl, buf) < 0;
    if (d >= 0) bad |= H5Dclose(d) < 0;
    if (ms >= 0) H5Sclose(ms);
    if (fs >= 0) H5Sclose(fs);
    H5Tclose(t);
    free(buf);
    return bad ? -1 : 0;
}

int lc_h5_put_names_attr(hid_t loc, const char *name, const char *names, size_t stride, int n,
                         size_t width) {
    hid_t t;
    char *buf = pack_names(names, stride, n, width, &t);
    if (!buf) return -1;
    hsize_t dims = (hsize_t)n;
    hid_t s = H5Screate_simple(1, &dims, NULL);
    hid_t a = s >= 0 ? H5Acreate2(loc, name, t, s, H5P_DEFAULT, H5P_DEFAULT) : -1;
    int bad = a < 0 || H5Awrite(a, t, buf) < 0;
    if (a >= 0) bad |= H5Aclose(a) < 0;
    if (s >= 0) H5Sclose(s);
    H5Tclose(t);
    free(buf);
    return bad ? -1 : 0;
}
