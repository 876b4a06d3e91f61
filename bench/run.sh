#!/usr/bin/env bash
# The benchmark of issue #5 in one command: fetch the SpamAssassin corpus and build the TSVs
# (bench/fetch_spam.py, idempotent), build thunderdome and the bench helpers (Release, ./build),
# run bench/run_bench.py. Extra arguments go to run_bench.py: --repeats N, --quick, --scaling,
# --scaling-peers, ... (bench/run_bench.py --help). Results: bench/results/latest.{md,json}.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=/usr/bin/python3   # Debian's python3: numpy, scipy and scikit-learn import only there
"$PY" bench/fetch_spam.py
scripts/build.sh
if [ ! -x build/bench/single_fit ]; then
  echo "run.sh: build/bench/single_fit missing: the top-level CMakeLists.txt must have" \
       "add_subdirectory(bench) (and liblinear-dev installed for build/bench/liblinear_fit)" >&2
  exit 1
fi
exec "$PY" bench/run_bench.py "$@"
