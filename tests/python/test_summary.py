"""Training summaries (model.summary / hasSummary / evaluate) and OneVsRestModel.models,
checked against scikit-learn and hand-computed answers."""
import numpy as np
import pytest
from sklearn import metrics

from thunderdome.ml.linalg import Vectors


def _binary_data(n=120, seed=3):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 3))
    y = (x @ [1.5, -2.0, 0.5] + 0.8 * rng.standard_normal(n) > 0.2).astype(float)
    w = rng.uniform(0.5, 2.0, n)
    return x, y, w


def _frame(spark, x, y, w=None):
    rows = [(float(y[i]), Vectors.dense(x[i].tolist())) + (() if w is None else (float(w[i]),))
            for i in range(len(y))]
    return spark.createDataFrame(rows, ["label", "features"] + ([] if w is None else ["weight"]))


def _column(df, name):
    return np.array([r[name] for r in df.select(name).collect()], dtype=float)


def _vector_column(df, name, k):
    return np.array([r[name][k] for r in df.select(name).collect()], dtype=float)


def test_binary_logistic_regression_training_summary(spark):
    from thunderdome.ml.classification import (BinaryLogisticRegressionTrainingSummary,
                                               LogisticRegression)
    x, y, _ = _binary_data()
    df = _frame(spark, x, y)
    lr = LogisticRegression(maxIter=50, regParam=0.01)
    model = lr.fit(df)
    assert model.hasSummary
    s = model.summary
    assert isinstance(s, BinaryLogisticRegressionTrainingSummary)
    # the objective history: one entry per optimizer state, the initial one included,
    # decreasing to the objective at the fitted coefficients (hand-computed)
    h = s.objectiveHistory
    assert s.totalIterations == len(h) - 1 > 0
    assert all(b <= a + 1e-12 for a, b in zip(h, h[1:]))
    m = x @ model.coefficients.toArray() + model.intercept
    loss = np.mean(np.logaddexp(0, m) - y * m)
    sd = x.std(axis=0, ddof=1)  # standardization: the L2 penalty on the scaled coefficients
    penalty = 0.01 / 2 * np.sum((model.coefficients.toArray() * sd) ** 2)
    assert h[-1] == pytest.approx(loss + penalty, rel=1e-6)

    p1 = _vector_column(s.predictions, "probability", 1)
    pred = _column(s.predictions, "prediction")
    assert s.labels == [0.0, 1.0]
    assert s.probabilityCol == "probability" and s.featuresCol == "features"
    assert s.labelCol == "label" and s.predictionCol == "prediction"
    assert s.accuracy == pytest.approx(metrics.accuracy_score(y, pred))
    assert s.weightedPrecision == pytest.approx(
        metrics.precision_score(y, pred, average="weighted"))
    assert s.weightedRecall == pytest.approx(metrics.recall_score(y, pred, average="weighted"))
    assert s.weightedFMeasure() == pytest.approx(metrics.f1_score(y, pred, average="weighted"))
    assert s.weightedFMeasure(2.0) == pytest.approx(
        metrics.fbeta_score(y, pred, beta=2.0, average="weighted"))
    assert s.precisionByLabel == pytest.approx(metrics.precision_score(y, pred, average=None))
    assert s.recallByLabel == pytest.approx(metrics.recall_score(y, pred, average=None))
    assert s.truePositiveRateByLabel == s.recallByLabel
    assert s.fMeasureByLabel() == pytest.approx(metrics.f1_score(y, pred, average=None))
    cm = metrics.confusion_matrix(y, pred)
    fpr = [cm[1, 0] / cm[1].sum(), cm[0, 1] / cm[0].sum()]
    assert s.falsePositiveRateByLabel == pytest.approx(fpr)

    # the curves: exact below 200 distinct scores (Spark's summary bins into 100)
    assert s.areaUnderROC == pytest.approx(metrics.roc_auc_score(y, p1))
    roc = s.roc.toPandas()
    assert list(roc.columns) == ["FPR", "TPR"]
    sk_fpr, sk_tpr, _ = metrics.roc_curve(y, p1, drop_intermediate=False)
    assert roc.FPR.tolist() == pytest.approx(sk_fpr.tolist() + [1.0])
    assert roc.TPR.tolist() == pytest.approx(sk_tpr.tolist() + [1.0])
    thresholds = np.unique(p1)[::-1]
    prec = np.array([y[p1 >= t].mean() for t in thresholds])
    rec = np.array([y[p1 >= t].sum() / y.sum() for t in thresholds])
    pr = s.pr.toPandas()
    assert list(pr.columns) == ["recall", "precision"]
    assert pr.recall.tolist() == pytest.approx([0.0] + rec.tolist())
    assert pr.precision.tolist() == pytest.approx([prec[0]] + prec.tolist())
    by_t = s.precisionByThreshold.toPandas()
    assert by_t.threshold.tolist() == pytest.approx(thresholds.tolist())
    assert by_t.precision.tolist() == pytest.approx(prec.tolist())
    assert s.recallByThreshold.toPandas().recall.tolist() == pytest.approx(rec.tolist())
    f = s.fMeasureByThreshold.toPandas()
    assert list(f.columns) == ["threshold", "F-Measure"]
    assert f["F-Measure"].tolist() == pytest.approx((2 * prec * rec / (prec + rec)).tolist())


def test_weighted_summary_and_evaluate(spark):
    from thunderdome.ml.classification import (BinaryLogisticRegressionSummary,
                                               LogisticRegression)
    x, y, w = _binary_data()
    model = LogisticRegression(weightCol="weight").fit(_frame(spark, x[:80], y[:80], w[:80]))
    s = model.summary
    assert s.weightCol == "weight"
    pred = _column(s.predictions, "prediction")
    assert s.accuracy == pytest.approx(metrics.accuracy_score(y[:80], pred, sample_weight=w[:80]))
    p1 = _vector_column(s.predictions, "probability", 1)
    assert s.areaUnderROC == pytest.approx(
        metrics.roc_auc_score(y[:80], p1, sample_weight=w[:80]))

    test = _frame(spark, x[80:], y[80:])
    e = model.evaluate(test)
    assert isinstance(e, BinaryLogisticRegressionSummary)
    assert not hasattr(e, "objectiveHistory")
    pred = _column(e.predictions, "prediction")
    p1 = _vector_column(e.predictions, "probability", 1)
    assert e.accuracy == pytest.approx(metrics.accuracy_score(y[80:], pred))
    assert e.areaUnderROC == pytest.approx(metrics.roc_auc_score(y[80:], p1))


def test_multinomial_summary(spark):
    from thunderdome.ml.classification import (LogisticRegression,
                                               LogisticRegressionTrainingSummary)
    rng = np.random.default_rng(5)
    x = rng.standard_normal((150, 2))
    y = np.argmax(x @ [[1.0, -1.0, 0.2], [0.3, 0.8, -1.2]] + rng.standard_normal((150, 3)), 1)
    model = LogisticRegression(family="multinomial", maxIter=30).fit(_frame(spark, x, y * 1.0))
    s = model.summary
    assert type(s) is LogisticRegressionTrainingSummary
    assert not hasattr(s, "areaUnderROC")
    assert s.totalIterations == len(s.objectiveHistory) - 1
    pred = _column(s.predictions, "prediction")
    assert s.labels == [0.0, 1.0, 2.0]
    assert s.accuracy == pytest.approx(metrics.accuracy_score(y, pred))
    assert s.weightedPrecision == pytest.approx(
        metrics.precision_score(y, pred, average="weighted"))
    assert s.recallByLabel == pytest.approx(metrics.recall_score(y, pred, average=None))


def test_summary_is_absent_after_load(spark, tmp_path):
    from thunderdome.ml.classification import LogisticRegression, LogisticRegressionModel
    x, y, _ = _binary_data(40)
    model = LogisticRegression(maxIter=5).fit(_frame(spark, x, y))
    model.write().overwrite().save(str(tmp_path / "lr"))
    loaded = LogisticRegressionModel.load(str(tmp_path / "lr"))
    assert not loaded.hasSummary
    with pytest.raises(RuntimeError, match="No training summary available"):
        loaded.summary
    assert loaded.evaluate(_frame(spark, x, y)).accuracy == model.summary.accuracy
    copied = model.copy({model.threshold: 0.9})
    assert copied.hasSummary and copied.summary.objectiveHistory == model.summary.objectiveHistory


def test_summary_of_a_pipeline_stage_and_of_the_best_model(spark):
    from thunderdome.ml import Pipeline
    from thunderdome.ml.classification import LogisticRegression
    from thunderdome.ml.evaluation import BinaryClassificationEvaluator
    from thunderdome.ml.feature import StandardScaler
    from thunderdome.ml.tuning import CrossValidator, ParamGridBuilder
    x, y, _ = _binary_data()
    df = _frame(spark, x, y)
    lr = LogisticRegression(featuresCol="scaled", maxIter=20)
    pm = Pipeline(stages=[StandardScaler(inputCol="features", outputCol="scaled"), lr]).fit(df)
    s = pm.stages[1].summary
    assert "scaled" in s.predictions.columns
    direct = LogisticRegression(featuresCol="scaled", maxIter=20).fit(pm.stages[0].transform(df))
    assert s.areaUnderROC == pytest.approx(direct.summary.areaUnderROC)

    grid = ParamGridBuilder().addGrid(lr.regParam, [0.0, 0.1]).build()
    cv = CrossValidator(estimator=lr, estimatorParamMaps=grid, numFolds=2,
                        evaluator=BinaryClassificationEvaluator())
    best = cv.fit(pm.stages[0].transform(df)).bestModel
    assert best.hasSummary and best.summary.totalIterations > 0


def test_linear_svc_and_mlp_summaries(spark):
    from thunderdome.ml.classification import (LinearSVC, LinearSVCTrainingSummary,
                                               MultilayerPerceptronClassifier)
    x, y, _ = _binary_data()
    df = _frame(spark, x, y)
    s = LinearSVC(maxIter=20, regParam=0.1).fit(df).summary
    assert isinstance(s, LinearSVCTrainingSummary) and s.scoreCol == "rawPrediction"
    raw = _vector_column(s.predictions, "rawPrediction", 1)
    assert s.areaUnderROC == pytest.approx(metrics.roc_auc_score(y, raw))
    assert s.accuracy == pytest.approx(
        metrics.accuracy_score(y, _column(s.predictions, "prediction")))
    m = MultilayerPerceptronClassifier(layers=[3, 4, 2], maxIter=20, seed=1).fit(df)
    assert m.hasSummary
    ms = m.summary
    assert ms.totalIterations == len(ms.objectiveHistory) - 1
    assert ms.accuracy == pytest.approx(
        metrics.accuracy_score(y, _column(ms.predictions, "prediction")))


def test_linear_regression_summary(spark):
    from scipy import stats
    from thunderdome.ml.regression import LinearRegression, LinearRegressionSummary
    rng = np.random.default_rng(11)
    n, d = 60, 3
    x = rng.standard_normal((n, d))
    y = x @ [2.0, -1.0, 0.5] + 3.0 + 0.3 * rng.standard_normal(n)
    df = _frame(spark, x, y)
    model = LinearRegression(solver="normal").fit(df)
    s = model.summary
    pred = _column(s.predictions, "prediction")
    assert s.meanSquaredError == pytest.approx(metrics.mean_squared_error(y, pred))
    assert s.rootMeanSquaredError == pytest.approx(np.sqrt(metrics.mean_squared_error(y, pred)))
    assert s.meanAbsoluteError == pytest.approx(metrics.mean_absolute_error(y, pred))
    assert s.r2 == pytest.approx(metrics.r2_score(y, pred))
    assert s.r2adj == pytest.approx(1 - (1 - s.r2) * (n - 1) / (n - d - 1))
    assert s.explainedVariance == pytest.approx(np.mean((pred - y.mean()) ** 2))
    assert s.numInstances == n and s.degreesOfFreedom == n - d - 1
    assert s.totalIterations == len(s.objectiveHistory) - 1
    assert _column(s.residuals, "residuals") == pytest.approx(y - pred)
    assert s.devianceResiduals == pytest.approx([np.min(y - pred), np.max(y - pred)])
    # the normal solver's inference: standard errors of (coefficients, intercept)
    a = np.hstack([x, np.ones((n, 1))])
    sigma2 = np.sum((y - pred) ** 2) / (n - d - 1)
    se = np.sqrt(np.diag(np.linalg.inv(a.T @ a)) * sigma2)
    assert s.coefficientStandardErrors == pytest.approx(se.tolist(), rel=1e-6)
    est = np.append(model.coefficients.toArray(), model.intercept)
    assert s.tValues == pytest.approx((est / se).tolist(), rel=1e-6)
    assert s.pValues == pytest.approx((2 * stats.t.sf(np.abs(est / se), n - d - 1)).tolist(),
                                      rel=1e-5, abs=1e-12)

    w = np.linspace(0.0, 2.0, n)  # the first row weighs nothing
    weighted = LinearRegression(weightCol="weight").fit(_frame(spark, x, y, w)).summary
    assert weighted.numInstances == n - 1
    r = _column(weighted.residuals, "residuals")
    assert weighted.devianceResiduals == pytest.approx(
        [np.min(r * np.sqrt(w)), np.max(r * np.sqrt(w))])

    e = model.evaluate(_frame(spark, x[:20], y[:20]))
    assert isinstance(e, LinearRegressionSummary)
    assert e.r2 == pytest.approx(metrics.r2_score(y[:20], pred[:20]))
    assert e.numInstances == 20
    assert e.r2adj == pytest.approx(1 - (1 - e.r2) * 19 / (20 - d - 1))
    with pytest.raises(RuntimeError, match="coefficientStandardErrors"):
        e.coefficientStandardErrors
    # without an intercept: r2 through the origin (Spark's RegressionMetrics)
    s0 = LinearRegression(fitIntercept=False).fit(df).summary
    p0 = _column(s0.predictions, "prediction")
    assert s0.r2 == pytest.approx(1 - np.sum((y - p0) ** 2) / np.sum(y ** 2))
    assert s0.r2adj == pytest.approx(1 - (1 - s0.r2) * n / (n - d))


def test_one_vs_rest_models(spark):
    from thunderdome.ml.classification import LogisticRegression, LogisticRegressionModel, OneVsRest
    rng = np.random.default_rng(2)
    x = rng.standard_normal((90, 2))
    y = np.argmax(x @ [[1.0, -1.0, 0.0], [0.0, 1.0, -1.0]], 1) * 1.0
    df = _frame(spark, x, y)
    ovr = OneVsRest(classifier=LogisticRegression(maxIter=20)).fit(df)
    models = ovr.models
    assert len(models) == 3 and all(isinstance(m, LogisticRegressionModel) for m in models)
    # model k separates class k from the rest: its margins are the rawPrediction's column k
    raw = np.array([r.rawPrediction.toArray() for r in ovr.transform(df).collect()])
    for k, m in enumerate(models):
        margin = x @ m.coefficients.toArray() + m.intercept
        assert raw[:, k] == pytest.approx(margin, rel=1e-9, abs=1e-12)
        # its training summary, over the relabelled data as Spark's (label mc2b$k)
        s = m.summary
        assert s.labelCol == "mc2b$%d" % k and s.labels == [0.0, 1.0]
        assert s.accuracy == pytest.approx(metrics.accuracy_score(
            (y == k) * 1.0, _column(s.predictions, "prediction")))
        assert s.areaUnderROC == pytest.approx(metrics.roc_auc_score(y == k, margin))
