#!/usr/bin/python3
"""Scaling run of issue #17: the SpamAssassin CV job (bench/specs/spam_cv.json: 27 fits + refit)
at 1x, 10x and 100x the training rows, thunderdome against scikit-learn's GridSearchCV.

For every size and system: wall, CPU (user+sys of the process tree), peak resident memory (sum
over the process tree, sampled), time and memory per training row, and for thunderdome the
solver work its `fit --json` reports (fits, Newton iterations, CG steps, estimated matrix
passes). Runs are interleaved across systems at each size; medians are reported. Writes a
markdown table to stdout and bench/results/scaling.{md,json}.

Data: bench/fetch_spam.py makes spam_train.tsv (1x) and spam_train_x10.tsv (10x);
`bench/fetch_spam.py --x100` makes spam_train_x100.tsv (1.6 GB; thunderdome needs about 4-6 GB
of memory there). The 100x point runs only when that file exists and --x100 is given, once
by default (--repeats-100x); scikit-learn at 100x only with --sk-100x (hours).

  /usr/bin/python3 bench/scaling.py [--repeats 3] [--x100] [--no-sklearn] [--thunderdome BIN]
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(HERE, "data")
sys.path.insert(0, HERE)
from run_bench import measure, med, log, cpu_model, write_results  # noqa: E402

SIZES = [("1x", "spam_train.tsv"), ("10x", "spam_train_x10.tsv"), ("100x", "spam_train_x100.tsv")]


def rows_of(path):
    with open(path, "rb") as fh:
        return sum(1 for _ in fh) - 1


def run_td(td, work, train, test):
    model = os.path.join(work, "model")
    r = measure([td, "fit", "--spec", os.path.join(HERE, "specs", "spam_cv.json"), "--train", train,
                 "--test", test, "--out", model, "--overwrite", "--json", "-q"], "thunderdome fit")
    j = json.loads(r.pop("stdout"))
    shutil.rmtree(model, ignore_errors=True)
    r.update({"fit": j["elapsedSeconds"], "testAuc": j.get("testMetric"),
              "best": j["bestParams"], "work": j.get("work", {}),
              "featureGroups": j.get("featureGroups", {})})
    return r


def run_sk(jobs, train, test):
    r = measure([sys.executable, os.path.join(HERE, "sk_cv.py"), "--train", train, "--test", test,
                 "--n-jobs", str(jobs)], "scikit-learn")
    j = json.loads(r.pop("stdout").strip().splitlines()[-1])
    r.update({"fit": j["fitSeconds"], "testAuc": j["testMetric"], "best": j["bestParams"]})
    return r


def summarize(runs, rows):
    s = {"n": len(runs), "rows": rows}
    for key in ("wall", "fit", "cpu", "peakRssMB", "testAuc", "otherCores"):
        s[key] = med([r.get(key) for r in runs])
    for key in ("fits", "iterations", "cgSteps", "passes"):
        vals = [r.get("work", {}).get(key) for r in runs]
        s[key] = med(vals) if any(v is not None for v in vals) else None
    for key in ("featurized", "derived"):  # tuning's feature groups made, and derived
        vals = [r.get("featureGroups", {}).get(key) for r in runs]
        s[key] = med(vals) if any(v is not None for v in vals) else None
    s["usWallPerRow"] = 1e6 * s["wall"] / rows
    s["usCpuPerRow"] = 1e6 * s["cpu"] / rows
    s["kbPerRow"] = 1e3 * s["peakRssMB"] / rows
    s["best"] = runs[-1].get("best")
    return s


def render(R):
    L = ["# Scaling: spam CV job at 1x, 10x, 100x rows (issue #17)", "",
         f"{R['env']['date']}, {R['env']['cpu']}, {R['env']['cores']} cores, "
         f"{R['env']['memGB']:.0f} GB; thunderdome {R['env']['git']}; scikit-learn "
         f"{R['env'].get('sklearn', '-')} GridSearchCV n_jobs={R['skJobs']}; medians of the runs "
         f"(n per row).", "",
         "| data | rows | system | n | wall s | CPU s | peak RSS MB | µs wall/row | µs CPU/row | "
         "KB RSS/row | fits | Newton it. | CG steps | passes | test AUC |",
         "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]

    def g(x, spec=".1f"):
        return "—" if x is None else format(x, spec)
    for row in R["rows"]:
        s = row["summary"]
        L.append(f"| {row['data']} | {s['rows']} | {row['system']} | {s['n']} | {g(s['wall'])} | "
                 f"{g(s['cpu'])} | {g(s['peakRssMB'], '.0f')} | {g(s['usWallPerRow'], '.0f')} | "
                 f"{g(s['usCpuPerRow'], '.0f')} | {g(s['kbPerRow'], '.2f')} | {g(s['fits'], '.0f')} | "
                 f"{g(s['iterations'], '.0f')} | {g(s['cgSteps'], '.0f')} | {g(s['passes'], '.0f')} | "
                 f"{g(s['testAuc'], '.4f')} |")
    L.append("")
    td = {r["data"]: r["summary"] for r in R["rows"] if r["system"] == "thunderdome"}
    sk = {r["data"]: r["summary"] for r in R["rows"] if r["system"] == "scikit-learn"}
    for a, b in (("1x", "10x"), ("10x", "100x")):
        if a in td and b in td:
            x, y = td[a], td[b]
            L.append(f"thunderdome {a} -> {b}: time per row x{y['usWallPerRow'] / x['usWallPerRow']:.2f} "
                     f"(wall), x{y['usCpuPerRow'] / x['usCpuPerRow']:.2f} (CPU); memory per row "
                     f"x{y['kbPerRow'] / x['kbPerRow']:.2f}; matrix passes (the work per row) "
                     f"x{(y['passes'] or 0) / max(1, x['passes'] or 0):.2f}.")
    for d in ("1x", "10x", "100x"):
        if d in td and d in sk:
            L.append(f"{d}: thunderdome / scikit-learn wall {td[d]['wall'] / sk[d]['wall']:.3f}, "
                     f"peak memory {td[d]['peakRssMB'] / sk[d]['peakRssMB']:.3f}.")
    L += ["", "wall: the whole command (read, tune, refit, test AUC, save); CPU: user+sys of the "
          "process tree; peak RSS: the peak of the sum over the process tree (sampled every 20 ms); "
          "passes: estimated passes over a design matrix (2 + 3 per Newton iteration + 2 per CG "
          "step, per fit); test AUC on bench/data/spam_test.tsv. Rerun: "
          "/usr/bin/python3 bench/scaling.py --x100 (after bench/fetch_spam.py --x100)."]
    return "\n".join(L) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3, help="runs per size and system at 1x/10x")
    ap.add_argument("--x100", action="store_true", help="run thunderdome at 100x (needs the data)")
    ap.add_argument("--repeats-100x", type=int, default=1, help="runs at 100x (default 1)")
    ap.add_argument("--sk-100x", action="store_true", help="also scikit-learn at 100x (hours)")
    ap.add_argument("--no-sklearn", action="store_true")
    ap.add_argument("--sk-sizes", default="1x,10x", help="sizes scikit-learn runs at (default 1x,10x)")
    ap.add_argument("--sk-jobs", type=int, default=2)
    ap.add_argument("--sizes", default="1x,10x,100x", help="comma list of 1x,10x,100x")
    ap.add_argument("--thunderdome", default=os.path.join(ROOT, "build", "cli", "thunderdome"))
    ap.add_argument("--out", default=os.path.join(HERE, "results", "scaling"))
    ap.add_argument("--render", action="store_true", help="only rewrite OUT.md from OUT.json")
    args = ap.parse_args()
    if args.render:
        with open(args.out + ".json") as fh:
            md = render(json.load(fh))
        with open(args.out + ".md", "w") as fh:
            fh.write(md)
        print(md)
        return
    test = os.path.join(DATA, "spam_test.tsv")
    env = {"date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), "cores": os.cpu_count(),
           "cpu": cpu_model() or platform.processor(), "python": platform.python_version()}
    with open("/proc/meminfo") as fh:
        env["memGB"] = int(fh.readline().split()[1]) / 1e6
    import subprocess
    env["git"] = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                                capture_output=True, text=True).stdout.strip() or "?"
    if not args.no_sklearn:
        try:
            import sklearn
            env["sklearn"] = sklearn.__version__
        except ImportError:
            args.no_sklearn = True
    work = tempfile.mkdtemp(prefix="td-scaling-")
    R = {"env": env, "skJobs": args.sk_jobs, "rows": []}
    wanted = args.sizes.split(",")
    try:
        for label, fname in SIZES:
            if label not in wanted:
                continue
            train = os.path.join(DATA, fname)
            if label == "100x" and not args.x100:
                log("100x: skipped (--x100 runs it)")
                continue
            if not os.path.exists(train):
                log(f"{label}: {train} missing (bench/fetch_spam.py{' --x100' if label == '100x' else ''})")
                continue
            rows = rows_of(train)
            systems = {"thunderdome": lambda: run_td(args.thunderdome, work, train, test)}
            if not args.no_sklearn and (label in args.sk_sizes.split(",") or
                                        (label == "100x" and args.sk_100x)):
                systems["scikit-learn"] = lambda: run_sk(args.sk_jobs, train, test)
            repeats = args.repeats_100x if label == "100x" else args.repeats
            runs = {k: [] for k in systems}
            for r in range(repeats):
                for name, fn in systems.items():
                    log(f"{label}: {name} run {r + 1}/{repeats}")
                    runs[name].append(fn())
                    x = runs[name][-1]
                    log(f"  wall {x['wall']:.1f} s, CPU {x['cpu']:.1f} s, peak RSS {x['peakRssMB']:.0f} MB")
            for name, rs in runs.items():
                R["rows"].append({"data": label, "system": name, "summary": summarize(rs, rows),
                                  "runs": rs})
    finally:
        shutil.rmtree(work, ignore_errors=True)
    md = render(R)
    print(md)
    write_results(args.out, R, md)


if __name__ == "__main__":
    main()
