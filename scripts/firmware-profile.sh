#!/usr/bin/env bash
# Where the instructions of a training iteration go on the device: runs the firmware under QEMU
# with the instruction-count plugin in profile mode (tools/qemu-insncount, `profile=on`), counts
# every translation block executed during the 10,000 training iterations, and prints the
# instructions per iteration of each source function (inlined code is charged to the function it
# was inlined from), with scripts/profile.py.
#
#   bash scripts/firmware-profile.sh                          # Cortex-M4F, release
#   bash scripts/firmware-profile.sh thumbv7m-none-eabi speed # another target or profile
#   DEPTH=2 bash scripts/firmware-profile.sh                  # function < its caller
#
# Needs what scripts/firmware.sh needs, plus python3 and addr2line (binutils).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target=${1:-thumbv7em-none-eabihf}
profile=${2:-release}
out=$root/target/firmware-report
mkdir -p "$out"

tools=$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin
nm=$tools/llvm-nm; objdump=$tools/llvm-objdump
[ -x "$objdump" ] || { echo "no llvm-objdump: run 'rustup component add llvm-tools'" >&2; exit 1; }

plugin_dir=$root/target/qemu-insncount
cargo build --release --quiet --manifest-path tools/qemu-insncount/Cargo.toml --target-dir "$plugin_dir"
plugin=$plugin_dir/release/libinsncount.so

semi="-nographic -semihosting-config enable=on,target=native"
case $target in
  thumbv7em-none-eabihf) crate=examples/firmware; qemu="qemu-system-arm -cpu cortex-m4 -machine mps2-an386";;
  thumbv7m-none-eabi)    crate=examples/firmware; qemu="qemu-system-arm -cpu cortex-m3 -machine lm3s6965evb";;
  thumbv6m-none-eabi)    crate=examples/firmware; qemu="qemu-system-arm -cpu cortex-m0 -machine microbit";;
  riscv32imac-unknown-none-elf) crate=examples/firmware-riscv; qemu="qemu-system-riscv32 -machine virt -bios none";;
  *) echo "unknown target $target" >&2; exit 2;;
esac
(cd "$crate" && cargo build --quiet --profile "$profile" --target "$target")
elf=$(ls "$crate/target/$target/$profile/"tinyrnn-firmware* | grep -v '\.d$' | head -1)
mark=$("$nm" "$elf" | awk '$3 == "bench_mark" {print $1}')
log=$out/$target-$profile-profile
# shellcheck disable=SC2086
timeout 900 $qemu $semi -d plugin -D "$log.insn" \
  -plugin "$plugin,mark=0x$mark,profile=on" -kernel "$elf" > "$log.txt"
grep -q "^result: ok$" "$log.txt" || { cat "$log.txt"; echo "firmware run failed" >&2; exit 1; }
echo "$target ($profile), $(basename "$elf"):"
python3 scripts/profile.py "$elf" "$log.insn" "$objdump" 10000 "${DEPTH:-1}"
