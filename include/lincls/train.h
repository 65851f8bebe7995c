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
#include "lincls/util.h"

typedef struct {
    char data[LC_OPT_STRLEN];
    char loss[LC_OPT_STRLEN], reg[LC_OPT_STRLEN], optimizer[LC_OPT_STRLEN];
    char schedule[LC_OPT_STRLEN], init[LC_OPT_STRLEN], scale[LC_OPT_STRLEN];
    char checkpoint[LC_OPT_STRLEN], resume[LC_OPT_STRLEN], metrics[LC_OPT_STRLEN];
    char vshards[LC_OPT_STRLEN]; /* deprecated, ignored (accepted so old commands still run) */
    double lambda, beta, margin, lr, lr_decay, min_lr, momentum;
    int batch, epochs, lr_step, warmup, checkpoint_every, quiet, no_test;
    long long max_steps, val, seed;
    int folds, fold; /* k-fold cross-validation: validate on fold `fold` of `folds` */
    int lbfgs_m;         /* L-BFGS: pairs kept */
    double gtol, ftol;   /* L-BFGS: stopping rule */
} lc_train_cfg;

void lc_train_defaults(lc_train_cfg *c);
/* Fills opts (room for LC_TRAIN_MAXOPTS) with the train options bound to c;
 * returns how many. */
#define LC_TRAIN_MAXOPTS 40
int lc_train_options(lc_train_cfg *c, lc_opt *opts);

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
int lc_train_bow_defaults(lc_train_cfg *c, int argc, char **argv);

/* The learning rate a run uses: --lr, or when it is 0 a default for the input
 * (images or features). */
double lc_train_lr(const lc_train_cfg *c, int is_images);

/* Collective over comm. Progress on stderr from rank 0 unless cfg->quiet. */
int lc_train_run(MPI_Comm comm, const lc_train_cfg *cfg, lc_train_result *res, lc_err *e);

/* The JSON result object for res (without the closing brace: callers may add
 * members, then lc_json_end). */
void lc_train_result_json(const lc_train_cfg *cfg, const lc_train_result *res, lc_json *j);

#endif
