/* xsum: normalization and value of exact fixed-point accumulators (xsum.h). */
#include "lincls/xsum.h"

void lc_xs_norm(int64_t *w, size_t n) {
    for (size_t a = 0; a < n; a++, w += LC_XS_LIMBS) {
        for (int j = 0; j < LC_XS_LIMBS - 1; j++) {
            int64_t c = w[j] >> 32; /* arithmetic shift: floor division by 2^32 */
            w[j] -= c * ((int64_t)1 << 32);
            w[j + 1] += c;
        }
    }
}

double lc_xs_value(const int64_t *w0) {
    int64_t w[LC_XS_LIMBS];
    for (int j = 0; j < LC_XS_LIMBS; j++) w[j] = w0[j];
    lc_xs_norm(w, 1);
    /* hi = w3 2^32 + w2 (units), lo = w1 2^32 + w0 (units of 2^-64), lo in [0, 2^64) */
    __extension__ typedef __int128 i128;
    i128 hi = (i128)w[3] * ((i128)1 << 32) + w[2];
    i128 lo = (i128)w[1] * ((i128)1 << 32) + w[0];
    const i128 lim = (i128)1 << 62;
    if (hi < lim && hi > -lim) /* total 2^64 = hi 2^64 + lo fits an int128: one rounding */
        return ldexp((double)(hi * ((i128)1 << 64) + lo), -64);
    return (double)hi + ldexp((double)lo, -64);
}
