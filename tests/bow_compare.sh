#!/bin/sh
# bow_compare.sh A.h5 B.h5: two bag-of-words features files are the same:
# every dataset, the dictionary's included, byte for byte and the root
# attributes (features_compare.sh), plus the dictionary's attributes.
set -u
a=$1 b=$2
command -v h5dump >/dev/null 2>&1 || { echo "h5dump not found: skipping"; exit 77; }
# dumps go to a folder of our own: two comparisons may share A (and run at once)
t=$(mktemp -d "${TMPDIR:-/tmp}/compare.XXXXXX") || exit 1
trap 'rm -rf "$t"' EXIT
fails=0
sh "$(dirname "$0")/features_compare.sh" "$a" "$b" /dictionary/centroids /dictionary/whiten /dictionary/mean \
  || fails=$((fails + 1))
h5dump -A -g /dictionary "$a" | tail -n +2 >"$t/a.txt"
h5dump -A -g /dictionary "$b" | tail -n +2 >"$t/b.txt"
if cmp -s "$t/a.txt" "$t/b.txt" && grep -q '"kmeans_iters"' "$t/a.txt"; then
  echo "same: /dictionary attributes"
else
  echo "FAIL: /dictionary attributes differ or are missing"; diff "$t/a.txt" "$t/b.txt" | head; fails=$((fails + 1))
fi
[ "$fails" -eq 0 ] || exit 1
