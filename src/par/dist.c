/* dist: collective error agreement and exact reductions. */
#include "lincls/dist.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lincls/xsum.h"

int lc_agree(MPI_Comm comm, lc_err *e) {
    int rank;
    MPI_Comm_rank(comm, &rank);
    const int nobody = 1 << 30;
    int mine = e->code ? rank : nobody, first = nobody;
    MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm);
    if (first == nobody) return 0;
    int code = e->code;
    MPI_Bcast(&code, 1, MPI_INT, first, comm);
    MPI_Bcast(e->msg, (int)sizeof e->msg, MPI_CHAR, first, comm);
    e->code = code;
    return code;
}

int lc_xs_allreduce(int64_t *acc, size_t n, MPI_Comm comm, lc_err *e) {
    /* normalized: the lower limbs are below 2^32, the top one below 2^40
     * (xsum.h), so up to 2^23 ranks cannot overflow them */
    lc_xs_norm(acc, n);
    size_t len = n * LC_XS_LIMBS;
    if (len > INT_MAX) return lc_fail(e, LC_EINTERNAL, "exact reduction of %zu accumulators is too large", n);
    if (MPI_Allreduce(MPI_IN_PLACE, acc, (int)len, MPI_INT64_T, MPI_SUM, comm) != MPI_SUCCESS)
        return lc_fail(e, LC_EINTERNAL, "MPI_Allreduce failed in an exact reduction");
    lc_xs_norm(acc, n);
    return 0;
}

void lc_die(MPI_Comm comm, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "lincls-mpi: fatal: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    fflush(stderr);
    MPI_Abort(comm, 70);
}
