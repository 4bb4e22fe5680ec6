#!/usr/bin/env bash
# CI stage: big-endian and 32-bit: the tests on PowerPC (QEMU user mode), and records carried to and from it (about 5 minutes).
# Runs alone from any folder (bash .ci/stages/40-big-endian.sh) once .ci/stages/00-setup.sh has installed
# the toolchains and packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

step "big-endian and 32-bit: the tests on PowerPC (QEMU user mode), and records carried to and from it (about 5 minutes)"
bash scripts/big-endian.sh
