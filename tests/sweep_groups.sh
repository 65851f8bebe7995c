#!/usr/bin/env bash
# sweep: every trial's val_acc, train_acc and final_loss are the same with 1
# group of 4 ranks, 2 groups of 2 and 4 groups of 1; results.csv has a row per
# trial; only the best checkpoint is kept by default; and a trial's `command`,
# run alone on `ranks` ranks with --checkpoint added, rebuilds the trial's
# checkpoint bit for bit.
source "$(dirname "$0")/train_lib.sh"
testdir sweep_groups
common=(sweep --data ../fake_big.h5 --val 200 --trials 4 --epochs 1 --batches 64,128 --lr-min 1e-4 --lr-max 1e-2 --quiet)
for g in 1 2 4; do
    mpi 4 "${common[@]}" --groups "$g" --out "g$g" --keep-all > "g$g.out" || fail "sweep with $g groups"
    [[ $(grep -c '^[0-9]' "g$g/results.csv") -eq 4 ]] || fail "g$g/results.csv: expected 4 rows"
    # trial, val_acc, train_acc, final_loss, sorted by trial
    cut -d, -f1,10-12 "g$g/results.csv" | grep '^[0-9]' | sort -n > "g$g.cols"
done
for g in 2 4; do
    diff g1.cols "g$g.cols" >/dev/null || fail "1 group and $g groups differ: $(diff g1.cols "g$g.cols")"
    for t in 0 1 2 3; do same_model "g1/trial-$t.h5" "g$g/trial-$t.h5" || fail "trial $t: model differs, 1 vs $g groups"; done
done
grep -q '"trials":\[' g2.out && grep -q '"best":{' g2.out || fail "JSON result lacks best or trials"
echo "ok: 1, 2 and 4 groups give identical trials: $(tr '\n' ' ' < g1.cols)"

# every trial of the 2-group sweep (2 ranks each) from its command alone
while IFS= read -r line; do
    t=${line%%,*}
    cmd=$(sed -n 's/.*,"\(lincls-mpi train [^"]*\)"$/\1/p' <<<"$line")
    ranks=$(cut -d, -f14 <<<"$line")
    [[ -n $cmd && $ranks == 2 ]] || fail "trial $t: no command or ranks in: $line"
    read -ra args <<<"${cmd#lincls-mpi }"
    mpi "$ranks" "${args[@]}" --quiet --checkpoint "alone-$t.h5" >/dev/null || fail "trial $t command failed: $cmd"
    same_model "g2/trial-$t.h5" "alone-$t.h5" || fail "trial $t: its command alone gives another model: $cmd"
done < <(grep '^[0-9]' g2/results.csv)
echo "ok: each trial's command reproduces its checkpoint bit for bit"

# without --keep-all only the best trial's checkpoint stays
mpi 4 "${common[@]}" --groups 2 --out best > best.out || fail "sweep without --keep-all"
best=$(grep -o '"best":{"trial":[0-9]*' best.out | grep -o '[0-9]*$')
[[ -f best/trial-$best.h5 && $(ls best/trial-*.h5 | wc -l) -eq 1 ]] || fail "expected only best/trial-$best.h5: $(ls best)"
echo "ok: only the best checkpoint (trial $best) is kept"
