#!/usr/bin/env bash
# Prints the path of a vanilla kernel tarball, fetching it when needed.
#   fetch-source.sh [--kernel 5.10|6.1] [--cached]
#   --kernel 5.10    (default) vanilla 5.10: kernel.org's v5.10.224 when reachable, else
#                    Debian bullseye's `linux` orig tarball (5.10.223)
#   --kernel 6.1     vanilla 6.1: Debian bookworm's `linux` orig tarball (the 6.1.x that the
#                    mirror's bookworm suite carries; the first one fetched is kept)
#   --cached         print the cached tarball's path, or exit 1 without fetching
#   $KERNEL_TARBALL  use this tarball as it is
# Tarballs are cached under ~/.cache/tsdbg/src. Debian's mirror is read from this machine's
# apt configuration and used through a private apt configuration (the system's is untouched).
set -euo pipefail
CACHE=${TSDBG_CACHE:-$HOME/.cache/tsdbg}
SRC_CACHE=$CACHE/src
mkdir -p "$SRC_CACHE"
log() { echo "fetch-source: $*" >&2; }

VERSION=5.10
CACHED=
while [ $# -gt 0 ]; do
  case "$1" in
    --kernel) VERSION=${2:-}; shift 2 ;;
    --kernel=*) VERSION=${1#--kernel=}; shift ;;
    --cached) CACHED=1; shift ;;
    *) log "usage: fetch-source.sh [--kernel 5.10|6.1] [--cached]"; exit 2 ;;
  esac
done
case "$VERSION" in
  5.10) SUITE=bullseye; PKGVER=5.10.223-1 ;;
  6.1) SUITE=bookworm; PKGVER= ;;
  *) log "unknown kernel version '$VERSION' (5.10 or 6.1)"; exit 2 ;;
esac

if [ -n "${KERNEL_TARBALL:-}" ]; then
  [ -f "$KERNEL_TARBALL" ] || { log "KERNEL_TARBALL=$KERNEL_TARBALL does not exist"; exit 1; }
  echo "$KERNEL_TARBALL"; exit 0
fi
if [ "$VERSION" = 5.10 ]; then
  cands=("$SRC_CACHE/linux-5.10.224.tar.xz" "$SRC_CACHE/linux_5.10.223.orig.tar.xz")
else
  # The oldest 6.1 fetched stays the one used (the cache key names it).
  mapfile -t cands < <(ls "$SRC_CACHE"/linux_6.1.*.orig.tar.xz 2>/dev/null | sort -V)
fi
for f in "${cands[@]}"; do
  if [ -s "$f" ]; then echo "$f"; exit 0; fi
done
[ -z "$CACHED" ] || exit 1

# 1. kernel.org (5.10 only), if the network allows it (short timeout: no internet is common).
if [ "$VERSION" = 5.10 ] && command -v curl >/dev/null && [ -z "${TSDBG_NO_KERNEL_ORG:-}" ]; then
  url=https://cdn.kernel.org/pub/linux/kernel/v5.x/linux-5.10.224.tar.xz
  if curl -fsSL --connect-timeout 5 --max-time 600 -o "$SRC_CACHE/.dl.tmp" "$url" 2>/dev/null; then
    mv "$SRC_CACHE/.dl.tmp" "$SRC_CACHE/linux-5.10.224.tar.xz"
    log "downloaded $url"
    echo "$SRC_CACHE/linux-5.10.224.tar.xz"; exit 0
  fi
  rm -f "$SRC_CACHE/.dl.tmp"
  log "kernel.org not reachable; using Debian's 5.10.223 orig tarball"
fi

# 2. Debian's source package, through a private apt configuration so that the system's own
#    sources stay untouched. The mirror is derived at run time.
mirror=
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
fi
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
  mirror=$(awk '$1=="deb" && $0 !~ /security/ {for(i=2;i<=NF;i++) if ($i ~ /:\/\//) {print $i; exit}}' /etc/apt/sources.list)
fi
[ -n "$mirror" ] || { log "cannot find a Debian mirror in /etc/apt"; exit 1; }
APT=$CACHE/apt/$SUITE
mkdir -p "$APT/lists/partial" "$APT/archives/partial"
echo "deb-src $mirror $SUITE main" > "$APT/sources.list"
opts=(-o "Dir::Etc::SourceList=$APT/sources.list" -o Dir::Etc::SourceParts=/dev/null
      -o "Dir::State::Lists=$APT/lists" -o "Dir::Cache::Archives=$APT/archives"
      -o APT::Sandbox::User=root)
apt-get "${opts[@]}" update -qq >&2
DL=$(mktemp -d "$SRC_CACHE/.dl.XXXXXX")
trap 'rm -rf "$DL"' EXIT
# Only the orig tarball is needed: the Debian patches and the .dsc are not downloaded.
( cd "$DL" && apt-get "${opts[@]}" source --download-only --print-uris "linux${PKGVER:+=$PKGVER}" ) |
  awk -F"'" '/orig\.tar\.xz/ {split($3, f, " "); sub(/^SHA256:/, "", f[3]); print $2, f[1], f[3]}' |
  { read -r url name sum || { log "no linux orig tarball in $SUITE"; exit 1; }
    log "downloading $name"
    curl -fsSL --max-time 1200 -o "$DL/$name" "$url" || { log "download failed: $url"; exit 1; }
    echo "$sum  $DL/$name" | sha256sum -c --quiet - >&2 || { log "$name: SHA256 mismatch"; exit 1; }
    mv "$DL/$name" "$SRC_CACHE/$name" && echo "$SRC_CACHE/$name"; }
