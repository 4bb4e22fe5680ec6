#!/usr/bin/env bash
# Fuzzes the model, training-state and stream-state readers with cargo-fuzz (libFuzzer,
# nightly toolchain).
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
# A stream state of the same trainer: the training state, magic TRNH, a hidden state of 16
# floats after the weights, the CRC-32 recomputed.
python3 - "$seeds/state.trns" "$seeds/stream.trnh" <<'PY'
import struct, sys, zlib
state = open(sys.argv[1], "rb").read()
body = b"TRNH" + state[4:-4] + struct.pack("<16f", *[k / 16 - 0.5 for k in range(16)])
open(sys.argv[2], "wb").write(body + struct.pack("<I", zlib.crc32(body)))
PY
for target in read_model read_state read_stream_state; do
  corpus=fuzz/corpus/$target
  mkdir -p "$corpus"
  case $target in
    read_model) file=$seeds/model.trnm ;;
    read_state) file=$seeds/state.trns ;;
    *) file=$seeds/stream.trnh ;;
  esac
  for mode in 0 1; do
    { printf "\\x0$mode"; cat "$file"; } > "$corpus/seed-$mode"
  done
  # Earlier crashes (fixed) are replayed from fuzz/regressions as extra seeds.
  (cd fuzz && cargo +nightly fuzz run "$target" "corpus/$target" regressions -- \
      -max_total_time="$secs" -print_final_stats=1 2>&1) | tee "target/fuzz-$target.log" | grep -E "^(stat::|Done|==|SUMMARY)" || true
  grep -q "^Done" "target/fuzz-$target.log" || { echo "fuzzing $target failed"; exit 1; }
done
