#!/usr/bin/env bash
# Regenerates docs/stages.md from the registry (tests/registry/stages_doc_test.cc checks it).
# Usage: tools/gen_stages_doc.sh [build dir, default build]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
cmake --build "$build" --target td_gen_stages_doc
"$build/tools/td_gen_stages_doc" docs/stages.md
echo "wrote docs/stages.md"
