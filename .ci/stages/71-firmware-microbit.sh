#!/usr/bin/env bash
# CI stage: firmware for a real board (BBC micro:bit v2, RTT): build only.
# Runs alone from any folder (bash .ci/stages/71-firmware-microbit.sh) once .ci/stages/00-setup.sh has installed
# the toolchains and packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

step "firmware for a real board (BBC micro:bit v2, RTT): build only"
(cd harness/firmware && cargo build --release --no-default-features --features microbit-v2)
