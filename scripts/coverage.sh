#!/usr/bin/env bash
# Line coverage of the library by its unit and integration tests (cargo-llvm-cov; installs it
# if missing), once as the library builds by default and once with the feature `small-code`,
# whose rolled-up kernels are other code (llvm-cov cannot merge two builds of one function, so
# each gets its own table). Not the doc tests: cargo-llvm-cov needs nightly for them. About
# 3 minutes; not part of CI.
#
#   bash scripts/coverage.sh           # the summary per file of src/, both builds; the totals
#                                      # go into docs/testing.md
#   bash scripts/coverage.sh --text    # every line with its count (0: never run), both builds
#
# What stays uncovered on an x86-64 machine is the arms that a target without SIMD takes
# (`linalg::SIMD` is a constant; the firmware runs them under QEMU, with the desktop's bits),
# the other build's arms, a few lines of the tests' own helpers, and two arms in linalg for a
# case the shapes rule out (in place of an index that could panic).
# The summary counts a function built more than once (a generic one per shape; any one both in
# the library's unit-test build and in the one the integration tests link) by its best build,
# not all of them together: a line that only another build runs counts as missed there, and as
# run in `--show-missing-lines` and `--text`, which merge the builds.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo-llvm-cov >/dev/null || cargo install cargo-llvm-cov --locked
mkdir -p target/coverage
rows=()
for features in "" small-code; do
  echo "== line coverage of src/, ${features:-default features} =="
  cargo llvm-cov clean --workspace
  # The tests' own output is not what is wanted here; cargo's progress (stderr) stays.
  cargo llvm-cov --no-report --lib --tests ${features:+--features "$features"} >/dev/null
  # Only the library's files count, not the tests' and examples'.
  cargo llvm-cov report --ignore-filename-regex '(tests|examples|benches)/' "${@:---summary-only}" \
    | tee target/coverage/report.txt
  # TOTAL, then regions (3 columns), functions (3), lines: count, missed, share.
  rows+=("$(awk -v b="${features:-default}" '$1 == "TOTAL" {
    printf "| %s | %d | %d | %d | %s |", b, $8, $8 - $9, $9, $10 }' target/coverage/report.txt)")
done
# The summary of a plain run is docs/testing.md's table.
if [ "$#" = 0 ]; then
  {
    echo "| build | lines of src/ | run by the tests | missed | coverage |"
    echo "| --- | ---: | ---: | ---: | ---: |"
    printf '%s\n' "${rows[@]}"
  } | python3 scripts/docs_block.py docs/testing.md coverage
fi
