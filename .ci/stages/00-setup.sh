#!/usr/bin/env bash
# CI stage: toolchain, targets, QEMU.
# Installs what a fresh Debian 12 machine with rustup lacks; every other stage needs it first.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

step "toolchain, targets, QEMU"
# The pinned compiler with the components and the four targets rust-toolchain.toml lists (it
# also adds any of them that an installed toolchain lacks).
rustup toolchain install
rustc --version
# The big-endian checks (scripts/big-endian.sh) build the tests for 32-bit PowerPC, the 32-bit
# x86 ones (scripts/x86-32.sh) for i686 and i586.
rustup target add powerpc-unknown-linux-gnu i686-unknown-linux-gnu i586-unknown-linux-gnu
# QEMU: the system emulators run the firmware, the user mode the PowerPC tests.
if ! command -v qemu-system-arm >/dev/null || ! command -v qemu-system-riscv32 >/dev/null \
    || ! command -v qemu-ppc >/dev/null; then
  # bookworm's QEMU 7.2 conflicts with the QEMU utilities these machines carry; backports has 10.
  # The source line comes from the machine's own bookworm mirror (.ci/backports.sh).
  bash .ci/backports.sh
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends -t bookworm-backports \
    qemu-system-arm qemu-system-misc qemu-user
fi
if ! command -v addr2line >/dev/null || ! command -v python3 >/dev/null || ! command -v valgrind >/dev/null \
    || ! command -v gcc >/dev/null || ! command -v powerpc-linux-gnu-gcc >/dev/null \
    || ! echo 'int main(void) { return 0; }' | gcc -m32 -x c -o /dev/null - 2>/dev/null; then
  # scripts/firmware-profile.sh maps instructions to source lines with binutils' addr2line;
  # scripts/desktop-insns.sh counts instructions with valgrind; the C baseline needs gcc; the
  # PowerPC tests link with the cross gcc and its C library, the 32-bit x86 ones with gcc -m32
  # and the 32-bit C and gcc libraries (not gcc-multilib, which conflicts with the cross gcc).
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends binutils python3 valgrind gcc libc6-dev \
    gcc-powerpc-linux-gnu libc6-dev-powerpc-cross libc6-dev-i386 lib32gcc-12-dev
fi
# scripts/fetch-ucr.sh downloads two problems of the UCR/UEA archives with pip, which Debian's
# python3 comes without.
if ! python3 -m pip --version >/dev/null 2>&1; then
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends python3-pip
fi
qemu-system-arm --version | head -n 1
qemu-system-riscv32 --version | head -n 1
qemu-ppc --version | head -n 1
