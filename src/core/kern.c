/* kern: deterministic elementary functions and fixed-order / exact kernels.
 * See include/lincls/kern.h for the contracts.
 *
 * Everything here is plain IEEE double / float arithmetic with every
 * operation written out: no FMA (the library is built with
 * -ffp-contract=off), no libm, no BLAS. On x86-64 float and double
 * arithmetic is SSE/AVX (FLT_EVAL_METHOD 0), so each expression rounds once
 * per operation in the type it is written in, on every CPU. */
#include "lincls/kern.h"

#include <math.h> /* INFINITY, NAN only: no libm function is called */
#include <stdlib.h>
#include <string.h>

/* ======================================================================
 * Elementary functions.
 *
 * The algorithms and coefficients are those of Sun's fdlibm (as kept in
 * FreeBSD's msun: e_exp.c, e_log.c, k_cos.c, k_sin.c, e_rem_pio2.c), whose
 * notice reads: "Copyright (C) 1993 by Sun Microsystems, Inc. All rights
 * reserved. Developed at SunPro, a Sun Microsystems, Inc. business.
 * Permission to use, copy, modify, and distribute this software is freely
 * granted, provided that this notice is preserved." They are written in
 * plain double arithmetic, accurate to below 1 ulp. Constants are given as
 * hexadecimal floating literals, i.e. exactly.
 * ====================================================================== */

static inline uint64_t dbits(double x) {
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}
static inline double dfrom(uint64_t u) {
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}
static inline uint32_t dhigh(double x) { return (uint32_t)(dbits(x) >> 32); }
static inline double dset_high(double x, uint32_t hi) {
    return dfrom(((uint64_t)hi << 32) | (dbits(x) & 0xffffffffu));
}

static const double ln2_hi = 0x1.62e42feep-1;            /* 6.93147180369123816490e-01 */
static const double ln2_lo = 0x1.a39ef35793c76p-33;      /* 1.90821492927058770002e-10 */

double lc_exp(double x) {
    static const double o_threshold = 0x1.62e42fefa39efp+9; /* 709.782712893383973096 */
    static const double u_threshold = -0x1.74910d52d3051p+9; /* -745.13321910194110842 */
    static const double invln2 = 0x1.71547652b82fep+0;
    static const double P1 = 0x1.555555555553ep-3, P2 = -0x1.6c16c16bebd93p-9,
                        P3 = 0x1.1566aaf25de2cp-14, P4 = -0x1.bbd41c5d26bf1p-20,
                        P5 = 0x1.6376972bea4d0p-25;
    uint32_t hx = dhigh(x);
    int xsb = (int)(hx >> 31);
    hx &= 0x7fffffffu;
    if (hx >= 0x40862e42u) {                 /* |x| >= 709.78 */
        if (hx >= 0x7ff00000u) {
            if (((hx & 0xfffffu) | (uint32_t)dbits(x)) != 0) return x + x; /* NaN */
            return xsb ? 0.0 : x;                                          /* e^-inf, e^+inf */
        }
        if (x > o_threshold) return INFINITY;
        if (x < u_threshold) return 0.0;
    }
    double hi = 0, lo = 0, t;
    int k = 0;
    if (hx > 0x3fd62e42u) {                  /* |x| > 0.5 ln2 */
        if (hx < 0x3ff0a2b2u) {              /* and |x| < 1.5 ln2 */
            hi = xsb ? x + ln2_hi : x - ln2_hi;
            lo = xsb ? -ln2_lo : ln2_lo;
            k = xsb ? -1 : 1;
        } else {
            k = (int)(invln2 * x + (xsb ? -0.5 : 0.5));
            t = k;
            hi = x - t * ln2_hi;             /* exact: ln2_hi has 32 trailing zero bits */
            lo = t * ln2_lo;
        }
        x = hi - lo;
    } else if (hx < 0x3e300000u) {           /* |x| < 2^-28 */
        return 1.0 + x;
    }
    t = x * x;
    /* 2^k (or 2^(k+1000) where 2^k would be subnormal) built from its bits */
    uint32_t ek = k >= -1021 ? (uint32_t)k : (uint32_t)(k + 1000);
    double twopk = dfrom((uint64_t)(0x3ff00000u + (ek << 20)) << 32);
    double c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
    if (k == 0) return 1.0 - ((x * c) / (c - 2.0) - x);
    double y = 1.0 - ((lo - (x * c) / (2.0 - c)) - hi);
    if (k >= -1021) {
        if (k == 1024) return y * 2.0 * 0x1p1023;
        return y * twopk;
    }
    return y * twopk * 0x1p-1000;
}

double lc_ln(double x) {
    static const double two54 = 0x1p54;
    static const double Lg1 = 0x1.5555555555593p-1, Lg2 = 0x1.999999997fa04p-2,
                        Lg3 = 0x1.2492494229359p-2, Lg4 = 0x1.c71c51d8e78afp-3,
                        Lg5 = 0x1.7466496cb03dep-3, Lg6 = 0x1.39a09d078c69fp-3,
                        Lg7 = 0x1.2f112df3e5244p-3;
    uint64_t u = dbits(x);
    int32_t hx = (int32_t)(u >> 32);
    uint32_t lx = (uint32_t)u;
    int k = 0;
    if (hx < 0x00100000) {                   /* x < 2^-1022: zero, negative or subnormal */
        if (((hx & 0x7fffffff) | (int32_t)lx) == 0) return -INFINITY; /* ln(+-0) */
        if (hx < 0) return NAN;                                        /* ln(x < 0) */
        k -= 54;
        x *= two54;                          /* subnormal: scale up, exactly */
        hx = (int32_t)dhigh(x);
    }
    if (hx >= 0x7ff00000) return x + x;      /* +inf, NaN */
    k += (hx >> 20) - 1023;
    hx &= 0x000fffff;
    int32_t i = (hx + 0x95f64) & 0x100000;
    x = dset_high(x, (uint32_t)(hx | (i ^ 0x3ff00000))); /* x or x/2 in [sqrt(2)/2, sqrt(2)) */
    k += i >> 20;
    double f = x - 1.0, dk, R;
    if ((0x000fffff & (2 + hx)) < 3) {       /* -2^-20 <= f < 2^-20 */
        if (f == 0.0) {
            if (k == 0) return 0.0;
            dk = (double)k;
            return dk * ln2_hi + dk * ln2_lo;
        }
        R = f * f * (0.5 - 0.33333333333333333 * f);
        if (k == 0) return f - R;
        dk = (double)k;
        return dk * ln2_hi - ((R - dk * ln2_lo) - f);
    }
    double s = f / (2.0 + f);
    dk = (double)k;
    double z = s * s;
    i = hx - 0x6147a;
    double w = z * z;
    int32_t j = 0x6b851 - hx;
    double t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
    double t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
    i |= j;
    R = t2 + t1;
    if (i > 0) {
        double hfsq = 0.5 * f * f;
        if (k == 0) return f - (hfsq - s * (hfsq + R));
        return dk * ln2_hi - ((hfsq - (s * (hfsq + R) + dk * ln2_lo)) - f);
    }
    if (k == 0) return f - s * (f - R);
    return dk * ln2_hi - ((s * (f - R) - dk * ln2_lo) - f);
}

/* cos(x + y) for |x| <= pi/4, |y| tiny (y the tail of a reduced argument). */
static double kernel_cos(double x, double y) {
    static const double C1 = 0x1.555555555554cp-5, C2 = -0x1.6c16c16c15177p-10,
                        C3 = 0x1.a01a019cb1590p-16, C4 = -0x1.27e4f809c52adp-22,
                        C5 = 0x1.1ee9ebdb4b1c4p-29, C6 = -0x1.8fae9be8838d4p-37;
    double z = x * x;
    double w = z * z;
    double r = z * (C1 + z * (C2 + z * C3)) + w * w * (C4 + z * (C5 + z * C6));
    double hz = 0.5 * z;
    w = 1.0 - hz;
    return w + (((1.0 - w) - hz) + (z * r - x * y));
}

/* sin(x + y) for |x| <= pi/4; iy = 0: y is taken as 0. */
static double kernel_sin(double x, double y, int iy) {
    static const double S1 = -0x1.5555555555549p-3, S2 = 0x1.111111110f8a6p-7,
                        S3 = -0x1.a01a019c161d5p-13, S4 = 0x1.71de357b1fe7dp-19,
                        S5 = -0x1.ae5e68a2b9cebp-26, S6 = 0x1.5d93a5acfd57cp-33;
    double z = x * x;
    double w = z * z;
    double r = S2 + z * (S3 + z * S4) + z * w * (S5 + z * S6);
    double v = z * x;
    if (iy == 0) return x + v * (S1 + z * r);
    return x - ((z * (0.5 * y - v * r) - y) - v * S1);
}

/* x = n pi/2 + y[0] + y[1], |y[0] + y[1]| <= pi/4 (Cody-Waite with pi/2 in
 * three pieces, fdlibm's "medium" case; valid for |x| <= 2^20 pi/2). */
static int rem_pio2(double x, double *y) {
    static const double invpio2 = 0x1.45f306dc9c883p-1;
    static const double pio2_1 = 0x1.921fb544p+0, pio2_1t = 0x1.0b4611a626331p-34;
    static const double pio2_2 = 0x1.0b4611a6p-34, pio2_2t = 0x1.3198a2e037073p-69;
    static const double pio2_3 = 0x1.3198a2ep-69, pio2_3t = 0x1.b839a252049c1p-104;
    static const double toint = 0x1.8p52;
    uint32_t ix = dhigh(x) & 0x7fffffffu;
    double fn = (x * invpio2 + toint) - toint; /* round to nearest integer */
    int n = (int)fn;
    double r = x - fn * pio2_1;
    double w = fn * pio2_1t;                 /* first round: good to 85 bits */
    int j = (int)(ix >> 20);
    y[0] = r - w;
    int i = j - (int)((dhigh(y[0]) >> 20) & 0x7ff);
    if (i > 16) {                            /* second round: 118 bits */
        double t = r;
        w = fn * pio2_2;
        r = t - w;
        w = fn * pio2_2t - ((t - r) - w);
        y[0] = r - w;
        i = j - (int)((dhigh(y[0]) >> 20) & 0x7ff);
        if (i > 49) {                        /* third round: 151 bits, all cases */
            t = r;
            w = fn * pio2_3;
            r = t - w;
            w = fn * pio2_3t - ((t - r) - w);
            y[0] = r - w;
        }
    }
    y[1] = (r - y[0]) - w;
    return n;
}

#define LC_TRIG_MAX_HIGH 0x413921fbu         /* |x| <= 2^20 pi/2 */

double lc_cos(double x) {
    uint32_t ix = dhigh(x) & 0x7fffffffu;
    if (ix <= 0x3fe921fbu) {                 /* |x| <~ pi/4 */
        if (ix < 0x3e46a09eu) return 1.0;    /* |x| < 2^-27 sqrt(2): cos x rounds to 1 */
        return kernel_cos(x, 0.0);
    }
    if (ix > LC_TRIG_MAX_HIGH) return NAN;   /* also inf and NaN */
    double y[2];
    int n = rem_pio2(x, y);
    switch (n & 3) {
    case 0: return kernel_cos(y[0], y[1]);
    case 1: return -kernel_sin(y[0], y[1], 1);
    case 2: return -kernel_cos(y[0], y[1]);
    default: return kernel_sin(y[0], y[1], 1);
    }
}

double lc_sin(double x) {
    uint32_t ix = dhigh(x) & 0x7fffffffu;
    if (ix <= 0x3fe921fbu) {
        if (ix < 0x3e500000u) return x;      /* |x| < 2^-26: sin x rounds to x */
        return kernel_sin(x, 0.0, 0);
    }
    if (ix > LC_TRIG_MAX_HIGH) return NAN;
    double y[2];
    int n = rem_pio2(x, y);
    switch (n & 3) {
    case 0: return kernel_sin(y[0], y[1], 1);
    case 1: return kernel_cos(y[0], y[1]);
    case 2: return -kernel_sin(y[0], y[1], 1);
    default: return -kernel_cos(y[0], y[1]);
    }
}

/* Double-double helpers without FMA: Veltkamp splitting + Dekker product. */
static inline void two_prod(double a, double b, double *p, double *e) {
    double ca = 134217729.0 * a, cb = 134217729.0 * b; /* 2^27 + 1 */
    double ah = ca - (ca - a), al = a - ah;
    double bh = cb - (cb - b), bl = b - bh;
    *p = a * b;
    *e = ((ah * bh - *p) + ah * bl + al * bh) + al * bl;
}

static inline void dd_mul(double ah, double al, double bh, double bl, double *rh, double *rl) {
    double p, e;
    two_prod(ah, bh, &p, &e);
    e = e + (ah * bl + al * bh);
    *rh = p + e;
    *rl = e - (*rh - p);
}

/* Repeated squaring in double-double (about 100 bits), rounded once at the
 * end: below 1 ulp for results in [2^-900, 2^900]. Outside that range the
 * splitting could overflow, and plain double squaring (error up to about
 * |n| ulps, still deterministic) is returned; that also yields inf and 0. */
double lc_powi(double x, int64_t n) {
    uint64_t m = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;
    double r = 1.0, p = x;
    for (uint64_t t = m; t;) {
        if (t & 1) r = r * p;
        t >>= 1;
        if (t) p = p * p;
    }
    double ar = r < 0 ? -r : r;
    if (!(ar >= 0x1p-900 && ar <= 0x1p900) || x != x) return n < 0 ? 1.0 / r : r;
    double rh = 1.0, rl = 0.0, ph = x, pl = 0.0;
    for (uint64_t t = m; t;) {
        if (t & 1) dd_mul(rh, rl, ph, pl, &rh, &rl);
        t >>= 1;
        if (t) dd_mul(ph, pl, ph, pl, &ph, &pl);
    }
    if (n >= 0) return rh + rl;
    /* 1 / (rh + rl): one Newton step on q = 1 / rh */
    double q = 1.0 / rh, e;
    two_prod(q, rh, &p, &e);
    double rem = ((1.0 - p) - e) - q * rl;
    return q + rem * q;
}

/* ======================================================================
 * Reference kernels: the contracts of kern.h written as plain loops.
 * ====================================================================== */

void lc_kern_scores_ref(int n, int D, int K, const uint8_t *xu8, const float *xf32,
                        const int64_t *idx, const float *W, const float *b, const float *mean,
                        const float *inv_scale, float *S) {
    for (int i = 0; i < n; i++) {
        size_t row = (size_t)(idx ? idx[i] : i);
        const uint8_t *xu = xu8 ? xu8 + row * (size_t)D : NULL;
        const float *xf = xf32 ? xf32 + row * (size_t)D : NULL;
        for (int k = 0; k < K; k++) {
            const float *w = W + (size_t)k * D;
            float lane[16];
            for (int l = 0; l < 16; l++) lane[l] = 0.0f;
            for (int d = 0; d < D; d++) {
                float xn = xu ? ((float)xu[d] - mean[d]) * inv_scale[d]
                              : (xf[d] - mean[d]) * inv_scale[d];
                float p = w[d] * xn;
                lane[d % 16] = lane[d % 16] + p;
            }
            for (int h = 8; h >= 1; h /= 2)
                for (int l = 0; l < h; l++) lane[l] = lane[l] + lane[l + h];
            S[(size_t)i * K + k] = b ? lane[0] + b[k] : lane[0];
        }
    }
}

/* Unsigned 32-bit arithmetic wraps instead of overflowing: the result is
 * exact modulo 2^32 in any order, and exact under the caller's bound. */
void lc_kern_grad_u8_ref(int n, int D, int K, const uint8_t *X, const int64_t *idx,
                         const int16_t *q, int32_t *G) {
    for (int i = 0; i < n; i++) {
        const uint8_t *x = X + (size_t)(idx ? idx[i] : i) * (size_t)D;
        for (int k = 0; k < K; k++) {
            int32_t qk = q[(size_t)i * K + k];
            if (qk == 0) continue;
            uint32_t *g = (uint32_t *)G + (size_t)k * D;
            for (int d = 0; d < D; d++) g[d] += (uint32_t)(qk * (int32_t)x[d]);
        }
    }
}

/* ======================================================================
 * Dispatch.
 * ====================================================================== */

/* GCC only: the per-ISA compilation below relies on #pragma GCC target (and
 * on the ISA macros following it). Other compilers get the scalar
 * references, which give the same bits. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define LC_KERN_X86 1
#endif

typedef enum { ISA_GENERIC = 0, ISA_AVX2 = 1, ISA_AVX512 = 2, ISA_AVX512VNNI = 3, ISA_COUNT = 4 } kern_isa;
static const char *const isa_names[] = {"generic", "avx2", "avx512", "avx512vnni"};
static int isa_current = -1;

static int isa_supported(int isa) {
#ifdef LC_KERN_X86
    __builtin_cpu_init();
    switch (isa) {
    case ISA_GENERIC: return 1;
    case ISA_AVX2: return __builtin_cpu_supports("avx2");
    case ISA_AVX512:
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
    case ISA_AVX512VNNI: return isa_supported(ISA_AVX512) && __builtin_cpu_supports("avx512vnni");
    }
    return 0;
#else
    return isa == ISA_GENERIC;
#endif
}

static int isa_best(void) {
    for (int i = ISA_COUNT - 1; i > ISA_GENERIC; i--)
        if (isa_supported(i)) return i;
    return ISA_GENERIC;
}

static int isa_get(void) {
    int cur = __atomic_load_n(&isa_current, __ATOMIC_ACQUIRE);
    if (cur >= 0) return cur;
    cur = isa_best();
    const char *env = getenv("LINCLS_KERN_ISA");
    if (env && *env)
        for (int i = 0; i < ISA_COUNT; i++)
            if (strcmp(env, isa_names[i]) == 0 && isa_supported(i)) cur = i;
    __atomic_store_n(&isa_current, cur, __ATOMIC_RELEASE);
    return cur;
}

const char *lc_kern_isa(void) { return isa_names[isa_get()]; }

int lc_kern_set_isa(const char *name) {
    for (int i = 0; i < ISA_COUNT; i++)
        if (name && strcmp(name, isa_names[i]) == 0) {
            if (!isa_supported(i)) return -1;
            __atomic_store_n(&isa_current, i, __ATOMIC_RELEASE);
            return 0;
        }
    return -1;
}

/* ======================================================================
 * Vector kernels: src/kern_simd.inc compiled once per ISA (see there).
 * ====================================================================== */

#ifdef LC_KERN_X86
#include <immintrin.h>

#define LC_INLINE static inline __attribute__((always_inline))

/* Start fetching rows i0..i1-1: their addresses are random, so the hardware
 * prefetcher would only catch on after a few lines of each. */
LC_INLINE void kern_prefetch_rows(const uint8_t *xu, const float *xf, const int64_t *idx, int i0,
                                  int i1, int D) {
    for (int i = i0; i < i1; i++) {
        size_t row = (size_t)(idx ? idx[i] : i);
        const char *p = xu ? (const char *)(xu + row * D) : (const char *)(xf + row * D);
        size_t bytes = (size_t)D * (xu ? 1 : sizeof(float));
        for (size_t off = 0; off < bytes; off += 64) __builtin_prefetch(p + off);
    }
}

#define KSUF generic
#include "kern_simd.inc"
#undef KSUF

#pragma GCC push_options
#pragma GCC target("avx2")
#define KSUF avx2
#include "kern_simd.inc"
#undef KSUF
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq")
#define KSUF avx512
#include "kern_simd.inc"
#undef KSUF
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni")
#define KSUF avx512vnni
#include "kern_simd.inc"
#undef KSUF
#pragma GCC pop_options
#endif

/* ======================================================================
 * The kernels.
 * ====================================================================== */

void lc_kern_scores(int n, int D, int K, const uint8_t *xu8, const float *xf32,
                    const int64_t *idx, const float *W, const float *b, const float *mean,
                    const float *inv_scale, float *S, float *scratch) {
    if (n <= 0 || K <= 0) return;
#ifdef LC_KERN_X86
    switch (isa_get()) {
    case ISA_AVX2: scores_avx2(n, D, K, xu8, xf32, idx, W, b, mean, inv_scale, S, scratch); return;
    case ISA_AVX512: scores_avx512(n, D, K, xu8, xf32, idx, W, b, mean, inv_scale, S, scratch); return;
    case ISA_AVX512VNNI:
        scores_avx512vnni(n, D, K, xu8, xf32, idx, W, b, mean, inv_scale, S, scratch);
        return;
    default: scores_generic(n, D, K, xu8, xf32, idx, W, b, mean, inv_scale, S, scratch); return;
    }
#else
    (void)scratch;
    lc_kern_scores_ref(n, D, K, xu8, xf32, idx, W, b, mean, inv_scale, S);
#endif
}

void lc_kern_grad_u8(int n, int D, int K, const uint8_t *X, const int64_t *idx,
                     const int16_t *q, int32_t *G) {
    if (n <= 0 || D <= 0 || K <= 0) return;
#ifdef LC_KERN_X86
    /* q of rows 2p and 2p+1 side by side as the two int16 halves of an int32 */
    int npairs = (n + 1) / 2;
    int32_t *Qp = malloc(sizeof(int32_t) * (size_t)npairs * (size_t)K);
    if (Qp) {
        for (int p = 0; p < npairs; p++)
            for (int k = 0; k < K; k++) {
                uint32_t lo = (uint16_t)q[(size_t)(2 * p) * K + k];
                uint32_t hi = 2 * p + 1 < n ? (uint16_t)q[(size_t)(2 * p + 1) * K + k] : 0;
                Qp[(size_t)p * K + k] = (int32_t)(lo | hi << 16);
            }
        switch (isa_get()) {
        case ISA_AVX2: grad_avx2(n, D, K, X, idx, Qp, G); break;
        case ISA_AVX512: grad_avx512(n, D, K, X, idx, Qp, G); break;
        case ISA_AVX512VNNI: grad_avx512vnni(n, D, K, X, idx, Qp, G); break;
        default: grad_generic(n, D, K, X, idx, Qp, G); break;
        }
        free(Qp);
        return;
    }
#endif
    lc_kern_grad_u8_ref(n, D, K, X, idx, q, G);
}
