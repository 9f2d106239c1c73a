#!/usr/bin/env bash
# The parity corpus: real C programs from Debian (bookworm) source packages,
# each built with -g at -O0 and -O2. Prints one line per binary:
#   NAME OLEVEL PATH
# Everything is cached under ${TSDBG_CACHE:-~/.cache/tsdbg}/parity:
#   apt/        a private apt configuration (deb-src only; the system's sources stay untouched)
#   src/        the downloaded source packages
#   build/NAME-HASH/OLEVEL/   one build, keyed by the tarball, this script and the flags
# A second run finds every build in place and neither fetches nor compiles.
set -euo pipefail
CACHE=${TSDBG_CACHE:-$HOME/.cache/tsdbg}/parity
SRC=$CACHE/src
BUILD=$CACHE/build
mkdir -p "$SRC" "$BUILD"
log() { echo "parity-corpus: $*" >&2; }
SELF_HASH=$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)
GCC_VERSION=$(gcc -dumpfullversion 2>/dev/null || gcc -dumpversion)

# package  tarball-glob  program
PROGRAMS=(
  "lua5.4 lua5.4_*.orig.tar.gz lua"
  "bzip2 bzip2_*.orig.tar.gz bzip2"
  "cjson cjson_*.orig.tar.gz cjson"
  "lz4 lz4_*.orig.tar.gz lz4"
  "zlib zlib_*.orig.tar.* minigzip"
)

apt_opts() {
  local apt=$CACHE/apt
  echo "-o Dir::Etc::SourceList=$apt/sources.list -o Dir::Etc::SourceParts=/dev/null" \
       "-o Dir::State::Lists=$apt/lists -o Dir::Cache::Archives=$apt/archives -o APT::Sandbox::User=root"
}

# The mirror comes from this machine's apt configuration (never named here).
apt_setup() {
  local apt=$CACHE/apt mirror=
  [ -s "$apt/lists/.ok" ] && return 0
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    mirror=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  fi
  if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
    mirror=$(awk '$1=="deb" && $0 !~ /security/ {for(i=2;i<=NF;i++) if ($i ~ /:\/\//) {print $i; exit}}' /etc/apt/sources.list)
  fi
  [ -n "$mirror" ] || { log "cannot find a Debian mirror in /etc/apt"; exit 1; }
  mkdir -p "$apt/lists/partial" "$apt/archives/partial"
  echo "deb-src $mirror bookworm main" > "$apt/sources.list"
  # shellcheck disable=SC2046
  apt-get $(apt_opts) update -qq >&2
  echo ok > "$apt/lists/.ok"
}

fetch() { # PKG GLOB -> path of the orig tarball
  local pkg=$1 glob=$2 f
  f=$(compgen -G "$SRC/$glob" | head -1 || true)
  if [ -z "$f" ]; then
    apt_setup
    log "fetching $pkg"
    # shellcheck disable=SC2046
    ( cd "$SRC" && apt-get $(apt_opts) source --download-only "$pkg" >&2 )
    f=$(compgen -G "$SRC/$glob" | head -1 || true)
    [ -n "$f" ] || { log "download of $pkg failed"; exit 1; }
  fi
  echo "$f"
}

# build_PROGRAM: run in the unpacked tree; $CFLAGS holds -g -OLEVEL; leaves ./PROGRAM.
build_lua() {
  cd src
  gcc $CFLAGS -DLUA_USE_LINUX -o ../lua $(ls ./*.c | grep -v luac.c | sed 's|^\./||') -lm -ldl
}
build_bzip2() {
  gcc $CFLAGS -D_FILE_OFFSET_BITS=64 -o bzip2 blocksort.c huffman.c crctable.c randtable.c \
    compress.c decompress.c bzlib.c bzip2.c
}
build_cjson() { gcc $CFLAGS -o cjson cJSON.c test.c -lm; }
build_lz4() {
  gcc $CFLAGS -Ilib -o lz4 lib/lz4.c lib/lz4hc.c lib/lz4frame.c lib/xxhash.c \
    programs/bench.c programs/datagen.c programs/lz4cli.c programs/lz4io.c
}
build_minigzip() {
  gcc $CFLAGS -I. -DHAVE_UNISTD_H -D_LARGEFILE64_SOURCE=1 -o minigzip adler32.c crc32.c deflate.c infback.c inffast.c inflate.c \
    inftrees.c trees.c zutil.c compress.c uncompr.c gzclose.c gzlib.c gzread.c gzwrite.c test/minigzip.c
}

for entry in "${PROGRAMS[@]}"; do
  read -r pkg glob prog <<<"$entry"
  tarball=$(fetch "$pkg" "$glob")
  key=$( (sha256sum "$tarball" | cut -c1-64; echo "$SELF_HASH $GCC_VERSION") | sha256sum | cut -c1-12)
  for o in O0 O2; do
    dir=$BUILD/$prog-$key/$o
    if [ ! -x "$dir/tree/$prog" ]; then
      log "building $prog -$o"
      rm -rf "$dir" && mkdir -p "$dir/tree"
      tar -xf "$tarball" -C "$dir/tree" --strip-components=1
      if ! ( cd "$dir/tree" && CFLAGS="-g -$o" && "build_$prog" ) >"$dir/build.log" 2>&1; then
        cat "$dir/build.log" >&2; log "building $prog -$o failed"; exit 1
      fi
    fi
    echo "$prog $o $dir/tree/$prog"
  done
done
