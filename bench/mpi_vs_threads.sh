#!/usr/bin/env bash
# Issue #17 item 4: the task-parallel CV job (bench/specs/spam_cv.json) on 2 MPI ranks x 1 thread
# against 1 rank x 2 threads, interleaved runs, medians; ratio T(2x1) / T(1x2) (target <= 1.10).
# Each rank is bound to its cores (mpirun --map-by slot:PE=k --bind-to core), so its oneTBB
# pool has k threads. Prints a markdown table and writes bench/results/mpi_threads.md.
#
#   bench/mpi_vs_threads.sh [THUNDERDOME...]   (default: build/cli/thunderdome; several
#                                               binaries, e.g. a baseline, are run interleaved)
#   TRAIN="spam_train.tsv spam_train_x10.tsv" (files under bench/data)  RUNS=3
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tds=("$@"); [ ${#tds[@]} -gt 0 ] || tds=("$here/../build/cli/thunderdome")
trains=(${TRAIN:-spam_train.tsv spam_train_x10.tsv}); runs="${RUNS:-3}"
spec="$here/specs/spam_cv.json"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

# seconds of: mpirun -np N (PE threads each) TD fit ...
run() {
  local td="$1" n="$2" pe="$3" train="$4" t0 t1
  t0=$(date +%s.%N)
  mpirun --allow-run-as-root --oversubscribe -np "$n" --map-by "slot:PE=$pe" \
    --bind-to core:overload-allowed --mca btl self,vader,tcp \
    "$td" fit --spec "$spec" --train "$train" --out "$work/model" --overwrite -q --json \
    > "$work/out.json" 2> "$work/err.txt" || { cat "$work/err.txt" >&2; return 1; }
  t1=$(date +%s.%N)
  python3 -c "import sys; print(float(sys.argv[2]) - float(sys.argv[1]))" "$t0" "$t1"
}

rows=()
for tr in "${trains[@]}"; do
  train="$here/data/$tr"
  [ -f "$train" ] || { echo "mpi_vs_threads: $train missing (bench/fetch_spam.py)" >&2; exit 1; }
  declare -A times=()
  for r in $(seq "$runs"); do
    for i in "${!tds[@]}"; do
      for cfg in "1 2" "2 1"; do
        set -- $cfg
        t=$(run "${tds[$i]}" "$1" "$2" "$train")
        times["$i $cfg"]+="$t "
        echo "[mpi_vs_threads] $tr run $r binary $i: $1 rank(s) x $2 thread(s): $t s" >&2
      done
    done
  done
  for i in "${!tds[@]}"; do
    rows+=("$(python3 - "$tr" "${tds[$i]}" "${times["$i 1 2"]}" "${times["$i 2 1"]}" <<'PY'
import statistics, sys
tr, td, a, b = sys.argv[1:5]
a = [float(x) for x in a.split()]; b = [float(x) for x in b.split()]
ma, mb = statistics.median(a), statistics.median(b)
print(f"| {tr} | {td} | {ma:.2f} | {mb:.2f} | {mb / ma:.3f} | {' '.join(f'{x:.2f}' for x in a)} / {' '.join(f'{x:.2f}' for x in b)} |")
PY
)")
  done
done
{
  echo "# MPI ranks against threads: spam CV job (issue #17)"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%MZ), $(hostname), $(nproc) cores, $(mpirun --version | head -1); medians of $runs interleaved runs."
  echo
  echo "| training data | binary | 1 rank x 2 threads s | 2 ranks x 1 thread s | ratio 2x1 / 1x2 | runs (1x2 / 2x1) |"
  echo "|---|---|---:|---:|---:|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Wall time of the whole command under mpirun (start-up, reading, CV, refit, saving)."
} > "$work/out.md"
mkdir -p "$here/results"
cp "$work/out.md" "$here/results/mpi_threads.md"
cat "$work/out.md"
