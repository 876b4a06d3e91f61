"""Rows and vectors print exactly as PySpark prints them."""
import numpy as np

from thunderdome.ml.linalg import DenseVector, SparseVector, Vectors
from thunderdome.sql import Row


def test_dense_vector_repr_rounds_to_four_decimals():
    assert repr(DenseVector([0.3406834220685122, 0.6593165779314878])) == \
        "DenseVector([0.3407, 0.6593])"
    assert repr(Vectors.dense([1.0, 0.0, 3.0])) == "DenseVector([1.0, 0.0, 3.0])"
    assert repr(Vectors.dense(1.0, 2.5)) == "DenseVector([1.0, 2.5])"
    # _format_float is str(round(f, 4)) cut after 4 decimals
    assert repr(DenseVector([1e-5, -0.123456, 2.0])) == "DenseVector([0.0, -0.1235, 2.0])"


def test_dense_vector_str_is_sparks_text():
    assert str(DenseVector([0.1, 0.9])) == "[0.1,0.9]"


def test_sparse_vector_repr_and_str():
    v = Vectors.sparse(4, [(1, 1.0), (3, 5.5)])
    assert repr(v) == "SparseVector(4, {1: 1.0, 3: 5.5})"
    assert str(v) == "(4,[1,3],[1.0,5.5])"
    assert v == SparseVector(4, {1: 1.0, 3: 5.5}) == SparseVector(4, [1, 3], [1.0, 5.5])
    assert v[3] == 5.5 and v[0] == 0.0
    assert list(v.toArray()) == [0.0, 1.0, 0.0, 5.5]
    assert v.dot(DenseVector([1.0, 2.0, 3.0, 4.0])) == 24.0


def test_row_repr_as_pyspark():
    r = Row(id=4, text='spark i j k', probability=DenseVector([0.3406834, 0.6593166]),
            prediction=1.0)
    assert repr(r) == ("Row(id=4, text='spark i j k', probability=DenseVector([0.3407, 0.6593]), "
                       "prediction=1.0)")
    assert r.text == "spark i j k" and r["id"] == 4 and r[3] == 1.0
    assert r.asDict()["prediction"] == 1.0
    assert "text" in r
    Person = Row("name", "age")
    assert repr(Person("Alice", 11)) == "Row(name='Alice', age=11)"
    assert repr(Row(1, "a")) == "<Row(1, 'a')>"


def test_collected_rows_print_as_pyspark(spark):
    df = spark.createDataFrame([(0, "a", Vectors.sparse(3, {0: 1.0}), True)],
                               ["id", "s", "v", "b"])
    assert repr(df.collect()[0]) == "Row(id=0, s='a', v=SparseVector(3, {0: 1.0}), b=True)"
    assert isinstance(df.collect()[0].id, int)


def test_vectors_are_numpy_backed():
    v = DenseVector(np.arange(3.0))
    assert v.array.dtype == np.float64 and v.norm(2) == np.sqrt(5.0)


def test_show_as_spark(spark, capsys):
    df = spark.createDataFrame([(0, "Hi I heard about Spark", None), (1, "x", 2.5)],
                               ["id", "sentence", "v"])
    df.show()
    df.select("sentence").show(truncate=False)
    df.show(1)
    assert capsys.readouterr().out == (
        "+---+--------------------+----+\n"
        "| id|            sentence|   v|\n"
        "+---+--------------------+----+\n"
        "|  0|Hi I heard about ...|null|\n"
        "|  1|                   x| 2.5|\n"
        "+---+--------------------+----+\n"
        "+----------------------+\n"
        "|sentence              |\n"
        "+----------------------+\n"
        "|Hi I heard about Spark|\n"
        "|x                     |\n"
        "+----------------------+\n"
        "+---+--------------------+----+\n"
        "| id|            sentence|   v|\n"
        "+---+--------------------+----+\n"
        "|  0|Hi I heard about ...|null|\n"
        "+---+--------------------+----+\n"
        "only showing top 1 row\n")


def test_dense_matrix_repr_and_model_matrices(spark):
    from thunderdome.ml.classification import LogisticRegression
    from thunderdome.ml.feature import PCA
    from thunderdome.ml.linalg import DenseMatrix
    m = DenseMatrix(2, 2, [1.0, 2.0, 3.0, 4.0])
    assert repr(m) == "DenseMatrix(2, 2, [1.0, 2.0, 3.0, 4.0], False)"
    assert m.toArray().tolist() == [[1.0, 3.0], [2.0, 4.0]]
    df = spark.createDataFrame([(Vectors.dense([1.0, 0.0, 2.0]), 0.0),
                                (Vectors.dense([0.0, 1.0, 1.0]), 1.0),
                                (Vectors.dense([2.0, 1.0, 0.0]), 2.0),
                                (Vectors.dense([1.0, 2.0, 0.5]), 1.0)], ["features", "label"])
    pca = PCA(k=2, inputCol="features", outputCol="p").fit(df)
    assert (pca.pc.numRows, pca.pc.numCols) == (3, 2)
    # the first component is a unit vector
    assert abs(np.linalg.norm(pca.pc.toArray()[:, 0]) - 1.0) < 1e-12
    lr = LogisticRegression(family="multinomial", regParam=0.1).fit(df)
    cm = lr.coefficientMatrix
    assert (cm.numRows, cm.numCols) == (3, 3)
    proj = cm.toArray() @ df.first().features.toArray() + lr.interceptVector.toArray()
    raw = lr.transform(df).first().rawPrediction.toArray()
    assert np.allclose(proj, raw)
