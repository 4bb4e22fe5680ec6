#!/usr/bin/env bash
# Fuzzes the model and training-state readers with cargo-fuzz (libFuzzer, nightly toolchain).
#   bash fuzz/run.sh [seconds per target, default 300]
# Seeds each corpus with valid records (mode byte 0 and 1, see the targets), then prints
# libFuzzer's final statistics, among them the number of executions that ran clean.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-300}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
seeds=target/fuzz-seeds
mkdir -p "$seeds"
cargo run --release --quiet --example binary_addition -- --quiet --no-plot --iters 300 \
  --save-model "$seeds/model.trnm" --save-state "$seeds/state.trns" >/dev/null
for target in read_model read_state; do
  corpus=fuzz/corpus/$target
  mkdir -p "$corpus"
  file=$seeds/model.trnm; [ "$target" = read_state ] && file=$seeds/state.trns
  for mode in 0 1; do
    { printf "\\x0$mode"; cat "$file"; } > "$corpus/seed-$mode"
  done
  # Earlier crashes (fixed) are replayed from fuzz/regressions as extra seeds.
  (cd fuzz && cargo +nightly fuzz run "$target" "corpus/$target" regressions -- \
      -max_total_time="$secs" -print_final_stats=1 2>&1) | tee "target/fuzz-$target.log" | grep -E "^(stat::|Done|==|SUMMARY)" || true
  grep -q "^Done" "target/fuzz-$target.log" || { echo "fuzzing $target failed"; exit 1; }
done
