/* treesum_ref: the former tree reduction (see treesum_ref.h). */
#include "treesum_ref.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lincls/dist.h"

void lc_shards_of_rank(int V, int P, int r, int *lo, int *hi) {
    *lo = (int)((long long)V * r / P);
    *hi = (int)((long long)V * (r + 1) / P);
}

/* The canonical tree over leaves [0, V): node [lo,hi) splits at lo + (hi-lo)/2.
 * Record the maximal nodes inside [a, b) (one rank's shards), left to right. */
static void collect_nodes(lc_treesum *t, int lo, int hi, int a, int b, int owner) {
    if (hi <= a || lo >= b) return;
    if (lo >= a && hi <= b) {
        if (t->node_lo) {
            t->node_lo[t->n_nodes] = lo;
            t->node_hi[t->n_nodes] = hi;
            t->node_owner[t->n_nodes] = owner;
        }
        t->n_nodes++;
        return;
    }
    int mid = lo + (hi - lo) / 2;
    collect_nodes(t, lo, mid, a, b, owner);
    collect_nodes(t, mid, hi, a, b, owner);
}

static void collect_all(lc_treesum *t) {
    t->n_nodes = 0;
    for (int r = 0; r < t->size; r++) {
        int a, b;
        lc_shards_of_rank(t->V, t->size, r, &a, &b);
        if (t->node_first) t->node_first[r] = t->n_nodes;
        collect_nodes(t, 0, t->V, a, b, r);
    }
    if (t->node_first) t->node_first[t->size] = t->n_nodes;
}

int lc_treesum_init(lc_treesum *t, MPI_Comm comm, int V, lc_err *e) {
    memset(t, 0, sizeof *t);
    t->comm = comm;
    MPI_Comm_rank(comm, &t->rank);
    MPI_Comm_size(comm, &t->size);
    if (V < t->size)
        return lc_fail(e, LC_EARG,
                       "%d ranks but only %d virtual shards: each rank needs at least one, "
                       "rerun with --vshards %d (or a larger power of two)", t->size, V, t->size);
    t->V = V;
    lc_shards_of_rank(V, t->size, t->rank, &t->v_lo, &t->v_hi);
    collect_all(t); /* count */
    int n = t->n_nodes;
    t->node_lo = lc_malloc(sizeof(int) * (size_t)n, e);
    t->node_hi = lc_malloc(sizeof(int) * (size_t)n, e);
    t->node_owner = lc_malloc(sizeof(int) * (size_t)n, e);
    t->node_first = lc_malloc(sizeof(int) * (size_t)(t->size + 1), e);
    t->counts = lc_malloc(sizeof(int) * (size_t)t->size, e);
    t->displs = lc_malloc(sizeof(int) * (size_t)t->size, e);
    if (e->code) return e->code;
    collect_all(t); /* fill */
    return 0;
}

void lc_treesum_free(lc_treesum *t) {
    free(t->node_lo);
    free(t->node_hi);
    free(t->node_owner);
    free(t->node_first);
    free(t->counts);
    free(t->displs);
    free(t->buf);
    memset(t, 0, sizeof *t);
}

/* The element type enters only through the add kernel and its size. */
typedef void (*add_fn)(void *a, const void *b, size_t len);

static void add_f(void *a, const void *b, size_t len) {
    float *restrict x = a;
    const float *restrict y = b;
    for (size_t i = 0; i < len; i++) x[i] += y[i];
}

static void add_d(void *a, const void *b, size_t len) {
    double *restrict x = a;
    const double *restrict y = b;
    for (size_t i = 0; i < len; i++) x[i] += y[i];
}

typedef struct {
    size_t len, bytes; /* elements and bytes per vector */
    add_fn add;
} vec_type;

/* Sum leaves [lo,hi) in place into the vector of leaf lo (leaves start at base). */
static void local_sum(char *leaves, int base, int lo, int hi, const vec_type *vt) {
    if (hi - lo <= 1) return;
    int mid = lo + (hi - lo) / 2;
    local_sum(leaves, base, lo, mid, vt);
    local_sum(leaves, base, mid, hi, vt);
    vt->add(leaves + (size_t)(lo - base) * vt->bytes, leaves + (size_t)(mid - base) * vt->bytes,
            vt->len);
}

/* Node [lo,hi) from the gathered nodes: a gathered node itself, or the sum of
 * its children written into the next free interior slot. */
static const char *top_sum(const lc_treesum *t, char *nodes, int *next_free, int lo, int hi,
                           const vec_type *vt) {
    for (int i = 0; i < t->n_nodes; i++)
        if (t->node_lo[i] == lo && t->node_hi[i] == hi) return nodes + (size_t)i * vt->bytes;
    int mid = lo + (hi - lo) / 2;
    const char *a = top_sum(t, nodes, next_free, lo, mid, vt);
    const char *b = top_sum(t, nodes, next_free, mid, hi, vt);
    char *out = nodes + (size_t)(*next_free)++ * vt->bytes;
    memcpy(out, a, vt->bytes);
    vt->add(out, b, vt->len);
    return out;
}

static int treesum(lc_treesum *t, char *leaves, const vec_type *vt, MPI_Datatype type, void *out,
                   lc_err *e) {
    /* n_nodes gathered + at most n_nodes-1 interior */
    size_t need = (size_t)(2 * t->n_nodes) * vt->bytes;
    if (need > t->buf_bytes) {
        free(t->buf);
        t->buf = lc_malloc(need, e);
        /* the other ranks are about to enter the all-gather: an error returned
         * here alone would leave them waiting, so this one aborts the job */
        if (!t->buf) lc_die(t->comm, "out of memory for the tree reduction (%zu bytes)", need);
        t->buf_bytes = need;
    }
    if ((size_t)t->n_nodes * vt->len > (size_t)1 << 30)
        return lc_fail(e, LC_EARG, "tree reduction too large (%d x %zu)", t->n_nodes, vt->len);
    char *nodes = t->buf;
    for (int i = t->node_first[t->rank]; i < t->node_first[t->rank + 1]; i++) {
        local_sum(leaves, t->v_lo, t->node_lo[i], t->node_hi[i], vt);
        memcpy(nodes + (size_t)i * vt->bytes, leaves + (size_t)(t->node_lo[i] - t->v_lo) * vt->bytes,
               vt->bytes);
    }
    if (t->size > 1) {
        for (int r = 0; r < t->size; r++) {
            t->counts[r] = (t->node_first[r + 1] - t->node_first[r]) * (int)vt->len;
            t->displs[r] = t->node_first[r] * (int)vt->len;
        }
        if (MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, nodes, t->counts, t->displs, type,
                           t->comm) != MPI_SUCCESS)
            return lc_fail(e, LC_EINTERNAL, "MPI_Allgatherv failed in the tree reduction");
    }
    int next_free = t->n_nodes;
    memcpy(out, top_sum(t, nodes, &next_free, 0, t->V, vt), vt->bytes);
    return 0;
}

int lc_treesum_float(lc_treesum *t, float *leaves, size_t len, float *out, lc_err *e) {
    vec_type vt = {len, len * sizeof(float), add_f};
    return treesum(t, (char *)leaves, &vt, MPI_FLOAT, out, e);
}

int lc_treesum_double(lc_treesum *t, double *leaves, size_t len, double *out, lc_err *e) {
    vec_type vt = {len, len * sizeof(double), add_d};
    return treesum(t, (char *)leaves, &vt, MPI_DOUBLE, out, e);
}

