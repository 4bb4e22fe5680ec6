#!/usr/bin/env bash
# CI stage: the settings sweep (about 2 minutes): docs/sweep.md's table of the settings that learn fastest, the recommendation, the CSVs and the picture are what it computes, and the README's headline is written from them.
# Runs alone from any folder (bash .ci/stages/53-sweep-settings.sh) once .ci/stages/00-setup.sh has installed
# the toolchains and packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

step "the settings sweep (about 2 minutes): docs/sweep.md's table of the settings that learn fastest, the recommendation, the CSVs and the picture are what it computes, and the README's headline is written from them"
# Bad flags are refused before any training (exit 2).
for bad in "--seeds 0" "--out target/x.txt" "--csv target/ci-s.csv --screen-csv target/ci-s.csv" \
           "--top" "--eval-every -1"; do
  # shellcheck disable=SC2086 # each entry is a list of arguments
  expect_status 2 cargo run --release --quiet --example settings_sweep -- $bad 2>/dev/null
done
docs_snapshot docs/sweep.md docs/settings_sweep.csv docs/settings_sweep_screen.csv \
  docs/settings_sweep.png README.md
bash scripts/sweep.sh settings
python3 scripts/headline.py
docs_unchanged
# The issue's goal for the recommended setting: at least 99 of 100 new seeds, median at most 400.
python3 - <<'PY'
import re, sys
line = open("docs/sweep.md", encoding="utf-8").read()
m = re.search(r"recommended: `[^`]*`: (\d+) of (\d+) new seeds learn, median (\d+) iterations", line)
k, n, median = map(int, m.groups())
print(f"recommended setting: {k} of {n} seeds, median {median} iterations")
sys.exit(0 if k * 100 >= 99 * n and median <= 400 else "the recommended setting misses the goal")
PY
# The README recommends, in words and flags, what the sweep recommends.
flags=$(sed -n 's/^recommended: `\([^`]*\)`.*/\1/p' docs/sweep.md)
grep -qF -- "binary_addition -- $flags" README.md \
  || { echo "README.md does not recommend the sweep's setting: $flags" >&2; exit 1; }
