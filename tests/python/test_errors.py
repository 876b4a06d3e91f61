"""Bad input raises the right exception with the library's message."""
import pytest

from thunderdome.errors import AnalysisException, IllegalArgumentException, IOException
from thunderdome.ml.classification import LogisticRegression
from thunderdome.ml.feature import Bucketizer, HashingTF, Tokenizer, VectorAssembler
from thunderdome.ml.tuning import CrossValidatorModel


def test_unknown_keyword_is_a_type_error():
    with pytest.raises(TypeError, match=r"^LogisticRegression.__init__\(\) got an unexpected "
                                        "keyword argument 'maxIters' \\(its params: .*maxIter,"):
        LogisticRegression(maxIters=10)
    with pytest.raises(TypeError, match=r"LogisticRegression.setParams\(\) got an unexpected"):
        LogisticRegression().setParams(regparam=0.1)


def test_positional_arguments_are_refused_as_pyspark():
    with pytest.raises(TypeError, match="forces keyword arguments"):
        LogisticRegression(10)


def test_wrong_type_is_a_type_error_naming_the_param():
    # PySpark's messages, word for word
    with pytest.raises(TypeError) as e:
        LogisticRegression(maxIter="ten")
    assert str(e.value) == 'Invalid param value given for param "maxIter". Could not convert ten to int'
    with pytest.raises(TypeError) as e:
        Tokenizer(inputCol=3)
    assert str(e.value) == ('Invalid param value given for param "inputCol". '
                            "Could not convert <class 'int'> to string type")
    with pytest.raises(TypeError) as e:
        LogisticRegression(fitIntercept=1)
    assert str(e.value) == ('Invalid param value given for param "fitIntercept". '
                            "Boolean Param requires value of type bool. Found <class 'int'>.")
    with pytest.raises(TypeError, match="Could not convert abc to float"):
        LogisticRegression().setRegParam("abc")
    with pytest.raises(TypeError, match=r"Could not convert \[1, 2\] to list of strings"):
        VectorAssembler(inputCols=[1, 2])
    with pytest.raises(TypeError, match=r"Could not convert \[0.5, 'x'\] to list of floats"):
        Bucketizer(splits=[0.5, "x"])


def test_out_of_range_is_an_illegal_argument_with_the_library_message():
    with pytest.raises(IllegalArgumentException, match="regParam") as e:
        LogisticRegression(regParam=-1.0)
    assert isinstance(e.value, ValueError)
    assert "-1" in str(e.value)


def test_missing_column_names_the_column(spark):
    df = spark.createDataFrame([(0, "a")], ["id", "txt"])
    with pytest.raises(IllegalArgumentException, match="text") as e:
        Tokenizer(inputCol="text", outputCol="w").transform(df)
    assert "txt" in str(e.value)  # the available columns are listed
    with pytest.raises(AnalysisException):
        df.select("text")


def test_bad_labels_are_data_errors(spark):
    from thunderdome.errors import DataError
    df = spark.createDataFrame([(0, "a", 1.0), (1, "b", 3.5)], ["id", "text", "label"])
    words = Tokenizer(inputCol="text", outputCol="w").transform(df)
    feats = HashingTF(inputCol="w", outputCol="features").transform(words)
    with pytest.raises((DataError, IllegalArgumentException)):
        LogisticRegression(family="binomial").fit(feats)


def test_loading_a_missing_model_is_an_io_error(tmp_path):
    with pytest.raises(IOException) as e:
        CrossValidatorModel.load(str(tmp_path / "nope"))
    assert isinstance(e.value, OSError) and "nope" in str(e.value)


def test_load_checks_the_class(tmp_path, spark):
    tok = Tokenizer(inputCol="text", outputCol="w")
    tok.save(str(tmp_path / "tok"))
    with pytest.raises(IllegalArgumentException, match="Tokenizer, not a CrossValidatorModel"):
        CrossValidatorModel.load(str(tmp_path / "tok"))
    assert Tokenizer.load(str(tmp_path / "tok")).getInputCol() == "text"
