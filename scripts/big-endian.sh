#!/usr/bin/env bash
# tinyrnn on a big-endian, 32-bit machine: 32-bit PowerPC (powerpc-unknown-linux-gnu), run by
# QEMU's user-mode emulation. Every other target the repository runs on (x86-64, the Cortex-M
# cores, RISC-V) is little-endian, so this is where a byte order slip in the record format, the
# checksum or the RNG's state would show.
#
#   bash scripts/big-endian.sh
#
# 1. The whole test suite there (`cargo test --release`: the unit, reference, gradient-check,
#    property and training tests, the pinned checksum, the doc tests).
# 2. Records carried across: PowerPC and this machine each train the course's setup half-way
#    and save the training state; the two files must be the same bytes, and each machine
#    resumes from the other's to the final-loss bits and checksum of an uninterrupted run; the
#    model PowerPC saves at the end is the committed examples/firmware/model/addition-2-16-1.trnm
#    byte for byte.
# 3. The latch example there: the same summary, and the same stream-state bytes, as here.
#
# Needs the rustup target powerpc-unknown-linux-gnu and the Debian packages
# gcc-powerpc-linux-gnu, libc6-dev-powerpc-cross and qemu-user (bookworm-backports' version
# beside the QEMU there; .ci/run installs them). About 5 minutes on 2 cores, most of
# it building the tests for PowerPC and running them emulated.
set -euo pipefail
cd "$(dirname "$0")/.."

target=powerpc-unknown-linux-gnu
missing=()
command -v powerpc-linux-gnu-gcc >/dev/null || missing+=("gcc-powerpc-linux-gnu libc6-dev-powerpc-cross (apt-get)")
command -v qemu-ppc >/dev/null || missing+=("qemu-user (apt-get)")
rustup target list --installed | grep -qx "$target" || missing+=("rustup target add $target")
if [ "${#missing[@]}" != 0 ]; then
  echo "big-endian.sh needs: ${missing[*]}" >&2
  exit 1
fi
export CARGO_TARGET_POWERPC_UNKNOWN_LINUX_GNU_LINKER=powerpc-linux-gnu-gcc
export CARGO_TARGET_POWERPC_UNKNOWN_LINUX_GNU_RUNNER="qemu-ppc -L /usr/powerpc-linux-gnu"
out=target/big-endian
rm -rf "$out"
mkdir -p "$out"

fail() { echo "BIG-ENDIAN CHECK FAILED: $*" >&2; exit 1; }
# The example run here, and run on PowerPC through the runner above.
here() { cargo run --release --quiet --example "$1" -- "${@:2}"; }
ppc() { cargo run --release --quiet --target "$target" --example "$1" -- "${@:2}"; }
# What a run ends with: its accuracy, final loss and weights checksum.
result() { grep -E "^(exact accuracy|final loss|weights checksum)" "$1"; }
same_bytes() { # file file what
  cmp "$1" "$2" || fail "$3: $1 and $2 differ"
  echo "the same bytes: $3 ($(wc -c < "$1") bytes)"
}
same_result() { # file file what
  diff <(result "$1") <(result "$2") || fail "$3"
  echo "the same result: $3 ($(result "$1" | grep checksum))"
}

echo "== the test suite on $target (QEMU user mode)"
# Every test but the small training tasks (tests/tasks.rs: thousands of steps each, the same
# code the other tests check to the bit, and 5 minutes under QEMU) and the examples' own tests.
tests=()
for f in tests/*.rs; do
  name=$(basename "$f" .rs)
  [ "$name" = tasks ] || tests+=(--test "$name")
done
cargo test --release --target "$target" --lib "${tests[@]}"
cargo test --release --target "$target" --doc
qemu-ppc --version | head -n 1

echo
echo "== binary addition: training states carried between PowerPC and $(uname -m)"
here binary_addition --quiet --no-plot > "$out/here-straight.txt"
here binary_addition --quiet --no-plot --iters 4000 --save-state "$out/here-half.trns" > /dev/null
ppc binary_addition --quiet --no-plot --iters 4000 --save-state "$out/ppc-half.trns" > /dev/null
same_bytes "$out/here-half.trns" "$out/ppc-half.trns" "the training state after 4,000 iterations"
here binary_addition --quiet --no-plot --resume "$out/ppc-half.trns" > "$out/here-resumed.txt"
same_result "$out/here-straight.txt" "$out/here-resumed.txt" \
  "$(uname -m) resuming PowerPC's state, as one uninterrupted run"
ppc binary_addition --quiet --no-plot --resume "$out/here-half.trns" \
  --save-model "$out/ppc-final.trnm" > "$out/ppc-resumed.txt"
same_result "$out/here-straight.txt" "$out/ppc-resumed.txt" \
  "PowerPC resuming $(uname -m)'s state, as one uninterrupted run"
same_bytes examples/firmware/model/addition-2-16-1.trnm "$out/ppc-final.trnm" \
  "the model PowerPC ends with, and the committed one"

echo
echo "== latch: the stream example on both"
here latch --quiet --no-plot --save-state "$out/here-latch.trnh" > "$out/here-latch.txt"
ppc latch --quiet --no-plot --save-state "$out/ppc-latch.trnh" > "$out/ppc-latch.txt"
summary() { sed -n '/^settings:/,/^weights checksum/p' "$1"; }
diff <(summary "$out/here-latch.txt") <(summary "$out/ppc-latch.txt") \
  || fail "the latch example's summary differs"
test "$(summary "$out/ppc-latch.txt" | wc -l)" = 6 || fail "the latch summary has not 6 lines"
echo "the same result: the latch ($(summary "$out/ppc-latch.txt" | grep checksum))"
same_bytes "$out/here-latch.trnh" "$out/ppc-latch.trnh" "the latch's stream state"

echo
echo "big-endian checks passed: the same bits and the same bytes on $target as on $(uname -m)"
