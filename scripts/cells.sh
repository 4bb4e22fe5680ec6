#!/usr/bin/env bash
# The gated cells' training time on the desktop beside the Elman network's (issue 40: a GRU at
# most 3.3 and an LSTM at most 4.4 times the Elman's, one training iteration on the course's
# shapes, 2-16-1 over 8 steps, measured in the same run): runs `cargo bench --bench cells` (the
# three cells in one process) several times, takes each run's criterion medians and their
# ratios, and writes the runs' lowest, middle and highest ratio, and the goals, into
# docs/desktop-speed.md (between the markers that name this script). Timings vary from run to
# run on a shared machine, so CI does not run this; run it with nothing else running.
#
#   bash scripts/cells.sh          # 5 runs, about 2 minutes
#   RUNS=9 bash scripts/cells.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
out=target/cells-runs
rm -rf "$out"
mkdir -p "$out"
median() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['median']['point_estimate'])" \
  "target/criterion/cells_$1_2_16_1_L8/new/estimates.json"; }
for i in $(seq "$runs"); do
  cargo bench --quiet --bench cells > "$out/run-$i.txt" 2>&1
  echo "$(median elman) $(median gru) $(median lstm)" >> "$out/medians.txt"
  echo "run $i of $runs: $(tail -n 1 "$out/medians.txt") ns"
done
python3 - "$out/medians.txt" <<'PY' | python3 scripts/docs_block.py docs/desktop-speed.md cells
import sys
rows = [list(map(float, line.split())) for line in open(sys.argv[1]) if line.strip()]
n = len(rows)
print(f"| cell | one training iteration, ns (middle of {n} runs) | ÷ the Elman's: lowest | middle | highest | goal |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
mid = lambda v: sorted(v)[(len(v) - 1) // 2]
print(f"| Elman | {mid([r[0] for r in rows]):.0f} | 1 | 1 | 1 | |")
verdicts = []
for k, (name, goal) in enumerate([("GRU", 3.3), ("LSTM", 4.4)], start=1):
    ratios = sorted(r[k] / r[0] for r in rows)
    m = mid(ratios)
    print(f"| {name} | {mid([r[k] for r in rows]):.0f} | {ratios[0]:.2f} | {m:.2f} | {ratios[-1]:.2f} | at most {goal} |")
    verdicts.append(f"- **{name}: {'met' if m <= goal else 'NOT met'}** in the middle run ({m:.2f} times the Elman's; goal at most {goal}).")
print()
print("\n".join(verdicts))
PY
sed -n '/begin cells/,/end cells/p' docs/desktop-speed.md
