#!/usr/bin/env bash
# The README's second command (and what .ci/run calls): installs what is missing, builds, and
# runs every test with ctest, then the sanitizer job (ASan/UBSan unit tests and the fuzzers).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
(cd build && ctest --output-on-failure -j"$(nproc)" --timeout 600)
# The sanitizer job: the unit-labelled tests built with clang -fsanitize=address,undefined, then
# every libFuzzer target over its checked-in corpus plus 20 s of fuzzing (scripts/sanitize.sh).
scripts/sanitize.sh
