/* h5util: the HDF5 helpers every file writer and reader needs.
 *
 * Readers never trust a file: an attribute or dataset may have any shape and
 * any type (h5py writes Python strings as variable-length UTF-8, np.bytes_ as
 * fixed-length NULLPAD ASCII, lists as arrays). Each reader checks the
 * dataspace, class and size before reading and returns 0, LC_H5_MISSING or
 * LC_H5_WRONG; lc_h5_describe / lc_h5_attr_found then say what the file holds,
 * for the caller's message (which names the file). */
#ifndef LINCLS_H5UTIL_H
#define LINCLS_H5UTIL_H

#include <hdf5.h>
#include <stddef.h>

enum { LC_H5_MISSING = -1, LC_H5_WRONG = -2 };

/* Scalar attribute of `type` (stored with the same type). */
int lc_h5_put_attr(hid_t loc, const char *name, hid_t type, const void *v);
/* Scalar fixed-length, NUL-terminated ASCII string attribute. */
int lc_h5_put_str_attr(hid_t loc, const char *name, const char *v);
/* Scalar 32-bit little-endian integer attribute. */
int lc_h5_put_int_attr(hid_t loc, const char *name, int v);

/* One number: a scalar attribute, or a simple one of exactly one element,
 * read as mem_type (a native integer or float type). An integer mem_type
 * needs an integer attribute; a float one takes an integer or a float.
 * LC_H5_MISSING when absent, LC_H5_WRONG for anything else. */
int lc_h5_get_attr(hid_t loc, const char *name, hid_t mem_type, void *out);
/* One string (scalar or one element), any form HDF5 has: fixed or variable
 * length, ASCII or UTF-8, NULLTERM / NULLPAD / SPACEPAD. Into buf (always
 * terminated, "" on failure). LC_H5_MISSING when absent; LC_H5_WRONG when not
 * one string or when it does not fit in n - 1 bytes. */
int lc_h5_get_str_attr(hid_t loc, const char *name, char *buf, size_t n);

/* `count` strings from a string attribute (is_attr) or dataset `obj` holding
 * exactly `count` elements of any string form, into out[i * width] (each
 * terminated). Names longer than width - 1 bytes are cut at a UTF-8 character
 * boundary; bytes that are not valid UTF-8 and control characters become '?'.
 * 0 or LC_H5_WRONG. */
int lc_h5_read_strings(hid_t obj, int is_attr, size_t count, char *out, size_t width);

/* "int32 [4096]", "scalar float64", "variable-length UTF-8 string [10]",
 * "empty (null dataspace) ...": what a type + dataspace hold. */
const char *lc_h5_describe(hid_t type, hid_t space, char *buf, size_t n);
/* lc_h5_describe of attribute `name` of loc ("absent" when there is none). */
const char *lc_h5_attr_found(hid_t loc, const char *name, char *buf, size_t n);
/* lc_h5_describe of dataset `path` under loc ("absent" when there is none,
 * "a group" / "not a dataset" when the link is something else). */
const char *lc_h5_dset_found(hid_t loc, const char *path, char *buf, size_t n);

/* NULL when dataset `path` under loc can be read as a whole; else why not:
 * compressed with a filter this HDF5 library lacks (h5py's lzf, blosc, ...),
 * or never written (no storage allocated although it has elements). */
const char *lc_h5_dset_unreadable(hid_t loc, const char *path, char *buf, size_t n);

/* Dataset `path` under loc: whether it exists and is a dataset, its rank
 * (up to 32), dims (only the first maxdims are stored: pass dims of at least
 * maxdims elements) and type class and size. LC_H5_MISSING when there is no
 * dataset at path. */
int lc_h5_dset_shape(hid_t loc, const char *path, int maxdims, int *rank, hsize_t *dims,
                     H5T_class_t *cls, size_t *size, int *is_signed);

/* NULL when path is a regular file this process can open for reading; else
 * why not ("does not exist", "is a directory", "is not a regular file", ...).
 * Checked before HDF5 opens anything: a FIFO would block the open forever,
 * and a directory makes MPI-IO print its own errors. */
const char *lc_file_problem(const char *path);

#endif
