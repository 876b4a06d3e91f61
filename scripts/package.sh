#!/usr/bin/env bash
# Builds the packages: a Release tree in build-pkg/ with TD_NATIVE_KERNELS=OFF (portable kernels),
# no tests, examples or benchmarks, then CPack: thunderdome_<v>_<arch>.deb (the command, the seed
# job, deploy/), thunderdome-dev_<v>_<arch>.deb (headers, static libraries, CMake package) and
# thunderdome-<v>-Linux-<arch>.tar.gz (everything), left in build-pkg/.
# Usage: scripts/package.sh [BUILD_DIR]   (extra cmake arguments: TD_PACKAGE_CMAKE_ARGS)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-pkg}
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# shellcheck disable=SC2086
cmake -S . -B "$build" "${generator[@]}" "${launcher[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_INSTALL_PREFIX=/usr -DTD_NATIVE_KERNELS=OFF -DTD_BUILD_TESTS=OFF \
  -DTD_BUILD_EXAMPLES=OFF -DTD_BUILD_BENCH=OFF ${TD_PACKAGE_CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j"$(nproc)"
(cd "$build" && cpack -G "DEB;TGZ")
ls -l "$build"/*.deb "$build"/*.tar.gz
