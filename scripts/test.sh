#!/usr/bin/env bash
# The README's second command (and what .ci/run calls): installs what is missing, builds, and
# runs every test with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
cd build
ctest --output-on-failure -j"$(nproc)" --timeout 600
