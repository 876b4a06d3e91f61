#!/usr/bin/env bash
# The README's second command (and what .ci/run calls): installs what is missing, builds, and
# runs every test with ctest, then the sanitizer job (scripts/sanitize.sh: the unit tests built
# with ASan + UBSan, and each fuzz target over its corpus for a short time).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
(cd build && ctest --output-on-failure -j"$(nproc)" --timeout 600)
scripts/sanitize.sh
