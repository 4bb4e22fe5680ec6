#!/usr/bin/env bash
# tinyrnn on 32-bit x86, run natively on an x86-64 machine, both ways its floats can go:
#
# 1. i686-unknown-linux-gnu, SSE2 floating point (IEEE single precision): the whole test suite,
#    the pinned checksum included, must pass.
# 2. i586-unknown-linux-gnu, x87 floating point (80-bit registers): the library must refuse to
#    build, saying why (src/lib.rs). Built anyway (`--cfg tinyrnn_x87`), the tests show why:
#    the seed's setup must end with other weights than everywhere else, the blocked kernels
#    must disagree with the plain loops, and SGD must accept an update that overflows f32. If
#    those ever pass, the compiler has stopped computing f32 in x87 precision and the refusal
#    can go. The checksum it ends with goes into docs/testing.md (between the markers that name
#    this script).
#
#   bash scripts/x86-32.sh
#
# Needs the rustup targets i686-unknown-linux-gnu and i586-unknown-linux-gnu, and gcc able to
# link 32-bit programs: Debian's libc6-dev-i386 and lib32gcc-12-dev (gcc-multilib has them, but
# conflicts with the PowerPC cross gcc of scripts/big-endian.sh); .ci/run installs them. About
# 3 minutes on 2 cores, most of it building.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for target in i686-unknown-linux-gnu i586-unknown-linux-gnu; do
  rustup target list --installed | grep -qx "$target" || missing+=("rustup target add $target")
done
echo 'int main(void) { return 0; }' | gcc -m32 -x c -o /dev/null - 2>/dev/null \
  || missing+=("libc6-dev-i386 lib32gcc-12-dev (apt-get)")
if [ "${#missing[@]}" != 0 ]; then
  echo "x86-32.sh needs: ${missing[*]}" >&2
  exit 1
fi
out=target/x86-32
rm -rf "$out"
mkdir -p "$out"
fail() { echo "X86-32 CHECK FAILED: $*" >&2; exit 1; }

echo "== i686 (SSE2): the test suite"
cargo test --release --target i686-unknown-linux-gnu

echo
echo "== i586 (x87): refused"
if cargo build --lib --target i586-unknown-linux-gnu 2> "$out/refused.txt"; then
  fail "the library built for i586 without --cfg tinyrnn_x87"
fi
grep -q "tinyrnn needs IEEE single-precision arithmetic" "$out/refused.txt" \
  || { cat "$out/refused.txt"; fail "not the refusal's message"; }
echo "refused, with:"
grep -m1 "^error: tinyrnn needs" "$out/refused.txt"

echo
echo "== i586 (x87), built anyway (--cfg tinyrnn_x87): what the refusal saves users from"
export CARGO_TARGET_I586_UNKNOWN_LINUX_GNU_RUSTFLAGS="--cfg tinyrnn_x87"
status=0
cargo test --release --target i586-unknown-linux-gnu --no-fail-fast --lib --test training \
  > "$out/x87-tests.txt" 2>&1 || status=$?
[ "$status" != 0 ] || fail "every test passed on x87: the refusal in src/lib.rs may no longer be needed"
for expected in linalg::tests::blocked_kernels_match_plain_loops_bit_for_bit \
                train::optim::tests::sgd_rejects_bad_rates_and_overflow_without_change \
                seed_setup_learns_addition_exactly; do
  grep -qx "test $expected ... FAILED" "$out/x87-tests.txt" \
    || fail "$expected did not fail on x87 (see $out/x87-tests.txt)"
done
echo "tests that fail on x87 (all of them pass on i686, x86-64 and PowerPC):"
grep -E "^test .* FAILED$" "$out/x87-tests.txt" | sed 's/^test /  /; s/ \.\.\. FAILED$//' | sort -u
# The seed's setup still learns the task there (the accuracy is asserted first), with other bits.
read -r got want < <(sed -n "/^thread 'seed_setup_learns_addition_exactly'/,/right:/p" \
  "$out/x87-tests.txt" | sed -n 's/^ *\(left\|right\): \([0-9]*\)$/\2/p' | xargs)
printf "the seed's setup on x87: every pair right, but weights checksum 0x%08x instead of 0x%08x\n" \
  "$got" "$want"
printf 'On x87 (i586, built with `--cfg tinyrnn_x87`) the course'"'"'s setup gets every pair right, but\nends with the weights checksum `0x%08x` instead of `0x%08x`.\n' "$got" "$want" \
  | python3 scripts/docs_block.py docs/testing.md x87
echo
echo "32-bit x86 checks passed: the same bits with SSE2; x87 refused, for the reasons above"
