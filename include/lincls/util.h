/* util: error type, checked allocation, timers, rank-0 logging, tiny JSON writer.
 *
 * The library never exits. Every fallible function takes an lc_err* and returns
 * 0 on success or the error code it stored (also in err->code). Drivers decide. */
#ifndef LINCLS_UTIL_H
#define LINCLS_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum {
    LC_OK = 0,
    LC_EARG = 2,     /* bad flag or argument */
    LC_EIO = 3,      /* file missing, unreadable, unwritable */
    LC_EDATA = 4,    /* file readable but content wrong (layout, shapes, labels, NaN) */
    LC_ENOMEM = 5,
    LC_EDIVERGE = 6, /* NaN/inf loss */
    LC_EINTERNAL = 7,
    LC_ESTOP = 8     /* stopped by a signal at a step boundary (stop.h): not a failure */
};

typedef struct {
    int code;        /* 0 = ok */
    char msg[1024];  /* one line, names the file or flag */
} lc_err;

#if defined(__GNUC__)
#define LC_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define LC_PRINTF(a, b)
#endif

/* Store an error (first one wins) and return its code. */
int lc_fail(lc_err *e, int code, const char *fmt, ...) LC_PRINTF(3, 4);
void lc_err_clear(lc_err *e);

/* malloc/calloc that report failure through err (NULL on failure). n may be 0. */
void *lc_malloc(size_t n, lc_err *e);
void *lc_calloc(size_t count, size_t size, lc_err *e);

double lc_now(void); /* monotonic seconds */

/* Rank-0 logging to stderr. lc_log_rank must be set once (main does it). */
extern int lc_log_rank;
void lc_log(const char *fmt, ...) LC_PRINTF(1, 2);

/* An accuracy as "41.39%" (digits decimals), or "-" when NaN (no such split). */
const char *lc_fmt_pct(double frac, int digits, char *buf, size_t n);

/* "1m05s" style duration into buf. */
const char *lc_fmt_duration(double seconds, char *buf, size_t n);

/* A growing string buffer used to build the JSON result line. */
typedef struct {
    char *s;
    size_t len, cap;
    int first;  /* no comma needed before the next member */
} lc_json;

void lc_json_begin(lc_json *j);                     /* "{" */
void lc_json_key(lc_json *j, const char *key);      /* "key": (comma handled) */
void lc_json_num(lc_json *j, const char *key, double v); /* NaN/inf become null */
void lc_json_int(lc_json *j, const char *key, long long v);
void lc_json_str(lc_json *j, const char *key, const char *v);
void lc_json_raw(lc_json *j, const char *key, const char *raw); /* pre-built JSON */
void lc_json_append(lc_json *j, const char *raw);   /* raw text, no comma logic */
void lc_json_end(lc_json *j);                       /* "}" */
void lc_json_free(lc_json *j);
/* Appends a JSON string literal (quoted, escaped) for v. */
void lc_json_quote(lc_json *j, const char *v);

/* A name table: the names of an enum's values 0..n-1 and what they are
 * ("loss"). The modules own theirs (lc_loss_names, ...); the option parser's
 * choice type reads them, so an error lists exactly the names the table has. */
typedef struct {
    const char *what;
    const char *const *names;
    int n;
} lc_names;
#define LC_NAMES(what, array) {what, array, (int)(sizeof array / sizeof array[0])}
int lc_names_find(const lc_names *t, const char *s);   /* the value, or -1 */
const char *lc_names_name(const lc_names *t, int v);   /* "unknown" out of range */
/* "a, b, c" into buf. */
const char *lc_names_list(const lc_names *t, char *buf, size_t n);

/* Parsing helpers that reject trailing junk, NaN and inf. */
int lc_parse_double(const char *s, double *out);
int lc_parse_long(const char *s, long long *out);

#endif
