#!/bin/sh
# bow_compare.sh A.h5 B.h5: two bag-of-words features files are the same:
# every dataset byte for byte and the root attributes (features_compare.sh),
# plus the dictionary's datasets byte for byte and its attributes.
set -u
a=$1 b=$2
command -v h5dump >/dev/null 2>&1 || { echo "h5dump not found: skipping"; exit 77; }
fails=0
sh "$(dirname "$0")/features_compare.sh" "$a" "$b" || fails=$((fails + 1))
for d in /dictionary/centroids /dictionary/whiten /dictionary/mean; do
  h5dump -d "$d" -b LE -o "$a.raw" "$a" >/dev/null && h5dump -d "$d" -b LE -o "$b.raw" "$b" >/dev/null \
    || { echo "FAIL: cannot dump $d"; fails=$((fails + 1)); continue; }
  if [ ! -s "$a.raw" ]; then
    echo "FAIL: $d is empty"; fails=$((fails + 1))
  elif cmp -s "$a.raw" "$b.raw"; then
    echo "same: $d ($(wc -c <"$a.raw") bytes)"
  else
    echo "FAIL: $d differs between $a and $b"; fails=$((fails + 1))
  fi
done
rm -f "$a.raw" "$b.raw"
h5dump -A -g /dictionary "$a" | tail -n +2 >"$a.txt"
h5dump -A -g /dictionary "$b" | tail -n +2 >"$b.txt"
if cmp -s "$a.txt" "$b.txt" && grep -q '"kmeans_iters"' "$a.txt"; then
  echo "same: /dictionary attributes"
else
  echo "FAIL: /dictionary attributes differ or are missing"; diff "$a.txt" "$b.txt" | head; fails=$((fails + 1))
fi
rm -f "$a.txt" "$b.txt"
[ "$fails" -eq 0 ] || exit 1
