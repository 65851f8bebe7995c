#!/usr/bin/env bash
# 1000 classes (uint16 labels): a synthetic image file trains to the same
# checkpoint at 1 and 3 ranks and evaluates; `features` keeps uint16 labels;
# a synthetic 1000-class features file is learned (so labels and all 1000 rows
# of W are wired right), and full-batch gradient descent on it (chunks of 2097
# rows at K = 1000: three chunks) gives the same model at 1 and 3 ranks; and
# features 16,384 wide train to the same model at 1 and 3 ranks.
source "$(dirname "$0")/train_lib.sh"
testdir classes1000
"$LC_MAKE_CLASSES" img.h5 --classes 1000 --train 2000 --test 1000 || fail "make_classes images"
h5dump -H -d /train/labels img.h5 | grep -q 'H5T_STD_U16LE' || fail "labels are not uint16"
common=(--data img.h5 --val 0 --epochs 1 --batch 250 --quiet)
mpi 1 train "${common[@]}" --checkpoint i1.h5 > i1.json || fail "train on 1000 classes at 1 rank"
mpi 3 train "${common[@]}" --checkpoint i3.h5 > i3.json || fail "train on 1000 classes at 3 ranks"
same_model i1.h5 i3.h5 || fail "1000 classes: 1 and 3 ranks differ"
h5dump -H -d /model/W i1.h5 | grep -q '( 1000, 3072 )' || fail "W is not 1000 x 3072"
acc=$(mpi 2 eval --data img.h5 --model i1.h5 2>/dev/null | tail -n 1 | json_get accuracy)
[[ $acc == $(json_get test_acc < i1.json) ]] || fail "eval accuracy $acc != train test_acc"
echo "ok: 1000-class images: identical at 1 and 3 ranks, eval agrees ($acc)"
mpi 2 features --data img.h5 --out f.h5 >/dev/null 2>&1 || fail "features of a 1000-class file"
h5dump -H -d /test/labels f.h5 | grep -q 'H5T_STD_U16LE' || fail "features file lost the uint16 labels"
"$LC_MAKE_CLASSES" feat.h5 --classes 1000 --train 5000 --test 1000 --features 64 || fail "make_classes features"
line=$(mpi 2 train --data feat.h5 --val 0 --epochs 15 --batch 100 --lr 1e-2 --quiet) || fail "train on features"
ge "$(echo "$line" | json_get train_acc)" 0.9 || fail "1000-class features not learned: $line"
ge "$(echo "$line" | json_get test_acc)" 0.9 || fail "1000-class features do not generalize: $line"
echo "ok: 1000-class features learned: train $(echo "$line" | json_get train_acc), test $(echo "$line" | json_get test_acc)"
fb=(--data feat.h5 --val 0 --epochs 3 --batch 5000 --optimizer sgd --lr 1 --quiet --no-test)
mpi 1 train "${fb[@]}" --checkpoint fb1.h5 > fb1.json || fail "full batch at 1 rank"
mpi 3 train "${fb[@]}" --checkpoint fb3.h5 > fb3.json || fail "full batch at 3 ranks"
same_model fb1.h5 fb3.h5 || fail "full-batch gradient descent: 1 and 3 ranks differ"
[[ $(json_get steps < fb1.json) == 3 ]] || fail "full batch should take one step per epoch"
echo "ok: full-batch gradient descent (chunked exact gradient) identical at 1 and 3 ranks, loss $(json_get final_loss < fb1.json)"
# the widest feature vectors the contract names (D = 16,384): the same model at 1 and 3 ranks
"$LC_MAKE_CLASSES" wide.h5 --classes 10 --train 600 --test 100 --features 16384 || fail "make_classes wide features"
wide=(--data wide.h5 --val 0 --epochs 2 --batch 100 --quiet --no-test)
mpi 1 train "${wide[@]}" --checkpoint w1.h5 > w1.json || fail "train on 16384-wide features at 1 rank"
mpi 3 train "${wide[@]}" --checkpoint w3.h5 > w3.json || fail "train on 16384-wide features at 3 ranks"
h5dump -H -d /model/W w1.h5 | grep -q '( 10, 16384 )' || fail "W is not 10 x 16384"
same_model w1.h5 w3.h5 || fail "16384-wide features: 1 and 3 ranks differ"
echo "ok: 16384-wide features: identical at 1 and 3 ranks, loss $(json_get final_loss < w1.json)"
