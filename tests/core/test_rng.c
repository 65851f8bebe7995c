/* rng: draws are pure functions of (seed, stream, counter); the permutation
 * is a bijection for many sizes; moments of uniform and normal draws are
 * right. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "lincls/rng.h"

#include "check.h"

int main(void) {
    /* determinism and independence of streams */
    CHECK(lc_rng_u64(1, 2, 3) == lc_rng_u64(1, 2, 3), "same key, different draw");
    CHECK(lc_rng_u64(1, 2, 3) != lc_rng_u64(1, 3, 3), "streams collide");
    CHECK(lc_rng_u64(1, 2, 3) != lc_rng_u64(2, 2, 3), "seeds collide");
    /* permutation is a bijection of [0, n) */
    const uint64_t ns[] = {1, 2, 3, 7, 64, 100, 1000, 4097, 49000};
    for (size_t k = 0; k < sizeof ns / sizeof *ns; k++) {
        uint64_t n = ns[k];
        char *seen = calloc(n, 1);
        int identity = 1;
        for (uint64_t i = 0; i < n; i++) {
            uint64_t p = lc_rng_perm(42, 9, i, n);
            CHECK(p < n, "perm(%llu) out of range for n=%llu", (unsigned long long)i, (unsigned long long)n);
            if (p < n) {
                CHECK(!seen[p], "perm hits %llu twice for n=%llu", (unsigned long long)p, (unsigned long long)n);
                seen[p] = 1;
            }
            if (p != i) identity = 0;
        }
        CHECK(n < 8 || !identity, "perm is the identity for n=%llu", (unsigned long long)n);
        free(seen);
    }
    CHECK(lc_rng_perm(42, 9, 5, 1000) != lc_rng_perm(42, 10, 5, 1000) ||
              lc_rng_perm(42, 9, 6, 1000) != lc_rng_perm(42, 10, 6, 1000),
          "different streams give the same permutation");
    /* moments */
    double s = 0, s2 = 0, u = 0;
    const int n = 200000;
    for (int i = 0; i < n; i++) {
        double z = lc_rng_normal(3, 4, (uint64_t)i);
        s += z;
        s2 += z * z;
        u += lc_rng_uniform(3, 5, (uint64_t)i);
    }
    CHECK(fabs(s / n) < 0.01, "normal mean %g", s / n);
    CHECK(fabs(s2 / n - 1) < 0.02, "normal variance %g", s2 / n);
    CHECK(fabs(u / n - 0.5) < 0.005, "uniform mean %g", u / n);
    uint64_t counts[7] = {0};
    for (int i = 0; i < 70000; i++) counts[lc_rng_below(1, 1, (uint64_t)i, 7)]++;
    for (int k = 0; k < 7; k++) CHECK(counts[k] > 9500 && counts[k] < 10500, "below(7) bin %d has %llu", k, (unsigned long long)counts[k]);
    if (!failures) printf("rng: all checks passed\n");
    return failures != 0;
}
