#!/usr/bin/env bash
# Builds the fuzz targets (scripts/build-asan.sh: clang, ASan + UBSan, libFuzzer) and runs each
# for SECONDS (default 60), starting from its checked-in seed corpus fuzz/corpus/<name>/; new
# inputs go to build-asan/fuzz-corpus/<name>/, findings to build-asan/fuzz-artifacts/. Prints the
# executions run per target; exits non-zero if any target found a crash, leak, UB or timeout.
#   scripts/fuzz.sh [SECONDS] [TARGET...]      e.g. scripts/fuzz.sh 180 csv jsonl
# FUZZ_SEED=N fixes libFuzzer's random seed (scripts/sanitize.sh does, so that CI explores the
# same inputs every run and a finding there is reproducible, not luck); unset: a random seed.
# Reproduce a finding: build-asan/fuzz/fuzz_<name> build-asan/fuzz-artifacts/<name>/crash-...
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(csv jsonl libsvm spec model swift_listing swift_auth)
scripts/build-asan.sh >/dev/null
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
failed=()
summary=()
for t in "${targets[@]}"; do
  work="build-asan/fuzz-corpus/$t" art="build-asan/fuzz-artifacts/$t"
  mkdir -p "$work" "$art"
  log="build-asan/fuzz-$t.log"
  rc=0
  build-asan/fuzz/fuzz_"$t" "$work" "fuzz/corpus/$t" -max_total_time="$seconds" -timeout=10 \
    ${FUZZ_SEED:+-seed="$FUZZ_SEED"} \
    -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 -artifact_prefix="$art/" \
    >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  line=$(printf '%-14s %10s executions in %ss' "$t" "${execs:-?}" "$seconds")
  if [ "$rc" -ne 0 ]; then
    line+="  FAILED (exit $rc; see $log)"
    failed+=("$t")
    grep -m5 -E "ERROR|runtime error|SUMMARY|uncaught|terminate" "$log" >&2 || true
  fi
  echo "fuzz: $line"
  summary+=("$line")
done
if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz: findings in ${failed[*]} (inputs under build-asan/fuzz-artifacts/)" >&2
  exit 1
fi
