#!/usr/bin/env bash
# `thunderdome fit` under mpirun. Usage: mpi_fit.sh MODE MPIRUN THUNDERDOME EXAMPLES_DIR
#   np2, np3  : with distributedRefit false, N ranks give exactly the single-process
#               avgMetrics, bestIndex, model and solver work
#   tvs_np2   : the same for TrainValidationSplit on 2 ranks
#   refit_np2, refit_np3 : with distributedRefit (distributedRefitMinRows 1) the ranks refit the best map
#               data-parallel: the single-process metrics and bestIndex bit for bit, the model
#               (at tol 1e-10) within 1e-6 of the coefficients' scale, the test metric within
#               1e-6, and every rank ran the refit (the work summed over the ranks counts N refits);
#               refit_np2 also: with the default minimum of 10,000 rows a rank this small job is
#               refit by rank 0 alone, the single-process model
#   refit_fallback : a pipeline with an estimator that cannot fit data-parallel
#               (CountVectorizer) is refit by rank 0 alone: the single-process model bit for bit
#   mismatch  : ranks reading different data (MPMD) -> clear error, non-zero exit, no model
#   bad_rank  : one rank's data has the same schema and row count but a bad label -> same
set -euo pipefail
mode="$1"; mpirun="$2"; td="$3"; ex="$4"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
mpi=("$mpirun" --allow-run-as-root --oversubscribe)
spec="$ex/cross_validation.json"; train="$ex/data/spark_guide_train.csv"

# tuned SPEC OUT JSON: SPEC with JSON's keys added to its "tuning".
tuned() {
  python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); s["tuning"].update(json.loads(sys.argv[3])); json.dump(s, open(sys.argv[2], "w"))' "$@"
}

field() {  # field FILE KEY: the JSON value of KEY, canonical
  python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))[sys.argv[2]]))' "$1" "$2"
}

expect_failure() {  # expect_failure PATTERN: the last mpirun failed, said PATTERN, wrote no model
  local rc="$1" pattern="$2"
  [ "$rc" -ne 0 ] || { echo "expected a non-zero exit"; cat "$work/err.txt"; exit 1; }
  grep -q -- "$pattern" "$work/err.txt" || { echo "missing '$pattern' in:"; cat "$work/err.txt"; exit 1; }
  [ ! -e "$work/model" ] || { echo "a model was written"; exit 1; }
}

# same_as_one_process N SPEC KEY...: fit SPEC in one process and on N ranks; the KEYs of the
# JSON results and the saved models (`show`; no path is stored) must be identical.
same_as_one_process() {
  local n="$1" sp="$2"; shift 2
  "$td" fit --spec "$sp" --train "$train" --out "$work/one" --json -q > "$work/one.json"
  timeout 50 "${mpi[@]}" -np "$n" "$td" fit --spec "$sp" --train "$train" --out "$work/many" \
    --json -q > "$work/many.json"
  for key in "$@"; do
    [ "$(field "$work/one.json" "$key")" = "$(field "$work/many.json" "$key")" ] ||
      { echo "$key differs"; cat "$work/one.json" "$work/many.json"; exit 1; }
  done
  "$td" show --model "$work/one" --json > "$work/one.show"
  "$td" show --model "$work/many" --json > "$work/many.show"
  diff "$work/one.show" "$work/many.show"
}

case "$mode" in
  np2|np3)
    # the solver work summed over the ranks is the single process's: every fit done once
    tuned "$spec" "$work/plain.json" '{"distributedRefit": false}'
    same_as_one_process "${mode#np}" "$work/plain.json" avgMetrics stdMetrics foldMetrics bestIndex work
    ;;
  tvs_np2)
    # TrainValidationSplit's param maps dealt to 2 ranks: the single-process result.
    python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); s["tuning"]={"method": "trainValidationSplit", "trainRatio": 0.75, "seed": 7, "distributedRefit": False}; json.dump(s, open(sys.argv[2], "w"))' "$spec" "$work/tvs.json"
    same_as_one_process 2 "$work/tvs.json" validationMetrics bestIndex
    ;;
  refit_np2|refit_np3)
    n="${mode#refit_np}"
    test="$ex/data/spark_guide_test.csv"
    # LogisticRegression converged to tol 1e-10 (the example stops at maxIter 10), so that the
    # refit's distance from one process is the sums' order, not where the solver stopped.
    python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); s["stages"][2]["params"].update({"maxIter": 100, "tol": 1e-10}); s["tuning"]["distributedRefitMinRows"] = 1; json.dump(s, open(sys.argv[2], "w"))' "$spec" "$work/tight.json"
    "$td" fit --spec "$work/tight.json" --train "$train" --test "$test" --out "$work/one" --json -q \
      > "$work/one.json"
    timeout 50 "${mpi[@]}" -np "$n" "$td" fit --spec "$work/tight.json" --train "$train" \
      --test "$test" --out "$work/many" --json -q > "$work/many.json"
    for key in avgMetrics stdMetrics foldMetrics bestIndex; do
      [ "$(field "$work/one.json" "$key")" = "$(field "$work/many.json" "$key")" ] ||
        { echo "$key differs"; cat "$work/one.json" "$work/many.json"; exit 1; }
    done
    python3 - "$work" "$n" <<'EOF'
import glob, json, struct, sys
work, n = sys.argv[1], int(sys.argv[2])
def model(d):
    f = glob.glob(d + "/bestModel/**/coefficients.f64le", recursive=True)
    assert len(f) == 1, f
    raw = open(f[0], "rb").read()
    meta = [json.load(open(m)) for m in glob.glob(d + "/bestModel/**/metadata.json", recursive=True)]
    icpt = [m["intercept"] for m in meta if "intercept" in m]
    assert len(icpt) == 1, meta
    return list(struct.unpack("<%dd" % (len(raw) // 8), raw)) + icpt
a, b = model(work + "/one"), model(work + "/many")
scale = max(abs(v) for v in a)
diff = max(abs(x - y) for x, y in zip(a, b))
print("refit on %d ranks: max coefficient difference %.3g of %.3g" % (n, diff, scale))
assert len(a) == len(b) and scale > 0.1 and diff <= 1e-6 * scale, "the refit model differs"
one, many = (json.load(open(work + p)) for p in ("/one.json", "/many.json"))
assert abs(one["testMetric"] - many["testMetric"]) <= 1e-6, (one["testMetric"], many["testMetric"])
# The cross-validation's fits are dealt once over the ranks; the refit runs on all n of them.
w1, wn = one["work"], many["work"]
assert wn["fits"] == w1["fits"] + n - 1, (w1, wn)
assert wn["passes"] > w1["passes"], (w1, wn)
EOF
    # The default distributedRefitMinRows (10,000 rows a rank) keeps this small job's refit on
    # rank 0: the single-process model and work bit for bit.
    if [ "$n" = 2 ]; then rm -rf "$work/one" "$work/many"; same_as_one_process 2 "$spec" avgMetrics bestIndex work; fi
    ;;
  refit_fallback)
    # CountVectorizer (an estimator without data-parallel fits) instead of HashingTF.
    python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); s["stages"][1]={"name": "cv", "class": "CountVectorizer", "params": {"inputCol": "words", "outputCol": "features"}}; s["grid"]={"lr.regParam": [0.1, 0.01]}; json.dump(s, open(sys.argv[2], "w"))' "$spec" "$work/cv.json"
    same_as_one_process 2 "$work/cv.json" avgMetrics bestIndex work
    ;;
  mismatch)
    head -n 9 "$train" > "$work/short.csv"
    set +e
    timeout 50 "${mpi[@]}" -np 1 "$td" fit --spec "$spec" --train "$train" --out "$work/model" -q \
      : -np 1 "$td" fit --spec "$spec" --train "$work/short.csv" --out "$work/model" -q \
      > "$work/out.txt" 2> "$work/err.txt"
    rc=$?
    set -e
    expect_failure "$rc" "ranks disagree on their inputs: rank 1 of 2 read '$work/short.csv'"
    grep -q "8 rows vs 12" "$work/err.txt"
    ;;
  bad_rank)
    sed '2s/,1\.0$/,2.0/' "$train" > "$work/bad.csv"
    ! cmp -s "$train" "$work/bad.csv" || { echo "bad.csv equals the training data"; exit 1; }
    set +e
    timeout 50 "${mpi[@]}" -np 2 "$td" fit --spec "$spec" --train "$train" --out "$work/model" -q \
      : -np 1 "$td" fit --spec "$spec" --train "$work/bad.csv" --out "$work/model" -q \
      > "$work/out.txt" 2> "$work/err.txt"
    rc=$?
    set -e
    expect_failure "$rc" "rank 2 of 3 read '$work/bad.csv'"
    grep -q "same schema and row count but different values" "$work/err.txt"
    ;;
  *) echo "unknown mode $mode"; exit 2 ;;
esac
echo "mpi_fit $mode OK"
