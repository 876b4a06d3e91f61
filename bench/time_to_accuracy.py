#!/usr/bin/python3
"""Time to accuracy of one logistic-regression fit (issue #17, item 2).

For the single fit of the benchmark's best configuration (SpamAssassin bodies hashed to
numFeatures=2^18, regParam 0.001, standardization=false), and the same at 10x rows, every solver
is run at several stopping tolerances and reported with the objective gap (f − f*)/f* and the test
AUC it reaches, against its solve time:

  thunderdome Newton-CG (solver=auto) at several tol, thunderdome L-BFGS (solver=l-bfgs),
  scikit-learn LogisticRegression (lbfgs, liblinear, saga) at several tol, and liblinear -s 0
  (bench liblinear_fit, through its C API) at several eps.

f is Spark's objective, computed here in Python from each system's coefficients the same way for
all (bench/run_bench.py spark_objective: (1/n)·Σ log(1 + e^(−s·m)) + regParam/2·‖w‖², the
intercept not penalised); f* is the lowest value seen (thunderdome Newton-CG at tol 0 converges
to rounding). scikit-learn and liblinear minimise C·Σ loss + ½‖w‖² with C = 1/(regParam·n),
the same optimum; their bias is regularised, so they are given intercept_scaling / -B 1000 (its
penalty then changes f by < 1e-8 relative).

Times: thunderdome — the whole LogisticRegression.fit() (statistics, compact matrix, solve) on a
loaded frame, 2 threads; liblinear — its train() call, 1 thread; scikit-learn — fit() on a loaded
CSR matrix, 1 thread (its sparse products are serial). CPU seconds are given beside wall.

  /usr/bin/python3 bench/time_to_accuracy.py [--build-dir build] [--repeats 3] [--no-x10]
      [--quick] [--out bench/results/time_to_accuracy]

Writes bench/results/time_to_accuracy.{md,json}. Needs the bench binaries (single_fit,
hash_to_libsvm, liblinear_fit: `ninja -C build single_fit hash_to_libsvm liblinear_fit`).
"""
import argparse
import datetime
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from run_bench import DATA, ROOT, auc_of, load_libsvm, log, med, spark_objective, write_results  # noqa: E402

NF = 262144
REG = 0.001
BIAS = 1000.0
AUC_SAME = 0.0005  # test AUCs within this are "the same" (issue #17's rule for the default)


def child_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


class Runner:
    def __init__(self, args, work, trn, tst, nf, reg):
        self.args, self.work, self.trn, self.nf, self.reg = args, work, trn, nf, reg
        bindir = os.path.join(os.path.abspath(args.build_dir), "bench")
        self.single_fit = os.path.join(bindir, "single_fit")
        self.liblinear_fit = os.path.join(bindir, "liblinear_fit")
        self.X, self.y = load_libsvm(trn, nf)
        self.Xt, self.yt = load_libsvm(tst, nf)
        self.n = self.X.shape[0]
        self.C = 1.0 / (reg * self.n)
        self.k = 0

    def _coef(self):
        self.k += 1
        return os.path.join(self.work, f"c{self.k}.f64")

    def _score(self, coef):
        return spark_objective(self.X, self.y, coef, self.reg)[0], auc_of(self.Xt, self.yt, coef)

    def td(self, tol, solver="auto", max_iter=100):
        coef = self._coef()
        cmd = [self.single_fit, "--input", self.trn, "--num-features", str(self.nf), "--reg",
               repr(self.reg), "--tol", repr(tol), "--max-iter", str(max_iter),
               "--standardization", "false", "--solver", solver, "--coef-out", coef]
        c0 = child_cpu()
        j = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
        f, auc = self._score(coef)
        # single_fit's CPU covers loading + a maxIter-0 fit + the fit: not split; report wall only
        cg = j.get("cgIterations", 0)
        return {"seconds": j["fitSeconds"], "cpu": None, "f": f, "auc": auc,
                "iterations": j["iterations"], "cg": cg,
                "passes": 2 + 3 * j["iterations"] + 2 * cg if solver == "auto" else None,
                "cpuWhole": child_cpu() - c0}

    def liblinear(self, eps):
        coef = self._coef()
        cmd = [self.liblinear_fit, "--input", self.trn, "--num-features", str(self.nf), "--c",
               repr(self.C), "--eps", repr(eps), "--bias", repr(BIAS), "--coef-out", coef]
        j = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
        f, auc = self._score(coef)
        return {"seconds": j["solveSeconds"], "cpu": None, "f": f, "auc": auc,
                "iterations": j["iterations"], "cg": j["cgSteps"],
                "passes": 2 * (j["iterations"] + 1 + j["cgSteps"])}

    def sklearn(self, solver, tol, max_iter):
        import numpy as np
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import LogisticRegression
        kw = {"intercept_scaling": BIAS} if solver == "liblinear" else {}
        m = LogisticRegression(C=self.C, solver=solver, tol=tol, max_iter=max_iter, **kw)
        c0, t0 = time.process_time(), time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            m.fit(self.X, self.y)
        sec, cpu = time.perf_counter() - t0, time.process_time() - c0
        coef = self._coef()
        np.concatenate([m.coef_[0], m.intercept_]).astype("<f8").tofile(coef)
        f, auc = self._score(coef)
        return {"seconds": sec, "cpu": cpu, "f": f, "auc": auc,
                "iterations": int(np.max(m.n_iter_)), "cg": None, "passes": None}


def configs(quick, x10):
    """(system, settings, call) of each measured fit; fewer at 10x rows (scikit-learn is slow)."""
    td_tols = [1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-8]
    out = [("thunderdome Newton-CG", f"tol {t:g}", ("td", t, "auto", 100)) for t in td_tols]
    out += [("thunderdome L-BFGS", f"tol {t:g}, maxIter {mi}", ("td", t, "l-bfgs", mi))
            for t, mi in ((1e-6, 100),) + (() if x10 else ((1e-6, 1000),))]
    out += [("liblinear -s 0", f"eps {e:g}", ("ll", e)) for e in (0.1, 0.01, 1e-3, 1e-4, 1e-5)]
    if x10:
        sk = [("lbfgs", 1e-4, 100), ("liblinear", 1e-4, 100)]
    else:
        sk = [("lbfgs", 1e-4, 100), ("lbfgs", 1e-6, 1000), ("liblinear", 1e-2, 100),
              ("liblinear", 1e-4, 100), ("liblinear", 1e-6, 100), ("saga", 1e-2, 100),
              ("saga", 1e-3, 1000)]
    out += [(f"scikit-learn {s}", f"tol {t:g}, max_iter {mi}", ("sk", s, t, mi)) for s, t, mi in sk]
    if quick:
        out = [c for c in out if c[2][0] != "sk" or c[2][1] == "lbfgs"]
    return out


def run_case(args, work, name, trn, tst):
    r = Runner(args, work, trn, tst, NF, REG)
    log(f"{name}: reference optimum (Newton-CG, tol 0)")
    ref = r.td(0.0, "auto", 100)
    rows = []
    for system, settings, call in configs(args.quick, name != "1x"):
        samples = []
        for rep in range(args.repeats):
            log(f"{name}: {system} {settings} ({rep + 1}/{args.repeats})")
            if call[0] == "td":
                samples.append(r.td(call[1], call[2], call[3]))
            elif call[0] == "ll":
                samples.append(r.liblinear(call[1]))
            else:
                samples.append(r.sklearn(call[1], call[2], call[3]))
        last = samples[-1]
        rows.append({"system": system, "settings": settings, "seconds": med([s["seconds"] for s in samples]),
                     "cpu": med([s["cpu"] for s in samples]) if last["cpu"] is not None else None,
                     "samples": [s["seconds"] for s in samples], "f": last["f"], "auc": last["auc"],
                     "iterations": last["iterations"], "cg": last["cg"], "passes": last["passes"]})
    fstar = min([ref["f"]] + [x["f"] for x in rows])
    for x in rows:
        x["gap"] = (x["f"] - fstar) / fstar
    return {"rows": r.n, "nnz": int(r.X.nnz), "C": r.C, "fstar": fstar, "refAuc": ref["auc"],
            "refSeconds": ref["seconds"], "refIterations": ref["iterations"], "fits": rows}


def render(R):
    out = [f"# Time to accuracy of one fit (issue #17) — {R['date']}", "",
           f"Machine: {R['cpu']}, {os.cpu_count()} cores; thunderdome {R['rev']}; scikit-learn "
           f"{R['sklearn']}. numFeatures 2^18, regParam {REG}, standardization=false; test AUC on "
           f"bench/data/spam_test.tsv. Medians of {R['repeats']} runs. Gap = (f − f*)/f*, f Spark's "
           f"objective computed in Python from each system's coefficients. thunderdome: 2 threads, "
           f"the whole fit; liblinear: its train() call, 1 thread; scikit-learn: fit() on a loaded "
           f"CSR matrix, 1 thread. Passes: over the training matrix (Newton-CG: 2 + 3·Newton + "
           f"2·CG; liblinear ≈ 2·(Newton + 1 + CG)).", ""]
    for name, c in R["cases"].items():
        out += [f"## {name} rows ({c['rows']:,} rows, {c['nnz']:,} non-zeros; C = {c['C']:.6g}); "
                f"f* = {c['fstar']:.12g}, test AUC at f* {c['refAuc']:.6f}", "",
                "| system | settings | solve s | CPU s | iterations | CG steps | passes | (f − f*)/f* | test AUC | AUC − AUC(f*) |",
                "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for x in c["fits"]:
            cpu = f"{x['cpu']:.3f}" if x["cpu"] is not None else ""
            cg = str(x["cg"]) if x["cg"] is not None else ""
            passes = str(x["passes"]) if x["passes"] is not None else ""
            out.append(f"| {x['system']} | {x['settings']} | {x['seconds']:.3f} | {cpu} | "
                       f"{x['iterations']} | {cg} | {passes} | {x['gap']:.2e} | {x['auc']:.6f} | "
                       f"{x['auc'] - c['refAuc']:+.6f} |")
        # Fastest fit of each system whose test AUC is within AUC_SAME of the optimum's.
        out += ["", f"Fastest fit per system with test AUC within {AUC_SAME} of the optimum's:", ""]
        best = {}
        for x in c["fits"]:
            if abs(x["auc"] - c["refAuc"]) <= AUC_SAME and (x["system"] not in best or
                                                           x["seconds"] < best[x["system"]]["seconds"]):
                best[x["system"]] = x
        for s, x in best.items():
            out.append(f"- {s}: {x['settings']}, {x['seconds']:.3f} s, gap {x['gap']:.1e}")
        out.append("")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-x10", action="store_true", help="skip the 10x-rows case")
    ap.add_argument("--quick", action="store_true", help="1 repeat, scikit-learn lbfgs only")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "time_to_accuracy"))
    args = ap.parse_args()
    if args.quick:
        args.repeats = 1
    hasher = os.path.join(os.path.abspath(args.build_dir), "bench", "hash_to_libsvm")
    work = tempfile.mkdtemp(prefix="td-tta-")
    try:
        files = {}
        for src in ("spam_train", "spam_test") + (() if args.no_x10 else ("spam_train_x10",)):
            files[src] = os.path.join(work, src + ".libsvm")
            subprocess.run([hasher, "--input", os.path.join(DATA, src + ".tsv"), "--num-features",
                            str(NF), "--output", files[src]], check=True, capture_output=True)
        import sklearn
        rev = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                             capture_output=True, text=True).stdout.strip()
        cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                    if l.startswith("model name")), "?")
        R = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
             "cpu": cpu, "rev": rev, "sklearn": sklearn.__version__, "repeats": args.repeats,
             "numFeatures": NF, "regParam": REG, "cases": {}}
        R["cases"]["1x"] = run_case(args, work, "1x", files["spam_train"], files["spam_test"])
        if not args.no_x10:
            R["cases"]["10x"] = run_case(args, work, "10x", files["spam_train_x10"], files["spam_test"])
        md = render(R)
        write_results(args.out, R, md)
        sys.stdout.write(md)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
