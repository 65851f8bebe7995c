#!/usr/bin/env bash
# plot.py sweep from a results.csv (columns found by header name, in any order,
# extra columns and unusable rows tolerated) and from a sweep JSON line whose
# trials carry only a reproducing command.
# shellcheck source=tests/plots_lib.sh
source "$(dirname "$0")/plots_lib.sh"
testdir plots_sweep
cat > results.csv <<'CSV'
trial,loss,optimizer,lr,lambda,batch,val_acc,seconds,command
0,softmax,sgd,1e-4,1e-5,256,0.31,1.0,x
1,softmax,momentum,1e-3,1e-3,256,0.40,1.0,x
2,svm,adam,3e-3,1e-2,128,0.36,1.0,x
3,svm,sgd,1e-2,1e-1,256,0.22,1.0,x
4,softmax,sgd,1e-3,0,256,0.39,1.0,x
5,softmax,sgd,,1e-3,256,,1.0,x
CSV
plot sweep results.csv -o s_csv.png 2> err.txt || fail "sweep plot from CSV: $(cat err.txt)"
png_check s_csv.png 800 600
grep -q 'note: 2 of 6 trials left out' err.txt || fail "dropped rows not reported: $(cat err.txt)"
# columns in another order, other names
printf 'val_accuracy,learning_rate,reg_strength\n0.3,1e-3,1e-4\n0.35,1e-2,1e-3\n' > other.csv
plot sweep other.csv -o s_other.png --width 600 --height 450 || fail "sweep plot from renamed columns"
png_check s_other.png 600 450
cat > sweep.json <<'JSON'
progress text that is not JSON
{"cmd":"sweep","best":1,"trials":[{"trial":0,"val_acc":0.3,"ranks":2,"command":"lincls-mpi train --lr 1e-4 --lambda 1e-3 --loss softmax"},{"trial":1,"val_acc":0.4,"ranks":2,"command":"lincls-mpi train --lr 1e-3 --lambda 1e-2 --loss svm"},{"trial":2,"val_acc":0.2,"ranks":2,"lr":0.05,"lambda":0.5,"loss":"softmax"}]}
JSON
plot sweep sweep.json -o s_json.png || fail "sweep plot from the JSON line"
png_check s_json.png 800 600
printf 'trial,loss\n0,softmax\n' > useless.csv
out=$(plot sweep useless.csv -o u.png 2>&1) && fail "a CSV without lr/lambda/val_acc should be refused"
echo "$out" | grep -q 'error:' || fail "unclear refusal: $out"
echo "ok: refused: $out"
