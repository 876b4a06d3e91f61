"""SparkSession: the entry point of a PySpark script, here a handle on this process (no JVM,
no cluster): createDataFrame and read build frames in memory."""
import operator

from thunderdome._lazy import numpy as np

from thunderdome import _thunderdome
from thunderdome.sql.dataframe import DataFrame
from thunderdome.sql.types import Row, StructType, _type_from_name

__all__ = ["SparkSession", "DataFrameReader", "SparkContext"]


def _infer_kind(v, name):
    from thunderdome.ml.linalg import DenseVector, SparseVector
    if v is None:
        return None
    if isinstance(v, (bool, np.bool_)):
        return "boolean"
    if isinstance(v, (int, np.integer)):
        return "bigint"
    if isinstance(v, (float, np.floating)):
        return "double"
    if isinstance(v, str):
        return "string"
    if isinstance(v, (DenseVector, SparseVector)):
        return "vector"
    if isinstance(v, (list, tuple)) and all(isinstance(x, str) for x in v):
        return "array<string>"
    raise TypeError("field %s: not supported type: %s" % (name, type(v)))


_KIND_TYPE = {"bigint": "LongType", "double": "DoubleType", "string": "StringType",
              "boolean": "BooleanType", "array<string>": "ArrayType", "vector": "VectorUDT"}


_EXACT_KINDS = {bool: "boolean", int: "bigint", float: "double", str: "string"}


def _column_kind(values, name):
    """The inferred kind of a column of Python values (PySpark's merge over every row): the
    distinct value types are looked at once each, lists of strings row by row."""
    kind = None
    for t in set(map(type, values)):
        if t is type(None):
            continue
        k = _EXACT_KINDS.get(t)
        if k is None:
            if t in (list, tuple):
                k = "array<string>"
                for v in values:
                    if type(v) is t and not all(isinstance(x, str) for x in v):
                        raise TypeError("field %s: not supported type: %s" % (name, t))
            else:
                k = _infer_kind(next(v for v in values if type(v) is t), name)
        kind = _merge_kind(kind, k, name)
    return kind


def _merge_kind(a, b, name):
    if a is None:
        return b
    if b is None or a == b:
        return a
    raise TypeError("field %s: Can not merge type <class 'pyspark.sql.types.%s'> and "
                    "<class 'pyspark.sql.types.%s'>" % (name, _KIND_TYPE[a], _KIND_TYPE[b]))


def _mask_of(values):
    if None not in values:  # values are scalars, strings, lists or vectors here (never arrays)
        return None
    return np.fromiter((v is None for v in values), dtype=np.uint8, count=len(values))


def _column_spec(name, kind, values):
    """(name, kind, data, mask) for Frame.from_columns from a list of Python values."""
    from thunderdome.ml.linalg import DenseVector, SparseVector
    mask = _mask_of(values)
    if kind in ("bigint", "double", "boolean"):
        fill = 0 if kind != "double" else float("nan")
        dtype = {"bigint": np.int64, "double": np.float64, "boolean": np.uint8}[kind]
        try:
            arr = np.array(values if mask is None else [fill if v is None else v for v in values],
                           dtype=dtype)
        except (TypeError, ValueError):
            bad = next(v for v in values if v is not None and not isinstance(v, (int, float, np.number)))
            raise TypeError("field %s: %s can not accept object %r in type %s"
                            % (name, _KIND_TYPE[kind] + "()", bad, type(bad)))
        return (name, kind, arr, mask)
    if kind == "string":
        for v in values:
            if v is not None and not isinstance(v, str):
                raise TypeError("field %s: StringType() can not accept object %r in type %s"
                                % (name, v, type(v)))
        return (name, kind, values if mask is None else ["" if v is None else v for v in values],
                mask)
    if kind == "array<string>":
        return (name, kind, [[] if v is None else list(v) for v in values], mask)
    if kind == "vector":
        vecs = [v for v in values if v is not None]
        dims = {len(v) for v in vecs}
        if len(dims) > 1:
            raise ValueError("field %s: vectors of different sizes %s; thunderdome's vector "
                             "columns hold vectors of one size" % (name, sorted(dims)))
        dim = dims.pop() if dims else 0
        if all(isinstance(v, DenseVector) for v in vecs) and mask is None:
            arr = np.array([v.array for v in vecs], dtype=np.float64).reshape(len(vecs), dim)
            return (name, "vector", arr, None)
        offsets = [0]
        indices = []
        vals = []
        for v in values:
            if v is None:
                pass
            elif isinstance(v, SparseVector):
                indices.extend(v.indices.tolist())
                vals.extend(v.values.tolist())
            else:
                a = np.asarray(v.toArray() if hasattr(v, "toArray") else v, dtype=np.float64)
                nz = np.flatnonzero(a)
                indices.extend(nz.tolist())
                vals.extend(a[nz].tolist())
            offsets.append(len(indices))
        return (name, "sparse", (dim, np.array(offsets, dtype=np.int64),
                                 np.array(indices, dtype=np.int32),
                                 np.array(vals, dtype=np.float64)), mask)
    raise TypeError("field %s: unsupported type %s" % (name, kind))


def _parse_schema(schema):
    """(names, kinds or None) from a list of names, a DDL string or a StructType."""
    if schema is None:
        return None, None
    if isinstance(schema, StructType):
        return schema.names, [f.dataType.simpleString() for f in schema.fields]
    if isinstance(schema, str):
        names, kinds = [], []
        for part in _split_ddl(schema):
            bits = part.replace(":", " ").split(None, 1)
            if len(bits) != 2:
                raise ValueError("cannot parse schema field '%s' (expected 'name type')" % part)
            names.append(bits[0])
            kinds.append(_type_from_name(bits[1]).simpleString())
        return names, kinds
    if isinstance(schema, (list, tuple)):
        return list(schema), None
    raise TypeError("schema should be StructType, a DDL string or a list of column names, "
                    "not %s" % type(schema))


def _split_ddl(s):
    parts, depth, cur = [], 0, ""
    for ch in s:
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur.strip())
    return parts


def _coerce(kind, declared):
    if declared is None or kind is None or kind == declared:
        return declared or kind
    if declared == "double" and kind in ("bigint", "boolean"):
        return "double"
    if declared == "bigint" and kind == "boolean":
        return "bigint"
    raise TypeError("%s can not hold values of type %s" % (declared, kind))


def _frame_from_pandas(pdf, names=None):
    cols = []
    names = list(names) if names is not None else [str(c) for c in pdf.columns]
    if len(names) != len(pdf.columns):
        raise ValueError("schema has %d names for %d pandas columns" % (len(names), len(pdf.columns)))
    for name, (_, series) in zip(names, pdf.items()):
        dt = series.dtype
        if dt.kind == "b":
            cols.append((name, "boolean", series.to_numpy(dtype=np.uint8), None))
        elif dt.kind in "iu":
            cols.append((name, "bigint", series.to_numpy(dtype=np.int64), None))
        elif dt.kind == "f":
            cols.append((name, "double", series.to_numpy(dtype=np.float64), None))
        else:
            values = [None if (v is None or (isinstance(v, float) and v != v)) else v
                      for v in series.tolist()]
            kind = _column_kind(values, name)
            if kind is None:
                raise ValueError("Some of types cannot be determined after inferring "
                                 "(column %s holds only nulls)" % name)
            cols.append(_column_spec(name, kind, values))
    return _thunderdome.Frame.from_columns(cols)


class DataFrameReader:
    """spark.read: CSV, LibSVM (and TSV, JSON Lines) files, local paths or swift:// URLs."""

    def __init__(self, session):
        self._session = session
        self._format = ""
        self._options = {}
        self._schema = None

    def format(self, source):
        self._format = source
        return self

    def option(self, key, value):
        self._options[key] = value
        return self

    def options(self, **options):
        self._options.update(options)
        return self

    def schema(self, schema):
        self._schema = schema
        return self

    def load(self, path=None, format=None, schema=None, **options):
        if format is not None:
            self._format = format
        if schema is not None:
            self._schema = schema
        self._options.update(options)
        if path is None:
            raise ValueError("load() needs a path")
        opts = {k: ("true" if v is True else "false" if v is False else str(v))
                for k, v in self._options.items() if v is not None}
        if self._schema is not None:
            names, kinds = _parse_schema(self._schema)
            if kinds is None:
                raise TypeError("a reader schema needs types: a DDL string or a StructType")
            opts["schema"] = ", ".join("%s %s" % nk for nk in zip(names, kinds))
        fmt = self._format
        return DataFrame(_thunderdome.read_frame(str(path), fmt, opts), self._session)

    def json(self, path, schema=None, **options):
        """JSON Lines (one object per line; Spark's default JSON layout)."""
        return self.format("jsonl").load(path, schema=schema, **options)

    def csv(self, path, schema=None, sep=None, header=None, inferSchema=None, **options):
        for k, v in (("sep", sep), ("header", header), ("inferSchema", inferSchema)):
            if v is not None:
                self._options[k] = v
        return self.format("csv").load(path, schema=schema, **options)


class SparkContext:
    """The parts of SparkContext a script touches around ML (log level, parallelism)."""

    def __init__(self, conf):
        self._conf = conf

    def setLogLevel(self, logLevel):
        pass

    @property
    def defaultParallelism(self):
        import os
        return os.cpu_count() or 1

    def stop(self):
        pass


class _Conf:
    """spark.conf: the settings the builder was given (kept, not used)."""

    def __init__(self, values):
        self._values = values

    def get(self, key, default=None):
        return self._values.get(key, default)

    def set(self, key, value):
        self._values[key] = value


class SparkSession:
    """The entry point: SparkSession.builder.appName(...).getOrCreate()."""

    _active = None

    class Builder:
        """Collects the settings of the session getOrCreate returns (kept, not needed)."""

        def __init__(self):
            self._options = {}

        def appName(self, name):
            self._options["spark.app.name"] = name
            return self

        def master(self, master):
            self._options["spark.master"] = master
            return self

        def config(self, key=None, value=None, conf=None, map=None):
            if key is not None:
                self._options[key] = value
            for m in (map, conf):
                if isinstance(m, dict):
                    self._options.update(m)
            return self

        def enableHiveSupport(self):
            return self

        def getOrCreate(self):
            if SparkSession._active is None:
                SparkSession._active = SparkSession(dict(self._options))
            else:
                SparkSession._active.conf._values.update(self._options)
                if "spark.master" in self._options:
                    _thunderdome.set_threads(_threads_of(self._options["spark.master"]))
            return SparkSession._active

    builder = None  # set below (a new Builder per access, as PySpark's classproperty)

    def __init__(self, options=None):
        self.conf = _Conf(options or {})
        _thunderdome.set_threads(_threads_of(self.conf.get("spark.master")))
        self.sparkContext = SparkContext(self.conf)
        self.version = _thunderdome.version()

    @classmethod
    def getActiveSession(cls):
        return cls._active

    def stop(self):
        if SparkSession._active is self:
            SparkSession._active = None
            _thunderdome.set_threads(0)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    @property
    def read(self):
        return DataFrameReader(self)

    def createDataFrame(self, data, schema=None, samplingRatio=None, verifySchema=True):
        """A DataFrame from a list of tuples, Rows or dicts (PySpark's type inference), a pandas
        DataFrame or a 1-D/2-D numpy array; `schema` is a list of column names, a DDL string
        ("id long, text string") or a StructType."""
        if isinstance(data, DataFrame):
            return data
        names, kinds = _parse_schema(schema)
        pd = None
        if type(data).__module__.split(".")[0] in ("pandas", "numpy"):
            import pandas as pd  # only for pandas and numpy input (its import takes ~0.5 s)
        if type(data).__module__.split(".")[0] == "numpy" and isinstance(data, np.ndarray):
            if data.ndim not in (1, 2):
                raise ValueError("NumPy array input should be of 1 or 2 dimensions.")
            if names is None:
                if data.ndim == 1 or data.shape[1] == 1:
                    names = ["value"]
                else:
                    names = ["_%d" % i for i in range(1, data.shape[1] + 1)]
            arr = data.reshape(len(data), -1)
            cols = {n: arr[:, i] for i, n in enumerate(names)}
            data = pd.DataFrame(cols) if pd is not None else None
        if pd is not None and isinstance(data, pd.DataFrame):
            frame = _frame_from_pandas(data, names)
            df = DataFrame(frame, self)
            if kinds is not None:
                df = _cast_to(df, kinds)
            return df
        rows = list(data)
        if not rows:
            if kinds is None:
                raise ValueError("can not infer schema from empty dataset")
            return DataFrame(_thunderdome.Frame.from_columns(
                [_column_spec(n, k, []) for n, k in zip(names, kinds)]), self)
        first = rows[0]
        if isinstance(first, dict):
            if names is None:
                names = list(first.keys())
            rows = [tuple(r.get(n) for n in names) for r in rows]
        elif isinstance(first, Row) and hasattr(first, "__fields__"):
            if names is None:
                names = list(first.__fields__)
        elif not isinstance(first, (tuple, list)):
            rows = [(r,) for r in rows]
            if names is None:
                names = ["value"]
        width = len(rows[0])
        if names is None:
            names = ["_%d" % i for i in range(1, width + 1)]
        if len(names) < width:
            names = list(names) + ["_%d" % i for i in range(len(names) + 1, width + 1)]
        for n in set(map(len, rows)) - {width}:
            raise ValueError("Length of object (%d) does not match with length of fields (%d)"
                             % (n, width))
        # column by column (zip(*rows) over many rows is slow: one iterator per row)
        columns = [list(map(operator.itemgetter(i), rows)) for i in range(width)]
        specs = []
        for i, (name, values) in enumerate(zip(names, columns)):
            kind = _column_kind(values, name)
            if kinds is not None:
                kind = _coerce(kind, kinds[i])
            if kind is None:
                raise ValueError("Some of types cannot be determined after inferring "
                                 "(column %s holds only None)" % name)
            specs.append(_column_spec(name, kind, values))
        return DataFrame(_thunderdome.Frame.from_columns(specs), self)

    def range(self, start, end=None, step=1, numPartitions=None):
        if end is None:
            start, end = 0, start
        return DataFrame(_thunderdome.Frame.from_columns(
            [("id", "bigint", np.arange(start, end, step, dtype=np.int64), None)]), self)


def _cast_to(df, kinds):
    from thunderdome.sql.column import Column
    return df.select(*[Column.ref(n).cast(k).alias(n) if k != t else n
                       for (n, t), k in zip(df.dtypes, kinds)])


def _threads_of(master):
    """The threads fits may use for a master URL: local[N] -> N, local -> 1, local[*] or
    anything else (no cluster here) -> 0, all cores."""
    import re
    if master is None:
        return 0
    if master == "local":
        return 1
    m = re.fullmatch(r"local\[(\d+)(?:,\s*\d+)?\]", master.strip())
    return int(m.group(1)) if m else 0


class _BuilderDescriptor:
    """SparkSession.builder: a new Builder on every access, as PySpark's."""

    def __get__(self, obj, cls):
        return SparkSession.Builder()


SparkSession.builder = _BuilderDescriptor()
