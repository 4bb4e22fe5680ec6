#!/usr/bin/env bash
# Instructions executed per training iteration and per inference pass on this machine (the
# seed's setup, as in benches/train.rs), counted by valgrind's cachegrind: exact and repeatable,
# where timings on a shared virtual machine vary by 10-40%. Needs valgrind
# (`apt-get install valgrind`).
#
#   bash scripts/desktop-insns.sh
#
# Each mode runs twice, N1 and N2 times; (count(N2) - count(N1)) / (N2 - N1) leaves out the
# start-up (building the model, 5,000 iterations to reach the half-way weights). The same for
# the conditional branches that cachegrind's branch simulation (--branch-sim=yes) mispredicts:
# a simple predictor, not the machine's, but data-dependent branches show in it.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 1; }
exe=$(cargo bench --bench insns --no-run --message-format=json 2>/dev/null \
  | python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "insns" and m.get("executable"):
        print(m["executable"])')
[ -x "$exe" ] || { echo "could not build benches/insns.rs" >&2; exit 1; }
n1=2000
n2=22000
# One cachegrind run gives both counts: the instructions ("I refs") and the mispredicted
# conditional and indirect branches ("Mispredicts"), as "instructions mispredicts".
counts() {
  valgrind --tool=cachegrind --cache-sim=no --branch-sim=yes --cachegrind-out-file=/dev/null \
    "$exe" "$1" "$2" 2>&1 | tr -d , | awk '
      /I *refs:/ {i = $NF}
      /Mispredicts:/ {for (k = 1; k <= NF; k++) if ($k == "Mispredicts:") m = $(k + 1)}
      END {if (i != "" && m != "") print i, m}'
}
echo "| work ($(uname -m), Rust $(rustc --version | cut -d' ' -f2), release) | instructions | mispredicted branches (simulated) |"
echo "| --- | ---: | ---: |"
for mode in train-from-init train-halfway inference; do
  read -r c1 m1 <<< "$(counts "$mode" "$n1")"
  read -r c2 m2 <<< "$(counts "$mode" "$n2")"
  [ -n "$c1" ] && [ -n "$c2" ] && [ -n "$m1" ] && [ -n "$m2" ] || { echo "valgrind gave no count" >&2; exit 1; }
  mis=$(python3 -c "print(f'{($m2 - $m1) / ($n2 - $n1):.1f}')")
  echo "| $mode | $(( (c2 - c1) / (n2 - n1) )) | $mis |"
done
