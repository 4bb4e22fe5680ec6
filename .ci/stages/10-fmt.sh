#!/usr/bin/env bash
# CI stage: cargo fmt --check.
# Runs alone from any folder (bash .ci/stages/10-fmt.sh) once .ci/stages/00-setup.sh has installed
# the toolchains and packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

step "cargo fmt --check"
cargo fmt --all -- --check
(cd examples/firmware && cargo fmt -- --check)
(cd harness/firmware && cargo fmt -- --check)
(cd harness/firmware-riscv && cargo fmt -- --check)
(cd fuzz && cargo fmt -- --check)
