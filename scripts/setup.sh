#!/usr/bin/env bash
# The README's first command: installs what is missing, builds, and runs the seed job
# (the Spark ML tuning guide's cross-validation example).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
# The Python API for Debian's /usr/bin/python3 (built when pybind11 is found): the extension and
# the package go to /usr/lib/python3/dist-packages, so `python3 -c "import thunderdome"` works.
if grep -q '^TD_BUILD_PYTHON:BOOL=ON' build/CMakeCache.txt; then
  cmake --install build --component python
  /usr/bin/python3 -c 'import thunderdome; print("python: thunderdome", thunderdome.__version__, "installed for /usr/bin/python3")'
fi
echo
echo "== examples/cross_validation =="
./build/examples/cross_validation
echo
echo "== thunderdome fit (the same job from examples/cross_validation.json) =="
out=$(mktemp -d)
./build/cli/thunderdome fit --spec examples/cross_validation.json \
  --train examples/data/spark_guide_train.csv --test examples/data/spark_guide_test.csv \
  --out "$out/model" --report "$out/report.html"
echo "report: $out/report.html"
