"""Vectors as PySpark's pyspark.ml.linalg has them: DenseVector, SparseVector and Vectors.

They print exactly as PySpark prints them (repr rounds to 4 decimals, str is Spark's text)."""
from thunderdome._lazy import numpy as np

__all__ = ["Vector", "DenseVector", "SparseVector", "Vectors", "VectorUDT", "Matrix",
           "DenseMatrix", "Matrices"]


def _format_float(f, digits=4):
    s = str(round(f, digits))
    if "." in s:
        s = s[: s.index(".") + 1 + digits]
    return s


def _format_float_list(xs):
    return [_format_float(x) for x in xs]


class VectorUDT:
    """The SQL type of a vector column (what df.schema shows for one)."""

    def simpleString(self):
        return "vector"

    def typeName(self):
        return "vector"

    def __repr__(self):
        return "VectorUDT()"

    def __eq__(self, other):
        return isinstance(other, VectorUDT)

    def __hash__(self):
        return hash("VectorUDT")


class Vector:
    """Base class of DenseVector and SparseVector."""

    __UDT__ = VectorUDT()

    def toArray(self):
        raise NotImplementedError


class DenseVector(Vector):
    """A dense vector over a float64 numpy array (shared, not copied, when given one)."""

    def __init__(self, ar):
        if isinstance(ar, bytes):
            ar = np.frombuffer(ar, dtype=np.float64)
        elif not isinstance(ar, np.ndarray):
            ar = np.array(ar, dtype=np.float64)
        if ar.dtype != np.float64:
            ar = ar.astype(np.float64)
        self.array = ar

    def __reduce__(self):
        return DenseVector, (self.array.tobytes(),)

    def numNonzeros(self):
        return int(np.count_nonzero(self.array))

    def norm(self, p):
        return float(np.linalg.norm(self.array, p))

    def dot(self, other):
        if isinstance(other, SparseVector):
            return other.dot(self)
        if isinstance(other, Vector):
            other = other.toArray()
        return float(np.dot(self.array, other))

    def squared_distance(self, other):
        d = self.array - _as_array(other)
        return float(np.dot(d, d))

    def toArray(self):
        return self.array

    @property
    def values(self):
        return self.array

    def __getitem__(self, item):
        return self.array[item]

    def __len__(self):
        return len(self.array)

    def __iter__(self):
        return iter(self.array)

    def __str__(self):
        return "[" + ",".join([str(v) for v in self.array]) + "]"

    def __repr__(self):
        return "DenseVector([%s])" % (", ".join(_format_float(i) for i in self.array))

    def __eq__(self, other):
        if isinstance(other, DenseVector):
            return np.array_equal(self.array, other.array)
        if isinstance(other, SparseVector):
            return len(self) == other.size and np.array_equal(self.array, other.toArray())
        return False

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        size = len(self)
        nnz = [(i, float(v)) for i, v in enumerate(self.array) if v != 0][:128]
        return hash((size, tuple(nnz)))

    def __getattr__(self, item):
        return getattr(self.array, item)

    def _op(self, other, op):
        if isinstance(other, DenseVector):
            other = other.array
        return DenseVector(op(self.array, other))

    def __neg__(self):
        return DenseVector(-self.array)

    __add__ = lambda self, o: self._op(o, np.add)
    __sub__ = lambda self, o: self._op(o, np.subtract)
    __mul__ = lambda self, o: self._op(o, np.multiply)
    __truediv__ = lambda self, o: self._op(o, np.divide)
    __radd__ = __add__
    __rmul__ = __mul__


class SparseVector(Vector):
    """A sparse vector: size, sorted int32 indices and float64 values.

    SparseVector(4, {1: 1.0, 3: 5.5}), SparseVector(4, [(1, 1.0), (3, 5.5)]) or
    SparseVector(4, [1, 3], [1.0, 5.5])."""

    def __init__(self, size, *args):
        self.size = int(size)
        if len(args) == 1:
            pairs = args[0]
            if isinstance(pairs, dict):
                pairs = pairs.items()
            pairs = sorted(pairs)
            self.indices = np.array([p[0] for p in pairs], dtype=np.int32)
            self.values = np.array([p[1] for p in pairs], dtype=np.float64)
        elif len(args) == 2:
            self.indices = np.asarray(args[0], dtype=np.int32)
            self.values = np.asarray(args[1], dtype=np.float64)
            if self.indices.size != self.values.size:
                raise ValueError("Index and value arrays must have the same length: %d and %d"
                                 % (self.indices.size, self.values.size))
            if self.indices.size > 1 and np.any(np.diff(self.indices) <= 0):
                raise TypeError("Indices %s not strictly increasing" % (list(self.indices),))
        else:
            raise TypeError("SparseVector(size, {index: value}) or SparseVector(size, indices, values)")
        if self.indices.size and (self.indices[0] < 0 or self.indices[-1] >= self.size):
            raise ValueError("Index %d out of range for a vector of size %d"
                             % (self.indices[-1] if self.indices[-1] >= self.size else self.indices[0],
                                self.size))

    def __reduce__(self):
        return SparseVector, (self.size, self.indices.tolist(), self.values.tolist())

    def numNonzeros(self):
        return int(np.count_nonzero(self.values))

    def norm(self, p):
        return float(np.linalg.norm(self.values, p))

    def dot(self, other):
        if isinstance(other, SparseVector):
            return float(np.dot(self.toArray(), other.toArray()))
        return float(np.dot(self.values, _as_array(other)[self.indices]))

    def squared_distance(self, other):
        d = self.toArray() - _as_array(other)
        return float(np.dot(d, d))

    def toArray(self):
        a = np.zeros((self.size,), dtype=np.float64)
        a[self.indices] = self.values
        return a

    def toDense(self):
        return DenseVector(self.toArray())

    def __len__(self):
        return self.size

    def __getitem__(self, index):
        if index < 0:
            index += self.size
        if index < 0 or index >= self.size:
            raise IndexError("Index %d out of bounds." % index)
        pos = np.searchsorted(self.indices, index)
        if pos < self.indices.size and self.indices[pos] == index:
            return self.values[pos]
        return np.float64(0.0)

    def __str__(self):
        inds = "[" + ",".join([str(i) for i in self.indices]) + "]"
        vals = "[" + ",".join([str(v) for v in self.values]) + "]"
        return "(" + ",".join((str(self.size), inds, vals)) + ")"

    def __repr__(self):
        inds = self.indices
        vals = self.values
        entries = ", ".join(
            ["{0}: {1}".format(inds[i], _format_float(vals[i])) for i in range(len(inds))])
        return "SparseVector({0}, {{{1}}})".format(self.size, entries)

    def __eq__(self, other):
        if isinstance(other, SparseVector):
            return (other.size == self.size and np.array_equal(other.indices, self.indices)
                    and np.array_equal(other.values, self.values))
        if isinstance(other, DenseVector):
            return self.size == len(other) and np.array_equal(self.toArray(), other.array)
        return False

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        nnz = [(int(i), float(v)) for i, v in zip(self.indices, self.values) if v != 0][:128]
        return hash((self.size, tuple(nnz)))


def _as_array(v):
    if isinstance(v, Vector):
        return v.toArray()
    return np.asarray(v, dtype=np.float64)


class Vectors:
    """Factory methods of vectors, as PySpark's Vectors."""

    @staticmethod
    def dense(*elements):
        if len(elements) == 1 and not isinstance(elements[0], (float, int)):
            elements = elements[0]
        return DenseVector(elements)

    @staticmethod
    def sparse(size, *args):
        return SparseVector(size, *args)

    @staticmethod
    def zeros(size):
        return DenseVector(np.zeros(size))

    @staticmethod
    def norm(vector, p):
        return vector.norm(p)

    @staticmethod
    def squared_distance(v1, v2):
        return _as_array(v1).__sub__(_as_array(v2)).dot(_as_array(v1) - _as_array(v2))


class Matrix:
    """Base class of DenseMatrix."""

    def __init__(self, numRows, numCols, isTransposed=False):
        self.numRows = numRows
        self.numCols = numCols
        self.isTransposed = isTransposed


class DenseMatrix(Matrix):
    """A dense matrix, values column-major (row-major when isTransposed), as PySpark's."""

    def __init__(self, numRows, numCols, values, isTransposed=False):
        Matrix.__init__(self, numRows, numCols, isTransposed)
        self.values = np.asarray(values, dtype=np.float64)
        if self.values.size != numRows * numCols:
            raise ValueError("DenseMatrix of %d x %d needs %d values, got %d"
                             % (numRows, numCols, numRows * numCols, self.values.size))

    def toArray(self):
        if self.isTransposed:
            return self.values.reshape((self.numRows, self.numCols))
        return self.values.reshape((self.numRows, self.numCols), order="F")

    def __getitem__(self, indices):
        i, j = indices
        return self.toArray()[i, j]

    def __eq__(self, other):
        return (isinstance(other, DenseMatrix) and self.numRows == other.numRows
                and self.numCols == other.numCols and np.array_equal(self.toArray(), other.toArray()))

    def __repr__(self):
        # the stored values as they are (as PySpark), at most 16 of them with "..." between
        _values = self.values
        if len(_values) > 16:
            entries = _format_float_list(_values[:8]) + ["..."] + _format_float_list(_values[-8:])
        else:
            entries = _format_float_list(_values)
        entries = ", ".join(entries)
        return "DenseMatrix({0}, {1}, [{2}], {3})".format(self.numRows, self.numCols, entries,
                                                           self.isTransposed)

    def __str__(self):
        return "DenseMatrix(%d, %d, %s)" % (self.numRows, self.numCols, self.toArray().tolist())


class Matrices:
    """Factory methods of matrices, as PySpark's Matrices."""

    @staticmethod
    def dense(numRows, numCols, values):
        return DenseMatrix(numRows, numCols, values)
