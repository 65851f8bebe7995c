#!/usr/bin/env bash
# OpenBLAS kernel end to end: with OPENBLAS_CORETYPE unset, lincls-mpi (alone and
# under mpirun) runs the fastest kernel this CPU can run, as derived here from
# /proc/cpuinfo independently of the C code; a value lincls set on another machine
# (LINCLS_BLAS_AUTO = OPENBLAS_CORETYPE) is decided again here, by re-executing the
# ranks; a value the user set is kept.
source "$(dirname "$0")/train_lib.sh"
testdir blas_kernel

flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
has() { [[ $flags == *" $1 "* ]]; }
has sse2 && has pni || skip "no x86-64 flags with SSE3 in /proc/cpuinfo: no kernel rule on this CPU"
if has avx512f && has avx512bw && has avx512vl && has avx512dq; then
    if has avx512_bf16; then want=Cooperlake; else want=SkylakeX; fi
elif has avx2 && has fma; then want=Haswell
elif has avx; then want=Sandybridge   # OpenBLAS's spelling of SandyBridge
else want=Prescott
fi
echo "this CPU's best kernel: $want"
same() { [[ ${1,,} == "${2,,}" ]]; }
kernel_of() { sed -n 's/.*; kernel \([A-Za-z0-9_]*\) (.*/\1/p' | head -n 1; }
unset_all=(env -u OPENBLAS_CORETYPE -u LINCLS_BLAS_AUTO -u LINCLS_BLAS_REEXEC)

got=$("${unset_all[@]}" "$LC_MPI" --blas-coretype) || fail "--blas-coretype failed"
same "$got" "$want" || fail "--blas-coretype says $got, this CPU's best is $want"
info=$("${unset_all[@]}" "$LC_MPI" --blas-info) || fail "--blas-info failed"
echo "unset: $info"
same "$(kernel_of <<<"$info")" "$want" || fail "OPENBLAS_CORETYPE unset: runs $(kernel_of <<<"$info"), want $want"

# A run under mpirun names the BLAS and its kernel in the progress header.
train=(train --data ../fake.h5 --val 40 --epochs 1 --batch 32 --no-test)
"${unset_all[@]}" "$LC_MPIEXEC" "$LC_NPFLAG" 2 "$LC_MPI" "${train[@]}" 2>err.txt >/dev/null || { cat err.txt; fail "train failed"; }
line=$(grep 'blas: ' err.txt) || { cat err.txt; fail "no blas line in the train header"; }
echo "train header: $line"
same "$(kernel_of <<<"$line")" "$want" || fail "train under mpirun runs $(kernel_of <<<"$line"), want $want"

# Set by lincls elsewhere (a login node with another CPU): decided again on this
# CPU. Prescott is below every other rule kernel, so the ranks must re-execute.
if ! same "$want" Prescott; then
    OPENBLAS_CORETYPE=Prescott LINCLS_BLAS_AUTO=Prescott "$LC_MPIEXEC" "$LC_NPFLAG" 2 "$LC_MPI" "${train[@]}" \
        2>err.txt >/dev/null || { cat err.txt; fail "train with an automatic Prescott failed"; }
    line=$(grep 'blas: ' err.txt)
    echo "automatic Prescott: $line"
    same "$(kernel_of <<<"$line")" "$want" || fail "automatic Prescott not replaced by $want: $line"
    grep -q 'chosen by lincls' <<<"$line" || fail "header does not say lincls chose the kernel: $line"
    OPENBLAS_CORETYPE=Prescott LINCLS_BLAS_AUTO=Prescott "$LC_PREP" --help >/dev/null \
        || fail "lincls-prep failed after re-executing itself"
fi

# The user's choice is kept, even a slow one; the header says what the CPU could run.
info=$(OPENBLAS_CORETYPE=Prescott env -u LINCLS_BLAS_AUTO -u LINCLS_BLAS_REEXEC "$LC_MPI" --blas-info)
echo "user Prescott: $info"
same "$(kernel_of <<<"$info")" Prescott || fail "the user's OPENBLAS_CORETYPE=Prescott was not kept: $info"
grep -q 'set by the user' <<<"$info" || fail "--blas-info does not say the user chose: $info"
if ! same "$want" Prescott; then
    grep -qi "could run $want" <<<"$info" || fail "--blas-info does not name the faster kernel: $info"
fi
echo "ok: kernel $want with OPENBLAS_CORETYPE unset; automatic values decided again; the user's kept"
