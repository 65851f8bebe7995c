/* cmd_common: the one driver every subcommand runs through. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lincls/commands.h"
#include "lincls/dist.h"
#include "lincls/loss.h"
#include "lincls/optim.h"
#include "lincls/reg.h"
#include "lincls/shards.h"
#include "lincls/stop.h"
#include "lincls/util.h"

/* LC_OPT_CHOICE stores an enum through an int. */
_Static_assert(sizeof(lc_loss_kind) == sizeof(int) && sizeof(lc_reg_kind) == sizeof(int) &&
                   sizeof(lc_optim_kind) == sizeof(int) && sizeof(lc_sched_kind) == sizeof(int) &&
                   sizeof(lc_scale_kind) == sizeof(int),
               "choice options store enums as int");

int lc_cmd_report(MPI_Comm comm, const char *sub, const lc_err *e) {
    if (!e->code) return 0;
    int rank = 0;
    MPI_Comm_rank(comm, &rank);
    if (rank == 0) {
        fprintf(stderr, "lincls-mpi %s: %s: %s\n", sub, e->code == LC_ESTOP ? "stopped" : "error",
                e->msg[0] ? e->msg : "unknown error (no message)");
        fflush(stderr);
    }
    if (e->code == LC_ESTOP) return LC_EXIT_TEMPFAIL;
    return e->code == LC_EARG ? 2 : 1;
}

int lc_command_main(MPI_Comm comm, const lc_command *c, int argc, char **argv) {
    int rank = 0, P = 1, help = 0, code = 0;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &P);
    lc_err e = {0};
    void *params = malloc(c->size);
    if (!params) {
        lc_fail(&e, LC_ENOMEM, "out of memory (%zu bytes of parameters)", c->size);
    } else {
        memcpy(params, c->defaults, c->size);
        lc_cli_parse(argc, argv, c->opts, params, c->usage, rank == 0, &help, &e);
    }
    if (help && !e.code) {
        free(params);
        return 0;
    }
    if (!e.code && c->check) c->check(params, P, &e);
    if (lc_agree(comm, &e)) {
        free(params);
        return lc_cmd_report(comm, c->name, &e);
    }
    lc_json j;
    lc_json_begin(&j);
    lc_json_str(&j, "cmd", c->name);
    size_t empty = j.len;
    lc_args args = {argc, argv};
    code = c->run(comm, params, &args, &j, &e);
    if (rank == 0 && (!e.code || (e.code == LC_ESTOP && j.len > empty))) {
        lc_json_end(&j);
        printf("%s\n", j.s);
        fflush(stdout);
    }
    lc_json_free(&j);
    free(params);
    return e.code ? lc_cmd_report(comm, c->name, &e) : code;
}
