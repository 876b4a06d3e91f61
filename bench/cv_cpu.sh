#!/usr/bin/env bash
# The seed CV job (bench/specs/spam_cv.json) on a training file with two thunderdome builds,
# interleaved: wall s, CPU s (user + sys), peak RSS and the CLI's JSON summary line per run.
#
#   bench/cv_cpu.sh BASE_BUILD NEW_BUILD [TRAIN (default bench/data/spam_train_x10.tsv)] [REPS (2)]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
base="$1"; new="$2"; train="${3:-$here/data/spam_train_x10.tsv}"; reps="${4:-2}"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
for rep in $(seq "$reps"); do
  for which in base new; do
    build=$base; [ "$which" = new ] && build=$new
    /usr/bin/time -f "$which rep $rep: wall %e s, CPU %U+%S s, peak %M KB" -o "$work/time" \
      "$build/cli/thunderdome" fit --spec "$here/specs/spam_cv.json" --train "$train" \
      --test "$here/data/spam_test.tsv" --out "$work/model" --overwrite --json -q > "$work/out.json"
    cat "$work/time"
    python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print({k: d[k] for k in d if 'metric' in k.lower() or 'auc' in k.lower() or k in ('bestParams','testMetric')})" "$work/out.json" 2>/dev/null || head -c 600 "$work/out.json"
  done
done
