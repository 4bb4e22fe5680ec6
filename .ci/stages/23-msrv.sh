#!/usr/bin/env bash
# CI stage: minimum supported Rust version (rust-version = 1.88 in Cargo.toml).
# Runs alone from any folder (bash .ci/stages/23-msrv.sh) once .ci/stages/00-setup.sh has installed
# the toolchains and packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

step "minimum supported Rust version (rust-version = 1.88 in Cargo.toml)"
rustup toolchain install 1.88 --profile minimal
rustup target add --toolchain 1.88 thumbv6m-none-eabi
cargo +1.88 test
cargo +1.88 build --lib --release --target thumbv6m-none-eabi
