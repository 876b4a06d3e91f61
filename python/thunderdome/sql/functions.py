"""The column functions a script uses around ML (a subset of pyspark.sql.functions)."""
from thunderdome.sql.column import Column

__all__ = ["col", "column", "lit", "udf", "count", "avg", "mean", "sum", "min", "max"]


def col(name):
    """A reference to column `name`."""
    return Column.ref(name)


column = col


def lit(value):
    """A column of one literal value."""
    return Column.lit(value)


def udf(f=None, returnType=None):
    """A Python function applied row by row to columns (PySpark's udf): udf(lambda w: len(w),
    IntegerType()), or as a decorator. The result type is a DataType or its name (default
    string); the values are computed in Python, one call per row."""
    from thunderdome.sql.types import DataType, StringType, _type_from_name
    if f is None or isinstance(f, (str, DataType)):
        rt = f if returnType is None else returnType
        return lambda fn: udf(fn, rt)
    rt = returnType or StringType()
    kind = (rt if isinstance(rt, DataType) else _type_from_name(rt)).simpleString()
    if kind not in ("bigint", "double", "string", "boolean", "array<string>"):
        raise TypeError("udf return type %s is not supported" % kind)

    def make(*cols):
        cols = [Column.ref(c) if isinstance(c, str) else c for c in cols]

        def fn(df):
            from thunderdome.sql.dataframe import _python_values
            args = [_python_values(*c._eval(df)) for c in cols]
            values = [f(*a) for a in zip(*args)] if args else [f() for _ in range(df.count())]
            from thunderdome.sql.session import _column_spec
            _, k, data, mask = _column_spec("udf", kind, values)
            return k, data, mask
        return Column("%s(%s)" % (getattr(f, "__name__", "udf"), ", ".join(c._name for c in cols)), fn)
    make.func = f
    make.returnType = rt
    return make


def _agg(name):
    def agg(col):
        return _Agg(name, col if isinstance(col, str) else col._name)
    agg.__name__ = name
    return agg


class _Agg:
    """An aggregate of one column for GroupedData.agg (count, avg, sum, min, max)."""

    def __init__(self, fn, col):
        self.fn = fn
        self.col = col
        self._name = "%s(%s)" % (fn, col)

    def alias(self, name):
        self._name = name
        return self


count = _agg("count")
avg = _agg("avg")
mean = avg
sum = _agg("sum")  # noqa: A001 (PySpark's name)
min = _agg("min")  # noqa: A001
max = _agg("max")  # noqa: A001
