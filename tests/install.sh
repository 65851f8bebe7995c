#!/usr/bin/env bash
# cmake --install puts working tools, the job scripts with their shared launcher,
# and the settings file the launcher sources, under a prefix.
# Usage: install.sh CMAKE BUILD_DIR
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
cmake=$1 build=$2
p=$PWD/install-test
rm -rf "$p"
"$cmake" --install "$build" --prefix "$p" >/dev/null || fail "cmake --install"
"$p/bin/lincls-mpi" --help | grep -q subcommand || fail "installed lincls-mpi --help"
"$p/bin/lincls-prep" --help | grep -q SRC || fail "installed lincls-prep --help"
for f in train search sweep-array sweep-grouped scaling; do
    [[ -f $p/share/lincls/jobs/$f.sbatch ]] || fail "jobs/$f.sbatch not installed"
    # outside SLURM a job stops at its SLURM_JOB_ID check, after sourcing jobs/lib/launch.sh
    # (and through it scripts/mpienv.sh): a missing file would stop it earlier
    out=$(env -u SLURM_JOB_ID LINCLS_LAUNCH=mpirun bash "$p/share/lincls/jobs/$f.sbatch" 2>&1)
    grep -q 'submit this script with sbatch' <<<"$out" || fail "installed jobs/$f.sbatch: $out"
done
# the installed settings file finds the installed lincls-mpi for the OpenBLAS kernel
want=$(env -u OPENBLAS_CORETYPE -u LINCLS_BLAS_AUTO "$p/bin/lincls-mpi" --blas-coretype 2>/dev/null) || want=""
got=$(env -u OPENBLAS_CORETYPE -u LINCLS_BLAS_AUTO -u LINCLS_BIN -u LINCLS_BUILD PATH=/usr/bin:/bin \
      bash -c "source '$p/share/lincls/scripts/mpienv.sh' && echo \"\${OPENBLAS_CORETYPE:-}\"")
[[ $got == "$want" ]] || fail "installed mpienv.sh set OPENBLAS_CORETYPE='$got', lincls-mpi --blas-coretype says '$want'"
echo "ok: installed tools, jobs with their launcher, settings (kernel ${want:-none})"
