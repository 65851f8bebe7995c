#!/usr/bin/python3
"""Crafted input files for the bad-input tests, made with h5py from a good file.

    badfiles.py dataset  GOOD.h5 OUTDIR   variants of a dataset file (fake.h5)
    badfiles.py strings  GOOD.h5 OUTDIR   the same dataset with every string form
    badfiles.py ckpt     GOOD.h5 OUTDIR   variants of a checkpoint (model part)
    badfiles.py resume   GOOD.h5 OUTDIR   variants of a checkpoint (optimizer part)

Each variant is OUTDIR/NAME.h5; the test scripts know what each must give.
"""
import os
import shutil
import sys

import h5py
import numpy as np

kind, good, out = sys.argv[1:4]
os.makedirs(out, exist_ok=True)


def variant(name):
    path = os.path.join(out, name + ".h5")
    shutil.copyfile(good, path)
    return h5py.File(path, "a")


def replace(f, path, data, **kw):
    del f[path]
    f.create_dataset(path, data=data, **kw)


def set_attr(obj, name, value):
    if name in obj.attrs:
        del obj.attrs[name]
    obj.attrs[name] = value


def str_type(size, pad, cset=h5py.h5t.CSET_ASCII):
    """A fixed-length string type with the given padding and character set."""
    t = h5py.h5t.C_S1.copy()
    t.set_size(size)
    t.set_strpad(pad)
    t.set_cset(cset)
    return t


def low_attr(obj, name, t, data, shape=()):
    """An attribute with an exact low-level type (SPACEPAD and friends)."""
    if name in obj.attrs:
        del obj.attrs[name]
    space = h5py.h5s.create_simple(shape) if shape else h5py.h5s.create(h5py.h5s.SCALAR)
    a = h5py.h5a.create(obj.id, name.encode(), t, space)
    a.write(np.asarray(data, dtype=f"S{t.get_size()}"), mtype=t)


def low_dset(f, path, t, names):
    if path in f:
        del f[path]
    space = h5py.h5s.create_simple((len(names),))
    d = h5py.h5d.create(f.id, path.encode(), t, space)
    d.write(h5py.h5s.ALL, h5py.h5s.ALL, np.asarray(names, dtype=f"S{t.get_size()}"), mtype=t)


def features_file(name, d=20, dtype="f4"):
    """A features file (float [N, d]) with the good file's labels and classes."""
    path = os.path.join(out, name + ".h5")
    with h5py.File(good, "r") as g, h5py.File(path, "w") as f:
        for k, v in g.attrs.items():
            f.attrs[k] = v
        f.attrs["features"] = "crafted"
        g.copy("classes", f)
        rng = np.random.default_rng(1)
        for split in ("train", "test"):
            n = len(g[split + "/labels"])
            f[split + "/features"] = rng.standard_normal((n, d)).astype(dtype)
            g.copy(split + "/labels", f, name=split + "/labels")
    return h5py.File(path, "a")


if kind == "dataset":
    with variant("version_array") as f:
        set_attr(f, "version", np.ones(4096, "i4"))
    with variant("format_array") as f:
        set_attr(f, "format", np.array([b"lincls-dataset"] * 4096))
    with variant("format_int") as f:
        set_attr(f, "format", np.int32(7))
    with variant("format_other") as f:
        set_attr(f, "format", "other-format")
    with variant("format_missing") as f:
        del f.attrs["format"]
    with variant("format_long") as f:
        set_attr(f, "format", "x" * 5000)
    with variant("version_2") as f:
        set_attr(f, "version", np.int32(2))
    with variant("version_string") as f:
        set_attr(f, "version", "1")
    with variant("version_empty") as f:
        set_attr(f, "version", h5py.Empty("i4"))
    with variant("version_big") as f:  # would wrap or clamp in an int
        set_attr(f, "version", np.int64(2**40 + 1))
    with variant("images_32d") as f:
        x = f["train/images"][:]
        replace(f, "train/images", x.reshape(x.shape + (1,) * 28))
    with variant("images_5d") as f:
        x = f["train/images"][:]
        replace(f, "train/images", x.reshape(x.shape + (1,)))
    with variant("images_float") as f:
        replace(f, "train/images", f["train/images"][:].astype("f4"))
    with variant("images_int8") as f:
        replace(f, "train/images", f["train/images"][:].astype("i1"))
    with variant("images_flat") as f:
        x = f["train/images"][:]
        replace(f, "train/images", x.reshape(len(x), -1))
    with variant("images_group") as f:
        del f["train/images"]
        f.create_group("train/images")
    with variant("images_huge") as f:
        del f["train/images"], f["train/labels"]
        f.create_dataset("train/images", shape=(2**41, 3, 32, 32), dtype="u1", chunks=(1, 3, 32, 32))
        f.create_dataset("train/labels", shape=(2**41,), dtype="u1", chunks=(4096,))
    with variant("labels_missing") as f:
        del f["train/labels"]
    with variant("labels_2d") as f:
        replace(f, "train/labels", f["train/labels"][:].reshape(-1, 1))
    with variant("labels_float") as f:
        replace(f, "train/labels", f["train/labels"][:].astype("f4"))
    with variant("labels_short") as f:
        replace(f, "train/labels", f["train/labels"][:-1])
    with variant("labels_negative") as f:
        y = f["train/labels"][:].astype("i8")
        y[7] = -1
        replace(f, "train/labels", y)
    with variant("labels_range") as f:
        y = f["train/labels"][:]
        y[3] = 10
        replace(f, "train/labels", y)
    with variant("labels_huge") as f:
        y = f["train/labels"][:].astype("u8")
        y[5] = 2**64 - 1
        replace(f, "train/labels", y)
    with variant("labels_int64") as f:  # accepted: any integer type
        replace(f, "train/labels", f["train/labels"][:].astype("i8"))
        replace(f, "test/labels", f["test/labels"][:].astype(">i4"))
    with variant("classes_one") as f:
        replace(f, "classes", np.array([b"only"]))
    with variant("classes_int") as f:
        replace(f, "classes", np.arange(10, dtype="i4"))
    with variant("classes_2d") as f:
        replace(f, "classes", f["classes"][:].reshape(5, 2))
    with variant("classes_missing") as f:
        del f["classes"]
    with variant("classes_few") as f:  # 5 names, labels up to 9
        replace(f, "classes", f["classes"][:5])
    with variant("test_missing") as f:
        del f["test"]
    with variant("test_empty") as f:  # accepted: test_acc null
        replace(f, "test/images", np.zeros((0, 3, 32, 32), "u1"))
        replace(f, "test/labels", np.zeros((0,), "u1"))
    with variant("train_empty") as f:
        replace(f, "train/images", np.zeros((0, 3, 32, 32), "u1"))
        replace(f, "train/labels", np.zeros((0,), "u1"))
    with variant("images_lzf") as f:  # h5py's own filter: the C library cannot decode it
        x = f["train/images"][:]
        replace(f, "train/images", x, compression="lzf", chunks=(16, 3, 32, 32))
    with variant("images_gzip") as f:  # accepted
        for s in ("train", "test"):
            replace(f, s + "/images", f[s + "/images"][:], compression="gzip", chunks=(16, 3, 32, 32))
    with variant("images_unwritten") as f:  # created, never written: no storage
        del f["train/images"]
        f.create_dataset("train/images", (300, 3, 32, 32), "u1")
    with variant("images_dangling") as f:
        del f["train/images"]
        f["train/images"] = h5py.SoftLink("/nowhere")
    with variant("images_external_missing") as f:
        del f["train/images"]
        f["train/images"] = h5py.ExternalLink("no-such-file.h5", "/train/images")
    with variant("train_is_dataset") as f:
        del f["train"]
        f["train"] = np.zeros(3)
    with features_file("feat_ok") as f:
        pass
    with features_file("feat_recipe_array") as f:
        set_attr(f, "features", np.arange(4096))
    with features_file("feat_float64", dtype="f8") as f:  # accepted: converted
        pass
    with features_file("feat_int", dtype="i4") as f:
        pass
    with features_file("feat_nan") as f:
        x = f["train/features"][:]
        x[11, 4] = np.nan
        replace(f, "train/features", x)
    with features_file("feat_3d") as f:
        x = f["train/features"][:]
        replace(f, "train/features", x.reshape(len(x), 4, 5))
    with features_file("feat_width") as f:
        replace(f, "test/features", f["test/features"][:, :19])
    with features_file("feat_overflow", dtype="f8") as f:
        x = f["train/features"][:]
        x[2, 3] = 1e300  # beyond float32: inf after conversion
        replace(f, "train/features", x)
    # not HDF5 at all
    with open(os.path.join(out, "empty.h5"), "wb"):
        pass
    with open(os.path.join(out, "text.h5"), "w") as t:
        t.write("this is not an HDF5 file\n")
    with open(good, "rb") as g, open(os.path.join(out, "truncated.h5"), "wb") as t:
        t.write(g.read(4096))

elif kind == "strings":
    # the same dataset with format and /classes in every string form
    with h5py.File(good, "r") as g:
        names = [n.decode() for n in g["classes"][:]]
    utf8 = h5py.h5t.CSET_UTF8
    with variant("str_python") as f:  # variable-length UTF-8 (h5py's str)
        set_attr(f, "format", "lincls-dataset")
        replace(f, "classes", names, dtype=h5py.string_dtype())
    with variant("str_bytes") as f:  # np.bytes_: fixed length, NULLPAD
        set_attr(f, "format", np.bytes_("lincls-dataset"))
        replace(f, "classes", np.array([n.encode() for n in names]))
    with variant("str_bytes_array") as f:  # a one-element array of bytes
        set_attr(f, "format", np.array([b"lincls-dataset"]))
    with variant("str_vlen_ascii") as f:
        set_attr(f, "format", np.array(b"lincls-dataset", dtype=h5py.string_dtype("ascii")))
        replace(f, "classes", [n.encode() for n in names], dtype=h5py.string_dtype("ascii"))
    with variant("str_utf8_fixed") as f:
        low_attr(f, "format", str_type(20, h5py.h5t.STR_NULLPAD, utf8), b"lincls-dataset")
        uni = [n + "-\u00e9\u4e2d" for n in names]  # non-ASCII names
        u8 = h5py.string_dtype("utf-8", 40)
        replace(f, "classes", np.array([u.encode() for u in uni], dtype=u8), dtype=u8)
    with variant("str_spacepad") as f:
        low_attr(f, "format", str_type(24, h5py.h5t.STR_SPACEPAD), b"lincls-dataset" + b" " * 10)
        low_dset(f, "classes", str_type(16, h5py.h5t.STR_SPACEPAD), [n.encode().ljust(16) for n in names])
    with variant("str_nullterm_exact") as f:  # NULLTERM with no room for the NUL
        low_attr(f, "format", str_type(14, h5py.h5t.STR_NULLTERM), b"lincls-dataset")
    with variant("str_long_names") as f:  # names longer than 63 bytes are cut, not refused
        replace(f, "classes", [n * 20 for n in names], dtype=h5py.string_dtype())
    with variant("str_bad_utf8") as f:  # invalid UTF-8 and a newline become '?'
        replace(f, "classes", np.array([b"bad\xff\xfe" + n.encode() + b"\n" for n in names]))

elif kind == "ckpt":
    with h5py.File(good, "r") as g:
        K, D = g["model/W"].shape
        W, b = g["model/W"][:], g["model/b"][:]
    with variant("margin_array") as f:
        set_attr(f["model"], "margin", np.ones(4096, "f4"))
    with variant("margin_nan") as f:
        set_attr(f["model"], "margin", np.float32("nan"))
    with variant("loss_array") as f:
        set_attr(f["model"], "loss", np.array([b"softmax"] * 4096))
    with variant("loss_unknown") as f:
        set_attr(f["model"], "loss", "hinge")
    with variant("input_array") as f:
        set_attr(f["model"], "input", np.zeros(4096, "i8"))
    with variant("classes_count") as f:
        set_attr(f["model"], "classes", np.array([b"a", b"b", b"c"]))
    with variant("w_nan") as f:
        w = W.copy()
        w[3, 17] = np.nan
        replace(f, "model/W", w)
    with variant("b_inf") as f:
        bb = b.copy()
        bb[4] = np.inf
        replace(f, "model/b", bb)
    with variant("mean_nan") as f:
        m = f["model/mean"][:]
        m[9] = np.nan
        replace(f, "model/mean", m)
    for tag, v in (("zero", 0.0), ("nan", np.nan), ("neg", -1.0), ("inf", np.inf), ("tiny", 1e-45)):
        with variant("scale_" + tag) as f:
            s = f["model/scale"][:]
            s[5] = v
            replace(f, "model/scale", s)
    with variant("w_transposed") as f:
        replace(f, "model/W", W.T.copy())
    with variant("w_3d") as f:
        replace(f, "model/W", W.reshape(K, 3, D // 3))
    with variant("w_string") as f:
        replace(f, "model/W", np.array([b"x"] * K))
    with variant("w_missing") as f:
        del f["model/W"]
    with variant("b_missing") as f:
        del f["model/b"]
    with variant("b_short") as f:
        replace(f, "model/b", b[:-1])
    with variant("scale_missing") as f:  # mean without scale
        del f["model/scale"]
    with variant("k_mismatch") as f:
        replace(f, "model/W", W[:5])
        replace(f, "model/b", b[:5])
        del f["model"].attrs["classes"]
    with variant("input_other") as f:  # same K and D, made for other inputs
        set_attr(f["model"], "input", "hog(cell=4)")
    with variant("w_unwritten") as f:  # 16 GB of fill values if it were read
        del f["model/W"]
        f.create_dataset("model/W", (256, 2**24), "f4", chunks=(1, 4096))
    with variant("config_val_array") as f:
        set_attr(f["config"], "val", np.arange(4096))
    # weights from another tool: W and b only (float64, as numpy makes them)
    with h5py.File(os.path.join(out, "weights_only.h5"), "w") as f:
        f["model/W"] = W.astype("f8")
        f["model/b"] = b.astype("f8")
    # the same with W stored [D, K] (numpy's X @ W convention), for a features model
    with h5py.File(os.path.join(out, "feat_w_transposed.h5"), "w") as f:
        f["model/W"] = np.zeros((20, K), "f4")
        f["model/b"] = np.zeros(K, "f4")
    with open(os.path.join(out, "empty.h5"), "wb"):
        pass

elif kind == "resume":
    with variant("step_negative") as f:
        set_attr(f["optim"], "step", np.int64(-1))
    with variant("step_huge") as f:
        set_attr(f["optim"], "step", np.int64(2**62))
    with variant("step_array") as f:
        set_attr(f["optim"], "step", np.arange(4096, dtype="i8"))
    with variant("epoch_wrong") as f:
        set_attr(f["optim"], "epoch", np.int64(f["optim"].attrs["epoch"] + 5))
    with variant("t_negative") as f:
        set_attr(f["optim"], "t", np.int64(-3))
    with variant("seed_array") as f:
        set_attr(f["optim"], "seed", np.arange(4096, dtype="u8"))
    with variant("kind_array") as f:
        set_attr(f["optim"], "kind", np.array([b"adam"] * 4096))
    with variant("s1_nan") as f:
        s = f["optim/s1"][:]
        s[2] = np.nan
        replace(f, "optim/s1", s)
    with variant("s2_negative") as f:
        s = f["optim/s2"][:]
        s[6] = -1.0
        replace(f, "optim/s2", s)
    with variant("s1_missing") as f:
        del f["optim/s1"]
    with variant("optim_missing") as f:
        del f["optim"]
    with variant("config_lambda_array") as f:
        set_attr(f["config"], "lambda", np.arange(4096))
    with variant("partial_huge") as f:  # the epoch in progress at a stop: more steps than the epoch has
        set_attr(f["history"], "partial_loss", np.float64(1.0))
        set_attr(f["history"], "partial_correct", np.float64(3.0))
        set_attr(f["history"], "partial_steps", np.int64(2**62))
    with variant("partial_array") as f:
        set_attr(f["history"], "partial_loss", np.ones(4096))
        set_attr(f["history"], "partial_correct", np.float64(3.0))
        set_attr(f["history"], "partial_steps", np.int64(1))
    with variant("history_short") as f:
        replace(f, "history/train_acc", f["history/train_acc"][:-1])

else:
    sys.exit(f"badfiles.py: unknown kind {kind}")
