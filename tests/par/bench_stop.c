/* bench_stop: what the per-step stop vote (stop.h) costs a training step. A
 * step's gradient exchange is stood in for by an all-gather of one gradient
 * per rank (K*D + K + 2 floats, CIFAR-10 softmax: 30,742); timed alone, with a
 * blocking MPI_Allreduce of one int after it (the simple way), and with the
 * vote lincls uses (lc_stop_vote: MPI_Iallreduce started before, finished
 * after). Variants interleaved, median of rounds; rank 0 prints one JSON line.
 *
 *   mpirun -np P bench_stop [FLOATS] [ITERS] [ROUNDS]     (scripts/bench-stop.sh) */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#include "lincls/stop.h"

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, P;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &P);
    int n = argc > 1 ? atoi(argv[1]) : 30742, iters = argc > 2 ? atoi(argv[2]) : 200;
    int rounds = argc > 3 ? atoi(argv[3]) : 15;
    if (n < 1 || iters < 1 || rounds < 1 || rounds > 1000) {
        if (rank == 0) fprintf(stderr, "usage: bench_stop [FLOATS] [ITERS] [ROUNDS<=1000]\n");
        MPI_Finalize();
        return 2;
    }
    float *x = calloc((size_t)n, sizeof(float)), *all = calloc((size_t)n * (size_t)P, sizeof(float));
    double *t = calloc(3 * (size_t)rounds, sizeof(double));
    if (!x || !all || !t) MPI_Abort(MPI_COMM_WORLD, 1);
    lc_stop_arm(); /* the votes below are the real ones */
    for (int k = 0; k < rounds; k++)
        for (int var = 0; var < 3; var++) {
            MPI_Barrier(MPI_COMM_WORLD);
            double t0 = MPI_Wtime();
            for (int i = 0; i < iters; i++) {
                lc_stop_vote vote = LC_STOP_VOTE_INIT;
                int flag = 0;
                if (var == 2) lc_stop_vote_start(&vote, MPI_COMM_WORLD);
                MPI_Allgather(x, n, MPI_FLOAT, all, n, MPI_FLOAT, MPI_COMM_WORLD);
                if (var == 1) MPI_Allreduce(MPI_IN_PLACE, &flag, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
                if (var == 2) flag = lc_stop_vote_finish(&vote);
                if (flag) MPI_Abort(MPI_COMM_WORLD, 3); /* nobody signals this benchmark */
            }
            t[var * rounds + k] = (MPI_Wtime() - t0) / iters;
        }
    lc_stop_disarm();
    if (rank == 0) {
        double med[3];
        for (int var = 0; var < 3; var++) {
            qsort(t + var * rounds, (size_t)rounds, sizeof(double), cmp);
            med[var] = t[var * rounds + rounds / 2];
        }
        printf("{\"ranks\":%d,\"floats\":%d,\"exchange_us\":%.2f,\"with_allreduce_us\":%.2f,\"with_vote_us\":%.2f,"
               "\"allreduce_cost_pct\":%.2f,\"vote_cost_pct\":%.2f}\n",
               P, n, 1e6 * med[0], 1e6 * med[1], 1e6 * med[2], 100 * (med[1] - med[0]) / med[0],
               100 * (med[2] - med[0]) / med[0]);
    }
    free(x);
    free(all);
    free(t);
    MPI_Finalize();
    return 0;
}
