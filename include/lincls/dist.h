/* dist: MPI helpers. Collective error agreement (no rank left hanging) and
 * exact reductions whose bits do not depend on the number of ranks.
 *
 * Every sum over ranks in lincls is a sum of integers: MPI_Allreduce with
 * MPI_SUM over int32 or int64 is exact and associative, so the result is the
 * same whatever algorithm (tree, ring, vendor-tuned) the MPI library picks and
 * however the terms are spread over the ranks. Doubles are summed through
 * fixed-point accumulators (xsum.h); maxima and minima are order-free. */
#ifndef LINCLS_DIST_H
#define LINCLS_DIST_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "lincls/util.h"

/* Collective. If any rank has e->code != 0, every rank returns nonzero and gets
 * in *e the message of the lowest failing rank. */
int lc_agree(MPI_Comm comm, lc_err *e);

/* Collective: n exact accumulators (n * LC_XS_LIMBS int64, xsum.h) summed over
 * all ranks, in place, normalized on return: the same bits on every rank and
 * for every rank count (up to 2^23 ranks). */
int lc_xs_allreduce(int64_t *acc, size_t n, MPI_Comm comm, lc_err *e);

/* Abort everything (unexpected failure). */
void lc_die(MPI_Comm comm, const char *fmt, ...) LC_PRINTF(2, 3);

#endif
