#!/usr/bin/env bash
# The sanitizer job (scripts/test.sh, and so CI, runs it after the main tests): builds ./build-asan (scripts/build-asan.sh:
# clang -O1 with AddressSanitizer + UndefinedBehaviorSanitizer, halting on any finding), runs the
# unit-labelled tests in it, then every fuzz target over its seed corpus for FUZZ_SECONDS
# (default 20) each. Tests that need servers (Swift, MPI) are not unit-labelled and not run here.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-asan.sh
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
(cd build-asan && ctest -L unit --output-on-failure -j"$(nproc)" --timeout 600)
# A fixed seed: CI fuzzes the same inputs every run (exploration is scripts/fuzz.sh's job).
FUZZ_SEED="${FUZZ_SEED:-1}" scripts/fuzz.sh "${FUZZ_SECONDS:-20}"
