/* rng: counter-based random streams keyed by (seed, purpose, index).
 *
 * A draw is a pure function of (seed, stream, counter): nothing depends on rank
 * count, call order or how many draws other streams made. Resuming a run only
 * needs the step counter. */
#ifndef LINCLS_RNG_H
#define LINCLS_RNG_H

#include <stdint.h>

/* Purposes: the high bits of a stream key, so streams never collide. */
enum {
    LC_RNG_INIT = 1,      /* weight initialization; index = parameter block */
    LC_RNG_BATCH = 2,     /* minibatch sampling; index = virtual shard */
    LC_RNG_SEARCH = 3,    /* random search candidates; index = trial */
    LC_RNG_SWEEP = 4,     /* hyperparameter sweep; index = trial */
    LC_RNG_LOCAL = 5,     /* random local search steps */
    LC_RNG_BOW = 6,       /* bag of words: index 0-2 patch image/row/column, 3 k-means init */
    LC_RNG_TEST = 15      /* tests */
};

/* Stream key for (purpose, index). */
static inline uint64_t lc_stream(uint32_t purpose, uint64_t index) {
    return ((uint64_t)purpose << 56) ^ index;
}

uint64_t lc_rng_u64(uint64_t seed, uint64_t stream, uint64_t counter);
/* Uniform in [0, 1) with 53 random bits. */
double lc_rng_uniform(uint64_t seed, uint64_t stream, uint64_t counter);
/* Standard normal (Box-Muller on counters 2c and 2c+1). */
double lc_rng_normal(uint64_t seed, uint64_t stream, uint64_t counter);
/* Uniform integer in [0, n), n >= 1, without modulo bias. */
uint64_t lc_rng_below(uint64_t seed, uint64_t stream, uint64_t counter, uint64_t n);

/* A random bijection of [0, n): element i of the permutation keyed by
 * (seed, stream). Feistel network with cycle walking; O(1) memory. */
uint64_t lc_rng_perm(uint64_t seed, uint64_t stream, uint64_t i, uint64_t n);

#endif
