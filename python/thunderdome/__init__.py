"""thunderdome: Spark ML pipelines without a JVM or a cluster, with PySpark's API.

Change `pyspark` to `thunderdome` in a PySpark ML script's imports and it runs here:
thunderdome.sql (SparkSession, DataFrame, Row), thunderdome.ml (Pipeline, feature,
classification, regression, evaluation, tuning, linalg)."""
from thunderdome import errors as _errors
from thunderdome import _thunderdome

_thunderdome._register_errors(_errors.ThunderdomeError, _errors.IllegalArgumentException,
                              _errors.IllegalArgumentException, _errors.DataError,
                              _errors.IOException)

__version__ = _thunderdome.version()
__all__ = ["__version__"]
