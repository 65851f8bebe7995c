#!/usr/bin/env bash
# Shared setup for run.sh and test.sh: install the Debian packages lincls needs
# (only those missing), then configure and build with CMake.
#
#   scripts/setup.sh [--with-slurm] [--with-plots] [--with-bench] [--with-download] [--asan] [--no-build]
#
# Environment: LINCLS_BUILD  build directory (default: build, or build-asan with --asan)
#              CMAKE_BUILD_TYPE (default Release)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

pkgs=(cmake make gcc libc6-dev pkg-config libopenmpi-dev openmpi-bin libhdf5-openmpi-dev
      hdf5-tools libopenblas-dev liblapacke-dev zlib1g-dev libarchive-dev libstb-dev procps)
asan=0 build=1
for arg in "$@"; do
  case "$arg" in
    --with-slurm) pkgs+=(slurm-wlm munge) ;;
    --with-plots) pkgs+=(python3 python3-h5py python3-matplotlib python3-numpy) ;;
    --with-bench) pkgs+=(python3 python3-numpy python3-torch python3-h5py) ;;
    --with-download) pkgs+=(curl ca-certificates) ;;
    --asan) asan=1 ;;
    --no-build) build=0 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup.sh: unknown option '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

((build)) || exit 0
if ((asan)); then
  bdir=${LINCLS_BUILD:-$root/build-asan}
  extra=(-DLINCLS_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo)
else
  bdir=${LINCLS_BUILD:-$root/build}
  extra=(-DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-Release}")
fi
cmake -S "$root" -B "$bdir" "${extra[@]}" >/dev/null
cmake --build "$bdir" -j "$(nproc)" >/dev/null
echo "setup: built $bdir" >&2
