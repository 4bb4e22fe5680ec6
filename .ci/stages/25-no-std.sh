#!/usr/bin/env bash
# CI stage: no_std library builds.
# Runs alone from any folder (bash .ci/stages/25-no-std.sh) once .ci/stages/00-setup.sh has installed
# the toolchains and packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

step "no_std library builds"
cargo build --lib --release --target thumbv6m-none-eabi
cargo build --lib --release --target thumbv6m-none-eabi --features small-code
cargo build --lib --release --target thumbv7em-none-eabihf
