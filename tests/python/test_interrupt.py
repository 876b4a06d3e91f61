"""Fits release the GIL and Ctrl-C (SIGINT) cancels a running fit through the Context."""
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

CHILD = textwrap.dedent("""
    import sys, time
    import numpy as np
    from thunderdome.sql import SparkSession
    from thunderdome.ml.classification import LogisticRegression
    from thunderdome.ml.evaluation import BinaryClassificationEvaluator
    from thunderdome.ml.feature import VectorAssembler
    from thunderdome.ml.tuning import CrossValidator, ParamGridBuilder

    spark = SparkSession.builder.getOrCreate()
    rng = np.random.default_rng(1)
    x = rng.standard_normal((20000, 20))
    y = (x[:, 0] + rng.standard_normal(20000) > 0).astype(float)
    cols = {"f%d" % i: x[:, i] for i in range(20)}
    import pandas as pd
    pdf = pd.DataFrame(cols); pdf["label"] = y
    df = VectorAssembler(inputCols=list(cols), outputCol="features").transform(
        spark.createDataFrame(pdf))
    lr = LogisticRegression(maxIter=50, tol=0.0, solver="l-bfgs")

    def cv(n):
        grid = ParamGridBuilder().addGrid(lr.regParam, list(np.linspace(0.001, 1, n))).build()
        return CrossValidator(estimator=lr, estimatorParamMaps=grid, numFolds=2,
                              evaluator=BinaryClassificationEvaluator(), parallelism=1)

    t = time.time(); cv(4).fit(df); per_map = (time.time() - t) / 4
    print("READY %f" % per_map, flush=True)
    t = time.time()
    try:
        cv(400).fit(df)
        print("FINISHED %f" % (time.time() - t), flush=True)
    except KeyboardInterrupt:
        print("INTERRUPTED %f" % (time.time() - t), flush=True)
    m = cv(2).fit(df)  # the process goes on: the next fit runs whole
    print("AFTER %d" % len(m.avgMetrics), flush=True)
""")


def test_ctrl_c_cancels_a_running_fit():
    env = dict(os.environ)
    p = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True, env=env)
    line = p.stdout.readline()
    assert line.startswith("READY"), line
    per_map = float(line.split()[1])
    time.sleep(0.3)
    p.send_signal(signal.SIGINT)
    out = p.communicate(timeout=600)[0]
    assert out.startswith("INTERRUPTED"), out
    assert out.splitlines()[1] == "AFTER 2", out
    elapsed = float(out.split()[1])
    # the whole grid would take about 400 * per_map; cancelled, it stops within a few fits
    assert elapsed < 0.3 + 0.25 * 400 * per_map, (elapsed, per_map)


def test_fit_releases_the_gil(spark):
    from thunderdome.ml.feature import HashingTF, Tokenizer
    rows = [(i, " ".join("w%d" % (i * j % 997) for j in range(40))) for i in range(60000)]
    df = Tokenizer(inputCol="text", outputCol="words").transform(
        spark.createDataFrame(rows, ["id", "text"]))
    tf = HashingTF(inputCol="words", outputCol="f")
    stamps = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            stamps.append(time.perf_counter())
            time.sleep(0.001)

    th = threading.Thread(target=tick)
    th.start()
    time.sleep(0.01)
    t0 = time.perf_counter()
    tf.transform(df)  # one call into C++
    t1 = time.perf_counter()
    stop.set()
    th.join()
    during = [t for t in stamps if t0 < t < t1]
    # holding the GIL, the call would leave the ticking thread no chance to run until it returned
    assert t1 - t0 > 0.02, "the call was too short to tell"
    assert len(during) >= 3, (len(during), t1 - t0)
