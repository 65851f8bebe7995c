/* sweep: not written yet */
#include "lincls/commands.h"
int lc_cmd_sweep(MPI_Comm comm, int argc, char **argv) {
    lc_err e = {0};
    lc_fail(&e, LC_EINTERNAL, "subcommand 'sweep' is not implemented yet");
    return lc_cmd_report(comm, "sweep", &e);
}
