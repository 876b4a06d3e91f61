"""DataFrame: PySpark's DataFrame API over thunderdome's columnar C++ Frame."""
import random as _random

from thunderdome._lazy import numpy as np

from thunderdome.errors import AnalysisException
from thunderdome.sql.column import Column
from thunderdome.sql.types import (ArrayType, BooleanType, DoubleType, LongType, Row, StringType,
                                   StructField, StructType)

__all__ = ["DataFrame"]


def _sql_type(kind):
    from thunderdome.ml.linalg import VectorUDT
    return {"bigint": LongType(), "double": DoubleType(), "string": StringType(),
            "boolean": BooleanType(), "array<string>": ArrayType(StringType()),
            "vector": VectorUDT()}[kind]


def _vectors_of(data):
    """Python vectors of a vector column as _thunderdome returns it."""
    from thunderdome.ml.linalg import DenseVector, SparseVector
    if data[0] == "dense":
        arr = data[1]
        return [DenseVector(row) for row in arr]
    _, dim, off, idx, val = data
    out = []
    new = SparseVector.__new__
    for i in range(len(off) - 1):
        v = new(SparseVector)
        v.size = dim
        v.indices = idx[off[i]:off[i + 1]]
        v.values = val[off[i]:off[i + 1]]
        out.append(v)
    return out


def _rank(values):
    """Dense ranks of sortable values (for descending stable sorts of any key type)."""
    uniq = sorted(set(values.tolist()))
    pos = {v: i for i, v in enumerate(uniq)}
    return np.array([pos[v] for v in values.tolist()])


def _python_values(kind, data, mask):
    """A column's values as Python objects (what collect puts in Rows); nulls are None."""
    if kind in ("bigint", "double", "boolean"):
        values = np.asarray(data).tolist()
    elif kind == "vector":
        values = _vectors_of(data)
    else:
        values = list(data)
    if mask is not None:
        for i in np.flatnonzero(mask):
            values[i] = None
    return values


class _NaFunctions:
    """df.na: drop and fill (DataFrameNaFunctions)."""

    def __init__(self, df):
        self._df = df

    def drop(self, how="any", thresh=None, subset=None):
        return self._df.dropna(how, thresh, subset)

    def fill(self, value, subset=None):
        return self._df.fillna(value, subset)


class DataFrame:
    """A table of named, typed columns (PySpark's DataFrame), immutable: every operation
    returns a new DataFrame sharing the unchanged columns."""

    def __init__(self, frame, session=None):
        self._jdf = frame
        self.sparkSession = session

    # ---- schema ----
    @property
    def columns(self):
        return self._jdf.column_names()

    @property
    def dtypes(self):
        return list(zip(self._jdf.column_names(), self._jdf.column_types()))

    @property
    def schema(self):
        return StructType([StructField(n, _sql_type(t), True) for n, t in self.dtypes])

    def printSchema(self):
        print(self._tree_string(), end="")

    def _tree_string(self):
        lines = ["root"]
        for name, kind in self.dtypes:
            if kind == "array<string>":
                lines.append(" |-- %s: array (nullable = true)" % name)
                lines.append(" |    |-- element: string (containsNull = true)")
            else:
                lines.append(" |-- %s: %s (nullable = true)" % (name, "long" if kind == "bigint" else kind))
        return "\n".join(lines) + "\n"

    def _require(self, name):
        if name not in self._jdf.column_names():
            raise AnalysisException("Column '%s' does not exist. Available: %s"
                                    % (name, ", ".join(self.columns)))

    def _column_data(self, name):
        self._require(name)
        kind = dict(self.dtypes)[name]
        return kind, self._jdf.column(name), self._jdf.null_mask(name)

    # ---- rows ----
    def count(self):
        return self._jdf.num_rows()

    def __len__(self):
        return self._jdf.num_rows()

    def collect(self):
        names = self.columns
        cols = [_python_values(*self._column_data(n)) for n in names]
        make = Row._make
        return [make(names, vals) for vals in zip(*cols)] if cols else []

    def toLocalIterator(self):
        return iter(self.collect())

    def take(self, num):
        return self.limit(num).collect()

    def head(self, n=None):
        if n is None:
            rows = self.take(1)
            return rows[0] if rows else None
        return self.take(n)

    def first(self):
        return self.head()

    def limit(self, num):
        n = min(int(num), self.count())
        return DataFrame(self._jdf.take(np.arange(n, dtype=np.int64)), self.sparkSession)

    def show(self, n=20, truncate=True, vertical=False):
        print(self._jdf.show(n, bool(truncate)), end="")

    def __repr__(self):
        return "DataFrame[%s]" % ", ".join("%s: %s" % d for d in self.dtypes)

    # ---- columns ----
    def __getitem__(self, item):
        if isinstance(item, str):
            self._require(item)
            return Column.ref(item)
        if isinstance(item, Column):
            return self.filter(item)
        if isinstance(item, (list, tuple)):
            return self.select(*item)
        if isinstance(item, int):
            return Column.ref(self.columns[item])
        raise TypeError("unexpected item type: %s" % type(item))

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self.columns:
            raise AttributeError("'DataFrame' object has no attribute '%s'" % name)
        return Column.ref(name)

    def _with_expr(self, frame, name, col):
        if col._ref is not None:
            self._require(col._ref)
            return frame.with_column_of(name, self._jdf, col._ref)
        kind, data, mask = col._eval(self)
        if kind == "vector":
            raise TypeError("computed vector columns are not supported; use VectorAssembler")
        if mask is not None:
            mask = np.asarray(mask, dtype=np.uint8)
        return frame.with_column(name, kind, data, mask)

    def select(self, *cols):
        if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
            cols = cols[0]
        if any(c == "*" for c in cols if isinstance(c, str)):
            expanded = []
            for c in cols:
                expanded.extend(self.columns if c == "*" else [c])
            cols = expanded
        if all(isinstance(c, str) for c in cols):
            for c in cols:
                self._require(c)
            return DataFrame(self._jdf.select(list(cols)), self.sparkSession)
        # Build the result column by column on top of this frame, then keep the new names.
        tmp = self._jdf
        keep = []
        for c in cols:
            col = Column.ref(c) if isinstance(c, str) else c
            if col._ref is not None and col._name == col._ref:
                self._require(col._ref)
                keep.append(col._ref)
                continue
            tmp = self._with_expr(tmp, col._name, col)
            keep.append(col._name)
        return DataFrame(tmp.select(keep), self.sparkSession)

    def withColumn(self, colName, col):
        if not isinstance(col, Column):
            raise TypeError("col should be Column")
        return DataFrame(self._with_expr(self._jdf, colName, col), self.sparkSession)

    def withColumnRenamed(self, existing, new):
        if existing not in self.columns:
            return self
        frame = self._jdf.with_column_of(new, self._jdf, existing)
        order = [new if c == existing else c for c in self.columns]
        if new != existing:
            frame = frame.drop(existing)
        return DataFrame(frame.select(order), self.sparkSession)

    def drop(self, *cols):
        frame = self._jdf
        for c in cols:
            frame = frame.drop(c._name if isinstance(c, Column) else c)
        return DataFrame(frame, self.sparkSession)

    def filter(self, condition):
        if isinstance(condition, str):
            raise TypeError("SQL string conditions are not supported; use a Column expression")
        kind, data, mask = condition._eval(self)
        keep = np.asarray(data, dtype=bool)
        if mask is not None:
            keep = keep & ~np.asarray(mask, dtype=bool)
        return DataFrame(self._jdf.take(np.flatnonzero(keep).astype(np.int64)), self.sparkSession)

    where = filter

    # ---- ordering and grouping ----
    def orderBy(self, *cols, ascending=True):
        """Rows sorted by columns (stable; a list of booleans for `ascending` per column)."""
        if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
            cols = cols[0]
        names = [c if isinstance(c, str) else c._name for c in cols]
        asc = ascending if isinstance(ascending, (list, tuple)) else [ascending] * len(names)
        order = np.arange(self.count())
        for name, up in reversed(list(zip(names, asc))):
            kind, data, mask = self._column_data(name)
            if kind in ("vector", "array<string>"):
                raise TypeError("cannot sort by %s column '%s'" % (kind, name))
            keys = np.asarray(data) if kind != "string" else np.array(data, dtype=object)
            sub = keys[order]
            idx = (np.argsort(sub, kind="stable") if up
                   else np.argsort(-_rank(sub), kind="stable"))
            order = order[idx]
        return DataFrame(self._jdf.take(order.astype(np.int64)), self.sparkSession)

    sort = orderBy

    def groupBy(self, *cols):
        """Groups for count(), avg/mean/sum/min/max(cols) and agg (GroupedData)."""
        from thunderdome.sql.group import GroupedData
        if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
            cols = cols[0]
        return GroupedData(self, [c if isinstance(c, str) else c._name for c in cols])

    groupby = groupBy

    def distinct(self):
        return self.groupBy(*self.columns).count().drop("count")

    # ---- missing values ----
    @property
    def na(self):
        """df.na.drop(...) / df.na.fill(...), as dropna and fillna."""
        return _NaFunctions(self)

    def _missing(self, name):
        """Per row: True where column `name` is null (or NaN in a double column)."""
        kind, data, mask = self._column_data(name)
        miss = np.zeros(self.count(), dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
        if kind == "double":
            miss = miss | np.isnan(np.asarray(data))
        return miss

    def dropna(self, how="any", thresh=None, subset=None):
        """Rows without nulls (and NaN) in `subset` (all columns): how="any" drops a row with
        one, "all" only a row of nothing else; `thresh` keeps rows with that many values."""
        if how not in ("any", "all"):
            raise ValueError("how ('%s') should be 'any' or 'all'" % how)
        cols = [subset] if isinstance(subset, str) else list(subset or self.columns)
        if not cols:
            return self
        present = sum((~self._missing(c)).astype(np.int64) for c in cols)
        if thresh is None:
            thresh = len(cols) if how == "any" else 1
        keep = np.flatnonzero(present >= thresh).astype(np.int64)
        return DataFrame(self._jdf.take(keep), self.sparkSession)

    def fillna(self, value, subset=None):
        """Nulls (and NaN in double columns) replaced: a number fills numeric columns, a string
        fills string columns, a bool boolean columns; a dict maps columns to values."""
        if isinstance(value, dict):
            items = list(value.items())
        else:
            cols = [subset] if isinstance(subset, str) else list(subset or self.columns)
            items = [(c, value) for c in cols]
        out = self
        for name, v in items:
            kind, data, mask = out._column_data(name)
            miss = out._missing(name)
            if not miss.any():
                continue
            if kind in ("bigint", "double") and isinstance(v, (int, float)) and not isinstance(v, bool):
                arr = np.array(data, dtype=np.float64 if kind == "double" else np.int64)
                arr[miss] = v
                out = DataFrame(out._jdf.with_column(name, kind, arr, None), out.sparkSession)
            elif kind == "string" and isinstance(v, str):
                vals = [v if m else x for x, m in zip(data, miss)]
                out = DataFrame(out._jdf.with_column(name, kind, vals, None), out.sparkSession)
            elif kind == "boolean" and isinstance(v, bool):
                arr = np.array(data, dtype=np.uint8)
                arr[miss] = v
                out = DataFrame(out._jdf.with_column(name, kind, arr, None), out.sparkSession)
        return out

    def describe(self, *cols):
        """count, mean, stddev, min and max of numeric and string columns, as strings (Spark)."""
        if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
            cols = cols[0]
        types = dict(self.dtypes)
        cols = [c for c in (cols or self.columns) if types.get(c) in ("bigint", "double", "string")]
        rows = {"count": [], "mean": [], "stddev": [], "min": [], "max": []}
        for c in cols:
            kind, data, mask = self._column_data(c)
            keep = np.ones(self.count(), dtype=bool) if mask is None else ~np.asarray(mask, dtype=bool)
            if kind == "string":
                vals = [x for x, k in zip(data, keep) if k]
                rows["count"].append(str(len(vals)))
                rows["mean"].append(None)
                rows["stddev"].append(None)
                rows["min"].append(min(vals) if vals else None)
                rows["max"].append(max(vals) if vals else None)
                continue
            x = np.asarray(data)[keep]
            rows["count"].append(str(len(x)))
            xf = x.astype(np.float64)
            rows["mean"].append(str(float(xf.mean())) if len(x) else None)
            rows["stddev"].append(str(float(xf.std(ddof=1))) if len(x) > 1 else
                                  (None if len(x) == 0 else "NaN"))
            if kind == "bigint":
                rows["min"].append(str(int(x.min())) if len(x) else None)
                rows["max"].append(str(int(x.max())) if len(x) else None)
            else:
                rows["min"].append(str(float(x.min())) if len(x) else None)
                rows["max"].append(str(float(x.max())) if len(x) else None)
        data = [tuple([k] + v) for k, v in rows.items()]
        from thunderdome.sql.session import _column_spec
        specs = [_column_spec("summary", "string", [r[0] for r in data])]
        for i, c in enumerate(cols):
            specs.append(_column_spec(c, "string", [r[i + 1] for r in data]))
        from thunderdome import _thunderdome
        return DataFrame(_thunderdome.Frame.from_columns(specs), self.sparkSession)

    @property
    def write(self):
        """df.write: a DataFrameWriter (csv, json, libsvm; Spark's part-file directories)."""
        from thunderdome.sql.writer import DataFrameWriter
        return DataFrameWriter(self)

    # ---- splitting and caching ----
    def randomSplit(self, weights, seed=None):
        for w in weights:
            if w < 0.0:
                raise ValueError("Weights must be positive. Found weight value: %s" % w)
        if seed is None:
            seed = _random.randint(0, 2 ** 63 - 1)
        return [DataFrame(f, self.sparkSession)
                for f in self._jdf.random_split([float(w) for w in weights], int(seed))]

    def cache(self):
        return self

    def persist(self, storageLevel=None):
        return self

    def unpersist(self, blocking=False):
        return self

    def repartition(self, *args, **kwargs):
        return self

    def coalesce(self, numPartitions):
        return self

    # ---- numpy / pandas ----
    def toNumpy(self, colName):
        """Column `colName` as a numpy array without copying where the layout allows: a
        bigint or double column as a read-only 1-D view of its storage, a dense vector column
        as a read-only 2-D view (rows x dim); a sparse vector column as a dense 2-D copy.
        (thunderdome's addition; PySpark has no such call.)"""
        kind, data, mask = self._column_data(colName)
        if kind in ("bigint", "double", "boolean"):
            return data
        if kind == "vector":
            if data[0] == "dense":
                return data[1]
            _, dim, off, idx, val = data
            out = np.zeros((len(off) - 1, dim))
            rows = np.repeat(np.arange(len(off) - 1), np.diff(off))
            out[rows, idx] = val
            return out
        return np.array(data, dtype=object)

    def toPandas(self, copy=True):
        """A pandas DataFrame of this frame. Numeric columns without nulls are copied once into
        the 2-D block pandas would build (in parallel, in C++). With copy=False (thunderdome's
        addition) they are not copied at all: the pandas columns are read-only numpy views of
        this frame's storage (writing into them raises ValueError)."""
        import pandas as pd
        names = self.columns
        types = dict(self.dtypes)
        data = {}
        if not copy:
            for n in names:
                kind, col, mask = self._column_data(n)
                if kind in ("bigint", "double") and mask is None:
                    data[n] = col
                else:
                    data[n] = self.select(n).toPandas()[n].to_numpy()
            return pd.DataFrame(data, columns=names, copy=False)
        kinds = {types[n] for n in names}
        if len(kinds) == 1 and kinds <= {"double", "bigint"} and \
                all(self._jdf.null_mask(n) is None for n in names):
            # One numeric type: the one 2-D block pandas would consolidate the columns into,
            # filled in parallel in C++, then handed to pandas without a copy.
            block = (self._jdf.double_block(names) if kinds == {"double"}
                     else self._jdf.int64_block(names))
            return pd.DataFrame(block.T, columns=names, copy=False)
        for n in names:
            kind, col, mask = self._column_data(n)
            if kind in ("bigint", "double", "boolean"):
                arr = np.asarray(col)
                if mask is not None:
                    arr = arr.astype(np.float64 if kind != "boolean" else object)
                    arr[np.asarray(mask)] = np.nan if kind != "boolean" else None
                data[n] = arr
            else:
                data[n] = pd.Series(_python_values(kind, col, mask), dtype=object)
        return pd.DataFrame(data, columns=names)
