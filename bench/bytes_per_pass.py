#!/usr/bin/python3
"""Bytes per pass of the GLM design matrix (issue #17, bench/README.md "Bytes per pass").

  bench/bytes_per_pass.py --new build --base /path/to/baseline/build [--reps 3] [--work DIR]

1. Hashes bench/data/spam_train.tsv (1x) and spam_train_x10.tsv (10x) at numFeatures 2^10, 2^14
   and 2^18 into LibSVM files under --work (kept; hash_to_libsvm of the new build).
2. membw (the machine's triad bandwidth, 1 and 2 threads).
3. glm_kernels (new build) on every file, 1 thread and all threads: both layouts of the design
   matrix in one process, interleaved rep by rep — bytes per nnz, bytes per pass, CPU ms and
   GB/s per CG step and per gradient.
4. single_fit (regParam 0.01, tol 1e-6: what the CV job fits) with the base build's and the new
   build's binary, interleaved, --reps times each: fit wall and CPU seconds, Newton and CG steps.
Prints JSON lines (one per measurement) and a markdown summary at the end.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIZES = [("1x", "spam_train.tsv"), ("10x", "spam_train_x10.tsv")]
FEATURES = [1024, 16384, 262144]


def run(cmd):
    """Runs cmd; returns (stdout, wall seconds, child CPU seconds)."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    wall = time.monotonic() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return out, wall, cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--new", default=os.path.join(ROOT, "build"))
    ap.add_argument("--base", required=True, help="build directory of the baseline")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--kernel-reps", type=int, default=20)
    ap.add_argument("--work", default="/tmp/td-bytes-per-pass")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    files = {}
    for size, tsv in SIZES:
        for nf in FEATURES:
            f = os.path.join(a.work, f"spam_{size}.{nf}.libsvm")
            if not os.path.exists(f):
                run([os.path.join(a.new, "bench/hash_to_libsvm"), "--input",
                     os.path.join(ROOT, "bench/data", tsv), "--num-features", str(nf),
                     "--output", f])
            files[(size, nf)] = f
    out, _, _ = run([os.path.join(a.new, "bench/membw"), "--mib", "16,512", "--threads", "1,2"])
    membw = json.loads(out)
    print(json.dumps({"membw": membw}), flush=True)
    kernels = {}
    for (size, nf), f in files.items():
        for threads in (1, 2):
            out, _, _ = run([os.path.join(a.new, "bench/glm_kernels"), "--input", f,
                             "--num-features", str(nf), "--reps", str(a.kernel_reps),
                             "--threads", str(threads)])
            for line in out.splitlines():
                d = json.loads(line)
                d.update(size=size, numFeatures=nf, threads=threads)
                kernels[(size, nf, threads, d["layout"])] = d
                print(json.dumps(d), flush=True)
    fits = {}
    for rep in range(a.reps):
        for (size, nf), f in files.items():
            for which, build in (("base", a.base), ("new", a.new)):
                out, wall, cpu = run([os.path.join(build, "bench/single_fit"), "--input", f,
                                      "--num-features", str(nf), "--reg", "0.01"])
                d = json.loads(out)
                d.update(size=size, build=which, rep=rep, processWall=wall, processCpu=cpu)
                fits.setdefault((size, nf, which), []).append(d)
                print(json.dumps(d), flush=True)
    # Summary.
    print("\n| rows | numFeatures | k | layout picked | bytes/nnz before → after | "
          "CG step CPU ms, 1 thread: two passes → picked | GB/s per CPU s | "
          "fit s (2 threads) before → after | fit CPU s before → after | Newton / CG steps |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for size, _ in SIZES:
        for nf in FEATURES:
            c = kernels[(size, nf, 1, "columns")]
            p = kernels[(size, nf, 1, "auto")]
            b = fits[(size, nf, "base")]
            n = fits[(size, nf, "new")]
            med = lambda xs, key: statistics.median(x[key] for x in xs)
            print(f"| {c['rows']:,} | {nf:,} | {c['k']:,} | {p['picked']} ({p['chunks']} chunks) | "
                  f"{c['bytesPerNnz']:.2f} → {p['bytesPerNnz']:.2f} | "
                  f"{c['cgStepSeconds'] * 1e3:.2f} → {p['cgStepSeconds'] * 1e3:.2f} | "
                  f"{c['cgStepGBs']:.1f} → {p['cgStepGBs']:.1f} | "
                  f"{med(b, 'fitSeconds'):.3f} → {med(n, 'fitSeconds'):.3f} | "
                  f"{med(b, 'processCpu'):.2f} → {med(n, 'processCpu'):.2f} | "
                  f"{b[0]['iterations']}/{b[0]['cgIterations']} → "
                  f"{n[0]['iterations']}/{n[0]['cgIterations']} |")
    tri = {(m["mibPerArray"], m["threads"]): m["bestGBs"] for m in membw}
    print(f"\ntriad best GB/s: 16 MiB 1 thread {tri.get((16, 1))}, 2 threads {tri.get((16, 2))}; "
          f"512 MiB 1 thread {tri.get((512, 1))}, 2 threads {tri.get((512, 2))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
