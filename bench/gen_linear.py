#!/usr/bin/python3
"""Generates the linear-model benchmark problem of issue #13 into bench/data/ (git-ignored).

1,000,000 rows (--rows) x 100 dense features (--cols), deterministic (numpy PCG64, seed
20240613), written as NumPy .npy files (little-endian float64, C order), which both sides load
with one read: bench/glm_fit (thunderdome) and bench/sk_linear.py (scikit-learn).

  linear_X.npy      rows x cols: column j = mean_j + scale_j * (Z A)_j, Z standard normal and A
                    = I + 0.3 * (a fixed random matrix) / sqrt(cols) (correlated features),
                    mean_j ~ U(-2, 2), scale_j ~ exp(U(-1, 1.5)) (features of different
                    scales, so standardization matters)
  linear_y.npy      regression target: X beta + 3 + Normal(0, 2^2), beta_j ~ N(0, 1)/scale_j with
                    every tenth beta_j = 0
  linear_label.npy  binary labels 0/1 for LinearSVC: 1 where X gamma - 0.5 + Logistic(0, 1) > 0
                    (a noisy, not separable problem, about 61% ones), gamma_j ~ N(0, 1)/scale_j/4

Rerunning is a no-op when the files exist with the same settings (a stamp file records them);
--force rewrites them. Usage: bench/gen_linear.py [--rows N] [--cols D] [--out DIR] [--force]
"""
import argparse
import json
import os
import sys

import numpy as np

SEED = 20240613
FORMAT = 1  # bump when the generated problem changes

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
CHUNK = 100_000


def generate(rows, cols, out):
    rng = np.random.Generator(np.random.PCG64(SEED))
    mean = rng.uniform(-2.0, 2.0, size=cols)
    scale = np.exp(rng.uniform(-1.0, 1.5, size=cols))
    mix = np.eye(cols) + 0.3 * rng.standard_normal((cols, cols)) / np.sqrt(cols)
    beta = rng.standard_normal(cols) / scale
    beta[::10] = 0.0
    gamma = rng.standard_normal(cols) / scale / 4.0
    paths = {k: os.path.join(out, f"linear_{k}.npy") for k in ("X", "y", "label")}
    tmp = {k: p + ".tmp.npy" for k, p in paths.items()}
    X = np.lib.format.open_memmap(tmp["X"], mode="w+", dtype="<f8", shape=(rows, cols))
    y = np.empty(rows)
    label = np.empty(rows)
    for b in range(0, rows, CHUNK):
        e = min(rows, b + CHUNK)
        x = mean + scale * (rng.standard_normal((e - b, cols)) @ mix)
        X[b:e] = x
        y[b:e] = x @ beta + 3.0 + 2.0 * rng.standard_normal(e - b)
        label[b:e] = (x @ gamma - 0.5 + rng.logistic(size=e - b) > 0.0).astype(np.float64)
    X.flush()
    del X
    np.save(tmp["y"], y)
    np.save(tmp["label"], label)
    for k in paths:
        os.replace(tmp[k], paths[k])
    return {"ones": float(label.mean())}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--cols", type=int, default=100)
    ap.add_argument("--out", default=DATA)
    ap.add_argument("--force", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    stamp_path = os.path.join(a.out, "linear.stamp.json")
    settings = {"rows": a.rows, "cols": a.cols, "seed": SEED, "format": FORMAT}
    if not a.force and os.path.exists(stamp_path):
        with open(stamp_path) as f:
            if json.load(f).get("settings") == settings and all(
                os.path.exists(os.path.join(a.out, f"linear_{k}.npy")) for k in ("X", "y", "label")
            ):
                print(f"gen_linear: {a.out}/linear_*.npy up to date", file=sys.stderr)
                return
    info = generate(a.rows, a.cols, a.out)
    with open(stamp_path, "w") as f:
        json.dump({"settings": settings, **info}, f)
    print(f"gen_linear: wrote {a.rows} x {a.cols} to {a.out}/linear_{{X,y,label}}.npy "
          f"(fraction of ones {info['ones']:.3f})", file=sys.stderr)


if __name__ == "__main__":
    main()
