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
# A gated stream state of the read_gated_state target's trainer (an LSTM 2-4-1 over 4 steps with
# Adam, PyTorch's defaults): the layout of src/format/mod.rs, small numbers, the CRC-32.
python3 - "$seeds/gated.trgh" <<'PY'
import struct, sys, zlib
params = 4 * 2 * 4 + 4 * 4 * 4 + 4 + 2 * 4 * 4 + 1
head = b"TRGH" + struct.pack("<H4HBB", 1, 2, 4, 1, 4, 4, 1)
head += struct.pack("<ffQ", 0.01, 0.0, 7) + struct.pack("<4I", 1, 2, 3, 4)
block = bytes([2, 0, 0, 0]) + struct.pack("<ffffQ", 0.9, 0.999, 1e-8, 0.0, 7)
weights = struct.pack(f"<{params}f", *[((k * 37) % 17) / 17 - 0.5 for k in range(params)])
moments = struct.pack(f"<{params}f", *[0.01] * params) * 2
cell = struct.pack("<8f", *[k / 8 - 0.5 for k in range(8)])
body = head + block + weights + moments + cell
open(sys.argv[1], "wb").write(body + struct.pack("<I", zlib.crc32(body)))
PY
for target in read_model read_state read_stream_state read_gated_state; do
  corpus=fuzz/corpus/$target
  mkdir -p "$corpus"
  case $target in
    read_model) file=$seeds/model.trnm ;;
    read_state) file=$seeds/state.trns ;;
    read_gated_state) file=$seeds/gated.trgh ;;
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
