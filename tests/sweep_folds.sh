#!/usr/bin/env bash
# sweep --folds 3: every trial trains its 3 folds (the fold arithmetic is
# checked in test_search folds), the trial's val_acc is their mean, and the
# result is the same with 1 and 2 groups. --halving: rung 0 runs every trial
# at the shortest budget, the last rung only the survivors at --epochs.
source "$(dirname "$0")/train_lib.sh"
testdir sweep_folds
common=(sweep --data ../fake.h5 --folds 3 --trials 3 --epochs 1 --batches 32,64 --quiet)
mpi 2 "${common[@]}" --groups 2 --out f2 > f2.out || fail "sweep --folds 3, 2 groups"
mpi 1 "${common[@]}" --groups 1 --out f1 > f1.out || fail "sweep --folds 3, 1 group"
[[ $(grep -c '^[0-9]' f2/results.csv) -eq 9 ]] || fail "expected 9 rows (3 trials x 3 folds)"
for t in 0 1 2; do
    folds=$(awk -F, -v t="$t" '$1 == t { print $2 }' f2/results.csv | sort | tr '\n' ' ')
    [[ $folds == "0 1 2 " ]] || fail "trial $t ran folds '$folds'"
done
python3 - f2.out f2/results.csv <<'PY' || fail "fold means"
import csv, json, sys
res = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
rows = list(csv.DictReader(open(sys.argv[2])))
for t in res["trials"]:
    accs = [float(r["val_acc"]) for r in rows if int(r["trial"]) == t["trial"]]
    assert len(accs) == 3 and t["folds"] == 3, t
    assert abs(sum(accs) / 3 - t["val_acc"]) < 1e-12, (accs, t["val_acc"])
    assert "--folds 3 --fold 0" in t["command"] and "--val 0" in t["command"], t["command"]
print("fold means ok:", [round(t["val_acc"], 4) for t in res["trials"]])
PY
cut -d, -f1,2,10-12 f1/results.csv | sort > f1.cols
cut -d, -f1,2,10-12 f2/results.csv | sort > f2.cols
diff f1.cols f2.cols >/dev/null || fail "folds: 1 and 2 groups differ"
echo "ok: 3 folds per trial, mean val_acc, same with 1 and 2 groups"

mpi 2 sweep --data ../fake.h5 --val 40 --trials 4 --epochs 4 --batches 32 --groups 2 --halving --quiet --out h > h.out \
    || fail "sweep --halving"
python3 - h.out h/results.csv <<'PY' || fail "halving"
import csv, json, sys
res = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
rows = list(csv.DictReader(open(sys.argv[2])))
per_rung = {}
for r in rows:
    per_rung.setdefault(int(r["rung"]), []).append((int(r["trial"]), int(r["epochs"])))
# 4 trials: rungs of 4, 2, 1 trials at 1, 2, 4 epochs
assert [len(per_rung[k]) for k in sorted(per_rung)] == [4, 2, 1], per_rung
assert [per_rung[k][0][1] for k in sorted(per_rung)] == [1, 2, 4], per_rung
assert res["best"]["epochs"] == 4 and res["best"]["rung"] == 2, res["best"]
print("halving ok:", per_rung)
PY
echo "ok: successive halving ran rungs of 4, 2, 1 trials"
