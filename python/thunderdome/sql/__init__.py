"""thunderdome.sql: SparkSession, DataFrame, Row and Column, as in pyspark.sql."""
from thunderdome.sql.column import Column
from thunderdome.sql.dataframe import DataFrame
from thunderdome.sql.session import DataFrameReader, SparkContext, SparkSession
from thunderdome.sql.types import Row

__all__ = ["SparkSession", "DataFrame", "Row", "Column", "DataFrameReader", "SparkContext"]
