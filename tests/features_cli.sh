#!/bin/sh
# features_cli.sh: `lincls-mpi features --help` lists every option with its
# default, and a 2-rank run ends stdout with the JSON result line.
# Env: LC_MPI, LC_MPIEXEC, LC_NPFLAG. Runs in the test work dir (fake.h5).
set -u
fails=0
help=$("$LC_MPIEXEC" "$LC_NPFLAG" 2 "$LC_MPI" features --help) || { echo "FAIL: --help exit code"; exit 1; }
for want in '^  --data S .*\[none\]$' '^  --out S .*\[none\]$' '^  --kind S .*\[hog,color\]$' \
            '^  --hog-cell N .*\[8\]$' '^  --hog-bins N .*\[9\]$' '^  --color-bins N .*\[24\]$' \
            '^  --force ' '^  --help '; do
  if ! printf '%s\n' "$help" | grep -q -- "$want"; then
    echo "FAIL: --help has no line matching $want"; fails=$((fails + 1))
  fi
done
n=$(printf '%s\n' "$help" | grep -c "Options")
[ "$n" -eq 1 ] || { echo "FAIL: help printed $n times (only rank 0 should print)"; fails=$((fails + 1)); }

out=cli_feats.h5
rm -f "$out"
"$LC_MPIEXEC" "$LC_NPFLAG" 2 "$LC_MPI" features --data fake.h5 --out "$out" --kind color,hog \
  --hog-cell 4 --hog-bins 6 --color-bins 12 >cli_feats.out 2>cli_feats.err \
  || { echo "FAIL: run failed"; cat cli_feats.err; exit 1; }
last=$(tail -n 1 cli_feats.out)
echo "$last"
# color 12 + hog (7*7*4*6 = 1176) = 1188
for want in '"out":"cli_feats.h5"' '"train":300' '"test":60' '"dim":1188' '"ranks":2' \
            '"features":"color(hue,bins=12)+hog(cell=4,bins=6,block=2x2,norm=L2-Hys)"' \
            '"images_per_second":'; do
  case "$last" in
    "{"*"$want"*"}") ;;
    *) echo "FAIL: last stdout line lacks $want"; fails=$((fails + 1)) ;;
  esac
done
grep -q "images/s" cli_feats.err || { echo "FAIL: no images/s progress on stderr"; fails=$((fails + 1)); }
[ ! -e "$out.tmp" ] || { echo "FAIL: $out.tmp left behind"; fails=$((fails + 1)); }
[ "$fails" -eq 0 ] || exit 1
echo "cli ok"
