/* bench_reduce: what one training step's gradient exchange costs, and the
 * plain collectives a latency-bandwidth model of the MPI is fitted to.
 * Timings are reported, never asserted (scripts/scaling-model.py reads them).
 *
 *   mpiexec -n P bench_reduce pattern [--K 10] [--D 3072] [--vshards V] [options]
 *       tree:  the reduction training used before the exact one (treesum_ref.c), over V
 *              virtual shards of the train vector (K*D + K + 2 floats: gradient,
 *              bias gradient, loss, correct count); V defaults to lincls's own
 *              choice: 8, or the next power of two >= P.
 *       exact: the integer pattern: MPI_Allreduce (MPI_SUM) of 2K+2 int64, then
 *              of K*D + K int32 (the bytes of one float gradient).
 *   mpiexec -n P bench_reduce sweep --op OP --bytes N[,N...] [options]
 *       OP: allreduce_float, allreduce_int32, allreduce_int64 (N = vector bytes),
 *           allgather_float (N = bytes each rank contributes),
 *           add_float, copy_float (no communication: every rank adds or copies
 *           N-byte float vectors, the tree's local work, timed under the same
 *           sharing of the cores).
 * Options: --repeats R (at most R timed calls, default 200), --min-repeats R (5),
 *          --budget S (stop adding repeats after about S seconds, default 0.5),
 *          --warmup W (at most W untimed calls first, default 3), --only tree|exact (pattern: one of the two),
 *          --calls N (no timing: N calls of the operation and nothing else, for a
 *          byte counter outside the program to divide by N).
 *
 * Each repeat: barrier, one call, the slowest rank's time. Reported: min and
 * median over the repeats. One JSON line per measurement on stdout (rank 0).
 *
 * Bytes per rank per call, two ways:
 *  - model: from the algorithm. tree: MPI_Allgatherv of the subtree sums,
 *    rank r receives sum over q != r of c_q * len * 4 bytes (c_q = tree nodes of
 *    rank q; 1 each when P divides V and V/P is a power of two); reported: the
 *    busiest rank. Every all-gather algorithm (ring, recursive doubling, Bruck)
 *    delivers each block once to each other rank, so the ranks send in total what
 *    they receive; reported as sent: the mean over ranks (with equal blocks,
 *    every rank's). exact: each allreduce of n bytes
 *    moves 2 (P-1)/P n bytes each way in the bandwidth-optimal algorithms
 *    (ring; reduce-scatter + all-gather); recursive doubling, which MPIs pick
 *    for short vectors, moves log2(P) n.
 *  - measured: run with --calls N under Open MPI's pml monitoring
 *    (OMPI_MCA_pml_monitoring_enable=1, OMPI_MCA_pml_monitoring_filename=F):
 *    at MPI_Finalize every rank writes the bytes its point-to-point layer sent
 *    to each peer, collectives' internal messages included (scripts/
 *    scaling-model.py reads those files). Open MPI 4.1 does not expose these
 *    counters through MPI_T at run time (the pvars are registered but invalid),
 *    hence the files. */
#include <math.h>
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lincls/dist.h"
#include "treesum_ref.h"

static int rank, P;

static void die(const char *fmt, const char *arg) {
    if (rank == 0) {
        fprintf(stderr, "bench_reduce: ");
        fprintf(stderr, fmt, arg);
        fprintf(stderr, "\n");
    }
    MPI_Finalize();
    exit(2);
}

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "bench_reduce: rank %d: out of memory (%zu bytes)\n", rank, n);
        MPI_Abort(MPI_COMM_WORLD, 70);
    }
    return p;
}

/* ---- the operations -------------------------------------------------------- */

typedef struct {
    /* tree */
    lc_treesum tree;
    float *leaves, *pristine, *out;
    size_t len;
    /* exact and plain collectives */
    int64_t *i64s, *i64r;
    int32_t *i32s, *i32r;
    float *fs, *fr;
    size_t n64, n32, nf;
    int op;
} ctx_t;

enum { OP_TREE, OP_EXACT, OP_ALLREDUCE_F, OP_ALLREDUCE_I32, OP_ALLREDUCE_I64, OP_ALLGATHER_F, OP_ADD_F, OP_COPY_F };
static const char *op_names[] = {"tree", "exact", "allreduce_float", "allreduce_int32",
                                 "allreduce_int64", "allgather_float", "add_float", "copy_float"};

static void op_prepare(ctx_t *c) {
    /* the tree sum works in place on the leaves: give it the same input each time */
    if (c->op == OP_TREE) memcpy(c->leaves, c->pristine, sizeof(float) * c->len * (size_t)(c->tree.v_hi - c->tree.v_lo));
}

static void op_run(ctx_t *c) {
    MPI_Comm w = MPI_COMM_WORLD;
    switch (c->op) {
    case OP_TREE: {
        lc_err e = {0};
        if (lc_treesum_float(&c->tree, c->leaves, c->len, c->out, &e)) {
            fprintf(stderr, "bench_reduce: %s\n", e.msg);
            MPI_Abort(w, 70);
        }
        break;
    }
    case OP_EXACT:
        MPI_Allreduce(c->i64s, c->i64r, (int)c->n64, MPI_INT64_T, MPI_SUM, w);
        MPI_Allreduce(c->i32s, c->i32r, (int)c->n32, MPI_INT32_T, MPI_SUM, w);
        break;
    case OP_ALLREDUCE_F: MPI_Allreduce(c->fs, c->fr, (int)c->nf, MPI_FLOAT, MPI_SUM, w); break;
    case OP_ALLREDUCE_I32: MPI_Allreduce(c->i32s, c->i32r, (int)c->n32, MPI_INT32_T, MPI_SUM, w); break;
    case OP_ALLREDUCE_I64: MPI_Allreduce(c->i64s, c->i64r, (int)c->n64, MPI_INT64_T, MPI_SUM, w); break;
    case OP_ALLGATHER_F: MPI_Allgather(c->fs, (int)c->nf, MPI_FLOAT, c->fr, (int)c->nf, MPI_FLOAT, w); break;
    case OP_ADD_F: {
        float *restrict a = c->fr;
        const float *restrict b = c->fs;
        for (size_t i = 0; i < c->nf; i++) a[i] += b[i];
        break;
    }
    case OP_COPY_F: memcpy(c->fr, c->fs, c->nf * sizeof(float)); break;
    }
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct {
    int warmup, repeats, min_repeats, calls;
    double budget;
} opts_t;

typedef struct {
    int repeats;
    double min, median;
} result_t;

static void measure(ctx_t *c, const opts_t *o, result_t *res) {
    MPI_Comm w = MPI_COMM_WORLD;
    /* warm-up: at most --warmup calls, fewer once they have used the budget */
    double t_warm = MPI_Wtime();
    for (int i = 0; i < o->warmup; i++) {
        op_prepare(c);
        MPI_Barrier(w);
        op_run(c);
        int enough = MPI_Wtime() - t_warm > o->budget, any;
        MPI_Allreduce(&enough, &any, 1, MPI_INT, MPI_MAX, w);
        if (any) break;
    }
    /* how many repeats fit the budget: the slowest rank's time of one call */
    op_prepare(c);
    MPI_Barrier(w);
    double t0 = MPI_Wtime();
    op_run(c);
    double one = MPI_Wtime() - t0, slowest;
    MPI_Allreduce(&one, &slowest, 1, MPI_DOUBLE, MPI_MAX, w);
    int reps = slowest > 0 ? (int)fmin(o->repeats, o->budget / slowest) : o->repeats;
    if (reps < o->min_repeats) reps = o->min_repeats;
    if (reps > o->repeats) reps = o->repeats;
    MPI_Bcast(&reps, 1, MPI_INT, 0, w);
    double *t = xmalloc(sizeof(double) * (size_t)reps);
    for (int r = 0; r < reps; r++) {
        op_prepare(c);
        MPI_Barrier(w);
        t0 = MPI_Wtime();
        op_run(c);
        double mine = MPI_Wtime() - t0;
        MPI_Allreduce(&mine, &t[r], 1, MPI_DOUBLE, MPI_MAX, w);
    }
    qsort(t, (size_t)reps, sizeof(double), cmp_double);
    res->repeats = reps;
    res->min = t[0];
    res->median = reps % 2 ? t[reps / 2] : 0.5 * (t[reps / 2 - 1] + t[reps / 2]);
    free(t);
}

/* Either times the operation (one JSON line: prefix + timing + suffix) or, with
 * --calls N, only runs it N times (one JSON line saying so). */
static void run_op(ctx_t *c, const opts_t *o, const char *prefix, const char *suffix) {
    if (o->calls > 0) {
        for (int i = 0; i < o->calls; i++) {
            op_prepare(c);
            op_run(c);
        }
        if (rank == 0) printf("%s,\"calls\":%d%s}\n", prefix, o->calls, suffix);
    } else {
        result_t res;
        measure(c, o, &res);
        if (rank == 0)
            printf("%s,\"repeats\":%d,\"min_s\":%.9f,\"median_s\":%.9f%s}\n", prefix, res.repeats, res.min,
                   res.median, suffix);
    }
    if (rank == 0) fflush(stdout);
}

/* Bandwidth-optimal allreduce traffic per rank, each way (see the header). */
static double allreduce_bytes(double n) { return P > 1 ? 2.0 * (P - 1) / P * n : 0; }

static long parse_long_arg(const char *s, const char *flag, long lo, long hi) {
    long long v;
    if (lc_parse_long(s, &v) || v < lo || v > hi) die("bad value for %s", flag);
    return (long)v;
}

static void pattern_tree(ctx_t *c, const opts_t *o, long K, long D, long V) {
    lc_err e = {0};
    if (lc_treesum_init(&c->tree, MPI_COMM_WORLD, (int)V, &e)) die("%s", e.msg);
    c->op = OP_TREE;
    c->len = (size_t)K * (size_t)D + (size_t)K + 2;
    size_t nl = (size_t)(c->tree.v_hi - c->tree.v_lo);
    c->leaves = xmalloc(sizeof(float) * c->len * nl);
    c->pristine = xmalloc(sizeof(float) * c->len * nl);
    c->out = xmalloc(sizeof(float) * c->len);
    for (size_t i = 0; i < c->len * nl; i++) c->pristine[i] = (float)((i * 2654435761u) % 1000) * 1e-3f - 0.5f;
    /* model bytes: a rank receives the other ranks' tree nodes, len floats each;
     * received: the busiest rank; sent: the mean over ranks (see the header) */
    long long recv_max = 0, recv_sum = 0;
    for (int r = 0; r < P; r++) {
        long long rr = 0;
        for (int q = 0; q < P; q++)
            if (q != r) rr += (long long)(c->tree.node_first[q + 1] - c->tree.node_first[q]) * (long long)c->len * 4;
        if (rr > recv_max) recv_max = rr;
        recv_sum += rr;
    }
    char prefix[512], suffix[128];
    snprintf(prefix, sizeof prefix,
             "{\"bench\":\"pattern\",\"what\":\"tree\",\"ranks\":%d,\"K\":%ld,\"D\":%ld,\"vshards\":%ld,\"len\":%zu,"
             "\"nodes\":%d",
             P, K, D, V, c->len, c->tree.n_nodes);
    snprintf(suffix, sizeof suffix, ",\"sent_model\":%lld,\"recv_model\":%lld", recv_sum / P, recv_max);
    run_op(c, o, prefix, suffix);
    free(c->leaves);
    free(c->pristine);
    free(c->out);
    lc_treesum_free(&c->tree);
}

static void pattern_exact(ctx_t *c, const opts_t *o, long K, long D) {
    c->op = OP_EXACT;
    c->n64 = 2 * (size_t)K + 2;
    c->n32 = (size_t)K * (size_t)D + (size_t)K;
    c->i64s = xmalloc(sizeof(int64_t) * c->n64);
    c->i64r = xmalloc(sizeof(int64_t) * c->n64);
    c->i32s = xmalloc(sizeof(int32_t) * c->n32);
    c->i32r = xmalloc(sizeof(int32_t) * c->n32);
    for (size_t i = 0; i < c->n64; i++) c->i64s[i] = (int64_t)i;
    for (size_t i = 0; i < c->n32; i++) c->i32s[i] = (int32_t)(i % 1000);
    long long model = llround(allreduce_bytes(8.0 * (double)c->n64) + allreduce_bytes(4.0 * (double)c->n32));
    char prefix[512], suffix[128];
    snprintf(prefix, sizeof prefix,
             "{\"bench\":\"pattern\",\"what\":\"exact\",\"ranks\":%d,\"K\":%ld,\"D\":%ld,\"int64\":%zu,\"int32\":%zu", P,
             K, D, c->n64, c->n32);
    snprintf(suffix, sizeof suffix, ",\"sent_model\":%lld,\"recv_model\":%lld", model, model);
    run_op(c, o, prefix, suffix);
    free(c->i64s);
    free(c->i64r);
    free(c->i32s);
    free(c->i32r);
}

static void sweep(ctx_t *c, const opts_t *o, const char *opname, const char *bytes_list) {
    c->op = -1;
    for (int k = OP_ALLREDUCE_F; k <= OP_COPY_F; k++)
        if (!strcmp(opname, op_names[k])) c->op = k;
    if (c->op < 0) die("unknown --op %s", opname);
    char *list = xmalloc(strlen(bytes_list) + 1);
    strcpy(list, bytes_list);
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        long n = parse_long_arg(tok, "--bytes", 1, 1L << 30);
        size_t esize = c->op == OP_ALLREDUCE_I64 ? 8 : 4;
        size_t ne = (size_t)n / esize;
        if (ne == 0) ne = 1;
        c->nf = c->n32 = c->n64 = ne;
        size_t recv_n = c->op == OP_ALLGATHER_F ? ne * (size_t)P : ne;
        void *s = xmalloc(ne * esize), *r = xmalloc(recv_n * esize);
        memset(s, 1, ne * esize); /* small, finite values of every type */
        memset(r, 0, recv_n * esize);
        c->fs = s, c->fr = r, c->i32s = s, c->i32r = r, c->i64s = s, c->i64r = r;
        double bytes = (double)(ne * esize), model;
        switch (c->op) {
        case OP_ALLGATHER_F: model = (double)(P - 1) * bytes; break;
        case OP_ADD_F:
        case OP_COPY_F: model = 0; break;
        default: model = allreduce_bytes(bytes);
        }
        char prefix[256], suffix[128];
        snprintf(prefix, sizeof prefix, "{\"bench\":\"sweep\",\"what\":\"%s\",\"ranks\":%d,\"bytes\":%zu",
                 op_names[c->op], P, ne * esize);
        snprintf(suffix, sizeof suffix, ",\"sent_model\":%lld,\"recv_model\":%lld", llround(model), llround(model));
        run_op(c, o, prefix, suffix);
        free(s);
        free(r);
    }
    free(list);
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &P);
    if (argc < 2 || (strcmp(argv[1], "pattern") != 0 && strcmp(argv[1], "sweep") != 0))
        die("usage: bench_reduce pattern|sweep [options] (see the comment at the top of %s)", "tests/par/bench_reduce.c");
    int pattern = strcmp(argv[1], "pattern") == 0;
    opts_t o = {3, 200, 5, 0, 0.5};
    long K = 10, D = 3072, V = 0;
    const char *opname = NULL, *bytes_list = NULL, *only = NULL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) die("%s needs a value", a);
        i++;
        if (!strcmp(a, "--K")) K = parse_long_arg(v, a, 1, 1 << 20);
        else if (!strcmp(a, "--D")) D = parse_long_arg(v, a, 1, 1 << 24);
        else if (!strcmp(a, "--vshards")) V = parse_long_arg(v, a, 1, 1 << 20);
        else if (!strcmp(a, "--repeats")) o.repeats = (int)parse_long_arg(v, a, 1, 1000000);
        else if (!strcmp(a, "--min-repeats")) o.min_repeats = (int)parse_long_arg(v, a, 1, 1000000);
        else if (!strcmp(a, "--warmup")) o.warmup = (int)parse_long_arg(v, a, 0, 1000000);
        else if (!strcmp(a, "--calls")) o.calls = (int)parse_long_arg(v, a, 1, 1000000);
        else if (!strcmp(a, "--budget")) {
            if (lc_parse_double(v, &o.budget) || !(o.budget >= 0)) die("bad value for %s", a);
        } else if (!strcmp(a, "--op")) opname = v;
        else if (!strcmp(a, "--bytes")) bytes_list = v;
        else if (!strcmp(a, "--only")) only = v;
        else die("unknown option %s", a);
    }
    if (o.min_repeats > o.repeats) o.min_repeats = o.repeats;
    if (only && strcmp(only, "tree") != 0 && strcmp(only, "exact") != 0) die("--only takes tree or exact, not %s", only);
    ctx_t c;
    memset(&c, 0, sizeof c);
    if (pattern) {
        if ((double)K * (double)D + (double)K + 2 > (double)(1 << 30) / 8) die("%s: K*D too large", "pattern");
        if (V == 0) { /* lincls's default, and the job scripts' next power of two */
            V = 8;
            while (V < P) V *= 2;
        }
        if (!only || !strcmp(only, "tree")) pattern_tree(&c, &o, K, D, V);
        if (!only || !strcmp(only, "exact")) pattern_exact(&c, &o, K, D);
    } else {
        if (!opname || !bytes_list) die("sweep needs --op and --bytes%s", "");
        sweep(&c, &o, opname, bytes_list);
    }
    MPI_Finalize();
    return 0;
}
