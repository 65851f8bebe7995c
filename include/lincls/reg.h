/* reg: regularization R(W), added as lambda * R(W); the bias is not regularized.
 *   none: 0    l2: sum W^2    l1: sum |W|    elastic: sum (beta W^2 + |W|)
 * The subgradient of |w| at w = 0 is taken as 0. */
#ifndef LINCLS_REG_H
#define LINCLS_REG_H

#include <stddef.h>

#include "lincls/util.h"

typedef enum { LC_REG_NONE = 0, LC_REG_L2 = 1, LC_REG_L1 = 2, LC_REG_ELASTIC = 3 } lc_reg_kind;

extern const lc_names lc_reg_names;
int lc_reg_parse(const char *s, lc_reg_kind *out); /* 0 ok, -1 unknown */
const char *lc_reg_name(lc_reg_kind k);

/* lambda * R(W) over n weights. */
double lc_reg_value(lc_reg_kind k, double lambda, double beta, const float *W, size_t n);
/* dW += lambda * dR/dW. */
void lc_reg_grad_add(lc_reg_kind k, float lambda, float beta, const float *W, float *dW, size_t n);
/* Double versions for gradcheck. */
double lc_reg_value_d(lc_reg_kind k, double lambda, double beta, const double *W, size_t n);
void lc_reg_grad_add_d(lc_reg_kind k, double lambda, double beta, const double *W, double *dW,
                       size_t n);

#endif
