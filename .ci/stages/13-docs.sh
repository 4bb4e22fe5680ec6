#!/usr/bin/env bash
# CI stage: the generated parts of the docs: every block a script writes is there and filled,
# and the README's headline figures are those of docs/ (scripts/headline.py).
# Runs alone from any folder (bash .ci/stages/13-docs.sh) once .ci/stages/00-setup.sh has installed
# the toolchains and packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

step "the generated parts of the docs: every block filled, the README's headline figures those of docs/"
# Each "<!-- begin NAME: written by SCRIPT ... -->" has its "<!-- end NAME -->", with lines
# between them, and names a script that exists.
for md in README.md docs/*.md harness/firmware/README.md examples/firmware/README.md; do
  awk -v md="$md" '
    /^<!-- begin [a-z0-9-]+: written by / {
      if (open != "") { print md ": block " open " is not closed"; bad = 1 }
      open = $3; sub(/:$/, "", open); lines = 0
      script = $0; sub(/.*written by /, "", script); sub(/[ ;].*/, "", script)
      if (system("test -f " script) != 0) { print md ": block " open " names " script ", which does not exist"; bad = 1 }
      next }
    /^<!-- end [a-z0-9-]+ -->$/ {
      if ($3 != open) { print md ": end of " $3 " without its begin"; bad = 1 }
      else if (lines == 0) { print md ": block " open " is empty (run " script ")"; bad = 1 }
      open = ""; next }
    open != "" { lines++ }
    END { if (open != "") { print md ": block " open " is not closed"; bad = 1 }; exit bad }' "$md"
done
docs_snapshot README.md
python3 scripts/headline.py
docs_unchanged
