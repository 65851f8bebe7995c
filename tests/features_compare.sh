#!/bin/sh
# features_compare.sh A.h5 B.h5 [DATASET...]: the datasets of two features
# files are byte for byte identical (raw little-endian dumps of features and
# labels, and of each DATASET named, text dump of /classes), and so are the
# root attributes. Used for 1 vs 3 ranks, and by bow_compare.sh.
set -u
a=$1 b=$2
shift 2
command -v h5dump >/dev/null 2>&1 || { echo "h5dump not found: skipping"; exit 77; }
# dumps go to a folder of our own: two comparisons may share A (and run at once)
t=$(mktemp -d "${TMPDIR:-/tmp}/compare.XXXXXX") || exit 1
trap 'rm -rf "$t"' EXIT
fails=0
for d in /train/features /train/labels /test/features /test/labels "$@"; do
  h5dump -d "$d" -b LE -o "$t/a.raw" "$a" >/dev/null && h5dump -d "$d" -b LE -o "$t/b.raw" "$b" >/dev/null \
    || { echo "FAIL: cannot dump $d"; fails=$((fails + 1)); continue; }
  if [ ! -s "$t/a.raw" ]; then
    echo "FAIL: $d is empty"; fails=$((fails + 1))
  elif cmp -s "$t/a.raw" "$t/b.raw"; then
    echo "same: $d ($(wc -c <"$t/a.raw") bytes)"
  else
    echo "FAIL: $d differs between $a and $b"; fails=$((fails + 1))
  fi
done
rm -f "$t/a.raw" "$t/b.raw"
# Text dumps name the file on their first line: drop it.
for what in "-d /classes" "-A -g /"; do
  # shellcheck disable=SC2086
  h5dump $what "$a" | tail -n +2 >"$t/a.txt"
  # shellcheck disable=SC2086
  h5dump $what "$b" | tail -n +2 >"$t/b.txt"
  if cmp -s "$t/a.txt" "$t/b.txt"; then
    echo "same: h5dump $what"
  else
    echo "FAIL: h5dump $what differs"; diff "$t/a.txt" "$t/b.txt" | head; fails=$((fails + 1))
  fi
done
rm -f "$t/a.txt" "$t/b.txt"
[ "$fails" -eq 0 ] || exit 1
