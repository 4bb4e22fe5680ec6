#!/usr/bin/env bash
# tinyrnn on two problems of the UCR/UEA archives (examples/classify.rs), as docs/classify.md
# shows them: each cell (Elman, GRU, LSTM) over 10 seeds, beside the 1-nearest-neighbour with
# the Euclidean distance and with DTW on the same data; the picture of a GRU's run; and the time
# of a BasicMotions epoch on this machine. Fetches the data first (scripts/fetch-ucr.sh). The
# accuracies are deterministic (the same on any machine, whatever the threads); the times are
# this machine's.
#
#   bash scripts/classify.sh        # about 2 minutes on 2 cores
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/fetch-ucr.sh
out=target/classify
mkdir -p "$out"
cargo build --release --quiet --example classify
run() { # problem epochs cell [flags]
  local p=$1 epochs=$2 cell=$3
  shift 3
  ./target/release/examples/classify --train "target/ucr/$p/${p}_TRAIN.ts" --test "target/ucr/$p/${p}_TEST.ts" \
    --epochs "$epochs" --cell "$cell" "$@" 2>/dev/null
}
{
  echo "| problem | cell | hidden units | epochs | seeds | test accuracy, median | worst | 1-NN Euclidean | 1-NN DTW |"
  echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  for spec in "BasicMotions 50" "ItalyPowerDemand 100"; do
    set -- $spec
    for cell in elman gru lstm; do
      run "$1" "$2" "$cell" --seeds 10 --quiet | grep '^| '
    done
  done
} | tee "$out/table.md" | python3 scripts/docs_block.py docs/classify.md classify
cat "$out/table.md"
run BasicMotions 50 gru --plot docs/classify_basicmotions.png --quiet > /dev/null
# One seed on one thread: its time an epoch.
run BasicMotions 50 gru --threads 1 --quiet | grep 'ms an epoch' | sed 's/.*(\(.*\))$/\1/' \
  | sed "s/^/BasicMotions, GRU, one thread: /" | tee "$out/time.txt" \
  | python3 scripts/docs_block.py docs/classify.md classify-time
