#!/usr/bin/env bash
# bench/storage/run.sh — runs swift_get_bench (bench/storage/README.md) against a private
# loopback Swift started with scripts/swift/swift-test-server.sh, then stops it and removes its
# state (the uploaded objects included).
#
#   bench/storage/run.sh [--use-running] [swift_get_bench arguments...]
#
# TD_BUILD_DIR (default <repo>/build) holds the built bench (ninja -C <build> td_bench_swift_get).
# The private server lives in TD_SWIFT_DIR (default /tmp/td-swift-bench) on ports from
# TD_SWIFT_PORT_BASE (default 39700), with TD_SWIFT_MAX_FILE_SIZE (default 2 GiB) so the 1 GiB
# object is one PUT. --use-running uses the server whose env.sh is in TD_SWIFT_DIR as it is.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BIN="${TD_BUILD_DIR:-$ROOT/build}/bench/storage/swift_get_bench"
SERVER="$ROOT/scripts/swift/swift-test-server.sh"

USE_RUNNING=0
if [ "${1:-}" = --use-running ]; then USE_RUNNING=1; shift; fi
[ -x "$BIN" ] || { echo "run.sh: $BIN not found; build it: ninja -C ${TD_BUILD_DIR:-build} td_bench_swift_get" >&2; exit 1; }

export TD_SWIFT_DIR="${TD_SWIFT_DIR:-/tmp/td-swift-bench}"
export no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}" NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}"

cleanup() {
  "$SERVER" stop >/dev/null 2>&1 || true
  # only a directory the server script made (it leaves this marker), never anything else
  if [ -e "$TD_SWIFT_DIR/.td-swift-state" ]; then rm -rf "$TD_SWIFT_DIR"; fi
}

if [ "$USE_RUNNING" = 0 ]; then
  export TD_SWIFT_PORT_BASE="${TD_SWIFT_PORT_BASE:-39700}"
  export TD_SWIFT_MAX_FILE_SIZE="${TD_SWIFT_MAX_FILE_SIZE:-2147483648}"
  export TD_SWIFT_CONTAINER_LISTING_LIMIT="${TD_SWIFT_CONTAINER_LISTING_LIMIT:-10000}"
  trap cleanup EXIT
  "$SERVER" start
fi
# shellcheck disable=SC1091
. "$TD_SWIFT_DIR/env.sh"
# A server started with --keystone exports OS_* too; the bench and curl both use tempauth.
if [ -n "${ST_AUTH:-}" ]; then unset OS_AUTH_URL OS_CLOUD OS_STORAGE_URL OS_AUTH_TOKEN; fi
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg); curl $(curl --version | head -1 | cut -d' ' -f2)"
"$BIN" "$@"
