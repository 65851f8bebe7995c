/* optim: parameter updates and learning-rate schedules.
 * All state is plain float arrays plus a step count, so a checkpoint can store
 * it and a resumed run continues bit for bit.
 *   sgd:      x -= lr g
 *   momentum: v = mu v - lr g;  x += v
 *   nesterov: v_prev = v; v = mu v - lr g;  x += -mu v_prev + (1 + mu) v
 *   adagrad:  c += g^2;  x -= lr g / (sqrt(c) + eps)
 *   rmsprop:  c = rho c + (1 - rho) g^2;  x -= lr g / (sqrt(c) + eps)
 *   adam:     t += 1; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 *             x -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)          */
#ifndef LINCLS_OPTIM_H
#define LINCLS_OPTIM_H

#include <stddef.h>
#include <stdint.h>

#include "lincls/util.h"

typedef enum {
    LC_OPT_SGD = 0, LC_OPT_MOMENTUM, LC_OPT_NESTEROV, LC_OPT_ADAGRAD, LC_OPT_RMSPROP, LC_OPT_ADAM,
    LC_OPT_LBFGS /* full batch, driven by train.c through lbfgs.h; no state here and no
                  * lc_optim_step (a call leaves params unchanged) */
} lc_optim_kind;

extern const lc_names lc_optim_names;
int lc_optim_parse(const char *s, lc_optim_kind *out); /* 0 ok, -1 unknown */
const char *lc_optim_name(lc_optim_kind k);

typedef struct {
    lc_optim_kind kind;
    float mu;      /* momentum, nesterov (default 0.9) */
    float rho;     /* rmsprop decay (default 0.99) */
    float beta1, beta2; /* adam (0.9, 0.999) */
    float eps;     /* adagrad, rmsprop, adam (1e-8) */
    size_t n;      /* parameters */
    int64_t t;     /* updates taken */
    int nstate;    /* state arrays in use: 0, 1 or 2 */
    float *s1, *s2; /* velocity / cache / first and second moments, n each */
} lc_optim;

/* Sets the defaults above and allocates zeroed state for kind. */
int lc_optim_init(lc_optim *o, lc_optim_kind kind, size_t n, lc_err *e);
void lc_optim_free(lc_optim *o);
/* One update of params (n) with gradient grad (n). */
void lc_optim_step(lc_optim *o, float lr, float *params, const float *grad);

typedef enum { LC_SCHED_CONST = 0, LC_SCHED_STEP, LC_SCHED_COSINE } lc_sched_kind;
extern const lc_names lc_sched_names;
int lc_sched_parse(const char *s, lc_sched_kind *out);
const char *lc_sched_name(lc_sched_kind k);

typedef struct {
    lc_sched_kind kind;
    double lr;          /* base learning rate */
    double decay;       /* step: lr *= decay every step_epochs epochs */
    int step_epochs;
    double min_lr;      /* cosine floor */
    int warmup_steps;   /* linear warmup (0 = none) */
} lc_sched;

/* Learning rate for update number `step` (0-based) of a run of total_steps
 * updates with steps_per_epoch updates per epoch. */
double lc_sched_lr(const lc_sched *s, int64_t step, int64_t steps_per_epoch, int64_t total_steps);

#endif
