#!/usr/bin/python3
"""Benchmark of issue #13: multinomial logistic regression tuning on Fashion-MNIST, thunderdome
against scikit-learn, side by side in one run.

    /usr/bin/python3 bench/fetch_fashion_mnist.py      # once: Debian's dataset-fashion-mnist
    /usr/bin/python3 bench/multiclass.py [--repeats 1] [--build-dir build] [--skip sk-liblinear]

Systems (each: 3 regParam values x 3-fold CV + refit of the best on all 60,000 rows, then test
accuracy on the 10,000 test rows; Spark's defaults maxIter 100, tol 1e-6, standardization):
  thunderdome   `thunderdome fit --spec bench/specs/fmnist_cv.json --test ...` (reads LibSVM)
  sk-lbfgs-ref  scikit-learn GridSearchCV(n_jobs=2), StandardScaler -> multinomial lbfgs, with
                Debian's reference BLAS (libblas3)
  sk-lbfgs-openblas  the same with OpenBLAS (LD_LIBRARY_PATH=.../openblas-pthread)
  sk-liblinear  one-vs-rest liblinear (OpenBLAS), the same grid
Reported: wall time of the whole process (reading included on both sides) and of the fit alone
(as each side reports it), peak RSS summed over the process tree, test accuracy. Runs are
interleaved across systems; medians over --repeats. Writes bench/results/multiclass.{md,json}.
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from run_bench import cpu_model, interleave, measure  # noqa: E402

DATA = os.path.join(HERE, "data", "fashion-mnist")
OPENBLAS_DIR = "/usr/lib/x86_64-linux-gnu/openblas-pthread"
REF_BLAS_DIR = "/usr/lib/x86_64-linux-gnu/blas"


def td_run(td, work):
    out = os.path.join(work, "model")
    cmd = [td, "fit", "--spec", os.path.join(HERE, "specs", "fmnist_cv.json"),
           "--train", os.path.join(DATA, "train.libsvm"), "--test", os.path.join(DATA, "test.libsvm"),
           "--out", out, "--overwrite", "--json", "-q"]
    m = measure(cmd, "thunderdome fit")
    res = json.loads(m.pop("stdout"))
    m["fitSeconds"] = res["elapsedSeconds"]
    m["testAccuracy"] = res["testMetric"]
    m["best"] = res.get("bestParams")
    m["raw"] = res
    return m


def sk_run(solver, blas_dir):
    env = dict(os.environ, LD_LIBRARY_PATH=blas_dir)
    cmd = [sys.executable, os.path.join(HERE, "sk_multiclass.py"), "--solver", solver,
           "--train", os.path.join(DATA, "train.libsvm"), "--test", os.path.join(DATA, "test.libsvm")]
    m = measure(cmd, f"scikit-learn {solver}", env=env)
    res = json.loads(m.pop("stdout").strip().splitlines()[-1])
    m["fitSeconds"] = res["fit_s"]
    m["testAccuracy"] = res["test_accuracy"]
    m["best"] = res["best_regParam"]
    m["raw"] = res
    return m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    ap.add_argument("--skip", default="", help="comma-separated systems to leave out")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "multiclass"),
                    help="results path without extension (default bench/results/multiclass)")
    a = ap.parse_args()
    td = os.path.join(os.path.abspath(a.build_dir), "cli", "thunderdome")
    for p in (td, os.path.join(DATA, "train.libsvm"), os.path.join(DATA, "test.libsvm"),
              os.path.join(OPENBLAS_DIR, "libblas.so.3")):
        if not os.path.exists(p):
            sys.exit(f"multiclass: {p} missing (build first; run bench/fetch_fashion_mnist.py)")
    skip = set(filter(None, a.skip.split(",")))
    work = tempfile.mkdtemp(prefix="td-mc-")
    systems = {
        "thunderdome": lambda: td_run(td, work),
        "sk-lbfgs-openblas": lambda: sk_run("lbfgs", OPENBLAS_DIR),
        "sk-lbfgs-ref": lambda: sk_run("lbfgs", REF_BLAS_DIR),
        "sk-liblinear": lambda: sk_run("liblinear", OPENBLAS_DIR),
    }
    runs = interleave({k: f for k, f in systems.items() if k not in skip}, a.repeats,
                      lambda m: f"wall {m['wall']:.1f} s, fit {m['fitSeconds']:.1f} s, load "
                      f"{m['loadavgBefore']:.1f}->{m['loadavgAfter']:.1f}, others' cores "
                      f"{m['otherCores']:.2f}, peak RSS {m['peakRssMB']:.0f} MB, test accuracy "
                      f"{m['testAccuracy']}")
    med = {k: {f: statistics.median(x[f] for x in v) for f in ("wall", "fitSeconds", "peakRssMB", "cpu", "otherCores")}
           | {"testAccuracy": v[0]["testAccuracy"], "best": v[0]["best"]} for k, v in runs.items()}
    cpu = cpu_model()
    lines = [f"# Fashion-MNIST multinomial tuning (bench/multiclass.py), {datetime.date.today()}", "",
             f"Machine: {cpu}, {os.cpu_count()} cores; medians of {a.repeats} interleaved run(s).",
             "", "| system | wall s | fit s | CPU s | peak RSS MB | test accuracy | best regParam | "
             "thunderdome's wall / its | thunderdome's peak RSS / its | others' cores |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    base = med.get("thunderdome")
    for k, v in med.items():
        ratio = f"{base['wall'] / v['wall']:.3f}" if base else ""
        mem = f"{base['peakRssMB'] / v['peakRssMB']:.2f}" if base else ""
        lines.append(f"| {k} | {v['wall']:.1f} | {v['fitSeconds']:.1f} | {v['cpu']:.1f} | "
                     f"{v['peakRssMB']:.0f} | {v['testAccuracy']:.4f} | {v['best']} | {ratio} | {mem} | "
                     f"{v['otherCores']:.2f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out + ".md", "w") as f:
        f.write(text)
    with open(a.out + ".json", "w") as f:
        json.dump({"date": str(datetime.date.today()), "machine": cpu, "platform": platform.platform(),
                   "repeats": a.repeats, "medians": med,
                   "runs": {k: [{x: y for x, y in m.items() if x != "raw"} | {"raw": m["raw"]} for m in v]
                            for k, v in runs.items()}}, f, indent=1, default=str)


if __name__ == "__main__":
    main()
