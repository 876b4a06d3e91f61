"""swift:// data and models from Python, against the Swift test server (ctest: python.swift,
label swift, which starts the server; skipped in the unit run)."""
import os
import subprocess
import uuid

import pytest

pytestmark = pytest.mark.skipif(os.environ.get("TD_PY_SWIFT") != "1",
                                reason="needs the Swift test server (ctest -L swift)")


def load_server_env():
    """Exports the `export NAME=value` lines of the server's env.sh (as tests/testing/swift_env.h)."""
    import shlex
    path = os.path.join(os.environ.get("TD_SWIFT_DIR", "/tmp/td-swift"), "env.sh")
    with open(path) as f:
        for line in f:
            if line.startswith("export "):
                name, _, value = line[7:].strip().partition("=")
                os.environ[name] = shlex.split(value)[0] if value else ""
    for n in ("OS_AUTH_URL", "OS_CLOUD", "OS_STORAGE_URL", "OS_AUTH_TOKEN"):
        os.environ.pop(n, None)  # authenticate with tempauth's ST_* as the CLI tests do


def test_read_fit_save_load_on_swift(spark, root, cli, tmp_path):
    load_server_env()
    from swiftclient.client import Connection
    conn = Connection(authurl=os.environ["ST_AUTH"], user=os.environ["ST_USER"],
                      key=os.environ["ST_KEY"])
    c = "td-py-" + uuid.uuid4().hex[:12]  # a fresh container per run
    conn.put_container(c)
    try:
        run_on_swift(spark, root, cli, tmp_path, c)
    finally:
        for obj in conn.get_container(c, full_listing=True)[1]:
            conn.delete_object(c, obj["name"])
        conn.delete_container(c)


def run_on_swift(spark, root, cli, tmp_path, c):
    from swiftclient.client import Connection
    conn = Connection(authurl=os.environ["ST_AUTH"], user=os.environ["ST_USER"],
                      key=os.environ["ST_KEY"])
    for name in ("spark_guide_train.csv", "spark_guide_test.csv"):
        with open(root / "examples/data" / name, "rb") as f:
            conn.put_object(c, "data/" + name, f.read())
    from test_persistence import cross_validator_example
    train = spark.read.csv("swift://%s/data/spark_guide_train.csv" % c, header=True,
                           inferSchema=True)
    assert train.count() == 12 and train.dtypes[2] == ("label", "double")
    _, model = cross_validator_example(spark)
    model.save("swift://%s/models/cv" % c)
    with pytest.raises(OSError, match="already exists"):
        model.save("swift://%s/models/cv" % c)
    model.write().overwrite().save("swift://%s/models/cv" % c)
    from thunderdome.ml.tuning import CrossValidatorModel
    loaded = CrossValidatorModel.load("swift://%s/models/cv" % c)
    test = spark.read.csv("swift://%s/data/spark_guide_test.csv" % c, header=True, inferSchema=True)
    assert [list(r.probability) for r in loaded.transform(test).collect()][0] == \
        pytest.approx([0.34068342206849733, 0.6593165779315027], rel=1e-12)  # see test_persistence
    out = tmp_path / "p.csv"
    subprocess.run([cli, "predict", "--model", "swift://%s/models/cv" % c, "--input",
                    str(root / "examples/data/spark_guide_test.csv"), "--output", str(out), "-q"],
                   check=True)
    assert "4,spark i j k,1.0,1.0," in out.read_text()
