#!/usr/bin/python3
"""The feature-stage benchmark of issue #12: thunderdome's bench/feature_bench against
scikit-learn (bench/sk_features.py), side by side on the same data in one run.

Jobs:
  text     bench/data/spam_train.tsv (bench/fetch_spam.py): Tokenizer -> CountVectorizer -> IDF
           (bench/specs/features_text.json) vs CountVectorizer + TfidfTransformer
  tabular  bench/data/tabular_1m.csv (bench/gen_tabular.py): StringIndexer -> OneHotEncoder ->
           Imputer -> VectorAssembler -> StandardScaler (bench/specs/features_tabular.json) vs
           pandas.read_csv + ColumnTransformer(SimpleImputer | OneHotEncoder) + StandardScaler

Every sample is a fresh process (thunderdome and scikit-learn alternate, thunderdome first),
timed from outside (wall clock around fork..wait4) and from inside (each side's own timers:
read, fit, transform). Peak memory is wait4's ru_maxrss of that process (the kernel's peak
resident set; neither side starts worker processes). Prints a markdown report and writes
bench/results/features.md and bench/results/features.json (every sample).

Usage: bench/features.py [--repeats N] [--jobs text,tabular] [--build-dir build]
                         [--threads N] [--text-data PATH] [--tabular-data PATH]
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY = "/usr/bin/python3"  # Debian's python3: sklearn, pandas, numpy, scipy import only there


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def measure(cmd, env=None):
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        load0 = loadavg()
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
        rc = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if rc != 0:
        raise RuntimeError(f"exit {rc}: {' '.join(cmd)}\n{stderr[-3000:]}")
    inner = json.loads(stdout.strip().splitlines()[-1])
    return {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "rssMB": ru.ru_maxrss / 1024.0,
            "loadBefore": load0, "inner": inner}


def med(xs):
    return statistics.median(xs)


def summary(samples):
    s = {"wall": med([x["wall"] for x in samples]),
         "wallMin": min(x["wall"] for x in samples), "wallMax": max(x["wall"] for x in samples),
         "cpu": med([x["cpu"] for x in samples]),
         "rssMB": max(x["rssMB"] for x in samples)}
    for k in ("read_s", "fit_s", "transform_s", "total_s"):
        s[k] = med([x["inner"][k] for x in samples])
    last = samples[-1]["inner"]
    for k in ("rows", "dim", "nnz", "sum"):
        s[k] = last[k]
    if "sum_tf" in last:
        s["sum_tf"] = last["sum_tf"]
    return s


def check(job, td, sk):
    """The outputs agree: same shape and stored entries; values by the documented relation."""
    lines = []
    same_shape = td["rows"] == sk["rows"] and td["dim"] == sk["dim"] and td["nnz"] == sk["nnz"]
    lines.append(f"shape: thunderdome {td['rows']} x {td['dim']}, {td['nnz']} stored; "
                 f"scikit-learn {sk['rows']} x {sk['dim']}, {sk['nnz']} stored"
                 f" ({'same' if same_shape else 'DIFFERENT'})")
    if job == "text":
        # scikit-learn's smooth idf is ln((1+n)/(1+df)) + 1, Spark's ln((n+1)/(df+1)): so
        # tfidf_sklearn = tfidf_spark + tf entry by entry, and summed over all entries.
        rel = (sk["sum"] - sk["sum_tf"] - td["sum"]) / td["sum"]
        verdict = ("tfidf_sklearn = tfidf_spark + tf holds" if abs(rel) < 1e-9
                   else "MISMATCH")
        lines.append(f"sum of tfidf: thunderdome {td['sum']:.10g}; scikit-learn {sk['sum']:.10g} "
                     f"- sum of tf {sk['sum_tf']:.10g} = {sk['sum'] - sk['sum_tf']:.10g} "
                     f"(relative difference {rel:.1e}: {verdict})")
    else:
        # Spark's StandardScaler divides by the sample std (n-1), scikit-learn's by the
        # population std (n): every value differs by the factor sqrt((n-1)/n).
        n = td["rows"]
        expect = sk["sum"] * ((n - 1) / n) ** 0.5
        rel = (td["sum"] - expect) / expect
        lines.append(f"sum of values: thunderdome {td['sum']:.10g}; scikit-learn {sk['sum']:.10g}"
                     f" x sqrt((n-1)/n) = {expect:.10g} (relative difference {rel:.1e}"
                     f"{'' if abs(rel) < 1e-9 else ': MISMATCH'})")
    return lines


def render(R):
    out = ["# Feature stages: thunderdome vs scikit-learn (issue #12)", ""]
    out.append(f"{R['when']} · {R['machine']} · {R['env']} · {R['repeats']} repeats per side, "
               "alternating, "
               "fresh process per sample; medians (wall: min-max); peak RSS: the largest "
               "ru_maxrss of the samples")
    out.append("")
    out.append("| job | system | wall s | in-process s (read + fit + transform) | CPU s | "
               "peak RSS MB |")
    out.append("|---|---|---|---|---|---|")
    for job, r in R["jobs"].items():
        for name in ("thunderdome", "scikit-learn"):
            s = r[name]
            out.append(f"| {job} | {name} | {s['wall']:.2f} ({s['wallMin']:.2f}-{s['wallMax']:.2f})"
                       f" | {s['total_s']:.3f} ({s['read_s']:.3f} + {s['fit_s']:.3f} + "
                       f"{s['transform_s']:.3f}) | {s['cpu']:.2f} | {s['rssMB']:.0f} |")
    out.append("")
    out.append("| job | wall: scikit-learn / thunderdome | in-process: scikit-learn / thunderdome "
               "| peak RSS: thunderdome / scikit-learn | target met (>= 5x faster, <= 0.5x memory) |")
    out.append("|---|---|---|---|---|")
    for job, r in R["jobs"].items():
        td, sk = r["thunderdome"], r["scikit-learn"]
        sw, si, mr = sk["wall"] / td["wall"], sk["total_s"] / td["total_s"], td["rssMB"] / sk["rssMB"]
        met = f"{'yes' if sw >= 5 else 'no'} / {'yes' if mr <= 0.5 else 'no'}"
        out.append(f"| {job} | {sw:.1f}x | {si:.1f}x | {mr:.2f} | {met} |")
    out.append("")
    out.append("Output check:")
    for job, r in R["jobs"].items():
        for line in r["check"]:
            out.append(f"- {job}: {line}")
    out.append("")
    return "\n".join(out)


def machine():
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1]) / 1024 / 1024
    except OSError:
        mem = 0
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM"


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--jobs", default="text,tabular")
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    ap.add_argument("--threads", type=int, default=0, help="thunderdome threads (0: all cores)")
    ap.add_argument("--text-data", default=os.path.join(HERE, "data", "spam_train.tsv"))
    ap.add_argument("--tabular-data", default=os.path.join(HERE, "data", "tabular_1m.csv"))
    ap.add_argument("--out", default=None,
                    help="report path without extension (default: bench/results/features, "
                         "features_hugetlb with --malloc-hugetlb)")
    ap.add_argument("--malloc-hugetlb", action="store_true",
                    help="run both sides with GLIBC_TUNABLES=glibc.malloc.hugetlb=1 (glibc "
                         ">= 2.35: malloc madvises its mmap'd chunks MADV_HUGEPAGE, so large "
                         "arrays fault in 2 MiB pages; numpy already madvises its own arrays)")
    a = ap.parse_args()
    env = None
    if a.malloc_hugetlb:
        env = dict(os.environ)
        env["GLIBC_TUNABLES"] = "glibc.malloc.hugetlb=1"
    if a.out is None:
        a.out = os.path.join(HERE, "results",
                             "features_hugetlb" if a.malloc_hugetlb else "features")
    fb = os.path.join(a.build_dir, "bench", "feature_bench")
    if not os.access(fb, os.X_OK):
        sys.exit(f"features.py: {fb} missing: build the td_bench_feature_bench target")
    jobs = {
        "text": (a.text_data, os.path.join(HERE, "specs", "features_text.json"),
                 "bench/fetch_spam.py"),
        "tabular": (a.tabular_data, os.path.join(HERE, "specs", "features_tabular.json"),
                    "bench/gen_tabular.py"),
    }
    R = {"when": time.strftime("%Y-%m-%d %H:%M"), "machine": machine(), "repeats": a.repeats,
         "env": "GLIBC_TUNABLES=glibc.malloc.hugetlb=1" if env else "default malloc",
         "jobs": {}}
    for job in a.jobs.split(","):
        data, spec, maker = jobs[job]
        if not os.path.exists(data):
            sys.exit(f"features.py: {data} missing: run {PY} {maker}")
        td_cmd = [fb, "--spec", spec, "--data", data, "--threads", str(a.threads)]
        sk_cmd = [PY, os.path.join(HERE, "sk_features.py"), job, data]
        samples = {"thunderdome": [], "scikit-learn": []}
        for i in range(a.repeats):
            for name, cmd in (("thunderdome", td_cmd), ("scikit-learn", sk_cmd)):
                s = measure(cmd, env)
                samples[name].append(s)
                print(f"[{job} {i + 1}/{a.repeats}] {name}: wall {s['wall']:.2f} s, "
                      f"in-process {s['inner']['total_s']:.3f} s, RSS {s['rssMB']:.0f} MB, "
                      f"load {s['loadBefore']:.2f}", file=sys.stderr, flush=True)
        td, sk = summary(samples["thunderdome"]), summary(samples["scikit-learn"])
        R["jobs"][job] = {"thunderdome": td, "scikit-learn": sk, "check": check(job, td, sk),
                          "samples": samples}
    md = render(R)
    print(md)
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out + ".md", "w") as f:
        f.write(md)
    with open(a.out + ".json", "w") as f:
        json.dump(R, f, indent=1)


if __name__ == "__main__":
    main()
