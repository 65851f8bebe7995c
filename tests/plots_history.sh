#!/usr/bin/env bash
# plot.py history and lr on tiny synthetic runs: from a checkpoint's /history,
# from --metrics JSONL files, several runs overlaid, default and custom sizes.
# shellcheck source=tests/plots_lib.sh
source "$(dirname "$0")/plots_lib.sh"
testdir plots_history
train_small soft --loss softmax
train_small svm --loss svm
plot history soft.h5 -o h_ckpt.png || fail "history from a checkpoint"
png_check h_ckpt.png 1100 450
plot history soft.jsonl svm.jsonl --labels softmax svm -o h_two.png --width 900 --height 400 \
    || fail "history from two metrics files"
png_check h_two.png 900 400
for lr in 1e-4 1e-3 1e-2; do
    train_small "lr_$lr" --optimizer sgd --schedule const --lr "$lr"
done
plot lr lr_1e-4.jsonl lr_1e-3.jsonl lr_1e-2.jsonl --epoch0 2.302585 -o lr.png || fail "lr plot"
png_check lr.png 800 550
plot lr lr_1e-4.h5 lr_1e-2.h5 --log -o lr_log.png --width 640 --height 480 || fail "lr plot from checkpoints, log axis"
png_check lr_log.png 640 480
# a resumed run appends to its metrics file: the plot still has one point per epoch
cat soft.jsonl soft.jsonl > twice.jsonl
plot history twice.jsonl -o twice.png || fail "history from a metrics file with repeated epochs"
png_check twice.png 1100 450
