"""GroupedData: df.groupBy(cols).count() / .avg(...) / .agg(...), computed with pandas."""
__all__ = ["GroupedData"]

_PANDAS = {"count": "count", "avg": "mean", "mean": "mean", "sum": "sum", "min": "min",
           "max": "max"}


class GroupedData:
    """The groups of a DataFrame by key columns (PySpark's GroupedData)."""

    def __init__(self, df, keys):
        for k in keys:
            df._require(k)
        self._df = df
        self._keys = keys

    def _frame(self, cols):
        names = list(dict.fromkeys(self._keys + list(cols)))
        return self._df.select(*names).toPandas()

    def _result(self, pdf):
        return self._df.sparkSession.createDataFrame(pdf.reset_index(drop=True))

    def count(self):
        pdf = self._frame([])
        if self._keys:
            out = pdf.groupby(self._keys, sort=False, dropna=False).size().reset_index(name="count")
        else:
            import pandas as pd
            out = pd.DataFrame({"count": [len(pdf)]})
        out["count"] = out["count"].astype("int64")
        return self._result(out)

    def agg(self, *exprs):
        """agg({"col": "avg"}) or agg(F.avg("col"), F.max("col2").alias("m"))."""
        from thunderdome.sql.functions import _Agg
        if len(exprs) == 1 and isinstance(exprs[0], dict):
            exprs = [_Agg(fn, col) for col, fn in exprs[0].items()]
        for e in exprs:
            if not isinstance(e, _Agg) or e.fn not in _PANDAS:
                raise TypeError("agg takes count, avg, mean, sum, min or max of a column, not %r" % (e,))
        pdf = self._frame([e.col for e in exprs])
        import pandas as pd
        if self._keys:
            g = pdf.groupby(self._keys, sort=False, dropna=False)
            out = g.size().reset_index(name="__n")[self._keys]
            for e in exprs:
                out[e._name] = g[e.col].agg(_PANDAS[e.fn]).to_numpy()
        else:
            out = pd.DataFrame({e._name: [getattr(pdf[e.col], _PANDAS[e.fn])()] for e in exprs})
        for e in exprs:
            if e.fn == "count":
                out[e._name] = out[e._name].astype("int64")
        return self._result(out)

    def _simple(self, fn, cols):
        from thunderdome.sql.functions import _Agg
        if not cols:
            cols = [n for n, t in self._df.dtypes if t in ("bigint", "double") and n not in self._keys]
        return self.agg(*[_Agg(fn, c) for c in cols])

    def avg(self, *cols):
        return self._simple("avg", cols)

    mean = avg

    def sum(self, *cols):
        return self._simple("sum", cols)

    def min(self, *cols):
        return self._simple("min", cols)

    def max(self, *cols):
        return self._simple("max", cols)
