#!/usr/bin/env bash
# Prints the path of a vanilla 5.10 kernel tarball, fetching it when needed.
#   $KERNEL_TARBALL  use this tarball as it is
#   --cached         print the cached tarball's path, or exit 1 without fetching
#   otherwise        cache under ~/.cache/tsdbg/src; try kernel.org (v5.10.224)
#                    briefly, then Debian's bullseye orig tarball (5.10.223),
#                    with the mirror read from this machine's apt configuration.
set -euo pipefail
CACHE=${TSDBG_CACHE:-$HOME/.cache/tsdbg}
SRC_CACHE=$CACHE/src
mkdir -p "$SRC_CACHE"
log() { echo "fetch-source: $*" >&2; }

if [ -n "${KERNEL_TARBALL:-}" ]; then
  [ -f "$KERNEL_TARBALL" ] || { log "KERNEL_TARBALL=$KERNEL_TARBALL does not exist"; exit 1; }
  echo "$KERNEL_TARBALL"; exit 0
fi
for f in linux-5.10.224.tar.xz linux_5.10.223.orig.tar.xz; do
  if [ -s "$SRC_CACHE/$f" ]; then echo "$SRC_CACHE/$f"; exit 0; fi
done
[ "${1:-}" != --cached ] || exit 1

# 1. kernel.org, only if the network allows it (short timeout: no internet is common).
if command -v curl >/dev/null && [ -z "${TSDBG_NO_KERNEL_ORG:-}" ]; then
  url=https://cdn.kernel.org/pub/linux/kernel/v5.x/linux-5.10.224.tar.xz
  if curl -fsSL --connect-timeout 5 --max-time 600 -o "$SRC_CACHE/.dl.tmp" "$url" 2>/dev/null; then
    mv "$SRC_CACHE/.dl.tmp" "$SRC_CACHE/linux-5.10.224.tar.xz"
    log "downloaded $url"
    echo "$SRC_CACHE/linux-5.10.224.tar.xz"; exit 0
  fi
  rm -f "$SRC_CACHE/.dl.tmp"
  log "kernel.org not reachable; using Debian's 5.10.223 orig tarball"
fi

# 2. Debian bullseye source package, through a private apt configuration so that
#    the system's own sources stay untouched. The mirror is derived at run time.
mirror=
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
fi
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
  mirror=$(awk '$1=="deb" && $0 !~ /security/ {for(i=2;i<=NF;i++) if ($i ~ /:\/\//) {print $i; exit}}' /etc/apt/sources.list)
fi
[ -n "$mirror" ] || { log "cannot find a Debian mirror in /etc/apt"; exit 1; }
APT=$CACHE/apt
mkdir -p "$APT/lists/partial" "$APT/archives/partial"
echo "deb-src $mirror bullseye main" > "$APT/sources.list"
opts=(-o "Dir::Etc::SourceList=$APT/sources.list" -o Dir::Etc::SourceParts=/dev/null
      -o "Dir::State::Lists=$APT/lists" -o "Dir::Cache::Archives=$APT/archives"
      -o APT::Sandbox::User=root)
apt-get "${opts[@]}" update -qq >&2
( cd "$SRC_CACHE" && apt-get "${opts[@]}" source --download-only linux=5.10.223-1 >&2 )
rm -f "$SRC_CACHE"/linux_5.10.223-1.debian.tar.xz "$SRC_CACHE"/linux_5.10.223-1.dsc
[ -s "$SRC_CACHE/linux_5.10.223.orig.tar.xz" ] || { log "download failed"; exit 1; }
echo "$SRC_CACHE/linux_5.10.223.orig.tar.xz"
