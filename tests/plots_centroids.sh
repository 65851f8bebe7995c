#!/usr/bin/env bash
# plot.py centroids: accuracy against the number of bag-of-words centroids,
# from train JSON lines whose checkpoints carry a bow recipe.
# shellcheck source=tests/plots_lib.sh
source "$(dirname "$0")/plots_lib.sh"
testdir plots_centroids
for k in 4 8 16; do
    mpi 2 features --data ../fake.h5 --out "bow$k.h5" --kind bow --centroids "$k" --patches 1500 \
        --kmeans-iters 2 > "f$k.out" 2> "f$k.err" || fail "features K=$k: $(cat "f$k.err")"
    mpi 2 train --data "bow$k.h5" --val 60 --epochs 2 --batch 32 --quiet --checkpoint "m$k.h5" \
        > "t$k.json" 2> "t$k.err" || fail "train K=$k: $(cat "t$k.err")"
done
plot centroids t4.json t8.json t16.json -o c.png || fail "centroids plot"
png_check c.png 800 550
out=$(plot centroids ../fake.h5 -o x.png 2>&1) && fail "a file without a train JSON line should be refused"
echo "ok: refused: $out"
mpi 2 train --data ../fake.h5 --val 60 --epochs 1 --batch 32 --quiet --checkpoint img.h5 > img.json 2>/dev/null \
    || fail "train on images"
out=$(plot centroids img.json -o x.png 2>&1) && fail "a model on images should be refused"
echo "$out" | grep -q 'not a bag of words' || fail "unclear refusal: $out"
echo "ok: refused: $out"
# the JSON line of scripts/bench-bow.sh --pipeline names its K: no checkpoint needed
for k in 100 400; do
    printf 'pipeline output\n{"bench":"bow-pipeline","ranks":2,"centroids":%d,"features_seconds":1.0,"train_seconds":1.0,"total_seconds":2.0,"train_acc":0.7,"val_acc":0.6,"test_acc":0.6}\n' "$k" > "p$k.txt"
done
plot centroids p100.txt p400.txt t16.json -o p.png || fail "centroids plot of bench-bow pipeline lines"
png_check p.png 800 550
echo "ok: bench-bow pipeline lines plotted"
