/* search: not written yet */
#include "lincls/commands.h"
int lc_cmd_search(MPI_Comm comm, int argc, char **argv) {
    lc_err e = {0};
    lc_fail(&e, LC_EINTERNAL, "subcommand 'search' is not implemented yet");
    return lc_cmd_report(comm, "search", &e);
}
