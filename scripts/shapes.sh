#!/usr/bin/env bash
# tinyrnn's speed at every shape, beside plain C's, as docs/shapes.md shows it: builds the C
# baseline (benches/baseline/rnn.c) for each H in {4, 8, 16, 32, 64} and L in {8, 16, 32, 64}
# (gcc -O3, no -march, like the Rust build), runs `cargo bench --bench shapes`, which times both
# shape by shape, and writes the table, docs/shapes.csv and docs/shapes.png. About 3 minutes;
# run it with nothing else running (timings vary from hour to hour on a shared machine, so CI
# builds and runs the benchmark briefly but does not write its figures).
#
#   bash scripts/shapes.sh
set -euo pipefail
cd "$(dirname "$0")/.."
dir=target/shapes-c
mkdir -p "$dir"
for h in 4 8 16 32 64; do
  for l in 8 16 32 64; do
    gcc -O3 -Wall -Wextra -Werror -DH=$h -DL=$l -o "$dir/rnn-$h-$l" benches/baseline/rnn.c -lm
  done
done
cargo bench --quiet --bench shapes -- --c-dir "$dir" --csv docs/shapes.csv --png docs/shapes.png \
  | tee target/shapes.txt
sed -n '/^| evaluation/,/^(both/p' target/shapes.txt | python3 scripts/docs_block.py docs/shapes.md evaluation
{
  grep '^| ' target/shapes.txt | grep -v '^| evaluation\|^| one forward\|^| the prefix\|^| plain\|^| --- | ---: |$'
  echo
  grep '^summary: ' target/shapes.txt | sed 's/^summary: //'
  echo
  echo "Measured on: $(lscpu | sed -n 's/^Model name: *//p' | head -n 1), $(nproc) cores, $(rustc --version), $(gcc --version | head -n 1)."
} | python3 scripts/docs_block.py docs/shapes.md shapes
