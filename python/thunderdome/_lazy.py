"""numpy, imported on first use: a script that only reads files, fits and evaluates never pays
numpy's import (about 50 ms, a few percent of a short job; bench/python_overhead.py)."""
import importlib


class _LazyModule:
    """A module imported when one of its attributes is first read."""

    def __init__(self, name):
        self._name = name
        self._module = None

    def __getattr__(self, attr):
        module = self._module
        if module is None:
            module = self._module = importlib.import_module(self._name)
        return getattr(module, attr)


numpy = _LazyModule("numpy")
