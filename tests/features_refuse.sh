#!/bin/sh
# features_refuse.sh TEST_FEATURES_FILE: `lincls-mpi features` refuses bad
# input on 2 ranks: non-zero exit, one message naming the flag or file, and
# neither OUT nor OUT.tmp left behind. Runs in the test work dir (fake.h5).
# Env: LC_MPI, LC_MPIEXEC, LC_NPFLAG (set by the CTest helpers).
set -u
helper=$1
dir=refuse_feat.d
rm -rf "$dir" && mkdir -p "$dir" || exit 1
fails=0

run2() { "$LC_MPIEXEC" "$LC_NPFLAG" 2 "$LC_MPI" features "$@"; }

# expect_refusal NAME OUT PATTERN ARGS...: ARGS must fail, stderr must contain
# PATTERN (fixed string), and neither OUT nor a temporary OUT.tmp.* may exist
# afterwards.
expect_refusal() {
  name=$1 out=$2 pattern=$3
  shift 3
  run2 "$@" >"$dir/$name.out" 2>"$dir/$name.err"
  rc=$?
  if [ "$rc" -eq 0 ]; then
    echo "FAIL $name: exit code 0"; fails=$((fails + 1))
  fi
  if ! grep -qF -- "$pattern" "$dir/$name.err"; then
    echo "FAIL $name: stderr does not mention '$pattern':"; cat "$dir/$name.err"; fails=$((fails + 1))
  fi
  n=$(grep -c "lincls-mpi features: error:" "$dir/$name.err")
  if [ "$n" -ne 1 ]; then
    echo "FAIL $name: expected one error line, got $n"; fails=$((fails + 1))
  fi
  if [ -e "$out" ] && [ "$name" != exists ] && [ "$name" != same_file ]; then
    echo "FAIL $name: $out was left behind"; fails=$((fails + 1))
  fi
  for t in "$out".tmp*; do
    if [ -e "$t" ]; then
      echo "FAIL $name: $t was left behind"; fails=$((fails + 1))
    fi
  done
  echo "checked $name (exit $rc): $(grep 'error:' "$dir/$name.err" | head -1)"
}

o=$dir/out.h5
expect_refusal unknown_kind "$o" "--kind" --data fake.h5 --out "$o" --kind hog,sift
expect_refusal repeated_kind "$o" "--kind" --data fake.h5 --out "$o" --kind color,color
expect_refusal bad_cell "$o" "--hog-cell" --data fake.h5 --out "$o" --hog-cell 5
expect_refusal bad_bins "$o" "--hog-bins" --data fake.h5 --out "$o" --hog-bins 0
expect_refusal bad_cbins "$o" "--color-bins" --data fake.h5 --out "$o" --color-bins 0
expect_refusal no_data "$o" "--data" --out "$o"
expect_refusal no_out "$o" "--out" --data fake.h5
expect_refusal missing_input "$o" "$dir/nope.h5" --data "$dir/nope.h5" --out "$o"
expect_refusal no_dir "$dir/nodir/out.h5" "$dir/nodir/out.h5" --data fake.h5 --out "$dir/nodir/out.h5"

# A features file is not an images dataset.
if ! run2 --data fake.h5 --out "$dir/feats.h5" --kind color >/dev/null 2>"$dir/mk.err"; then
  echo "FAIL: could not make a features file:"; cat "$dir/mk.err"; fails=$((fails + 1))
fi
expect_refusal not_images "$o" "$dir/feats.h5" --data "$dir/feats.h5" --out "$o"
expect_refusal same_file fake.h5 "is the input file" --data fake.h5 --out fake.h5 --force
# The same file under other names (device and inode decide, not spelling).
cp fake.h5 "$dir/in.h5" && ln "$dir/in.h5" "$dir/hard.h5" && ln -s in.h5 "$dir/sym.h5" || exit 1
for spelling in "$dir/./in.h5" "$dir/hard.h5" "$dir/sym.h5"; do
  expect_refusal same_file "$dir/in.h5" "is the input file --data $dir/in.h5" --data "$dir/in.h5" --out "$spelling" --force
done
if ! cmp -s fake.h5 "$dir/in.h5"; then
  echo "FAIL same_file: the input was modified"; fails=$((fails + 1))
fi

# OUT exists without --force: refused, and OUT is untouched.
echo "keep me" >"$dir/exists.h5"
expect_refusal exists "$dir/exists.h5" "--force" --data fake.h5 --out "$dir/exists.h5"
if [ "$(cat "$dir/exists.h5")" != "keep me" ]; then
  echo "FAIL exists: OUT was modified"; fails=$((fails + 1))
fi

# A bad label in /test is found after /train was already written into
# OUT.tmp: the temporary must go and OUT must not appear.
if "$helper" badlabel fake.h5 "$dir/badlabel.h5"; then
  expect_refusal bad_label "$o" "label" --data "$dir/badlabel.h5" --out "$o"
else
  echo "FAIL: could not make badlabel.h5"; fails=$((fails + 1))
fi

if [ "$fails" -ne 0 ]; then
  echo "$fails failure(s)"
  exit 1
fi
echo "all refusals ok"
