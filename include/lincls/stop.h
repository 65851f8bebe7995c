/* stop: a clean stop on SIGUSR1 or SIGTERM, for preemptible jobs.
 *
 * SLURM signals a job before its time limit (sbatch --signal) and on
 * preemption; Open MPI's mpirun forwards SIGUSR1 and SIGUSR2 to the ranks. A
 * command that can stop between steps arms the handlers for its duration; the
 * handler only records the signal (a volatile sig_atomic_t). At each step
 * boundary the ranks agree (lc_stop_agree: one tiny MPI_Allreduce, MAX), so
 * a signal that reached any rank stops every rank at the same step. The
 * command then saves what it needs and returns LC_ESTOP; the driver exits
 * with LC_EXIT_TEMPFAIL so that a job script can requeue and resume. */
#ifndef LINCLS_STOP_H
#define LINCLS_STOP_H

#include <mpi.h>

/* Exit status of a run stopped by a signal (sysexits.h EX_TEMPFAIL). */
#define LC_EXIT_TEMPFAIL 75

/* Install the SIGUSR1 / SIGTERM handlers (the previous ones are kept for
 * lc_stop_disarm) and forget any earlier signal. */
void lc_stop_arm(void);
/* Restore the previous handlers. */
void lc_stop_disarm(void);
/* Whether the handlers are installed (the same on every rank of a command). */
int lc_stop_armed(void);
/* The signal this process received since lc_stop_arm, or 0. */
int lc_stop_pending(void);
/* Collective over comm: the largest signal number any rank received, or 0
 * (every rank gets the same answer). Returns 0 at once when not armed. */
int lc_stop_agree(MPI_Comm comm);
/* "SIGTERM", "SIGUSR1", ... */
const char *lc_stop_signame(int sig);

#endif
