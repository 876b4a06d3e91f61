"""createDataFrame (tuples, Rows, dicts, pandas, numpy), DataFrame basics, numpy and pandas
round trips."""
import os

import numpy as np
import pandas as pd
import pytest

from thunderdome.errors import AnalysisException
from thunderdome.ml.linalg import DenseVector, SparseVector, Vectors
from thunderdome.sql import Row
from thunderdome.sql.functions import col, lit
from thunderdome.sql.types import DoubleType, LongType, StringType, StructField, StructType


def test_type_inference_from_tuples(spark):
    df = spark.createDataFrame([(0, "a b", 1.0, True, ["x", "y"], Vectors.dense([1.0, 2.0]))],
                               ["id", "text", "label", "flag", "tokens", "vec"])
    assert df.dtypes == [("id", "bigint"), ("text", "string"), ("label", "double"),
                         ("flag", "boolean"), ("tokens", "array<string>"), ("vec", "vector")]
    assert df.columns == ["id", "text", "label", "flag", "tokens", "vec"]
    assert df.count() == 1
    row = df.first()
    assert row.tokens == ["x", "y"] and row.vec == DenseVector([1.0, 2.0]) and row.flag is True


def test_default_names_and_rows_and_dicts(spark):
    assert spark.createDataFrame([(1, "a")]).columns == ["_1", "_2"]
    df = spark.createDataFrame([Row(id=1, text="a"), Row(id=2, text="b")])
    assert df.columns == ["id", "text"] and [r.id for r in df.collect()] == [1, 2]
    df = spark.createDataFrame([{"x": 1.5, "y": "u"}])
    assert df.dtypes == [("x", "double"), ("y", "string")]


def test_mixed_int_and_float_is_a_type_error_as_in_pyspark(spark):
    with pytest.raises(TypeError, match="field label: Can not merge type"):
        spark.createDataFrame([(0, 1), (1, 0.5)], ["id", "label"])


def test_schema_as_ddl_and_structtype(spark):
    df = spark.createDataFrame([(0, "a", 1)], "id long, text string, label double")
    assert df.dtypes == [("id", "bigint"), ("text", "string"), ("label", "double")]
    schema = StructType([StructField("id", LongType()), StructField("t", StringType()),
                         StructField("y", DoubleType())])
    df = spark.createDataFrame([(0, "a", 2.0)], schema)
    assert df.schema == schema
    assert repr(df.schema) == ("StructType([StructField('id', LongType(), True), "
                               "StructField('t', StringType(), True), "
                               "StructField('y', DoubleType(), True)])")


def test_nulls_become_none(spark):
    df = spark.createDataFrame([(1, None), (None, "b")], ["n", "s"])
    assert df.collect() == [Row(n=1, s=None), Row(n=None, s="b")]


def test_select_show_and_print_schema(spark, capsys):
    df = spark.createDataFrame([(0, "a b", 1.0), (1, "c", 0.0)], ["id", "text", "label"])
    df.select("id", "label").show()
    df.select(["text"]).printSchema()
    out = capsys.readouterr().out
    assert "+---+-----+\n| id|label|\n+---+-----+\n|  0|  1.0|\n|  1|  0.0|\n+---+-----+\n" in out
    assert "root\n |-- text: string (nullable = true)\n" in out
    with pytest.raises(AnalysisException, match="Column 'nope' does not exist. Available: id, text, label"):
        df.select("nope")


def test_with_column_filter_and_expressions(spark):
    df = spark.createDataFrame([(0, 1.0), (1, 3.0), (2, 5.0)], ["id", "x"])
    df2 = df.withColumn("y", col("x") * 2 + 1).withColumn("c", lit("k"))
    assert [r.y for r in df2.collect()] == [3.0, 7.0, 11.0]
    assert df2.first().c == "k"
    assert [r.id for r in df.filter(df.x > 2.0).collect()] == [1, 2]
    assert [r.id for r in df.where(df["id"] == 0).collect()] == [0]
    assert df.select((df.x + df.id).alias("s")).columns == ["s"]
    assert df.withColumn("xi", df.x.cast("long")).dtypes[-1] == ("xi", "bigint")
    assert df.withColumnRenamed("x", "z").columns == ["id", "z"]
    assert df.drop("x").columns == ["id"]


def test_random_split_is_seeded_and_partitions(spark):
    df = spark.range(1000)
    a, b = df.randomSplit([0.7, 0.3], seed=42)
    c, d = df.randomSplit([0.7, 0.3], seed=42)
    assert a.count() + b.count() == 1000
    assert [r.id for r in a.collect()] == [r.id for r in c.collect()]
    assert 600 < a.count() < 800
    assert df.cache() is df


def test_pandas_round_trip(spark):
    pdf = pd.DataFrame({"i": np.arange(5, dtype=np.int64), "x": np.linspace(0, 1, 5),
                        "s": list("abcde"), "b": [True, False, True, False, True]})
    df = spark.createDataFrame(pdf)
    assert df.dtypes == [("i", "bigint"), ("x", "double"), ("s", "string"), ("b", "boolean")]
    back = df.toPandas()
    pd.testing.assert_frame_equal(back, pdf)


def test_pandas_vectors_to_pandas(spark):
    df = spark.createDataFrame([(Vectors.dense([1.0, 2.0]),), (Vectors.dense([3.0, 4.0]),)], ["v"])
    pdf = df.toPandas()
    assert pdf["v"][1] == DenseVector([3.0, 4.0])
    df2 = spark.createDataFrame(pdf)
    assert df2.dtypes == [("v", "vector")] and df2.collect()[1].v == DenseVector([3.0, 4.0])


def test_numpy_input_and_zero_copy_views(spark):
    arr = np.arange(12, dtype=np.float64).reshape(4, 3)
    df = spark.createDataFrame(arr)
    assert df.columns == ["_1", "_2", "_3"]
    assert spark.createDataFrame(np.arange(3)).columns == ["value"]
    view = df.toNumpy("_2")
    assert list(view) == [1.0, 4.0, 7.0, 10.0]
    assert not view.flags.writeable
    # the view shares the column's storage: a second view points at the same memory
    assert df.toNumpy("_2").__array_interface__["data"][0] == view.__array_interface__["data"][0]


def test_vector_column_views(spark):
    from thunderdome.ml.feature import VectorAssembler
    df = spark.createDataFrame(np.arange(6, dtype=np.float64).reshape(3, 2), ["a", "b"])
    out = VectorAssembler(inputCols=["a", "b"], outputCol="f").transform(df)
    m = out.toNumpy("f")
    assert m.shape == (3, 2) and m[2, 1] == 5.0
    sp = spark.createDataFrame([(SparseVector(3, {1: 2.0}),), (SparseVector(3, {}),)], ["v"])
    assert sp.toNumpy("v").tolist() == [[0.0, 2.0, 0.0], [0.0, 0.0, 0.0]]
    assert sp.collect()[0].v == SparseVector(3, {1: 2.0})


def test_numeric_to_pandas_matches_numpy_construction(spark):
    rng = np.random.default_rng(0)
    cols = {"c%d" % i: rng.standard_normal(1000) for i in range(4)}
    df = spark.createDataFrame(pd.DataFrame(cols))
    pd.testing.assert_frame_equal(df.toPandas(), pd.DataFrame(cols))


def test_to_pandas_without_copy_shares_the_columns(spark):
    df = spark.createDataFrame(np.arange(10.0).reshape(5, 2), ["a", "b"])
    pdf = df.toPandas(copy=False)
    assert pdf["a"].tolist() == [0.0, 2.0, 4.0, 6.0, 8.0]
    assert np.shares_memory(pdf["a"].to_numpy(), df.toNumpy("a"))
    with pytest.raises(ValueError, match="read-only"):
        pdf.loc[0, "a"] = 1.0
    copied = df.toPandas()
    copied.loc[0, "a"] = 1.0  # the default copy is an ordinary, writable frame
    assert df.first().a == 0.0


def test_udf_order_by_and_group_by(spark):
    from thunderdome.ml.feature import Tokenizer
    from thunderdome.sql import functions as F
    from thunderdome.sql.types import IntegerType
    sentenceDataFrame = spark.createDataFrame([
        (0, "Hi I heard about Spark"),
        (1, "I wish Java could use case classes"),
        (2, "Logistic,regression,models,are,neat")
    ], ["id", "sentence"])
    tokenizer = Tokenizer(inputCol="sentence", outputCol="words")
    countTokens = F.udf(lambda words: len(words), IntegerType())
    tokenized = tokenizer.transform(sentenceDataFrame)
    out = tokenized.select("sentence", "words").withColumn("tokens", countTokens(col("words")))
    assert [r.tokens for r in out.collect()] == [5, 7, 1]
    assert out.dtypes[-1] == ("tokens", "bigint")

    df = spark.createDataFrame([(1, "b", 2.0), (0, "a", 5.0), (1, "a", 1.0), (0, "b", 3.0)],
                               ["label", "g", "x"])
    assert [r.x for r in df.orderBy("x").collect()] == [1.0, 2.0, 3.0, 5.0]
    assert [(r.label, r.g) for r in df.orderBy("label", "g", ascending=[True, False]).collect()] == \
        [(0, "b"), (0, "a"), (1, "b"), (1, "a")]
    assert [r.g for r in df.sort(df.g, ascending=False).collect()] == ["b", "b", "a", "a"]
    counts = {r.label: r["count"] for r in df.groupBy("label").count().collect()}
    assert counts == {1: 2, 0: 2}
    means = {r.g: r["avg(x)"] for r in df.groupBy("g").avg("x").collect()}
    assert means == {"b": 2.5, "a": 3.0}
    agg = df.groupBy("label").agg(F.max("x").alias("mx"), F.count("x")).orderBy("label").collect()
    assert [(r.label, r.mx, r["count(x)"]) for r in agg] == [(0, 5.0, 2), (1, 2.0, 2)]
    assert df.select("label").distinct().count() == 2


def test_read_json_lines_and_errors(spark, tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_text('{"id": 1, "text": "a b", "x": 0.5}\n{"id": 2, "text": "c", "x": 1.5}\n')
    df = spark.read.json(str(p))
    assert sorted(df.columns) == ["id", "text", "x"]
    assert sorted(r.x for r in df.collect()) == [0.5, 1.5]
    from thunderdome.errors import IllegalArgumentException, IOException
    with pytest.raises(IOException, match="nope.csv"):
        spark.read.csv(str(tmp_path / "nope.csv"))
    with pytest.raises(IllegalArgumentException, match="unknown reader option 'heder'"):
        spark.read.option("heder", True).csv(str(p))


def test_missing_values_and_describe(spark, capsys):
    df = spark.createDataFrame([(1, 2.0, "a"), (None, float("nan"), None), (3, None, "c")],
                               ["i", "x", "s"])
    assert df.dropna().count() == 1
    assert df.na.drop(how="all").count() == 2  # the second row holds nothing
    assert df.dropna(subset=["i"]).count() == 2
    assert df.dropna(thresh=2).count() == 2
    filled = df.fillna(0).fillna("?")
    assert filled.collect() == [Row(i=1, x=2.0, s="a"), Row(i=0, x=0.0, s="?"),
                                Row(i=3, x=0.0, s="c")]
    assert df.na.fill({"x": -1.0}).collect()[1].x == -1.0
    d = spark.createDataFrame([(1, 2.0, "b"), (3, 4.0, "a")], ["i", "x", "s"]).describe()
    assert d.columns == ["summary", "i", "x", "s"]
    rows = {r.summary: r for r in d.collect()}
    assert rows["count"].i == "2" and rows["mean"].x == "3.0" and rows["min"].s == "a"
    assert rows["stddev"].i == str(2 ** 0.5) and rows["max"].i == "3" and rows["mean"].s is None


def test_write_and_read_back(spark, tmp_path):
    from thunderdome.errors import AnalysisException
    df = spark.createDataFrame([(0, "a b", 1.0), (1, "c", 0.0)], ["id", "text", "label"])
    out = str(tmp_path / "out")
    df.write.csv(out, header=True)
    assert os.listdir(out) == ["part-00000.csv"]
    back = spark.read.csv(out, header=True, inferSchema=True)
    assert back.collect() == df.collect()
    with pytest.raises(AnalysisException, match="already exists"):
        df.write.csv(out)
    df.write.mode("append").option("header", True).csv(out)
    assert spark.read.csv(out, header=True, inferSchema=True).count() == 4
    df.write.mode("overwrite").json(out)
    assert sorted(r.id for r in spark.read.json(out).collect()) == [0, 1]
    df.write.mode("ignore").csv(out)
    assert os.listdir(out) == ["part-00000.jsonl"]
    lib = spark.createDataFrame([(1.0, Vectors.sparse(3, {1: 2.0}))], ["label", "features"])
    lib.write.format("libsvm").save(str(tmp_path / "svm"))
    assert spark.read.format("libsvm").option("numFeatures", 3) \
        .load(str(tmp_path / "svm")).first().features == SparseVector(3, {1: 2.0})


def test_to_pandas_blocks_are_reused_only_once_freed(spark):
    # toPandas' numeric blocks come from a small cache of freed ones: a live frame's block is
    # never handed out again, and a reused block holds the new frame's values only (4.8 MB
    # blocks: the cache takes blocks of 4 MiB and more)
    import gc
    a = np.arange(600_000, dtype=np.float64).reshape(200_000, 3)
    df = spark.createDataFrame(a, ["x", "y", "z"])
    ints = spark.createDataFrame(np.arange(600_000).reshape(200_000, 3), ["x", "y", "z"])
    first = df.toPandas()
    first.loc[:, "x"] = -1.0  # writable, and not the frame's storage
    second = df.toPandas()
    assert second["x"].tolist()[:3] == [0.0, 3.0, 6.0]
    assert not np.shares_memory(first.to_numpy(), second.to_numpy())
    del first
    gc.collect()
    third = ints.toPandas()  # may reuse the freed block: the values are the int frame's
    pd.testing.assert_frame_equal(third, pd.DataFrame(np.arange(600_000).reshape(200_000, 3),
                                                      columns=["x", "y", "z"]))
    assert (second["x"].to_numpy() == a[:, 0]).all()
