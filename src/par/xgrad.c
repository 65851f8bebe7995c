/* xgrad: exact two-pass gradient reduction (see xgrad.h). */
#include "lincls/xgrad.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lincls/kern.h"
#include "lincls/xsum.h"

int lc_xgrad_init(lc_xgrad *x, MPI_Comm comm, int K, int D, int cap, void *gbuf, lc_err *e) {
    memset(x, 0, sizeof *x);
    x->comm = comm;
    x->K = K;
    x->D = D;
    x->cap = cap;
    size_t np = (size_t)K * (size_t)D + (size_t)K;
    x->p1 = lc_malloc(sizeof(int64_t) * ((size_t)(2 * K + 1) * LC_XS_LIMBS + 2), e);
    x->mx = lc_malloc(sizeof(double) * (size_t)K, e);
    x->pw = lc_malloc(sizeof(double) * (size_t)K, e);
    x->f = lc_malloc(sizeof(double) * (size_t)K, e);
    x->q = lc_malloc(sizeof(int16_t) * (size_t)cap * (size_t)K, e);
    x->tmp = lc_malloc(sizeof(int32_t) * ((size_t)D + (size_t)K), e);
    x->own_G = gbuf == NULL;
    x->G = gbuf ? gbuf : lc_malloc(sizeof(int32_t) * np, e);
    if (e->code) lc_xgrad_free(x);
    return e->code;
}

void lc_xgrad_free(lc_xgrad *x) {
    free(x->p1);
    free(x->mx);
    free(x->pw);
    free(x->f);
    free(x->q);
    free(x->tmp);
    if (x->own_G) free(x->G);
    memset(x, 0, sizeof *x);
}

int lc_xgrad_shift(double mx, double A, int64_t rows, int *e_out) {
    /* each |q_ik| <= |dS_ik| 2^e + 1/2, so sum_i |q_ik| <= A 2^e + rows / 2; the
     * factor (1 + 2^-40) and the 2 cover A's rounding (each term to 2^-64,
     * the total to a double) */
    const double lim = 2147483647.0 / 255.0 - (double)rows / 2.0 - 2.0;
    if (!(lim > 0)) return 1;
    if (!(mx > 0)) { /* every dS of the class is 0: q = 0 whatever e is */
        *e_out = 0;
        return 0;
    }
    int E;
    frexp(mx, &E); /* mx < 2^E */
    int e = 15 - E;
    if (e > 1000) e = 1000;
    while (ldexp(mx, e) > 32767.0) e--;
    while (ldexp(A, e) * (1.0 + 0x1p-40) >= lim) e--;
    if (e < -1000) return 1; /* cannot happen: A < 2^71 */
    *e_out = e;
    return 0;
}

int lc_xgrad_pass1(lc_xgrad *x, int n, const double *L, const double *dS, int64_t hits, lc_err *e) {
    const int K = x->K;
    const size_t n1 = (size_t)(2 * K + 1) * LC_XS_LIMBS + 2;
    int64_t *A = x->p1, *db = A + (size_t)K * LC_XS_LIMBS, *ls = db + (size_t)K * LC_XS_LIMBS;
    memset(x->p1, 0, sizeof(int64_t) * n1);
    for (int k = 0; k < K; k++) x->mx[k] = 0.0;
    int64_t bad = 0;
    for (int i = 0; i < n; i++) {
        const double *ds = dS + (size_t)i * K;
        bad |= lc_xs_add(ls, L[i]);
        for (int k = 0; k < K; k++) {
            double v = ds[k], a = fabs(v);
            bad |= lc_xs_add(A + (size_t)k * LC_XS_LIMBS, a);
            bad |= lc_xs_add(db + (size_t)k * LC_XS_LIMBS, v);
            if (a > x->mx[k]) x->mx[k] = a;
        }
    }
    lc_xs_norm(x->p1, (size_t)(2 * K + 1));
    x->p1[n1 - 2] = hits;
    x->p1[n1 - 1] = bad;
    double t0 = lc_now();
    /* integer sums and maxima: both exact and order-free; overlapped */
    MPI_Request rq[2];
    if (MPI_Iallreduce(MPI_IN_PLACE, x->p1, (int)n1, MPI_INT64_T, MPI_SUM, x->comm, &rq[0]) != MPI_SUCCESS ||
        MPI_Iallreduce(MPI_IN_PLACE, x->mx, K, MPI_DOUBLE, MPI_MAX, x->comm, &rq[1]) != MPI_SUCCESS ||
        MPI_Waitall(2, rq, MPI_STATUSES_IGNORE) != MPI_SUCCESS)
        return lc_fail(e, LC_EINTERNAL, "MPI_Allreduce failed (gradient, pass 1)");
    x->t_reduce += lc_now() - t0;
    lc_xs_norm(x->p1, (size_t)(2 * K + 1));
    x->correct = x->p1[n1 - 2];
    x->bad = x->p1[n1 - 1] != 0;
    x->loss_sum = x->bad ? NAN : lc_xs_value(ls);
    return 0;
}

int lc_xgrad_pass2(lc_xgrad *x, int n, const double *dS, const uint8_t *X8, const int64_t *idx, int64_t rows,
                   const double *ca, const double *cb, float *gout, double *gacc, lc_err *e) {
    const int K = x->K, D = x->D;
    const size_t KD = (size_t)K * D;
    const int64_t *A = x->p1, *db = A + (size_t)K * LC_XS_LIMBS;
    if (x->bad) return lc_fail(e, LC_EINTERNAL, "gradient pass 2 after a pass 1 that failed");
    for (int k = 0; k < K; k++) {
        int ek;
        if (lc_xgrad_shift(x->mx[k], lc_xs_value(A + (size_t)k * LC_XS_LIMBS), rows, &ek))
            return lc_fail(e, LC_EINTERNAL, "no exact gradient scale for %lld rows", (long long)rows);
        x->pw[k] = ldexp(1.0, ek); /* exact: |e| <= 1000 */
        x->f[k] = ldexp(1.0, -ek);
    }
    for (int i = 0; i < n; i++) {
        const double *ds = dS + (size_t)i * K;
        int16_t *q = x->q + (size_t)i * K;
        /* |dS 2^e| <= 32767: adding and removing 1.5 * 2^52 rounds it to the
         * nearest integer, ties to even */
        for (int k = 0; k < K; k++) q[k] = (int16_t)((ds[k] * x->pw[k] + 0x1.8p52) - 0x1.8p52);
    }
    int32_t *G = x->G, *Q = G + KD;
    memset(G, 0, sizeof(int32_t) * (KD + (size_t)K));
    if (n > 0) lc_kern_grad_u8(n, D, K, X8, idx, x->q, G);
    for (int i = 0; i < n; i++)
        for (int k = 0; k < K; k++) Q[k] += x->q[(size_t)i * K + k];
    double t0 = lc_now();
    if (MPI_Allreduce(MPI_IN_PLACE, G, (int)(KD + (size_t)K), MPI_INT32_T, MPI_SUM, x->comm) != MPI_SUCCESS)
        return lc_fail(e, LC_EINTERNAL, "MPI_Allreduce failed (gradient, pass 2)");
    x->t_reduce += lc_now() - t0;
    /* gout may be G's own memory: Q and each row of G are copied out (memcpy,
     * which may alias anything) before floats overwrite them */
    const double inv_rows = 1.0 / (double)rows;
    int32_t *row = x->tmp, *qc = x->tmp + D;
    memcpy(qc, Q, sizeof(int32_t) * (size_t)K);
    for (int k = 0; k < K; k++) {
        const double qk = (double)qc[k], fk = x->f[k];
        memcpy(row, G + (size_t)k * D, sizeof(int32_t) * (size_t)D);
        if (gout) {
            float *o = gout + (size_t)k * D;
            for (int d = 0; d < D; d++) o[d] = (float)((ca[d] * (double)row[d] + cb[d] * qk) * fk * inv_rows);
        } else {
            double *o = gacc + (size_t)k * D;
            for (int d = 0; d < D; d++) o[d] += (ca[d] * (double)row[d] + cb[d] * qk) * fk;
        }
    }
    for (int k = 0; k < K; k++) {
        double v = lc_xs_value(db + (size_t)k * LC_XS_LIMBS);
        if (gout) gout[KD + (size_t)k] = (float)(v * inv_rows);
        else gacc[KD + (size_t)k] += v;
    }
    return 0;
}
