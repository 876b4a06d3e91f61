#!/usr/bin/python3
"""The GLM design-matrix kernels of two builds, interleaved (bench/README.md "Bytes per pass").

  bench/kernels_ab.py --base /path/to/baseline/build [--new build] [--reps 2] [--kernel-reps 20]
                      [--work /tmp/td-bytes-per-pass] [--sizes 1x,10x] [--fits]

Runs bench/glm_kernels of --base and of --new, one thread (CPU ms are the kernels' own time),
alternately, --reps times on each hashed SpamAssassin file (1x and 10x rows at numFeatures 2^10,
2^14, 2^18; made by hash_to_libsvm under --work as bytes_per_pass.py makes them), and prints a
markdown table per layout of the median CPU ms of a CG step, a gradient X̃ᵀr, a product X̃·v and
the Hessian diagonal (weightedSquares), base and new, and new/base. --fits: also single_fit
(regParam 0.01, tol 1e-6: what the CV job fits; all threads) of each build, interleaved, on each
file: median fit CPU seconds and the Newton / CG step counts.
"""
import argparse
import json
import os
import statistics
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIZES = {"1x": "spam_train.tsv", "10x": "spam_train_x10.tsv"}
FEATURES = [1024, 16384, 262144]
KERNELS = [("cgStepSeconds", "CG step"), ("gradientSeconds", "X̃ᵀr"),
           ("multiplySeconds", "X̃·v"), ("diagonalSeconds", "diag")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--new", default=os.path.join(ROOT, "build"))
    ap.add_argument("--base", required=True)
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--kernel-reps", type=int, default=20)
    ap.add_argument("--work", default="/tmp/td-bytes-per-pass")
    ap.add_argument("--sizes", default="1x,10x")
    ap.add_argument("--fits", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    res = {}  # (size, nf, layout, build) -> {kernel: [seconds]}
    fits = {}  # (size, nf, build) -> [single_fit JSON]
    for size in a.sizes.split(","):
        for nf in FEATURES:
            f = os.path.join(a.work, f"spam_{size}.{nf}.libsvm")
            if not os.path.exists(f):
                subprocess.run([os.path.join(a.new, "bench/hash_to_libsvm"), "--input",
                                os.path.join(ROOT, "bench/data", SIZES[size]), "--num-features",
                                str(nf), "--output", f], check=True, capture_output=True)
            for _ in range(a.reps):
                for which, build in (("base", a.base), ("new", a.new)):
                    out = subprocess.run(
                        [os.path.join(build, "bench/glm_kernels"), "--input", f,
                         "--num-features", str(nf), "--reps", str(a.kernel_reps),
                         "--threads", "1"], check=True, capture_output=True, text=True).stdout
                    for line in out.splitlines():
                        d = json.loads(line)
                        d.update(size=size, numFeatures=nf, build=which)
                        print(json.dumps(d), flush=True)
                        r = res.setdefault((size, nf, d["layout"], which), {})
                        for key, _ in KERNELS:
                            r.setdefault(key, []).append(d.get(key, float("nan")))
                    if a.fits:
                        out = subprocess.run(
                            [os.path.join(build, "bench/single_fit"), "--input", f,
                             "--num-features", str(nf), "--reg", "0.01"], check=True,
                            capture_output=True, text=True).stdout
                        d = json.loads(out)
                        d.update(size=size, build=which)
                        print(json.dumps(d), flush=True)
                        fits.setdefault((size, nf, which), []).append(d)
    for layout in ("columns", "rows"):
        print(f"\n{layout} layout, CPU ms, 1 thread (base / new = ratio)\n")
        print("| rows | numFeatures | " + " | ".join(name for _, name in KERNELS) + " |")
        print("|---|---|" + "---|" * len(KERNELS))
        for (size, nf, lay, which) in sorted(res):
            if lay != layout or which != "base":
                continue
            b, n = res[(size, nf, lay, "base")], res[(size, nf, lay, "new")]
            cells = []
            for key, _ in KERNELS:
                mb, mn = statistics.median(b[key]) * 1e3, statistics.median(n[key]) * 1e3
                cells.append(f"{mb:.2f} / {mn:.2f} = **{mn / mb:.2f}**")
            print(f"| {size} | 2^{nf.bit_length() - 1} | " + " | ".join(cells) + " |")
    if fits:
        print("\nsingle_fit (regParam 0.01), all threads: fit CPU s base / new = ratio, Newton/CG "
              "steps base → new\n")
        print("| rows | numFeatures | fit CPU s | CPU ms per CG step | Newton/CG steps |")
        print("|---|---|---|---|---|")
        for (size, nf, which) in sorted(fits):
            if which != "base":
                continue
            b, n = fits[(size, nf, "base")], fits[(size, nf, "new")]
            mb = statistics.median(x["fitCpuSeconds"] for x in b)
            mn = statistics.median(x["fitCpuSeconds"] for x in n)
            sb, sn = mb / b[0]["cgIterations"] * 1e3, mn / n[0]["cgIterations"] * 1e3
            print(f"| {size} | 2^{nf.bit_length() - 1} | {mb:.3f} / {mn:.3f} = **{mn / mb:.2f}** | "
                  f"{sb:.2f} / {sn:.2f} = **{sn / sb:.2f}** | "
                  f"{b[0]['iterations']}/{b[0]['cgIterations']} → "
                  f"{n[0]['iterations']}/{n[0]['cgIterations']} |")


if __name__ == "__main__":
    main()
