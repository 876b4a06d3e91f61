"""The exceptions thunderdome raises, named as PySpark's where PySpark has one.

Each also derives from the built-in exception a Python user would catch (ValueError, OSError),
and the message is the C++ library's, the same the CLI prints."""

__all__ = ["ThunderdomeError", "IllegalArgumentException", "AnalysisException", "DataError",
           "IOException"]


class ThunderdomeError(Exception):
    """Base class of every error the thunderdome library raises."""


class IllegalArgumentException(ThunderdomeError, ValueError):
    """A bad parameter value or name, or a missing input column (PySpark's
    IllegalArgumentException)."""


class AnalysisException(IllegalArgumentException):
    """A column a DataFrame operation names does not exist (PySpark's AnalysisException)."""


class DataError(ThunderdomeError, ValueError):
    """Bad data: malformed rows, NaN features, invalid labels."""


class IOException(ThunderdomeError, OSError):
    """A file, directory or swift:// object that cannot be read or written."""
