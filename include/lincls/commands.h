/* commands: one function per lincls-mpi subcommand. Each is collective over
 * comm, prints human progress to stderr from rank 0 and the JSON result as the
 * last stdout line, and returns the process exit code (0 ok). argv[0] is the
 * first option after the subcommand name. They never exit. */
#ifndef LINCLS_COMMANDS_H
#define LINCLS_COMMANDS_H

#include <mpi.h>

#include "lincls/util.h"

int lc_cmd_train(MPI_Comm comm, int argc, char **argv);
int lc_cmd_eval(MPI_Comm comm, int argc, char **argv);
int lc_cmd_gradcheck(MPI_Comm comm, int argc, char **argv);
int lc_cmd_search(MPI_Comm comm, int argc, char **argv);
int lc_cmd_sweep(MPI_Comm comm, int argc, char **argv);
int lc_cmd_features(MPI_Comm comm, int argc, char **argv);
int lc_cmd_predict(MPI_Comm comm, int argc, char **argv);

/* Reports err on rank 0 ("lincls-mpi SUB: error: ...", or "... stopped: ..." for
 * LC_ESTOP) and returns the exit code: 2 bad arguments, 75 stopped by a signal
 * (LC_EXIT_TEMPFAIL), else 1. */
int lc_cmd_report(MPI_Comm comm, const char *sub, const lc_err *e);

#endif
