"""An unchanged PySpark script runs with `python3 -m thunderdome`; master("local[N]") sets the
threads of fits."""
import os
import subprocess
import sys
import textwrap

from thunderdome import _thunderdome


def test_unchanged_pyspark_script_runs(tmp_path):
    script = tmp_path / "job.py"
    script.write_text(textwrap.dedent("""
        import sys
        from pyspark.ml import Pipeline
        from pyspark.ml.classification import LogisticRegression
        from pyspark.ml.feature import HashingTF, Tokenizer
        from pyspark.sql import SparkSession
        from pyspark.sql.utils import IllegalArgumentException

        spark = SparkSession.builder.appName("x").master("local[2]").getOrCreate()
        training = spark.createDataFrame([
            (0, "a b c d e spark", 1.0), (1, "b d", 0.0), (2, "spark f g h", 1.0),
            (3, "hadoop mapreduce", 0.0)], ["id", "text", "label"])
        tokenizer = Tokenizer(inputCol="text", outputCol="words")
        hashingTF = HashingTF(inputCol=tokenizer.getOutputCol(), outputCol="features")
        lr = LogisticRegression(maxIter=10, regParam=0.001)
        model = Pipeline(stages=[tokenizer, hashingTF, lr]).fit(training)
        row = model.transform(training).select("id", "prediction").collect()[0]
        print(row, sys.argv[1])
        try:
            LogisticRegression(regParam=-1.0)
        except IllegalArgumentException:
            print("caught")
        spark.stop()
    """))
    env = dict(os.environ)
    out = subprocess.run([sys.executable, "-m", "thunderdome", str(script), "arg1"],
                         capture_output=True, text=True, env=env, check=True).stdout
    assert out == "Row(id=0, prediction=1.0) arg1\ncaught\n"


def test_master_local_n_sets_the_threads():
    from thunderdome.sql import SparkSession
    from thunderdome.sql.session import _threads_of
    assert _threads_of("local[3]") == 3 and _threads_of("local") == 1
    assert _threads_of("local[*]") == 0 and _threads_of("spark://host:7077") == 0
    s = SparkSession.builder.master("local[2]").getOrCreate()
    assert _thunderdome.threads() == 2
    s.stop()
    assert _thunderdome.threads() == 0
