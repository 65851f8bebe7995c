/* rng: counter-based random numbers. A draw is splitmix64-style mixing of
 * (seed, stream, counter); no state is carried between draws. */
#include "lincls/rng.h"

#include <math.h>

#include "lincls/kern.h"

static inline uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t lc_rng_u64(uint64_t seed, uint64_t stream, uint64_t counter) {
    uint64_t k = mix64(seed + 0x9e3779b97f4a7c15ULL);
    k = mix64(k ^ (stream * 0xd1b54a32d192ed03ULL + 0x632be59bd9b4e019ULL));
    return mix64(k + (counter + 1) * 0x9e3779b97f4a7c15ULL);
}

double lc_rng_uniform(uint64_t seed, uint64_t stream, uint64_t counter) {
    return (double)(lc_rng_u64(seed, stream, counter) >> 11) * 0x1.0p-53;
}

double lc_rng_normal(uint64_t seed, uint64_t stream, uint64_t counter) {
    double u1 = lc_rng_uniform(seed, stream, 2 * counter);
    double u2 = lc_rng_uniform(seed, stream, 2 * counter + 1);
    if (u1 < 0x1.0p-60) u1 = 0x1.0p-60;
    /* lc_ln and lc_cos, not libm's: the draws (initial weights, search
     * candidates) are then the same bits on every CPU */
    return sqrt(-2.0 * lc_ln(u1)) * lc_cos(6.283185307179586 * u2);
}

uint64_t lc_rng_below(uint64_t seed, uint64_t stream, uint64_t counter, uint64_t n) {
    if (n <= 1) return 0;
    /* rejection on the top multiple of n; extra draws use a derived counter */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t c = counter;
    for (uint64_t attempt = 0;; attempt++) {
        uint64_t x = attempt == 0 ? lc_rng_u64(seed, stream, c)
                                  : lc_rng_u64(seed ^ (attempt * 0xa24baed4963ee407ULL), stream, c);
        if (x < limit) return x % n;
    }
}

/* Feistel permutation over the smallest even-bit-width power of two >= n,
 * cycle-walking until the value lands in [0, n). */
uint64_t lc_rng_perm(uint64_t seed, uint64_t stream, uint64_t i, uint64_t n) {
    if (n <= 1) return 0;
    int bits = 2;
    while (bits < 64 && ((uint64_t)1 << bits) < n) bits++;
    if (bits & 1) bits++;
    int half = bits / 2;
    uint64_t mask = ((uint64_t)1 << half) - 1;
    uint64_t k = lc_rng_u64(seed, stream, 0x5eed);
    uint64_t x = i;
    do {
        uint64_t l = x >> half, r = x & mask;
        for (int round = 0; round < 4; round++) {
            uint64_t f = mix64(r ^ k ^ ((uint64_t)round << 60)) & mask;
            uint64_t t = l ^ f;
            l = r;
            r = t;
        }
        x = (l << half) | r;
    } while (x >= n);
    return x;
}
