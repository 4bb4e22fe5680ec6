#!/usr/bin/env bash
# CI stage: the speed-by-shape benchmark builds and runs (briefly), and the C baseline builds at every shape and still learns the course's task; the timings themselves are written by scripts/shapes.sh on a quiet machine, not here.
# Runs alone from any folder (bash .ci/stages/55-shapes.sh) once .ci/stages/00-setup.sh has
# installed the toolchains and packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

step "the speed-by-shape benchmark: the C baseline at every shape and cargo bench --bench shapes (a short run)"
mkdir -p target/shapes-c
for h in 4 8 16 32 64; do
  for l in 8 16 32 64; do
    gcc -O3 -Wall -Wextra -Werror -DH=$h -DL=$l -o target/shapes-c/rnn-$h-$l benches/baseline/rnn.c -lm
    target/shapes-c/rnn-$h-$l shape 2 > /dev/null
  done
done
target/shapes-c/rnn-16-8 check
cargo bench --quiet --bench shapes
# docs/shapes.md's tables are those scripts/shapes.sh writes: every shape, in order.
python3 - <<'PY'
import re, sys
text = open("docs/shapes.md", encoding="utf-8").read()
rows = re.findall(r"^\| (\d+) \| (\d+) \| \d+ \|", text, re.M)
want = [(str(h), str(l)) for h in (4, 8, 16, 32, 64) for l in (8, 16, 32, 64)]
sys.exit(0 if rows == want else f"docs/shapes.md's table has shapes {rows}, not {want}")
PY
