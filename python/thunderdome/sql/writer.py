"""DataFrameWriter: df.write.mode(...).option(...).csv(path) / .json(path) /
.format("libsvm").save(path). As Spark, `path` becomes a directory of part files
(part-00000.csv, ...), which spark.read and the CLI read back as one dataset."""
import os
import shutil

from thunderdome import _thunderdome
from thunderdome.errors import AnalysisException

__all__ = ["DataFrameWriter"]

_EXT = {"csv": "csv", "tsv": "tsv", "json": "jsonl", "jsonl": "jsonl", "libsvm": "libsvm"}


class DataFrameWriter:
    """Writes a DataFrame: mode errorifexists (default), overwrite, append or ignore."""

    def __init__(self, df):
        self._df = df
        self._mode = "errorifexists"
        self._format = "csv"
        self._options = {}

    def mode(self, saveMode):
        m = (saveMode or "errorifexists").lower()
        if m == "error":
            m = "errorifexists"
        if m not in ("errorifexists", "overwrite", "append", "ignore"):
            raise ValueError("Unknown save mode: %s. Accepted save modes are 'overwrite', "
                             "'append', 'ignore', 'error', 'errorifexists'." % saveMode)
        self._mode = m
        return self

    def format(self, source):
        if source.lower() not in _EXT:
            raise ValueError("unsupported output format '%s' (csv, tsv, json, libsvm)" % source)
        self._format = source.lower()
        return self

    def option(self, key, value):
        self._options[key] = value
        return self

    def options(self, **options):
        self._options.update(options)
        return self

    def save(self, path, format=None, mode=None, **options):
        if format is not None:
            self.format(format)
        if mode is not None:
            self.mode(mode)
        self._options.update(options)
        path = str(path)
        fmt = "jsonl" if self._format == "json" else self._format
        ext = _EXT[self._format]
        part = 0
        if not path.startswith("swift://"):
            if os.path.exists(path):
                if self._mode == "errorifexists":
                    raise AnalysisException("path %s already exists." % path)
                if self._mode == "ignore":
                    return
                if self._mode == "overwrite":
                    if os.path.isdir(path):
                        shutil.rmtree(path)
                    else:
                        os.remove(path)
                if self._mode == "append":
                    part = len([f for f in os.listdir(path) if f.startswith("part-")])
            os.makedirs(path, exist_ok=True)
        opts = {k: ("true" if v is True else "false" if v is False else str(v))
                for k, v in self._options.items() if v is not None}
        if fmt == "libsvm":
            opts = {}
        _thunderdome.write_frame(self._df._jdf, "%s/part-%05d.%s" % (path.rstrip("/"), part, ext),
                                 fmt, opts)

    def csv(self, path, mode=None, sep=None, header=None, **options):
        for k, v in (("sep", sep), ("header", header)):
            if v is not None:
                self._options[k] = v
        self.save(path, format="csv", mode=mode, **options)

    def json(self, path, mode=None, **options):
        self.save(path, format="json", mode=mode, **options)
