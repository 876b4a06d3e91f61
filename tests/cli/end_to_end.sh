#!/usr/bin/env bash
# The README's worked example with the real binary: fit -> show -> predict -> evaluate, plus
# one bad input. Usage: end_to_end.sh THUNDERDOME_BINARY EXAMPLES_DIR
set -euo pipefail
td="$1"; ex="$2"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
"$td" fit --spec "$ex/cross_validation.json" --train "$ex/data/spark_guide_train.csv" \
  --test "$ex/data/spark_guide_test.csv" --out "$work/model" --report "$work/report.html" -q \
  | tee "$work/fit.txt"
grep -q "<- best" "$work/fit.txt"
"$td" show --model "$work/model" | grep -q "LogisticRegressionModel"
"$td" predict --model "$work/model" --input "$ex/data/spark_guide_test.csv" --output "$work/p.csv" -q
grep -q "^4,spark i j k,1.0,1.0," "$work/p.csv"
"$td" evaluate --model "$work/model" --input "$ex/data/spark_guide_test.csv" | grep -q "areaUnderROC: "
# A bad input: wrong column -> exit 3, and no model directory.
printf 'id,body,label\n0,a,1\n1,b,0\n2,c,1\n3,d,0\n' > "$work/bad.csv"
set +e
"$td" fit --spec "$ex/cross_validation.json" --train "$work/bad.csv" --out "$work/bad-model" -q 2> "$work/err.txt"
rc=$?
set -e
[ "$rc" -eq 3 ] || { echo "expected exit 3, got $rc"; cat "$work/err.txt"; exit 1; }
grep -q "'text' does not exist" "$work/err.txt"
[ ! -e "$work/bad-model" ]
echo "end-to-end OK"
