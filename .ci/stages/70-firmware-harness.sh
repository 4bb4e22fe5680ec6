#!/usr/bin/env bash
# CI stage: firmware under QEMU (Cortex-M4F, M3, M0, RV32): crashes, panic-freedom, bit-identical training, footprint, instructions.
# Runs alone from any folder (bash .ci/stages/70-firmware-harness.sh) once .ci/stages/00-setup.sh has installed
# the toolchains and packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

step "firmware under QEMU (Cortex-M4F, M3, M0, RV32): crashes, panic-freedom, bit-identical training, footprint, instructions"
docs_snapshot docs/footprint.md
# The desktop example the gated cells' firmware is checked against refuses bad flags.
for bad in "--cell rnn" "--lr 0" "--iters 0" "--init nope"; do
  # shellcheck disable=SC2086
  expect_status 2 cargo run --release --quiet --example gated_cells -- $bad 2>/dev/null
done
bash scripts/firmware.sh
# The harness README's samples of what the Cortex-M4F prints, training and learning the latch,
# are that.
sample_is_output harness/firmware/README.md 1 target/firmware-report/thumbv7em-none-eabihf-release.txt
sample_is_output harness/firmware/README.md 2 target/firmware-report/thumbv7em-none-eabihf-latch.txt
# Where the M4F's instructions go.
bash scripts/firmware-profile.sh
# Every target with the feature small-code flipped (on for the M4F, off for the others): the
# same bits; and the RISC-V build without linker relaxation. The shipped configuration is
# firmware.sh's release build, whose runs it reuses.
bash scripts/small-code.sh --reuse target/firmware-report
# docs/footprint.md holds what these three scripts measured, and nothing else.
docs_unchanged
