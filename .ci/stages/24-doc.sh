#!/usr/bin/env bash
# CI stage: cargo doc.
# Runs alone from any folder (bash .ci/stages/24-doc.sh) once .ci/stages/00-setup.sh has installed
# the toolchains and packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

step "cargo doc"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps
