#!/usr/bin/env bash
# Bad dataset and features files (issue 8, sections 2 and 4): every crafted
# variant of fake.h5 either works or ends every rank with one message that
# names the file and says what was expected and what was found; never a crash
# (an array attribute or a 32-D dataset used to overrun a buffer), never a hang.
#   read_dataset.sh attrs|shapes|labels|splits|features|files
source "$(dirname "$0")/read_lib.sh"
group=${1:?group}
testdir "read_dataset_$group"
craft dataset ../fake.h5 f
t() { local what=$1 re=$2; shift 2; expect_fail "$what" "$re" mpi 2 train --data "f/$what.h5" --val 40 --epochs 1 --quiet "$@"; }
case $group in
attrs)
    t version_array "f/version_array.h5: root attribute version must be one integer \(1\), found int32 \[4096\]"
    t format_array 'root attribute format must be the string "lincls-dataset", found 14-byte ASCII string \[4096\]'
    t format_int 'format must be the string "lincls-dataset", found scalar int32'
    t format_long 'format must be the string "lincls-dataset", found scalar variable-length UTF-8 string'
    t format_other 'root attribute format is "other-format", not "lincls-dataset"'
    t format_missing 'f/format_missing.h5: not a lincls dataset \(no root attribute format'
    t version_2 'unsupported dataset version 2 \(expected 1\)'
    t version_string 'version must be one integer \(1\), found scalar variable-length UTF-8 string'
    t version_empty 'version must be one integer \(1\), found empty \(null dataspace\) int32'
    t version_big 'unsupported dataset version 1099511627777 \(expected 1\)'
    ;;
shapes)
    t images_32d 'f/images_32d.h5: /train/images must be uint8 \[N,3,32,32\], found uint8 \[300,3,32,32(,1){28}\]'
    t images_5d '/train/images must be uint8 \[N,3,32,32\], found uint8 \[300,3,32,32,1\]'
    t images_float '/train/images must be uint8 \[N,3,32,32\], found float32 \[300,3,32,32\]'
    t images_int8 '/train/images must be uint8 \[N,3,32,32\], found int8 \[300,3,32,32\]'
    t images_flat '/train/images must be uint8 \[N,3,32,32\], found uint8 \[300,3072\]'
    t images_group '/train/images must be a dataset, found a group'
    t images_huge '/train/images claims 2199023255552 rows \(at most 2\^40 supported\)'
    t train_is_dataset 'neither /train/images nor /train/features exists'
    t images_lzf '/train/images cannot be read: it is compressed with filter 32000 \(lzf\), which this HDF5 library cannot decode'
    t images_unwritten '/train/images cannot be read: it holds no data \(created but never written\)'
    t images_dangling '/train/images must be a dataset, found a link that leads nowhere'
    t images_external_missing '/train/images must be a dataset, found a link that leads nowhere'
    expect_ok "gzip-compressed images" mpi 2 train --data f/images_gzip.h5 --val 40 --epochs 1 --quiet --checkpoint a.h5
    mpi 2 train --data ../fake.h5 --val 40 --epochs 1 --quiet --checkpoint b.h5 >/dev/null 2>&1 || fail "reference run"
    same_model a.h5 b.h5 || fail "gzip-compressed images trained differently"
    echo "ok: gzip-compressed images give the same model"
    ;;
labels)
    t labels_missing 'f/labels_missing.h5: dataset /train/labels is missing'
    t labels_2d '/train/labels must be integers \[300\] .*found uint8 \[300,1\]'
    t labels_float '/train/labels must be integers \[300\] .*found float32 \[300\]'
    t labels_short '/train/labels has 299 labels but /train/images has 300 rows'
    t labels_negative '/train/labels row 7 has label -1, but labels must be 0..9 \(10 classes\)'
    t labels_range '/train/labels row 3 has label 10, but labels must be 0..9'
    t labels_huge '/train/labels row 5 has label 9223372036854775807, but labels must be 0..9'
    t classes_few '/train/labels row [0-9]+ has label [5-9], but labels must be 0..4 \(5 classes\)'
    t classes_one '/classes has 1 names \(2..1000 allowed\)'
    t classes_int '/classes must be a 1-D dataset of K class names \(strings\), found int32 \[10\]'
    t classes_2d '/classes must be a 1-D dataset of K class names \(strings\), found 11-byte ASCII string \[5,2\]'
    t classes_missing '/classes must be a 1-D dataset of K class names \(strings\), found absent'
    # any integer type is accepted (h5py writes int64 from a Python list), big-endian too
    expect_ok "int64 and big-endian int32 labels" mpi 2 train --data f/labels_int64.h5 --val 40 --epochs 1 --quiet --checkpoint a.h5
    mpi 2 train --data ../fake.h5 --val 40 --epochs 1 --quiet --checkpoint b.h5 >/dev/null 2>&1 || fail "reference run"
    same_model a.h5 b.h5 || fail "int64 labels trained differently from uint8 labels"
    echo "ok: int64 labels give the same model as uint8 labels"
    ;;
splits)
    t test_missing 'dataset /test/images is missing \(a file without test rows has it with 0 rows\)'
    t train_empty '/train/images has 0 rows: there is nothing to train on'
    # a /test split with 0 rows is accepted: test_acc null in train and search,
    # eval --split test refuses, features writes the empty split
    expect_ok "train on an empty test split" mpi 2 train --data f/test_empty.h5 --val 40 --epochs 1 --quiet --checkpoint e.h5
    [[ $(tail -n 1 ok.json | json_get test_acc) == null ]] || fail "empty test split: test_acc is not null: $(tail -n 1 ok.json)"
    expect_ok "search on an empty test split" mpi 2 search --data f/test_empty.h5 --trials 3 --quiet
    [[ $(tail -n 1 ok.json | json_get test_acc) == null ]] || fail "empty test split: search test_acc is not null"
    # progress and done lines print "-" where a split has no rows, never "nan%"
    expect_ok "train without validation or test rows" mpi 2 train --data f/test_empty.h5 --val 0 --epochs 1
    grep -q 'val   -  ' ok.err || fail "train progress: no 'val   -' without a validation split: $(cat ok.err)"
    grep -q 'done: .* val -  test -  ' ok.err || fail "train done line: no 'val -  test -': $(cat ok.err)"
    expect_ok "search without validation or test rows" mpi 2 search --data f/test_empty.h5 --val 0 --trials 3
    grep -q 'done: .* val -  test -$' ok.err || fail "search done line: no 'val -  test -': $(cat ok.err)"
    ! grep -qi 'nan' ok.err || fail "search printed nan: $(cat ok.err)"
    expect_fail "eval --split test of an empty test split" "f/test_empty.h5: --split test has 0 rows: nothing to evaluate" \
        mpi 2 eval --data f/test_empty.h5 --model e.h5
    expect_ok "eval --split val with an empty test split" mpi 2 eval --data f/test_empty.h5 --model e.h5 --split val
    [[ $(tail -n 1 ok.json | json_get total) == 40 ]] || fail "eval --split val: total is not 40"
    expect_ok "features of an empty test split" mpi 2 features --data f/test_empty.h5 --out ef.h5 --force
    [[ $(h5dump -H -d /test/features ef.h5 | grep -o 'SIMPLE { ( [0-9, ]* )') == "SIMPLE { ( 0, 348 )" ]] \
        || fail "features: /test/features of an empty split is not [0, 348]"
    expect_ok "train on features with an empty test split" mpi 2 train --data ef.h5 --val 40 --epochs 1 --quiet
    ;;
features)
    t feat_recipe_array 'root attribute features \(the recipe\) must be one string of at most 511 bytes, found int64 \[4096\]'
    t feat_int '/train/features must be float32 \[N,D\] .*found int32 \[300,20\]'
    t feat_3d '/train/features must be float32 \[N,D\] .*found float32 \[300,4,5\]'
    t feat_nan '/train/features row 11 column 4 is not finite'
    t feat_overflow '/train/features row 2 column 3 is not finite'
    t feat_width '/train and /test features differ in width \(20 vs 19\)'
    expect_ok "float64 features" mpi 2 train --data f/feat_float64.h5 --val 40 --epochs 1 --quiet --checkpoint a.h5
    mpi 2 train --data f/feat_ok.h5 --val 40 --epochs 1 --quiet --checkpoint b.h5 >/dev/null 2>&1 || fail "float32 features"
    same_model a.h5 b.h5 || fail "float64 features trained differently from the same values in float32"
    echo "ok: float64 features give the same model as float32"
    ;;
files)
    t empty 'f/empty.h5: not an HDF5 file or unreadable'
    t text 'f/text.h5: not an HDF5 file or unreadable'
    t truncated 'f/truncated.h5: not an HDF5 file or unreadable'
    mkdir -p adir && mkfifo afifo
    expect_fail "a directory as --data" "adir: cannot open data file: it is a directory" mpi 2 train --data adir
    expect_fail "a FIFO as --data (used to block forever)" "afifo: cannot open data file: it is not a regular file" \
        mpi 2 train --data afifo
    expect_fail "a device as --data" "/dev/null: cannot open data file: it is not a regular file" mpi 2 train --data /dev/null
    expect_fail "a FIFO as --model" "afifo: cannot open checkpoint: it is not a regular file" \
        mpi 2 eval --data ../fake.h5 --model afifo
    expect_fail "a directory as --init" "--init: adir: cannot open checkpoint: it is a directory" \
        mpi 2 train --data ../fake.h5 --val 40 --epochs 1 --init adir
    expect_fail "a directory as --resume" "adir: cannot open checkpoint: it is a directory" \
        mpi 2 train --data ../fake.h5 --val 40 --epochs 1 --resume adir
    # the same messages reach eval, search, sweep and features (one shared reader)
    mpi 2 train --data ../fake.h5 --val 40 --epochs 1 --quiet --checkpoint g.h5 >/dev/null 2>&1 || fail "good run"
    expect_fail "eval, array version" "version must be one integer" mpi 2 eval --data f/version_array.h5 --model g.h5
    expect_fail "search, 32-D images" "found uint8 \[300,3,32,32(,1){28}\]" mpi 2 search --data f/images_32d.h5
    expect_fail "features, array format" "format must be the string" mpi 2 features --data f/format_array.h5 --out o.h5
    [[ ! -e o.h5 ]] || fail "a refused features run left o.h5"
    expect_fail "sweep, negative label" "row 7 has label -1" mpi 2 sweep --data f/labels_negative.h5 --val 40 --out sw --epochs 1 --trials 1 --batches 32
    ;;
*) fail "unknown group $group" ;;
esac
