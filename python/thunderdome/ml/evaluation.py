"""thunderdome.ml.evaluation: the registry's classes of Spark's org.apache.spark.ml.evaluation, generated
from their param declarations (see thunderdome.ml.base)."""
from thunderdome.ml.base import Evaluator, export  # noqa: F401

__all__ = []
export(globals(), "evaluation")
