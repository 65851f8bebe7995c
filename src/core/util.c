/* util: error type, checked allocation, timers, logging, JSON writer. */
#define _POSIX_C_SOURCE 200809L
#include "lincls/util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int lc_log_rank = 0;

int lc_fail(lc_err *e, int code, const char *fmt, ...) {
    if (!e) return code;
    if (e->code != 0) return e->code; /* keep the first, most specific error */
    e->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return code;
}

int lc_names_find(const lc_names *t, const char *s) {
    for (int i = 0; s && i < t->n; i++)
        if (strcmp(s, t->names[i]) == 0) return i;
    return -1;
}

const char *lc_names_name(const lc_names *t, int v) { return v >= 0 && v < t->n ? t->names[v] : "unknown"; }

const char *lc_names_list(const lc_names *t, char *buf, size_t n) {
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < t->n && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? ", " : "", t->names[i]);
    return buf;
}

void lc_err_clear(lc_err *e) {
    e->code = 0;
    e->msg[0] = '\0';
}

void *lc_malloc(size_t n, lc_err *e) {
    void *p = malloc(n ? n : 1);
    if (!p) lc_fail(e, LC_ENOMEM, "out of memory allocating %zu bytes", n);
    return p;
}

void *lc_calloc(size_t count, size_t size, lc_err *e) {
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) lc_fail(e, LC_ENOMEM, "out of memory allocating %zu x %zu bytes", count, size);
    return p;
}

double lc_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void lc_log(const char *fmt, ...) {
    if (lc_log_rank != 0) return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fflush(stderr);
}

const char *lc_fmt_pct(double frac, int digits, char *buf, size_t n) {
    if (isnan(frac)) snprintf(buf, n, "-");
    else snprintf(buf, n, "%.*f%%", digits, 100 * frac);
    return buf;
}

const char *lc_fmt_duration(double s, char *buf, size_t n) {
    if (!(s >= 0) || s > 1e9) {
        snprintf(buf, n, "?");
    } else if (s < 60) {
        snprintf(buf, n, "%.1fs", s);
    } else if (s < 3600) {
        snprintf(buf, n, "%dm%02ds", (int)(s / 60), (int)s % 60);
    } else {
        snprintf(buf, n, "%dh%02dm", (int)(s / 3600), ((int)s % 3600) / 60);
    }
    return buf;
}

/* --- JSON ---------------------------------------------------------------- */
static void json_put(lc_json *j, const char *s, size_t n) {
    if (j->len + n + 1 > j->cap) {
        size_t cap = j->cap ? j->cap : 256;
        while (j->len + n + 1 > cap) cap *= 2;
        char *p = realloc(j->s, cap);
        if (!p) abort(); /* a result line we cannot build is not recoverable */
        j->s = p;
        j->cap = cap;
    }
    memcpy(j->s + j->len, s, n);
    j->len += n;
    j->s[j->len] = '\0';
}

void lc_json_append(lc_json *j, const char *raw) { json_put(j, raw, strlen(raw)); }

void lc_json_begin(lc_json *j) {
    j->s = NULL;
    j->len = j->cap = 0;
    j->first = 1;
    lc_json_append(j, "{");
}

void lc_json_quote(lc_json *j, const char *v) {
    json_put(j, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        char esc[8];
        if (*p == '"' || *p == '\\') {
            esc[0] = '\\';
            esc[1] = (char)*p;
            json_put(j, esc, 2);
        } else if (*p < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", *p);
            json_put(j, esc, 6);
        } else {
            json_put(j, (const char *)p, 1);
        }
    }
    json_put(j, "\"", 1);
}

void lc_json_key(lc_json *j, const char *key) {
    if (!j->first) lc_json_append(j, ",");
    j->first = 0;
    if (key) {
        lc_json_quote(j, key);
        lc_json_append(j, ":");
    }
}

void lc_json_num(lc_json *j, const char *key, double v) {
    char buf[64];
    lc_json_key(j, key);
    if (!isfinite(v)) {
        lc_json_append(j, "null");
        return;
    }
    snprintf(buf, sizeof buf, "%.17g", v);
    /* shortest form that round-trips is nicer to read; try fewer digits first */
    for (int prec = 6; prec < 17; prec++) {
        char t[64];
        snprintf(t, sizeof t, "%.*g", prec, v);
        if (strtod(t, NULL) == v) {
            memcpy(buf, t, sizeof t);
            break;
        }
    }
    lc_json_append(j, buf);
}

void lc_json_int(lc_json *j, const char *key, long long v) {
    char buf[32];
    lc_json_key(j, key);
    snprintf(buf, sizeof buf, "%lld", v);
    lc_json_append(j, buf);
}

void lc_json_str(lc_json *j, const char *key, const char *v) {
    lc_json_key(j, key);
    lc_json_quote(j, v);
}

void lc_json_raw(lc_json *j, const char *key, const char *raw) {
    lc_json_key(j, key);
    lc_json_append(j, raw);
}

void lc_json_end(lc_json *j) { lc_json_append(j, "}"); }

void lc_json_free(lc_json *j) {
    free(j->s);
    j->s = NULL;
    j->len = j->cap = 0;
}

/* --- number parsing -------------------------------------------------------- */
int lc_parse_double(const char *s, double *out) {
    if (!s || !*s) return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*end != '\0' || errno == ERANGE || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

int lc_parse_long(const char *s, long long *out) {
    if (!s || !*s) return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end != '\0' || errno == ERANGE) return -1;
    *out = v;
    return 0;
}
