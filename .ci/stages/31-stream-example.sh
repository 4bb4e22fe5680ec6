#!/usr/bin/env bash
# CI stage: stream example (latch): learns with the state carried on; its output is the README's.
# Runs alone from any folder (bash .ci/stages/31-stream-example.sh) once .ci/stages/00-setup.sh has installed
# the toolchains and packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

step "stream example (latch): learns with the state carried on; its output is the README's"
need_numpy
cargo run --release --example latch -- --out target/ci-latch.png \
  --save-state target/ci-latch.trnh > target/ci-latch.txt
cmp target/ci-latch.png docs/latch.png
# Its stream state, read again by the Python reader; a corrupted one refused.
python3 scripts/trnm.py target/ci-latch.trnh > target/ci-trnh.txt
grep -q "^stream state record, 472 bytes: 2-8-1, tanh hidden layer, biases on, sigmoid output$" target/ci-trnh.txt
grep -q "iterations 5000," target/ci-trnh.txt
grep -q "^hidden state" target/ci-trnh.txt
python3 -c "import sys; b = bytearray(open(sys.argv[1], 'rb').read()); b[460] ^= 1; \
open(sys.argv[2], 'wb').write(b)" target/ci-latch.trnh target/ci-bad.trnh
expect_status 1 python3 scripts/trnm.py target/ci-bad.trnh 2>/dev/null
grep -q "^  state carried on in training: 10000/10000 steps right" target/ci-latch.txt
# Every summary line, as the README quotes it.
sed -n '/^settings:/,/^weights checksum/p' target/ci-latch.txt > target/ci-latch-summary.txt
test "$(wc -l < target/ci-latch-summary.txt)" = 6
test "$(grep -cFx -f target/ci-latch-summary.txt README.md)" = 6
# A stream state resumed by the addition: refused (exit 2).
mkdir -p target/ci-cli
cargo run --release --quiet --example latch -- --quiet --no-plot --windows 2500 --save-state target/ci-cli/half.trnh
expect_status 2 cargo run --release --quiet --example binary_addition -- --resume target/ci-cli/half.trnh 2>/dev/null
# --resume: at window 2500 with the defaults the latch is off and a draw just used up, so the
# resumed run is the uninterrupted one (its usage text says when that holds).
cargo run --release --quiet --example latch -- --resume target/ci-cli/half.trnh --out target/ci-cli/resumed.png \
  > target/ci-latch-resumed.txt
test -s target/ci-cli/resumed.png
diff <(grep "^weights checksum" target/ci-latch.txt) <(grep "^weights checksum" target/ci-latch-resumed.txt)
grep -q "^  every window from zeros:      not trained" target/ci-latch-resumed.txt
for bad in "--lr -1" "--windows 0" "--out target/latch.txt" "--windows" "--seed x" "--bogus" \
           "--save-state target/ci-latch.txt/s.trnh" "--resume target/ci-cli/half.trnh --seed 2" \
           "--resume target/ci-cli/half.trnh --windows 2499"; do
  # shellcheck disable=SC2086 # each entry is a list of arguments
  expect_status 2 cargo run --release --quiet --example latch -- $bad 2>/dev/null
done
