#!/usr/bin/env bash
# plot.py confusion from the stdout of `lincls-mpi eval` (file and stdin).
# shellcheck source=tests/plots_lib.sh
source "$(dirname "$0")/plots_lib.sh"
testdir plots_confusion
train_small soft --loss softmax
mpi 2 eval --data ../fake.h5 --model soft.h5 > eval.out 2> eval.err || fail "eval: $(cat eval.err)"
grep -q '"confusion":\[\[' eval.out || fail "eval printed no confusion matrix"
plot confusion eval.out --model soft.h5 -o c.png || fail "confusion plot"
png_check c.png 760 640
tail -n 1 eval.out | plot confusion - --percent -o c_stdin.png --width 500 --height 500 || fail "confusion from stdin"
png_check c_stdin.png 500 500
echo '{"cmd":"train"}' > nomatrix.json
out=$(plot confusion nomatrix.json -o x.png 2>&1) && fail "a JSON line without a matrix should be refused"
echo "$out" | grep -q 'error:.*confusion' || fail "unclear refusal: $out"
echo "ok: refused: $out"
