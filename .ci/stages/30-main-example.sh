#!/usr/bin/env bash
# CI stage: main example: short run, and resume gives the bits of an uninterrupted run.
# Runs alone from any folder (bash .ci/stages/30-main-example.sh) once .ci/stages/00-setup.sh has installed
# the toolchains and packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

step "main example: short run, and resume gives the bits of an uninterrupted run"
cargo run --release --example binary_addition -- --iters 300 --quiet --out target/ci-loss.png
test -s target/ci-loss.png
cargo run --release --example binary_addition -- --out target/ci-straight.png > target/ci-straight.txt
# The README's sample of its output (block 1 is the model's formulas) is what it prints, and
# its picture is what it draws (plotters and its font rasteriser are pure Rust: the same bytes).
sample_is_output README.md 2 target/ci-straight.txt
cmp target/ci-straight.png docs/loss.png
cargo run --release --example binary_addition -- --quiet --no-plot --iters 4000 --save-state target/ci-half.trns
cargo run --release --example binary_addition -- --quiet --no-plot --resume target/ci-half.trns > target/ci-resumed.txt
diff <(grep -E "^(final loss|weights checksum)" target/ci-straight.txt) \
     <(grep -E "^(final loss|weights checksum)" target/ci-resumed.txt)
# Resumed at its own count, a state is evaluated, not trained: no loss to report, no NaN.
cargo run --release --example binary_addition -- --quiet --resume target/ci-half.trns --iters 4000 \
  --clip off --out target/ci-none.png > target/ci-none.txt
grep -q "^final loss: none" target/ci-none.txt
grep -q "clip off$" target/ci-none.txt
test ! -e target/ci-none.png
# The format read again in Python from its description (scripts/trnm.py), the weights run by
# the course's forward pass in numpy: the same accuracy as the Rust evaluation, for a trained
# sigmoid model, a half-trained tanh model with biases and a training state; a corrupted record
# is refused.
need_numpy
# The exact sums the Rust evaluation printed (RUST_OUT) and those scripts/trnm.py counts in the
# record (FILE): the same.
same_accuracy() { # RUST_OUT FILE
  local rust numpy
  rust=$(sed -n 's|^exact accuracy: \([0-9]*/16384\) pairs.*|\1|p' "$1")
  python3 scripts/trnm.py "$2" > target/ci-trnm.txt
  numpy=$(sed -n 's|.*exact accuracy \([0-9]*/16384\) pairs.*|\1|p' target/ci-trnm.txt)
  [ -n "$rust" ] && [ "$rust" = "$numpy" ] || { echo "$2: Rust $rust, numpy $numpy"; exit 1; }
}
cargo run --release --example binary_addition -- --quiet --no-plot --iters 600 --activation tanh \
  --biases --init xavier --save-model target/ci-tanh.trnm > target/ci-tanh.txt
# (target/ci-none.txt is the evaluation of target/ci-half.trns, above.)
for pair in "target/ci-straight.txt examples/firmware/model/addition-2-16-1.trnm" \
            "target/ci-tanh.txt target/ci-tanh.trnm" "target/ci-none.txt target/ci-half.trns"; do
  # shellcheck disable=SC2086 # two words: the Rust output, the record
  same_accuracy $pair
done
python3 -c "import sys; b = bytearray(open(sys.argv[1], 'rb').read()); b[100] ^= 1; \
open(sys.argv[2], 'wb').write(b)" target/ci-tanh.trnm target/ci-bad.trnm
expect_status 1 python3 scripts/trnm.py target/ci-bad.trnm 2>/dev/null
# Its output read by something that stops at once: a quiet exit 0, as the examples (pipefail).
python3 scripts/trnm.py target/ci-tanh.trnm 2> target/ci-trnm-pipe.txt | true
test ! -s target/ci-trnm-pipe.txt
# Bad flag values exit with code 2 before any training: a bad number, a flag where a value
# belongs, a plot that is not a PNG, a model setting given with a state that holds its own, an
# output path that cannot be written (its parent is a file here), a state past --iters, a
# --clip that is neither a number nor off.
for bad in "--lr -1" "--out --quiet" "--seed --no-plot" "--out target/loss.txt" \
           "--resume target/ci-half.trns --activation tanh" "--save-model target/ci-straight.txt/m.trnm" \
           "--resume target/ci-half.trns --iters 3999" "--clip of" \
           "--output softmax" "--output tanh" "--loss ce --output linear" "--loss hinge" \
           "--optim rmsprop" "--momentum 0.9" "--optim momentum --momentum 1" \
           "--optim adam --betas 0.9" "--optim adam --betas 0.9,1.5" "--optim adam --eps 0" \
           "--optim adam --momentum 0.5" "--optim momentum --weight-decay -1" "--batch 0" \
           "--resume target/ci-half.trns --output linear"; do
  # shellcheck disable=SC2086 # each entry is a list of arguments
  expect_status 2 cargo run --release --quiet --example binary_addition -- $bad 2>/dev/null
done
expect_status 2 cargo run --release --quiet --example init_sweep -- --csv --seeds 2 2>/dev/null
# An empty value (which the loop above cannot pass): refused, not the current directory.
expect_status 2 cargo run --release --quiet --example init_sweep -- --out-dir "" 2>/dev/null
expect_status 2 cargo run --release --quiet --example binary_addition -- --out "" 2>/dev/null
expect_status 2 cargo run --release --quiet --example binary_addition -- --resume /dev/null \
  2> target/ci-empty-state.txt
grep -q "the record needs 1336 bytes, got 0$" target/ci-empty-state.txt
# A state saved with one optimiser is refused by another, and says why.
expect_status 2 cargo run --release --quiet --example binary_addition -- --resume target/ci-half.trns \
  --optim adam 2> target/ci-other-optim.txt
grep -q "the state was saved by plain SGD: resume it with --optim sgd" target/ci-other-optim.txt
# Adam, resumed: the run that never stopped, to the bit.
cargo run --release --quiet --example binary_addition -- --quiet --no-plot --optim adam --lr 0.01 \
  --iters 600 --save-state target/ci-adam-half.trns > /dev/null
cargo run --release --quiet --example binary_addition -- --quiet --no-plot --optim adam \
  --resume target/ci-adam-half.trns --iters 1200 | tail -n 1 > target/ci-adam-resumed.txt
# The Python reader on the records of the other losses, outputs and optimisers: an Adam state
# with the cross-entropy and biases, a momentum state and a model with a linear output; each
# counts as many exact sums as the Rust evaluation (a state resumed at its own count is
# evaluated, not trained).
cargo run --release --quiet --example binary_addition -- --quiet --no-plot --optim adam --loss ce \
  --biases --lr 0.01 --iters 600 --save-state target/ci-adam-ce.trns > target/ci-adam-ce.txt
cargo run --release --quiet --example binary_addition -- --quiet --no-plot --optim momentum \
  --lr 0.02 --output linear --iters 600 --save-state target/ci-momentum.trns > target/ci-momentum.txt
cargo run --release --quiet --example binary_addition -- --quiet --no-plot --output linear \
  --iters 600 --save-model target/ci-linear.trnm > target/ci-linear.txt
for pair in "target/ci-adam-ce.txt target/ci-adam-ce.trns" \
            "target/ci-momentum.txt target/ci-momentum.trns" "target/ci-linear.txt target/ci-linear.trnm"; do
  # shellcheck disable=SC2086 # two words: the Rust output, the record
  same_accuracy $pair
done
python3 scripts/trnm.py target/ci-momentum.trns \
  | grep -qx "loss squared error, optimiser momentum, momentum 0.9, weight_decay 0, started 1"
cargo run --release --quiet --example binary_addition -- --quiet --no-plot --optim adam --lr 0.01 \
  --iters 1200 | tail -n 1 | cmp - target/ci-adam-resumed.txt
# A run that diverges stops with a message and exit code 1 (README).
expect_status 1 cargo run --release --quiet --example binary_addition -- --quiet --no-plot \
  --lr 1e38 --activation tanh 2> target/ci-diverge.txt
grep -q "^error: training stopped at iteration 85: a gradient is not finite" target/ci-diverge.txt \
  || { echo "a diverging run must stop at iteration 85, got:"; cat target/ci-diverge.txt; exit 1; }
# Output piped into a reader that stops early: a quiet exit, not a panic (pipefail checks it).
cargo run --release --quiet --example binary_addition -- --no-plot | head -n 1
# Two outputs on one path, a missing output directory, a count out of range: refused before
# any training (exit 2), and nothing written or created (the examples' unit tests check the
# helpers; these check that every example uses them).
rm -rf target/ci-cli && mkdir -p target/ci-cli
for bad in "--out target/ci-cli/same.png --save-model target/ci-cli/same.png" \
           "--save-model target/ci-cli/f --save-state target/ci-cli/./f" \
           "--out target/ci-cli/no/such/loss.png" "--iters 4294967296"; do
  # shellcheck disable=SC2086 # each entry is a list of arguments
  expect_status 2 cargo run --release --quiet --example binary_addition -- $bad 2> target/ci-cli/err.txt
done
grep -q "is not an integer from 1 to 4294967295" target/ci-cli/err.txt
test ! -e target/ci-cli/no && test ! -e target/ci-cli/same.png && test ! -e target/ci-cli/f
expect_status 2 cargo run --release --quiet --example init_sweep -- --csv target/ci-cli/f --runs-csv target/ci-cli/f 2>/dev/null
expect_status 2 cargo run --release --quiet --example init_sweep -- --out-dir target/ci-cli/no 2>/dev/null
expect_status 2 cargo run --release --quiet --example latch -- --out target/ci-cli/s --save-state target/ci-cli/s 2>/dev/null
test ! -e target/ci-cli/no && test ! -e target/ci-cli/f && test ! -e target/ci-cli/s
