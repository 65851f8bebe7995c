#!/usr/bin/env python3
"""Merge the per-task results of jobs/sweep-array.sbatch and rank them by val_acc.

Ties in val_acc are broken by the lower final_loss.

Reads DIR/trial-*.json (one JSON object per file, as the array tasks write them:
{"trial", "job", "lr", "lambda", "ranks", "command", "result": {...}}; a bare
lincls-mpi train result object is accepted too), writes a CSV table sorted by
validation accuracy (best first) and prints it.

Standard library only.
"""
import argparse
import csv
import glob
import json
import math
import os
import re
import sys

# Columns of the table, in order; taken from the trial record or its result.
COLUMNS = ["rank", "trial", "lr", "lambda", "val_acc", "train_acc", "test_acc",
           "final_loss", "epochs", "seconds", "ranks", "job", "command"]


def load(path):
    with open(path, encoding="utf-8") as f:
        rec = json.load(f)
    if not isinstance(rec, dict):
        raise ValueError("not a JSON object")
    res = rec.get("result", rec)
    if not isinstance(res, dict):
        raise ValueError("'result' is not a JSON object")
    row = {}
    for key in COLUMNS:
        if key in rec and key != "result":
            row[key] = rec[key]
        elif key in res:
            row[key] = res[key]
    if "trial" not in row:
        m = re.search(r"trial-(\d+)\.json$", path)
        row["trial"] = int(m.group(1)) if m else None
    if "val_acc" not in row:
        raise ValueError("no val_acc")
    return row


def num(v):
    """v as a float, or None when it is not a finite number."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return None if math.isnan(v) or math.isinf(v) else float(v)


def sort_key(row):
    """Best first: highest val_acc, ties broken by lowest final_loss, then trial."""
    acc, loss = num(row.get("val_acc")), num(row.get("final_loss"))
    return (acc is None, -(acc or 0.0), loss is None, loss or 0.0, row.get("trial") or 0)


def fmt(v):
    if isinstance(v, float):
        return "%.6g" % v
    return "" if v is None else str(v)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir", help="directory holding trial-*.json (LINCLS_OUT of the sweep)")
    ap.add_argument("--csv", help="CSV to write [DIR/sweep.csv]")
    ap.add_argument("--top", type=int, default=0, help="print only the best N rows [all]")
    ap.add_argument("--expect", type=int, default=0,
                    help="number of trials the array had; missing ones are listed and "
                         "make the exit status 1")
    a = ap.parse_args(argv)

    files = sorted(glob.glob(os.path.join(a.dir, "trial-*.json")))
    rows, bad = [], []
    for p in files:
        try:
            rows.append(load(p))
        except (OSError, ValueError) as e:
            bad.append("%s: %s" % (p, e))
    for msg in bad:
        print("collect-sweep: skipping %s" % msg, file=sys.stderr)
    if not rows:
        print("collect-sweep: error: no readable trial-*.json in %s" % a.dir, file=sys.stderr)
        return 1

    rows.sort(key=sort_key)
    for i, r in enumerate(rows, 1):
        r["rank"] = i

    out = a.csv or os.path.join(a.dir, "sweep.csv")
    tmp = out + ".tmp"
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for r in rows:
            w.writerow([fmt(r.get(c)) for c in COLUMNS])
    os.replace(tmp, out)

    shown = [c for c in COLUMNS if c not in ("command", "job")]
    table = [shown] + [[fmt(r.get(c)) for c in shown]
                       for r in (rows[:a.top] if a.top > 0 else rows)]
    widths = [max(len(t[i]) for t in table) for i in range(len(shown))]
    for j, t in enumerate(table):
        print("  ".join(s.rjust(wd) for s, wd in zip(t, widths)))
        if j == 0:
            print("  ".join("-" * wd for wd in widths))
    best = rows[0]
    print("\n%d trials; best: trial %s, val_acc %s (lr %s, lambda %s)"
          % (len(rows), fmt(best.get("trial")), fmt(best.get("val_acc")),
             fmt(best.get("lr")), fmt(best.get("lambda"))))
    if best.get("command"):
        print("rerun the best: %s" % best["command"])
    print("table: %s" % out)

    status = 0
    if a.expect:
        have = {r.get("trial") for r in rows}
        missing = [i for i in range(a.expect) if i not in have]
        if missing:
            print("collect-sweep: missing trials: %s" % " ".join(map(str, missing)),
                  file=sys.stderr)
            status = 1
    if bad:
        status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
