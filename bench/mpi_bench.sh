#!/usr/bin/env bash
# MPI scaling of the tuning job: wall time of `thunderdome fit` on the spam benchmark
# (bench/data/spam_train.tsv, bench/specs/spam_cv.json; bench/fetch_spam.py makes the data) at
# 1, 2 and 4 ranks, parallel efficiency T1 / (N * TN); prints a markdown table and writes
# bench/results/mpi.md.
#
#   bench/mpi_bench.sh [THUNDERDOME]     (default: build/cli/thunderdome)
#   RANKS="1 2 4"  RUNS=3 (best of)  THREADS_PER_RANK=1  DATA_PARALLEL=0|1
#
# Every rank is bound to THREADS_PER_RANK cores (mpirun --map-by slot:PE=k --bind-to core,
# overload allowed), so its oneTBB pool has that many threads; with more ranks than cores the
# ranks share cores (oversubscribed), and the efficiency says what that costs.
# Task-parallel rows: CV's (fold x param map) fits dealt to ranks (what `fit` does under
# mpirun by default). Data-parallel rows (DATA_PARALLEL=1, `fit --data-parallel`: each rank
# reads a byte range of the TSV and every fit spans all ranks): the same CV job (its 28 fits one
# after another) and one fit of its best configuration (bench/specs/spam_single.json).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
td="${1:-$here/../build/cli/thunderdome}"
ranks=(${RANKS:-1 2 4}); runs="${RUNS:-3}"; tpr="${THREADS_PER_RANK:-1}"
train="$here/data/spam_train.tsv"; spec="$here/specs/spam_cv.json"
single="$here/specs/spam_single.json"
[ -x "$td" ] || { echo "mpi_bench: no thunderdome binary at $td" >&2; exit 1; }
[ -f "$train" ] || { echo "mpi_bench: $train is missing: run bench/fetch_spam.py" >&2; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

# best wall seconds of RUNS runs of: mpirun -np N thunderdome fit --spec SPEC ... EXTRA...
time_fit() {
  local n="$1" spec="$2"; shift 2
  local best=""
  for _ in $(seq "$runs"); do
    rm -rf "$work/model"
    local t0 t1
    t0=$(date +%s.%N)
    mpirun --allow-run-as-root --oversubscribe -np "$n" --map-by "slot:PE=$tpr" \
      --bind-to core:overload-allowed --mca btl self,vader,tcp \
      "$td" fit --spec "$spec" --train "$train" --out "$work/model" -q --json "$@" \
      > "$work/out.json" 2> "$work/err.txt" || { cat "$work/err.txt" >&2; return 1; }
    t1=$(date +%s.%N)
    best=$(python3 -c "import sys; t=float(sys.argv[2])-float(sys.argv[1]); b=sys.argv[3]; print(min(t, float(b)) if b else t)" "$t0" "$t1" "$best")
  done
  echo "$best"
}

cores=$(nproc)
rows=()
declare -A t
for n in "${ranks[@]}"; do t[$n]=$(time_fit "$n" "$spec"); done
t1="${t[${ranks[0]}]}"
for n in "${ranks[@]}"; do
  rows+=("$(python3 -c "import sys; n=int(sys.argv[1]); tn=float(sys.argv[2]); t1=float(sys.argv[3]); print(f'| task-parallel CV | {n} | {tn:.2f} | {t1/tn:.2f} | {t1/(n*tn):.2f} |')" "$n" "${t[$n]}" "$t1")")
done
if [ "${DATA_PARALLEL:-0}" = 1 ]; then
  for what in cv single; do
    declare -A d=()
    s="$spec"; label="data-parallel CV (28 fits in sequence)"
    [ "$what" = single ] && { s="$single"; label="data-parallel single fit (2^18, regParam 0.001)"; }
    for n in "${ranks[@]}"; do d[$n]=$(time_fit "$n" "$s" --data-parallel); done
    d1="${d[${ranks[0]}]}"
    for n in "${ranks[@]}"; do
      rows+=("$(python3 -c "import sys; n=int(sys.argv[1]); tn=float(sys.argv[2]); t1=float(sys.argv[3]); print(f'| {sys.argv[4]} | {n} | {tn:.2f} | {t1/tn:.2f} | {t1/(n*tn):.2f} |')" "$n" "${d[$n]}" "$d1" "$label")")
    done
  done
else
  rows+=("| data-parallel (--data-parallel) | — | not run (DATA_PARALLEL=1) | — | — |")
fi

{
  echo "# MPI scaling: spam CV fit"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%MZ), $(hostname), $cores cores, $(mpirun --version | head -1);"
  echo "spec bench/specs/spam_cv.json on bench/data/spam_train.tsv ($(($(wc -l < "$train") - 1)) rows);"
  echo "$tpr thread(s) per rank (bound cores), best of $runs runs; ranks above $cores share cores."
  echo
  echo "| mode | ranks | wall s | speed-up | efficiency T1/(N·TN) |"
  echo "|---|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Wall time of the whole command (start-up, reading, fits, saving). On this machine the ranks"
  echo "share $cores cores, so efficiency above $cores ranks measures oversubscription, not a cluster."
} > "$work/mpi.md"
mkdir -p "$here/results"
cp "$work/mpi.md" "$here/results/mpi.md"
cat "$work/mpi.md"
