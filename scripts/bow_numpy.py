#!/usr/bin/python3
"""The bag-of-words recipe of `lincls-mpi features --kind bow` written in numpy.

Coates, Lee & Ng (AISTATS 2011) and their released kmeans_demo: 6x6x3 patches
at random positions of random training images, each normalized by its mean and
sqrt(var + 10); ZCA whitening (eps 0.1); k-means (released code: batches of
1000 samples, assignment by argmax of c.x - |c|^2/2, empty centroids set to 0;
here initialized from random samples, as lincls does); encoding of all 27x27
positions with the triangle activation max(0, mean(z) - z_k) and sum pooling
over the four quadrants (rows/columns 0..13 and 14..26). Float32 for the big
products (as lincls, which uses sgemm), float64 for statistics.

It is the reference beside lincls in scripts/bench-bow.sh: same work, timed
the same way (dictionary learning; encoding of every image of the file).

  bow_numpy.py --data IMAGES.h5 [--centroids 1600] [--patches 400000]
               [--kmeans-iters 50] [--seed 1] [--batch 16] [--out FEATS.npz]

Prints progress to stderr and one JSON line on stdout: dictionary_seconds,
encode_seconds, images, dim, ... BLAS threads follow OPENBLAS_NUM_THREADS.
"""
import argparse
import json
import sys
import time

import h5py
import numpy as np

EPS_NORM = 10.0
EPS_ZCA = 0.1


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def normalize(p):
    """Rows of p (n x dim, any dtype) -> float32 (p - mean) / sqrt(var + 10), var with n-1."""
    p = p.astype(np.float64)
    m = p.mean(axis=1, keepdims=True)
    v = p.var(axis=1, ddof=1, keepdims=True)
    return ((p - m) / np.sqrt(v + EPS_NORM)).astype(np.float32)


def sample_patches(images, n, patch, rng):
    """n random patches (n x 3*patch*patch, layout c, dy, dx) of random images."""
    npos = 33 - patch
    idx = rng.integers(0, images.shape[0], n)
    ys = rng.integers(0, npos, n)
    xs = rng.integers(0, npos, n)
    out = np.empty((n, 3, patch, patch), dtype=np.uint8)
    for j in range(n):
        out[j] = images[idx[j], :, ys[j]:ys[j] + patch, xs[j]:xs[j] + patch]
    return out.reshape(n, -1)


def zca(x):
    mean = x.mean(axis=0, dtype=np.float64)
    cov = np.cov(x.astype(np.float64), rowvar=False)
    lam, v = np.linalg.eigh(cov)
    w = (v * (1.0 / np.sqrt(lam + EPS_ZCA))) @ v.T
    return mean.astype(np.float32), w.astype(np.float32)


def kmeans(x, k, iters, rng, batch=1000):
    """Released kmeans_demo code, initialized from k distinct random samples."""
    c = x[rng.choice(x.shape[0], k, replace=False)].copy()
    for it in range(iters):
        c2 = 0.5 * np.sum(c * c, axis=1)
        sums = np.zeros((k, x.shape[1]), dtype=np.float64)
        counts = np.zeros(k, dtype=np.int64)
        for i in range(0, x.shape[0], batch):
            xb = x[i:i + batch]
            lab = np.argmax(xb @ c.T - c2, axis=1)
            np.add.at(sums, lab, xb)
            counts += np.bincount(lab, minlength=k)
        c = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], 0.0).astype(np.float32)
        if it == 0 or (it + 1) % 10 == 0 or it + 1 == iters:
            log(f"numpy: k-means iteration {it + 1}/{iters}, {int(np.sum(counts == 0))} empty clusters")
    return c


def learn(images, k, n_patches, iters, seed, patch=6):
    rng = np.random.default_rng(seed)
    x = normalize(sample_patches(images, n_patches, patch, rng))
    mean, w = zca(x)
    x = (x - mean) @ w.T
    return {"mean": mean, "whiten": w, "centroids": kmeans(x, k, iters, rng), "patch": patch}


def encode(images, d, batch=16):
    """n x 4K features: triangle code of every position, sum-pooled over quadrants."""
    patch, c = d["patch"], d["centroids"]
    npos, k = 33 - patch, c.shape[0]
    half = (npos + 1) // 2  # ceil(27 / 2) = 14
    cc = np.sum(c * c, axis=1)
    out = np.empty((images.shape[0], 4 * k), dtype=np.float32)
    for i0 in range(0, images.shape[0], batch):
        imgs = images[i0:i0 + batch]
        nb = imgs.shape[0]
        # (nb, 3, npos, npos, patch, patch) -> rows (nb*npos*npos) x (3*patch*patch), layout c, dy, dx
        win = np.lib.stride_tricks.sliding_window_view(imgs, (patch, patch), axis=(2, 3))
        p = win.transpose(0, 2, 3, 1, 4, 5).reshape(nb * npos * npos, -1)
        x = (normalize(p) - d["mean"]) @ d["whiten"].T
        z = np.sqrt(np.maximum(np.sum(x * x, axis=1, keepdims=True) + cc - 2.0 * (x @ c.T), 0.0))
        f = np.maximum(z.mean(axis=1, keepdims=True) - z, 0.0).reshape(nb, npos, npos, k)
        q = [f[:, :half, :half], f[:, :half, half:], f[:, half:, :half], f[:, half:, half:]]
        out[i0:i0 + nb] = np.concatenate([r.sum(axis=(1, 2)) for r in q], axis=1)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="images dataset (lincls-prep layout)")
    ap.add_argument("--centroids", type=int, default=1600)
    ap.add_argument("--patches", type=int, default=400000)
    ap.add_argument("--kmeans-iters", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--batch", type=int, default=16, help="images per encoding product")
    ap.add_argument("--out", help="write train/test features and labels to this .npz")
    ap.add_argument("--dictionary", help="use the /dictionary of this lincls features file instead of learning")
    ap.add_argument("--compare", help="lincls features file (bow first): report the largest difference")
    a = ap.parse_args()
    with h5py.File(a.data, "r") as f:
        train, test = f["/train/images"][...], f["/test/images"][...]
        ytr, yte = f["/train/labels"][...], f["/test/labels"][...]
    t0 = time.perf_counter()
    if a.dictionary:
        with h5py.File(a.dictionary, "r") as f:
            g = f["/dictionary"] if "/dictionary" in f else f["/model/dictionary"]
            d = {k: g[k][...] for k in ("mean", "whiten", "centroids")}
            d["patch"] = int(g.attrs["patch"])
            assert int(g.attrs.get("pool", 2)) == 2, "only pool 2 here"
    else:
        d = learn(train, a.centroids, a.patches, a.kmeans_iters, a.seed)
    t1 = time.perf_counter()
    log(f"numpy: dictionary in {t1 - t0:.2f}s")
    ftr, fte = encode(train, d, a.batch), encode(test, d, a.batch)
    t2 = time.perf_counter()
    n = train.shape[0] + test.shape[0]
    log(f"numpy: encoded {n} images in {t2 - t1:.2f}s ({n / (t2 - t1):.0f} images/s)")
    if a.compare:
        with h5py.File(a.compare, "r") as f:
            k4 = ftr.shape[1]
            ref = np.concatenate([f["/train/features"][:, :k4], f["/test/features"][:, :k4]])
        ours = np.concatenate([ftr, fte])
        log(f"numpy vs {a.compare}: max |diff| {np.abs(ours - ref).max():.3g}, max |feature| {np.abs(ref).max():.3g}")
    if a.out:
        np.savez(a.out, train=ftr, test=fte, train_labels=ytr, test_labels=yte)
    print(json.dumps({"impl": "numpy", "images": n, "dim": int(ftr.shape[1]), "centroids": a.centroids,
                      "patches": a.patches, "kmeans_iters": a.kmeans_iters, "dictionary_seconds": t1 - t0,
                      "encode_seconds": t2 - t1, "images_per_second": n / (t2 - t1)}))


if __name__ == "__main__":
    main()
