# Shared by scripts/firmware.sh and scripts/firmware-profile.sh (sourced, not run): the tools,
# the instruction-count plugin, and for each firmware target its QEMU command line, core name,
# crate, ELF and build. Expects `root` (the repository) and a `fail` function.

fw=$root/examples/firmware

# llvm-size / llvm-nm / llvm-objdump from rustup's llvm-tools (or the system's).
tools=$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin
if [ -x "$tools/llvm-size" ]; then size=$tools/llvm-size; nm=$tools/llvm-nm; objdump=$tools/llvm-objdump
elif command -v llvm-size >/dev/null; then size=llvm-size; nm=llvm-nm; objdump=llvm-objdump
else fail "no llvm-size: run 'rustup component add llvm-tools'"; fi

# The instruction-count plugin (tools/qemu-insncount, a copy of shared/tools/qemu-insncount).
plugin_dir=$root/target/qemu-insncount
cargo build --release --quiet --manifest-path tools/qemu-insncount/Cargo.toml --target-dir "$plugin_dir"
plugin=$plugin_dir/release/libinsncount.so
[ -f "$plugin" ] || fail "plugin did not build"

targets="thumbv7em-none-eabihf thumbv7m-none-eabi thumbv6m-none-eabi riscv32imac-unknown-none-elf"

# The QEMU command line (without -kernel) of each target.
machine() {
  local semi="-nographic -semihosting-config enable=on,target=native"
  case $1 in
    thumbv7em-none-eabihf) echo "qemu-system-arm -cpu cortex-m4 -machine mps2-an386 $semi";;
    thumbv7m-none-eabi)    echo "qemu-system-arm -cpu cortex-m3 -machine lm3s6965evb $semi";;
    thumbv6m-none-eabi)    echo "qemu-system-arm -cpu cortex-m0 -machine microbit $semi";;
    riscv32imac-unknown-none-elf) echo "qemu-system-riscv32 -machine virt -bios none $semi";;
  esac
}
core() {
  case $1 in
    thumbv7em-none-eabihf) echo "Cortex-M4F (mps2-an386)";;
    thumbv7m-none-eabi)    echo "Cortex-M3 (lm3s6965evb)";;
    thumbv6m-none-eabi)    echo "Cortex-M0 (microbit)";;
    riscv32imac-unknown-none-elf) echo "RV32IMAC (virt)";;
  esac
}
# The firmware crate of each target, and its ELF for a profile.
crate_of() {
  case $1 in
    riscv32imac-unknown-none-elf) echo "$root/examples/firmware-riscv";;
    *) echo "$fw";;
  esac
}
elf_of() { # target profile
  case $1 in
    riscv32imac-unknown-none-elf) echo "$root/examples/firmware-riscv/target/$1/$2/tinyrnn-firmware-riscv";;
    *) echo "$fw/target/$1/$2/tinyrnn-firmware";;
  esac
}
build() { # target profile [features]
  (cd "$(crate_of "$1")" && cargo build --quiet --profile "$2" --target "$1" ${3:+--features "$3"})
}
