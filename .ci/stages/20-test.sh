#!/usr/bin/env bash
# CI stage: cargo test (the README's test command).
# Runs alone from any folder (bash .ci/stages/20-test.sh) once .ci/stages/00-setup.sh has installed
# the toolchains and packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

step "cargo test (the README's test command)"
cargo test
