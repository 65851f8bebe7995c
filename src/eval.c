/* eval: not written yet */
#include "lincls/commands.h"
int lc_cmd_eval(MPI_Comm comm, int argc, char **argv) {
    lc_err e = {0};
    lc_fail(&e, LC_EINTERNAL, "subcommand 'eval' is not implemented yet");
    return lc_cmd_report(comm, "eval", &e);
}
