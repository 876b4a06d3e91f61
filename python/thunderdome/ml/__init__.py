"""thunderdome.ml: Pipeline, PipelineModel and the base classes, as pyspark.ml. Every class
of thunderdome's registry is generated here at import, into the module PySpark has it in
(thunderdome.ml.feature, .classification, .regression, .evaluation, .tuning)."""
from thunderdome.ml import _mixins  # noqa: F401  (registers the mixins before generation)
from thunderdome.ml.base import (Estimator, Evaluator, Model, PipelineStage, Transformer,
                                 _generate, export)

_BY_MODULE = None


def _classes_by_module():
    global _BY_MODULE
    if _BY_MODULE is None:
        _BY_MODULE = _generate()
    return _BY_MODULE


__all__ = ["Estimator", "Transformer", "Model", "Evaluator", "PipelineStage"]
export(globals(), "")
