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
        return [_wrap(s) for s in self._cpp.sub_stages()]


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
        return _wrap(self._tuning()["bestModel"])

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
