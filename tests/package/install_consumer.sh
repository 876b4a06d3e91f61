#!/usr/bin/env bash
# The installed CMake package works for an outside project: `cmake --install` the current build
# into a temporary prefix, configure and build tests/package/consumer (README.md's "Using the
# library": find_package(thunderdome) alone) against it, run it and check the Spark answers.
# Usage: install_consumer.sh CMAKE BUILD_DIR CONSUMER_SOURCE_DIR [GENERATOR [CXX_COMPILER]]
set -euo pipefail
cmake=$1 build=$2 consumer=$3 generator=${4:-} cxx=${5:-}

work=$(mktemp -d "${TMPDIR:-/tmp}/td-package.XXXXXX")
trap 'rm -rf "$work"' EXIT

run() {  # a step's output is shown only when it fails
  if ! "$@" >"$work/step.log" 2>&1; then
    cat "$work/step.log"
    echo "FAILED: $*" >&2
    exit 1
  fi
}

run "$cmake" --install "$build" --prefix "$work/prefix"
args=(-S "$consumer" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$work/prefix"
      -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
[ -n "$generator" ] && args+=(-G "$generator")
[ -n "$cxx" ] && args+=(-DCMAKE_CXX_COMPILER="$cxx")
run "$cmake" "${args[@]}"
run "$cmake" --build "$work/build" -j2

out=$("$work/build/my_job")
printf '%s\n' "$out"
expected='(4, spark i j k) --> prediction=1.0
(5, l m n) --> prediction=0.0
(6, mapreduce spark) --> prediction=1.0
(7, apache hadoop) --> prediction=0.0'
if [ "$out" != "$expected" ]; then
  echo "FAILED: the consumer printed other predictions; expected:" >&2
  printf '%s\n' "$expected" >&2
  exit 1
fi
echo "package test passed"
