"""Saving and loading stages (pyspark.ml.util's MLWriter/MLReader): the same model
directories the CLI writes and reads, local or swift://."""
from thunderdome import _thunderdome

__all__ = ["MLWriter", "MLReader", "MLWritable", "MLReadable"]


class MLWriter:
    """stage.write(): .overwrite() then .save(path)."""

    def __init__(self, instance):
        self._instance = instance
        self._overwrite = False

    def overwrite(self):
        self._overwrite = True
        return self

    def option(self, key, value):
        return self

    def session(self, sparkSession):
        return self

    def save(self, path):
        self._instance._cpp.save(str(path), self._overwrite)


class MLReader:
    """Cls.read(): .load(path)."""

    def __init__(self, cls):
        self._cls = cls

    def session(self, sparkSession):
        return self

    def load(self, path):
        from thunderdome.ml.param import _wrap
        obj = _wrap(_thunderdome.load(str(path)))
        cls = self._cls
        if getattr(cls, "_td_name", None) and not isinstance(obj, cls):
            from thunderdome.errors import IllegalArgumentException
            raise IllegalArgumentException("%s holds a %s, not a %s"
                                           % (path, type(obj).__name__, cls.__name__))
        return obj


class MLWritable:
    """Adds write() and save(path)."""

    def write(self):
        return MLWriter(self)

    def save(self, path):
        self.write().save(path)


class MLReadable:
    """Adds the class methods read() and load(path)."""

    @classmethod
    def read(cls):
        return MLReader(cls)

    @classmethod
    def load(cls, path):
        return cls.read().load(path)
