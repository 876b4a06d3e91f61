#!/usr/bin/python3
"""The Python API's overhead (issue #15), measured here:

1. The seed job (bench/specs/spam_cv.json: Tokenizer -> HashingTF -> LogisticRegression,
   3 x 3 grid, 3-fold CrossValidator, refit, test AUC) run by `thunderdome fit` and by the same
   job written in PySpark style against thunderdome's Python API, each as a whole process
   (interpreter start and imports included), alternating, medians of --repeats runs.
   Target: Python at most 5% more wall time than the CLI.
2. toPandas() of a 1,000,000-row numeric frame against pandas building a DataFrame from the
   same numpy arrays (pd.DataFrame({name: array})). Target: toPandas at least as fast.

The spam TSVs come from bench/fetch_spam.py (bench/data/); without them (or with --synthetic)
a seeded synthetic corpus of the same size and shape is written to a temporary directory.

    /usr/bin/python3 bench/python_overhead.py [--build-dir build] [--repeats 5] [--synthetic]
    /usr/bin/python3 bench/python_overhead.py --to-pandas-only 21   # part 2 alone
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

PY_JOB = r'''
import sys, time
t0 = time.time()
from thunderdome.ml import Pipeline
from thunderdome.ml.classification import LogisticRegression
from thunderdome.ml.evaluation import BinaryClassificationEvaluator
from thunderdome.ml.feature import HashingTF, Tokenizer
from thunderdome.ml.tuning import CrossValidator, ParamGridBuilder
from thunderdome.sql import SparkSession

spark = SparkSession.builder.appName("seed job").getOrCreate()

def read(path):
    return (spark.read.option("header", True).option("sep", "\t").option("quote", "")
            .schema("id bigint, text string, label double").csv(path))

train, test = read(sys.argv[1]), read(sys.argv[2])
tokenizer = Tokenizer(inputCol="text", outputCol="words")
hashingTF = HashingTF(inputCol="words", outputCol="features")
lr = LogisticRegression(standardization=False, maxIter=100, tol=1e-6)
pipeline = Pipeline(stages=[tokenizer, hashingTF, lr])
grid = (ParamGridBuilder().addGrid(hashingTF.numFeatures, [1024, 16384, 262144])
        .addGrid(lr.regParam, [0.1, 0.01, 0.001]).build())
evaluator = BinaryClassificationEvaluator(metricName="areaUnderROC")
cv = CrossValidator(estimator=pipeline, estimatorParamMaps=grid, evaluator=evaluator,
                    numFolds=3, seed=42)
model = cv.fit(train)
model.write().overwrite().save(sys.argv[3])  # the CLI saves its model too
auc = evaluator.evaluate(model.transform(test))
print("AUC %.6f best %s in-process %.3f" % (auc, max(model.avgMetrics), time.time() - t0))
'''


def synthetic(dirname, rows=6046, seed=7):
    """A spam-like corpus: documents of 50-600 words from a shared Zipf vocabulary, a few class
    words each, and 8% of the labels flipped (not separable, like the real bodies)."""
    import numpy as np
    rng = np.random.default_rng(seed)
    vocab = ["w%d" % i for i in range(20000)]
    spam = ["offer", "free", "click", "money", "win", "credit", "deal", "viagra"]
    ham = ["meeting", "patch", "kernel", "list", "thanks", "debian", "build", "review"]
    out = []
    for i in range(rows):
        label = 1.0 if rng.random() < 0.31 else 0.0
        n = int(rng.integers(50, 600))
        words = [vocab[j] for j in rng.zipf(1.3, n) % len(vocab)]
        cls = spam if label else ham
        words += [cls[j] for j in rng.integers(0, len(cls), max(1, n // 100))]
        rng.shuffle(words)
        if rng.random() < 0.08:
            label = 1.0 - label
        out.append((i, " ".join(words), label))
    cut = int(rows * 0.8)
    paths = []
    for name, part in (("train.tsv", out[:cut]), ("test.tsv", out[cut:])):
        p = os.path.join(dirname, name)
        with open(p, "w") as f:
            f.write("id\ttext\tlabel\n")
            for r in part:
                f.write("%d\t%s\t%.1f\n" % r)
        paths.append(p)
    return paths


def wall(cmd, env=None):
    """(wall seconds, CPU seconds of the child, its stdout)."""
    import resource
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        sys.exit("failed: %s\n%s%s" % (" ".join(cmd), r.stdout, r.stderr))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu, r.stdout


def to_pandas_bench(build_python, repeats):
    """toPandas(), toPandas(copy=False) and pd.DataFrame(arrays) of the same 1,000,000 x 8
    doubles, interleaved, `repeats` rounds: the samples of each, and the ratios
    toPandas / pandas of each round (round 1 is toPandas' first call in the process: no block
    of an earlier call to reuse)."""
    sys.path.insert(0, build_python)
    import numpy as np
    import pandas as pd
    from thunderdome.sql import SparkSession
    spark = SparkSession.builder.getOrCreate()
    rng = np.random.default_rng(0)
    arrays = {"c%d" % i: rng.standard_normal(1_000_000) for i in range(8)}
    df = spark.createDataFrame(pd.DataFrame(arrays))
    ours, theirs, views = [], [], []
    for _ in range(repeats):
        t = time.perf_counter()
        a = df.toPandas()
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        df.toPandas(copy=False)
        views.append(time.perf_counter() - t)
        t = time.perf_counter()
        b = pd.DataFrame(arrays)
        theirs.append(time.perf_counter() - t)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(df.toPandas(copy=False), b)
    return ours, theirs, views


def print_to_pandas(ours, theirs, views):
    med = statistics.median
    ratios = [o / t for o, t in zip(ours, theirs)]
    print("| 1,000,000 x 8 doubles (%d interleaved rounds) | median s | / pd.DataFrame(arrays) |"
          % len(ours))
    print("|---|---|---|")
    print("| pd.DataFrame(arrays) | %.4f | 1 |" % med(theirs))
    later = ratios[1:] or ratios
    print("| toPandas() | %.4f | %.3f (per round: median %.3f; rounds 2-%d %.3f-%.3f; "
          "round 1 %.3f) |"
          % (med(ours), med(ours) / med(theirs), med(ratios), len(ratios), min(later),
             max(later), ratios[0]))
    print("| toPandas(copy=False) | %.4f | %.4f |" % (med(views), med(views) / med(theirs)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--synthetic", action="store_true", help="use the synthetic corpus even if "
                    "bench/data has the spam TSVs")
    ap.add_argument("--json", help="also write the samples to this file")
    ap.add_argument("--to-pandas-only", type=int, metavar="ROUNDS",
                    help="only the toPandas comparison, ROUNDS interleaved rounds")
    args = ap.parse_args()
    build_python = os.path.join(os.path.abspath(args.build_dir), "python")
    if args.to_pandas_only:
        print_to_pandas(*to_pandas_bench(build_python, args.to_pandas_only))
        print("load average at the end: %.2f %.2f %.2f" % os.getloadavg())
        return
    cli = os.path.join(os.path.abspath(args.build_dir), "cli", "thunderdome")
    train = os.path.join(HERE, "data", "spam_train.tsv")
    test = os.path.join(HERE, "data", "spam_test.tsv")
    tmp = tempfile.mkdtemp(prefix="td_pyoverhead_")
    data = "spam (bench/data)"
    if args.synthetic or not (os.path.exists(train) and os.path.exists(test)):
        train, test = synthetic(tmp)
        data = "synthetic (seeded, 6,046 documents)"
    env = dict(os.environ, PYTHONPATH=build_python)
    cli_cmd = [cli, "fit", "--spec", os.path.join(HERE, "specs", "spam_cv.json"), "--train", train,
               "--test", test, "--out", os.path.join(tmp, "model"), "--overwrite", "-q"]
    py_cmd = ["/usr/bin/python3", "-c", PY_JOB, train, test, os.path.join(tmp, "py_model")]
    wall(cli_cmd)  # warm the page cache
    cli_t, py_t, cli_cpu, py_cpu = [], [], [], []
    py_out = ""
    for _ in range(args.repeats):
        t, cpu, _ = wall(cli_cmd)
        cli_t.append(t)
        cli_cpu.append(cpu)
        t, cpu, py_out = wall(py_cmd, env)
        py_t.append(t)
        py_cpu.append(cpu)
    c, p = statistics.median(cli_t), statistics.median(py_t)
    cc, pc = statistics.median(cli_cpu), statistics.median(py_cpu)
    ours, theirs, views = to_pandas_bench(build_python, max(args.repeats, 11))
    print("data: %s; %d repeats, alternating; medians" % (data, args.repeats))
    print("| job | CLI wall s | Python wall s | Python / CLI |")
    print("|---|---|---|---|")
    print("| seed job (spam_cv.json), wall s | %.3f | %.3f | %.3f |" % (c, p, p / c))
    print("| seed job (spam_cv.json), CPU s | %.3f | %.3f | %.3f |" % (cc, pc, pc / cc))
    print("load average at the end: %.2f %.2f %.2f" % os.getloadavg())
    print("python: %s" % py_out.strip())
    print_to_pandas(ours, theirs, views)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"data": data, "cli": cli_t, "python": py_t, "cliCpu": cli_cpu,
                       "pythonCpu": py_cpu, "toPandas": ours,
                       "toPandasViews": views, "pandas": theirs}, f, indent=1)


if __name__ == "__main__":
    main()
