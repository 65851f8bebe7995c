/* optim: parameter updates (sgd, momentum, nesterov, adagrad, rmsprop, adam)
 * and learning-rate schedules (const, step, cosine, optional linear warmup).
 *
 * The update runs every training step over all K*D + K parameters, so each
 * rule is one branch-free loop over restrict pointers that the compiler can
 * vectorize. Scalars that depend only on the step (adam's bias corrections)
 * are computed once outside the loop. There are no threads and no reductions,
 * so an update is a pure elementwise function of (state, params, grad, lr):
 * identical on every rank and on every rerun. Powers and the cosine use
 * lc_powi and lc_cos (kern.h), not libm (whose pow and cos differ between
 * CPUs), and nothing is contracted into FMAs: the same bits on every CPU.
 *
 * GCC vectorizes the sqrtf loops (adagrad, rmsprop, adam) only under
 * -fno-math-errno, since sqrtf may set errno; the vector square root is
 * correctly rounded like the scalar one, so that flag changes no result. */
#include "lincls/optim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lincls/kern.h"

static const char *const optim_names[] = {"sgd", "momentum", "nesterov",
                                          "adagrad", "rmsprop", "adam", "lbfgs"};
const lc_names lc_optim_names = LC_NAMES("optimizer", optim_names);

int lc_optim_parse(const char *s, lc_optim_kind *out) {
    int v = lc_names_find(&lc_optim_names, s);
    if (v < 0) return -1;
    *out = (lc_optim_kind)v;
    return 0;
}

const char *lc_optim_name(lc_optim_kind k) { return lc_names_name(&lc_optim_names, (int)k); }

static int state_arrays(lc_optim_kind k) {
    switch (k) {
    case LC_OPT_SGD: return 0;
    case LC_OPT_LBFGS: return 0;
    case LC_OPT_ADAM: return 2;
    default: return 1;
    }
}

int lc_optim_init(lc_optim *o, lc_optim_kind kind, size_t n, lc_err *e) {
    memset(o, 0, sizeof *o);
    if (kind < LC_OPT_SGD || kind > LC_OPT_LBFGS)
        return lc_fail(e, LC_EARG, "unknown optimizer kind %d", (int)kind);
    o->kind = kind;
    o->mu = 0.9f;
    o->rho = 0.99f;
    o->beta1 = 0.9f;
    o->beta2 = 0.999f;
    o->eps = 1e-8f;
    o->n = n;
    o->nstate = state_arrays(kind);
    if (o->nstate >= 1 && !(o->s1 = lc_calloc(n, sizeof(float), e))) goto fail;
    if (o->nstate >= 2 && !(o->s2 = lc_calloc(n, sizeof(float), e))) goto fail;
    return 0;
fail:
    lc_optim_free(o);
    return e->code;
}

void lc_optim_free(lc_optim *o) {
    free(o->s1);
    free(o->s2);
    o->s1 = o->s2 = NULL;
    o->nstate = 0;
}

static void step_sgd(size_t n, float lr, float *restrict x, const float *restrict g) {
    for (size_t i = 0; i < n; i++) x[i] -= lr * g[i];
}

static void step_momentum(size_t n, float lr, float mu, float *restrict x,
                          const float *restrict g, float *restrict v) {
    for (size_t i = 0; i < n; i++) {
        v[i] = mu * v[i] - lr * g[i];
        x[i] += v[i];
    }
}

/* cs231n form: the look-ahead is folded into the update of x itself. */
static void step_nesterov(size_t n, float lr, float mu, float *restrict x,
                          const float *restrict g, float *restrict v) {
    float mu1 = 1.0f + mu;
    for (size_t i = 0; i < n; i++) {
        float vp = v[i];
        v[i] = mu * vp - lr * g[i];
        x[i] += -mu * vp + mu1 * v[i];
    }
}

static void step_adagrad(size_t n, float lr, float eps, float *restrict x,
                         const float *restrict g, float *restrict c) {
    for (size_t i = 0; i < n; i++) {
        c[i] += g[i] * g[i];
        x[i] -= lr * g[i] / (sqrtf(c[i]) + eps);
    }
}

static void step_rmsprop(size_t n, float lr, float rho, float eps, float *restrict x,
                         const float *restrict g, float *restrict c) {
    float rho1 = 1.0f - rho;
    for (size_t i = 0; i < n; i++) {
        c[i] = rho * c[i] + rho1 * g[i] * g[i];
        x[i] -= lr * g[i] / (sqrtf(c[i]) + eps);
    }
}

/* x -= lr (m / bc1) / (sqrt(v / bc2) + eps), with bc = 1 - beta^t computed in
 * double once per step (lc_powi); lr / bc1 and 1 / bc2 are hoisted out of the loop. */
static void step_adam(size_t n, float lr, float b1, float b2, float eps, int64_t t,
                      float *restrict x, const float *restrict g, float *restrict m,
                      float *restrict v) {
    float a = (float)((double)lr / (1.0 - lc_powi((double)b1, t)));
    float inv_bc2 = (float)(1.0 / (1.0 - lc_powi((double)b2, t)));
    float b1c = 1.0f - b1, b2c = 1.0f - b2;
    for (size_t i = 0; i < n; i++) {
        m[i] = b1 * m[i] + b1c * g[i];
        v[i] = b2 * v[i] + b2c * g[i] * g[i];
        x[i] -= a * m[i] / (sqrtf(v[i] * inv_bc2) + eps);
    }
}

void lc_optim_step(lc_optim *o, float lr, float *params, const float *grad) {
    o->t += 1;
    switch (o->kind) {
    case LC_OPT_SGD: step_sgd(o->n, lr, params, grad); break;
    case LC_OPT_MOMENTUM: step_momentum(o->n, lr, o->mu, params, grad, o->s1); break;
    case LC_OPT_NESTEROV: step_nesterov(o->n, lr, o->mu, params, grad, o->s1); break;
    case LC_OPT_ADAGRAD: step_adagrad(o->n, lr, o->eps, params, grad, o->s1); break;
    case LC_OPT_RMSPROP: step_rmsprop(o->n, lr, o->rho, o->eps, params, grad, o->s1); break;
    case LC_OPT_ADAM:
        step_adam(o->n, lr, o->beta1, o->beta2, o->eps, o->t, params, grad, o->s1, o->s2);
        break;
    case LC_OPT_LBFGS: break;
    }
}

/* ---- learning-rate schedules ------------------------------------------- */

static const char *const sched_names[] = {"const", "step", "cosine"};
const lc_names lc_sched_names = LC_NAMES("schedule", sched_names);


int lc_sched_parse(const char *s, lc_sched_kind *out) {
    int v = lc_names_find(&lc_sched_names, s);
    if (v < 0) return -1;
    *out = (lc_sched_kind)v;
    return 0;
}

const char *lc_sched_name(lc_sched_kind k) { return lc_names_name(&lc_sched_names, (int)k); }

/* step: lr * decay^floor(epoch / step_epochs), epoch = step / steps_per_epoch
 * (integer division: the rate changes on epoch boundaries). */
static double sched_step(const lc_sched *s, int64_t step, int64_t steps_per_epoch) {
    int64_t spe = steps_per_epoch > 0 ? steps_per_epoch : 1;
    int64_t every = s->step_epochs > 0 ? s->step_epochs : 1;
    int64_t drops = (step / spe) / every;
    return s->lr * lc_powi(s->decay, drops);
}

/* cosine: min_lr + (lr - min_lr) (1 + cos(pi step / total_steps)) / 2, held at
 * min_lr once step reaches total_steps. */
static double sched_cosine(const lc_sched *s, int64_t step, int64_t total_steps) {
    if (total_steps <= 0) return s->lr;
    double frac = step >= total_steps ? 1.0 : (double)step / (double)total_steps;
    return s->min_lr + (s->lr - s->min_lr) * 0.5 * (1.0 + lc_cos(3.14159265358979323846 * frac));
}

/* Warmup scales the scheduled rate by (step + 1) / warmup_steps for the first
 * warmup_steps updates, so the first update is not taken at zero rate and
 * update warmup_steps - 1 reaches the full scheduled value. */
double lc_sched_lr(const lc_sched *s, int64_t step, int64_t steps_per_epoch,
                   int64_t total_steps) {
    if (step < 0) step = 0;
    double lr = s->lr;
    switch (s->kind) {
    case LC_SCHED_CONST: break;
    case LC_SCHED_STEP: lr = sched_step(s, step, steps_per_epoch); break;
    case LC_SCHED_COSINE: lr = sched_cosine(s, step, total_steps); break;
    }
    if (s->warmup_steps > 0 && step < s->warmup_steps)
        lr *= (double)(step + 1) / (double)s->warmup_steps;
    return lr;
}
