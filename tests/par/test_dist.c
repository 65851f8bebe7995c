/* dist: the exact reductions against a high-precision reference, at the
 * running rank count (run through mpiexec at several), and lc_agree.
 *
 *   xsum   sets of adversarial terms (huge and tiny magnitudes, ties on the
 *          2^-64 grid, subnormals, cancellation, zeros, one rank holding all
 *          the terms, many terms near the top of the range) spread over the
 *          ranks in two different ways; the allreduced total must be, bit for
 *          bit, the correctly rounded exact sum, computed here in int128 from
 *          each term's own rounding to 2^-64; out-of-range terms are refused.
 *   xgrad  the two-pass gradient reduction on adversarial score gradients
 *          (mixed magnitudes, zeros, cancellation, one rank with all the
 *          mass): the same bits as one process holding every row
 *          (MPI_COMM_SELF), |q| and int32 bounds hold, db and the loss sum are
 *          the correctly rounded exact sums, and dW is within the documented
 *          quantization bound of a long double reference.
 *   agree  every rank gets the lowest failing rank's message. */
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lincls/dataset.h"
#include "lincls/dist.h"
#include "lincls/rng.h"
#include "lincls/xgrad.h"
#include "lincls/xsum.h"

__extension__ typedef __int128 i128;

static int rank_, P_;

/* x * 2^64 rounded to the nearest integer, ties to even, exactly. */
static i128 ref_round(double x) {
    if (x == 0) return 0;
    int E;
    double m = frexp(x, &E);
    int64_t mi = (int64_t)ldexp(m, 53); /* x = mi 2^(E-53), |mi| < 2^53 */
    int sh = E - 53 + 64;
    if (sh >= 0) return (i128)mi * ((i128)1 << sh);
    if (sh < -60) return 0; /* |x 2^64| < 2^53 2^-61 < 1/4 */
    i128 a = mi < 0 ? -(i128)mi : (i128)mi, q = a >> -sh, rem = a - (q << -sh), half = (i128)1 << (-sh - 1);
    if (rem > half || (rem == half && (q & 1))) q++;
    return mi < 0 ? -q : q;
}

static double ref_value(i128 t) { return ldexp((double)t, -64); }

/* Term j of set s (the same on every rank). */
static double term(int s, int64_t j) {
    double u = lc_rng_normal(11, lc_stream(LC_RNG_TEST, (uint64_t)s), (uint64_t)j);
    switch (s) {
    case 0: { /* huge and tiny, ties, subnormals */
        static const double special[] = {0x1.fffffffffffffp39, -0x1.8p39, 1e-30, 0x1p-70, 5e-324, 3 * 0x1p-65,
                                         0x1p-65, -0x1p-65, -5 * 0x1p-65, 0x1.0000000000001p-64, 1e-300, 7.5};
        if (j % 3 == 0) return special[(j / 3) % 12];
        return u * ldexp(1.0, (int)(j % 100) - 62); /* below 2^40: |u| < 8 */
    }
    case 1: /* cancellation: pairs (a, -a) of huge terms, plus a few tiny ones */
        if (j >= 1980) return u * 1e-15; /* the total is these alone: ~1e-14 */
        return (j % 2 ? -1 : 1) * fabs(lc_rng_normal(11, lc_stream(LC_RNG_TEST, 1), (uint64_t)(j / 2))) * 1e11;
    case 2: return j % 2 ? -0.0 : 0.0; /* zeros */
    case 3: return u * 1e6;            /* one rank holds all of them (see owner) */
    case 4: return u * pow(10.0, (double)(j % 31) - 20);
    default: return (j % 7 ? 1 : -1) * (0x1p39 - (double)j); /* near the top: total ~ 2^58 */
    }
}

static const int64_t set_n[] = {3000, 2000, 500, 777, 5000, 1 << 19};

/* The rank that adds term j in layout `lay`: blocks, round-robin; set 3 puts
 * every term on rank P - 1. */
static int owner(int s, int lay, int64_t j, int64_t n) {
    if (s == 3) return P_ - 1;
    if (lay == 0) return (int)(j * P_ / n);
    return (int)(j % P_);
}

static int check_xsum(void) {
    int bad = 0;
    lc_err e = {0};
    for (int s = 0; s < (int)(sizeof set_n / sizeof *set_n); s++) {
        int64_t n = set_n[s];
        i128 exact = 0;
        for (int64_t j = 0; j < n; j++) exact += ref_round(term(s, j));
        double want = ref_value(exact);
        uint64_t bits[2];
        for (int lay = 0; lay < 2; lay++) {
            int64_t acc[LC_XS_LIMBS] = {0};
            for (int64_t j = 0; j < n; j++)
                if (owner(s, lay, j, n) == rank_ && lc_xs_add(acc, term(s, j))) bad = 1;
            if (lc_xs_allreduce(acc, 1, MPI_COMM_WORLD, &e)) bad = 1;
            double got = lc_xs_value(acc);
            memcpy(&bits[lay], &got, sizeof got);
            if (memcmp(&got, &want, sizeof got) != 0) {
                fprintf(stderr, "rank %d: xsum set %d layout %d: %.17g, exact %.17g\n", rank_, s, lay, got, want);
                bad = 1;
            }
        }
        if (rank_ == 0 && !bad)
            printf("xsum set %d (%lld terms): %.17g, the correctly rounded exact sum, in both layouts\n", s,
                   (long long)n, want);
    }
    /* out-of-range terms are refused and leave the accumulator alone */
    int64_t acc[LC_XS_LIMBS] = {0};
    const double refuse[] = {0x1p40, -0x1p40, INFINITY, -INFINITY, NAN, 1e300};
    for (size_t i = 0; i < sizeof refuse / sizeof *refuse; i++)
        if (lc_xs_add(acc, refuse[i]) != 1) bad = 1;
    if (acc[0] || acc[1] || acc[2] || acc[3]) bad = 1;
    if (lc_xs_add(acc, 0x1.fffffffffffffp39) != 0 || lc_xs_value(acc) != 0x1.fffffffffffffp39) bad = 1;
    /* ties: 2^-65 rounds to 0, 3 * 2^-65 to 2^-63 (both even) */
    int64_t t1[LC_XS_LIMBS] = {0}, t2[LC_XS_LIMBS] = {0};
    lc_xs_add(t1, 0x1p-65);
    lc_xs_add(t2, 3 * 0x1p-65);
    if (lc_xs_value(t1) != 0 || lc_xs_value(t2) != 0x1p-63) bad = 1;
    int any = 0;
    MPI_Allreduce(&bad, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (rank_ == 0) printf("xsum P=%d: %s\n", P_, any ? "WRONG" : "exact, refusals and ties as documented");
    return any;
}

/* --- xgrad ----------------------------------------------------------------- */
enum { NR = 1000, KC = 5, DC = 7 };

static uint8_t x8_of(int64_t i, int d) { return (uint8_t)(lc_rng_u64(5, lc_stream(LC_RNG_TEST, 99), (uint64_t)(i * DC + d)) & 255); }

/* dS of global row i, class k: adversarial per class */
static double ds_of(int64_t i, int k) {
    double u = lc_rng_normal(5, lc_stream(LC_RNG_TEST, 100 + (uint64_t)k), (uint64_t)i);
    switch (k) {
    case 0: return tanh(u);                                   /* softmax-like, in (-1, 1) */
    case 1: return i % 97 == 0 ? u * 5e11 : u * 1e-9;         /* huge next to tiny */
    case 2: return 0.0;                                       /* a class with no gradient */
    case 3: return (i % 2 ? -1 : 1) * fabs(lc_rng_normal(5, lc_stream(LC_RNG_TEST, 103), (uint64_t)(i / 2))); /* cancels */
    default: return i < NR / 8 ? u * 1e-20 : 0.0;             /* tiny, all on the first rows (rank 0's) */
    }
}

static double loss_of(int64_t i) { return i % 10 == 0 ? 1e9 * fabs(ds_of(i, 0)) : 2.0 + ds_of(i, 0); }

/* The gradient (gout: K*D + K floats) of rows [lo, hi) of the NR rows over comm. */
static int run_xgrad(MPI_Comm comm, int64_t lo, int64_t hi, float *gout, double *loss, int64_t *corr, double *fk,
                     int64_t *sumq, double *maxscaled) {
    lc_err e = {0};
    lc_xgrad x;
    int n = (int)(hi - lo);
    if (lc_xgrad_init(&x, comm, KC, DC, n > 0 ? n : 1, NULL, &e)) return 1;
    double *dS = malloc(sizeof(double) * (size_t)(n + 1) * KC), *L = malloc(sizeof(double) * (size_t)(n + 1));
    uint8_t *X8 = malloc((size_t)(n + 1) * DC);
    int64_t *idx = malloc(sizeof(int64_t) * (size_t)(n + 1));
    for (int i = 0; i < n; i++) {
        idx[i] = i;
        L[i] = loss_of(lo + i);
        for (int k = 0; k < KC; k++) dS[i * KC + k] = ds_of(lo + i, k);
        for (int d = 0; d < DC; d++) X8[i * DC + d] = x8_of(lo + i, d);
    }
    double ca[DC], cb[DC];
    for (int d = 0; d < DC; d++) ca[d] = 1.0 / (d + 1.5), cb[d] = -100.0 * ca[d]; /* (x - 100) / (d + 1.5) */
    int rc = lc_xgrad_pass1(&x, n, L, dS, 17 * n, &e) ||
             lc_xgrad_pass2(&x, n, dS, X8, idx, NR, ca, cb, gout, NULL, &e);
    *loss = x.loss_sum;
    *corr = x.correct;
    for (int k = 0; k < KC; k++) {
        fk[k] = x.f[k];
        sumq[k] = 0;
        maxscaled[k] = 0;
        for (int i = 0; i < n; i++) {
            sumq[k] += abs(x.q[i * KC + k]);
            double v = fabs(dS[i * KC + k] * x.pw[k]);
            if (v > maxscaled[k]) maxscaled[k] = v;
        }
    }
    if (rc) fprintf(stderr, "xgrad: %s\n", e.msg);
    lc_xgrad_free(&x);
    free(dS);
    free(L);
    free(X8);
    free(idx);
    return rc;
}

static int check_xgrad(void) {
    int bad = 0;
    const size_t np = (size_t)KC * DC + KC;
    float g[np], g1[np];
    double loss, loss1, fk[KC], fk1[KC], mxs[KC], mxs1[KC];
    int64_t corr, corr1, sq[KC], sq1[KC];
    int64_t lo, hi;
    lc_split_range(NR, P_, rank_, &lo, &hi);
    bad |= run_xgrad(MPI_COMM_WORLD, lo, hi, g, &loss, &corr, fk, sq, mxs);
    bad |= run_xgrad(MPI_COMM_SELF, 0, NR, g1, &loss1, &corr1, fk1, sq1, mxs1);
    if (memcmp(g, g1, sizeof g) || memcmp(&loss, &loss1, sizeof loss) || corr != corr1) {
        fprintf(stderr, "rank %d: xgrad at P=%d differs from one process\n", rank_, P_);
        bad = 1;
    }
    if (corr != 17LL * NR) bad = 1;
    /* bounds: |dS 2^e| <= 32767 on every rank, sum |q| * 255 < 2^31 over all */
    MPI_Allreduce(MPI_IN_PLACE, sq, KC, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
    for (int k = 0; k < KC; k++) {
        if (mxs[k] > 32767.0) bad = 1;
        if (sq[k] * 255 >= 2147483648LL) bad = 1;
    }
    /* db and the loss sum: the correctly rounded exact sums */
    i128 lex = 0;
    for (int64_t i = 0; i < NR; i++) lex += ref_round(loss_of(i));
    if (loss != ref_value(lex)) {
        fprintf(stderr, "loss sum %.17g, exact %.17g\n", loss, ref_value(lex));
        bad = 1;
    }
    for (int k = 0; k < KC; k++) {
        i128 ex = 0;
        for (int64_t i = 0; i < NR; i++) ex += ref_round(ds_of(i, k));
        float want = (float)(ref_value(ex) * (1.0 / NR));
        if (memcmp(&want, &g[KC * DC + k], sizeof want)) {
            fprintf(stderr, "db[%d] = %.9g, exact %.9g\n", k, g[KC * DC + k], want);
            bad = 1;
        }
    }
    /* dW against long double: within the rounding of dS to q (2^-e / 2 per
     * entry) plus the float result's own rounding */
    double worst = 0;
    for (int k = 0; k < KC; k++)
        for (int d = 0; d < DC; d++) {
            long double ref = 0, bound = 0;
            double ca = 1.0 / (d + 1.5), cb = -100.0 * ca;
            for (int64_t i = 0; i < NR; i++) {
                long double xp = (long double)ca * x8_of(i, d) + (long double)cb;
                ref += (long double)ds_of(i, k) * xp;
                bound += fabsl(xp) * 0.5L * fk[k];
            }
            ref /= NR;
            bound = bound / NR * (1 + 1e-12L) + fabsl(ref) * 0x1p-23L + 0x1p-149L; /* float rounding, underflow */
            long double err = fabsl((long double)g[k * DC + d] - ref);
            if (err > bound) {
                fprintf(stderr, "dW[%d][%d] = %.9g, reference %.12Lg, error %.3Lg > bound %.3Lg\n", k, d,
                        g[k * DC + d], ref, err, bound);
                bad = 1;
            }
            if (bound > 0 && (double)(err / bound) > worst) worst = (double)(err / bound);
        }
    int any = 0;
    MPI_Allreduce(&bad, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (rank_ == 0)
        printf("xgrad P=%d: %s (worst error %.2f of its bound)\n", P_,
               any ? "WRONG" : "bitwise equal to one process, bounds hold, sums exact", worst);
    /* shifts: documented values */
    int e1, e2, e3, e4;
    int sb = lc_xgrad_shift(1.0, 256.0, 256, &e1) || e1 != 14 || lc_xgrad_shift(0.9, 1.0, 1, &e2) || e2 != 15 ||
             lc_xgrad_shift(0.0, 0.0, 5, &e3) || e3 != 0 || !lc_xgrad_shift(1.0, 1.0, (int64_t)1 << 25, &e4);
    if (sb && rank_ == 0) fprintf(stderr, "lc_xgrad_shift: wrong shifts %d %d %d\n", e1, e2, e3);
    return any | sb;
}

static int check_agree(MPI_Comm comm) {
    lc_err e = {0};
    if (lc_agree(comm, &e) != 0) return 1; /* nobody failed */
    /* the last two ranks fail with different messages: everyone must get the lower one's */
    if (rank_ >= P_ - 2) lc_fail(&e, LC_EDATA, "failure on rank %d", rank_);
    int rc = lc_agree(comm, &e);
    char want[64];
    snprintf(want, sizeof want, "failure on rank %d", P_ >= 2 ? P_ - 2 : 0);
    int bad = rc != LC_EDATA || strcmp(e.msg, want) != 0;
    int any = 0;
    MPI_Allreduce(&bad, &any, 1, MPI_INT, MPI_MAX, comm);
    if (rank_ == 0) printf("agree P=%d: %s\n", P_, any ? "WRONG" : "every rank got the lowest failing rank's error");
    return any;
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_size(MPI_COMM_WORLD, &P_);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    int bad = check_agree(MPI_COMM_WORLD);
    bad |= check_xsum();
    bad |= check_xgrad();
    MPI_Finalize();
    return bad;
}
