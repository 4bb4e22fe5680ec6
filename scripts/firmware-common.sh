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

# Per target: its QEMU machine (without -kernel) and the name of its core.
target_info() {
  case $1 in
    thumbv7em-none-eabihf) qemu="qemu-system-arm -cpu cortex-m4 -machine mps2-an386"; name="Cortex-M4F (mps2-an386)";;
    thumbv7m-none-eabi)    qemu="qemu-system-arm -cpu cortex-m3 -machine lm3s6965evb"; name="Cortex-M3 (lm3s6965evb)";;
    thumbv6m-none-eabi)    qemu="qemu-system-arm -cpu cortex-m0 -machine microbit"; name="Cortex-M0 (microbit)";;
    riscv32imac-unknown-none-elf) qemu="qemu-system-riscv32 -machine virt -bios none"; name="RV32IMAC (virt)";;
    *) fail "unknown target $1 (one of: $targets)";;
  esac
}
# The QEMU command line (without -kernel) of each target, and its core's name.
machine() { target_info "$1"; echo "$qemu -nographic -semihosting-config enable=on,target=native"; }
core() { target_info "$1"; echo "$name"; }
# The firmware crate of each target, and its ELF for a profile (the crate's folder, prefixed
# `tinyrnn-`, is its binary's name).
crate_of() {
  case $1 in
    riscv32imac-unknown-none-elf) echo "$root/examples/firmware-riscv";;
    *) echo "$fw";;
  esac
}
elf_of() { # target profile
  local crate
  crate=$(crate_of "$1")
  echo "$crate/target/$1/$2/tinyrnn-$(basename "$crate")"
}
build() { # target profile [features]
  (cd "$(crate_of "$1")" && cargo build --quiet --profile "$2" --target "$1" ${3:+--features "$3"})
}
