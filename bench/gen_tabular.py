#!/usr/bin/python3
"""Generates the tabular benchmark table of issue #12: bench/data/tabular_1m.csv (git-ignored).

1,000,000 rows (--rows), deterministic (numpy PCG64, seed 20240612), columns in this order:
  x0..x19  doubles, column j ~ Normal(mean j, scale 1 + j/4), written with 6 significant
           digits; 5% of each column's cells are empty (independently per cell)
  c0..c4   categories with 10, 30, 100, 300, 1000 levels named "c<k>_v<level>", Zipf-like
           frequencies (level v drawn with weight 1/(v+1)^0.7, so StringIndexer's frequency
           order is not the alphabetical one), never empty
  label    "yes"/"no" from a noisy logistic function of x0, x1 and c0 (unused by the pipelines)
Rerunning is a no-op when the file exists with the same settings (a stamp file records them);
--force rewrites it. Usage: bench/gen_tabular.py [--rows N] [--out PATH] [--force]
"""
import argparse
import json
import os
import sys

import numpy as np

SEED = 20240612
NUM_COLS = 20
LEVELS = [10, 30, 100, 300, 1000]
MISSING = 0.05
FORMAT = 1  # bump when the file format changes

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")


def generate(rows, out):
    rng = np.random.Generator(np.random.PCG64(SEED))
    cols = {}
    for j in range(NUM_COLS):
        x = rng.normal(loc=float(j), scale=1.0 + j / 4.0, size=rows)
        text = np.char.mod("%.6g", x).astype(object)
        text[rng.random(rows) < MISSING] = ""
        cols[f"x{j}"] = (x, text)
    cats = []
    for k, n in enumerate(LEVELS):
        w = 1.0 / np.power(np.arange(1, n + 1, dtype=float), 0.7)
        codes = rng.choice(n, size=rows, p=w / w.sum())
        names = np.array([f"c{k}_v{v}" for v in range(n)], dtype=object)
        cats.append((f"c{k}", codes, names[codes]))
    logit = 0.8 * (cols["x0"][0] - 0.0) - 0.3 * (cols["x1"][0] - 1.0) + 0.2 * (cats[0][1] - 3.0)
    yes = rng.random(rows) < 1.0 / (1.0 + np.exp(-logit))
    label = np.where(yes, "yes", "no").astype(object)

    header = [f"x{j}" for j in range(NUM_COLS)] + [c[0] for c in cats] + ["label"]
    fields = [cols[f"x{j}"][1] for j in range(NUM_COLS)] + [c[2] for c in cats] + [label]
    tmp = out + ".tmp"
    chunk = 50_000
    with open(tmp, "w", encoding="ascii", newline="") as f:
        f.write(",".join(header) + "\n")
        for b in range(0, rows, chunk):
            e = min(rows, b + chunk)
            f.write("\n".join(",".join(r) for r in zip(*(c[b:e] for c in fields))) + "\n")
    os.replace(tmp, out)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--out", default=None, help="default: bench/data/tabular_1m.csv (1M rows) or "
                    "bench/data/tabular_<rows>.csv")
    ap.add_argument("--force", action="store_true")
    a = ap.parse_args()
    out = a.out or os.path.join(
        DATA, "tabular_1m.csv" if a.rows == 1_000_000 else f"tabular_{a.rows}.csv")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    stamp = {"rows": a.rows, "seed": SEED, "levels": LEVELS, "missing": MISSING, "format": FORMAT}
    stamp_path = out + ".stamp.json"
    if not a.force and os.path.exists(out) and os.path.exists(stamp_path):
        with open(stamp_path) as f:
            if json.load(f) == stamp:
                print(f"gen_tabular: {out} is up to date ({a.rows} rows)")
                return
    generate(a.rows, out)
    with open(stamp_path, "w") as f:
        json.dump(stamp, f)
    print(f"gen_tabular: wrote {out} ({a.rows} rows, {os.path.getsize(out) / 1e6:.1f} MB)")


if __name__ == "__main__":
    sys.exit(main())
