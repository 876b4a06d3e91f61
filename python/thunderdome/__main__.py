"""python3 -m thunderdome script.py [args]: runs a PySpark script unchanged on thunderdome
(its `pyspark` imports resolve to thunderdome's modules; see thunderdome.compat)."""
import runpy
import sys

from thunderdome.compat import as_pyspark


def main():
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(sys.argv) >= 2 else 2
    as_pyspark()
    script = sys.argv[1]
    sys.argv = sys.argv[1:]
    runpy.run_path(script, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
