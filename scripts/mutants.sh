#!/usr/bin/env bash
# Mutation testing of the library (cargo-mutants): changes one operator, constant or function
# body of src/ at a time and checks that some test fails. A mutant that every test survives is
# either a gap in the tests or a change that cannot alter any result (an "equivalent" mutant);
# docs/mutants.md lists the survivors and which they are. Takes 1 to 1.5 hours on 2 cores,
# so it is not part of CI.
#
#   bash scripts/mutants.sh                 # every file of src/
#   bash scripts/mutants.sh -f src/task.rs  # one file (any cargo-mutants flags)
#
# Runs the unit and integration tests (`--lib --tests`), not the doc tests: they compile one
# program each and would double the time. Results in target/mutants/mutants.out/ (missed.txt
# lists the survivors); a full run writes its counts into docs/mutants.md.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo-mutants >/dev/null || cargo install cargo-mutants --locked
status=0
mkdir -p target   # cargo-mutants creates its output folder, but not a missing parent (fresh clone)
cargo mutants --jobs "$(nproc)" --output target/mutants \
  --cargo-test-arg=--lib --cargo-test-arg=--tests "$@" || status=$?
# cargo-mutants exits 2 when some mutant was missed, 3 on a timeout: a report, not a failure
# of this script, unless it could not run at all.
[ "$status" = 0 ] || [ "$status" = 2 ] || [ "$status" = 3 ] || exit "$status"
out=target/mutants/mutants.out
echo
for kind in caught missed timeout unviable; do
  printf '%-9s %s\n' "$kind" "$(wc -l < "$out/$kind.txt")"
done
echo "survivors:"
cat "$out/missed.txt"
# A full run (no arguments) is docs/mutants.md's table.
if [ "$#" = 0 ]; then
  count() { wc -l < "$out/$1.txt" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
  total=$(cat "$out"/{caught,missed,timeout,unviable}.txt | wc -l | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta')
  {
    echo "| mutants | caught | missed | unviable (do not compile) | timed out |"
    echo "| ---: | ---: | ---: | ---: | ---: |"
    echo "| $total | $(count caught) | $(count missed) | $(count unviable) | $(count timeout) |"
  } | python3 scripts/docs_block.py docs/mutants.md result
fi
