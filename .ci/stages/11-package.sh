#!/usr/bin/env bash
# CI stage: cargo package (the crate as published builds from its own files, licences included).
# Runs alone from any folder (bash .ci/stages/11-package.sh) once .ci/stages/00-setup.sh has installed
# the toolchains and packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

step "cargo package (the crate as published builds from its own files, licences included)"
cargo package --locked
cargo package --list --locked > target/package-files.txt
grep -qx LICENSE-MIT target/package-files.txt
grep -qx LICENSE-APACHE target/package-files.txt
