/* stop: record SIGUSR1 / SIGTERM, agree on them at step boundaries (stop.h). */
#define _POSIX_C_SOURCE 200809L
#include "lincls/stop.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

static volatile sig_atomic_t g_signal = 0;
static int g_armed = 0;
static struct sigaction g_old_usr1, g_old_term;

static void on_signal(int sig) { g_signal = sig; }

void lc_stop_arm(void) {
    if (g_armed) return;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART; /* interrupted reads and writes go on */
    g_signal = 0;
    sigaction(SIGUSR1, &sa, &g_old_usr1);
    sigaction(SIGTERM, &sa, &g_old_term);
    g_armed = 1;
}

void lc_stop_disarm(void) {
    if (!g_armed) return;
    sigaction(SIGUSR1, &g_old_usr1, NULL);
    sigaction(SIGTERM, &g_old_term, NULL);
    g_armed = 0;
}

int lc_stop_armed(void) { return g_armed; }

int lc_stop_pending(void) { return g_signal; }

void lc_stop_vote_start(lc_stop_vote *v, MPI_Comm comm) {
    v->req = MPI_REQUEST_NULL;
    v->all = 0;
    if (!g_armed) return;
    v->mine = g_signal;
    MPI_Iallreduce(&v->mine, &v->all, 1, MPI_INT, MPI_MAX, comm, &v->req);
}

int lc_stop_vote_finish(lc_stop_vote *v) {
    if (v->req == MPI_REQUEST_NULL) return 0;
    MPI_Wait(&v->req, MPI_STATUS_IGNORE);
    int sig = v->all;
    v->all = 0;
    return sig;
}

const char *lc_stop_signame(int sig) {
    switch (sig) {
    case SIGTERM: return "SIGTERM";
    case SIGUSR1: return "SIGUSR1";
    case SIGUSR2: return "SIGUSR2";
    case SIGINT: return "SIGINT";
    default: return "a signal";
    }
}
