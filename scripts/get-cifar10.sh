#!/usr/bin/env bash
# Gets CIFAR-10 and converts it into the lincls HDF5 dataset.
#
#   scripts/get-cifar10.sh [--force] [OUT.h5]
#
# Source: the archive named by CIFAR10_TARBALL when set (a local copy, no
# download; its md5 is printed for information and lincls-prep validates the
# content), else the official cifar-10-binary.tar.gz downloaded once into
# data/ and checked against its published md5.
# Output: OUT.h5, else $LINCLS_DATA, else data/cifar10.h5; an existing file is
# kept unless --force. lincls-prep is taken from $LINCLS_BUILD (default
# build/) or from PATH.
set -euo pipefail

url=https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz
official_md5=c32a1d4ab5d03f1284b67883e8d87530
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

die() { echo "get-cifar10: error: $*" >&2; exit 1; }
say() { echo "get-cifar10: $*" >&2; }

force=0
out=
for arg in "$@"; do
    case $arg in
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --force) force=1 ;;
    -*) die "unknown option $arg (see --help)" ;;
    *) [[ -z "$out" ]] || die "more than one output given"; out=$arg ;;
    esac
done
out=${out:-${LINCLS_DATA:-$root/data/cifar10.h5}}

if [[ -e "$out" && $force -eq 0 ]]; then
    say "$out exists; keeping it (--force to rebuild)"
    exit 0
fi

md5_of() {
    if command -v md5sum >/dev/null; then md5sum "$1" | cut -d' ' -f1
    elif command -v md5 >/dev/null; then md5 -q "$1"
    else die "neither md5sum nor md5 found"
    fi
}

find_prep() {
    local build=${LINCLS_BUILD:-$root/build}
    if [[ -x "$build/lincls-prep" ]]; then echo "$build/lincls-prep"
    elif command -v lincls-prep >/dev/null; then command -v lincls-prep
    else die "lincls-prep not found in $build or on PATH; build first: cmake -S . -B build && cmake --build build"
    fi
}

download() { # DEST
    local part=$1.part
    say "downloading $url"
    if command -v curl >/dev/null; then
        curl -fL --retry 3 -o "$part" "$url" || die "download failed: $url"
    elif command -v wget >/dev/null; then
        wget -O "$part" "$url" || die "download failed: $url"
    else
        die "need curl or wget to download $url (or set CIFAR10_TARBALL to a local copy)"
    fi
    local sum
    sum=$(md5_of "$part")
    if [[ "$sum" != "$official_md5" ]]; then
        rm -f "$part"
        die "md5 mismatch for the downloaded archive: got $sum, expected $official_md5"
    fi
    mv "$part" "$1"
}

prep=$(find_prep)
if [[ -n "${CIFAR10_TARBALL:-}" ]]; then
    tarball=$CIFAR10_TARBALL
    [[ -f "$tarball" ]] || die "CIFAR10_TARBALL=$tarball: no such file"
    sum=$(md5_of "$tarball")
    if [[ "$sum" == "$official_md5" ]]; then
        say "using $tarball (md5 $sum, the official archive)"
    else
        say "using $tarball (md5 $sum; the official archive's is $official_md5; lincls-prep validates the content)"
    fi
else
    tarball=$root/data/cifar-10-binary.tar.gz
    mkdir -p "$root/data"
    if [[ -f "$tarball" && "$(md5_of "$tarball")" == "$official_md5" ]]; then
        say "using the archive already downloaded: $tarball"
    else
        download "$tarball"
    fi
fi

mkdir -p "$(dirname "$out")"
flags=()
[[ $force -eq 1 ]] && flags+=(--force)
say "converting: $prep $tarball $out"
"$prep" "$tarball" "$out" "${flags[@]}"
