#!/bin/sh
# kern_digest.sh TEST_KERN: runs `TEST_KERN --digest` under every kernel ISA
# (LINCLS_KERN_ISA) and two OpenBLAS kernels; every run must print the
# recorded digest. A variant the CPU lacks falls back to one it has, which
# must give the same digest too.
set -u
exe=$1
want=92a2578c57f340c2
fail=0
for isa in generic avx2 avx512 avx512vnni; do
  for core in Prescott Haswell; do
    out=$(LINCLS_KERN_ISA=$isa OPENBLAS_CORETYPE=$core "$exe" --digest) || { echo "FAIL: $isa/$core exit"; fail=1; continue; }
    d=${out%% *}
    echo "LINCLS_KERN_ISA=$isa OPENBLAS_CORETYPE=$core: $out"
    if [ "$d" != "$want" ]; then echo "FAIL: digest $d, want $want"; fail=1; fi
  done
done
exit $fail
