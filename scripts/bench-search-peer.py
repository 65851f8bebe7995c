#!/usr/bin/python3
"""The lecture's random search in numpy, as the benchmark peer of `lincls-mpi search`.

    for num in range(trials):
        W = np.random.randn(10, 3073) * 0.0001   # bias folded in as column 3073
        loss = L(X_train, Y_train, W)             # one product per candidate
        keep the lowest

L is the vectorized multiclass SVM loss (margin 1, no regularization) on raw
pixels, as in the lecture. Reads the lincls HDF5 dataset with h5py. Prints one
JSON line: trials, rows, best_loss, seconds, candidates_images_per_second.
Needs numpy and h5py (Debian: python3-numpy, python3-h5py).
"""
import argparse
import json
import time

import h5py
import numpy as np


def svm_loss(X, y, W):
    """X: D+1 x N columns (last row ones), y: N labels, W: K x D+1."""
    scores = W.dot(X)                                  # K x N, the one product
    correct = scores[y, np.arange(X.shape[1])]
    margins = np.maximum(0, scores - correct + 1.0)
    margins[y, np.arange(X.shape[1])] = 0
    return margins.sum() / X.shape[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", help="lincls dataset file (HDF5)")
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--scale", type=float, default=1e-4)
    ap.add_argument("--val", type=int, default=0, help="leave out the last N training rows")
    ap.add_argument("--float32", action="store_true", help="float32 instead of numpy's default float64")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    with h5py.File(a.data, "r") as f:
        n = f["train/labels"].shape[0] - a.val
        imgs = f["train/images"][:n]
        y = f["train/labels"][:n].astype(np.int64)
    dt = np.float32 if a.float32 else np.float64
    X = np.ones((imgs[0].size + 1, n), dtype=dt)      # the bias trick: a row of ones
    X[:-1] = imgs.reshape(n, -1).T
    del imgs
    K = int(y.max()) + 1
    rng = np.random.default_rng(a.seed)
    best = float("inf")
    t0 = time.perf_counter()
    for _ in range(a.trials):
        W = (rng.standard_normal((K, X.shape[0])) * a.scale).astype(dt)
        best = min(best, svm_loss(X, y, W))
    sec = time.perf_counter() - t0
    print(json.dumps({"peer": "numpy", "dtype": np.dtype(dt).name, "trials": a.trials, "rows": n,
                      "best_loss": best, "seconds": sec,
                      "candidates_images_per_second": a.trials * n / sec}))


if __name__ == "__main__":
    main()
