#!/usr/bin/env bash
# CI stage: desktop instruction counts (docs/desktop-speed.md's table, which scripts/desktop-speed.sh writes; valgrind).
# Runs alone from any folder (bash .ci/stages/63-desktop-insns.sh) once .ci/stages/00-setup.sh has installed
# the toolchains and packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

step "desktop instruction counts (docs/desktop-speed.md's table, which scripts/desktop-speed.sh writes; valgrind)"
bash scripts/desktop-insns.sh
