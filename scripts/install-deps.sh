#!/usr/bin/env bash
# Installs the Debian 12 packages thunderdome needs to build, test and benchmark — only the
# missing ones. Run as root (or with sudo available).
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libtbb-dev libeigen3-dev libfmt-dev libspdlog-dev nlohmann-json3-dev libcli11-dev
  libcurl4-openssl-dev libssl-dev libyaml-cpp-dev zlib1g-dev libpng-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-numpy python3-sklearn python3-pandas
  # The Python API (python/: a pybind11 extension for Debian's /usr/bin/python3) and its tests
  pybind11-dev python3-dev python3-pytest
  chromium
  # Benchmark (bench/README.md): liblinear's train command and its C API
  liblinear-tools liblinear-dev
  # Swift client tests: scripts/swift/swift-test-server.sh (Swift + Keystone on 127.0.0.1)
  curl memcached python3-swift python3-keystone python3-keystonemiddleware
  # python-swiftclient's `swift upload` (DLOs, directory markers) as the peer writer in tests
  python3-swiftclient
  # MPI task-parallel tuning and its tests (mpirun)
  openmpi-bin libopenmpi-dev
  # Two-host MPI test (tests/dist/netns_two_host.sh): network namespaces, Swift relay
  iproute2 socat
  # Development: the code style (.clang-format; git clang-format)
  clang-format
  # The OpenStack deployment's tests (ctest -L heat, deploy/README.md): a real local Heat engine
  # and its client, cloud-init's schema check (needs configobj), a clean Debian 12 root for the
  # .deb install test (mmdebstrap, or debootstrap), and dpkg-shlibdeps for CPack's Depends
  python3-heat python3-heatclient cloud-init python3-configobj python3-yaml mmdebstrap debootstrap
  dpkg-dev
  # Sanitizer build and fuzzing (scripts/sanitize.sh, scripts/fuzz.sh): clang, and the
  # compiler-rt runtimes of ASan/UBSan and libFuzzer (libclang_rt.fuzzer)
  clang libclang-rt-14-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-deps: not root and no sudo; install these packages: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
