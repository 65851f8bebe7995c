#!/usr/bin/env bash
# Reproducibility on any CPU: the same run under every OpenBLAS kernel this CPU
# can run (OPENBLAS_CORETYPE=Prescott, Haswell where it has AVX2, SkylakeX where
# it has AVX-512) and under every vector ISA of lincls's own kernels
# (LINCLS_KERN_ISA=generic, avx2, avx512) writes the same checkpoint, bit for bit.
# A pair the CPU cannot run is skipped with a visible note.
source "$(dirname "$0")/train_lib.sh"
testdir repro_cpu
flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null)
has() { [[ " $flags " == *" $1 "* ]]; }
common=(--data ../fake_big.h5 --epochs 2 --quiet)
runs=()
run() { # run NAME VAR=VALUE...
    local name=$1; shift
    env "$@" "$LC_MPIEXEC" "$LC_NPFLAG" 2 "$LC_MPI" train "${common[@]}" --checkpoint "$name.h5" > "$name.json" \
        || fail "train with $*"
    runs+=("$name")
}
run prescott OPENBLAS_CORETYPE=Prescott
if has avx2; then run haswell OPENBLAS_CORETYPE=Haswell; else echo "SKIPPED: OPENBLAS_CORETYPE=Haswell (no avx2 on this CPU)"; fi
if has avx512f; then run skylakex OPENBLAS_CORETYPE=SkylakeX; else echo "SKIPPED: OPENBLAS_CORETYPE=SkylakeX (no avx512f on this CPU)"; fi
run generic LINCLS_KERN_ISA=generic
if has avx2; then run kavx2 LINCLS_KERN_ISA=avx2; else echo "SKIPPED: LINCLS_KERN_ISA=avx2 (no avx2)"; fi
if has avx512f; then run kavx512 LINCLS_KERN_ISA=avx512; else echo "SKIPPED: LINCLS_KERN_ISA=avx512 (no avx512f)"; fi
for n in "${runs[@]:1}"; do
    same_model prescott.h5 "$n.h5" || fail "$n and prescott give different checkpoints"
    [[ $(json_get final_loss < prescott.json) == $(json_get final_loss < "$n.json") ]] || fail "$n: final_loss differs"
done
echo "ok: identical checkpoints under ${runs[*]}"
