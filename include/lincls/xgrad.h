/* xgrad: the exact reduction of a linear model's gradient over the ranks.
 *
 * A set of `rows` rows is spread over the ranks of comm; each rank has the
 * per-row losses L_i and score gradients dS_i (K doubles) of its own rows, and
 * their inputs as uint8 levels X8 (x ~ lo_d + step_d * X8[d], see shards.h).
 * The gradient of sum_i L_i with respect to W (K x D) and b (K) is
 *   dW_kd = sum_i dS_ik x'_id,  x' = (x - mean) inv_scale;   db_k = sum_i dS_ik.
 *
 * pass 1 (lc_xgrad_pass1): exact fixed-point sums (xsum.h) over all rows of
 *   A_k = sum_i |dS_ik|, db_k = sum_i dS_ik and sum_i L_i, the correct count
 *   (int64) and a flag for rows that cannot be summed (MPI_SUM over int64), and
 *   M_k = max_i |dS_ik| (MPI_MAX over double, exact), in two overlapped
 *   allreduces of (8K + 6) int64 and K doubles.
 * pass 2 (lc_xgrad_pass2): from the global M_k, A_k every rank picks the same
 *   shift e_k, the largest with M_k 2^e_k <= 32767 and
 *   255 (A_k 2^e_k + rows/2 + 2) < 2^31 (with a margin for A_k's rounding);
 *   q_ik = round(dS_ik 2^e_k) (to nearest, ties to even) fits int16 and
 *   G_kd = sum_i q_ik X8_id, Q_k = sum_i q_ik fit int32 for every partial sum,
 *   so lc_kern_grad_u8 and an MPI_Allreduce of [G | Q] over int32 (K*D + K
 *   values: the bytes of a float gradient) are exact in any order. Then
 *     dW_kd = (ca_d G_kd + cb_d Q_k) 2^-e_k,   ca_d = step_d inv_scale_d,
 *                                              cb_d = (lo_d - mean_d) inv_scale_d
 *   in double, elementwise, in this order; db_k from pass 1.
 * Every result is the same bits for every rank count, every split of the rows
 * over the ranks, every MPI algorithm and every CPU. What differs from the
 * exact gradient is the rounding of dS to q (at most 2^-e_k / 2 per entry, i.e.
 * 16 significant bits of the largest |dS| of the class) and of the inputs to
 * their levels (none for pixels). */
#ifndef LINCLS_XGRAD_H
#define LINCLS_XGRAD_H

#include <mpi.h>
#include <stdint.h>

#include "lincls/util.h"

typedef struct {
    MPI_Comm comm;
    int K, D, cap;       /* classes, inputs, rows per call at most */
    int64_t *p1;         /* pass 1: (2K + 1) accumulators, correct, bad */
    double *mx;          /* K: max |dS| */
    double *pw, *f;      /* K: 2^e_k and 2^-e_k */
    int16_t *q;          /* cap x K */
    int32_t *G;          /* K*D + K: [G | Q] */
    int32_t *tmp;        /* D + K */
    int own_G;
    /* results of pass 1 (the same on every rank) */
    double loss_sum;     /* sum of L_i; NaN when a row could not be summed */
    int64_t correct;
    int bad;             /* a loss or dS was NaN, infinite or >= 2^40 */
    double t_reduce;     /* seconds spent in the allreduces (accumulated) */
} lc_xgrad;

/* gbuf: (K*D + K) 4-byte cells for [G | Q], or NULL to allocate them. A
 * caller may pass the float gradient's buffer and have pass 2 write the
 * gradient over G (gout == gbuf). */
int lc_xgrad_init(lc_xgrad *x, MPI_Comm comm, int K, int D, int cap, void *gbuf, lc_err *e);
void lc_xgrad_free(lc_xgrad *x);

/* Pass 1 over this rank's n <= cap rows: losses L (n), score gradients dS
 * (n x K, row-major), hits = rows predicted right. Collective. */
int lc_xgrad_pass1(lc_xgrad *x, int n, const double *L, const double *dS, int64_t hits, lc_err *e);

/* Pass 2 (after pass 1 on the same rows, when !x->bad): the gradient of the
 * loss sum of the `rows` rows. X8 holds the inputs as uint8 levels, row idx[i]
 * for row i; ca, cb: D factors (above). Exactly one of:
 *   gout: K*D + K floats, the gradient divided by `rows` (may be x->G's memory)
 *   gacc: K*D + K doubles, the gradient added to them
 * Collective. */
int lc_xgrad_pass2(lc_xgrad *x, int n, const double *dS, const uint8_t *X8, const int64_t *idx, int64_t rows,
                   const double *ca, const double *cb, float *gout, double *gacc, lc_err *e);

/* The shift of pass 2 for one class (exposed for tests): 0 and *e set, or 1
 * when rows / 2 alone leaves no room (rows > about 2^24). */
int lc_xgrad_shift(double maxabs, double sumabs, int64_t rows, int *e);

#endif
