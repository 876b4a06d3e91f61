"""Model summaries as PySpark has them (pyspark.ml.classification / .regression): the training
summary of a fitted LogisticRegressionModel, LinearSVCModel,
MultilayerPerceptronClassificationModel and LinearRegressionModel (`model.summary`,
`model.hasSummary`) and the summary of a model on other data (`model.evaluate(df)`).

What the C++ fit records (objective history, iterations; a linear regression's training
metrics) comes from it; every other metric is computed by the C++ evaluators
(MulticlassClassificationEvaluator, BinaryClassificationEvaluator with Spark's summary
numBins = 100, RegressionEvaluator) over the model's predictions, so the values are Spark's
formulas, weights included. As in Spark, a summary is in memory only: a loaded model has none."""
from thunderdome import _thunderdome
from thunderdome._lazy import numpy as np

__all__ = ["ClassificationSummary", "TrainingSummary", "BinaryClassificationSummary",
           "LogisticRegressionSummary", "LogisticRegressionTrainingSummary",
           "BinaryLogisticRegressionSummary", "BinaryLogisticRegressionTrainingSummary",
           "LinearSVCSummary", "LinearSVCTrainingSummary",
           "MultilayerPerceptronClassificationSummary",
           "MultilayerPerceptronClassificationTrainingSummary",
           "LinearRegressionSummary", "LinearRegressionTrainingSummary"]

# Spark's classification summaries build BinaryClassificationMetrics with 100 bins.
_SUMMARY_NUM_BINS = 100


def _evaluator(name, **params):
    from thunderdome.ml.param import _CLASSES
    return _CLASSES[name](**{k: v for k, v in params.items() if v})


class _Summary:
    """The predictions of a model on a dataset and the columns its metrics read."""

    def __init__(self, predictions, labelCol, predictionCol, weightCol=None):
        self._predictions = predictions
        self._labelCol = labelCol
        self._predictionCol = predictionCol
        self._weightCol = weightCol or ""
        # as Spark's summaries: weighted only when the predictions have the weight column
        self._weights = self._weightCol if self._weightCol in predictions.columns else ""
        self._cache = {}

    def _memo(self, key, compute):
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    @property
    def predictions(self):
        """The DataFrame the model's transform made of the dataset."""
        return self._predictions

    @property
    def predictionCol(self):
        return self._predictionCol

    @property
    def labelCol(self):
        return self._labelCol

    @property
    def weightCol(self):
        return self._weightCol


class ClassificationSummary(_Summary):
    """Spark's multiclass metrics (MulticlassMetrics, weighted) of a classifier's predictions."""

    def _metric(self, name, **extra):
        def compute():
            ev = _evaluator("MulticlassClassificationEvaluator", metricName=name,
                            labelCol=self._labelCol, predictionCol=self._predictionCol,
                            weightCol=self._weights)
            for k, v in extra.items():
                ev._set_one(k, v)
            return ev.evaluate(self._predictions)
        return self._memo((name,) + tuple(sorted(extra.items())), compute)

    def _by_label(self, name, **extra):
        return [self._metric(name, metricLabel=float(l), **extra) for l in self.labels]

    @property
    def labels(self):
        """The labels of the data, ascending (as doubles)."""
        def compute():
            kind, col, mask = self._predictions._column_data(self._labelCol)
            values = np.asarray(col, dtype=np.float64)
            if mask is not None:
                values = values[~np.asarray(mask)]
            return [float(x) for x in np.unique(values)]
        return self._memo("labels", compute)

    @property
    def truePositiveRateByLabel(self):
        return self._by_label("truePositiveRateByLabel")

    @property
    def falsePositiveRateByLabel(self):
        return self._by_label("falsePositiveRateByLabel")

    @property
    def precisionByLabel(self):
        return self._by_label("precisionByLabel")

    @property
    def recallByLabel(self):
        return self._by_label("recallByLabel")

    def fMeasureByLabel(self, beta=1.0):
        return self._by_label("fMeasureByLabel", beta=float(beta))

    @property
    def accuracy(self):
        return self._metric("accuracy")

    @property
    def weightedTruePositiveRate(self):
        return self._metric("weightedTruePositiveRate")

    @property
    def weightedFalsePositiveRate(self):
        return self._metric("weightedFalsePositiveRate")

    @property
    def weightedRecall(self):
        return self._metric("weightedRecall")

    @property
    def weightedPrecision(self):
        return self._metric("weightedPrecision")

    def weightedFMeasure(self, beta=1.0):
        return self._metric("weightedFMeasure", beta=float(beta))


class TrainingSummary:
    """The objective per optimizer state, the initial one included, and the iterations."""

    @property
    def objectiveHistory(self):
        return list(self._training["objectiveHistory"])

    @property
    def totalIterations(self):
        return int(self._training["totalIterations"])


class BinaryClassificationSummary(ClassificationSummary):
    """Adds Spark's BinaryClassificationMetrics (100 bins) of the score column: the ROC and PR
    curves, the area under the ROC curve, and precision, recall and F-measure by threshold."""

    def __init__(self, predictions, labelCol, predictionCol, scoreCol, weightCol=None):
        ClassificationSummary.__init__(self, predictions, labelCol, predictionCol, weightCol)
        self._scoreCol = scoreCol

    @property
    def scoreCol(self):
        return self._scoreCol

    def _curves(self):
        return self._memo("curves", lambda: _thunderdome.binary_curves(
            self._predictions._jdf, self._scoreCol, self._labelCol, self._weights,
            _SUMMARY_NUM_BINS))

    def _frame(self, columns):
        from thunderdome.sql.dataframe import DataFrame
        frame = _thunderdome.Frame.from_columns(
            [(name, "double", np.asarray(values, dtype=np.float64), None)
             for name, values in columns])
        return DataFrame(frame, self._predictions.sparkSession)

    @property
    def roc(self):
        """DataFrame (FPR, TPR): (0, 0), one point per threshold, (1, 1)."""
        rx, ry, _, _, _ = self._curves()
        return self._frame([("FPR", rx), ("TPR", ry)])

    @property
    def areaUnderROC(self):
        def compute():
            ev = _evaluator("BinaryClassificationEvaluator", metricName="areaUnderROC",
                            rawPredictionCol=self._scoreCol, labelCol=self._labelCol,
                            weightCol=self._weights, numBins=_SUMMARY_NUM_BINS)
            return ev.evaluate(self._predictions)
        return self._memo("areaUnderROC", compute)

    @property
    def pr(self):
        """DataFrame (recall, precision): (0, p0), then one point per threshold."""
        _, _, px, py, _ = self._curves()
        return self._frame([("recall", px), ("precision", py)])

    @property
    def precisionByThreshold(self):
        _, _, _, py, t = self._curves()
        return self._frame([("threshold", t), ("precision", py[1:])])

    @property
    def recallByThreshold(self):
        _, _, px, _, t = self._curves()
        return self._frame([("threshold", t), ("recall", px[1:])])

    def _f_measure(self, beta):
        _, _, px, py, t = self._curves()
        b2 = beta * beta
        f = [0.0 if p + r == 0 else (1 + b2) * p * r / (b2 * p + r)
             for r, p in zip(px[1:], py[1:])]
        return t, f

    @property
    def fMeasureByThreshold(self):
        t, f = self._f_measure(1.0)
        return self._frame([("threshold", t), ("F-Measure", f)])


class LogisticRegressionSummary(ClassificationSummary):
    """A logistic regression model's metrics on a dataset (multinomial or binomial)."""

    def __init__(self, predictions, labelCol, predictionCol, probabilityCol, featuresCol,
                 weightCol=None):
        ClassificationSummary.__init__(self, predictions, labelCol, predictionCol, weightCol)
        self._probabilityCol = probabilityCol
        self._featuresCol = featuresCol

    @property
    def probabilityCol(self):
        return self._probabilityCol

    @property
    def featuresCol(self):
        return self._featuresCol


class LogisticRegressionTrainingSummary(LogisticRegressionSummary, TrainingSummary):
    """A multinomial logistic regression's training summary."""


class BinaryLogisticRegressionSummary(BinaryClassificationSummary, LogisticRegressionSummary):
    """A binomial logistic regression's metrics on a dataset; the score is the probability."""

    def __init__(self, predictions, labelCol, predictionCol, probabilityCol, featuresCol,
                 weightCol=None):
        BinaryClassificationSummary.__init__(self, predictions, labelCol, predictionCol,
                                             probabilityCol, weightCol)
        self._probabilityCol = probabilityCol
        self._featuresCol = featuresCol


class BinaryLogisticRegressionTrainingSummary(BinaryLogisticRegressionSummary, TrainingSummary):
    """A binomial logistic regression's training summary."""


class LinearSVCSummary(BinaryClassificationSummary):
    """A linear SVM's metrics on a dataset; the score is the rawPrediction margin."""


class LinearSVCTrainingSummary(LinearSVCSummary, TrainingSummary):
    """A linear SVM's training summary."""


class MultilayerPerceptronClassificationSummary(ClassificationSummary):
    """A multilayer perceptron's metrics on a dataset."""


class MultilayerPerceptronClassificationTrainingSummary(
        MultilayerPerceptronClassificationSummary, TrainingSummary):
    """A multilayer perceptron's training summary."""


class LinearRegressionSummary(_Summary):
    """A linear regression model's metrics on a dataset (Spark's RegressionMetrics, weighted,
    r2 through the origin for a model without an intercept)."""

    def __init__(self, predictions, labelCol, predictionCol, featuresCol, numFeatures,
                 fitIntercept, weightCol=None):
        super().__init__(predictions, labelCol, predictionCol, weightCol)
        self._featuresCol = featuresCol
        self._numFeatures = int(numFeatures)
        self._fitIntercept = bool(fitIntercept)

    @property
    def featuresCol(self):
        return self._featuresCol

    def _metric(self, name):
        def compute():
            ev = _evaluator("RegressionEvaluator", metricName=name, labelCol=self._labelCol,
                            predictionCol=self._predictionCol, weightCol=self._weights,
                            throughOrigin=not self._fitIntercept)
            return ev.evaluate(self._predictions)
        return self._memo(name, compute)

    @property
    def explainedVariance(self):
        return self._metric("var")

    @property
    def meanAbsoluteError(self):
        return self._metric("mae")

    @property
    def meanSquaredError(self):
        return self._metric("mse")

    @property
    def rootMeanSquaredError(self):
        return self._metric("rmse")

    @property
    def r2(self):
        return self._metric("r2")

    @property
    def r2adj(self):
        dof = 1 if self._fitIntercept else 0
        n = self.numInstances
        return 1 - (1 - self.r2) * (n - dof) / (n - self._numFeatures - dof)

    def _residual_values(self):
        def compute():
            label = np.asarray(self._predictions._column_data(self._labelCol)[1], np.float64)
            pred = np.asarray(self._predictions._column_data(self._predictionCol)[1], np.float64)
            return label - pred
        return self._memo("residuals", compute)

    @property
    def residuals(self):
        """DataFrame (residuals): label − prediction per row."""
        from thunderdome.sql.dataframe import DataFrame
        frame = _thunderdome.Frame.from_columns(
            [("residuals", "double", self._residual_values(), None)])
        return DataFrame(frame, self._predictions.sparkSession)

    def _weight_values(self):
        if not self._weights:
            return None
        return np.asarray(self._predictions._column_data(self._weights)[1], np.float64)

    @property
    def numInstances(self):
        """Rows of positive weight (Spark's RegressionMetrics count)."""
        def compute():
            w = self._weight_values()
            return self._predictions.count() if w is None else int(np.sum(w > 0))
        return self._memo("numInstances", compute)

    @property
    def devianceResiduals(self):
        """[min, max] of the residuals times the square roots of the weights."""
        r = self._residual_values()
        w = self._weight_values()
        if w is not None:
            r = r * np.sqrt(w)
        return [float(r.min()), float(r.max())]

    @property
    def degreesOfFreedom(self):
        return self.numInstances - self._numFeatures - (1 if self._fitIntercept else 0)

    def _inference(self, key):
        raise RuntimeError("No %s available for this LinearRegressionModel: Spark computes it "
                           "only for the training summary of the normal solver" % key)

    @property
    def coefficientStandardErrors(self):
        return self._inference("coefficientStandardErrors")

    @property
    def tValues(self):
        return self._inference("tValues")

    @property
    def pValues(self):
        return self._inference("pValues")


class LinearRegressionTrainingSummary(LinearRegressionSummary, TrainingSummary):
    """A linear regression's training summary: the metrics the C++ fit computed."""

    def __init__(self, training, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._training = training

    explainedVariance = property(lambda self: float(self._training["explainedVariance"]))
    meanAbsoluteError = property(lambda self: float(self._training["meanAbsoluteError"]))
    meanSquaredError = property(lambda self: float(self._training["meanSquaredError"]))
    rootMeanSquaredError = property(lambda self: float(self._training["rootMeanSquaredError"]))
    r2 = property(lambda self: float(self._training["r2"]))
    r2adj = property(lambda self: float(self._training["r2adj"]))
    numInstances = property(lambda self: int(self._training["numInstances"]))
    degreesOfFreedom = property(lambda self: int(self._training["degreesOfFreedom"]))

    def _residual_values(self):
        return np.asarray(self._training["residuals"])

    def _inference(self, key):
        if key not in self._training:
            return super()._inference(key)
        return list(self._training[key])
