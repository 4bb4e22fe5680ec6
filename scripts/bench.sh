#!/usr/bin/env bash
# Runs the criterion benchmarks (benches/train.rs) several times and prints, per benchmark, the
# lowest, middle and highest of criterion's medians (scripts/desktop-speed.sh writes them into
# docs/desktop-speed.md).
#
#   bash scripts/bench.sh        # 5 runs
#   RUNS=9 bash scripts/bench.sh
#
# One run can be off by 10-20% on a shared virtual machine; the spread over runs shows how much.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
names="train_iteration_2_16_1_L8_from_init train_iteration_2_16_1_L8_halfway inference_2_16_1_L8_halfway sigmoid_libm_x136 sigmoid_x136 sigmoid_in_place_x136 tanh_x128 tanh_in_place_x128"
out=target/bench-runs
rm -rf "$out"
mkdir -p "$out"
for i in $(seq "$runs"); do
  cargo bench --quiet --bench train > "$out/run-$i.txt" 2>&1
  for n in $names; do
    python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['median']['point_estimate'])" \
      "target/criterion/$n/new/estimates.json" >> "$out/$n.txt"
  done
  echo "run $i of $runs done"
done
echo
echo "| benchmark | lowest | middle | highest median of $runs runs (ns) |"
echo "| --- | ---: | ---: | ---: |"
for n in $names; do
  sort -g "$out/$n.txt" | awk -v n="$n" '{v[NR] = $1} END {printf "| %s | %.0f | %.0f | %.0f |\n", n, v[1], v[int((NR + 1) / 2)], v[NR]}'
done
