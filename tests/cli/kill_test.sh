#!/usr/bin/env bash
# Outputs survive being killed (issue #11): `kill -9` at many moments during `fit --out
# --overwrite` and `predict --output --overwrite` leaves the previous model or file, or the new
# one whole, never a part that loads or reads; two `fit` runs racing for one --out give one
# winner and a clear failure, never a mix. Usage: kill_test.sh THUNDERDOME EXAMPLES_DIR
set -euo pipefail
td="$1"; ex="$2"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
train="$ex/data/spark_guide_train.csv"
# A 64 MiB model (2^23 coefficients), so that saving takes a good part of the run.
cat > "$work/big.json" <<'JSON'
{
  "stages": [
    {"name": "tokenizer", "class": "Tokenizer", "params": {"inputCol": "text", "outputCol": "words"}},
    {"name": "hashingTF", "class": "HashingTF",
     "params": {"inputCol": "words", "outputCol": "features", "numFeatures": 8388608}},
    {"name": "lr", "class": "LogisticRegression", "params": {"maxIter": 10, "regParam": 0.01}}
  ],
  "tuning": {"method": "none"},
  "labelCol": "label"
}
JSON
fit=("$td" fit --spec "$work/big.json" --train "$train" -q)  # an array, so `&` gives its pid
now() { date +%s.%N; }

# ---- fit --out --overwrite, killed at 16 moments spread over one run
"${fit[@]}" --out "$work/model" > /dev/null
t0=$(now); "${fit[@]}" --out "$work/model" --overwrite > /dev/null; t1=$(now)
run=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
killed=0
for k in $(seq 1 16); do
  delay=$(awk -v r="$run" -v k="$k" 'BEGIN { printf "%.3f", r * k / 16 }')
  "${fit[@]}" --out "$work/model" --overwrite > /dev/null 2>&1 & pid=$!
  sleep "$delay"
  if kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); fi
  wait "$pid" 2>/dev/null || true
  # Whatever the moment, the path holds a complete model that loads.
  "$td" show --model "$work/model" > "$work/show.txt" \
    || { echo "kill at ${delay}s left a model that does not load"; exit 1; }
  grep -q "LogisticRegressionModel" "$work/show.txt"
done
[ "$killed" -ge 4 ] || { echo "only $killed of 16 runs were killed before they ended"; exit 1; }
echo "fit: $killed runs killed mid-way, the model loaded after each"

# ---- predict --output --overwrite, killed at 16 moments
awk -v n=200000 'BEGIN { print "id,text"; for (i = 0; i < n; i++) printf "%d,spark word %d hadoop mapreduce b d\n", i, i % 97 }' > "$work/in.csv"
"$td" fit --spec "$ex/cross_validation.json" --train "$train" --out "$work/small" -q > /dev/null
"$td" predict --model "$work/small" --input "$work/in.csv" --output "$work/p.csv" -q
cp "$work/p.csv" "$work/expected.csv"
t0=$(now); "$td" predict --model "$work/small" --input "$work/in.csv" --output "$work/p.csv" --overwrite -q; t1=$(now)
run=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
killed=0
for k in $(seq 1 16); do
  delay=$(awk -v r="$run" -v k="$k" 'BEGIN { printf "%.3f", r * k / 16 }')
  "$td" predict --model "$work/small" --input "$work/in.csv" --output "$work/p.csv" --overwrite -q &
  pid=$!
  sleep "$delay"
  if kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); fi
  wait "$pid" 2>/dev/null || true
  cmp -s "$work/p.csv" "$work/expected.csv" \
    || { echo "kill at ${delay}s left a predictions file that is not the whole one"; exit 1; }
done
[ "$killed" -ge 4 ] || { echo "only $killed of 16 predict runs were killed before they ended"; exit 1; }
echo "predict: $killed runs killed mid-way, the output was whole after each"

# ---- two fits racing for one new --out: one wins, the other fails clearly
for round in 1 2 3 4 5; do
  out="$work/race$round"
  set +e
  "${fit[@]}" --out "$out" > "$work/a.out" 2> "$work/a.err" & pa=$!
  "${fit[@]}" --out "$out" > "$work/b.out" 2> "$work/b.err" & pb=$!
  wait "$pa"; ra=$?
  wait "$pb"; rb=$?
  set -e
  if [ "$ra" -eq 0 ] && [ "$rb" -ne 0 ]; then loser=b; rl=$rb
  elif [ "$rb" -eq 0 ] && [ "$ra" -ne 0 ]; then loser=a; rl=$ra
  else echo "round $round: exits $ra and $rb, expected exactly one success"; exit 1; fi
  [ "$rl" -eq 4 ] || { echo "round $round: the losing run exited $rl, expected 4 (I/O)"; exit 1; }
  grep -Eq "'$out' (already exists|was created by another run)" "$work/$loser.err" \
    || { echo "round $round: unclear failure:"; cat "$work/$loser.err"; exit 1; }
  "$td" show --model "$out" > /dev/null
done
echo "race: one winner and a clear failure in each of 5 rounds"
echo "kill test OK"
