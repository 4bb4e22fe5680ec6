#!/usr/bin/env bash
# Fetches two problems of the UCR/UEA time-series classification archives from sktime's wheel on
# the Python package registry (the only network this needs): BasicMotions (UEA: a smartwatch's
# accelerometer and gyroscope, 6 channels x 100 steps, 4 activities, 40 + 40 cases) and
# ItalyPowerDemand (UCR: 24 hourly readings of a day, 2 classes, 67 + 1,029 cases), into
# target/ucr/PROBLEM/PROBLEM_{TRAIN,TEST}.ts. The files are not committed: sktime distributes
# them under its BSD licence, the archives for research use; fetched, they are the archives' own.
#
#   bash scripts/fetch-ucr.sh          # once; again does nothing
set -euo pipefail
cd "$(dirname "$0")/.."
dest=target/ucr
problems="BasicMotions ItalyPowerDemand"
have=1
for p in $problems; do
  [ -s "$dest/$p/${p}_TRAIN.ts" ] && [ -s "$dest/$p/${p}_TEST.ts" ] || have=0
done
[ "$have" = 0 ] || { echo "$dest: already fetched"; exit 0; }
wheel=target/ucr-download
rm -rf "$wheel" && mkdir -p "$wheel" "$dest"
python3 -m pip --version > /dev/null 2>&1 \
  || { echo "fetch-ucr: no pip for python3 (Debian: apt-get install python3-pip)" >&2; exit 1; }
python3 -m pip download --quiet --no-deps --dest "$wheel" sktime==1.2.0
for p in $problems; do
  mkdir -p "$dest/$p"
  for part in TRAIN TEST; do
    python3 - "$wheel"/sktime-1.2.0-*.whl "sktime/datasets/data/$p/${p}_$part.ts" "$dest/$p/${p}_$part.ts" <<'PY'
import sys, zipfile
wheel, member, out = sys.argv[1:]
with zipfile.ZipFile(wheel) as z, open(out, "wb") as f:
    f.write(z.read(member))
PY
  done
done
# What the archives' descriptions say of each (cases, lines after @data).
for p in $problems; do
  for part in TRAIN TEST; do
    n=$(sed -n '/^@data/,$p' "$dest/$p/${p}_$part.ts" | grep -vc '^@data')
    echo "$dest/$p/${p}_$part.ts: $n cases"
  done
done
