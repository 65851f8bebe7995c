# shellcheck shell=bash
# full_lib.sh: writing onto a full disk, for the *_full.sh tests (sourced).
#
#   full_mode MODE        how the disk is made full, one of
#       tmpfs   a small tmpfs mounted for each case: a real full disk (ENOSPC).
#               Needs root with CAP_SYS_ADMIN; skipped (exit 77) without.
#       limit   a file-size limit (ulimit -f) on the command under test: every
#               write past it fails (EFBIG) as on a full disk. Unprivileged;
#               skipped (exit 77) only if MPI cannot start under the limit.
#   full_dir DIR KB       DIR becomes an empty folder; in tmpfs mode a fresh
#                         tmpfs of KB KiB is mounted on it.
#   full_run KB CMD...    runs CMD; in limit mode with writes limited to KB KiB
#                         (and Open MPI told to keep its own shared-memory files
#                         out of the way of the limit).
#   full_release DIR      unmounts what an interrupted earlier run left
#                         mounted in DIR (call it before removing DIR).
# Mounts are undone when the test exits.

full_mounts=()

full_cleanup() {
    local m
    for m in "${full_mounts[@]}"; do umount "$m" 2>/dev/null || true; done
}
trap full_cleanup EXIT

full_release() {
    local m
    for m in "$1"/*/; do
        if mountpoint -q "$m" 2>/dev/null; then umount "$m" || true; fi
    done
    return 0
}

full_mode() {
    FULL_MODE=$1
    case $FULL_MODE in
    tmpfs)
        mkdir -p full_probe
        if ! mount -t tmpfs -o size=64k lincls-test full_probe 2>/dev/null; then
            echo "SKIPPED: cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN); the limit variant still runs"
            exit 77
        fi
        umount full_probe && rmdir full_probe
        ;;
    limit)
        if ! full_run 64 "$LC_MPIEXEC" "$LC_NPFLAG" 2 "$LC_MPI" --version >/dev/null 2>&1; then
            echo "SKIPPED: MPI does not start under a 64 KiB file-size limit here"
            exit 77
        fi
        ;;
    *) echo "full_mode: unknown mode '$FULL_MODE'" >&2; exit 2 ;;
    esac
}

full_dir() { # DIR KB
    if mountpoint -q "$1" 2>/dev/null; then umount "$1"; fi
    rm -rf "$1"
    mkdir -p "$1"
    if [[ $FULL_MODE == tmpfs ]]; then
        mount -t tmpfs -o "size=${2}k" lincls-test "$1" || { echo "FAIL: cannot mount a tmpfs on $1" >&2; exit 1; }
        full_mounts+=("$PWD/$1")
    fi
}

full_run() { # KB CMD...
    local kb=$1
    shift
    if [[ $FULL_MODE == limit ]]; then
        (
            export PMIX_MCA_gds=hash OMPI_MCA_btl=self,tcp OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo
            ulimit -f "$kb"
            "$@"
        )
    else
        "$@"
    fi
}

# full_left DIR: the temporary files left in DIR (should be none).
full_left() { compgen -G "$1/*.tmp.*" || true; }
