#!/usr/bin/python3
"""PyTorch reference for scripts/bench-train.sh: the model lincls trains.

Softmax (cross-entropy) linear classifier s = W x' + b, x' = (x - mean) / std with the
per-pixel mean and standard deviation of the training rows, W and b zero-initialised,
plain SGD (no momentum) at a constant learning rate, no regularization, batch B drawn
at random (a fresh random permutation of the training rows per pass; ceil(N/B) steps per
epoch, every batch full, as lincls does). The training rows are the first N - VAL rows of
/train (lincls's --val VAL holds out the last VAL rows).

Two ways of feeding the data, both preloaded in memory before the clock starts:
  f32  the standardised float32 matrix [N, 3072] (the usual PyTorch setup)
  u8   the raw uint8 pixels [N, 3072]; each batch is gathered, converted to float and
       standardised inside the step (the same work lincls does per step)

For every thread count (torch.set_num_threads) and mode it runs REPS repetitions of
EPOCHS epochs and prints one JSON line: seconds per epoch (median over the repetitions,
and every repetition), the final full-batch training loss and accuracy of the last
repetition (a check that it trains the same model as lincls). Only the training loop
is timed (forward, backward, update, and for u8 the gather/convert).
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

import numpy as np


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="lincls dataset file (HDF5: /train/images, /train/labels)")
    p.add_argument("--val", type=int, default=1000, help="hold out the last VAL training rows (default: %(default)s)")
    p.add_argument("--epochs", type=int, default=5, help="epochs per repetition (default: %(default)s)")
    p.add_argument("--batch", type=int, default=256, help="minibatch size (default: %(default)s)")
    p.add_argument("--lr", type=float, default=1e-3, help="SGD learning rate (default: %(default)s)")
    p.add_argument("--reps", type=int, default=3, help="repetitions; the median is reported (default: %(default)s)")
    p.add_argument("--threads", default="1,2", help="comma-separated torch thread counts (default: %(default)s)")
    p.add_argument("--modes", default="f32,u8", help="comma-separated: f32, u8 (default: %(default)s)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default: %(default)s)")
    a = p.parse_args()

    import h5py
    import torch

    t0 = time.perf_counter()
    with h5py.File(a.data, "r") as f:
        n_all = f["train/images"].shape[0]
        n = n_all - a.val
        if n <= 0:
            sys.exit("bench_torch.py: --val %d leaves no training rows (%d in the file)" % (a.val, n_all))
        xu8 = np.ascontiguousarray(f["train/images"][:n].reshape(n, -1))
        y = np.asarray(f["train/labels"][:n], dtype=np.int64)
    d = xu8.shape[1]
    k = int(y.max()) + 1
    mean = xu8.mean(axis=0, dtype=np.float64)
    var = (xu8.astype(np.float64) ** 2).mean(axis=0) - mean ** 2
    std = np.sqrt(np.maximum(var, 0))
    std[std <= 1e-6 * (np.abs(mean) + 1)] = 1.0
    xf32 = torch.from_numpy(((xu8 - mean) / std).astype(np.float32))
    xu8_t = torch.from_numpy(xu8)
    y_t = torch.from_numpy(y)
    mean_t = torch.from_numpy(mean.astype(np.float32))
    inv_t = torch.from_numpy((1.0 / std).astype(np.float32))
    load_s = time.perf_counter() - t0
    steps = math.ceil(n / a.batch)
    print("bench_torch: torch %s, N=%d D=%d K=%d, batch %d, %d steps/epoch, %d epochs x %d reps, "
          "data loaded and standardised in %.1f s; OPENBLAS_CORETYPE=%s" %
          (torch.__version__, n, d, k, a.batch, steps, a.epochs, a.reps, load_s,
           os.environ.get("OPENBLAS_CORETYPE", "(unset)")), file=sys.stderr)

    def batches(gen):
        """ceil(N/B) full batches per epoch from a stream of random permutations."""
        perm = torch.randperm(n, generator=gen)
        pos = 0
        while True:
            if pos + a.batch <= n:
                yield perm[pos:pos + a.batch]
                pos += a.batch
            else:
                head = perm[pos:]
                perm = torch.randperm(n, generator=gen)
                pos = a.batch - head.numel()
                yield torch.cat([head, perm[:pos]])

    def run(mode):
        gen = torch.Generator().manual_seed(a.seed)
        model = torch.nn.Linear(d, k)
        torch.nn.init.zeros_(model.weight)
        torch.nn.init.zeros_(model.bias)
        opt = torch.optim.SGD(model.parameters(), lr=a.lr)
        lossf = torch.nn.CrossEntropyLoss()
        it = batches(gen)
        per_epoch = []
        for _ in range(a.epochs):
            t = time.perf_counter()
            for _ in range(steps):
                idx = next(it)
                if mode == "f32":
                    xb = xf32[idx]
                else:
                    xb = (xu8_t[idx].float() - mean_t) * inv_t
                loss = lossf(model(xb), y_t[idx])
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
            per_epoch.append(time.perf_counter() - t)
        with torch.no_grad():
            s = model(xf32)
            full_loss = float(lossf(s, y_t))
            acc = float((s.argmax(1) == y_t).float().mean())
        return sum(per_epoch), full_loss, acc

    for th in [int(t) for t in a.threads.split(",") if t]:
        torch.set_num_threads(th)
        for mode in [m for m in a.modes.split(",") if m]:
            if mode not in ("f32", "u8"):
                sys.exit("bench_torch.py: unknown mode %r (f32 or u8)" % mode)
            reps = []
            for _ in range(a.reps):
                sec, full_loss, acc = run(mode)
                reps.append(sec / a.epochs)
            print(json.dumps({"impl": "pytorch", "mode": mode, "threads": th,
                              "sec_per_epoch": statistics.median(reps),
                              "reps": [round(r, 4) for r in reps],
                              "final_loss": round(full_loss, 5), "train_acc": round(acc, 5)}), flush=True)


if __name__ == "__main__":
    main()
