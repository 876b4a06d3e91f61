"""Fixtures of the Python API tests: a SparkSession, the repository's data and the CLI."""
import os
import pathlib

import pytest

from thunderdome.sql import SparkSession

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def spark():
    s = SparkSession.builder.appName("thunderdome-tests").master("local[*]").getOrCreate()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def cli():
    """The thunderdome CLI built next to the module (TD_CLI, set by ctest)."""
    path = os.environ.get("TD_CLI")
    if not path or not os.path.exists(path):
        pytest.skip("TD_CLI does not name the built thunderdome CLI")
    return path
