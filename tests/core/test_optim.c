/* test_optim: every optimizer's first two updates against hand-computed
 * values, learning-rate schedules at chosen steps, and the properties the
 * trainer relies on (zeroed state, step count, identical bits whether an
 * element is updated inside a long vectorized array or on its own). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lincls/optim.h"

#include "check.h"

/* Two updates of x = (1, -2, 0.5) with gradients g1 then g2, lr = 0.1,
 * default hyperparameters (mu 0.9, rho 0.99, betas 0.9/0.999, eps 1e-8). */
static const float X0[3] = {1.0f, -2.0f, 0.5f};
static const float G1[3] = {0.5f, -1.0f, 0.0f};
static const float G2[3] = {0.25f, 0.5f, -2.0f};

static void two_steps(lc_optim_kind k, float x1[3], float x2[3]) {
    lc_optim o;
    lc_err e = {0};
    float x[3];
    memcpy(x, X0, sizeof x);
    CHECK(lc_optim_init(&o, k, 3, &e) == 0, "init %s: %s", lc_optim_name(k), e.msg);
    lc_optim_step(&o, 0.1f, x, G1);
    memcpy(x1, x, sizeof x);
    lc_optim_step(&o, 0.1f, x, G2);
    memcpy(x2, x, sizeof x);
    CHECK(o.t == 2, "%s: t = %lld after two steps", lc_optim_name(k), (long long)o.t);
    lc_optim_free(&o);
}

static void test_sgd(void) {
    float a[3], b[3];
    two_steps(LC_OPT_SGD, a, b);
    CHECK_NEAR(a[0], 0.95, 2e-6);  /* 1 - 0.1 * 0.5 */
    CHECK_NEAR(b[0], 0.925, 2e-6); /* 0.95 - 0.1 * 0.25 */
    CHECK_NEAR(a[1], -1.9, 2e-6);
    CHECK_NEAR(b[1], -1.95, 2e-6);
    CHECK_NEAR(b[2], 0.7, 2e-6);   /* 0.5 - 0.1 * (-2) */
}

static void test_momentum(void) {
    float a[3], b[3];
    two_steps(LC_OPT_MOMENTUM, a, b);
    CHECK_NEAR(a[0], 0.95, 2e-6);  /* v1 = -0.05 */
    CHECK_NEAR(b[0], 0.88, 2e-6);  /* v2 = 0.9 (-0.05) - 0.025 = -0.07 */
    CHECK_NEAR(a[1], -1.9, 2e-6);  /* v1 = 0.1 */
    CHECK_NEAR(b[1], -1.86, 2e-6); /* v2 = 0.09 - 0.05 = 0.04 */
}

static void test_nesterov(void) {
    float a[3], b[3];
    two_steps(LC_OPT_NESTEROV, a, b);
    /* x1 = 1 - 0.9 * 0 + 1.9 * (-0.05) */
    CHECK_NEAR(a[0], 0.905, 2e-6);
    /* v2 = -0.07; x2 = 0.905 + 0.9 * 0.05 + 1.9 * (-0.07) */
    CHECK_NEAR(b[0], 0.817, 2e-6);
    CHECK_NEAR(b[2], 0.5 + 1.9 * 0.2, 2e-6); /* g1 = 0: v1 = 0, v2 = 0.2 */
}

static void test_adagrad(void) {
    float a[3], b[3];
    two_steps(LC_OPT_ADAGRAD, a, b);
    CHECK_NEAR(a[0], 0.9, 2e-6);                /* c = 0.25: 1 - 0.05 / 0.5 */
    CHECK_NEAR(b[0], 0.8552786432500041, 2e-6); /* c = 0.3125: 0.9 - 0.025 / sqrt(0.3125) */
    CHECK(a[2] == 0.5f, "adagrad: zero gradient must not move x (got %.9g)", a[2]);
    CHECK_NEAR(b[2], 0.6, 2e-6);                /* c = 4: 0.5 + 0.2 / 2 */
}

static void test_rmsprop(void) {
    float a[3], b[3];
    two_steps(LC_OPT_RMSPROP, a, b);
    /* c1 = 0.01 * 0.25 = 0.0025: x1 = 1 - 0.05 / 0.05 = 0 (2e-7 with eps) */
    CHECK_NEAR(a[0], 0.0, 2e-6);
    /* c2 = 0.99 * 0.0025 + 0.01 * 0.0625 = 0.0031: x2 = x1 - 0.025 / sqrt(0.0031) */
    CHECK_NEAR(b[0], -0.4490129744218304, 2e-6);
}

static void test_adam(void) {
    float a[3], b[3];
    two_steps(LC_OPT_ADAM, a, b);
    /* t = 1: m = 0.05, v = 0.00025; bias-corrected 0.5 and 0.25: x1 = 1 - 0.1 */
    CHECK_NEAR(a[0], 0.9, 2e-6);
    /* t = 2: m = 0.07, v = 0.00031225; m^ = 0.07 / 0.19, v^ = 0.00031225 / 0.001999 */
    CHECK_NEAR(b[0], 0.8067820404774622, 2e-6);
    /* first adam step moves every coordinate with g != 0 by about lr */
    CHECK_NEAR(a[1], -1.9, 2e-6);
}

static void test_init(void) {
    static const int want_state[6] = {0, 1, 1, 1, 1, 2};
    for (int k = 0; k < 6; k++) {
        lc_optim o;
        lc_err e = {0};
        CHECK(lc_optim_init(&o, (lc_optim_kind)k, 5, &e) == 0, "init %d", k);
        CHECK(o.nstate == want_state[k], "%s: nstate %d", lc_optim_name((lc_optim_kind)k), o.nstate);
        CHECK(o.t == 0 && o.n == 5, "%s: t/n", lc_optim_name((lc_optim_kind)k));
        CHECK(o.mu == 0.9f && o.rho == 0.99f && o.beta1 == 0.9f && o.beta2 == 0.999f &&
              o.eps == 1e-8f, "defaults");
        for (int i = 0; i < 5; i++) {
            CHECK(o.nstate < 1 || o.s1[i] == 0.0f, "s1 not zeroed");
            CHECK(o.nstate < 2 || o.s2[i] == 0.0f, "s2 not zeroed");
        }
        lc_optim_kind back;
        CHECK(lc_optim_parse(lc_optim_name((lc_optim_kind)k), &back) == 0 && back == (lc_optim_kind)k,
              "name round trip %d", k);
        lc_optim_free(&o);
        lc_optim_free(&o); /* idempotent */
    }
    lc_optim_kind kk;
    CHECK(lc_optim_parse("adamw", &kk) == -1, "unknown optimizer accepted");
}

/* An element's update must not depend on where it sits in the array (vector
 * body or scalar tail): compare a 1003-element run with 1-element runs. */
static void test_position_independent(void) {
    enum { N = 1003 };
    static float x[N], g[N], x1[N];
    for (int i = 0; i < N; i++) {
        x[i] = x1[i] = sinf((float)i) * 2.0f;
        g[i] = cosf((float)i * 0.7f);
    }
    for (int k = 0; k < 6; k++) {
        lc_optim big;
        lc_err e = {0};
        float xb[N];
        memcpy(xb, x, sizeof xb);
        lc_optim_init(&big, (lc_optim_kind)k, N, &e);
        for (int s = 0; s < 3; s++) lc_optim_step(&big, 0.01f, xb, g);
        int same = 1;
        for (int i = 0; i < N; i++) {
            lc_optim one;
            float xi = x1[i];
            lc_optim_init(&one, (lc_optim_kind)k, 1, &e);
            for (int s = 0; s < 3; s++) lc_optim_step(&one, 0.01f, &xi, &g[i]);
            same = same && memcmp(&xi, &xb[i], sizeof xi) == 0;
            lc_optim_free(&one);
        }
        CHECK(same, "%s: vectorized and scalar updates differ", lc_optim_name((lc_optim_kind)k));
        lc_optim_free(&big);
    }
}

static void test_schedules(void) {
    lc_sched s = {LC_SCHED_CONST, 0.1, 0.5, 2, 0.001, 0};
    CHECK(lc_sched_lr(&s, 0, 10, 100) == 0.1 && lc_sched_lr(&s, 99, 10, 100) == 0.1, "const");

    s.kind = LC_SCHED_STEP; /* halve every 2 epochs of 10 steps */
    CHECK_NEAR(lc_sched_lr(&s, 0, 10, 100), 0.1, 1e-15);
    CHECK_NEAR(lc_sched_lr(&s, 19, 10, 100), 0.1, 1e-15);   /* epoch 1 */
    CHECK_NEAR(lc_sched_lr(&s, 20, 10, 100), 0.05, 1e-15);  /* epoch 2 */
    CHECK_NEAR(lc_sched_lr(&s, 45, 10, 100), 0.025, 1e-15); /* epoch 4 */
    CHECK_NEAR(lc_sched_lr(&s, 99, 10, 100), 0.00625, 1e-15); /* epoch 9: 0.1 * 0.5^4 */

    s.kind = LC_SCHED_COSINE; /* min_lr + (lr - min_lr)(1 + cos(pi step / total)) / 2 */
    CHECK_NEAR(lc_sched_lr(&s, 0, 10, 100), 0.1, 1e-15);
    CHECK_NEAR(lc_sched_lr(&s, 25, 10, 100), 0.0855017856687341, 1e-12);
    CHECK_NEAR(lc_sched_lr(&s, 50, 10, 100), 0.0505, 1e-12);
    CHECK_NEAR(lc_sched_lr(&s, 100, 10, 100), 0.001, 1e-15);
    CHECK_NEAR(lc_sched_lr(&s, 150, 10, 100), 0.001, 1e-15); /* held at the floor */

    s.kind = LC_SCHED_CONST; /* linear warmup over 4 updates */
    s.warmup_steps = 4;
    CHECK_NEAR(lc_sched_lr(&s, 0, 10, 100), 0.025, 1e-15);
    CHECK_NEAR(lc_sched_lr(&s, 2, 10, 100), 0.075, 1e-15);
    CHECK_NEAR(lc_sched_lr(&s, 3, 10, 100), 0.1, 1e-15);
    CHECK_NEAR(lc_sched_lr(&s, 4, 10, 100), 0.1, 1e-15);

    lc_sched_kind k;
    for (int i = 0; i < 3; i++)
        CHECK(lc_sched_parse(lc_sched_name((lc_sched_kind)i), &k) == 0 && k == (lc_sched_kind)i,
              "sched name %d", i);
    CHECK(lc_sched_parse("linear", &k) == -1, "unknown schedule accepted");
}

int main(void) {
    test_sgd();
    test_momentum();
    test_nesterov();
    test_adagrad();
    test_rmsprop();
    test_adam();
    test_init();
    test_position_independent();
    test_schedules();
    if (failures) {
        fprintf(stderr, "test_optim: %d failure(s)\n", failures);
        return 1;
    }
    printf("test_optim: all passed\n");
    return 0;
}
