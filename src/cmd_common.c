/* cmd_common: pieces shared by the subcommands. */
#include <mpi.h>
#include <stdio.h>

#include "lincls/commands.h"
#include "lincls/stop.h"
#include "lincls/util.h"

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
