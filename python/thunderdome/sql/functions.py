"""The column functions a script uses around ML (a subset of pyspark.sql.functions)."""
from thunderdome.sql.column import Column

__all__ = ["col", "column", "lit"]


def col(name):
    """A reference to column `name`."""
    return Column.ref(name)


column = col


def lit(value):
    """A column of one literal value."""
    return Column.lit(value)
