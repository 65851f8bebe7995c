/* h5util: HDF5 helpers shared by the dataset, checkpoint, converter and
 * features code. The readers check shape, class and size before every read:
 * a file may hold anything (see the header). */
#define _POSIX_C_SOURCE 200809L
#include "lincls/h5util.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest fixed-length string element we read (the longest string any lincls
 * file holds is a features recipe of a few hundred bytes). */
#define LC_H5_STR_MAX ((size_t)1 << 20)

int lc_h5_put_attr(hid_t loc, const char *name, hid_t type, const void *v) {
    hid_t s = H5Screate(H5S_SCALAR);
    hid_t a = s >= 0 ? H5Acreate2(loc, name, type, s, H5P_DEFAULT, H5P_DEFAULT) : -1;
    int ok = a >= 0 && H5Awrite(a, type, v) >= 0;
    if (a >= 0) H5Aclose(a);
    if (s >= 0) H5Sclose(s);
    return ok ? 0 : -1;
}

int lc_h5_put_str_attr(hid_t loc, const char *name, const char *v) {
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0) return -1;
    H5Tset_size(t, strlen(v) + 1);
    H5Tset_strpad(t, H5T_STR_NULLTERM);
    int rc = lc_h5_put_attr(loc, name, t, v);
    H5Tclose(t);
    return rc;
}

int lc_h5_put_int_attr(hid_t loc, const char *name, int v) {
    hid_t s = H5Screate(H5S_SCALAR);
    hid_t a = s >= 0 ? H5Acreate2(loc, name, H5T_STD_I32LE, s, H5P_DEFAULT, H5P_DEFAULT) : -1;
    int ok = a >= 0 && H5Awrite(a, H5T_NATIVE_INT, &v) >= 0;
    if (a >= 0) H5Aclose(a);
    if (s >= 0) H5Sclose(s);
    return ok ? 0 : -1;
}

/* --- describing what a file holds ------------------------------------------------ */
static void append(char *buf, size_t n, size_t *used, const char *fmt, const char *s, long long v) {
    if (*used >= n) return;
    int k = s ? snprintf(buf + *used, n - *used, fmt, s) : snprintf(buf + *used, n - *used, fmt, v);
    if (k > 0) *used += (size_t)k;
    if (*used >= n) *used = n - 1;
}

const char *lc_h5_describe(hid_t type, hid_t space, char *buf, size_t n) {
    size_t used = 0;
    char t[96];
    if (!buf || n == 0) return "";
    buf[0] = '\0';
    H5T_class_t cls = type >= 0 ? H5Tget_class(type) : H5T_NO_CLASS;
    size_t sz = type >= 0 ? H5Tget_size(type) : 0;
    switch (cls) {
    case H5T_INTEGER:
        snprintf(t, sizeof t, "%sint%zu", H5Tget_sign(type) == H5T_SGN_NONE ? "u" : "", 8 * sz);
        break;
    case H5T_FLOAT: snprintf(t, sizeof t, "float%zu", 8 * sz); break;
    case H5T_STRING: {
        const char *cs = H5Tget_cset(type) == H5T_CSET_UTF8 ? "UTF-8" : "ASCII";
        if (H5Tis_variable_str(type) > 0) snprintf(t, sizeof t, "variable-length %s string", cs);
        else snprintf(t, sizeof t, "%zu-byte %s string", sz, cs);
        break;
    }
    case H5T_COMPOUND: snprintf(t, sizeof t, "compound (%zu bytes)", sz); break;
    case H5T_ENUM: snprintf(t, sizeof t, "enum (%zu bytes)", sz); break;
    case H5T_VLEN: snprintf(t, sizeof t, "variable-length sequence"); break;
    case H5T_ARRAY: snprintf(t, sizeof t, "array type (%zu bytes)", sz); break;
    case H5T_OPAQUE: snprintf(t, sizeof t, "opaque (%zu bytes)", sz); break;
    case H5T_REFERENCE: snprintf(t, sizeof t, "reference"); break;
    case H5T_BITFIELD: snprintf(t, sizeof t, "bitfield (%zu bytes)", sz); break;
    case H5T_TIME: snprintf(t, sizeof t, "time"); break;
    default: snprintf(t, sizeof t, "unknown type"); break;
    }
    H5S_class_t sc = space >= 0 ? H5Sget_simple_extent_type(space) : H5S_NO_CLASS;
    if (sc == H5S_SCALAR) {
        append(buf, n, &used, "scalar %s", t, 0);
    } else if (sc == H5S_NULL) {
        append(buf, n, &used, "empty (null dataspace) %s", t, 0);
    } else if (sc == H5S_SIMPLE) {
        hsize_t dims[H5S_MAX_RANK];
        int r = H5Sget_simple_extent_ndims(space);
        if (r < 0 || r > H5S_MAX_RANK || H5Sget_simple_extent_dims(space, dims, NULL) < 0) r = 0;
        append(buf, n, &used, "%s [", t, 0);
        for (int i = 0; i < r; i++) append(buf, n, &used, i ? ",%lld" : "%lld", NULL, (long long)dims[i]);
        append(buf, n, &used, "]", "", 0);
    } else {
        append(buf, n, &used, "%s (unreadable dataspace)", t, 0);
    }
    return buf;
}

static int attr_exists(hid_t loc, const char *name) { return H5Aexists(loc, name) > 0; }

const char *lc_h5_attr_found(hid_t loc, const char *name, char *buf, size_t n) {
    if (!attr_exists(loc, name)) {
        snprintf(buf, n, "absent");
        return buf;
    }
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    hid_t t = a >= 0 ? H5Aget_type(a) : -1, s = a >= 0 ? H5Aget_space(a) : -1;
    if (a < 0) snprintf(buf, n, "unreadable");
    else lc_h5_describe(t, s, buf, n);
    if (t >= 0) H5Tclose(t);
    if (s >= 0) H5Sclose(s);
    if (a >= 0) H5Aclose(a);
    return buf;
}

/* Opens dataset path under loc; -1 when there is none (missing link, a group,
 * a missing intermediate group). */
static hid_t open_dset(hid_t loc, const char *path) {
    /* H5Lexists needs every intermediate group to exist: check each prefix */
    char part[1024];
    size_t len = strlen(path);
    if (len == 0 || len >= sizeof part) return -1;
    for (size_t i = 1; i <= len; i++) {
        if (path[i] != '/' && path[i] != '\0') continue;
        memcpy(part, path, i);
        part[i] = '\0';
        if (strcmp(part, "/") == 0) continue;
        if (H5Lexists(loc, part, H5P_DEFAULT) <= 0) return -1;
    }
    H5O_info_t oi;
    if (H5Oget_info_by_name(loc, path, &oi, H5P_DEFAULT) < 0 || oi.type != H5O_TYPE_DATASET) return -1;
    return H5Dopen2(loc, path, H5P_DEFAULT);
}

const char *lc_h5_dset_found(hid_t loc, const char *path, char *buf, size_t n) {
    hid_t d = open_dset(loc, path);
    if (d < 0) {
        H5O_info_t oi;
        if (H5Lexists(loc, path, H5P_DEFAULT) > 0 && H5Oget_info_by_name(loc, path, &oi, H5P_DEFAULT) >= 0)
            snprintf(buf, n, "%s", oi.type == H5O_TYPE_GROUP ? "a group" : "not a dataset");
        else if (H5Lexists(loc, path, H5P_DEFAULT) > 0)
            snprintf(buf, n, "a link that leads nowhere (dangling soft or external link)");
        else
            snprintf(buf, n, "absent");
        return buf;
    }
    hid_t t = H5Dget_type(d), s = H5Dget_space(d);
    lc_h5_describe(t, s, buf, n);
    H5Tclose(t);
    H5Sclose(s);
    H5Dclose(d);
    return buf;
}

const char *lc_h5_dset_unreadable(hid_t loc, const char *path, char *buf, size_t n) {
    hid_t d = open_dset(loc, path);
    if (d < 0) {
        snprintf(buf, n, "it cannot be opened");
        return buf;
    }
    const char *why = NULL;
    hid_t dcpl = H5Dget_create_plist(d), s = H5Dget_space(d);
    int nf = dcpl >= 0 ? H5Pget_nfilters(dcpl) : 0;
    for (int i = 0; i < nf && !why; i++) {
        unsigned flags = 0, cd[8];
        size_t ncd = 8;
        char name[64] = "";
        H5Z_filter_t id = H5Pget_filter2(dcpl, (unsigned)i, &flags, &ncd, cd, sizeof name, name, NULL);
        if (id >= 0 && H5Zfilter_avail(id) <= 0) {
            snprintf(buf, n, "it is compressed with filter %d (%s), which this HDF5 library cannot decode: "
                     "rewrite it with gzip or without compression", (int)id, name[0] ? name : "unknown");
            why = buf;
        }
    }
    H5D_space_status_t st;
    if (!why && s >= 0 && H5Sget_simple_extent_npoints(s) > 0 && H5Dget_space_status(d, &st) >= 0 &&
        st == H5D_SPACE_STATUS_NOT_ALLOCATED) {
        snprintf(buf, n, "it holds no data (created but never written)");
        why = buf;
    }
    if (dcpl >= 0) H5Pclose(dcpl);
    if (s >= 0) H5Sclose(s);
    H5Dclose(d);
    return why;
}

int lc_h5_dset_shape(hid_t loc, const char *path, int maxdims, int *rank, hsize_t *dims,
                     H5T_class_t *cls, size_t *size, int *is_signed) {
    hid_t d = open_dset(loc, path);
    if (d < 0) return LC_H5_MISSING;
    hid_t s = H5Dget_space(d), t = H5Dget_type(d);
    int rc = 0;
    int r = s >= 0 && H5Sget_simple_extent_type(s) == H5S_SIMPLE ? H5Sget_simple_extent_ndims(s) : -1;
    if (r < 0 || r > H5S_MAX_RANK) {
        r = -1;
        rc = LC_H5_WRONG;
    } else {
        hsize_t all[H5S_MAX_RANK];
        if (H5Sget_simple_extent_dims(s, all, NULL) < 0) rc = LC_H5_WRONG;
        for (int i = 0; i < r && i < maxdims; i++) dims[i] = all[i];
    }
    *rank = r;
    *cls = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
    *size = t >= 0 ? H5Tget_size(t) : 0;
    if (is_signed) *is_signed = *cls == H5T_INTEGER && H5Tget_sign(t) != H5T_SGN_NONE;
    if (t >= 0) H5Tclose(t);
    if (s >= 0) H5Sclose(s);
    H5Dclose(d);
    return rc;
}

/* --- reading ------------------------------------------------------------------- */
/* Number of elements of a space: 1 for scalar, -1 for null or unreadable. */
static hssize_t space_points(hid_t s) {
    H5S_class_t c = H5Sget_simple_extent_type(s);
    if (c == H5S_SCALAR) return 1;
    if (c != H5S_SIMPLE) return -1;
    return H5Sget_simple_extent_npoints(s);
}

int lc_h5_get_attr(hid_t loc, const char *name, hid_t mem_type, void *out) {
    if (!attr_exists(loc, name)) return LC_H5_MISSING;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0) return LC_H5_WRONG;
    hid_t ft = H5Aget_type(a), s = H5Aget_space(a);
    H5T_class_t fc = ft >= 0 ? H5Tget_class(ft) : H5T_NO_CLASS, mc = H5Tget_class(mem_type);
    int class_ok = fc == H5T_INTEGER || (fc == H5T_FLOAT && mc == H5T_FLOAT);
    /* read into a local buffer first: nothing is written to out unless the read worked */
    unsigned char tmp[16];
    size_t msz = H5Tget_size(mem_type);
    int ok = s >= 0 && space_points(s) == 1 && class_ok && msz <= sizeof tmp &&
             H5Aread(a, mem_type, tmp) >= 0;
    if (ok) memcpy(out, tmp, msz);
    if (ft >= 0) H5Tclose(ft);
    if (s >= 0) H5Sclose(s);
    H5Aclose(a);
    return ok ? 0 : LC_H5_WRONG;
}

/* Copy a string of len bytes into dst (width bytes), stopping at the first
 * NUL. clean: replace invalid UTF-8 and control characters by '?' and cut at
 * a character boundary; otherwise copy the bytes as they are. Returns 1 when
 * all of it fit. */
static int copy_str(char *dst, size_t width, const char *src, size_t len, int clean) {
    size_t o = 0, i = 0;
    if (!clean) {
        while (i < len && src[i] != '\0') i++;
        int fit = i <= width - 1;
        if (!fit) i = width - 1;
        memcpy(dst, src, i);
        dst[i] = '\0';
        return fit;
    }
    int fit = 1;
    while (i < len && src[i] != '\0') {
        unsigned char c = (unsigned char)src[i];
        size_t k = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        int valid = k > 0 && i + k <= len && !(k == 2 && c < 0xC2) && !(k == 4 && c > 0xF4);
        for (size_t j = 1; valid && j < k; j++)
            if (((unsigned char)src[i + j] & 0xC0) != 0x80) valid = 0;
        if (k == 1 && c < 0x20) valid = 0;
        if (!valid) k = 1;
        if (o + k > width - 1) {
            fit = 0;
            break;
        }
        if (valid) memcpy(dst + o, src + i, k);
        else dst[o] = '?';
        o += k;
        i += k;
    }
    dst[o] = '\0';
    return fit;
}

/* Strip the padding of a fixed-length element of sz bytes: the length up to
 * the first NUL, then (SPACEPAD) without trailing spaces. */
static size_t fixed_len(const char *p, size_t sz, H5T_str_t pad) {
    size_t len = 0;
    while (len < sz && p[len] != '\0') len++;
    if (pad == H5T_STR_SPACEPAD)
        while (len > 0 && p[len - 1] == ' ') len--;
    return len;
}

/* The work of lc_h5_read_strings (strict = 0: names, cleaned and cut) and
 * lc_h5_get_str_attr (strict = 1: verbatim, and a string that does not fit fails). */
static int read_strings(hid_t obj, int is_attr, size_t count, char *out, size_t width, int strict) {
    for (size_t i = 0; i < count; i++) out[i * width] = '\0';
    if (width == 0 || count == 0) return LC_H5_WRONG;
    hid_t ft = is_attr ? H5Aget_type(obj) : H5Dget_type(obj);
    hid_t s = is_attr ? H5Aget_space(obj) : H5Dget_space(obj);
    int rc = LC_H5_WRONG;
    if (ft < 0 || s < 0 || H5Tget_class(ft) != H5T_STRING || space_points(s) != (hssize_t)count) goto done;
    if (H5Tis_variable_str(ft) > 0) {
        char **p = calloc(count, sizeof *p);
        hid_t mt = H5Tcopy(H5T_C_S1);
        /* HDF5 does not convert between character sets: read in the file's */
        if (p && mt >= 0 && H5Tset_size(mt, H5T_VARIABLE) >= 0 && H5Tset_cset(mt, H5Tget_cset(ft)) >= 0 &&
            H5Tset_strpad(mt, H5Tget_strpad(ft)) >= 0) {
            herr_t r = is_attr ? H5Aread(obj, mt, p) : H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, p);
            if (r >= 0) {
                rc = 0;
                for (size_t i = 0; i < count; i++) {
                    const char *v = p[i] ? p[i] : "";
                    if (!copy_str(out + i * width, width, v, strlen(v), !strict) && strict) rc = LC_H5_WRONG;
                }
                H5Dvlen_reclaim(mt, s, H5P_DEFAULT, p);
            }
        }
        if (mt >= 0) H5Tclose(mt);
        free(p);
    } else {
        size_t sz = H5Tget_size(ft);
        char *raw = sz > 0 && sz <= LC_H5_STR_MAX ? calloc(count, sz) : NULL;
        hid_t mt = raw ? H5Tcopy(ft) : -1; /* the file's own type: raw bytes, no conversion */
        if (mt >= 0) {
            H5T_str_t pad = H5Tget_strpad(ft);
            herr_t r = is_attr ? H5Aread(obj, mt, raw) : H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw);
            if (r >= 0) {
                rc = 0;
                for (size_t i = 0; i < count; i++) {
                    const char *v = raw + i * sz;
                    if (!copy_str(out + i * width, width, v, fixed_len(v, sz, pad), !strict) && strict) rc = LC_H5_WRONG;
                }
            }
            H5Tclose(mt);
        }
        free(raw);
    }
done:
    if (rc) for (size_t i = 0; i < count; i++) out[i * width] = '\0';
    if (ft >= 0) H5Tclose(ft);
    if (s >= 0) H5Sclose(s);
    return rc;
}

int lc_h5_read_strings(hid_t obj, int is_attr, size_t count, char *out, size_t width) {
    return read_strings(obj, is_attr, count, out, width, 0);
}

int lc_h5_get_str_attr(hid_t loc, const char *name, char *buf, size_t n) {
    if (n == 0) return LC_H5_WRONG;
    buf[0] = '\0';
    if (!attr_exists(loc, name)) return LC_H5_MISSING;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0) return LC_H5_WRONG;
    int rc = read_strings(a, 1, 1, buf, n, 1);
    H5Aclose(a);
    return rc;
}

const char *lc_file_problem(const char *path) {
    struct stat st;
    if (!path || !path[0]) return "is an empty path";
    if (stat(path, &st) != 0) return errno == ENOENT || errno == ENOTDIR ? "does not exist" : "cannot be accessed";
    if (S_ISDIR(st.st_mode)) return "is a directory, not a file";
    if (!S_ISREG(st.st_mode)) return "is not a regular file (a device, pipe or socket)";
    int fd = open(path, O_RDONLY | O_NONBLOCK);
    if (fd < 0) return errno == EACCES ? "is not readable (permission denied)" : "cannot be opened";
    close(fd);
    return NULL;
}
