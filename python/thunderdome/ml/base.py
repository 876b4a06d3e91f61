"""Estimator, Transformer, Model and Evaluator (pyspark.ml.base), and the generation of one
Python class per class in thunderdome's registry: keyword constructors, setX/getX, Param
attributes, setParams, explainParams, copy, save/load, all from the registry's metadata."""
from thunderdome._lazy import numpy as np

from thunderdome import _thunderdome
from thunderdome.ml.param import _CLASSES, Param, Params, _param_map_to_cpp, _wrap
from thunderdome.ml.util import MLReadable, MLWritable

__all__ = ["Estimator", "Transformer", "Model", "Evaluator", "PipelineStage"]


def _frame_of(dataset):
    from thunderdome.sql.dataframe import DataFrame
    if not isinstance(dataset, DataFrame):
        raise TypeError("dataset must be a DataFrame, not %s" % type(dataset).__name__)
    return dataset._jdf


def _param_map_entries(params):
    if params is None:
        return []
    if not isinstance(params, dict):
        raise TypeError("Params must be either a param map or a list/tuple of param maps, "
                        "but got %s." % type(params))
    return _param_map_to_cpp(params)


class PipelineStage(Params, MLWritable, MLReadable):
    """A stage of a Pipeline: an Estimator or a Transformer."""

    def transformSchema(self, schema):
        """The output schema for `schema` (a StructType); raises as fit/transform would when
        a column is missing or of the wrong type."""
        from thunderdome.sql.dataframe import _sql_type
        from thunderdome.sql.types import StructField, StructType
        fields = [(f.name, f.dataType.simpleString()) for f in schema.fields]
        return StructType([StructField(n, _sql_type(t), True)
                           for n, t in self._cpp.transform_schema(fields)])


class Estimator(PipelineStage):
    """Fits a Model to a DataFrame."""

    def fit(self, dataset, params=None):
        if isinstance(params, (list, tuple)):
            return [self.fit(dataset, p) for p in params]
        model = _wrap(self._cpp.fit(_frame_of(dataset), _param_map_entries(params)))
        from thunderdome.ml._mixins import _attach_training
        _attach_training(model, self.copy(params) if params else self, lambda: dataset)
        return model

    def fitMultiple(self, dataset, paramMaps):
        for index, pm in enumerate(paramMaps):
            yield index, self.fit(dataset, pm)


class Transformer(PipelineStage):
    """Maps a DataFrame to a DataFrame with more columns."""

    def transform(self, dataset, params=None):
        from thunderdome.sql.dataframe import DataFrame
        frame = self._cpp.transform(_frame_of(dataset), _param_map_entries(params))
        return DataFrame(frame, dataset.sparkSession)


class Model(Transformer):
    """A fitted Transformer. What it learned (coefficients, intercept, labels, ...) reads as
    attributes, from the values its class saves."""

    def _state(self):
        st = self.__dict__.get("_td_state")
        if st is None:
            st = self._cpp.state()
            self.__dict__["_td_state"] = st
        return st

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        st = self._state()
        if name in _STATE_ALIASES and _STATE_ALIASES[name][0] in st:
            key, conv = _STATE_ALIASES[name]
            return conv(st[key], st, self)
        if name in st:
            return _state_value(name, st[name], st)
        raise AttributeError("'%s' object has no attribute '%s' (it holds: %s)"
                             % (type(self).__name__, name, ", ".join(sorted(st)) or "nothing"))


def _state_value(name, v, st):
    """A saved value as PySpark's model attribute of that name has it."""
    from thunderdome.ml.linalg import DenseMatrix, DenseVector
    if name in ("theta", "sigma") and "numClasses" in st and hasattr(v, "reshape"):
        rows = int(st["numClasses"])
        return DenseMatrix(rows, len(v) // rows, v, isTransposed=True)  # class-major
    if name == "pc" and "numFeatures" in st:
        d = int(st["numFeatures"])
        return DenseMatrix(d, len(v) // d, v)  # column-major d x k
    if name in ("docFreq", "categorySizes"):
        return [int(x) for x in v]
    if name == "isMultinomial":
        return bool(v)
    if hasattr(v, "dtype") and getattr(v, "ndim", 0) == 1:
        return DenseVector(v)
    return v


# PySpark's names for values a model saves under another form: name -> (key, conversion).
_STATE_ALIASES = {
    "labels": ("labelsArray", lambda v, st, m: list(v[0])),
    "vocabulary": ("vocabulary",
                   lambda v, st, m: list(v[0]) if v and isinstance(v[0], list) else v),
    # LogisticRegressionModel: the K x d (1 x d binomial) row-major coefficients
    "coefficientMatrix": ("coefficients", lambda v, st, m: _coefficient_matrix(v, st)),
    # ImputerModel: one row, a column per input column, of the surrogates
    "surrogateDF": ("surrogates", lambda v, st, m: _surrogate_df(v, m)),
}


def _surrogate_df(values, model):
    from thunderdome.sql.session import SparkSession
    cols = model.getOrDefault("inputCols") if model.isDefined("inputCols") else \
        [model.getOrDefault("inputCol")]
    spark = SparkSession.builder.getOrCreate()
    return spark.createDataFrame([tuple(float(x) for x in values)], list(cols))


def _coefficient_matrix(v, st):
    from thunderdome.ml.linalg import DenseMatrix
    rows = int(st["numClasses"]) if st.get("isMultinomial") else 1
    return DenseMatrix(rows, len(v) // rows, v, isTransposed=True)


class Evaluator(Params, MLWritable, MLReadable):
    """Scores a DataFrame of predictions with one metric."""

    def evaluate(self, dataset, params=None):
        return self._cpp.evaluate(_frame_of(dataset), _param_map_entries(params))

    def isLargerBetter(self):
        return self._cpp.is_larger_better()


# ---- class generation ----

def _cap(name):
    return name[0].upper() + name[1:]


def _make_setter(name):
    def setter(self, value):
        self._set_one(name, value)
        return self
    setter.__name__ = "set" + _cap(name)
    return setter


def _make_getter(name):
    def getter(self):
        return self.getOrDefault(name)
    getter.__name__ = "get" + _cap(name)
    return getter


def _init(self, *args, **kwargs):
    if args:
        raise TypeError("Method %s forces keyword arguments." % "__init__")
    self._bind(_thunderdome.Stage.create(self._td_name))
    _check_keywords(self, "__init__", kwargs)
    self.setParams(**kwargs)


def _check_keywords(self, method, kwargs):
    names = {s["name"] for s in self._td_params}
    names.update(getattr(self, "_td_extra_params", ()))
    for k in kwargs:
        if k not in names:
            raise TypeError("%s.%s() got an unexpected keyword argument '%s' (its params: %s)"
                            % (type(self).__name__, method, k, ", ".join(sorted(names))))


def _set_params(self, *args, **kwargs):
    if args:
        raise TypeError("Method setParams forces keyword arguments.")
    _check_keywords(self, "setParams", kwargs)
    for k, v in kwargs.items():
        if k in self._td_extra_params:
            getattr(self, "set" + _cap(k))(v)
        else:
            self._set_one(k, v)
    return self


def _with_signature(fn, name, params, extra):
    """fn as `name` of one class, with a keyword-only signature listing its params and their
    defaults (what help() and editors show)."""
    import functools
    import inspect

    @functools.wraps(fn)
    def method(self, *args, **kwargs):
        return fn(self, *args, **kwargs)
    kw = [inspect.Parameter(p["name"], inspect.Parameter.KEYWORD_ONLY,
                            default=p["default"] if p["hasDefault"] else None)
          for p in params if p["name"].isidentifier()]
    kw += [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=None) for n in extra]
    method.__signature__ = inspect.Signature(
        [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)] + kw)
    method.__name__ = name
    return method


_BASES = {"Transformer": Transformer, "Estimator": Estimator, "Model": Model,
          "Evaluator": Evaluator}


def _module_of(spark_class):
    """thunderdome's module for a Spark class: org.apache.spark.ml.feature.X -> 'feature',
    org.apache.spark.ml.Pipeline -> '', sparkflow.* -> 'sparkflow'."""
    if spark_class.startswith("org.apache.spark.ml."):
        parts = spark_class[len("org.apache.spark.ml."):].split(".")
        return ".".join(parts[:-1])
    return spark_class.split(".")[0]


def _python_module(spark_class):
    m = _module_of(spark_class)
    if spark_class.startswith("org.apache.spark.ml."):
        return "thunderdome.ml." + m if m else "thunderdome.ml"
    return "thunderdome." + m


_MIXINS = {}  # registry name -> extra base classes (Pipeline, tuning models)


def register_mixin(name, mixin):
    _MIXINS.setdefault(name, []).append(mixin)


def _generate():
    """One Python class per registered class, grouped by module."""
    by_module = {}
    for info in _thunderdome.stages():
        spark_name = info["sparkClass"].split(".")[-1]
        params = tuple(info["params"])
        extra = [p for m in _MIXINS.get(info["name"], ()) for p in getattr(m, "_td_extra_params", ())]
        ns = {
            "__doc__": "%s (%s)\n\n%s" % (info["summary"], info["sparkClass"],
                                          "\n".join("%s: %s" % (p["name"], p["doc"]) for p in params)),
            "_td_name": info["name"],
            "_td_params": params,
            "__init__": _with_signature(_init, "__init__", params, extra),
            "setParams": _with_signature(_set_params, "setParams", params, extra),
            "__module__": _python_module(info["sparkClass"]),
        }
        for p in params:
            ns[p["name"]] = Param("undefined", p["name"], p["doc"])
            cap = _cap(p["name"])
            ns["set" + cap] = _make_setter(p["name"])
            ns["get" + cap] = _make_getter(p["name"])
        bases = tuple(_MIXINS.get(info["name"], ())) + (_BASES[info["kind"]],)
        cls = type(spark_name, bases, ns)
        _CLASSES[info["name"]] = cls
        by_module.setdefault(_module_of(info["sparkClass"]), {})[spark_name] = cls
        if info["name"] != spark_name:
            by_module[_module_of(info["sparkClass"])][info["name"]] = cls
    return by_module


def export(namespace, module):
    """Puts the generated classes of `module` into `namespace` (a module's globals())."""
    from thunderdome.ml import _classes_by_module
    classes = _classes_by_module().get(module, {})
    namespace.update(classes)
    namespace.setdefault("__all__", [])
    namespace["__all__"] += sorted(classes)
