#!/usr/bin/env bash
# Configures and builds the sanitizer build into ./build-asan: clang, -O1 (line tables only: file
# and line in every finding's stack, at a fraction of -g's build time),
# -fsanitize=address,undefined halting on the first finding, and (TD_BUILD_FUZZERS) libFuzzer's
# coverage instrumentation plus the fuzz targets in fuzz/. One build serves both the sanitized
# unit tests (scripts/sanitize.sh) and the fuzzers (scripts/fuzz.sh). Extra arguments go to cmake.
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache as in scripts/build.sh: clones on one machine share the compiled objects.
launcher=()
if command -v ccache >/dev/null 2>&1; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
fi
if [ ! -f build-asan/CMakeCache.txt ]; then
  CC=clang CXX=clang++ cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" -DTD_BUILD_FUZZERS=ON -DTD_WITH_MPI=OFF \
    -DTD_BUILD_BENCH=OFF -DTD_BUILD_EXAMPLES=OFF "${launcher[@]}" "$@"
fi
cmake --build build-asan -j"$(nproc)"
