#!/usr/bin/python3
"""Scaling model of lincls's gradient exchange (python3 + numpy).

  scripts/scaling-model.py                 fit, checks and cluster tables from the
                                           measurements committed beside this script
  scripts/scaling-model.py --markdown      the same as Markdown tables (README)
  scripts/scaling-model.py --measure [--data data/cifar10.h5] [--ranks 1,2,4,8]
                                           measure this machine afresh, rewrite the file
  scripts/scaling-model.py --count-check   bytes counted by Open MPI against the
                                           algorithm's count at 2 ranks (a test)

What is measured (tests/par/bench_reduce.c, through mpirun, scripts/mpienv.sh):
  - plain MPI_Allreduce (float, int32) of 8 B .. 64 MB and MPI_Allgather of up to
    64 MB in all; a local float add and copy (the tree's own work), at each rank count;
  - the two reductions of a training step for K x D = 10 x 3,072, 10 x 16,000 and
    1,000 x 3,072: the former tree sum (tests/par/treesum_ref.c, over V virtual shards) and the
    exact pattern (MPI_Allreduce of 2K+2 int64, then of K*D+K int32);
  - bytes per rank per step of both: from the algorithm, and counted by Open MPI's
    pml monitoring (every point-to-point message under the collectives);
  - `lincls-mpi train --epochs 1` at each rank count (time_rank0 breakdown).

The model (Hockney latency-bandwidth, with the collective algorithms of Thakur,
Rabenseifner & Gropp, 2005; the MPI is assumed to pick the cheapest):
  allreduce(n bytes)    = min( log2P (a + n b + add(n)),                    recursive doubling
                               2 log2P a + 2 (P-1)/P n b + add((P-1)/P n) )  Rabenseifner
  allgather(m per rank) = log2P a + (P-1) m b                     recursive doubling / Bruck
  tree(P)  = allgather(n) + adds x add(n) + copies x copy(n),  n = 4 (K D + K + 2) bytes,
             adds = V/P - 1 (local subtrees) + P - 1 (top of the tree), copies = P + 1
  exact(P) = allreduce(8 (2K+2)) + allreduce(4 (K D + K))       (a copy each at P = 1)
  step(P)  = compute per sample x samples per rank + update + reduction
a (latency) and b (seconds per byte) are fitted per rank count on this machine (more
ranks than cores share the cores, so they differ with P) to the fastest repeat of each
point, minimising the sum of |ln(model/measured)|; add(n) and copy(n), the local work,
are the measured times interpolated between sizes. A training run's reduction is the
tree when its JSON reports "vshards" (or says "reduction": "tree"), else the exact one.
"""
import argparse
import glob
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MEAS = HERE / "scaling-measurements.json"
SHAPES = [(10, 3072), (10, 16000), (1000, 3072)]
# A typical cluster network: 100 Gb/s InfiniBand EDR, one rank per node (each rank has
# the link to itself): about 1.5 us per message, 12 GB/s per rank.
CLUSTER = {"name": "100 Gb/s InfiniBand EDR", "alpha": 1.5e-6, "beta": 1 / 12e9}
SIZES = [8 * 8 ** k for k in range(8)] + [64 << 20]  # 8 B .. 16 MB by 8x, then 64 MB
ALLGATHER_TOTAL_MAX = 64 << 20
P_CLUSTER = [2 ** k for k in range(11)]  # 1 .. 1024


def log2c(p):
    return math.ceil(math.log2(p)) if p > 1 else 0


def lincls_vshards(p):
    """lincls's default V (8) or the job scripts' next power of two >= P."""
    v = 8
    while v < p:
        v *= 2
    return v


# ---------------------------------------------------------------- the model

class Net:
    """Latency a (s), seconds per byte b, and local add / copy times of n bytes
    (interpolated in log-log between measured sizes, linear beyond them)."""

    def __init__(self, alpha, beta, add, copy):
        self.alpha, self.beta = alpha, beta
        self._add, self._copy = add, copy  # (sizes, seconds), sorted by size

    @staticmethod
    def _interp(tab, n):
        if n <= 0:
            return 0.0
        x, y = tab
        if n <= x[0]:
            return y[0] * n / x[0]
        if n >= x[-1]:
            return y[-1] * n / x[-1]
        return float(np.exp(np.interp(math.log(n), np.log(x), np.log(y))))

    def add(self, n):
        return self._interp(self._add, n)

    def copy(self, n):
        return self._interp(self._copy, n)


def allreduce(p, n, net):
    """(seconds, bytes sent per rank) of the cheaper of recursive doubling and Rabenseifner."""
    if p == 1:
        return net.copy(n), 0.0  # the send buffer copied to the receive buffer
    L = log2c(p)
    a, b = net.alpha, net.beta
    rd = (L * (a + n * b) + L * net.add(n), L * n)
    rab = (2 * L * a + 2 * (p - 1) / p * n * b + net.add((p - 1) / p * n), 2 * (p - 1) / p * n)
    return min(rd, rab)


def allgather(p, m, net):
    if p == 1:
        return 0.0, 0.0
    return log2c(p) * net.alpha + (p - 1) * m * net.beta, (p - 1) * m


def tree_model(p, K, D, V, net):
    n = 4.0 * (K * D + K + 2)
    adds = (V // p - 1) + (p - 1)
    copies = p + 1
    t, by = allgather(p, n, net)
    return t + adds * net.add(n) + copies * net.copy(n), by


def exact_model(p, K, D, net):
    t1, b1 = allreduce(p, 8.0 * (2 * K + 2), net)
    t2, b2 = allreduce(p, 4.0 * (K * D + K), net)
    return t1 + t2, b1 + b2


# ---------------------------------------------------------------- measuring

def build_dir():
    return Path(os.environ.get("LINCLS_BUILD", ROOT / "build"))


def mpirun(np_, args, env_extra=None, check=True):
    """Runs `mpirun -np N args` with scripts/mpienv.sh; returns the JSON lines of stdout."""
    env = dict(os.environ)
    env.update(env_extra or {})
    cmd = ["bash", "-c", 'source "$0"; exec mpirun "$@"', str(ROOT / "scripts" / "mpienv.sh"),
           "-np", str(np_)] + [str(x) for x in args]
    r = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if check and r.returncode != 0:
        sys.exit(f"scaling-model: {' '.join(cmd[4:])} failed ({r.returncode}):\n{r.stderr[-2000:]}")
    out = []
    for line in r.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    return out


def monitoring_available():
    ompi_info = shutil.which("ompi_info")
    if not ompi_info:
        return False
    r = subprocess.run([ompi_info], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return re.search(r"MCA pml: monitoring", r.stdout) is not None


def count_bytes(bench, np_, args, calls=3):
    """Bytes per call (busiest rank: sent, received) counted by Open MPI's pml monitoring.

    Two runs, N and 2N calls, so whatever MPI_Init/Finalize send cancels out."""
    if np_ == 1:
        return 0, 0
    totals = []
    for n in (calls, 2 * calls):
        with tempfile.TemporaryDirectory(prefix="lincls-bytes-") as tmp:
            env = {"OMPI_MCA_pml_monitoring_enable": "1", "OMPI_MCA_pml_monitoring_enable_output": "3",
                   "OMPI_MCA_pml_monitoring_filename": os.path.join(tmp, "prof")}
            mpirun(np_, [bench] + args + ["--calls", n], env)
            sent = [0] * np_
            recv = [0] * np_
            files = glob.glob(os.path.join(tmp, "prof.*.prof"))
            if len(files) != np_:
                return None
            for f in files:
                for line in open(f):
                    m = re.match(r"^[EI]\t(\d+)\t(\d+)\t(\d+) bytes", line)
                    if m:
                        s, d, by = int(m.group(1)), int(m.group(2)), int(m.group(3))
                        if s != d:
                            sent[s] += by
                            recv[d] += by
            totals.append((sent, recv))
    (s1, r1), (s2, r2) = totals
    ds = [(b - a) / calls for a, b in zip(s1, s2)]
    dr = [(b - a) / calls for a, b in zip(r1, r2)]
    return int(round(max(ds))), int(round(max(dr)))


def reduction_kind(res):
    """Which reduction a training result used: its own word if it says, else tree when it has V."""
    kind = res.get("reduction")
    if kind in ("tree", "exact"):
        return kind
    return "tree" if res.get("vshards") else "exact"


def recorded_command():
    """This command line as it goes into the file, the dataset named data/<its file name>."""
    words, prev = ["scripts/scaling-model.py"], None
    for w in sys.argv[1:]:
        if prev == "--data" and w:
            w = "data/" + os.path.basename(w)
        elif w.startswith("--data="):
            w = "--data=data/" + os.path.basename(w[7:])
        words.append(w)
        prev = w
    return " ".join(words)


def measure(args):
    bench = build_dir() / "tests" / "bench_reduce"
    lincls = build_dir() / "lincls-mpi"
    for exe in (bench, lincls):
        if not os.access(exe, os.X_OK):
            sys.exit(f"scaling-model: {exe} not built (scripts/setup.sh)")
    if not shutil.which("mpirun"):
        sys.exit("scaling-model: mpirun not found")
    ranks = [int(x) for x in args.ranks.split(",")]
    if args.data and not os.path.exists(args.data):
        sys.exit(f"scaling-model: --data {args.data} not found (get it with scripts/get-cifar10.sh, "
                 "or --data '' to measure without training runs)")
    counting = monitoring_available()
    load0 = os.getloadavg()
    t_start = time.time()
    ver = subprocess.run(["mpirun", "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    out = {
        "machine": {"cores": os.cpu_count(), "cpu": cpu, "mpi": ver.stdout.splitlines()[0] if ver.stdout else "",
                    "system": platform.platform(), "loadavg_start": load0},
        "when": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "command": recorded_command(),
        "sweep": [], "pattern": [], "train": [],
    }
    say = (lambda *a: print(*a, file=sys.stderr, flush=True))
    for p in ranks:
        say(f"measure: {p} rank(s): sweep")
        ag_sizes = [s for s in SIZES if s * p <= ALLGATHER_TOTAL_MAX]
        for op, sizes in (("allreduce_float", SIZES), ("allreduce_int32", SIZES[3:]),
                          ("allgather_float", ag_sizes), ("add_float", SIZES[3:]), ("copy_float", SIZES[3:])):
            out["sweep"] += mpirun(p, [bench, "sweep", "--op", op, "--bytes", ",".join(map(str, sizes)),
                                       "--budget", args.budget, "--min-repeats", 3])
        for K, D in SHAPES:
            say(f"measure: {p} rank(s): reductions for K={K} D={D}")
            for what in ("tree", "exact"):
                common = ["pattern", "--K", K, "--D", D, "--only", what]
                rec = mpirun(p, [bench] + common + ["--budget", args.budget])[0]
                rec["sent_counted"] = rec["recv_counted"] = None
                if counting:
                    c = count_bytes(bench, p, common)
                    if c:
                        rec["sent_counted"], rec["recv_counted"] = c
                out["pattern"].append(rec)
    if args.data:
        for rep in range(args.train_repeats):  # rank counts interleaved: other work spreads over all
            for p in ranks:
                say(f"measure: {p} rank(s): training run {rep + 1}/{args.train_repeats}")
                extra = ["--max-steps", str(args.max_steps)] if args.max_steps else ["--epochs", "1"]
                res = mpirun(p, [lincls, "train", "--data", args.data, "--quiet", "--no-test"] + extra)
                if not res:
                    sys.exit("scaling-model: the training run printed no JSON")
                r = res[-1]
                keep = {k: r.get(k) for k in ("ranks", "steps", "batch", "seconds", "vshards", "reduction",
                                              "time_rank0")}
                keep["reduction"] = reduction_kind(r)
                out["train"].append(keep)
    out["machine"]["loadavg_end"] = os.getloadavg()
    out["machine"]["seconds"] = round(time.time() - t_start, 1)
    dest = Path(args.out)
    dest.write_text(json.dumps(out, indent=1) + "\n")
    say(f"measure: wrote {dest} in {out['machine']['seconds']} s")


def count_check(args):
    """At 2 ranks on a tiny shape: bytes counted by Open MPI equal the algorithm's count."""
    bench = build_dir() / "tests" / "bench_reduce"
    if not monitoring_available():
        print("count-check: Open MPI's pml monitoring is not available: skipped")
        return 77
    bad = 0
    for what in ("tree", "exact"):
        common = ["pattern", "--K", 3, "--D", 50, "--only", what]
        rec = mpirun(2, [bench] + common + ["--calls", "1"])[0]
        counted = count_bytes(bench, 2, common)
        ok = counted == (rec["sent_model"], rec["recv_model"])
        bad += not ok
        print(f"count-check: {what}: model sent/recv {rec['sent_model']}/{rec['recv_model']} bytes, "
              f"counted {counted}: {'ok' if ok else 'MISMATCH'}")
    return 1 if bad else 0


# ---------------------------------------------------------------- fitting

def fit_alpha_beta(points, p, add):
    """a, b minimising the sum of |ln(model / measured)| (robust to a few outliers:
    algorithm switches and other work on the cores), by a grid search refined
    three times. Returns a, b, the median and the largest relative error."""
    L = log2c(p)
    pts = [(op, float(n), float(t), add(n), add((p - 1) / p * n)) for op, n, t in points]

    def model(A, B, op, n, g_full, g_part):
        if op == "allgather":
            return L * A + (p - 1) * n * B
        return np.minimum(L * (A + n * B) + L * g_full, 2 * L * A + 2 * (p - 1) / p * n * B + g_part)

    def err(A, B):
        e = np.zeros_like(A)
        for op, n, t, gf, gp in pts:
            e += np.abs(np.log(model(A, B, op, n, gf, gp)) - math.log(t))
        return e

    la, lb = np.linspace(-8, -2, 241), np.linspace(-12, -6, 241)
    for _ in range(3):
        A, B = np.meshgrid(10 ** la, 10 ** lb, indexing="ij")
        E = err(A, B)
        i, j = np.unravel_index(np.argmin(E), E.shape)
        best = (float(A[i, j]), float(B[i, j]))
        da, db = la[1] - la[0], lb[1] - lb[0]
        la = np.linspace(la[i] - 2 * da, la[i] + 2 * da, 81)
        lb = np.linspace(lb[j] - 2 * db, lb[j] + 2 * db, 81)
    a, b = best
    rel = [abs(float(model(a, b, op, n, gf, gp)) / t - 1) for op, n, t, gf, gp in pts]
    return a, b, float(np.median(rel)), max(rel)


def fit(meas, stat="min_s"):
    """Per rank count: a Net fitted to the sweep (by default to the fastest repeat of
    each point, the least disturbed by other work on a shared machine), and its errors."""
    sw = meas["sweep"]
    ranks = sorted({r["ranks"] for r in sw})
    par = {}
    for p in ranks:
        def table(what):
            rows = sorted((r["bytes"], r[stat]) for r in sw if r["ranks"] == p and r["what"] == what)
            return (np.array([x for x, _ in rows], float), np.array([y for _, y in rows], float)) if rows else None
        add, copy = table("add_float"), table("copy_float")
        copy = copy or add
        net = Net(0.0, 0.0, add, copy)
        pts = [("allreduce" if r["what"] == "allreduce_float" else "allgather", r["bytes"], r[stat])
               for r in sw if r["ranks"] == p and p > 1 and r["what"] in ("allreduce_float", "allgather_float")]
        entry = {"net": net, "points": len(pts)}
        if pts:
            net.alpha, net.beta, entry["med_err"], entry["max_err"] = fit_alpha_beta(pts, p, net.add)
        par[p] = entry
    return par


# ---------------------------------------------------------------- reporting

def fmt_t(s):
    if s is None or not math.isfinite(s):
        return "-"
    if s < 1e-3:
        return f"{s * 1e6:.1f} us" if s < 1e-4 else f"{s * 1e6:.0f} us"
    if s < 1:
        return f"{s * 1e3:.2f} ms" if s < 1e-2 else f"{s * 1e3:.1f} ms"
    return f"{s:.2f} s"


def fmt_b(n):
    if n is None:
        return "-"
    n = float(n)
    for unit, k in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= k:
            return f"{n / k:.3g} {unit}"
    return f"{n:.0f} B"


class Out:
    """Plain text or Markdown tables."""

    def __init__(self, md):
        self.md = md

    def title(self, s):
        print(f"\n{'#### ' if self.md else ''}{s}\n" if self.md else f"\n{s}\n{'-' * len(s)}")

    def note(self, s):
        print(s)

    def table(self, head, rows):
        if self.md:
            print("| " + " | ".join(head) + " |")
            print("|" + "|".join("---" if i == 0 else "---:" for i in range(len(head))) + "|")
            for r in rows:
                print("| " + " | ".join(r) + " |")
        else:
            w = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(head)]
            print("  ".join(h.rjust(w[i]) for i, h in enumerate(head)))
            for r in rows:
                print("  ".join(c.rjust(w[i]) for i, c in enumerate(r)))
        print()


def train_summary(meas):
    """Per rank count, the fastest run's seconds per step: compute (gather + GEMMs, or
    whatever a build reports besides the reduction, update and evaluation), reduction
    (every time_rank0 entry named *reduce*), the rest of the step (update and any other
    entry), and which reduction the run used."""
    by = {}
    for r in meas.get("train", []):
        tr = {k: float(v) for k, v in (r.get("time_rank0") or {}).items() if isinstance(v, (int, float))}
        steps = r.get("steps") or 0
        if not steps:
            continue
        red = sum(v for k, v in tr.items() if "reduce" in k)
        total = sum(v for k, v in tr.items() if k != "eval")
        if "gather" in tr and "gemm" in tr:
            comp = tr["gather"] + tr["gemm"]
        else:
            comp = sum(v for k, v in tr.items() if "reduce" not in k and k not in ("update", "eval"))
        by.setdefault(r["ranks"], []).append(
            dict(comp=comp / steps, red=red / steps, upd=(total - comp - red) / steps, batch=r.get("batch") or 256,
                 kind=r.get("reduction") or reduction_kind(r), gather=tr.get("gather", comp) / steps,
                 gemm=tr.get("gemm", 0.0) / steps))
    s = {}
    for p, lst in by.items():  # the fastest run: the least disturbed by other work
        s[p] = dict(min(lst, key=lambda x: x["comp"] + x["red"] + x["upd"]), runs=len(lst))
    return s


def pct(x):
    return f"{100 * x:.0f}%" if x >= 0.01 else f"{100 * x:.1f}%" if x >= 0.001 else "<0.1%"


def find(pat, what, p, K, D):
    return next((r for r in pat if r["what"] == what and r["ranks"] == p and r["K"] == K and r["D"] == D), None)


def rate(t, n):
    return f"{n / t / 1e9:.1f} GB/s" if t > 0 else "-"


def report(meas, md, weak):
    o = Out(md)
    mach = meas["machine"]
    cores = mach.get("cores") or 2
    par = fit(meas)
    ranks = sorted(par)
    over = [p for p in ranks if p > cores]
    load = f"load average {mach['loadavg_start'][0]:.1f} at the start, {mach['loadavg_end'][0]:.1f} at the end"
    if md:
        o.note(f"Measured {meas['when'][:10]} on {cores} cores ({mach['cpu']}, {mach['mpi']}), shared with other "
               f"work ({load}): contended, to be measured again on a quiet machine"
               + (f"; {', '.join(map(str, over))} ranks share the {cores} cores (oversubscribed)" if over else "")
               + f". Made by `{meas['command'].strip()}`.")
    else:
        print(f"Measurements: {meas['when']}, {mach['cpu']}, {cores} cores, {mach['mpi']}")
        print(f"  made by: {meas['command'].strip()} ({mach.get('seconds', '?')} s; {load})")
        if over:
            print(f"  {', '.join(map(str, over))} ranks share the {cores} cores (oversubscribed)")

    pat = meas["pattern"]
    o.title("The reduction of one training step, measured (tests/bench_reduce)")
    o.note("Time: median over repeats (fastest in brackets), the slowest rank's. Bytes: per rank per step, "
           "sent (= received), from the algorithm / as counted by Open MPI's pml monitoring. "
           "Tree: the former reduction, a tree sum over V = max(8, P) virtual shards (all-gather of subtree sums); "
           "exact: MPI_Allreduce of 2K+2 int64 and of K·D+K int32.\n")
    rows = []
    for K, D in SHAPES:
        for p in ranks:
            t, e = find(pat, "tree", p, K, D), find(pat, "exact", p, K, D)
            if not t or not e:
                continue
            cnt = (lambda r: "-" if r.get("recv_counted") is None else fmt_b(r["recv_counted"]))
            rows.append([f"{K:,} x {D:,}", str(p),
                         f"{fmt_t(t['median_s'])} ({fmt_t(t['min_s'])})", f"{fmt_b(t['recv_model'])} / {cnt(t)}",
                         f"{fmt_t(e['median_s'])} ({fmt_t(e['min_s'])})", f"{fmt_b(e['recv_model'])} / {cnt(e)}"])
    o.table(["K x D", "P", "tree: time", "tree: bytes", "exact: time", "exact: bytes"], rows)

    o.title("Fit of this machine's MPI")
    o.note("Per rank count, to the fastest repeat of MPI_Allreduce (float) and MPI_Allgather of 8 B .. 64 MB: "
           "latency a and bandwidth 1/b of the collective formulas above; local add and copy rates "
           "(bytes of one vector per second) at 256 kB and 16 MB. Error: median and largest |model/measured - 1|.\n")
    rows = []
    for p in ranks:
        q = par[p]
        net = q["net"]
        rows.append([str(p), fmt_t(net.alpha) if q["points"] else "-",
                     f"{1 / net.beta / 1e9:.2f} GB/s" if q["points"] and net.beta else "-",
                     f"{rate(net.add(256e3), 256e3)}, {rate(net.add(16e6), 16e6)}",
                     f"{rate(net.copy(256e3), 256e3)}, {rate(net.copy(16e6), 16e6)}",
                     f"{100 * q['med_err']:.0f}%, {100 * q['max_err']:.0f}%" if q["points"] else "-", str(q["points"])])
    o.table(["P", "a", "1/b", "add", "copy", "error", "points"], rows)

    o.title("Check: the model against the measured reductions")
    o.note("Model with the fit above; measured: the fastest repeat.\n")
    rows = []
    for K, D in SHAPES:
        for p in ranks:
            net = par[p]["net"]
            cells = [f"{K:,} x {D:,}", str(p)]
            for what in ("tree", "exact"):
                r = find(pat, what, p, K, D)
                if not r:
                    cells += ["-", "-", "-"]
                    continue
                pred = tree_model(p, K, D, r["vshards"], net)[0] if what == "tree" else exact_model(p, K, D, net)[0]
                cells += [fmt_t(pred), fmt_t(r["min_s"]), f"{pred / r['min_s']:.2f}"]
            rows.append(cells)
    o.table(["K x D", "P", "tree: model", "measured", "ratio", "exact: model", "measured", "ratio"], rows)

    ts = train_summary(meas)
    c1 = ts.get(1)
    if c1:
        B = c1["batch"]
        per_sample = c1["comp"] / B
        o.title("Check: the model against measured training steps (lincls-mpi train, 10 x 3,072)")
        o.note(f"Seconds per step from time_rank0 of the fastest run. Model: compute per sample "
               f"{fmt_t(per_sample)} (gather + GEMMs, 1 rank) x B/min(P, {cores} cores), update "
               f"{fmt_t(c1['upd'])} x max(1, P/{cores}), plus the reduction the run used "
               f"(the tree for a build that reports V, else the exact one).\n")
        rows = []
        for p in sorted(ts):
            s_, q = ts[p], par.get(p)
            if not q:
                continue
            net = q["net"]
            comp = per_sample * B / min(p, cores)
            upd = c1["upd"] * max(1.0, p / cores)
            if s_["kind"] == "tree":
                red = tree_model(p, 10, 3072, lincls_vshards(p), net)[0]
            else:
                red = exact_model(p, 10, 3072, net)[0]
            pred, got = comp + upd + red, s_["comp"] + s_["red"] + s_["upd"]
            rows.append([str(p), "tree" if s_["kind"] == "tree" else "exact", str(s_["runs"]),
                         fmt_t(comp), fmt_t(s_["comp"]), fmt_t(red), fmt_t(s_["red"]),
                         fmt_t(pred), fmt_t(got), f"{pred / got:.2f}"])
        o.table(["P", "reduction", "runs", "compute: model", "measured", "reduction: model", "measured",
                 "step: model", "measured", "ratio"], rows)
        gat, gem, upd1 = c1["gather"] / B, c1["gemm"] / B, c1["upd"]
        if gem == 0:  # a build without the gather / gemm split
            gat = gem = per_sample / 2
    else:
        B = 256
        gat = gem = upd1 = None

    # ---- a cluster
    base = par[1]["net"] if 1 in par else par[ranks[0]]["net"]
    net = Net(CLUSTER["alpha"], CLUSTER["beta"], base._add, base._copy)
    o.title(f"Predicted on a cluster: {CLUSTER['name']}")
    if gat is None:
        o.note("(no training runs in the measurements: no compute rate, no cluster prediction)")
        return
    o.note(f"Network: latency a = {CLUSTER['alpha'] * 1e6:g} us, 1/b = {1 / CLUSTER['beta'] / 1e9:g} GB/s per rank "
           f"(one rank per node), the cheaper of recursive doubling and Rabenseifner for each allreduce. "
           f"Local adds and copies, compute and update as measured here at 1 rank: compute per sample "
           f"{fmt_t(gat)} x D/3,072 (gather) + {fmt_t(gem)} x K·D/30,720 (GEMMs), update {fmt_t(upd1)} x K·D/30,720 "
           f"per step. Strong scaling: global batch {B}, the busiest rank has ceil({B}/P) samples; efficiency "
           f"T(1) / (P·T(P)). Weak scaling: {weak} samples per rank; efficiency T(1) / T(P). "
           f"The former tree with V = max(8, P); bytes: sent per rank per step.\n")
    for K, D in SHAPES:
        cps = gat * D / 3072 + gem * K * D / 30720
        upd = upd1 * K * D / 30720

        def step(p, per_rank, kind):
            red, by = (tree_model(p, K, D, lincls_vshards(p), net) if kind == "tree" else exact_model(p, K, D, net))
            return cps * per_rank + upd + red, by

        t1 = {k: step(1, B, k)[0] for k in ("tree", "exact")}
        w1 = {k: step(1, weak, k)[0] for k in ("tree", "exact")}
        rows = []
        for p in P_CLUSTER:
            st = {k: step(p, math.ceil(B / p), k) for k in ("tree", "exact")}
            wk = {k: step(p, weak, k) for k in ("tree", "exact")}
            cells = [f"{p:,}", fmt_b(st["tree"][1]), fmt_b(st["exact"][1])]
            cells += [f"{fmt_t(st[k][0])} ({pct(t1[k] / (p * st[k][0]))})" for k in ("tree", "exact")]
            cells += [f"{fmt_t(wk[k][0])} ({pct(w1[k] / wk[k][0])})" for k in ("tree", "exact")]
            rows.append(cells)
        o.title(f"{K:,} x {D:,}: predicted step time (efficiency)")
        o.table(["P", "bytes tree", "bytes exact", "strong: tree", "strong: exact", "weak: tree", "weak: exact"], rows)
        o.note(f"The former tree also holds 2·P·(K·D+K+2)·4 bytes of buffers on every rank: "
               f"{fmt_b(2 * 1024 * 4 * (K * D + K + 2))} at P = 1,024.\n")


def main():
    global args_weak
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--measure", action="store_true", help="measure this machine and rewrite the measurements file")
    ap.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
    ap.add_argument("--count-check", action="store_true", help="counted bytes against the model at 2 ranks (a test)")
    ap.add_argument("--ranks", default="1,2,4,8", help="rank counts to measure (default 1,2,4,8)")
    ap.add_argument("--data", default=str(ROOT / "data" / "cifar10.h5"),
                    help="dataset for the training runs ('' to skip them); default data/cifar10.h5")
    ap.add_argument("--train-repeats", type=int, default=3, help="training runs per rank count (default 3)")
    ap.add_argument("--max-steps", type=int, default=0, help="training steps per run (default: one epoch)")
    ap.add_argument("--budget", default="0.5", help="seconds of repeats per microbenchmark point (default 0.5)")
    ap.add_argument("--weak-batch", type=int, default=256, help="samples per rank for weak scaling (default 256)")
    ap.add_argument("--file", default=str(MEAS), help="measurements file (default: the committed one)")
    args = ap.parse_args()
    if args.count_check:
        return count_check(args)
    if args.measure:
        args.out = args.file
        measure(args)
    try:
        meas = json.loads(Path(args.file).read_text())
    except (OSError, ValueError) as e:
        sys.exit(f"scaling-model: cannot read {args.file}: {e} (make it with --measure)")
    report(meas, args.markdown, args.weak_batch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
