#!/usr/bin/python3
"""Linear-model benchmark of issue #13: thunderdome's LinearRegression / LinearSVC single fits
beside scikit-learn's Ridge / LinearSVC (liblinear) at the same optimum, 1,000,000 x 100 dense.

  bench/linear.py [--repeats 3] [--build-dir build] [--reg 0.01] [--cases normal,lbfgs,svc]
                  [--out bench/results/linear]

Generates the data (bench/gen_linear.py; a no-op when present), then runs, `repeats` times and
interleaved (thunderdome, scikit-learn, thunderdome, ...), one process per fit:
  normal  LinearRegression(solver=normal)    vs Ridge(solver=auto), Ridge(solver=cholesky)
  lbfgs   LinearRegression(solver=l-bfgs)    vs Ridge(solver=auto)
  svc     LinearSVC (L-BFGS on the hinge)     vs LinearSVC(loss='hinge', dual) (liblinear)
all with regParam 0.01 and standardization=true (bench/sk_linear.py maps it: Ridge alpha =
λ·n/σ_y on X/σ, LinearSVC C = 1/(λ·n) on (X − μ)/σ). Times are each system's own timer around
the fit alone (bench/glm_fit: Estimator::fit in-process; sk_linear.py: estimator.fit on data
already standardized, so scikit-learn's time excludes the standardization thunderdome does
inside its fit). Then the objective Spark minimises (σ population for the normal solver,
unbiased otherwise, as Spark) is evaluated here in numpy on every system's coefficients.
Writes <out>.json (every sample) and <out>.md (medians, min-max, ratio, objective gap).
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(HERE, "data")


def run_json(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit(f"linear.py: {' '.join(cmd)} failed ({p.returncode}):\n{p.stderr}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def read_coef(path):
    v = np.fromfile(path, dtype="<f8")
    return v[:-1], float(v[-1])


def spark_objective(kind, X, y, coef, b, reg, sigma, sigma_y):
    m = X @ coef + b
    pen = float(np.sum((sigma * coef) ** 2))
    if kind == "svc":
        s = 2.0 * y - 1.0
        return float(np.mean(np.maximum(0.0, 1.0 - s * m))) + 0.5 * reg * pen
    r = y - m
    return 0.5 * float(np.mean(r * r)) + 0.5 * reg / sigma_y * pen


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    ap.add_argument("--reg", type=float, default=0.01)
    ap.add_argument("--cases", default="normal,lbfgs,svc")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "linear"))
    a = ap.parse_args()

    subprocess.run([sys.executable, os.path.join(HERE, "gen_linear.py")], check=True)
    glm_fit = os.path.join(a.build_dir, "bench", "glm_fit")
    if not os.path.exists(glm_fit):
        sys.exit(f"linear.py: {glm_fit} not found (build the td_bench_glm_fit target)")
    X_path = os.path.join(DATA, "linear_X.npy")
    files = {"y": os.path.join(DATA, "linear_y.npy"), "label": os.path.join(DATA, "linear_label.npy")}
    out_dir = os.path.join(DATA, "linear_out")
    os.makedirs(out_dir, exist_ok=True)
    sk = [sys.executable, os.path.join(HERE, "sk_linear.py"), "--x", X_path, "--reg", str(a.reg)]
    td = [glm_fit, "--x", X_path, "--reg", str(a.reg), "--standardization", "true"]

    # (case, target, sigma, [(name, command without --coef-out)])
    cases = {
        "normal": ("y", "population", [
            ("thunderdome normal", td + ["--y", files["y"], "--model", "linreg", "--solver", "normal"]),
            ("sklearn Ridge auto", sk + ["--y", files["y"], "--model", "ridge", "--solver", "auto",
                                         "--sigma", "population"]),
            ("sklearn Ridge cholesky", sk + ["--y", files["y"], "--model", "ridge", "--solver",
                                             "cholesky", "--sigma", "population"]),
        ]),
        "lbfgs": ("y", "unbiased", [
            ("thunderdome l-bfgs", td + ["--y", files["y"], "--model", "linreg", "--solver", "l-bfgs"]),
            ("sklearn Ridge auto", sk + ["--y", files["y"], "--model", "ridge", "--solver", "auto",
                                         "--sigma", "unbiased"]),
        ]),
        "svc": ("label", "unbiased", [
            ("thunderdome LinearSVC", td + ["--y", files["label"], "--model", "svc"]),
            ("sklearn LinearSVC hinge", sk + ["--y", files["label"], "--model", "svc",
                                              "--sigma", "unbiased"]),
        ]),
    }
    chosen = [c for c in a.cases.split(",") if c]
    samples = {c: {name: [] for name, _ in cases[c][2]} for c in chosen}
    t_start = time.time()
    for r in range(a.repeats):
        for c in chosen:
            for i, (name, cmd) in enumerate(cases[c][2]):
                coef = os.path.join(out_dir, f"{c}_{i}.f64")
                res = run_json(cmd + ["--coef-out", coef])
                res["loadavg"] = os.getloadavg()
                samples[c][name].append(res)
                print(f"[{r + 1}/{a.repeats}] {c:6s} {name:26s} fit {res['fitSeconds'][0]:8.3f} s",
                      file=sys.stderr)

    print("linear.py: evaluating Spark's objective on every fit's coefficients", file=sys.stderr)
    X = np.load(X_path)
    n = X.shape[0]
    report = {"rows": n, "cols": int(X.shape[1]), "regParam": a.reg, "repeats": a.repeats,
              "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
              "elapsedSeconds": time.time() - t_start, "cases": {}}
    for c in chosen:
        target, sig, runs = cases[c]
        y = np.load(files[target])
        ddof = 0 if sig == "population" else 1
        sigma = X.std(axis=0, ddof=ddof)
        sigma_y = float(y.std(ddof=ddof))
        rows = []
        for i, (name, _) in enumerate(runs):
            coef, b = read_coef(os.path.join(out_dir, f"{c}_{i}.f64"))
            f = spark_objective("svc" if c == "svc" else "ls", X, y, coef, b, a.reg, sigma, sigma_y)
            walls = [s["fitSeconds"][0] for s in samples[c][name]]
            rows.append({"name": name, "fitSeconds": walls, "median": statistics.median(walls),
                         "objective": f, "coef": coef.tolist(), "intercept": b,
                         "iterations": samples[c][name][-1].get("iterations"),
                         "samples": samples[c][name]})
        base = rows[0]
        for row in rows[1:]:
            row["ratio"] = base["median"] / row["median"]  # thunderdome / scikit-learn
            row["objectiveGap"] = (base["objective"] - row["objective"]) / abs(row["objective"])
            dc = np.abs(np.array(base["coef"]) - np.array(row["coef"]))
            row["maxCoefDiff"] = float(dc.max() / np.abs(np.array(row["coef"])).max())
            row["interceptDiff"] = base["intercept"] - row["intercept"]
        report["cases"][c] = rows
    del X

    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out + ".json", "w") as f:
        json.dump(report, f, indent=1)
    md = [f"# Linear models: thunderdome vs scikit-learn ({n:,} x {report['cols']} dense, "
          f"regParam {a.reg}, standardization)", "",
          f"Median of {a.repeats} interleaved runs (min-max), fit only, each system's own timer; "
          f"{os.cpu_count()} CPUs. Objective: Spark's, evaluated in numpy on each system's "
          f"coefficients (bench/linear.py). ratio = thunderdome / scikit-learn wall "
          f"(< 1: thunderdome faster). gap = (F_td - F_sk) / F_sk (< 0: thunderdome lower).", "",
          "| case | system | fit s (median, min-max) | iterations | objective F | ratio td/sk | "
          "objective gap | max coef diff (rel.) |", "|---|---|---|---|---|---|---|---|"]
    for c, rows in report["cases"].items():
        for row in rows:
            w = row["fitSeconds"]
            md.append(
                f"| {c} | {row['name']} | {row['median']:.3f} ({min(w):.3f}-{max(w):.3f}) | "
                f"{row['iterations'] if row['iterations'] is not None else '-'} | "
                f"{row['objective']:.10g} | "
                + (f"{row['ratio']:.2f} | {row['objectiveGap']:+.2e} | {row['maxCoefDiff']:.1e} |"
                   if "ratio" in row else "- | - | - |"))
    md.append("")
    text = "\n".join(md)
    with open(a.out + ".md", "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
