#!/usr/bin/env bash
# Installs the Debian packages tsdbg needs to build the kernel, boot the guest
# and run the interoperability tests. Idempotent: skips apt when all are present.
set -euo pipefail
PKGS=(qemu-system-x86 busybox-static flex bison bc libelf-dev libssl-dev cpio
      gdb gdbserver strace xz-utils make gcc g++ binutils python3 python3-ply libc6-dbg clang gcc-multilib
      sparse cppcheck curl)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-system: all packages present"
  exit 0
fi
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "setup-system: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
