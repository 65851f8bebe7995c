/* kern: the deterministic elementary functions against long-double libm
 * (max ulp error asserted) and their special cases; the fixed-order scores
 * kernel and the exact uint8 gradient kernel against their scalar
 * references, bit for bit, under every vector ISA this CPU can run; scores
 * against a double-precision reference within a rigorous bound.
 *
 * test_kern            all checks, every ISA the CPU has
 * test_kern --digest   prints one hash of the kernels' outputs on a fixed
 *                      problem (the same on every x86-64 CPU, whatever
 *                      LINCLS_KERN_ISA or OPENBLAS_CORETYPE says)           */
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lincls/kern.h"
#include "lincls/rng.h"

#include "check.h"

static const char *const ISAS[] = {"generic", "avx2", "avx512", "avx512vnni"};
enum { NISA = 4 };

/* ---------------------------------------------------------------- helpers */

static uint64_t rnd_state = 1;
static uint64_t rnd(void) { return lc_rng_u64(20240610, 77, rnd_state++); }
static double urand(void) { return (double)(rnd() >> 11) * 0x1.0p-53; }

static uint64_t fbits(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

/* error of got in ulps of the double nearest ref */
static double ulp_err(double got, long double ref) {
    if (isnan(got) || isnan((double)ref)) return isnan(got) && isnan((double)ref) ? 0 : 1e30;
    double r = (double)ref;
    if (isinf(r)) return got == r ? 0 : 1e30;
    double a = fabs(r);
    double ulp = nextafter(a, INFINITY) - a;
    if (a == 0 || ulp < 0x1p-1074) ulp = 0x1p-1074;
    /* below a power of two the spacing halves: measure with the finer one */
    double below = a - nextafter(a, 0);
    if (below < ulp && fabsl(ref) < (long double)a) ulp = below;
    return (double)(fabsl((long double)got - ref) / (long double)ulp);
}

typedef struct {
    double worst, at;
    long count;
} acc_err;

static void note(acc_err *a, double x, double got, long double ref) {
    double e = ulp_err(got, ref);
    if (e > a->worst) {
        a->worst = e;
        a->at = x;
    }
    a->count++;
}

/* -------------------------------------------------- elementary functions */

static void test_math(void) {
    acc_err ee = {0, 0, 0}, le = {0, 0, 0}, ce = {0, 0, 0}, se = {0, 0, 0};
    const int N = 300000;
    for (int t = 0; t < N; t++) {
        /* exp: the whole finite range, and dense near 0 */
        double x = -745.2 + urand() * (709.79 + 745.2);
        note(&ee, x, lc_exp(x), expl((long double)x));
        x = (urand() - 0.5) * 4;
        note(&ee, x, lc_exp(x), expl((long double)x));
        x = ldexp(urand() - 0.5, -(int)(rnd() % 60));
        note(&ee, x, lc_exp(x), expl((long double)x));
        /* ln: random bit patterns of positive doubles (all exponents,
         * subnormals included), and dense near 1 */
        uint64_t u = rnd() & 0x7fefffffffffffffULL;
        memcpy(&x, &u, 8);
        if (x > 0) note(&le, x, lc_ln(x), logl((long double)x));
        x = 1 + (urand() - 0.5) * 0.1;
        note(&le, x, lc_ln(x), logl((long double)x));
        x = 1 + ldexp(urand() - 0.5, -(int)(rnd() % 50));
        note(&le, x, lc_ln(x), logl((long double)x));
        /* cos, sin: [-2 pi, 2 pi] (the library's use), up to 2^20 pi/2, and
         * next to multiples of pi/2 (where the reduction cancels) */
        x = (urand() - 0.5) * 4 * 3.141592653589793;
        note(&ce, x, lc_cos(x), cosl((long double)x));
        note(&se, x, lc_sin(x), sinl((long double)x));
        x = (urand() - 0.5) * 2 * 1647099.0;
        note(&ce, x, lc_cos(x), cosl((long double)x));
        note(&se, x, lc_sin(x), sinl((long double)x));
        x = (double)((long double)(rnd() % 2000) * 1.5707963267948966192313216916397514L) +
            ldexp(urand() - 0.5, -(int)(rnd() % 40));
        note(&ce, x, lc_cos(x), cosl((long double)x));
        note(&se, x, lc_sin(x), sinl((long double)x));
    }
    printf("exp: %ld points, max error %.3f ulp at %.17g\n", ee.count, ee.worst, ee.at);
    printf("ln:  %ld points, max error %.3f ulp at %.17g\n", le.count, le.worst, le.at);
    printf("cos: %ld points, max error %.3f ulp at %.17g\n", ce.count, ce.worst, ce.at);
    printf("sin: %ld points, max error %.3f ulp at %.17g\n", se.count, se.worst, se.at);
    CHECK(ee.worst < 1.0, "exp error %.3f ulp at %.17g", ee.worst, ee.at);
    CHECK(le.worst < 1.0, "ln error %.3f ulp at %.17g", le.worst, le.at);
    CHECK(ce.worst < 1.0, "cos error %.3f ulp at %.17g", ce.worst, ce.at);
    CHECK(se.worst < 1.0, "sin error %.3f ulp at %.17g", se.worst, se.at);

    /* exact special cases */
    CHECK(lc_exp(0.0) == 1.0 && lc_exp(-0.0) == 1.0, "exp(0) = %.17g", lc_exp(0.0));
    CHECK(lc_exp(INFINITY) == INFINITY, "exp(inf) = %g", lc_exp(INFINITY));
    CHECK(lc_exp(-INFINITY) == 0.0 && !signbit(lc_exp(-INFINITY)), "exp(-inf) = %g", lc_exp(-INFINITY));
    CHECK(isnan(lc_exp(NAN)), "exp(nan) = %g", lc_exp(NAN));
    CHECK(lc_exp(709.78) < INFINITY && lc_exp(709.79) == INFINITY && lc_exp(1000) == INFINITY,
          "exp overflow threshold");
    CHECK(lc_exp(-745.2) == 0.0 && lc_exp(-1000) == 0.0, "exp underflow to 0");
    CHECK(lc_exp(-745.0) == 0x1p-1074, "exp(-745) = %a, want the smallest subnormal", lc_exp(-745.0));
    CHECK(lc_exp(-740.0) > 0 && lc_exp(-740.0) < DBL_MIN, "exp(-740) subnormal: %a", lc_exp(-740.0));
    /* e rounds to ...769p+1; this algorithm gives the neighbour (0.6 ulp) on
     * every CPU: the bits, not the libm, are the contract */
    CHECK(lc_exp(1.0) == 0x1.5bf0a8b14576ap+1, "exp(1) = %a", lc_exp(1.0));
    CHECK(lc_ln(1.0) == 0.0 && !signbit(lc_ln(1.0)), "ln(1) = %g", lc_ln(1.0));
    CHECK(lc_ln(0.0) == -INFINITY && lc_ln(-0.0) == -INFINITY, "ln(0) = %g", lc_ln(0.0));
    CHECK(isnan(lc_ln(-1.0)) && isnan(lc_ln(-INFINITY)) && isnan(lc_ln(NAN)), "ln of negative/NaN");
    CHECK(lc_ln(INFINITY) == INFINITY, "ln(inf) = %g", lc_ln(INFINITY));
    CHECK(lc_ln(2.0) == 0x1.62e42fefa39efp-1, "ln(2) = %a", lc_ln(2.0));
    CHECK(ulp_err(lc_ln(0x1p-1074), logl(0x1p-1074L)) < 1.0, "ln(min subnormal) = %.17g",
          lc_ln(0x1p-1074));
    CHECK(lc_cos(0.0) == 1.0 && lc_cos(-0.0) == 1.0 && lc_cos(1e-9) == 1.0, "cos(0) = %.17g", lc_cos(0.0));
    CHECK(lc_sin(0.0) == 0.0 && !signbit(lc_sin(0.0)) && signbit(lc_sin(-0.0)), "sin(+-0)");
    CHECK(isnan(lc_cos(INFINITY)) && isnan(lc_cos(NAN)) && isnan(lc_cos(2e6)) && isnan(lc_sin(-2e6)),
          "cos/sin outside the domain give NaN");
    CHECK(lc_cos(3.141592653589793) == -1.0, "cos(pi) = %.17g", lc_cos(3.141592653589793));
    CHECK(lc_powi(2.0, 10) == 1024.0 && lc_powi(0.5, -3) == 8.0 && lc_powi(7.5, 0) == 1.0 &&
              lc_powi(-3.0, 3) == -27.0,
          "powi small cases");
    acc_err pe = {0, 0, 0};
    for (int t = 0; t < 100000; t++) {
        double x = 0.5 + 1.5 * urand();
        int64_t n = (int64_t)(rnd() % 4001) - 2000;
        if (t % 4 == 0) x = 1 - ldexp(urand(), -(int)(rnd() % 30)), n = (int64_t)(rnd() % 2000000);
        if (fabs(n * log(x)) > 600) continue;
        note(&pe, x, lc_powi(x, n), powl((long double)x, (long double)n));
    }
    printf("powi: %ld points, max error %.3f ulp at x = %.17g\n", pe.count, pe.worst, pe.at);
    CHECK(pe.worst < 1.0, "powi error %.3f ulp at %.17g", pe.worst, pe.at);
    CHECK(lc_powi(0.9, 1000000) == 0 && lc_powi(10.0, 400) == INFINITY && lc_powi(10.0, -400) == 0,
          "powi overflow and underflow");
    CHECK(lc_powi(0.0, 0) == 1 && lc_powi(0.0, 3) == 0 && lc_powi(0.0, -1) == INFINITY, "powi of 0");
}

/* ------------------------------------------------------------- scores */

/* The lane order made visible (exact expected numbers). Float rows, mean 0,
 * inv_scale 1, W = 1, D = 17: x[0] = 1, x[16] = 2^24 share lane 0, so that
 * lane is (0 + 1) + 2^24 = 2^24 (tie to even); x[1] = x[9] = 1 meet in the
 * tree (lane 1 + lane 9 = 2), so the score is 2^24 + 2. A left-to-right sum
 * would give 2^24 + 4. */
static void test_scores_known(void) {
    enum { D = 17 };
    float x[D] = {0}, W[D], mean[D] = {0}, inv[D], S[2], scratch[D];
    for (int d = 0; d < D; d++) W[d] = 1, inv[d] = 1;
    x[0] = 1, x[16] = 0x1p24f, x[1] = 1, x[9] = 1;
    float b = 0.5f;
    lc_kern_scores_ref(1, D, 1, NULL, x, NULL, W, NULL, mean, inv, S);
    CHECK(S[0] == 0x1p24f + 2, "ref lane order: %.1f", S[0]);
    for (int v = 0; v < NISA; v++) {
        if (lc_kern_set_isa(ISAS[v]) != 0) continue;
        lc_kern_scores(1, D, 1, NULL, x, NULL, W, NULL, mean, inv, S, scratch);
        CHECK(S[0] == 0x1p24f + 2, "%s lane order: %.1f", ISAS[v], S[0]);
        /* the bias is added last: (2^24 + 2) + 0.5 rounds to 2^24 + 2 */
        lc_kern_scores(1, D, 1, NULL, x, NULL, W, &b, mean, inv, S, scratch);
        CHECK(S[0] == 0x1p24f + 2, "%s bias last: %.1f", ISAS[v], S[0]);
    }
    /* normalization is ((float)x - mean) * inv_scale in float: x = 200,
     * mean = 0.1f, inv = 1/3.f */
    uint8_t xu = 200;
    float m1 = 0.1f, i1 = 1 / 3.f, w1 = 1.0f;
    lc_kern_scores_ref(1, 1, 1, &xu, NULL, NULL, &w1, NULL, &m1, &i1, S);
    CHECK(S[0] == (200.0f - 0.1f) * (1 / 3.f), "u8 normalization %a", S[0]);
}

typedef struct {
    int n, D, K, nstore, u8;
} shape;

/* fill a problem with values on a wide range of magnitudes */
static void fill_scores(shape s, uint8_t *xu, float *xf, int64_t *idx, float *W, float *b,
                        float *mean, float *inv) {
    for (size_t t = 0; t < (size_t)s.nstore * s.D; t++) {
        if (xu) xu[t] = (uint8_t)(rnd() % 256);
        if (xf) xf[t] = (float)((urand() - 0.5) * 8);
    }
    for (int i = 0; i < s.n; i++) idx[i] = (int64_t)(rnd() % (uint64_t)s.nstore);
    for (size_t t = 0; t < (size_t)s.K * s.D; t++) W[t] = (float)((urand() - 0.5) * 0.02);
    for (int k = 0; k < s.K; k++) b[k] = (float)(urand() - 0.5);
    for (int d = 0; d < s.D; d++) {
        mean[d] = xu ? (float)(100 + 50 * urand()) : (float)(urand() - 0.5);
        inv[d] = (float)(1 / (20 + 60 * urand()));
    }
}

static void test_scores_shape(shape s) {
    uint8_t *xu = s.u8 ? malloc((size_t)s.nstore * s.D + 1) : NULL;
    float *xf = s.u8 ? NULL : malloc(sizeof(float) * ((size_t)s.nstore * s.D + 1));
    int64_t *idx = malloc(sizeof(int64_t) * (s.n + 1));
    float *W = malloc(sizeof(float) * ((size_t)s.K * s.D + 1)), *b = malloc(sizeof(float) * (s.K + 1));
    float *mean = malloc(sizeof(float) * (s.D + 1)), *inv = malloc(sizeof(float) * (s.D + 1));
    float *Sr = malloc(sizeof(float) * ((size_t)s.n * s.K + 1)), *Sf = malloc(sizeof(float) * ((size_t)s.n * s.K + 1));
    float *scratch = malloc(sizeof(float) * (s.D + 1));
    fill_scores(s, xu, xf, idx, W, b, mean, inv);
    for (int pass = 0; pass < 2; pass++) {
        /* pass 0: indexed rows and a bias; pass 1: rows in order, no bias */
        const int64_t *ix = pass == 0 ? idx : NULL;
        const float *bb = pass == 0 ? b : NULL;
        int n = pass == 0 ? s.n : (s.n < s.nstore ? s.n : s.nstore);
        lc_kern_scores_ref(n, s.D, s.K, xu, xf, ix, W, bb, mean, inv, Sr);
        for (int v = 0; v < NISA; v++) {
            if (lc_kern_set_isa(ISAS[v]) != 0) continue;
            memset(Sf, 0xff, sizeof(float) * ((size_t)s.n * s.K + 1));
            lc_kern_scores(n, s.D, s.K, xu, xf, ix, W, bb, mean, inv, Sf, scratch);
            size_t bad = 0, first = 0;
            for (size_t t = 0; t < (size_t)n * s.K; t++)
                if (fbits(Sf[t]) != fbits(Sr[t]) && bad++ == 0) first = t;
            CHECK(bad == 0, "scores %s n=%d D=%d K=%d %s pass %d: %zu of %zu differ, first [%zu] %a vs ref %a",
                  ISAS[v], n, s.D, s.K, s.u8 ? "u8" : "f32", pass, bad, (size_t)n * s.K, first,
                  Sf[first], Sr[first]);
            CHECK(fbits(Sf[(size_t)n * s.K]) == 0xffffffffu, "scores %s wrote past S", ISAS[v]);
        }
        /* against double precision: |S - exact| <= (passes + 6) u sum |terms| */
        if (pass == 0)
            for (int i = 0; i < n; i++)
                for (int k = 0; k < s.K; k++) {
                    double sum = bb ? bb[k] : 0, mag = bb ? fabs(bb[k]) : 0;
                    size_t row = (size_t)(ix ? ix[i] : i);
                    for (int d = 0; d < s.D; d++) {
                        float xn = xu ? ((float)xu[row * s.D + d] - mean[d]) * inv[d]
                                      : (xf[row * s.D + d] - mean[d]) * inv[d];
                        double p = (double)W[(size_t)k * s.D + d] * xn;
                        sum += p, mag += fabs(p);
                    }
                    double tol = ((s.D + 15) / 16 + 6) * 0x1p-24 * mag * 1.01 + 1e-30;
                    double err = fabs(Sr[(size_t)i * s.K + k] - sum);
                    CHECK(err <= tol, "scores n=%d D=%d K=%d [%d,%d]: %.9g vs double %.9g (tol %.3g)",
                          n, s.D, s.K, i, k, Sr[(size_t)i * s.K + k], sum, tol);
                }
    }
    free(xu), free(xf), free(idx), free(W), free(b), free(mean), free(inv), free(Sr), free(Sf), free(scratch);
}

static void test_scores(void) {
    test_scores_known();
    const int Ds[] = {0, 1, 5, 15, 16, 17, 31, 32, 33, 47, 64, 100, 257};
    const int Ks[] = {1, 2, 3, 5, 7, 10, 13, 33};
    const int ns[] = {1, 2, 3, 5, 8, 13};
    for (size_t a = 0; a < sizeof Ds / sizeof *Ds; a++)
        for (size_t c = 0; c < sizeof Ks / sizeof *Ks; c++) {
            int n = ns[(a + c) % (sizeof ns / sizeof *ns)];
            test_scores_shape((shape){n, Ds[a], Ks[c], 40, (int)((a + c) % 2)});
        }
    test_scores_shape((shape){37, 3072, 10, 300, 1});
    test_scores_shape((shape){19, 3072, 10, 300, 0});
    test_scores_shape((shape){6, 6400, 10, 50, 0});
    test_scores_shape((shape){9, 3079, 37, 50, 1});
    test_scores_shape((shape){3, 16384, 3, 10, 0});
    test_scores_shape((shape){2, 300, 1000, 5, 1});
}

/* --------------------------------------------------------------- grad */

static void test_grad_case(int n, int D, int K, int nstore, int mode, const char *what) {
    uint8_t *X = malloc((size_t)nstore * D + 1);
    int64_t *idx = malloc(sizeof(int64_t) * (n + 1));
    int16_t *q = malloc(sizeof(int16_t) * ((size_t)n * K + 1));
    size_t g = (size_t)K * D;
    int32_t *G0 = malloc(sizeof(int32_t) * (g + 1)), *Gr = malloc(sizeof(int32_t) * (g + 1)),
            *Gf = malloc(sizeof(int32_t) * (g + 1));
    for (size_t t = 0; t < (size_t)nstore * D; t++)
        X[t] = mode == 0 ? (uint8_t)(rnd() % 256) : (rnd() % 8 ? 255 : (uint8_t)(rnd() % 256));
    for (int i = 0; i < n; i++) idx[i] = (int64_t)(rnd() % (uint64_t)nstore);
    for (size_t t = 0; t < (size_t)n * K; t++) {
        if (mode == 0) q[t] = (int16_t)((int)(rnd() % 65536) - 32768) / (n > 0 ? n : 1);
        else if (mode == 1) q[t] = 32767;
        else if (mode == 2) q[t] = -32768;
        else q[t] = (int16_t)(rnd() % 2 ? 32767 : -32768); /* mode 3: beyond the bound: wraps */
    }
    for (size_t t = 0; t < g; t++) G0[t] = mode == 0 ? (int32_t)(rnd() % 2001) - 1000 : 0;
    memcpy(Gr, G0, sizeof(int32_t) * g);
    lc_kern_grad_u8_ref(n, D, K, X, idx, q, Gr);
    if (mode == 1 || mode == 2)
        for (int k = 0; k < K && K * D > 0; k++) {
            /* all x = 255 rows give the extreme exact value */
            int64_t want = 0;
            int all255 = 1;
            for (int i = 0; i < n; i++) {
                const uint8_t *x = X + (size_t)idx[i] * D;
                if (x[0] != 255) all255 = 0;
                want += (int64_t)q[(size_t)i * K + k] * x[0];
            }
            CHECK(Gr[(size_t)k * D] == want, "grad ref exact: %" PRId32 " vs %" PRId64 " (all 255: %d)",
                  Gr[(size_t)k * D], want, all255);
        }
    for (int v = 0; v < NISA; v++) {
        if (lc_kern_set_isa(ISAS[v]) != 0) continue;
        for (int pass = 0; pass < 2; pass++) {
            const int64_t *ix = pass == 0 ? idx : NULL;
            int nn = pass == 0 ? n : (n < nstore ? n : nstore);
            if (pass == 1) {
                memcpy(Gr, G0, sizeof(int32_t) * g);
                lc_kern_grad_u8_ref(nn, D, K, X, NULL, q, Gr);
            }
            memcpy(Gf, G0, sizeof(int32_t) * g);
            Gf[g] = 0x5a5a5a5a;
            lc_kern_grad_u8(nn, D, K, X, ix, q, Gf);
            size_t bad = 0, first = 0;
            for (size_t t = 0; t < g; t++)
                if (Gf[t] != Gr[t] && bad++ == 0) first = t;
            CHECK(bad == 0, "grad %s %s n=%d D=%d K=%d pass %d: %zu of %zu differ, first [%zu] %" PRId32
                  " vs ref %" PRId32, ISAS[v], what, nn, D, K, pass, bad, g, first, Gf[first], Gr[first]);
            CHECK(Gf[g] == 0x5a5a5a5a, "grad %s wrote past G", ISAS[v]);
        }
        memcpy(Gr, G0, sizeof(int32_t) * g);
        lc_kern_grad_u8_ref(n, D, K, X, idx, q, Gr);
    }
    free(X), free(idx), free(q), free(G0), free(Gr), free(Gf);
}

static void test_grad(void) {
    const int Ds[] = {0, 1, 2, 7, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 129, 1000};
    const int Ks[] = {1, 2, 3, 10, 13};
    const int ns[] = {0, 1, 2, 3, 4, 5, 7, 8, 31, 64, 65};
    int c = 0;
    for (size_t a = 0; a < sizeof Ds / sizeof *Ds; a++)
        for (size_t k = 0; k < sizeof Ks / sizeof *Ks; k++, c++)
            test_grad_case(ns[c % (sizeof ns / sizeof *ns)], Ds[a], Ks[k], 70, 0, "random");
    test_grad_case(256, 3072, 10, 1000, 0, "random");
    test_grad_case(257, 3072, 10, 300, 1, "q=32767 x=255");
    test_grad_case(257, 3073, 10, 300, 2, "q=-32768 x=255");
    test_grad_case(255, 517, 10, 300, 1, "q=32767 x=255");
    test_grad_case(33, 77, 1000, 50, 0, "random");
    test_grad_case(64, 3072, 1000, 100, 0, "random");
    test_grad_case(17, 6400, 1, 30, 0, "random");
    test_grad_case(701, 300, 10, 100, 3, "beyond the bound (mod 2^32)");
}

/* ------------------------------------------------------------- digest */

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++) h = (h ^ c[i]) * 0x100000001b3ULL;
    return h;
}

/* One fixed problem through both kernels and the elementary functions. */
static uint64_t digest(void) {
    rnd_state = 1;
    shape s = {67, 3075, 11, 200, 1};
    uint8_t *xu = malloc((size_t)s.nstore * s.D);
    int64_t *idx = malloc(sizeof(int64_t) * s.n);
    float *W = malloc(sizeof(float) * s.K * s.D), *b = malloc(sizeof(float) * s.K);
    float *mean = malloc(sizeof(float) * s.D), *inv = malloc(sizeof(float) * s.D);
    float *S = malloc(sizeof(float) * s.n * s.K), *scratch = malloc(sizeof(float) * s.D);
    fill_scores(s, xu, NULL, idx, W, b, mean, inv);
    lc_kern_scores(s.n, s.D, s.K, xu, NULL, idx, W, b, mean, inv, S, scratch);
    uint64_t h = fnv(0xcbf29ce484222325ULL, S, sizeof(float) * s.n * s.K);
    float *xf = malloc(sizeof(float) * s.nstore * s.D);
    for (size_t t = 0; t < (size_t)s.nstore * s.D; t++) xf[t] = (float)xu[t] * 0.37f - 20;
    lc_kern_scores(s.n, s.D, s.K, NULL, xf, idx, W, b, mean, inv, S, scratch);
    h = fnv(h, S, sizeof(float) * s.n * s.K);
    int16_t *q = malloc(sizeof(int16_t) * s.n * s.K);
    for (int t = 0; t < s.n * s.K; t++) q[t] = (int16_t)((int)(rnd() % 4001) - 2000);
    int32_t *G = calloc((size_t)s.K * s.D, sizeof(int32_t));
    lc_kern_grad_u8(s.n, s.D, s.K, xu, idx, q, G);
    h = fnv(h, G, sizeof(int32_t) * s.K * s.D);
    for (int t = 0; t < 1000; t++) {
        double x = (t - 500) * 0.0137, r[4] = {lc_exp(x), lc_ln(t + 0.5), lc_cos(x), lc_sin(x)};
        h = fnv(h, r, sizeof r);
    }
    free(xu), free(idx), free(W), free(b), free(mean), free(inv), free(S), free(scratch), free(xf), free(q), free(G);
    return h;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--digest") == 0) {
        printf("%016" PRIx64 " %s\n", digest(), lc_kern_isa());
        return 0;
    }
    printf("kernel ISA on start: %s\n", lc_kern_isa());
    const char *start = lc_kern_isa();
    for (int v = 0; v < NISA; v++)
        printf("  %-8s %s\n", ISAS[v], lc_kern_set_isa(ISAS[v]) == 0 ? "runs here" : "not on this CPU");
    lc_kern_set_isa(start);
    CHECK(lc_kern_set_isa("bogus") != 0 && lc_kern_set_isa(NULL) != 0, "unknown ISA accepted");
    CHECK(strcmp(lc_kern_isa(), start) == 0, "a refused ISA changed the choice");
    test_math();
    test_scores();
    test_grad();
    /* digests under every ISA agree */
    uint64_t d0 = 0;
    for (int v = 0; v < NISA; v++) {
        if (lc_kern_set_isa(ISAS[v]) != 0) continue;
        uint64_t d = digest();
        printf("digest %s %016" PRIx64 "\n", ISAS[v], d);
        if (v == 0) d0 = d;
        CHECK(d == d0, "digest under %s differs", ISAS[v]);
    }
    if (failures) fprintf(stderr, "%d failure(s)\n", failures);
    return failures != 0;
}
