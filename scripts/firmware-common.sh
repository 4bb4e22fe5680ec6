# Shared by scripts/firmware.sh and scripts/firmware-profile.sh (sourced, not run): the tools,
# the instruction-count plugin, and for each firmware target its QEMU command line, core name,
# crate, ELF and build. Expects `root` (the repository) and a `fail` function.

fw=$root/harness/firmware

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
# $qemu_extra, when set, adds options (the Cortex-M0's LSTM: an nRF51822 with 32 KiB of RAM).
machine() { target_info "$1"; echo "$qemu ${qemu_extra:-} -nographic -semihosting-config enable=on,target=native"; }
core() { target_info "$1"; echo "$name"; }
# The firmware crate of each target, and its ELF for a profile (the crate's folder, prefixed
# `tinyrnn-`, is its binary's name).
crate_of() {
  case $1 in
    riscv32imac-unknown-none-elf) echo "$root/harness/firmware-riscv";;
    *) echo "$fw";;
  esac
}
elf_of() { # target profile
  local crate
  crate=$(crate_of "$1")
  echo "$crate/target/$1/$2/tinyrnn-$(basename "$crate")"
}
build() { # target profile [features]
  fixed_path_cargo "$(crate_of "$1")" build --quiet --profile "$2" --target "$1" ${3:+--features "$3"}
}

# Cargo in a firmware crate under $root (its folder), reached through one fixed path. Cargo
# hashes the absolute path of a path dependency outside the workspace (tinyrnn, at ../..) into
# every symbol's name; the names order the functions in flash, and their alignment padding
# moved the flash figures by a few bytes from one checkout's folder to another's. Through the
# symbolic link $fixed_root every checkout builds the same bytes. One build at a time holds it.
fixed_root=/tmp/tinyrnn-firmware-root
fixed_path_cargo() { # crate-folder cargo-arguments...
  local dir=$1
  shift
  case $dir in "$root"/*) ;; *) fail "$dir is not under $root";; esac
  (
    flock 9
    ln -sfn "$root" "$fixed_root"
    # The configuration (.cargo/config.toml) is found from the working folder, the package
    # from the manifest's path, which cargo does not resolve.
    cd "$dir" && cargo "$@" --manifest-path "$fixed_root${dir#"$root"}/Cargo.toml"
  ) 9>"$fixed_root.lock"
}

# Flash of an ELF: every section the image loads (code and data: the vector table, .text,
# .rodata, .data's initial values, RISC-V's .init.rust...).
flash_of() {
  local loaded
  loaded=$("$objdump" -h "$1" | awk '$NF == "TEXT" || $NF == "DATA" {print $2}')
  "$size" -A "$1" | awk -v loaded="$loaded" '
    BEGIN {n = split(loaded, names, "\n"); for (i = 1; i <= n; i++) want[names[i]] = 1}
    $1 in want {s += $2} END {print s}'
}

# What a run (or the desktop example) printed: static RAM and peak stack in bytes, the final
# loss's bits, the weights checksum.
static_ram_of() { sed -n 's/^static RAM: \([0-9]*\) bytes.*/\1/p' "$1"; }
peak_stack_of() { sed -n 's/.*peak stack: \([0-9]*\) bytes.*/\1/p' "$1"; }
loss_bits_of() { sed -n 's/^final loss: .*(bits \(0x[0-9a-f]*\))$/\1/p' "$1"; }
checksum_of() { sed -n 's/^weights checksum: \(0x[0-9a-f]*\)$/\1/p' "$1"; }

# Runs a training firmware under QEMU with the instruction-count plugin: its output goes to
# LOG.txt, the counts at its marks to LOG.insn; it must end with 100% accuracy.
count_run() { # target elf log
  local mark
  mark=$("$nm" "$2" | awk '$3 == "bench_mark" {print $1}')
  [ -n "$mark" ] || fail "$1: no bench_mark symbol in $2"
  # shellcheck disable=SC2046
  if ! timeout 900 $(machine "$1") -d plugin -D "$3.insn" -plugin "$plugin,mark=0x$mark" \
      -kernel "$2" > "$3.txt"; then
    cat "$3.txt"; fail "$1: QEMU failed or timed out ($2)"
  fi
  grep -q "^result: ok$" "$3.txt" || { cat "$3.txt"; fail "$1: not 100% accurate ($2)"; }
}

# The counts at a run's marks 0, 1, 2 (start of training, end of training, end of evaluation).
marks_of() { sed -n 's/^insncount: mark 0x[0-9a-f]* count \([0-9]*\)$/\1/p' "$1"; }
train_iterations=10000
eval_pairs=16384
infer_pairs=256
# Instructions per training iteration, to the nearest (as scripts/profile.py prints them).
insns_per_iteration() {
  local counts
  mapfile -t counts < <(marks_of "$1")
  [ "${#counts[@]}" -ge 3 ] || fail "expected 3 marks in $1"
  echo $(( (counts[1] - counts[0] + train_iterations / 2) / train_iterations ))
}

# A whole number with thousands separators, as docs/ prints them: 1159111 → 1,159,111.
commas() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
# A core's name without its QEMU machine: "Cortex-M4F (mps2-an386)" → "Cortex-M4F".
short_core() { core "$1" | sed 's/ (.*)$//'; }
