"""thunderdome.ml.regression: the registry's classes of Spark's org.apache.spark.ml.regression, generated
from their param declarations (see thunderdome.ml.base)."""
from thunderdome.ml.base import export

__all__ = []
export(globals(), "regression")

from thunderdome.ml._summary import (  # noqa: E402  (PySpark's summary classes)
    LinearRegressionSummary, LinearRegressionTrainingSummary)

__all__ += ["LinearRegressionSummary", "LinearRegressionTrainingSummary"]
