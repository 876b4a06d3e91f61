"""The SQL types a thunderdome DataFrame's schema is made of (a subset of pyspark.sql.types),
and Row."""

__all__ = ["DataType", "LongType", "IntegerType", "DoubleType", "FloatType", "StringType",
           "BooleanType", "ArrayType", "StructField", "StructType", "Row"]


class DataType:
    """Base class of the column types."""

    def simpleString(self):
        return self.typeName()

    def __repr__(self):
        return type(self).__name__ + "()"

    def __eq__(self, other):
        return type(self) is type(other)

    def __hash__(self):
        return hash(type(self).__name__)


class LongType(DataType):
    """64-bit integers (thunderdome's bigint)."""

    def typeName(self):
        return "long"

    def simpleString(self):
        return "bigint"


class IntegerType(LongType):
    """Integers; stored as 64-bit (LongType)."""


class DoubleType(DataType):
    """Double-precision floats."""

    def typeName(self):
        return "double"


class FloatType(DoubleType):
    """Floats; stored as doubles."""


class StringType(DataType):
    """UTF-8 strings."""

    def typeName(self):
        return "string"


class BooleanType(DataType):
    """Booleans."""

    def typeName(self):
        return "boolean"


class ArrayType(DataType):
    """Arrays of one element type (thunderdome stores arrays of strings)."""

    def __init__(self, elementType, containsNull=True):
        self.elementType = elementType
        self.containsNull = containsNull

    def typeName(self):
        return "array"

    def simpleString(self):
        return "array<%s>" % self.elementType.simpleString()

    def __repr__(self):
        return "ArrayType(%s, %s)" % (self.elementType, self.containsNull)

    def __eq__(self, other):
        return isinstance(other, ArrayType) and self.elementType == other.elementType

    def __hash__(self):
        return hash(("array", self.elementType))


class StructField:
    """One named column of a StructType."""

    def __init__(self, name, dataType, nullable=True, metadata=None):
        self.name = name
        self.dataType = dataType
        self.nullable = nullable
        self.metadata = metadata or {}

    def simpleString(self):
        return "%s:%s" % (self.name, self.dataType.simpleString())

    def __repr__(self):
        return "StructField('%s', %s, %s)" % (self.name, self.dataType, self.nullable)

    def __eq__(self, other):
        return (isinstance(other, StructField) and self.name == other.name
                and self.dataType == other.dataType)


class StructType(DataType):
    """A schema: the ordered list of a DataFrame's fields."""

    def __init__(self, fields=None):
        self.fields = list(fields or [])
        self.names = [f.name for f in self.fields]

    def add(self, field, data_type=None, nullable=True):
        if isinstance(field, StructField):
            self.fields.append(field)
        else:
            self.fields.append(StructField(field, data_type, nullable))
        self.names = [f.name for f in self.fields]
        return self

    def fieldNames(self):
        return list(self.names)

    def typeName(self):
        return "struct"

    def simpleString(self):
        return "struct<%s>" % ",".join(f.simpleString() for f in self.fields)

    def __iter__(self):
        return iter(self.fields)

    def __len__(self):
        return len(self.fields)

    def __getitem__(self, key):
        if isinstance(key, str):
            for f in self.fields:
                if f.name == key:
                    return f
            raise KeyError("No StructField named {0}".format(key))
        return self.fields[key]

    def __repr__(self):
        return "StructType([%s])" % ", ".join(str(f) for f in self.fields)

    def __eq__(self, other):
        return isinstance(other, StructType) and self.fields == other.fields


def _type_from_name(name):
    """A DataType from thunderdome's type name or a DDL type name (any case)."""
    from thunderdome.ml.linalg import VectorUDT
    n = name.strip().lower()
    if n in ("bigint", "long", "int", "integer", "smallint", "tinyint"):
        return LongType()
    if n in ("double", "float", "real"):
        return DoubleType()
    if n == "string":
        return StringType()
    if n in ("boolean", "bool"):
        return BooleanType()
    if n in ("array<string>",):
        return ArrayType(StringType())
    if n in ("vector",):
        return VectorUDT()
    raise ValueError("unsupported column type '%s' (supported: bigint/long/int, double/float, "
                     "string, boolean, array<string>, vector)" % name)


class Row(tuple):
    """A row of a DataFrame, as PySpark's Row: a tuple with named fields.

    Row(id=4, text='a') is a row; Row("id", "text") is a row class to call with values."""

    def __new__(cls, *args, **kwargs):
        if args and kwargs:
            raise ValueError("Can not use both args and kwargs to create Row")
        if kwargs:
            row = tuple.__new__(cls, list(kwargs.values()))
            row.__fields__ = list(kwargs.keys())
            return row
        return tuple.__new__(cls, args)

    @classmethod
    def _make(cls, fields, values):
        row = tuple.__new__(cls, values)
        row.__fields__ = fields
        return row

    def asDict(self, recursive=False):
        if not hasattr(self, "__fields__"):
            raise TypeError("Cannot convert a Row class into dict")
        if recursive:
            def conv(obj):
                if isinstance(obj, Row):
                    return obj.asDict(True)
                if isinstance(obj, list):
                    return [conv(o) for o in obj]
                if isinstance(obj, dict):
                    return {k: conv(v) for k, v in obj.items()}
                return obj
            return dict(zip(self.__fields__, (conv(o) for o in self)))
        return dict(zip(self.__fields__, self))

    def __contains__(self, item):
        if hasattr(self, "__fields__"):
            return item in self.__fields__
        return super().__contains__(item)

    def __call__(self, *args):
        if len(args) > len(self):
            raise ValueError("Can not create Row with fields %s, expected %d values but got %s"
                             % (self, len(self), args))
        return Row._make(list(self), args)

    def __getitem__(self, item):
        if isinstance(item, (int, slice)):
            return super().__getitem__(item)
        try:
            idx = self.__fields__.index(item)
            return super().__getitem__(idx)
        except IndexError:
            raise KeyError(item)
        except ValueError:
            raise ValueError(item)

    def __getattr__(self, item):
        if item.startswith("__"):
            raise AttributeError(item)
        try:
            idx = self.__fields__.index(item)
            return self[idx]
        except IndexError:
            raise AttributeError(item)
        except ValueError:
            raise AttributeError(item)

    def __setattr__(self, key, value):
        if key != "__fields__":
            raise RuntimeError("Row is read-only")
        self.__dict__[key] = value

    def __reduce__(self):
        if hasattr(self, "__fields__"):
            return (Row._make, (self.__fields__, tuple(self)))
        return tuple.__reduce__(self)

    def __repr__(self):
        if hasattr(self, "__fields__"):
            return "Row(%s)" % ", ".join("%s=%r" % (k, v) for k, v in zip(self.__fields__, tuple(self)))
        return "<Row(%s)>" % ", ".join("%r" % field for field in self)
