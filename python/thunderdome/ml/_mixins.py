"""What a few framework classes add to their generated class (not params of the C++ class):
a Pipeline's stages, a PipelineModel's stages, a tuning model's bestModel and metrics."""
from thunderdome.ml.base import register_mixin
from thunderdome.ml.param import Param, _param_maps_from_cpp, _wrap


class _PipelineMixin:
    """Pipeline(stages=[...]): the stages param, kept by the C++ Pipeline."""

    _td_extra_params = ("stages",)
    stages = Param("undefined", "stages", "a list of pipeline stages")

    def _bind(self, cpp):
        super()._bind(cpp)
        object.__setattr__(self, "stages", Param(self, "stages", "a list of pipeline stages"))
        return self

    def setStages(self, value):
        from thunderdome.ml.base import PipelineStage
        for s in value:
            if not isinstance(s, PipelineStage):
                raise TypeError("Cannot recognize a pipeline stage of type %s." % type(s))
        self._cpp.set_stages([s._cpp for s in value])
        return self

    def getStages(self):
        return [_wrap(s) for s in self._cpp.sub_stages()]


class _PipelineModelMixin:
    """PipelineModel.stages: the fitted stages."""

    @property
    def stages(self):
        # kept, so that what a stage's Python object holds (a training summary) stays with it
        s = self.__dict__.get("_td_stages")
        if s is None:
            s = [_wrap(x) for x in self._cpp.sub_stages()]
            self.__dict__["_td_stages"] = s
        return list(s)


class _TuningModelMixin:
    """CrossValidatorModel / TrainValidationSplitModel: bestModel, avgMetrics, stdMetrics,
    validationMetrics and the searched param maps."""

    def _tuning(self):
        t = self.__dict__.get("_td_tuning")
        if t is None:
            t = self._cpp.tuning()
            self.__dict__["_td_tuning"] = t
        return t

    @property
    def bestModel(self):
        b = self.__dict__.get("_td_best")
        if b is None:
            b = _wrap(self._tuning()["bestModel"])
            self.__dict__["_td_best"] = b
        return b

    @property
    def avgMetrics(self):
        return list(self._tuning().get("avgMetrics", []))

    @property
    def stdMetrics(self):
        return list(self._tuning().get("stdMetrics", []))

    @property
    def validationMetrics(self):
        return list(self._tuning().get("validationMetrics", []))

    @property
    def foldMetrics(self):
        return [list(f) for f in self._tuning().get("foldMetrics", [])]

    @property
    def subModels(self):
        return None

    def getEstimator(self):
        return _wrap(self._tuning()["estimator"])

    def getEvaluator(self):
        return _wrap(self._tuning()["evaluator"])

    def getEstimatorParamMaps(self):
        est = self.getEstimator()
        ev = self.getEvaluator()
        holder = _Holder([est, ev])
        return _param_maps_from_cpp(self._tuning()["estimatorParamMaps"], holder)


class _Holder:
    """A stand-in root for _param_maps_from_cpp: the tuned estimator and the evaluator."""

    _td_params = ()

    def __init__(self, roots):
        self._roots = [r for r in roots if r is not None]
        self.uid = "_holder"
        self._cpp = self

    def sub_stages(self):
        return [r._cpp for r in self._roots]


register_mixin("Pipeline", _PipelineMixin)
register_mixin("PipelineModel", _PipelineModelMixin)
register_mixin("CrossValidatorModel", _TuningModelMixin)
register_mixin("TrainValidationSplitModel", _TuningModelMixin)


# ---- training summaries (model.summary, model.hasSummary, model.evaluate) ----

def _param_or(stage, name, default=None):
    if stage is None or not stage._cpp.has_param(name):
        return default
    return stage.getOrDefault(name) if stage.isDefined(name) else default


class _SummaryMixin:
    """model.summary / hasSummary / evaluate(dataset) as PySpark's models with a training
    summary have them. The fit records its objective history in C++; the Python fit that made
    the model records the dataset and the estimator's label and weight columns, and the
    summary's predictions are the model's transform of that dataset, made when first read."""

    def _td_set_training(self, dataset_thunk, estimator):
        self.__dict__["_td_training"] = (dataset_thunk, {
            "labelCol": _param_or(estimator, "labelCol", "label"),
            "weightCol": _param_or(estimator, "weightCol", ""),
            "fitIntercept": _param_or(estimator, "fitIntercept", True),
        })

    def _td_training_info(self):
        t = self.__dict__.get("_td_training")
        return t[1] if t else {"labelCol": "label", "weightCol": "", "fitIntercept": True}

    @property
    def hasSummary(self):
        """Whether this model has a training summary: fitted here, not loaded (as Spark)."""
        return "_td_training" in self.__dict__ and self._cpp.training_summary() is not None

    @property
    def summary(self):
        """The training summary (Spark's); RuntimeError when the model has none."""
        if not self.hasSummary:
            raise RuntimeError("No training summary available for this %s"
                               % type(self).__name__)
        s = self.__dict__.get("_td_summary")
        if s is None:
            thunk, _ = self.__dict__["_td_training"]
            s = self._td_make_summary(self.transform(thunk()), self._cpp.training_summary())
            self.__dict__["_td_summary"] = s
        return s

    def evaluate(self, dataset):
        """The summary of this model on `dataset` (its metrics there, no training part)."""
        from thunderdome.sql.dataframe import DataFrame
        if not isinstance(dataset, DataFrame):
            raise TypeError("dataset must be a DataFrame but got %s." % type(dataset))
        return self._td_make_summary(self.transform(dataset), None)


class _ClassifierSummaryMixin(_SummaryMixin):
    _td_binary_summary = None  # (class, training class, score param)
    _td_multi_summary = None

    def _td_make_summary(self, predictions, training):
        from thunderdome.ml import _summary as S
        info = self._td_training_info()
        binary = self._td_binary_summary is not None and \
            int(self._state().get("numClasses", 2)) <= 2
        plain, trained, score = self._td_binary_summary if binary else self._td_multi_summary
        cls = trained if training is not None else plain
        args = dict(labelCol=info["labelCol"],
                    predictionCol=_param_or(self, "predictionCol", "prediction"),
                    weightCol=info["weightCol"])
        if issubclass(cls, S.LogisticRegressionSummary):
            args.update(probabilityCol=_param_or(self, "probabilityCol", "probability"),
                        featuresCol=_param_or(self, "featuresCol", "features"))
        elif issubclass(cls, S.BinaryClassificationSummary):
            args["scoreCol"] = _param_or(self, score, score)
        s = cls(predictions, **args)
        if training is not None:
            s._training = training
        return s


class _LogisticRegressionSummaryMixin(_ClassifierSummaryMixin):
    @property
    def _td_binary_summary(self):
        from thunderdome.ml import _summary as S
        return (S.BinaryLogisticRegressionSummary, S.BinaryLogisticRegressionTrainingSummary,
                "probabilityCol")

    @property
    def _td_multi_summary(self):
        from thunderdome.ml import _summary as S
        return (S.LogisticRegressionSummary, S.LogisticRegressionTrainingSummary, None)


class _LinearSVCSummaryMixin(_ClassifierSummaryMixin):
    @property
    def _td_binary_summary(self):
        from thunderdome.ml import _summary as S
        return (S.LinearSVCSummary, S.LinearSVCTrainingSummary, "rawPredictionCol")


class _MLPSummaryMixin(_ClassifierSummaryMixin):
    @property
    def _td_multi_summary(self):
        from thunderdome.ml import _summary as S
        return (S.MultilayerPerceptronClassificationSummary,
                S.MultilayerPerceptronClassificationTrainingSummary, None)


class _LinearRegressionSummaryMixin(_SummaryMixin):
    def _td_make_summary(self, predictions, training):
        from thunderdome.ml import _summary as S
        info = self._td_training_info()
        args = dict(labelCol=info["labelCol"],
                    predictionCol=_param_or(self, "predictionCol", "prediction"),
                    featuresCol=_param_or(self, "featuresCol", "features"),
                    numFeatures=int(self._state().get("numFeatures", 0)),
                    fitIntercept=info["fitIntercept"], weightCol=info["weightCol"])
        if training is not None:
            return S.LinearRegressionTrainingSummary(training, predictions, **args)
        return S.LinearRegressionSummary(predictions, **args)


register_mixin("LogisticRegressionModel", _LogisticRegressionSummaryMixin)
register_mixin("LinearSVCModel", _LinearSVCSummaryMixin)
register_mixin("MultilayerPerceptronClassificationModel", _MLPSummaryMixin)
register_mixin("LinearRegressionModel", _LinearRegressionSummaryMixin)


def _attach_training(model, estimator, dataset_thunk):
    """Records what a fit trained on, so that the model's summary can be made: the dataset
    (as a thunk) and the estimator; a PipelineModel's fitted stages each get the dataset as
    transformed by the stages before them, a tuning model's best model the whole dataset."""
    if isinstance(model, _SummaryMixin):
        model._td_set_training(dataset_thunk, estimator)
    elif isinstance(model, _PipelineModelMixin) and isinstance(estimator, _PipelineMixin):
        stages = model.stages
        for i, (est, fitted) in enumerate(zip(estimator.getStages(), stages)):
            def thunk(i=i):
                df = dataset_thunk()
                for s in stages[:i]:
                    df = s.transform(df)
                return df
            _attach_training(fitted, est, thunk)
    elif isinstance(model, _TuningModelMixin):
        est = _param_or(estimator, "estimator")
        _attach_training(model.bestModel, est, dataset_thunk)
    elif isinstance(model, _OneVsRestModelMixin):
        # as OneVsRest's fit: class k's model trained on label column mc2b$k (1 for class k)
        from thunderdome.sql import functions as F
        classifier = _param_or(estimator, "classifier")
        label = _param_or(estimator, "labelCol", "label")
        weight = _param_or(estimator, "weightCol", "")
        if classifier is None:
            return
        for k, binary in enumerate(model.models):
            name = "mc2b$%d" % k
            extra = {classifier.labelCol: name}
            if weight and classifier._cpp.has_param("weightCol"):
                extra[classifier.weightCol] = weight

            def thunk(k=k, name=name):
                return dataset_thunk().withColumn(name, (F.col(label) == float(k)).cast("double"))
            _attach_training(binary, classifier.copy(extra), thunk)


class _OneVsRestModelMixin:
    """OneVsRestModel.models: the per-class binary models (class k at index k), as the Python
    model objects of their classes (coefficients, intercept, ...)."""

    @property
    def models(self):
        m = self.__dict__.get("_td_models")
        if m is None:
            m = [_wrap(x) for x in self._cpp.ovr_models()]
            self.__dict__["_td_models"] = m
        return list(m)


register_mixin("OneVsRestModel", _OneVsRestModelMixin)


def _copy_keeping_summary(self, extra=None):
    """copy(extra) keeps the training summary, as Spark's model copies do."""
    c = super(_SummaryMixin, self).copy(extra)
    if "_td_training" in self.__dict__ and c._cpp.training_summary() is not None:
        c.__dict__["_td_training"] = self.__dict__["_td_training"]
    return c


_SummaryMixin.copy = _copy_keeping_summary
