/* features: not written yet */
#include "lincls/commands.h"
int lc_cmd_features(MPI_Comm comm, int argc, char **argv) {
    lc_err e = {0};
    lc_fail(&e, LC_EINTERNAL, "subcommand 'features' is not implemented yet");
    return lc_cmd_report(comm, "features", &e);
}
