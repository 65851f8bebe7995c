/* dist: the tree sum gives the same bits as a serial walk of the canonical
 * tree, for the running rank count, several shard counts (powers of two and
 * not) and both element types; lc_agree hands every rank the lowest failing
 * rank's message. Run at several rank counts through mpiexec. */
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lincls/dist.h"
#include "lincls/rng.h"

/* leaf v, element i: values of very different magnitudes, so that the
 * summation order changes the float result */
static float leaf_val(int v, size_t i) {
    double u = lc_rng_normal(7, lc_stream(LC_RNG_TEST, (uint64_t)v), i);
    return (float)(u * pow(10.0, (double)((v * 7 + (int)i) % 9) - 4));
}

static float tree_ref(int lo, int hi, size_t i) {
    if (hi - lo == 1) return leaf_val(lo, i);
    int mid = lo + (hi - lo) / 2;
    float a = tree_ref(lo, mid, i), b = tree_ref(mid, hi, i);
    return a + b;
}

static int check(MPI_Comm comm, int V, size_t len) {
    int rank, P, bad = 0;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &P);
    lc_err e = {0};
    lc_treesum t;
    if (lc_treesum_init(&t, comm, V, &e)) {
        if (rank == 0) fprintf(stderr, "init failed: %s\n", e.msg);
        return 1;
    }
    int nv = t.v_hi - t.v_lo;
    float *leaves = malloc(sizeof(float) * len * (size_t)nv), *out = malloc(sizeof(float) * len);
    double *dl = malloc(sizeof(double) * len * (size_t)nv), *dout = malloc(sizeof(double) * len);
    for (int v = t.v_lo; v < t.v_hi; v++)
        for (size_t i = 0; i < len; i++) {
            leaves[(size_t)(v - t.v_lo) * len + i] = leaf_val(v, i);
            dl[(size_t)(v - t.v_lo) * len + i] = (double)v * 1e-3 + (double)i;
        }
    lc_treesum_float(&t, leaves, len, out, &e);
    lc_treesum_double(&t, dl, len, dout, &e);
    int order_matters = 0;
    for (size_t i = 0; i < len; i++) {
        float want = tree_ref(0, V, i);
        if (memcmp(&want, &out[i], sizeof want) != 0) bad = 1;
        float seq = 0;
        for (int v = 0; v < V; v++) seq += leaf_val(v, i);
        if (seq != want) order_matters = 1;
        double dwant = 0;
        for (int v = 0; v < V; v++) dwant += (double)v * 1e-3 + (double)i;
        if (fabs(dout[i] - dwant) > 1e-9 * (1 + fabs(dwant))) bad = 1;
    }
    if (V >= 4 && !order_matters) {
        if (rank == 0) fprintf(stderr, "V=%d: test data too tame, summation order never mattered\n", V);
        bad = 1;
    }
    int any = 0;
    MPI_Allreduce(&bad, &any, 1, MPI_INT, MPI_MAX, comm);
    if (rank == 0) printf("treesum P=%d V=%d len=%zu: %s\n", P, V, len, any ? "MISMATCH" : "bitwise equal to the canonical tree");
    free(leaves);
    free(out);
    free(dl);
    free(dout);
    lc_treesum_free(&t);
    return any;
}

static int check_agree(MPI_Comm comm) {
    int rank, P;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &P);
    lc_err e = {0};
    if (lc_agree(comm, &e) != 0) return 1; /* nobody failed */
    /* the last two ranks fail with different messages: everyone must get the lower one's */
    if (rank >= P - 2) lc_fail(&e, LC_EDATA, "failure on rank %d", rank);
    int rc = lc_agree(comm, &e);
    char want[64];
    snprintf(want, sizeof want, "failure on rank %d", P >= 2 ? P - 2 : 0);
    int bad = rc != LC_EDATA || strcmp(e.msg, want) != 0;
    int any = 0;
    MPI_Allreduce(&bad, &any, 1, MPI_INT, MPI_MAX, comm);
    if (rank == 0) printf("agree P=%d: %s\n", P, any ? "WRONG" : "every rank got the lowest failing rank's error");
    return any;
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int P, rank;
    MPI_Comm_size(MPI_COMM_WORLD, &P);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    int bad = check_agree(MPI_COMM_WORLD);
    const int Vs[] = {1, 2, 3, 6, 8, 16};
    for (size_t k = 0; k < sizeof Vs / sizeof *Vs; k++) {
        if (Vs[k] < P) continue;
        bad |= check(MPI_COMM_WORLD, Vs[k], 1000);
    }
    /* fewer shards than ranks must be refused, naming --vshards */
    if (P > 1) {
        lc_err e = {0};
        lc_treesum t;
        int rc = lc_treesum_init(&t, MPI_COMM_WORLD, P - 1, &e);
        if (rc == 0 || !strstr(e.msg, "--vshards")) bad = 1;
        else if (rank == 0) printf("refused V < P: %s\n", e.msg);
        if (rc == 0) lc_treesum_free(&t);
    }
    MPI_Finalize();
    return bad;
}
