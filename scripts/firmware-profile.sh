#!/usr/bin/env bash
# Where the instructions of a training iteration go on the device: runs the firmware under QEMU
# with the instruction-count plugin in profile mode (tools/qemu-insncount, `profile=on`), counts
# every translation block executed during the 10,000 training iterations, and prints the
# instructions per iteration of each source function (inlined code is charged to the function it
# was inlined from), with scripts/profile.py. The default run writes its first rows into
# docs/footprint.md (between the markers that name this script).
#
#   bash scripts/firmware-profile.sh                          # Cortex-M4F, release
#   bash scripts/firmware-profile.sh thumbv7m-none-eabi speed # another target or profile
#   DEPTH=2 bash scripts/firmware-profile.sh                  # function < its caller
#   FEATURES=fixed bash scripts/firmware-profile.sh thumbv6m-none-eabi  # a feature's build
#
# Needs what scripts/firmware.sh needs, plus python3 and addr2line (binutils).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target=${1:-thumbv7em-none-eabihf}
profile=${2:-release}
out=$root/target/firmware-report
mkdir -p "$out"

fail() { echo "FIRMWARE PROFILE FAILED: $*" >&2; exit 1; }

# shellcheck source=scripts/firmware-common.sh
. scripts/firmware-common.sh

target_info "$target"
build "$target" "$profile" "${FEATURES:-}"
elf=$(elf_of "$target" "$profile")
mark=$("$nm" "$elf" | awk '$3 == "bench_mark" {print $1}')
[ -n "$mark" ] || fail "$target: no bench_mark symbol"
log=$out/$target-$profile${FEATURES:+-$FEATURES}-profile
# shellcheck disable=SC2046
timeout 900 $(machine "$target") -d plugin -D "$log.insn" \
  -plugin "$plugin,mark=0x$mark,profile=on" -kernel "$elf" > "$log.txt" \
  || { cat "$log.txt"; fail "$target ($profile): QEMU failed or timed out"; }
grep -q "^result: ok$" "$log.txt" || { cat "$log.txt"; fail "$target ($profile): not 100% accurate"; }
echo "$target ($profile), $(basename "$elf"):"
python3 scripts/profile.py "$elf" "$log.insn" "$objdump" "${ITERS:-10000}" "${DEPTH:-1}" | tee "$log.md"
# The default (Cortex-M4F, release, depth 1) is docs/footprint.md's table: its first twelve
# functions, and the total.
if [ "$target" = thumbv7em-none-eabihf ] && [ "$profile" = release ] && [ "${DEPTH:-1}" = 1 ] \
    && [ -z "${FEATURES:-}" ]; then
  { grep '^| ' "$log.md" | head -n 14; echo; sed -n 1p "$log.md"; } \
    | sed 's/^\([0-9,]*\) instructions per iteration$/In all \1 instructions per iteration./' \
    | python3 scripts/docs_block.py docs/footprint.md profile
fi
