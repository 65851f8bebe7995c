/* xsum: exact sums of doubles in 64-bit fixed point ("reproducing sums").
 *
 * An accumulator is LC_XS_LIMBS int64 limbs w[0..3] holding
 *     value = w[0] 2^-64 + w[1] 2^-32 + w[2] + w[3] 2^32.
 * Adding a term x (|x| < 2^40) first rounds it to the grid 2^-64 (to nearest,
 * ties to even) and splits it exactly into four integer parts of at most 2^32
 * each, added to the limbs: integer additions, so the total does not depend on
 * the order of the terms or on how they are grouped, and an MPI_Allreduce with
 * MPI_SUM over int64 (exact and associative whatever algorithm MPI uses) adds
 * accumulators of several ranks without changing a bit (lc_xs_allreduce in
 * dist.h). Bounds: up to 2^31 terms between normalizations; a normalized
 * accumulator has w[0..2] in [0, 2^32) and the sign in w[3] (|w[3]| < 2^40), so
 * up to 2^23 ranks can add theirs. The only rounding is each term's own, to
 * 2^-64; lc_xs_value rounds the exact total to the nearest double (exactly so
 * when |total| < 2^62). A term of 2^40 or more (or NaN or inf) is refused:
 * callers treat it as a diverged computation.  */
#ifndef LINCLS_XSUM_H
#define LINCLS_XSUM_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

enum { LC_XS_LIMBS = 4 };
#define LC_XS_MAX 0x1p40 /* terms must be smaller in magnitude */

/* Adds x to the accumulator w. Returns 0, or 1 (and adds nothing) when x is
 * NaN, infinite or |x| >= 2^40. */
static inline int lc_xs_add(int64_t *w, double x) {
    if (!(fabs(x) < LC_XS_MAX)) return 1;
    /* each step removes the top part exactly: the conversion to int64
     * truncates toward zero (keeping the sign), and the remainder is x's own
     * lower bits, which a double holds exactly */
    int64_t h = (int64_t)(x * 0x1p-32);
    double r = x - (double)h * 0x1p32;
    int64_t m = (int64_t)r;
    r = (r - (double)m) * 0x1p32;
    int64_t l = (int64_t)r;
    r = (r - (double)l) * 0x1p32;
    /* the term's only rounding, to nearest with ties to even (|r| < 2^32, so
     * adding and removing 1.5 * 2^52 leaves an integer); the total's parity
     * is this part's, so the whole term is rounded to nearest even on 2^-64 */
    int64_t t = (int64_t)((r + 0x1.8p52) - 0x1.8p52);
    w[3] += h;
    w[2] += m;
    w[1] += l;
    w[0] += t;
    return 0;
}

/* Normalizes n accumulators (n * LC_XS_LIMBS limbs) in place: carries move up
 * so that w[0..2] are in [0, 2^32). The value does not change. */
void lc_xs_norm(int64_t *w, size_t n);

/* The value of one accumulator, rounded to nearest (ties to even) when
 * |total| < 2^62, else within an ulp. */
double lc_xs_value(const int64_t *w);

#endif
