#!/usr/bin/env bash
# CI stage: firmware under QEMU (Cortex-M4F, M3, M0, RV32): crashes, panic-freedom, bit-identical training, footprint, instructions.
# Runs alone from any folder (bash .ci/stages/70-firmware-harness.sh) once .ci/stages/00-setup.sh has installed
# the toolchains and packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

step "firmware under QEMU (Cortex-M4F, M3, M0, RV32): crashes, panic-freedom, bit-identical training, footprint, instructions"
bash scripts/firmware.sh
# The README's footprint tables (training, both profiles; inference only; the latch from a
# stream) are what was measured.
test "$(grep -cFx -f target/firmware-report/readme-rows.md docs/footprint.md)" = 16
# ...and the firmware README quotes what core::fmt float printing adds on each target.
test "$(wc -l < target/firmware-report/fmt-float-bytes.txt)" = 4
while read -r bytes; do
  grep -qF "$bytes" harness/firmware/README.md || { echo "firmware README lacks $bytes"; exit 1; }
done < target/firmware-report/fmt-float-bytes.txt
# ...and its samples of what the Cortex-M4F prints, training and learning the latch, are that.
sample_is_output harness/firmware/README.md 1 target/firmware-report/thumbv7em-none-eabihf-release.txt
sample_is_output harness/firmware/README.md 2 target/firmware-report/thumbv7em-none-eabihf-latch.txt
bash scripts/firmware-profile.sh > target/firmware-report/profile.md
grep -q "instructions per iteration" target/firmware-report/profile.md
# Every target with the feature small-code flipped (on for the M4F, off for the others): the
# same bits, and the README's small-code table.
bash scripts/small-code.sh
test "$(grep -cFx -f target/small-code/readme-rows.md docs/footprint.md)" = 4
# ...and both READMEs quote what the RISC-V firmware needs without linker relaxation.
read -r unrelaxed relaxed < target/small-code/no-relax-bytes.txt
grep -qF "$unrelaxed bytes instead of $relaxed" harness/firmware/README.md
grep -qF "the build needs $unrelaxed bytes" docs/footprint.md
