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
# Everything `cargo test` builds, built by 1.88; of the tests, the unit tests and the doc tests
# (the README's examples) run. The integration tests, slow in a debug build, ran on stable in
# the README's `cargo test`: the same code, the same bits.
cargo +1.88 test --no-run
cargo +1.88 test --lib
cargo +1.88 test --doc
cargo +1.88 build --lib --release --target thumbv6m-none-eabi
