"""Generated stage classes: keyword constructors, setX/getX, Param objects, param maps,
explainParams, copy, uid; every registered class appears in its pyspark module."""
import pytest

from thunderdome import _thunderdome
from thunderdome.ml import Pipeline, PipelineModel, classification, evaluation, feature, regression, tuning
from thunderdome.ml.classification import LogisticRegression
from thunderdome.ml.feature import HashingTF, Tokenizer
from thunderdome.ml.param import Param
from thunderdome.ml.tuning import ParamGridBuilder


def test_every_registered_class_is_generated_in_its_module():
    modules = {"feature": feature, "classification": classification, "regression": regression,
               "evaluation": evaluation, "tuning": tuning}
    import thunderdome.ml as ml
    import thunderdome.sparkflow as sparkflow
    for info in _thunderdome.stages():
        spark = info["sparkClass"]
        name = spark.split(".")[-1]
        if spark.startswith("org.apache.spark.ml."):
            sub = spark.split(".")[-2]
            module = modules.get(sub, ml)
        else:
            module = sparkflow
        cls = getattr(module, name)
        assert cls._td_name == info["name"]
        for p in info["params"]:
            assert hasattr(cls, "set" + p["name"][0].upper() + p["name"][1:])
            assert isinstance(getattr(cls, p["name"]), Param)
    assert len(_thunderdome.stages()) >= 50


def test_keyword_constructor_setters_getters_and_defaults():
    lr = LogisticRegression(maxIter=10, regParam=0.01)
    assert lr.getMaxIter() == 10 and lr.getRegParam() == 0.01
    assert lr.getFeaturesCol() == "features"  # the default
    assert lr.setMaxIter(5) is lr and lr.getMaxIter() == 5
    lr.setParams(elasticNetParam=0.5)
    assert lr.getOrDefault("elasticNetParam") == 0.5
    assert lr.isSet(lr.elasticNetParam) and not lr.isSet(lr.tol) and lr.hasDefault(lr.tol)
    lr.clear(lr.elasticNetParam)
    assert lr.getElasticNetParam() == 0.0
    assert lr.uid.startswith("logreg_")
    assert repr(lr) == lr.uid


def test_param_objects_are_bound_to_their_stage():
    h1, h2 = HashingTF(), HashingTF()
    assert h1.numFeatures.parent == h1.uid
    assert h1.numFeatures == h1.getParam("numFeatures")
    assert h1.numFeatures != h2.numFeatures
    assert str(h1.numFeatures) == h1.uid + "__numFeatures"
    assert h1.numFeatures in {h1.numFeatures: 1}
    assert [p.name for p in h1.params] == sorted(p.name for p in h1.params)
    with pytest.raises(ValueError, match="does not belong to"):
        h1.getOrDefault(h2.numFeatures)


def test_explain_params_and_copy():
    lr = LogisticRegression(maxIter=7)
    text = lr.explainParams()
    assert "maxIter: " in text and "current: 7" in text
    assert lr.explainParam(lr.maxIter).startswith("maxIter: ")
    c = lr.copy({lr.regParam: 0.3})
    assert c.uid == lr.uid and c.getRegParam() == 0.3 and lr.getRegParam() == 0.0
    assert c.getMaxIter() == 7
    pm = lr.extractParamMap({lr.regParam: 0.2})
    assert pm[lr.maxIter] == 7 and pm[lr.regParam] == 0.2


def test_fit_with_param_map_and_list_of_maps(spark):
    df = spark.createDataFrame([(0, "a b", 1.0), (1, "c d", 0.0), (2, "a c", 1.0), (3, "d", 0.0)],
                               ["id", "text", "label"])
    tok = Tokenizer(inputCol="text", outputCol="words")
    tf = HashingTF(inputCol="words", outputCol="features", numFeatures=16)
    lr = LogisticRegression(maxIter=5)
    pipe = Pipeline(stages=[tok, tf, lr])
    assert pipe.getStages() == [tok, tf, lr]  # the same Python objects, as in PySpark
    m1 = pipe.fit(df, {tf.numFeatures: 8, lr.regParam: 0.5})
    assert isinstance(m1, PipelineModel)
    assert m1.stages[1].getNumFeatures() == 8 and m1.stages[2].getRegParam() == 0.5
    assert len(m1.stages[2].coefficients) == 8
    assert tf.getNumFeatures() == 16  # the map applied to a copy
    models = pipe.fit(df, [{lr.regParam: 0.1}, {lr.regParam: 1.0}])
    assert [m.stages[2].getRegParam() for m in models] == [0.1, 1.0]


def test_param_grid_builder_order_as_pyspark():
    tf, lr = HashingTF(), LogisticRegression()
    grid = ParamGridBuilder().addGrid(tf.numFeatures, [10, 100]).addGrid(lr.regParam, [0.1, 0.01]).build()
    assert grid == [{tf.numFeatures: 10, lr.regParam: 0.1}, {tf.numFeatures: 10, lr.regParam: 0.01},
                    {tf.numFeatures: 100, lr.regParam: 0.1}, {tf.numFeatures: 100, lr.regParam: 0.01}]
    assert ParamGridBuilder().build() == [{}]
    assert ParamGridBuilder().baseOn({lr.maxIter: 3}).build() == [{lr.maxIter: 3}]


def test_constructors_show_their_params_and_defaults():
    import inspect
    sig = inspect.signature(HashingTF.__init__)
    assert sig.parameters["numFeatures"].default == 262144
    assert sig.parameters["numFeatures"].kind is inspect.Parameter.KEYWORD_ONLY
    assert "stages" in inspect.signature(Pipeline.__init__).parameters
    assert "numFeatures" in HashingTF.__doc__


def test_transform_schema(spark):
    from thunderdome.errors import IllegalArgumentException
    from thunderdome.sql.types import StringType, StructField, StructType
    tok = Tokenizer(inputCol="text", outputCol="words")
    out = tok.transformSchema(StructType([StructField("text", StringType())]))
    assert out.names == ["text", "words"] and out["words"].dataType.simpleString() == "array<string>"
    with pytest.raises(IllegalArgumentException, match="text"):
        tok.transformSchema(StructType([StructField("body", StringType())]))
