#!/usr/bin/env bash
# What tinyrnn's `small-code` feature does to each firmware: builds the `release` firmware of
# every target both with and without the feature (the shipped builds use it on the cores without
# a floating-point unit: Cortex-M0, M3, RISC-V), runs each under QEMU, checks that every run
# prints the desktop's final-loss bits and weights checksum (the feature never changes a bit),
# and measures flash and instructions per training iteration both ways. Also measures the shipped
# RISC-V firmware without linker relaxation. Writes both into docs/footprint.md (between the
# markers that name this script; CI fails if that changes what is committed).
#
#   bash scripts/small-code.sh
#   bash scripts/small-code.sh --reuse target/firmware-report   # right after scripts/firmware.sh
#
# With --reuse, the shipped configuration's figures (flash, instructions, bits) are those of
# scripts/firmware.sh's `release` runs, left in its report folder: the same build, not made and
# run a second time (CI runs the two scripts one after the other).
# The builds are made from copies of the firmware crates under target/small-code, with only the
# features of their tinyrnn dependency changed. Needs what scripts/firmware.sh needs.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=$root/target/small-code
mkdir -p "$out"
reuse=""
case "${1:-}" in
  --reuse) reuse=$(cd "${2:?--reuse needs a folder}" && pwd);;
  "") ;;
  *) echo "usage: bash scripts/small-code.sh [--reuse FOLDER]" >&2; exit 2;;
esac

fail() { echo "SMALL-CODE CHECK FAILED: $*" >&2; exit 1; }

# shellcheck source=scripts/firmware-common.sh
. scripts/firmware-common.sh

cargo run --release --quiet --example binary_addition -- --quiet --no-plot > "$out/desktop.txt"
want_loss=$(loss_bits_of "$out/desktop.txt")
want_sum=$(checksum_of "$out/desktop.txt")

# Both firmware crates, side by side (the RISC-V one includes the other's app.rs), depending on
# this repository's tinyrnn.
copy_crates() { # destination
  rm -rf "$1"
  mkdir -p "$1"
  for crate in firmware firmware-riscv; do
    (cd harness && tar --exclude="./$crate/target" -cf - "./$crate") | (cd "$1" && tar -xf -)
    sed -i "s|path = \"../..\"|path = \"$fixed_root\"|" "$1/$crate/Cargo.toml"
  done
  # The harness embeds the example's model by a relative path.
  sed -i "s|\.\./\.\./\.\./examples/firmware/model/|$root/examples/firmware/model/|" "$1/firmware/src/app.rs"
}
copy_crates "$out/with"
copy_crates "$out/without"
# With: every tinyrnn dependency has the feature. Without: none has (the Cortex-M0/M3-only
# dependency goes).
sed -i 's|^tinyrnn = { path = "\([^"]*\)" }$|tinyrnn = { path = "\1", features = ["small-code"] }|' \
  "$out"/with/*/Cargo.toml
sed -i "/^\[target.'cfg(target_abi = \"eabi\")'.dependencies\]$/,/^tinyrnn = /d" "$out/without/firmware/Cargo.toml"
sed -i 's|, features = \["small-code"\]||' "$out"/without/*/Cargo.toml
for crate in firmware firmware-riscv; do
  grep -q '^tinyrnn = .*"small-code"' "$out/with/$crate/Cargo.toml" || fail "with: $crate lacks the feature"
  ! grep -q 'small-code' "$out/without/$crate/Cargo.toml" || fail "without: $crate still has the feature"
done

# The configuration each target ships: with the feature on the soft-float cores, without it on
# the Cortex-M4F.
ships_of() { [ "$1" = thumbv7em-none-eabihf ] && echo without || echo with; }

# Builds one target one way and starts its QEMU run in the background (QEMU takes one core, the
# next build the other); records its flash and where its run's output goes. With --reuse, the
# shipped configuration is scripts/firmware.sh's `release` run, not built again.
declare -A m_flash m_log
runs=()
start() { # target with|without
  if [ -n "$reuse" ] && [ "$2" = "$(ships_of "$1")" ]; then
    m_log[$1-$2]=$reuse/$1-release
    m_flash[$1-$2]=$(cat "$reuse/$1-release.flash") || fail "$1: no flash figure in $reuse (run scripts/firmware.sh first)"
    return
  fi
  local crate elf
  crate=$out/$2/$(basename "$(crate_of "$1")")
  fixed_path_cargo "$crate" build --quiet --release --target "$1"
  elf=$crate/target/$1/release/tinyrnn-$(basename "$crate")
  m_log[$1-$2]=$out/$1-$2
  m_flash[$1-$2]=$(flash_of "$elf")
  count_run "$1" "$elf" "$out/$1-$2" &
  runs+=("$!")
}
for t in $targets; do
  start "$t" without
  start "$t" with
done
for pid in "${runs[@]}"; do
  wait "$pid" || fail "a firmware run failed (see above)"
done

rows=()
for t in $targets; do
  for way in without with; do
    log=${m_log[$t-$way]}
    [ "$(checksum_of "$log.txt")" = "$want_sum" ] && [ "$(loss_bits_of "$log.txt")" = "$want_loss" ] \
      || fail "$t $way small-code: not the desktop's bits ($want_loss, $want_sum)"
  done
  off_flash=${m_flash[$t-without]} off_insns=$(insns_per_iteration "${m_log[$t-without]}.insn")
  on_flash=${m_flash[$t-with]} on_insns=$(insns_per_iteration "${m_log[$t-with]}.insn")
  ships=$(ships_of "$t")
  rows+=("$(awk -v core="$(short_core "$t")" -v ships="$ships" -v f0="$(commas "$off_flash")" \
      -v f1="$(commas "$on_flash")" -v df="$(commas $(( on_flash > off_flash ? on_flash - off_flash : off_flash - on_flash )))" \
      -v sign="$([ "$on_flash" -ge "$off_flash" ] && echo + || echo −)" \
      -v i0="$(commas "$off_insns")" -v i1="$(commas "$on_insns")" -v n0="$off_insns" -v n1="$on_insns" 'BEGIN {
    pct = 100 * (n1 - n0) / n0
    printf "| %s | %s | %s | %s (%s%s) | %s | %s (%+" (pct >= 10 || pct <= -10 ? ".0f" : ".1f") "%%) |", core, ships, f0, f1, sign, df, i0, i1, pct
  }')")
  echo "$t: the same bits with and without small-code ($want_sum)"
done

echo
{
  echo "| core | ships | flash without (B) | flash with (B) | instructions / iteration without | with |"
  echo "| --- | --- | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${rows[@]}"
} | tee "$out/table.md"
{
  echo "| core | ships | flash without (B) | flash with (B) | instructions / iteration without | with |"
  echo "| --- | --- | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${rows[@]}"
} | python3 scripts/docs_block.py docs/footprint.md small-code

# The shipped RISC-V firmware without linker relaxation (`+relax` in its .cargo/config.toml):
# the command harness/firmware/README.md gives; its figure goes into docs/footprint.md.
# RUSTFLAGS replaces the configuration's rustflags.
riscv=riscv32imac-unknown-none-elf
fixed_path_cargo "$root/harness/firmware-riscv" build --quiet --release
RUSTFLAGS="-C link-arg=-Tmemory.x -C link-arg=-Tlink.x" \
  fixed_path_cargo "$root/harness/firmware-riscv" build --quiet --release --target-dir "$out/no-relax"
relaxed=$(flash_of "harness/firmware-riscv/target/$riscv/release/tinyrnn-firmware-riscv")
unrelaxed=$(flash_of "$out/no-relax/$riscv/release/tinyrnn-firmware-riscv")
[ "$unrelaxed" -gt "$relaxed" ] || fail "without relaxation: $unrelaxed bytes, not more than $relaxed"
echo
echo "RISC-V release firmware: $(commas "$relaxed") bytes of flash with linker relaxation, $(commas "$unrelaxed") without"
over=""
[ "$unrelaxed" -le 16384 ] || over=", over the 16 KiB budget"
echo "Without relaxation the RISC-V \`release\` firmware takes $(commas "$unrelaxed") bytes of flash instead of
$(commas "$relaxed")$over." | python3 scripts/docs_block.py docs/footprint.md no-relax
