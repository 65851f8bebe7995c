#!/usr/bin/python3
"""Pictures of lincls runs (PNG, matplotlib Agg backend).

Subcommands:
  history    loss and train/val accuracy per epoch, from a checkpoint's /history
             or a --metrics JSONL file
  weights    the learned weights W as one image template per class
  confusion  the confusion matrix from `lincls-mpi eval` (its JSON line)
  sweep      learning rate against lambda (log axes), coloured by validation
             accuracy, from a sweep's results.csv or its JSON line
  lr         loss per epoch of several runs (e.g. different --lr) on one plot
  centroids  train/validation/test accuracy against the number of bag-of-words
             centroids, from the JSON lines of `lincls-mpi train` runs

Every PNG has a fixed pixel size (--width/--height, default per subcommand), so
scripts and tests can rely on it. Runs with Debian's python3-h5py,
python3-matplotlib and python3-numpy; nothing else.
"""
import argparse
import csv
import json
import math
import os
import re
import sys

import numpy as np

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

DPI = 100
CIFAR10 = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


class PlotError(Exception):
    pass


# --- inputs --------------------------------------------------------------------

def _num(v):
    """A float from JSON/CSV/HDF5 (None, '', 'null', 'nan' -> nan)."""
    if v is None:
        return math.nan
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def _decode(s):
    if isinstance(s, bytes):
        return s.decode("utf-8", "replace")
    return str(s)


def json_lines(path):
    """Every JSON object line in a file ('-' = stdin); other lines are skipped."""
    try:
        fh = sys.stdin if path == "-" else open(path, encoding="utf-8")
    except OSError as e:
        raise PlotError("%s: %s" % (path, e.strerror))
    out = []
    with fh:
        for line in fh:
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict):
                out.append(obj)
    return out


def last_json_with(path, key):
    objs = [o for o in json_lines(path) if key in o]
    if not objs:
        raise PlotError("%s: no JSON line with \"%s\" (is it the stdout of the right command?)" % (path, key))
    return objs[-1]


def is_hdf5(path):
    try:
        with open(path, "rb") as fh:
            return fh.read(8) == b"\x89HDF\r\n\x1a\n"
    except OSError as e:
        raise PlotError("%s: %s" % (path, e.strerror))


def open_h5(path):
    import h5py
    try:
        return h5py.File(path, "r")
    except OSError as e:
        raise PlotError("%s: cannot open as HDF5 (%s)" % (path, e))


def read_history(path):
    """dict with epoch, loss, train_acc, val_acc, lr (numpy arrays) and a label."""
    cols = ("epoch", "loss", "train_acc", "val_acc", "lr")
    if is_hdf5(path):
        with open_h5(path) as f:
            if "history" not in f or "loss" not in f["history"]:
                raise PlotError("%s: no /history/loss (not a lincls checkpoint?)" % path)
            g = f["history"]
            n = g["loss"].shape[0]
            h = {c: (np.asarray(g[c][...], dtype=float) if c in g else np.full(n, np.nan)) for c in cols}
            if "epoch" not in g:
                h["epoch"] = np.arange(1, n + 1, dtype=float)
            h["model_loss"] = _decode(f["model"].attrs.get("loss", "")) if "model" in f else ""
            cfg = dict(f["config"].attrs) if "config" in f else {}
            h["config"] = {k: _decode(v) for k, v in cfg.items()}
    else:
        recs = [o for o in json_lines(path) if "epoch" in o and "loss" in o]
        if not recs:
            raise PlotError("%s: no per-epoch JSON lines with \"epoch\" and \"loss\"" % path)
        by_epoch = {}
        for o in recs:  # a resumed run appends: the last line for an epoch wins
            by_epoch[int(o["epoch"])] = o
        eps = sorted(by_epoch)
        h = {c: np.array([_num(by_epoch[e].get(c)) for e in eps]) for c in cols}
        h["model_loss"] = ""
        h["config"] = {}
    h["path"] = path
    return h


def model_classes(f, k):
    names = None
    if "model" in f and "classes" in f["model"].attrs:
        names = [_decode(c) for c in np.atleast_1d(f["model"].attrs["classes"])]
    elif "classes" in f:
        names = [_decode(c) for c in f["classes"][...]]
    if not names or len(names) != k:
        names = CIFAR10 if k == 10 else ["class %d" % i for i in range(k)]
    return names


# --- figure helpers ------------------------------------------------------------

def figure(args, nrows=1, ncols=1, **kw):
    fig, ax = plt.subplots(nrows, ncols, figsize=(args.width / DPI, args.height / DPI), dpi=DPI,
                           layout="constrained", **kw)
    return fig, ax


def save(fig, args):
    out = args.output
    d = os.path.dirname(out)
    if d and not os.path.isdir(d):
        raise PlotError("%s: folder %s does not exist" % (out, d))
    fig.savefig(out, dpi=DPI, format="png")  # no bbox_inches: the pixel size stays fixed
    plt.close(fig)
    print("wrote %s (%dx%d px)" % (out, args.width, args.height), file=sys.stderr)


def label_of(path, h=None):
    base = os.path.splitext(os.path.basename(path))[0]
    if h is not None and h.get("model_loss"):
        return "%s (%s)" % (base, h["model_loss"])
    return base


def fmt_lr(v):
    if not (v > 0):
        return str(v)
    e = int(math.floor(math.log10(v) + 1e-9))
    m = v / 10 ** e
    return ("10$^{%d}$" % e) if abs(m - 1) < 1e-6 else ("%g$\\times$10$^{%d}$" % (round(m, 3), e))


# --- subcommands ---------------------------------------------------------------

def cmd_history(args):
    hs = [read_history(p) for p in args.inputs]
    labels = args.labels or [label_of(p, h) for p, h in zip(args.inputs, hs)]
    if len(labels) != len(hs):
        raise PlotError("--labels: %d labels for %d inputs" % (len(labels), len(hs)))
    fig, (al, aa) = figure(args, 1, 2)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (h, lab) in enumerate(zip(hs, labels)):
        c = colors[i % len(colors)]
        al.plot(h["epoch"], h["loss"], "o-", color=c, ms=4, label=lab)
        aa.plot(h["epoch"], 100 * h["train_acc"], "o-", color=c, ms=4,
                label=("train" if len(hs) == 1 else "%s train" % lab))
        if np.isfinite(h["val_acc"]).any():
            aa.plot(h["epoch"], 100 * h["val_acc"], "s--", color=c, ms=4, mfc="white",
                    label=("validation" if len(hs) == 1 else "%s val" % lab))
    al.set(xlabel="epoch", ylabel="loss (data + regularization)",
           title="training loss (mean of the epoch's minibatches)")
    aa.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy")
    for a in (al, aa):
        a.grid(True, alpha=0.3)
        a.xaxis.get_major_locator().set_params(integer=True)
    if len(hs) > 1:
        al.legend(fontsize="small")
    aa.legend(fontsize="small")
    fig.suptitle(args.title or ("training history: " + ", ".join(labels)))
    save(fig, args)


def cmd_weights(args):
    with open_h5(args.checkpoint) as f:
        if "model" not in f or "W" not in f["model"]:
            raise PlotError("%s: no /model/W (not a lincls checkpoint?)" % args.checkpoint)
        W = np.asarray(f["model/W"][...], dtype=np.float64)
        K, D = W.shape
        scale = np.asarray(f["model/scale"][...], dtype=np.float64) if "scale" in f["model"] else np.ones(D)
        inp = _decode(f["model"].attrs.get("input", "images"))
        loss = _decode(f["model"].attrs.get("loss", ""))
        names = model_classes(f, K)
    if D != 3 * 32 * 32:
        raise PlotError("%s: W has %d columns, not 3x32x32 = 3072 pixels (input '%s'): "
                        "templates are only drawn for models trained on raw images" % (args.checkpoint, D, inp))
    # W acts on x' = (x - mean)/scale, so in pixel space the template is W/scale.
    T = W / scale[None, :] if not args.no_unscale else W
    ncols = min(args.cols, K)
    nrows = (K + ncols - 1) // ncols
    fig, axes = figure(args, nrows, ncols, squeeze=False)
    for k in range(nrows * ncols):
        ax = axes[k // ncols][k % ncols]
        ax.axis("off")
        if k >= K:
            continue
        img = T[k].reshape(3, 32, 32).transpose(1, 2, 0)  # planar R,G,B -> HWC
        lo, hi = img.min(), img.max()
        img = (img - lo) / (hi - lo) * 255.0 if hi > lo else np.zeros_like(img)
        ax.imshow(img.astype(np.uint8), interpolation="bicubic" if args.smooth else "nearest")
        ax.set_title(names[k], fontsize="medium")
    fig.suptitle(args.title or ("learned weights as class templates (%s%s)" %
                                (loss or "linear", ", W/scale, each rescaled to 0..255")))
    save(fig, args)


def cmd_confusion(args):
    obj = last_json_with(args.input, "confusion")
    C = np.asarray(obj["confusion"], dtype=float)
    if C.ndim != 2 or C.shape[0] != C.shape[1] or C.size == 0:
        raise PlotError("%s: \"confusion\" is not a square matrix" % args.input)
    K = C.shape[0]
    names = obj.get("classes")
    if args.model:
        with open_h5(args.model) as f:
            names = model_classes(f, K)
    if not names or len(names) != K:
        names = CIFAR10 if K == 10 else [str(i) for i in range(K)]
    rows = C.sum(axis=1, keepdims=True)
    R = np.divide(C, rows, out=np.zeros_like(C), where=rows > 0)
    fig, ax = figure(args)
    vmax = max(10.0, 10 * math.ceil(10 * R.max()))  # the largest cell sets the colour range
    im = ax.imshow(100 * R, cmap="Blues", vmin=0, vmax=vmax)
    cb = fig.colorbar(im, ax=ax, shrink=0.85)
    cb.set_label("% of the true class")
    for i in range(K):
        for j in range(K):
            txt = ("%d" % C[i, j]) if not args.percent else ("%.0f" % (100 * R[i, j]))
            ax.text(j, i, txt, ha="center", va="center", fontsize=8 if K <= 10 else 6,
                    color="white" if 100 * R[i, j] > 0.6 * vmax else "black")
    ax.set_xticks(range(K), names, rotation=45, ha="right")
    ax.set_yticks(range(K), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    acc = obj.get("accuracy")
    split = obj.get("split", "")
    t = "confusion matrix"
    if split:
        t += " (%s split)" % split
    if acc is not None:
        t += ", accuracy %.1f%%" % (100 * float(acc))
    ax.set_title(args.title or t)
    save(fig, args)


_LR_KEYS = ("lr", "learning_rate", "learning-rate", "eta")
_LAM_KEYS = ("lambda", "lam", "reg_strength", "reg", "l2", "weight_decay")
_ACC_KEYS = ("val_acc", "val_accuracy", "validation_acc", "accuracy", "acc")


def _pick(row, keys):
    low = {str(k).strip().lower(): v for k, v in row.items()}
    for k in keys:
        if k in low:
            v = _num(low[k])
            if not math.isnan(v):
                return v
    return math.nan


def _from_command(cmd, flag):
    m = re.search(r"--%s[ =]([^ ]+)" % re.escape(flag), cmd or "")
    return _num(m.group(1)) if m else math.nan


def read_trials(path):
    """A list of dicts with lr, lambda, val_acc (+ loss/optimizer when known)."""
    rows = []
    if path != "-" and not os.path.isfile(path):
        raise PlotError("%s: no such file" % path)
    sweep_line = None
    if not path.endswith(".csv"):
        objs = [o for o in json_lines(path) if "trials" in o]
        sweep_line = objs[-1] if objs else None
    if sweep_line is not None:
        rows = sweep_line["trials"]
        if not isinstance(rows, list):
            raise PlotError("%s: \"trials\" is not a list" % path)
    else:
        if path == "-":
            raise PlotError("stdin: no JSON line with \"trials\"")
        try:
            with open(path, newline="", encoding="utf-8") as fh:
                rows = list(csv.DictReader(fh))
        except OSError as e:
            raise PlotError("%s: %s" % (path, e.strerror))
        if not rows:
            raise PlotError("%s: no rows under a header line (and no sweep JSON line)" % path)
    out = []
    for r in rows:
        cmd = r.get("command", "")
        lr = _pick(r, _LR_KEYS)
        lam = _pick(r, _LAM_KEYS)
        if math.isnan(lr):
            lr = _from_command(cmd, "lr")
        if math.isnan(lam):
            lam = _from_command(cmd, "lambda")
        out.append({"lr": lr, "lambda": lam, "val_acc": _pick(r, _ACC_KEYS),
                    "loss": str(r.get("loss") or (re.search(r"--loss[ =](\w+)", cmd or "") or [None, ""])[1] or ""),
                    "optimizer": str(r.get("optimizer") or "")})
    return out


def cmd_sweep(args):
    trials = read_trials(args.input)
    ok = [t for t in trials if t["lr"] > 0 and t["lambda"] > 0 and not math.isnan(t["val_acc"])]
    dropped = len(trials) - len(ok)
    if not ok:
        raise PlotError("%s: no trial with a positive lr, a positive lambda and a validation accuracy "
                        "(columns lr, lambda, val_acc)" % args.input)
    if dropped:
        print("note: %d of %d trials left out (lambda or lr not positive, or no val_acc)" %
              (dropped, len(trials)), file=sys.stderr)
    lr = np.array([t["lr"] for t in ok])
    lam = np.array([t["lambda"] for t in ok])
    acc = 100 * np.array([t["val_acc"] for t in ok])
    losses = sorted({t["loss"] for t in ok})
    markers = dict(zip(losses, "osD^vP*X"))
    fig, ax = figure(args)
    vmin, vmax = np.nanmin(acc), np.nanmax(acc)
    if vmax - vmin < 1e-9:
        vmin, vmax = vmin - 1, vmax + 1
    sc = None
    for name in losses:
        m = np.array([t["loss"] == name for t in ok])
        sc = ax.scatter(lr[m], lam[m], c=acc[m], cmap="viridis", vmin=vmin, vmax=vmax, s=70,
                        marker=markers[name], edgecolors="k", linewidths=0.5,
                        label=(name if name else None))
    b = int(np.nanargmax(acc))
    ax.scatter([lr[b]], [lam[b]], s=350, facecolors="none", edgecolors="red", linewidths=2,
               label="best: %.1f%% (lr %.2g, $\\lambda$ %.2g)" % (acc[b], lr[b], lam[b]))
    ax.set_xscale("log")
    ax.set_yscale("log")
    cb = fig.colorbar(sc, ax=ax)
    cb.set_label("validation accuracy (%)")
    ax.set_xlabel("learning rate")
    ax.set_ylabel("regularization strength $\\lambda$")
    ax.grid(True, which="major", alpha=0.3)
    leg = ax.legend(fontsize="small", loc="best")
    handles = getattr(leg, "legend_handles", None) or getattr(leg, "legendHandles", [])
    for hnd, txt in zip(handles, leg.get_texts()):
        if not txt.get_text().startswith("best") and hasattr(hnd, "set_facecolor"):
            if hasattr(hnd, "set_array"):
                hnd.set_array(None)
            hnd.set_facecolor("0.6")  # marker = loss; colour is the accuracy, not the legend's business
    ax.set_title(args.title or "hyperparameter sweep: %d trials" % len(ok))
    save(fig, args)


def cmd_lr(args):
    hs = [read_history(p) for p in args.inputs]
    if args.labels and len(args.labels) != len(hs):
        raise PlotError("--labels: %d labels for %d inputs" % (len(args.labels), len(hs)))
    lrs = []
    for h in hs:
        v = h["lr"][np.isfinite(h["lr"])]
        lrs.append(float(v[0]) if v.size else math.nan)
    order = sorted(range(len(hs)), key=lambda i: (math.isnan(lrs[i]), lrs[i]))
    cmap = plt.get_cmap("plasma")
    fig, ax = figure(args)
    finite_all = []
    for rank, i in enumerate(order):
        h = hs[i]
        lab = args.labels[i] if args.labels else (
            "lr = %s" % fmt_lr(lrs[i]) if not math.isnan(lrs[i]) else label_of(args.inputs[i]))
        c = cmap(0.05 + 0.8 * rank / max(1, len(hs) - 1))
        y = h["loss"]
        ep = h["epoch"]
        if args.epoch0 is not None:
            ep = np.concatenate([[0], ep])
            y = np.concatenate([[args.epoch0], y])
        ax.plot(ep, y, "o-", color=c, ms=4, lw=2, label=lab)
        finite_all.extend(y[np.isfinite(y)].tolist())
        # a run that stopped on a non-finite loss: mark where it ended
        if len(h["loss"]) and not np.isfinite(h["loss"][-1]):
            ax.annotate("diverged", (ep[-1], np.nanmax(y)), color=c, fontsize="small")
    if args.log:
        ax.set_yscale("log")
    if args.ymax is not None:
        ax.set_ylim(top=args.ymax)
    elif finite_all and not args.log:
        lo, hi = min(finite_all), max(finite_all)
        cap = max(10 * np.median(finite_all), lo + 1e-9)  # a diverging run must not squash the rest
        ax.set_ylim(max(0, lo - 0.05 * (min(hi, cap) - lo)), min(hi, cap) * 1.05)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.grid(True, alpha=0.3)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(title="learning rate" if not args.labels else None)
    ax.set_title(args.title or "effect of the learning rate")
    save(fig, args)


def centroids_of(ckpt):
    """K of a bag-of-words model, from its input recipe "bow(K=...)"."""
    with open_h5(ckpt) as f:
        if "model" not in f:
            raise PlotError("%s: no /model (not a lincls checkpoint?)" % ckpt)
        inp = _decode(f["model"].attrs.get("input", ""))
    m = re.search(r"bow\(K=(\d+)", inp)
    if not m:
        raise PlotError("%s: input '%s' is not a bag of words" % (ckpt, inp))
    return int(m.group(1)), inp


def cmd_centroids(args):
    pts = []
    for path in args.inputs:
        obj = last_json_with(path, "test_acc")
        if obj.get("bench") == "bow-pipeline":  # scripts/bench-bow.sh --pipeline names its K
            pts.append((int(obj["centroids"]), _num(obj.get("train_acc")), _num(obj.get("val_acc")),
                        _num(obj.get("test_acc")), "bow(K=%d)" % int(obj["centroids"])))
            continue
        ck = obj.get("checkpoint") or ""
        if ck and not os.path.isabs(ck) and not os.path.exists(ck):
            ck = os.path.join(os.path.dirname(path), ck)
        if not ck or not os.path.exists(ck):
            raise PlotError("%s: its checkpoint '%s' is not there (train with --checkpoint; the number "
                            "of centroids is read from the model)" % (path, obj.get("checkpoint")))
        k, inp = centroids_of(ck)
        pts.append((k, _num(obj.get("train_acc")), _num(obj.get("val_acc")), _num(obj.get("test_acc")), inp))
    pts.sort()
    ks = np.array([p[0] for p in pts], dtype=float)
    fig, ax = figure(args)
    for col, name, style in ((1, "train", "o-"), (2, "validation", "s--"), (3, "test", "D-")):
        y = np.array([100 * p[col] for p in pts])
        if np.isfinite(y).any():
            ax.plot(ks, y, style, ms=6, lw=2, label=name)
            if col == 3:
                for k, v in zip(ks, y):
                    ax.annotate("%.1f%%" % v, (k, v), textcoords="offset points", xytext=(0, -16),
                                ha="center", fontsize="small")
    ax.set_xscale("log")
    ax.set_xticks(ks)
    ax.set_xticklabels(["%d" % k for k in ks])
    ax.minorticks_off()
    ax.set_xlabel("centroids K (visual words)")
    ax.set_ylabel("accuracy (%)")
    ax.grid(True, alpha=0.3)
    ax.legend()
    extra = {p[4].split("bow(", 1)[1].split(")", 1)[1] for p in pts if "bow(" in p[4]}
    ax.set_title(args.title or ("linear classifier on bag-of-words features" +
                                (" (+ %s)" % ", ".join(sorted(e.strip("+") for e in extra if e)) if any(extra) else "")))
    save(fig, args)


# --- command line --------------------------------------------------------------

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", metavar="SUBCOMMAND")
    sub.required = True

    def common(sp, w, h, out):
        sp.add_argument("-o", "--output", default=out, help="PNG file to write (default: %(default)s)")
        sp.add_argument("--width", type=int, default=w, help="width in pixels (default: %(default)s)")
        sp.add_argument("--height", type=int, default=h, help="height in pixels (default: %(default)s)")
        sp.add_argument("--title", default=None, help="figure title (default: made from the input)")

    s = sub.add_parser("history", help="loss and train/val accuracy per epoch",
                       description="Loss and train/validation accuracy per epoch from checkpoints "
                                   "(/history) or --metrics JSONL files; several inputs are overlaid. "
                                   "The trainer records one point per epoch (loss = mean minibatch "
                                   "loss of the epoch, with regularization).")
    s.add_argument("inputs", nargs="+", metavar="CKPT.h5|METRICS.jsonl")
    s.add_argument("--labels", nargs="+", help="one legend label per input")
    common(s, 1100, 450, "history.png")
    s.set_defaults(func=cmd_history)

    s = sub.add_parser("weights", help="the rows of W as 10 class templates",
                       description="Each row of /model/W reshaped to 3x32x32 (R, G, B planes), divided by "
                                   "/model/scale (W acts on (x - mean)/scale, so W/scale is the template "
                                   "in pixel space), rescaled to 0..255; titles from /model attrs classes.")
    s.add_argument("checkpoint", metavar="CKPT.h5")
    s.add_argument("--cols", type=int, default=5, help="templates per row (default: %(default)s)")
    s.add_argument("--no-unscale", action="store_true", help="draw W itself, not W/scale")
    s.add_argument("--smooth", action="store_true",
                   help="bicubic interpolation instead of the 32x32 pixels (a larger PNG)")
    common(s, 1000, 480, "weights.png")
    s.set_defaults(func=cmd_weights)

    s = sub.add_parser("confusion", help="confusion matrix from `lincls-mpi eval`",
                       description="Confusion matrix from the JSON line of `lincls-mpi eval` (a file with "
                                   "its stdout, or - for stdin; the last line with \"confusion\" is used). "
                                   "Cells show counts (or row percentages), colour = % of the true class.")
    s.add_argument("input", metavar="EVAL.json")
    s.add_argument("--model", metavar="CKPT.h5", help="take class names from this checkpoint")
    s.add_argument("--percent", action="store_true", help="write row percentages in the cells, not counts")
    common(s, 760, 640, "confusion.png")
    s.set_defaults(func=cmd_confusion)

    s = sub.add_parser("sweep", help="learning rate vs lambda coloured by validation accuracy",
                       description="Scatter of learning rate against lambda (log axes) coloured by validation "
                                   "accuracy, marker by loss. Input: a results.csv with a header (columns "
                                   "found by name: lr, lambda, val_acc, loss; others ignored) or a file with "
                                   "the sweep's JSON line (its \"trials\" list; lr and lambda are taken from "
                                   "each trial's keys or its \"command\"). Trials with lambda = 0 cannot be "
                                   "drawn on a log axis and are left out (with a note).")
    s.add_argument("input", metavar="results.csv|SWEEP.json")
    common(s, 800, 600, "sweep.png")
    s.set_defaults(func=cmd_sweep)

    s = sub.add_parser("lr", help="loss per epoch of runs with different learning rates",
                       description="Loss per epoch of several runs on one plot (as the lecture's learning-rate "
                                   "figure). Inputs: --metrics JSONL files or checkpoints; each curve is "
                                   "labelled with the run's first-epoch learning rate.")
    s.add_argument("inputs", nargs="+", metavar="METRICS.jsonl|CKPT.h5")
    s.add_argument("--labels", nargs="+", help="one legend label per input (instead of the learning rate)")
    s.add_argument("--log", action="store_true", help="logarithmic loss axis")
    s.add_argument("--ymax", type=float, help="upper limit of the loss axis (default: clip diverging runs)")
    s.add_argument("--epoch0", type=float, metavar="LOSS",
                   help="prepend this loss at epoch 0 (e.g. ln 10 = 2.3026 for softmax from zero weights)")
    common(s, 800, 550, "lr.png")
    s.set_defaults(func=cmd_lr)

    s = sub.add_parser("centroids", help="accuracy against the number of bag-of-words centroids",
                       description="Train/validation/test accuracy of bag-of-words models against their number "
                                   "of centroids (log axis). Inputs: files with the stdout of `lincls-mpi train` "
                                   "(the last JSON line is used); K is read from the input recipe of the "
                                   "checkpoint named in that line. The output of `scripts/bench-bow.sh "
                                   "--pipeline` (its JSON line names K) is taken as well.")
    s.add_argument("inputs", nargs="+", metavar="TRAIN.json")
    common(s, 800, 550, "centroids.png")
    s.set_defaults(func=cmd_centroids)

    args = p.parse_args(argv)
    if args.width < 100 or args.height < 100:
        p.error("--width and --height must be at least 100 pixels")
    try:
        args.func(args)
    except PlotError as e:
        print("plot.py %s: error: %s" % (args.cmd, e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
