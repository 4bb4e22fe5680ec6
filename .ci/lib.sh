# Sourced by every stage of CI (.ci/stages/*.sh): the helpers they share. Not run alone.
# shellcheck shell=bash
step() { printf '\n=== %s ===\n' "$*"; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
# Runs a command that must fail with exit status $1.
expect_status() {
  local want=$1 status=0
  shift
  "$@" || status=$?
  [ "$status" = "$want" ] || { echo "expected exit status $want, got $status: $*" >&2; return 1; }
}
# The n-th ```text block of a Markdown file is what a run printed: its lines, but for "...",
# are lines of the output, in the same order.
sample_is_output() {
  local md=$1 n=$2 out=$3
  awk -v n="$n" '/^```text$/ { k++; on = (k == n); next } /^```$/ { on = 0 } on && $0 != "..."' \
    "$md" > target/ci-sample.txt
  test -s target/ci-sample.txt || { echo "$md has no text block $n" >&2; return 1; }
  awk 'NR == FNR { o[++m] = $0; next }
       { while (j < m && o[++j] != $0) {}
         if (o[j] != $0) { print "not printed, or out of order: " $0; bad = 1; exit } }
       END { exit bad }' "$out" target/ci-sample.txt \
    || { echo "the text block $n of $md is not what $out holds" >&2; return 1; }
}

# The measuring scripts write their figures into docs (scripts/docs_block.py). Before a stage
# runs them, `docs_snapshot FILE...` keeps a copy of those files; after, `docs_unchanged` fails
# if a script wrote anything other than what is committed, and shows the difference.
docs_snapshot() {
  rm -rf target/ci-docs && mkdir -p target/ci-docs
  local f
  for f in "$@"; do mkdir -p "target/ci-docs/$(dirname "$f")" && cp "$f" "target/ci-docs/$f"; done
}
docs_unchanged() {
  local f bad=0
  for f in $(cd target/ci-docs && find . -type f | sed 's|^\./||' | sort); do
    diff -u "target/ci-docs/$f" "$f" || { echo "$f: the measured figures differ from the committed ones" >&2; bad=1; }
  done
  return "$bad"
}

# numpy, for the Python reader of the records (scripts/trnm.py).
need_numpy() {
  if ! python3 -c "import numpy" 2>/dev/null; then
    python3 -m pip install --quiet numpy || as_root apt-get install -y -qq --no-install-recommends python3-numpy
  fi
}
mkdir -p target
trap 'echo "CI FAILED in ${BASH_SOURCE[1]:-$0} at: ${BASH_COMMAND}" >&2' ERR
