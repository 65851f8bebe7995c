/* h5util: the few HDF5 attribute helpers every file writer and reader needs.
 * Each returns 0 or -1 (the caller names the file in its error message). */
#ifndef LINCLS_H5UTIL_H
#define LINCLS_H5UTIL_H

#include <hdf5.h>
#include <stddef.h>

/* Scalar attribute of `type` (stored with the same type). */
int lc_h5_put_attr(hid_t loc, const char *name, hid_t type, const void *v);
/* Scalar fixed-length, NUL-terminated ASCII string attribute. */
int lc_h5_put_str_attr(hid_t loc, const char *name, const char *v);
/* Scalar 32-bit little-endian integer attribute. */
int lc_h5_put_int_attr(hid_t loc, const char *name, int v);

/* Scalar attribute read as mem_type; -1 when absent. */
int lc_h5_get_attr(hid_t loc, const char *name, hid_t mem_type, void *out);
/* String attribute, fixed or variable length, into buf (always terminated);
 * -1 when absent or not a string. */
int lc_h5_get_str_attr(hid_t loc, const char *name, char *buf, size_t n);

#endif
