"""thunderdome.ml.tuning: ParamGridBuilder, and CrossValidator / TrainValidationSplit with
their models (generated from the registry; bestModel, avgMetrics, stdMetrics,
validationMetrics from the tuning mixin)."""
import itertools

from thunderdome.ml.base import export
from thunderdome.ml.param import Param

__all__ = ["ParamGridBuilder"]
export(globals(), "tuning")


class ParamGridBuilder:
    """Builds the param maps to search: addGrid(param, values) per param, the last one added
    varying fastest (as PySpark)."""

    def __init__(self):
        self._param_grid = {}

    def addGrid(self, param, values):
        if not isinstance(param, Param):
            raise TypeError("param must be an instance of Param")
        self._param_grid[param] = list(values)
        return self

    def baseOn(self, *args):
        if len(args) == 1 and isinstance(args[0], dict):
            items = args[0].items()
        else:
            items = args
        for param, value in items:
            self.addGrid(param, [value])
        return self

    def build(self):
        keys = list(self._param_grid.keys())
        grid_values = self._param_grid.values()

        def to_key_value_pairs(keys, values):
            return [(key, value) for key, value in zip(keys, values)]

        return [dict(to_key_value_pairs(keys, prod)) for prod in itertools.product(*grid_values)]
