/* lincls-mpi: the driver. Initializes MPI, dispatches to a subcommand, exits
 * with its code. The only place (with lincls-prep) that exits. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lincls/blas.h"
#include "lincls/commands.h"
#include "lincls/io.h"
#include "lincls/util.h"
#include "lincls/version.h"

static const lc_command *const commands[] = {&lc_cmd_train, &lc_cmd_eval,   &lc_cmd_gradcheck, &lc_cmd_search,
                                             &lc_cmd_sweep, &lc_cmd_features, &lc_cmd_predict};
#define NCOMMANDS (int)(sizeof commands / sizeof commands[0])

static void usage(void) {
    printf("usage: lincls-mpi [SUBCOMMAND] [options]\n"
           "       mpirun -np P lincls-mpi train --data cifar10.h5 --loss softmax\n\n"
           "Subcommands:\n");
    for (int i = 0; i < NCOMMANDS; i++) printf("  %-10s %s\n", commands[i]->name, commands[i]->summary);
    printf("\n'lincls-mpi SUBCOMMAND --help' lists every option with its default.\n"
           "Progress goes to stderr (rank 0); the last stdout line is a JSON result.\n\n"
           "Other options:\n"
           "  --version        the version\n"
           "  --blas-coretype  the OpenBLAS kernel (OPENBLAS_CORETYPE) lincls picks for this CPU\n"
           "  --blas-info      the BLAS library and the kernel this process runs\n");
}

int main(int argc, char **argv) {
    /* Before anything else: OpenBLAS chose its kernel when it loaded; this may
     * re-execute the program once with a faster one (see blas.h). */
    lc_blas_autoselect(argv);
    if (argc >= 2 && strcmp(argv[1], "--blas-coretype") == 0) {
        char flags[16384];
        const char *best = lc_blas_best_coretype(lc_blas_cpu_flags(flags, sizeof flags));
        if (!best) {
            fprintf(stderr, "lincls-mpi: no OpenBLAS kernel to pick: /proc/cpuinfo lists no x86-64 flags\n");
            return 1;
        }
        printf("%s\n", best);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "--blas-info") == 0) {
        char buf[1024];
        printf("%s\n", lc_blas_describe(buf, sizeof buf));
        return 0;
    }
    lc_io_init_process(); /* a file-size limit is reported like a full disk */
    MPI_Init(&argc, &argv);
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    lc_log_rank = rank;

    int code = 0;
    int first = 1;
    const lc_command *cmd = &lc_cmd_train;
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
                      strcmp(argv[1], "help") == 0)) {
        if (rank == 0) usage();
        MPI_Finalize();
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        if (rank == 0) printf("lincls-mpi %s\n", LINCLS_VERSION);
        MPI_Finalize();
        return 0;
    }
    if (argc >= 2 && strncmp(argv[1], "--", 2) != 0) {
        cmd = NULL;
        for (int i = 0; i < NCOMMANDS; i++)
            if (strcmp(argv[1], commands[i]->name) == 0) cmd = commands[i];
        if (!cmd) {
            if (rank == 0) {
                fprintf(stderr, "lincls-mpi: error: unknown subcommand '%s'\n", argv[1]);
                usage();
            }
            MPI_Finalize();
            return 2;
        }
        first = 2;
    }
    code = lc_command_main(MPI_COMM_WORLD, cmd, argc - first, argv + first);
    MPI_Finalize();
    return code;
}
