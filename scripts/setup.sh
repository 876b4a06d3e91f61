#!/usr/bin/env bash
# The README's first command: installs what is missing, builds, and runs the seed job
# (the Spark ML tuning guide's cross-validation example).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
echo
echo "== examples/cross_validation =="
./build/examples/cross_validation
