#!/usr/bin/env bash
# `thunderdome fit --data-parallel` under mpirun: each rank reads a byte range of one CSV file
# and every fit sums over the ranks. Usage: mpi_data_parallel.sh MODE MPIRUN THUNDERDOME
#   fit_np2, fit_np3 : Tokenizer -> HashingTF -> LogisticRegression on N ranks gives the
#                      single-process model to 1e-6 relative (coefficients and intercept)
#   cv_foldcol       : CrossValidator with a fold column (the same folds as one process) on 2
#                      ranks gives the single-process metrics to 1e-6 and the same best map
#   tvs              : TrainValidationSplit on 3 ranks runs and saves a model
#   nb_np3           : Tokenizer -> HashingTF -> NaiveBayes (multinomial) on 3 ranks gives the
#                      single-process pi and theta bit for bit (term counts: exact sums)
#   dl_sync_np2      : Tokenizer -> HashingTF -> AsyncDL (mode sync, full-batch steps) on 2
#                      ranks gives the single-process weights to 1e-4 relative (uneven byte-range
#                      shards: every step is the gradient of all rows, up to float rounding)
#   dl_hogwild       : AsyncDL in modes hogwild and locked across 2 ranks (rank 0's server
#                      thread answers rank 1's workers over MPI): every worker's pushes arrive
#                      (2 workers x 40 iterations), the model fits its training data as well as
#                      a one-process fit does (accuracy >= 0.8), and both ranks agree on it
#   bad_shard        : a bad label in rank 1's shard only -> the job stops with that rank's
#                      message, non-zero exit, no model
#   bad_shard_rank0  : the same in rank 0's shard
set -euo pipefail
mode="$1"; mpirun="$2"; td="$3"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
mpi=("$mpirun" --allow-run-as-root --oversubscribe)

# Deterministic text data: words w0..w199, label from a hidden linear rule plus noise.
python3 - "$work/train.csv" <<'EOF'
import random, sys
rng = random.Random(7)
weights = [rng.gauss(0, 1) for _ in range(200)]
with open(sys.argv[1], "w") as f:
    f.write("id,text,label,fold\n")
    for i in range(1500):
        words = [rng.randrange(200) for _ in range(rng.randrange(3, 25))]
        score = sum(weights[w] for w in words) / len(words) ** 0.5 + rng.gauss(0, 0.7)
        f.write(f"{i},{' '.join('w%d' % w for w in words)},{1.0 if score > 0 else 0.0},{i % 3}\n")
EOF

spec() {  # spec FILE TUNING: a spec with the given "tuning"/"grid" JSON fragment (or none)
  cat > "$1" <<EOF
{
  "stages": [
    {"name": "tokenizer", "class": "Tokenizer", "params": {"inputCol": "text", "outputCol": "words"}},
    {"name": "hashingTF", "class": "HashingTF", "params": {"inputCol": "words", "outputCol": "features", "numFeatures": 512}},
    {"name": "lr", "class": "LogisticRegression", "params": {"regParam": 0.01, "standardization": false, "tol": 1e-10, "maxIter": 500}}
  ],
  $2
  "evaluator": {"class": "BinaryClassificationEvaluator", "params": {"metricName": "areaUnderROC"}},
  "input": {"header": true, "schema": "id bigint, text string, label double, fold bigint"}
}
EOF
}

# compare_models A B: the LR coefficients and intercept of two saved models, 1e-6 relative.
compare_models() {
  python3 - "$1" "$2" <<'EOF'
import glob, json, struct, sys
def load(d):
    coef = glob.glob(d + "/**/coefficients.f64le", recursive=True)
    assert len(coef) == 1, coef
    raw = open(coef[0], "rb").read()
    c = struct.unpack("<%dd" % (len(raw) // 8), raw)
    meta = [json.load(open(m)) for m in glob.glob(d + "/**/metadata.json", recursive=True)]
    return c, meta
a, ma = load(sys.argv[1])
b, mb = load(sys.argv[2])
assert len(a) == len(b), (len(a), len(b))
scale = max(abs(v) for v in a)
diff = max(abs(x - y) for x, y in zip(a, b))
print("max coefficient difference %.3g of %.3g" % (diff, scale))
assert scale > 0.1 and diff <= 1e-6 * scale, "coefficients differ"
EOF
}

expect_failure() {  # expect_failure RC PATTERN: the run failed, said PATTERN, wrote no model
  local rc="$1" pattern="$2"
  [ "$rc" -ne 0 ] || { echo "expected a non-zero exit"; cat "$work/err.txt"; exit 1; }
  grep -q -- "$pattern" "$work/err.txt" || { echo "missing '$pattern' in:"; cat "$work/err.txt"; exit 1; }
  [ ! -e "$work/model" ] || { echo "a model was written"; exit 1; }
}

case "$mode" in
  fit_np2|fit_np3)
    n="${mode#fit_np}"
    spec "$work/spec.json" ""
    "$td" fit --spec "$work/spec.json" --train "$work/train.csv" --out "$work/one" --json -q > "$work/one.json"
    timeout 50 "${mpi[@]}" -np "$n" "$td" fit --data-parallel --spec "$work/spec.json" \
      --train "$work/train.csv" --out "$work/many" --json -q > "$work/many.json"
    grep -q '"trainRows": 1500' "$work/many.json" || { cat "$work/many.json"; exit 1; }
    compare_models "$work/one" "$work/many"
    ;;
  cv_foldcol)
    spec "$work/spec.json" '"grid": {"lr.regParam": [0.1, 0.01, 0.001]},
  "tuning": {"method": "crossValidator", "numFolds": 3, "foldCol": "fold"},'
    "$td" fit --spec "$work/spec.json" --train "$work/train.csv" --out "$work/one" --json -q > "$work/one.json"
    timeout 50 "${mpi[@]}" -np 2 "$td" fit --data-parallel --spec "$work/spec.json" \
      --train "$work/train.csv" --out "$work/many" --json -q > "$work/many.json"
    python3 - "$work/one.json" "$work/many.json" <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["bestIndex"] == b["bestIndex"], (a["bestIndex"], b["bestIndex"])
for x, y in zip(a["avgMetrics"], b["avgMetrics"]):
    assert abs(x - y) <= 1e-6, (a["avgMetrics"], b["avgMetrics"])
print("avgMetrics", a["avgMetrics"], b["avgMetrics"])
EOF
    compare_models "$work/one" "$work/many"
    ;;
  tvs)
    spec "$work/spec.json" '"grid": {"lr.regParam": [0.1, 0.01]},
  "tuning": {"method": "trainValidationSplit", "trainRatio": 0.75},'
    timeout 50 "${mpi[@]}" -np 3 "$td" fit --data-parallel --spec "$work/spec.json" \
      --train "$work/train.csv" --out "$work/many" --json -q > "$work/many.json"
    python3 - "$work/many.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["trainRows"] == 1500 and len(d["validationMetrics"]) == 2, d
assert all(0.7 < m <= 1.0 for m in d["validationMetrics"]), d["validationMetrics"]
EOF
    "$td" show --model "$work/many" > /dev/null
    ;;
  bad_shard|bad_shard_rank0)
    spec "$work/spec.json" ""
    # The last row is in rank 1's byte range (of 2), the first data row in rank 0's: only that
    # rank sees label 1.5 (not a class index); the other one must not wait for it forever.
    line='$'; rank=1
    [ "$mode" = bad_shard_rank0 ] && { line=2; rank=0; }
    sed "${line}s/,[01]\\.0,\\([0-9]\\)\$/,1.5,\\1/" "$work/train.csv" > "$work/bad.csv"
    ! cmp -s "$work/train.csv" "$work/bad.csv" || { echo "bad.csv equals the training data"; exit 1; }
    set +e
    timeout 50 "${mpi[@]}" -np 2 "$td" fit --data-parallel --spec "$work/spec.json" \
      --train "$work/bad.csv" --out "$work/model" -q > "$work/out.txt" 2> "$work/err.txt"
    rc=$?
    set -e
    [ "$rc" -ne 124 ] || { echo "the job hung"; exit 1; }
    expect_failure "$rc" "rank $rank of 2: .*label column 'label' has invalid value 1.5"
    ;;
  nb_np3)
    spec "$work/spec.json" ""
    sed -i 's|{"name": "lr".*}}|{"name": "nb", "class": "NaiveBayes", "params": {"smoothing": 0.5}}|' \
      "$work/spec.json"
    grep -q '"NaiveBayes"' "$work/spec.json" || { cat "$work/spec.json"; exit 1; }
    "$td" fit --spec "$work/spec.json" --train "$work/train.csv" --out "$work/one" --json -q > "$work/one.json"
    timeout 50 "${mpi[@]}" -np 3 "$td" fit --data-parallel --spec "$work/spec.json" \
      --train "$work/train.csv" --out "$work/many" --json -q > "$work/many.json"
    grep -q '"trainRows": 1500' "$work/many.json" || { cat "$work/many.json"; exit 1; }
    for a in pi theta; do
      one=$(find "$work/one" -name "$a.f64le"); many=$(find "$work/many" -name "$a.f64le")
      [ -n "$one" ] && [ -n "$many" ] || { echo "no $a.f64le"; find "$work"; exit 1; }
      cmp "$one" "$many" || { echo "$a differs"; exit 1; }
    done
    ;;
  dl_sync_np2|dl_hogwild)
    spec "$work/spec.json" ""
    dlmode=sync; [ "$mode" = dl_hogwild ] && dlmode=hogwild
    python3 - "$work/spec.json" "$dlmode" <<'EOF2'
import json, sys
spec = json.load(open(sys.argv[1]))
net = [{"type": "dense", "units": 8, "activation": "tanh"},
       {"type": "dense", "units": 2, "activation": "softmax"}]
spec["stages"][2] = {"name": "dl", "class": "AsyncDL", "params": {
    "inputCol": "features", "labelCol": "label", "predictionCol": "prediction",
    "network": json.dumps(net), "mode": sys.argv[2], "partitions": 2, "miniBatchSize": -1,
    "iters": 15, "learningRate": 0.02}}
json.dump(spec, open(sys.argv[1], "w"), indent=1)
EOF2
    grep -q '"AsyncDL"' "$work/spec.json" || { cat "$work/spec.json"; exit 1; }
    if [ "$mode" = dl_hogwild ]; then
      python3 - "$work/spec.json" <<'EOF2'
import json, sys
spec = json.load(open(sys.argv[1]))
spec["evaluator"] = {"class": "MulticlassClassificationEvaluator",
                     "params": {"metricName": "accuracy"}}
spec["stages"][2]["params"].update({"iters": 40, "learningRate": 0.05})
json.dump(spec, open(sys.argv[1], "w"), indent=1)
EOF2
      "$td" fit --spec "$work/spec.json" --train "$work/train.csv" --test "$work/train.csv" \
        --out "$work/one" --json -q > "$work/one.json"
      for m in hogwild locked; do
        sed -i "s/\"mode\": \"[a-z]*\"/\"mode\": \"$m\"/" "$work/spec.json"
        grep -q "\"mode\": \"$m\"" "$work/spec.json" || { cat "$work/spec.json"; exit 1; }
        rm -rf "$work/many"
        timeout 60 "${mpi[@]}" -np 2 "$td" fit --data-parallel --spec "$work/spec.json" \
          --train "$work/train.csv" --test "$work/train.csv" --out "$work/many" --json -q \
          > "$work/many.json"
        python3 - "$work/one.json" "$work/many.json" "$work/many" "$m" <<'EOF2'
import glob, json, sys
one, many = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
meta = [json.load(open(f)) for f in glob.glob(sys.argv[3] + "/**/metadata.json", recursive=True)]
text = json.dumps(meta)
pushes = [m for m in meta if "pushes" in json.dumps(m)]
assert pushes, text
state = json.dumps(pushes[0])
print(sys.argv[4], "accuracy one process %.4f, 2 ranks %.4f" % (one["testMetric"], many["testMetric"]))
assert '"pushes": 80' in state, state
assert many["testMetric"] >= 0.8 and one["testMetric"] >= 0.8, (one["testMetric"], many["testMetric"])
EOF2
      done
    else
      "$td" fit --spec "$work/spec.json" --train "$work/train.csv" --out "$work/one" --json -q > "$work/one.json"
      timeout 50 "${mpi[@]}" -np 2 "$td" fit --data-parallel --spec "$work/spec.json" \
        --train "$work/train.csv" --out "$work/many" --json -q > "$work/many.json"
      grep -q '"trainRows": 1500' "$work/many.json" || { cat "$work/many.json"; exit 1; }
      python3 - "$work/one" "$work/many" <<'EOF2'
import glob, struct, sys
def load(d):
    f = glob.glob(d + "/**/weights.f64le", recursive=True)
    assert len(f) == 1, f
    raw = open(f[0], "rb").read()
    return struct.unpack("<%dd" % (len(raw) // 8), raw)
a, b = load(sys.argv[1]), load(sys.argv[2])
assert len(a) == len(b) and len(a) == 512 * 8 + 8 + 8 * 2 + 2, (len(a), len(b))
scale = max(abs(v) for v in a)
diff = max(abs(x - y) for x, y in zip(a, b))
print("max weight difference %.3g of %.3g" % (diff, scale))
assert scale > 0.01 and diff <= 1e-4 * scale, "weights differ"
EOF2
    fi
    ;;
  *) echo "unknown mode $mode"; exit 2 ;;
esac
echo "mpi_data_parallel $mode OK"
