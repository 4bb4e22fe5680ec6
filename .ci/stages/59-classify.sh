#!/usr/bin/env bash
# CI stage: real sensor recordings (examples/classify.rs): fetches two problems of the UCR/UEA archives (scripts/fetch-ucr.sh, from the Python package registry), reruns the GRU's rows of docs/classify.md (10 seeds each: the same figures; the rate and epochs chosen by cross-validation; the firmware's shape), and checks that bad input gets a clear error.
# Runs alone from any folder (bash .ci/stages/59-classify.sh) once .ci/stages/00-setup.sh has
# installed the toolchains and packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

step "UCR/UEA problems: the GRU's rows of docs/classify.md, and bad input refused"
bash scripts/fetch-ucr.sh
cargo build --release --quiet --example classify
classify=./target/release/examples/classify
for spec in "BasicMotions 50" "ItalyPowerDemand 100"; do
  set -- $spec
  row=$($classify --train "target/ucr/$1/$1_TRAIN.ts" --test "target/ucr/$1/$1_TEST.ts" \
    --epochs "$2" --seeds 10 --quiet 2>/dev/null | grep '^| ')
  grep -qxF "$row" docs/classify.md || { echo "docs/classify.md lacks the row: $row" >&2; exit 1; }
  echo "$row"
done
ipd=target/ucr/ItalyPowerDemand/ItalyPowerDemand
bm=target/ucr/BasicMotions/BasicMotions
for args in "--train ${ipd}_TRAIN.ts --test ${ipd}_TEST.ts --select" \
            "--train ${bm}_TRAIN.ts --test ${bm}_TEST.ts --epochs 50 --device target/ci-motions.trds"; do
  # shellcheck disable=SC2086
  row=$($classify $args --seeds 10 --quiet 2>/dev/null | grep '^| ')
  grep -qxF "$row" docs/classify.md || { echo "docs/classify.md lacks the row: $row" >&2; exit 1; }
  echo "$row"
done
# Bad flags: status 2. A file that is not there, or a missing value in it: status 1, with the
# line.
train=target/ucr/ItalyPowerDemand/ItalyPowerDemand_TRAIN.ts
expect_status 2 $classify --train "$train" 2>/dev/null
expect_status 2 $classify --train "$train" --test "$train" --cell rnn 2>/dev/null
expect_status 2 $classify --train "$train" --test "$train" --hidden 12 2>/dev/null
expect_status 1 $classify --train target/none.ts --test "$train" 2>/dev/null
expect_status 2 $classify --train "$train" --test "$train" --select --lr 0.1 2>/dev/null
expect_status 2 $classify --train "${bm}_TRAIN.ts" --test "${bm}_TEST.ts" --device target/ci.trds --cell lstm 2>/dev/null
# The firmware is compiled for BasicMotions's shape: another problem is refused, saying so.
expect_status 1 $classify --train "$train" --test "$train" --device target/ci.trds 2> target/ci-device.txt
grep -q "the firmware is compiled for series of 100 steps" target/ci-device.txt || { cat target/ci-device.txt; exit 1; }
case=$(( $(grep -n '^@data' "$train" | cut -d: -f1) + 1 ))
sed "${case}s/^[^,]*,/?,/" "$train" > target/ci-missing.ts
expect_status 1 $classify --train target/ci-missing.ts --test "$train" 2> target/ci-missing.txt
grep -q "line $case: a missing value" target/ci-missing.txt || { cat target/ci-missing.txt; exit 1; }
