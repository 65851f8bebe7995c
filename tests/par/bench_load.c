/* bench_load: how long P ranks take to read the training set, each its own
 * rows with the collective hyperslab path that training uses. Prints one JSON
 * line (rank 0): the slowest rank's time, bytes read, GB/s.
 *   mpiexec -n P bench_load FILE.h5 [repeats]                                   */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#include "lincls/dataset.h"

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, P;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &P);
    if (argc < 2) {
        if (rank == 0) fprintf(stderr, "usage: bench_load FILE.h5 [repeats]\n");
        MPI_Finalize();
        return 2;
    }
    int reps = argc > 2 ? atoi(argv[2]) : 3;
    double best = 1e30;
    long long bytes = 0;
    for (int r = 0; r < reps; r++) {
        lc_err e = {0};
        lc_dataset_info info;
        lc_rows rows;
        MPI_Barrier(MPI_COMM_WORLD);
        double t0 = MPI_Wtime();
        if (lc_dataset_open(MPI_COMM_WORLD, argv[1], &info, &e) ||
            lc_dataset_read_shard(MPI_COMM_WORLD, &info, "train", &rows, &e)) {
            if (rank == 0) fprintf(stderr, "bench_load: %s\n", e.msg);
            MPI_Finalize();
            return 1;
        }
        double mine = MPI_Wtime() - t0, slowest = 0;
        MPI_Allreduce(&mine, &slowest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
        if (slowest < best) best = slowest;
        bytes = (long long)info.n_train * (info.dim * (info.is_images ? 1 : 4) + 1);
        lc_rows_free(&rows);
    }
    if (rank == 0)
        printf("{\"ranks\":%d,\"bytes\":%lld,\"seconds\":%.4f,\"gb_per_second\":%.3f}\n", P, bytes, best,
               (double)bytes / best / 1e9);
    MPI_Finalize();
    return 0;
}
