#!/usr/bin/env bash
# The firmware example a user copies (examples/firmware): builds its three programs (train,
# pretrained, stream) for the Cortex-M4F, M3 and M0, runs all three on the M4F under QEMU and
# `stream` on the M3 and M0 (training on the soft-float cores takes a minute or more: the
# harness, scripts/firmware.sh, runs that), and checks that each prints the desktop's loss
# bits and weights checksum and exits with success.
#   bash scripts/firmware-example.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/firmware-example
mkdir -p "$out"
fail() { echo "FIRMWARE EXAMPLE CHECK FAILED: $*" >&2; exit 1; }

cargo run --release --quiet --example binary_addition -- --quiet --no-plot > "$out/desktop.txt"
cargo run --release --quiet --example latch -- --quiet --no-plot > "$out/desktop-latch.txt"
want_add=$(grep -E "^(final loss|weights checksum)" "$out/desktop.txt")
want_sum=$(grep "^weights checksum" "$out/desktop.txt")
want_latch=$(sed -n 's/^\(final loss\|weights checksum\) (state carried)/\1/p' "$out/desktop-latch.txt")
[ -n "$want_add" ] && [ -n "$want_latch" ] || fail "could not read the desktop examples' output"

cd examples/firmware
for t in thumbv7em-none-eabihf thumbv7m-none-eabi thumbv6m-none-eabi; do
  cargo build --quiet --release --bins --target "$t"
done
run() { # target bin
  timeout 600 cargo run --quiet --release --target "$1" --bin "$2" > "../../$out/$1-$2.txt" \
    || { cat "../../$out/$1-$2.txt"; fail "$1 $2: QEMU failed or timed out"; }
}
run thumbv7em-none-eabihf train
[ "$(grep -E "^(final loss|weights checksum)" "../../$out/thumbv7em-none-eabihf-train.txt")" = "$want_add" ] \
  || fail "train on the M4F does not print the desktop's loss and checksum"
run thumbv7em-none-eabihf pretrained
grep -q "^45 + 70 = 115$" "../../$out/thumbv7em-none-eabihf-pretrained.txt" || fail "pretrained: 45 + 70"
[ "$(grep "^weights checksum" "../../$out/thumbv7em-none-eabihf-pretrained.txt")" = "$want_sum" ] \
  || fail "pretrained: not the desktop's model"
for t in thumbv7em-none-eabihf thumbv7m-none-eabi thumbv6m-none-eabi; do
  run "$t" stream
  [ "$(grep -E "^(final loss|weights checksum)" "../../$out/$t-stream.txt")" = "$want_latch" ] \
    || fail "stream on $t does not print the desktop latch's loss and checksum"
done
echo "examples/firmware: train, pretrained and stream print the desktop's bits"
