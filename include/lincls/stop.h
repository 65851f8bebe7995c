/* stop: a clean stop on SIGUSR1 or SIGTERM, for preemptible jobs.
 *
 * SLURM signals a job before its time limit (sbatch --signal) and on
 * preemption; Open MPI's mpirun forwards SIGUSR1 and SIGUSR2 to the ranks. A
 * command that can stop between steps arms the handlers for its duration; the
 * handler only records the signal (a volatile sig_atomic_t). The ranks agree
 * on it step by step (lc_stop_vote, below), so a signal that reached any rank
 * stops every rank at the same step boundary. The command then saves what it
 * needs and returns LC_ESTOP; the driver exits with LC_EXIT_TEMPFAIL so that
 * a job script can requeue and resume.
 *
 * The ranks agree with a vote that costs no synchronization of its own: a
 * non-blocking MPI_Iallreduce (MAX) of the signal number, started before a
 * step and finished after it, so its messages travel with the step's own
 * gradient exchange. A signal is acted on at the end of the step that starts
 * after it arrives: within two steps. */
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
/* One vote: start it before a step (collective over comm, non-blocking: it
 * samples this rank's signal), finish it after the step's own collectives.
 * finish returns the largest signal number any rank had received when it
 * started, or 0, the same on every rank; finishing a vote never started (or
 * already finished) returns 0. When not armed both do nothing. */
typedef struct {
    MPI_Request req;
    int mine, all;
} lc_stop_vote;
#define LC_STOP_VOTE_INIT {MPI_REQUEST_NULL, 0, 0}
void lc_stop_vote_start(lc_stop_vote *v, MPI_Comm comm);
int lc_stop_vote_finish(lc_stop_vote *v);
/* "SIGTERM", "SIGUSR1", ... */
const char *lc_stop_signame(int sig);

#endif
