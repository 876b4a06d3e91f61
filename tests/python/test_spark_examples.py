"""Spark's documented Python examples (apache/spark examples/src/main/python/ml/*.py) with only
the imports changed (and data paths pointing at this repository's copies), checked against
the outputs Spark's documentation shows."""
import numpy as np
import pytest

from thunderdome.ml.linalg import DenseVector, Vectors


def test_tokenizer_example(spark, capsys):
    from thunderdome.ml.feature import RegexTokenizer, Tokenizer
    from thunderdome.sql.functions import col, udf
    from thunderdome.sql.types import IntegerType
    sentenceDataFrame = spark.createDataFrame([
        (0, "Hi I heard about Spark"),
        (1, "I wish Java could use case classes"),
        (2, "Logistic,regression,models,are,neat")
    ], ["id", "sentence"])

    tokenizer = Tokenizer(inputCol="sentence", outputCol="words")

    regexTokenizer = RegexTokenizer(inputCol="sentence", outputCol="words", pattern="\\W")
    # alternatively, pattern="\\w+", gaps(False)

    countTokens = udf(lambda words: len(words), IntegerType())

    tokenized = tokenizer.transform(sentenceDataFrame)
    tokenized.select("sentence", "words")\
        .withColumn("tokens", countTokens(col("words"))).show(truncate=False)

    regexTokenized = regexTokenizer.transform(sentenceDataFrame)
    regexTokenized.select("sentence", "words") \
        .withColumn("tokens", countTokens(col("words"))).show(truncate=False)
    # Spark's documented output
    assert capsys.readouterr().out == (
        "+-----------------------------------+------------------------------------------+------+\n"
        "|sentence                           |words                                     |tokens|\n"
        "+-----------------------------------+------------------------------------------+------+\n"
        "|Hi I heard about Spark             |[hi, i, heard, about, spark]              |5     |\n"
        "|I wish Java could use case classes |[i, wish, java, could, use, case, classes]|7     |\n"
        "|Logistic,regression,models,are,neat|[logistic,regression,models,are,neat]     |1     |\n"
        "+-----------------------------------+------------------------------------------+------+\n"
                "+-----------------------------------+------------------------------------------+------+\n"
        "|sentence                           |words                                     |tokens|\n"
        "+-----------------------------------+------------------------------------------+------+\n"
        "|Hi I heard about Spark             |[hi, i, heard, about, spark]              |5     |\n"
        "|I wish Java could use case classes |[i, wish, java, could, use, case, classes]|7     |\n"
        "|Logistic,regression,models,are,neat|[logistic, regression, models, are, neat] |5     |\n"
        "+-----------------------------------+------------------------------------------+------+\n")


def test_stopwords_remover_example(spark):
    from thunderdome.ml.feature import StopWordsRemover
    sentenceData = spark.createDataFrame([
        (0, ["I", "saw", "the", "red", "balloon"]),
        (1, ["Mary", "had", "a", "little", "lamb"])
    ], ["id", "raw"])
    remover = StopWordsRemover(inputCol="raw", outputCol="filtered")
    out = remover.transform(sentenceData)
    assert [r.filtered for r in out.collect()] == [["saw", "red", "balloon"],
                                                   ["Mary", "little", "lamb"]]


def test_n_gram_example(spark):
    from thunderdome.ml.feature import NGram
    wordDataFrame = spark.createDataFrame([
        (0, ["Hi", "I", "heard", "about", "Spark"]),
        (1, ["I", "wish", "Java", "could", "use", "case", "classes"]),
        (2, ["Logistic", "regression", "models", "are", "neat"])
    ], ["id", "words"])
    ngram = NGram(n=2, inputCol="words", outputCol="ngrams")
    ngramDataFrame = ngram.transform(wordDataFrame)
    rows = ngramDataFrame.select("ngrams").collect()
    assert rows[0].ngrams == ["Hi I", "I heard", "heard about", "about Spark"]
    assert rows[2].ngrams == ["Logistic regression", "regression models", "models are", "are neat"]


def test_binarizer_example(spark):
    from thunderdome.ml.feature import Binarizer
    continuousDataFrame = spark.createDataFrame([
        (0, 0.1),
        (1, 0.8),
        (2, 0.2)
    ], ["id", "feature"])
    binarizer = Binarizer(threshold=0.5, inputCol="feature", outputCol="binarized_feature")
    binarizedDataFrame = binarizer.transform(continuousDataFrame)
    assert "Binarizer output with Threshold = %f" % binarizer.getThreshold() == \
        "Binarizer output with Threshold = 0.500000"
    assert [r.binarized_feature for r in binarizedDataFrame.collect()] == [0.0, 1.0, 0.0]


def test_bucketizer_example(spark):
    from thunderdome.ml.feature import Bucketizer
    splits = [-float("inf"), -0.5, 0.0, 0.5, float("inf")]
    data = [(-999.9,), (-0.5,), (-0.3,), (0.0,), (0.2,), (999.9,)]
    dataFrame = spark.createDataFrame(data, ["features"])
    bucketizer = Bucketizer(splits=splits, inputCol="features", outputCol="bucketedFeatures")
    bucketedData = bucketizer.transform(dataFrame)
    assert len(bucketizer.getSplits()) - 1 == 4
    assert [r.bucketedFeatures for r in bucketedData.collect()] == [0.0, 1.0, 1.0, 2.0, 2.0, 3.0]


def test_vector_assembler_example(spark):
    from thunderdome.ml.feature import VectorAssembler
    dataset = spark.createDataFrame(
        [(0, 18, 1.0, Vectors.dense([0.0, 10.0, 0.5]), 1.0)],
        ["id", "hour", "mobile", "userFeatures", "clicked"])
    assembler = VectorAssembler(
        inputCols=["hour", "mobile", "userFeatures"],
        outputCol="features")
    output = assembler.transform(dataset)
    row = output.select("features", "clicked").first()
    assert row.features == DenseVector([18.0, 1.0, 0.0, 10.0, 0.5]) and row.clicked == 1.0


def test_string_indexer_and_index_to_string_examples(spark):
    from thunderdome.ml.feature import IndexToString, StringIndexer
    df = spark.createDataFrame(
        [(0, "a"), (1, "b"), (2, "c"), (3, "a"), (4, "a"), (5, "c")],
        ["id", "category"])
    indexer = StringIndexer(inputCol="category", outputCol="categoryIndex")
    model = indexer.fit(df)
    indexed = model.transform(df)
    assert [r.categoryIndex for r in indexed.collect()] == [0.0, 2.0, 1.0, 0.0, 0.0, 1.0]
    assert model.labels == ["a", "c", "b"]
    converter = IndexToString(inputCol="categoryIndex", outputCol="originalCategory")
    converted = converter.transform(indexed)
    assert [r.originalCategory for r in converted.select("id", "categoryIndex", "originalCategory")
            .collect()] == ["a", "b", "c", "a", "a", "c"]


def test_onehot_encoder_example(spark):
    from thunderdome.ml.feature import OneHotEncoder
    df = spark.createDataFrame([
        (0.0, 1.0),
        (1.0, 0.0),
        (2.0, 1.0),
        (0.0, 2.0),
        (0.0, 1.0),
        (2.0, 0.0)
    ], ["categoryIndex1", "categoryIndex2"])
    encoder = OneHotEncoder(inputCols=["categoryIndex1", "categoryIndex2"],
                            outputCols=["categoryVec1", "categoryVec2"])
    model = encoder.fit(df)
    encoded = model.transform(df)
    rows = encoded.collect()
    assert [str(r.categoryVec1) for r in rows] == ["(2,[0],[1.0])", "(2,[1],[1.0])", "(2,[],[])",
                                                   "(2,[0],[1.0])", "(2,[0],[1.0])", "(2,[],[])"]
    assert repr(rows[0].categoryVec2) == "SparseVector(2, {1: 1.0})"


def test_min_max_scaler_example(spark):
    from thunderdome.ml.feature import MinMaxScaler
    dataFrame = spark.createDataFrame([
        (0, Vectors.dense([1.0, 0.1, -1.0]),),
        (1, Vectors.dense([2.0, 1.1, 1.0]),),
        (2, Vectors.dense([3.0, 10.1, 3.0]),)
    ], ["id", "features"])
    scaler = MinMaxScaler(inputCol="features", outputCol="scaledFeatures")
    scalerModel = scaler.fit(dataFrame)
    scaledData = scalerModel.transform(dataFrame)
    assert "Features scaled to range: [%f, %f]" % (scaler.getMin(), scaler.getMax()) == \
        "Features scaled to range: [0.000000, 1.000000]"
    got = [list(r.scaledFeatures) for r in scaledData.select("features", "scaledFeatures").collect()]
    assert np.allclose(got, [[0.0, 0.0, 0.0], [0.5, 0.1, 0.5], [1.0, 1.0, 1.0]])


def test_max_abs_scaler_example(spark):
    from thunderdome.ml.feature import MaxAbsScaler
    dataFrame = spark.createDataFrame([
        (0, Vectors.dense([1.0, 0.1, -8.0]),),
        (1, Vectors.dense([2.0, 1.0, -4.0]),),
        (2, Vectors.dense([4.0, 10.0, 8.0]),)
    ], ["id", "features"])
    scaler = MaxAbsScaler(inputCol="features", outputCol="scaledFeatures")
    scalerModel = scaler.fit(dataFrame)
    scaledData = scalerModel.transform(dataFrame)
    got = [list(r.scaledFeatures) for r in scaledData.select("features", "scaledFeatures").collect()]
    assert np.allclose(got, [[0.25, 0.01, -1.0], [0.5, 0.1, -0.5], [1.0, 1.0, 1.0]])


def test_normalizer_example(spark):
    from thunderdome.ml.feature import Normalizer
    dataFrame = spark.createDataFrame([
        (0, Vectors.dense([1.0, 0.5, -1.0]),),
        (1, Vectors.dense([2.0, 1.0, 1.0]),),
        (2, Vectors.dense([4.0, 10.0, 2.0]),)
    ], ["id", "features"])
    normalizer = Normalizer(inputCol="features", outputCol="normFeatures", p=1.0)
    l1NormData = normalizer.transform(dataFrame)
    lInfNormData = normalizer.transform(dataFrame, {normalizer.p: float("inf")})
    assert np.allclose([list(r.normFeatures) for r in l1NormData.collect()],
                       [[0.4, 0.2, -0.4], [0.5, 0.25, 0.25], [0.25, 0.625, 0.125]])
    assert np.allclose([list(r.normFeatures) for r in lInfNormData.collect()],
                       [[1.0, 0.5, -1.0], [1.0, 0.5, 0.5], [0.4, 1.0, 0.2]])


def test_imputer_example(spark):
    from thunderdome.ml.feature import Imputer
    df = spark.createDataFrame([
        (1.0, float("nan")),
        (2.0, float("nan")),
        (float("nan"), 3.0),
        (4.0, 4.0),
        (5.0, 5.0)
    ], ["a", "b"])
    imputer = Imputer(inputCols=["a", "b"], outputCols=["out_a", "out_b"])
    model = imputer.fit(df)
    rows = model.transform(df).collect()
    assert [r.out_a for r in rows] == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert [r.out_b for r in rows] == [4.0, 4.0, 3.0, 4.0, 5.0]
    assert model.surrogateDF.collect()[0].asDict() == {"a": 3.0, "b": 4.0}


def test_count_vectorizer_example(spark):
    from thunderdome.ml.feature import CountVectorizer
    df = spark.createDataFrame([
        (0, "a b c".split(" ")),
        (1, "a b b c a".split(" "))
    ], ["id", "words"])
    cv = CountVectorizer(inputCol="words", outputCol="features", vocabSize=3, minDF=2.0)
    model = cv.fit(df)
    result = model.transform(df)
    assert [str(r.features) for r in result.collect()] == ["(3,[0,1,2],[1.0,1.0,1.0])",
                                                           "(3,[0,1,2],[2.0,2.0,1.0])"]


def test_tf_idf_example(spark):
    from thunderdome.ml.feature import IDF, HashingTF, Tokenizer
    sentenceData = spark.createDataFrame([
        (0.0, "Hi I heard about Spark"),
        (0.0, "I wish Java could use case classes"),
        (1.0, "Logistic regression models are neat")
    ], ["label", "sentence"])
    tokenizer = Tokenizer(inputCol="sentence", outputCol="words")
    wordsData = tokenizer.transform(sentenceData)
    hashingTF = HashingTF(inputCol="words", outputCol="rawFeatures", numFeatures=20)
    featurizedData = hashingTF.transform(wordsData)
    idf = IDF(inputCol="rawFeatures", outputCol="features")
    idfModel = idf.fit(featurizedData)
    rescaledData = idfModel.transform(featurizedData)
    rows = rescaledData.select("label", "features").collect()
    assert all(r.features.size == 20 for r in rows)
    # IDF = ln((m + 1) / (df + 1)): a term of one document of three weighs ln(2)
    raw = featurizedData.collect()[2].rawFeatures
    counts = sum((r.rawFeatures.toArray() > 0) for r in featurizedData.collect())
    expected = raw.toArray() * np.log(4.0 / (counts + 1.0))
    assert np.allclose(rows[2].features.toArray(), expected)


def test_pca_example(spark):
    from thunderdome.ml.feature import PCA
    data = [(Vectors.sparse(5, [(1, 1.0), (3, 7.0)]),),
            (Vectors.dense([2.0, 0.0, 3.0, 4.0, 5.0]),),
            (Vectors.dense([4.0, 0.0, 0.0, 6.0, 7.0]),)]
    df = spark.createDataFrame(data, ["features"])
    pca = PCA(k=3, inputCol="features", outputCol="pcaFeatures")
    model = pca.fit(df)
    result = model.transform(df).select("pcaFeatures")
    got = np.array([r.pcaFeatures.toArray() for r in result.collect()])
    spark_doc = np.array([[1.6485728230883807, -4.013282700516296, -5.524543751369388],
                          [-4.645104331781534, -1.1167972663619026, -5.524543751369387],
                          [-6.428880535676489, -5.337951427775355, -5.524543751369389]])
    # components are defined up to their sign; the three points span two dimensions, so the
    # third component is any unit vector orthogonal to them (each row projects to one value)
    assert np.allclose(np.abs(got[:, :2]), np.abs(spark_doc[:, :2]), atol=1e-9)
    assert np.allclose(got[:, 2], got[0, 2])


def test_quantile_discretizer_example(spark):
    from thunderdome.ml.feature import QuantileDiscretizer
    data = [(0, 18.0), (1, 19.0), (2, 8.0), (3, 5.0), (4, 2.2)]
    df = spark.createDataFrame(data, ["id", "hour"])
    discretizer = QuantileDiscretizer(numBuckets=3, inputCol="hour", outputCol="result")
    result = discretizer.fit(df).transform(df)
    assert [r.result for r in result.collect()] == [2.0, 2.0, 1.0, 1.0, 0.0]


def test_standard_scaler_example(spark, root):
    from thunderdome.ml.feature import StandardScaler
    dataFrame = spark.read.format("libsvm").load(str(root / "tests/data/io/sample_libsvm_mini.txt"))
    scaler = StandardScaler(inputCol="features", outputCol="scaledFeatures",
                            withStd=True, withMean=False)
    scalerModel = scaler.fit(dataFrame)
    scaledData = scalerModel.transform(dataFrame)
    x = dataFrame.toNumpy("features")
    std = x.std(axis=0, ddof=1)
    want = np.divide(x, std, out=np.zeros_like(x), where=std > 0)
    assert np.allclose(scaledData.toNumpy("scaledFeatures"), want)


def test_multilayer_perceptron_classification_example(spark, root):
    from thunderdome.ml.classification import MultilayerPerceptronClassifier
    from thunderdome.ml.evaluation import MulticlassClassificationEvaluator
    data = spark.read.format("libsvm")\
        .load(str(root / "tests/data/nb/sample_multiclass_classification_data.txt"))
    splits = data.randomSplit([0.6, 0.4], 1234)
    train = splits[0]
    test = splits[1]
    layers = [4, 5, 4, 3]
    trainer = MultilayerPerceptronClassifier(maxIter=100, layers=layers, blockSize=128, seed=1234)
    model = trainer.fit(train)
    result = model.transform(test)
    predictionAndLabels = result.select("prediction", "label")
    evaluator = MulticlassClassificationEvaluator(metricName="accuracy")
    accuracy = evaluator.evaluate(predictionAndLabels)
    assert accuracy > 0.8  # Spark's documented run: 0.9019607843137255


def test_naive_bayes_and_one_vs_rest_examples(spark, root):
    from thunderdome.ml.classification import LogisticRegression, NaiveBayes, OneVsRest
    from thunderdome.ml.evaluation import MulticlassClassificationEvaluator
    data = spark.read.format("libsvm") \
        .load(str(root / "tests/data/nb/sample_multiclass_classification_data.txt"))
    splits = data.randomSplit([0.6, 0.4], 1234)
    train = splits[0]
    test = splits[1]
    # NaiveBayes needs non-negative features: the gaussian model takes this data as it is
    nb = NaiveBayes(smoothing=1.0, modelType="gaussian")
    model = nb.fit(train)
    predictions = model.transform(test)
    evaluator = MulticlassClassificationEvaluator(labelCol="label", predictionCol="prediction",
                                                  metricName="accuracy")
    assert evaluator.evaluate(predictions) > 0.8
    (train, test) = data.randomSplit([0.8, 0.2])
    lr = LogisticRegression(maxIter=10, tol=1E-6, fitIntercept=True)
    ovr = OneVsRest(classifier=lr)
    ovrModel = ovr.fit(train)
    predictions = ovrModel.transform(test)
    evaluator = MulticlassClassificationEvaluator(metricName="accuracy")
    accuracy = evaluator.evaluate(predictions)
    assert 1.0 - accuracy < 0.2
    assert ovr.getClassifier().uid == lr.uid


def test_linear_regression_and_train_validation_split_examples(spark, root):
    from thunderdome.ml.evaluation import RegressionEvaluator
    from thunderdome.ml.feature import VectorAssembler
    from thunderdome.ml.regression import LinearRegression
    from thunderdome.ml.tuning import ParamGridBuilder, TrainValidationSplit
    raw = spark.read.csv(str(root / "tests/data/linreg/data.csv"), header=True, inferSchema=True)
    cols = [c for c in raw.columns if c != "label"]
    data = VectorAssembler(inputCols=cols, outputCol="features").transform(raw)
    train, test = data.randomSplit([0.9, 0.1], seed=12345)
    lr = LinearRegression(maxIter=10)
    paramGrid = ParamGridBuilder()\
        .addGrid(lr.regParam, [0.1, 0.01]) \
        .addGrid(lr.fitIntercept, [False, True])\
        .addGrid(lr.elasticNetParam, [0.0, 0.5, 1.0])\
        .build()
    tvs = TrainValidationSplit(estimator=lr,
                               estimatorParamMaps=paramGrid,
                               evaluator=RegressionEvaluator(),
                               trainRatio=0.8)
    model = tvs.fit(train)
    preds = model.transform(test).select("features", "label", "prediction")
    assert preds.count() == test.count()
    assert len(model.validationMetrics) == 12
    best = int(np.argmin(model.validationMetrics))  # rmse: smaller is better
    assert model.bestModel.getRegParam() == paramGrid[best][lr.regParam]
    assert model.bestModel.coefficients.size == len(cols)
    assert isinstance(model.bestModel.intercept, float)


def test_pipeline_example(spark):
    from thunderdome.ml import Pipeline
    from thunderdome.ml.classification import LogisticRegression
    from thunderdome.ml.feature import HashingTF, Tokenizer
    training = spark.createDataFrame([
        (0, "a b c d e spark", 1.0),
        (1, "b d", 0.0),
        (2, "spark f g h", 1.0),
        (3, "hadoop mapreduce", 0.0)
    ], ["id", "text", "label"])
    tokenizer = Tokenizer(inputCol="text", outputCol="words")
    hashingTF = HashingTF(inputCol=tokenizer.getOutputCol(), outputCol="features")
    lr = LogisticRegression(maxIter=10, regParam=0.001)
    pipeline = Pipeline(stages=[tokenizer, hashingTF, lr])
    model = pipeline.fit(training)
    test = spark.createDataFrame([
        (4, "spark i j k"),
        (5, "l m n"),
        (6, "spark hadoop spark"),
        (7, "apache hadoop")
    ], ["id", "text"])
    prediction = model.transform(test)
    selected = prediction.select("id", "text", "probability", "prediction")
    lines = []
    for row in selected.collect():
        rid, text, prob, prediction = row
        lines.append("(%d, %s) --> prob=%s, prediction=%f" % (rid, text, str(prob), prediction))
    assert lines[2].startswith("(6, spark hadoop spark) --> prob=[")
    assert [r.prediction for r in selected.collect()] == [0.0, 0.0, 1.0, 0.0] or \
        [r.prediction for r in selected.collect()] == [1.0, 0.0, 1.0, 0.0]
    probs = [r.probability for r in selected.collect()]
    assert all(abs(p[0] + p[1] - 1.0) < 1e-12 for p in probs)


def _cli_fit(cli, tmp_path, stage, params, data):
    """The CLI's fit of one stage on `data` (a plain pipeline fit), loaded back in Python."""
    import json
    import subprocess
    from thunderdome.ml import PipelineModel
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"stages": [{"name": "m", "class": stage, "params": params}],
                                "tuning": {"method": "none"}}))
    subprocess.run([cli, "fit", "--spec", str(spec), "--train", str(data), "--format", "libsvm",
                    "--out", str(tmp_path / "model"), "-q"], check=True, capture_output=True)
    return PipelineModel.load(str(tmp_path / "model")).stages[0]


def test_logistic_regression_with_elastic_net_example_equals_the_cli(spark, root, cli, tmp_path):
    from thunderdome.ml.classification import LogisticRegression
    path = root / "tests/data/nb/sample_multiclass_classification_data.txt"
    training = spark.read.format("libsvm").load(str(path))
    training = training.filter(training.label < 2.0)  # the binomial example on two classes
    lr = LogisticRegression(maxIter=10, regParam=0.3, elasticNetParam=0.8)
    lrModel = lr.fit(training)
    assert "Coefficients: " + str(lrModel.coefficients) != ""
    binary = tmp_path / "binary.libsvm"
    binary.write_text("".join(l for l in open(path) if l.split()[0] in ("0", "1")))
    theirs = _cli_fit(cli, tmp_path, "LogisticRegression",
                      {"maxIter": 10, "regParam": 0.3, "elasticNetParam": 0.8}, binary)
    assert list(lrModel.coefficients) == list(theirs.coefficients)
    assert lrModel.intercept == theirs.intercept
    mlr = LogisticRegression(maxIter=10, regParam=0.3, elasticNetParam=0.8, family="multinomial")
    mlrModel = mlr.fit(training)
    assert mlrModel.isMultinomial and len(mlrModel.interceptVector) == 2


def test_linearsvc_example_equals_the_cli(spark, root, cli, tmp_path):
    from thunderdome.ml.classification import LinearSVC
    path = root / "tests/data/io/sample_libsvm_mini.txt"
    training = spark.read.format("libsvm").load(str(path))
    lsvc = LinearSVC(maxIter=10, regParam=0.1)
    lsvcModel = lsvc.fit(training)
    theirs = _cli_fit(cli, tmp_path, "LinearSVC", {"maxIter": 10, "regParam": 0.1}, path)
    assert list(lsvcModel.coefficients) == list(theirs.coefficients)
    assert lsvcModel.intercept == theirs.intercept
    assert lsvcModel.numFeatures == training.first().features.size


def test_sparkflow_async_dl(spark, root):
    from thunderdome.ml.evaluation import MulticlassClassificationEvaluator
    from thunderdome.sparkflow import SparkAsyncDL
    data = spark.read.format("libsvm") \
        .load(str(root / "tests/data/nb/sample_multiclass_classification_data.txt"))
    net = '[{"type": "dense", "units": 16, "activation": "relu"}, ' \
          '{"type": "dense", "units": 3, "activation": "softmax"}]'
    dl = SparkAsyncDL(inputCol="features", labelCol="label", network=net, iters=50,
                      mode="sync", predictionCol="prediction")
    model = dl.fit(data)
    accuracy = MulticlassClassificationEvaluator(metricName="accuracy").evaluate(
        model.transform(data))
    assert accuracy > 0.8
    assert type(model).__name__ == "SparkAsyncDLModel"


def _binary_libsvm(root, tmp_path):
    """Spark's examples train on data/mllib/sample_libsvm_data.txt (not in this repository):
    the two first classes of sample_multiclass_classification_data.txt stand in for it."""
    path = root / "tests/data/nb/sample_multiclass_classification_data.txt"
    binary = tmp_path / "binary.libsvm"
    binary.write_text("".join(l for l in open(path) if l.split()[0] in ("0", "1")))
    return binary


def test_logistic_regression_summary_example(spark, root, cli, tmp_path, capsys):
    from thunderdome.ml.classification import LogisticRegression
    from thunderdome.ml.evaluation import BinaryClassificationEvaluator
    path = _binary_libsvm(root, tmp_path)
    # examples/src/main/python/ml/logistic_regression_summary_example.py
    training = spark.read.format("libsvm").load(str(path))

    lr = LogisticRegression(maxIter=10, regParam=0.3, elasticNetParam=0.8)

    # Fit the model
    lrModel = lr.fit(training)

    # Extract the summary from the returned LogisticRegressionModel instance trained
    # in the earlier example
    trainingSummary = lrModel.summary

    # Obtain the objective per iteration
    objectiveHistory = trainingSummary.objectiveHistory
    print("objectiveHistory:")
    for objective in objectiveHistory:
        print(objective)

    # Obtain the receiver-operating characteristic as a dataframe and areaUnderROC.
    trainingSummary.roc.show()
    print("areaUnderROC: " + str(trainingSummary.areaUnderROC))

    # Set the model threshold to maximize F-Measure
    fMeasure = trainingSummary.fMeasureByThreshold
    maxFMeasure = fMeasure.groupBy().max('F-Measure').select('max(F-Measure)').head()
    bestThreshold = fMeasure.where(fMeasure['F-Measure'] == maxFMeasure['max(F-Measure)']) \
        .select('threshold').head()['threshold']
    lr.setThreshold(bestThreshold)
    # the example ends here: its answers against the C++ API's and the CLI's
    out = capsys.readouterr().out
    assert out.startswith("objectiveHistory:\n" + "".join("%r\n" % o for o in objectiveHistory))
    assert "|FPR|TPR|" in out.replace(" ", "") and "areaUnderROC: " in out
    assert len(objectiveHistory) == trainingSummary.totalIterations + 1
    assert trainingSummary.areaUnderROC == BinaryClassificationEvaluator(
        rawPredictionCol="probability", numBins=100).evaluate(lrModel.transform(training))
    f = fMeasure.toPandas()
    assert bestThreshold == f.threshold[f["F-Measure"].idxmax()]
    assert lr.getThreshold() == bestThreshold
    theirs = _cli_fit(cli, tmp_path, "LogisticRegression",
                      {"maxIter": 10, "regParam": 0.3, "elasticNetParam": 0.8}, path)
    assert list(lrModel.coefficients) == list(theirs.coefficients)
    assert lrModel.intercept == theirs.intercept


def test_multiclass_logistic_regression_with_elastic_net_example(spark, root, cli, tmp_path,
                                                                 capsys):
    from thunderdome.ml.classification import LogisticRegression
    from thunderdome.ml.evaluation import MulticlassClassificationEvaluator
    path = root / "tests/data/nb/sample_multiclass_classification_data.txt"
    # examples/src/main/python/ml/multiclass_logistic_regression_with_elastic_net.py
    training = spark \
        .read \
        .format("libsvm") \
        .load(str(path))

    lr = LogisticRegression(maxIter=10, regParam=0.3, elasticNetParam=0.8)

    # Fit the model
    lrModel = lr.fit(training)

    # Print the coefficients and intercept for multinomial logistic regression
    print("Coefficients: \n" + str(lrModel.coefficientMatrix))
    print("Intercept: " + str(lrModel.interceptVector))

    trainingSummary = lrModel.summary

    # Obtain the objective per iteration
    objectiveHistory = trainingSummary.objectiveHistory
    print("objectiveHistory:")
    for objective in objectiveHistory:
        print(objective)

    # for multiclass, we can inspect metrics on a per-label basis
    print("False positive rate by label:")
    for i, rate in enumerate(trainingSummary.falsePositiveRateByLabel):
        print("label %d: %s" % (i, rate))

    print("True positive rate by label:")
    for i, rate in enumerate(trainingSummary.truePositiveRateByLabel):
        print("label %d: %s" % (i, rate))

    print("Precision by label:")
    for i, prec in enumerate(trainingSummary.precisionByLabel):
        print("label %d: %s" % (i, prec))

    print("Recall by label:")
    for i, rec in enumerate(trainingSummary.recallByLabel):
        print("label %d: %s" % (i, rec))

    print("F-measure by label:")
    for i, f in enumerate(trainingSummary.fMeasureByLabel()):
        print("label %d: %s" % (i, f))

    accuracy = trainingSummary.accuracy
    falsePositiveRate = trainingSummary.weightedFalsePositiveRate
    truePositiveRate = trainingSummary.weightedTruePositiveRate
    fMeasure = trainingSummary.weightedFMeasure()
    precision = trainingSummary.weightedPrecision
    recall = trainingSummary.weightedRecall
    print("Accuracy: %s\nFPR: %s\nTPR: %s\nF-measure: %s\nPrecision: %s\nRecall: %s"
          % (accuracy, falsePositiveRate, truePositiveRate, fMeasure, precision, recall))
    # the example ends here: its answers against the C++ API's and the CLI's
    out = capsys.readouterr().out
    assert "label 2: " in out and "Accuracy: %s\n" % accuracy in out
    assert lrModel.isMultinomial and lrModel.coefficientMatrix.numRows == 3
    preds = lrModel.transform(training)
    for name, value in (("accuracy", accuracy), ("weightedFalsePositiveRate", falsePositiveRate),
                        ("weightedTruePositiveRate", truePositiveRate),
                        ("weightedFMeasure", fMeasure), ("weightedPrecision", precision),
                        ("weightedRecall", recall)):
        assert value == MulticlassClassificationEvaluator(metricName=name).evaluate(preds)
    assert trainingSummary.precisionByLabel[1] == MulticlassClassificationEvaluator(
        metricName="precisionByLabel", metricLabel=1.0).evaluate(preds)
    theirs = _cli_fit(cli, tmp_path, "LogisticRegression",
                      {"maxIter": 10, "regParam": 0.3, "elasticNetParam": 0.8}, path)
    assert lrModel.coefficientMatrix.toArray().tolist() == \
        theirs.coefficientMatrix.toArray().tolist()
    assert list(lrModel.interceptVector) == list(theirs.interceptVector)


def test_linear_regression_with_elastic_net_example(spark, root, cli, tmp_path, capsys):
    from thunderdome.ml.evaluation import RegressionEvaluator
    from thunderdome.ml.regression import LinearRegression
    # Spark's data/mllib/sample_linear_regression_data.txt is not here: tests/data/linreg's
    # table, written as LIBSVM
    raw = spark.read.csv(str(root / "tests/data/linreg/data.csv"), header=True, inferSchema=True)
    cols = [c for c in raw.columns if c != "label"]
    path = tmp_path / "linreg.libsvm"
    path.write_text("".join(
        "%r %s\n" % (float(r.label), " ".join("%d:%r" % (i + 1, float(r[c]))
                                              for i, c in enumerate(cols)))
        for r in raw.collect()))
    # examples/src/main/python/ml/linear_regression_with_elastic_net.py
    training = spark.read.format("libsvm")\
        .load(str(path))

    lr = LinearRegression(maxIter=10, regParam=0.3, elasticNetParam=0.8)

    # Fit the model
    lrModel = lr.fit(training)

    # Print the coefficients and intercept for linear regression
    print("Coefficients: %s" % str(lrModel.coefficients))
    print("Intercept: %s" % str(lrModel.intercept))

    # Summarize the model over the training set and print out some metrics
    trainingSummary = lrModel.summary
    print("numIterations: %d" % trainingSummary.totalIterations)
    print("objectiveHistory: %s" % str(trainingSummary.objectiveHistory))
    trainingSummary.residuals.show()
    print("RMSE: %f" % trainingSummary.rootMeanSquaredError)
    print("r2: %f" % trainingSummary.r2)
    # the example ends here: its answers against the C++ API's and the CLI's
    out = capsys.readouterr().out
    assert "|           residuals|" in out or "|residuals|" in out.replace(" ", "")
    preds = lrModel.transform(training)
    assert trainingSummary.rootMeanSquaredError == pytest.approx(
        RegressionEvaluator(metricName="rmse").evaluate(preds), rel=1e-12)
    assert trainingSummary.r2 == pytest.approx(
        RegressionEvaluator(metricName="r2").evaluate(preds), rel=1e-12)
    assert "RMSE: %f\n" % trainingSummary.rootMeanSquaredError in out
    theirs = _cli_fit(cli, tmp_path, "LinearRegression",
                      {"maxIter": 10, "regParam": 0.3, "elasticNetParam": 0.8}, path)
    assert list(lrModel.coefficients) == list(theirs.coefficients)
    assert lrModel.intercept == theirs.intercept


def test_estimator_transformer_param_example(spark, capsys):
    from thunderdome.ml.classification import LogisticRegression
    from thunderdome.ml.linalg import Vectors
    # examples/src/main/python/ml/estimator_transformer_param_example.py
    # Prepare training data from a list of (label, features) tuples.
    training = spark.createDataFrame([
        (1.0, Vectors.dense([0.0, 1.1, 0.1])),
        (0.0, Vectors.dense([2.0, 1.0, -1.0])),
        (0.0, Vectors.dense([2.0, 1.3, 1.0])),
        (1.0, Vectors.dense([0.0, 1.2, -0.5]))], ["label", "features"])

    # Create a LogisticRegression instance. This instance is an Estimator.
    lr = LogisticRegression(maxIter=10, regParam=0.01)
    # Print out the parameters, documentation, and any default values.
    print("LogisticRegression parameters:\n" + lr.explainParams() + "\n")

    # Learn a LogisticRegression model. This uses the parameters stored in lr.
    model1 = lr.fit(training)

    # Since model1 is a Model (i.e., a transformer produced by an Estimator),
    # we can view the parameters it used during fit().
    # This prints the parameter (name: value) pairs, where names are unique IDs for this
    # LogisticRegression instance.
    print("Model 1 was fit using parameters: ")
    print(model1.extractParamMap())

    # We may alternatively specify parameters using a Python dictionary as a paramMap
    paramMap = {lr.maxIter: 20}
    paramMap[lr.maxIter] = 30  # Specify 1 Param, overwriting the original maxIter.
    # Specify multiple Params.
    paramMap.update({lr.regParam: 0.1, lr.threshold: 0.55})  # type: ignore

    # You can combine paramMaps, which are python dictionaries.
    # Change output column name
    paramMap2 = {lr.probabilityCol: "myProbability"}
    paramMapCombined = paramMap.copy()
    paramMapCombined.update(paramMap2)  # type: ignore

    # Now learn a new model using the paramMapCombined parameters.
    # paramMapCombined overrides all parameters set earlier via lr.set* methods.
    model2 = lr.fit(training, paramMapCombined)
    print("Model 2 was fit using parameters: ")
    print(model2.extractParamMap())

    # Prepare test data
    test = spark.createDataFrame([
        (1.0, Vectors.dense([-1.0, 1.5, 1.3])),
        (0.0, Vectors.dense([3.0, 2.0, -0.1])),
        (1.0, Vectors.dense([0.0, 2.2, -1.5]))], ["label", "features"])

    # Make predictions on test data using the Transformer.transform() method.
    # LogisticRegression.transform will only use the 'features' column.
    # Note that model2.transform() outputs a "myProbability" column instead of the usual
    # 'probability' column since we renamed the lr.probabilityCol parameter previously.
    prediction = model2.transform(test)
    result = prediction.select("features", "label", "myProbability", "prediction") \
        .collect()

    for row in result:
        print("features=%s, label=%s -> prob=%s, prediction=%s"
              % (row.features, row.label, row.myProbability, row.prediction))
    # the example ends here: its answers against the C++ API's (the same fit, params set)
    out = capsys.readouterr().out
    assert "maxIter: max number of iterations (>= 0) (default: 100, current: 10)" in out
    direct = LogisticRegression(maxIter=30, regParam=0.1, threshold=0.55,
                                probabilityCol="myProbability").fit(training)
    assert list(direct.coefficients) == list(model2.coefficients)
    want = direct.transform(test).collect()
    assert [r.myProbability for r in result] == [r.myProbability for r in want]
    assert [r.prediction for r in result] == [r.prediction for r in want]
    assert "features=[-1.0,1.5,1.3], label=1.0 -> prob=[" in out
    assert lr.getMaxIter() == 10  # the param map applied to the fit only


def test_multilayer_perceptron_and_naive_bayes_fits_equal_the_cli(spark, root, cli, tmp_path):
    from thunderdome.ml.classification import MultilayerPerceptronClassifier, NaiveBayes
    path = root / "tests/data/nb/sample_multiclass_classification_data.txt"
    data = spark.read.format("libsvm").load(str(path))
    params = {"maxIter": 100, "layers": [4, 5, 4, 3], "blockSize": 128, "seed": 1234}
    ours = MultilayerPerceptronClassifier(**params).fit(data)
    theirs = _cli_fit(cli, tmp_path, "MultilayerPerceptronClassifier", params, path)
    assert list(ours.weights) == list(theirs.weights)
    nb = NaiveBayes(smoothing=1.0, modelType="gaussian").fit(data)
    (tmp_path / "nb").mkdir()
    theirs = _cli_fit(cli, tmp_path / "nb", "NaiveBayes",
                      {"smoothing": 1.0, "modelType": "gaussian"}, path)
    assert list(nb.pi) == list(theirs.pi)
    assert nb.theta.toArray().tolist() == theirs.theta.toArray().tolist()
    assert nb.sigma.toArray().tolist() == theirs.sigma.toArray().tolist()
