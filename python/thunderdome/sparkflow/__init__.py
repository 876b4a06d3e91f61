"""thunderdome.sparkflow: Sparkflow's SparkAsyncDL and its model, generated from the registry."""
from thunderdome.ml.base import export

__all__ = []
export(globals(), "sparkflow")
