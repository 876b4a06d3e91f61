"""Running a PySpark script without changing even its imports: as_pyspark() makes `pyspark`,
`pyspark.sql`, `pyspark.ml`, ... name thunderdome's modules in this interpreter (only where no
real pyspark is imported already). `python3 -m thunderdome script.py [args]` runs a script so."""
import importlib
import sys

__all__ = ["as_pyspark", "MODULES"]

# pyspark module -> thunderdome module
MODULES = {
    "pyspark": "thunderdome.sql",
    "pyspark.sql": "thunderdome.sql",
    "pyspark.sql.functions": "thunderdome.sql.functions",
    "pyspark.sql.types": "thunderdome.sql.types",
    "pyspark.sql.utils": "thunderdome.errors",
    "pyspark.errors": "thunderdome.errors",
    "pyspark.ml": "thunderdome.ml",
    "pyspark.ml.feature": "thunderdome.ml.feature",
    "pyspark.ml.classification": "thunderdome.ml.classification",
    "pyspark.ml.regression": "thunderdome.ml.regression",
    "pyspark.ml.evaluation": "thunderdome.ml.evaluation",
    "pyspark.ml.tuning": "thunderdome.ml.tuning",
    "pyspark.ml.linalg": "thunderdome.ml.linalg",
    "pyspark.ml.param": "thunderdome.ml.param",
    "pyspark.ml.util": "thunderdome.ml.util",
    "sparkflow": "thunderdome.sparkflow",
    "sparkflow.tensorflow_async": "thunderdome.sparkflow.tensorflow_async",
}


def as_pyspark():
    """Registers thunderdome's modules under pyspark's names; returns the names registered."""
    done = []
    for name, target in MODULES.items():
        if name in sys.modules and not sys.modules[name].__name__.startswith("thunderdome"):
            continue  # a real pyspark is loaded: leave it alone
        sys.modules[name] = importlib.import_module(target)
        done.append(name)
    return done
