#!/usr/bin/env bash
# Builds the KASAN + kmemleak + lockdep variant of the 5.10 guest kernel: the same series
# (patches/) and build.sh, with tsdbg.config + kasan.config as the fragment. It runs a
# private copy of kernel-patch/ with its own cache root, so CI's kernel cache keys, object
# directories and source-tree lock (~/.cache/tsdbg/kernel) are never touched.
#
#   build-kasan.sh [--path|--obj]   as build.sh: the LAST line of stdout is the bzImage path
#
# Environment:
#   TSDBG_KASAN_CACHE  cache root of the KASAN build (default ~/.cache/tsdbg-kasan)
#   TSDBG_CACHE        the normal cache root, whose downloaded tarballs (src/) are shared
#   JOBS               make -j (default: nproc)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MAIN_CACHE=${TSDBG_CACHE:-$HOME/.cache/tsdbg}
KCACHE=${TSDBG_KASAN_CACHE:-$HOME/.cache/tsdbg-kasan}
mkdir -p "$KCACHE" "$MAIN_CACHE/src"
# Tarballs are shared (fetch-source.sh downloads into whichever cache it is given).
[ -e "$KCACHE/src" ] || ln -s "$MAIN_CACHE/src" "$KCACHE/src"
COPY=$(mktemp -d "${TMPDIR:-/tmp}/tsdbg-kasan.XXXXXX")
trap 'rm -rf "$COPY"' EXIT
cp -r "$HERE/build.sh" "$HERE/fetch-source.sh" "$HERE/patches" "$COPY/"
cat "$HERE/tsdbg.config" "$HERE/kasan.config" >"$COPY/tsdbg.config"
TSDBG_CACHE=$KCACHE bash "$COPY/build.sh" --kernel 5.10 "$@"
