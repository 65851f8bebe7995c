/* train: the training loop shared by `train` and `sweep`.
 *
 * One step (identical on every rank; details in train.c):
 *   the batch's B rows, the same for every rank count; each rank takes those
 *     it holds: scores with a fixed-order kernel, per-row loss and dS
 *   pass 1: exact integer allreduce of per-class sums and maxima of dS
 *   dS -> int16 on a shared per-class scale; G = q^T X8 in int32 (exact)
 *   pass 2: int32 allreduce of G; g = elementwise(G) / B + lambda dR/dW
 *   params <- optimizer(params, g, lr(step))
 * The checkpoint is bitwise the same for every rank count and on every CPU.
 *
 * --optimizer lbfgs is full-batch L-BFGS (lbfgs.h) instead: every evaluation
 * is the full training loss and gradient (full_grad in train.c: the same
 * exact reduction, over all rows in chunks), one iteration (a line search of
 * one or more evaluations) is one "epoch" and one "step"; --epochs and
 * --max-steps cap the iterations, --gtol and --ftol stop earlier; --batch, --lr
 * and the schedule are not used. */
#ifndef LINCLS_TRAIN_H
#define LINCLS_TRAIN_H

#include <mpi.h>

#include "lincls/cli.h"
#include "lincls/loss.h"
#include "lincls/optim.h"
#include "lincls/reg.h"
#include "lincls/shards.h"
#include "lincls/util.h"

/* The parameters of a training run. Strings are file names ("" = none) and
 * init, which is "zeros", "randn:SCALE" or a checkpoint file. */
typedef struct {
    const char *data, *init, *checkpoint, *resume, *metrics;
    const char *vshards; /* deprecated, ignored (accepted so old commands still run) */
    lc_loss_kind loss;
    lc_reg_kind reg;
    lc_optim_kind optimizer;
    lc_sched_kind schedule;
    lc_scale_kind scale;
    double lambda, beta, margin, lr, lr_decay, min_lr, momentum;
    int batch, epochs, lr_step, warmup, checkpoint_every, quiet, no_test;
    long long max_steps, val, seed;
    int folds, fold; /* k-fold cross-validation: validate on fold `fold` of `folds` */
    int lbfgs_m;         /* L-BFGS: pairs kept */
    double gtol, ftol;   /* L-BFGS: stopping rule */
} lc_train_params;

extern const lc_train_params lc_train_defaults;
/* The train options (the command line, a checkpoint's /config, a sweep
 * trial's command), bound to lc_train_params. */
extern const lc_opt lc_train_opts[];

/* The parameters' own constraints; a message naming the flag. Pure. */
int lc_train_check(const lc_train_params *p, lc_err *e);

typedef struct {
    double train_acc, val_acc, test_acc; /* val_acc NaN without --val */
    double final_loss;                   /* full training loss (data + reg) at the end */
    int epochs;                          /* epochs completed */
    long long steps;
    double seconds;                      /* training loop wall time */
    double load_seconds;                 /* reading and statistics */
    double samples_per_second;
    int ranks;
    double lr;                           /* the learning rate used (--lr, or its default) */
    double t_gather, t_gemm, t_reduce, t_update, t_eval; /* rank 0's breakdown, seconds */
    int stopped;                         /* the signal that stopped the run (error LC_ESTOP), else 0 */
    /* lbfgs only */
    long long evaluations;               /* loss + gradient evaluations */
    double grad_norm;                    /* max |g_i| at the end */
    char lbfgs_stop[32];                 /* why it ended: gradient | decrease | no_progress | epochs */
} lc_train_result;

/* The classifier of the bag-of-words recipe (Coates, Lee & Ng 2011), for a
 * features file that holds a /dictionary: when argv (the train options) names
 * neither --loss nor --optimizer, sets loss ova2 and optimizer lbfgs, and
 * lambda LC_BOW_LAMBDA and epochs (L-BFGS iterations) LC_BOW_EPOCHS unless
 * argv names them. Returns 1 when it changed c, else 0. */
#define LC_BOW_LAMBDA 0.005
#define LC_BOW_EPOCHS 1000
int lc_train_bow_defaults(lc_train_params *c, int argc, char **argv);

/* The learning rate a run uses: --lr, or when it is 0 a default for the input
 * (images or features). */
double lc_train_lr(const lc_train_params *c, int is_images);

/* Collective over comm. Progress on stderr from rank 0 unless cfg->quiet.
 * cfg must have passed lc_train_check. */
int lc_train_run(MPI_Comm comm, const lc_train_params *cfg, lc_train_result *res, lc_err *e);

/* The JSON result members for res, added to j. */
void lc_train_result_json(const lc_train_params *cfg, const lc_train_result *res, lc_json *j);

#endif
