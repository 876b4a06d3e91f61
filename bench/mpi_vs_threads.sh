#!/usr/bin/env bash
# Issue #17 item 4: the task-parallel CV job (bench/specs/spam_cv.json) on 2 MPI ranks x 1 thread
# against 1 rank x 2 threads, interleaved runs, medians; ratio T(2x1) / T(1x2) (target <= 1.10).
# Each rank is bound to its cores (mpirun --map-by slot:PE=k --bind-to core), so its oneTBB
# pool has k threads. Prints a markdown table and writes bench/results/mpi_threads.md.
#
#   bench/mpi_vs_threads.sh [THUNDERDOME...]   (default: build/cli/thunderdome; several
#                                               binaries, e.g. a baseline, are run interleaved)
#   TRAIN="spam_train.tsv spam_train_x10.tsv" (files under bench/data)  RUNS=3
#   REFIT_TRACE=1: also the refit's wall time on rank 0 (from TD_TRACE_MEMORY's "refit starts"
#                  to "fit done"), medians per configuration (the trace costs a little time)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tds=("$@"); [ ${#tds[@]} -gt 0 ] || tds=("$here/../build/cli/thunderdome")
trains=(${TRAIN:-spam_train.tsv spam_train_x10.tsv}); runs="${RUNS:-3}"
trace="${REFIT_TRACE:-0}"
spec="$here/specs/spam_cv.json"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

# seconds of: mpirun -np N (PE threads each) TD fit ... (REFIT_TRACE=1: then the refit's
# seconds on rank 0)
run() {
  local td="$1" n="$2" pe="$3" train="$4" t0 t1 extra=()
  [ "$trace" = 1 ] && extra=(-x TD_TRACE_MEMORY=1 --tag-output)
  t0=$(date +%s.%N)
  mpirun --allow-run-as-root --oversubscribe -np "$n" --map-by "slot:PE=$pe" \
    --bind-to core:overload-allowed --mca btl self,vader,tcp "${extra[@]}" \
    "$td" fit --spec "$spec" --train "$train" --out "$work/model" --overwrite -q --json \
    > "$work/out.json" 2> "$work/err.txt" || { cat "$work/err.txt" >&2; return 1; }
  t1=$(date +%s.%N)
  python3 - "$t0" "$t1" "$work/err.txt" "$trace" <<'PY'
import re, sys
t0, t1, err, trace = sys.argv[1:5]
out = [float(t1) - float(t0)]
if trace == "1":
    # rank 0's trace: "[1,0]<stderr>:[memory T s] cross-validation done, refit starts" .. "fit done"
    marks = {}
    for line in open(err):
        m = re.match(r"\[\d+,0\]<stderr>:\[memory ([\d.]+) s\] (cross-validation done, refit starts|fit done)", line)
        if m: marks[m.group(2)] = float(m.group(1))
    out.append(marks["fit done"] - marks["cross-validation done, refit starts"])
print(" ".join(f"{x:.3f}" for x in out))
PY
}

rows=()
for tr in "${trains[@]}"; do
  train="$here/data/$tr"
  [ -f "$train" ] || { echo "mpi_vs_threads: $train missing (bench/fetch_spam.py)" >&2; exit 1; }
  declare -A times=() refits=()
  for r in $(seq "$runs"); do
    for i in "${!tds[@]}"; do
      for cfg in "1 2" "2 1"; do
        set -- $cfg
        read -r t rt <<< "$(run "${tds[$i]}" "$1" "$2" "$train")"
        times["$i $cfg"]+="$t "
        refits["$i $cfg"]+="${rt:-nan} "
        echo "[mpi_vs_threads] $tr run $r binary $i: $1 rank(s) x $2 thread(s): $t s${rt:+ (refit $rt s)}" >&2
      done
    done
  done
  for i in "${!tds[@]}"; do
    rows+=("$(python3 - "$tr" "${tds[$i]}" "${times["$i 1 2"]}" "${times["$i 2 1"]}" \
               "${refits["$i 1 2"]}" "${refits["$i 2 1"]}" "$trace" <<'PY'
import statistics, sys
tr, td, a, b, ra, rb, trace = sys.argv[1:8]
a = [float(x) for x in a.split()]; b = [float(x) for x in b.split()]
ma, mb = statistics.median(a), statistics.median(b)
refit = ""
if trace == "1":
    refit = f" {statistics.median(float(x) for x in ra.split()):.2f} | {statistics.median(float(x) for x in rb.split()):.2f} |"
print(f"| {tr} | {td} | {ma:.2f} | {mb:.2f} | {mb / ma:.3f} |{refit} {' '.join(f'{x:.2f}' for x in a)} / {' '.join(f'{x:.2f}' for x in b)} |")
PY
)")
  done
done
{
  echo "# MPI ranks against threads: spam CV job (issue #17)"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%MZ), $(hostname), $(nproc) cores, $(mpirun --version | head -1); medians of $runs interleaved runs."
  echo
  if [ "$trace" = 1 ]; then
    echo "| training data | binary | 1 rank x 2 threads s | 2 ranks x 1 thread s | ratio 2x1 / 1x2 | refit 1x2 s | refit 2x1 s (rank 0) | runs (1x2 / 2x1) |"
    echo "|---|---|---:|---:|---:|---:|---:|---|"
  else
    echo "| training data | binary | 1 rank x 2 threads s | 2 ranks x 1 thread s | ratio 2x1 / 1x2 | runs (1x2 / 2x1) |"
    echo "|---|---|---:|---:|---:|---|"
  fi
  printf '%s\n' "${rows[@]}"
  echo
  echo "Wall time of the whole command under mpirun (start-up, reading, CV, refit, saving)$([ "$trace" = 1 ] && echo "; refit: rank 0's wall time from the end of cross-validation to the end of the fit (TD_TRACE_MEMORY)")."
  echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
} > "$work/out.md"
mkdir -p "$here/results"
cp "$work/out.md" "$here/results/mpi_threads.md"
cat "$work/out.md"
