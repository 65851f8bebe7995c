/* treesum_ref: the reduction lincls used before its exact integer reduction
 * (src/par/xgrad.c), kept only as the baseline bench_reduce measures against.
 *
 * Virtual shards: the training rows are cut into V contiguous shards; rank r of
 * P owns shards [floor(V*r/P), floor(V*(r+1)/P)). Per-shard vectors are summed
 * in one fixed binary tree over the V leaves (node [lo,hi) = [lo,mid) + [mid,hi),
 * mid = lo + (hi-lo)/2). Each rank sums the largest tree nodes that lie inside its
 * own shards, the node sums are all-gathered, and every rank finishes the same
 * tree: bitwise the same for every P <= V, on one kind of CPU. */
#ifndef LINCLS_TREESUM_REF_H
#define LINCLS_TREESUM_REF_H

#include <mpi.h>
#include <stddef.h>

#include "lincls/util.h"

typedef struct {
    MPI_Comm comm;
    int rank, size;
    int V;            /* virtual shards */
    int v_lo, v_hi;   /* this rank's shards */
    /* internal: the tree nodes each rank contributes, in rank order */
    int n_nodes;
    int *node_lo, *node_hi, *node_owner;
    int *node_first;  /* per rank: index of its first node; [size] = n_nodes */
    int *counts, *displs; /* allgatherv, in elements, for the current len */
    void *buf;        /* gathered node sums, then interior nodes */
    size_t buf_bytes;
} lc_treesum;

int lc_treesum_init(lc_treesum *t, MPI_Comm comm, int V, lc_err *e);
void lc_treesum_free(lc_treesum *t);
/* Shard range [lo, hi) of rank r of P. */
void lc_shards_of_rank(int V, int P, int r, int *lo, int *hi);

/* leaves: this rank's (v_hi - v_lo) vectors of len elements, contiguous, in
 * shard order; used as scratch (overwritten). out: len elements, bitwise
 * identical on every rank and for every rank count. Collective. */
int lc_treesum_float(lc_treesum *t, float *leaves, size_t len, float *out, lc_err *e);
int lc_treesum_double(lc_treesum *t, double *leaves, size_t len, double *out, lc_err *e);

#endif
