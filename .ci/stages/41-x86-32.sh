#!/usr/bin/env bash
# CI stage: 32-bit x86: the tests on i686 (SSE2); x87 (i586) refused, and why (about 3 minutes).
# Runs alone from any folder (bash .ci/stages/41-x86-32.sh) once .ci/stages/00-setup.sh has installed
# the toolchains and packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

step "32-bit x86: the tests on i686 (SSE2); x87 (i586) refused, and why (about 3 minutes)"
docs_snapshot docs/testing.md
bash scripts/x86-32.sh
docs_unchanged
