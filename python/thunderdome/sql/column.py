"""Column expressions for select, withColumn and filter: column references, literals,
arithmetic, comparisons, cast and alias, evaluated on a frame's columns with numpy."""
import operator

from thunderdome._lazy import numpy as np

__all__ = ["Column"]


class Column:
    """An expression over a DataFrame's columns (a small subset of PySpark's Column)."""

    def __init__(self, name, fn=None, ref=None):
        self._name = name
        self._fn = fn  # fn(df) -> (kind, data, mask) ; None: a plain reference to `ref`
        self._ref = ref

    @staticmethod
    def ref(name):
        return Column(name, ref=name)

    @staticmethod
    def lit(value):
        def fn(df):
            n = df.count()
            if isinstance(value, bool):
                return "boolean", np.full(n, value), None
            if isinstance(value, int):
                return "bigint", np.full(n, value, dtype=np.int64), None
            if isinstance(value, float):
                return "double", np.full(n, value, dtype=np.float64), None
            if isinstance(value, str):
                return "string", [value] * n, None
            raise TypeError("lit() supports bool, int, float and str, not %s" % type(value))
        return Column(str(value), fn)

    def _eval(self, df):
        if self._ref is not None:
            return df._column_data(self._ref)
        return self._fn(df)

    def _numeric(self, df):
        kind, data, mask = self._eval(df)
        if kind not in ("bigint", "double", "boolean"):
            raise TypeError("column '%s' is %s, not numeric" % (self._name, kind))
        return np.asarray(data), mask

    def alias(self, name):
        inner = self
        return Column(name, lambda df: inner._eval(df))

    name = alias

    def cast(self, dataType):
        from thunderdome.sql.types import DataType, _type_from_name
        t = dataType if isinstance(dataType, DataType) else _type_from_name(dataType)
        target = t.simpleString()
        inner = self

        def fn(df):
            kind, data, mask = inner._eval(df)
            if kind == target:
                return kind, data, mask
            if target == "double" and kind in ("bigint", "boolean"):
                return "double", np.asarray(data, dtype=np.float64), mask
            if target == "bigint" and kind in ("double", "boolean"):
                return "bigint", np.asarray(data).astype(np.int64), mask
            if target == "string" and kind in ("bigint", "double", "boolean"):
                return "string", [str(v) for v in np.asarray(data).tolist()], mask
            if target in ("double", "bigint") and kind == "string":
                conv = float if target == "double" else int
                return target, np.array([conv(v) for v in data]), mask
            raise TypeError("cannot cast column '%s' from %s to %s" % (inner._name, kind, target))
        return Column(self._name, fn)

    def _binary(self, other, op, symbol, result=None):
        left = self

        def fn(df):
            a, ma = left._numeric(df)
            if isinstance(other, Column):
                b, mb = other._numeric(df)
            else:
                b, mb = other, None
            out = op(a, b)
            mask = ma if mb is None else (mb if ma is None else (np.asarray(ma) | np.asarray(mb)))
            if result is not None:
                kind = result
            elif out.dtype == np.bool_:
                kind = "boolean"
            elif np.issubdtype(out.dtype, np.integer):
                kind = "bigint"
            else:
                kind = "double"
            return kind, out, mask
        other_name = other._name if isinstance(other, Column) else repr(other)
        return Column("(%s %s %s)" % (self._name, symbol, other_name), fn)

    __add__ = lambda s, o: s._binary(o, operator.add, "+")
    __sub__ = lambda s, o: s._binary(o, operator.sub, "-")
    __mul__ = lambda s, o: s._binary(o, operator.mul, "*")
    __truediv__ = lambda s, o: s._binary(o, lambda a, b: np.true_divide(a, b), "/", "double")
    __radd__ = __add__
    __rmul__ = __mul__
    __rsub__ = lambda s, o: s._binary(o, lambda a, b: b - a, "-")
    __lt__ = lambda s, o: s._binary(o, operator.lt, "<")
    __le__ = lambda s, o: s._binary(o, operator.le, "<=")
    __gt__ = lambda s, o: s._binary(o, operator.gt, ">")
    __ge__ = lambda s, o: s._binary(o, operator.ge, ">=")
    __and__ = lambda s, o: s._binary(o, np.logical_and, "AND")
    __or__ = lambda s, o: s._binary(o, np.logical_or, "OR")

    def __eq__(self, other):
        if isinstance(other, str):
            left = self

            def fn(df):
                kind, data, mask = left._eval(df)
                return "boolean", np.array([v == other for v in data], dtype=bool), mask
            return Column("(%s = %s)" % (self._name, other), fn)
        return self._binary(other, operator.eq, "=")

    def __ne__(self, other):
        return self._binary(other, operator.ne, "!=")

    def __invert__(self):
        inner = self
        return Column("(NOT %s)" % self._name,
                      lambda df: ("boolean",) + (np.logical_not(inner._numeric(df)[0]), inner._eval(df)[2]))

    __hash__ = object.__hash__

    def __repr__(self):
        return "Column<'%s'>" % self._name
