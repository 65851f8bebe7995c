/* commands: the lincls-mpi subcommands, each described by one lc_command and
 * run by one driver (lc_command_main):
 *
 *   parse the options into a copy of the defaults  -> --help prints and stops
 *   check the parameters (pure; every rank reaches the same verdict)
 *   agree collectively (lc_agree)                  -> run (collective)
 *   rank 0 prints the JSON result line, {"cmd":NAME, ...the run's members}
 *
 * Human progress goes to stderr from rank 0; the JSON object is the last
 * stdout line. Errors are reported once, by rank 0, as
 * "lincls-mpi NAME: error: ..." ("... stopped: ..." for a signal). */
#ifndef LINCLS_COMMANDS_H
#define LINCLS_COMMANDS_H

#include <mpi.h>
#include <stddef.h>

#include "lincls/cli.h"
#include "lincls/util.h"

/* The options as given (argv[0] is the first option): for a run whose
 * defaults depend on its input and on which options were named (lc_cli_given). */
typedef struct {
    int argc;
    char **argv;
} lc_args;

typedef struct {
    const char *name;     /* the subcommand, and "cmd" in the JSON result */
    const char *summary;  /* one line for lincls-mpi --help */
    const char *usage;    /* the head of NAME --help */
    const lc_opt *opts;   /* ends in LC_OPT_SENTINEL; offsets into the parameters */
    const void *defaults; /* the parameter struct before parsing ... */
    size_t size;          /* ... and its size */
    /* The parameters' own constraints (nranks: the size of the communicator).
     * Pure: no I/O, no communication. NULL: none. */
    int (*check)(const void *params, int nranks, lc_err *e);
    /* Collective. Rank 0 adds the result's members to json (which holds
     * "cmd" already). Returns the exit code when there is no error (0, or 1
     * for a check that ran and failed). The JSON line is printed after a
     * success, and after a stop by a signal (LC_ESTOP) when it has members. */
    int (*run)(MPI_Comm comm, const void *params, const lc_args *args, lc_json *json, lc_err *e);
} lc_command;

extern const lc_command lc_cmd_train, lc_cmd_eval, lc_cmd_gradcheck, lc_cmd_search, lc_cmd_sweep,
    lc_cmd_features, lc_cmd_predict;

/* The driver above. argv[0] is the first option after the subcommand name.
 * Returns the exit code: 0 ok, 2 bad arguments, 75 stopped by a signal
 * (LC_EXIT_TEMPFAIL), else 1. Never exits. */
int lc_command_main(MPI_Comm comm, const lc_command *c, int argc, char **argv);

/* Reports err on rank 0 ("lincls-mpi SUB: error: ...", or "... stopped: ..." for
 * LC_ESTOP) and returns the exit code above. */
int lc_cmd_report(MPI_Comm comm, const char *sub, const lc_err *e);

#endif
