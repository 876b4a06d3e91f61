"""thunderdome.ml.classification: the registry's classes of Spark's org.apache.spark.ml.classification, generated
from their param declarations (see thunderdome.ml.base)."""
from thunderdome.ml.base import export

__all__ = []
export(globals(), "classification")

from thunderdome.ml._summary import (  # noqa: E402  (PySpark's summary classes)
    BinaryLogisticRegressionSummary, BinaryLogisticRegressionTrainingSummary,
    LinearSVCSummary, LinearSVCTrainingSummary, LogisticRegressionSummary,
    LogisticRegressionTrainingSummary, MultilayerPerceptronClassificationSummary,
    MultilayerPerceptronClassificationTrainingSummary)

__all__ += ["BinaryLogisticRegressionSummary", "BinaryLogisticRegressionTrainingSummary",
            "LinearSVCSummary", "LinearSVCTrainingSummary", "LogisticRegressionSummary",
            "LogisticRegressionTrainingSummary", "MultilayerPerceptronClassificationSummary",
            "MultilayerPerceptronClassificationTrainingSummary"]
