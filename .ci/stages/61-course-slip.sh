#!/usr/bin/env bash
# CI stage: the course's output-derivative slip, measured in numpy (scripts/course_slip.py): small version.
# Runs alone from any folder (bash .ci/stages/61-course-slip.sh) once .ci/stages/00-setup.sh has installed
# the toolchains and packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

step "the course's output-derivative slip, measured in numpy (scripts/course_slip.py): small version"
python3 scripts/course_slip.py --seeds 2 --iters 500 --jobs 1 > target/ci-slip.md
grep -q "^| exact: y(1 - y) | " target/ci-slip.md
grep -q "^| 1 | " target/ci-slip.md
