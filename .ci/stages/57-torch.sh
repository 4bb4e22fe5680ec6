#!/usr/bin/env bash
# CI stage: PyTorch's weights into tinyrnn's records and back (scripts/torch_convert.py, tested on arrays laid out as PyTorch lays them), and the committed reference values of the three cells are what their script writes (tests/reference/torch_generate.py).
# Runs alone from any folder (bash .ci/stages/57-torch.sh) once .ci/stages/00-setup.sh has
# installed the toolchains and packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

step "PyTorch's weights: the converter's tests, and the reference values are their script's output"
python3 -W error scripts/test_torch_convert.py
python3 tests/reference/torch_generate.py --check
