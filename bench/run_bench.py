#!/usr/bin/python3
"""Benchmark of issue #5: thunderdome against scikit-learn and liblinear on the SpamAssassin job.

Runs, in one session on one machine: the thunderdome CLI (`fit --json`, standardization false and
true), scikit-learn's GridSearchCV (bench/sk_cv.py), single fits of the best configuration
(bench single_fit against liblinear -s 0 through its API and the `liblinear-train` command), and a
STREAM-like triad (bench membw). Every measured run is repeated (interleaved across systems) and
medians are reported. Writes a markdown table to stdout and bench/results/latest.{md,json}.

Run with Debian's /usr/bin/python3 (numpy, scipy, scikit-learn). See bench/README.md.
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(HERE, "data")
PAGE = os.sysconf("SC_PAGE_SIZE")
CLK = os.sysconf("SC_CLK_TCK")
GAP_TARGET = 1e-6  # relative objective gap the single-fit target asks for


# ----------------------------------------------------------------------------- measuring
def _children(pid):
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as f:
                    out.extend(int(c) for c in f.read().split())
            except OSError:
                pass
    except OSError:
        pass
    return out


def _tree(root):
    seen, stack = [], [root]
    while stack:
        p = stack.pop()
        seen.append(p)
        stack.extend(_children(p))
    return seen


def _rss(pid):
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _pss(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _cpu(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK  # utime + stime
    except (OSError, IndexError, ValueError):
        return None


class TreeSampler(threading.Thread):
    """Polls a process tree: peak of the summed RSS (every tick) and PSS (every 5th tick), and
    the last CPU time seen per process (a cross-check of wait4's figure)."""

    def __init__(self, pid, interval=0.02):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_rss = self.peak_pss = 0
        self.max_procs = 0
        self.cpu = {}
        self._halt = threading.Event()

    def run(self):
        tick = 0
        while not self._halt.is_set():
            pids = _tree(self.pid)
            self.max_procs = max(self.max_procs, len(pids))
            self.peak_rss = max(self.peak_rss, sum(_rss(p) for p in pids))
            if tick % 5 == 0:
                self.peak_pss = max(self.peak_pss, sum(_pss(p) for p in pids))
            for p in pids:
                c = _cpu(p)
                if c is not None:
                    self.cpu[p] = c
            tick += 1
            self._halt.wait(self.interval)

    def stop(self):
        self._halt.set()
        self.join()


def busy_seconds():
    """CPU seconds the whole machine has been busy (user, nice, system, irq, softirq, steal)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return (v[0] + v[1] + v[2] + v[5] + v[6] + (v[7] if len(v) > 7 else 0)) / CLK


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def measure(cmd, label, env=None):
    """Runs cmd; returns wall/CPU/memory figures and its stdout. Raises on failure."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        load0 = loadavg()
        busy0 = busy_seconds()
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        sampler = TreeSampler(p.pid)
        sampler.start()
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
        busy = busy_seconds() - busy0
        p.returncode = os.waitstatus_to_exitcode(status)
        sampler.stop()
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if p.returncode != 0:
        raise RuntimeError(f"{label}: exit {p.returncode}: {' '.join(cmd)}\n{stderr[-3000:]}")
    cpu_wait4 = ru.ru_utime + ru.ru_stime
    cpu_polled = sum(sampler.cpu.values())
    return {
        "wall": wall,
        "cpu": max(cpu_wait4, cpu_polled),
        "cpuWait4": cpu_wait4,
        "cpuPolled": cpu_polled,
        "peakRssMB": max(sampler.peak_rss, ru.ru_maxrss * 1024) / 1e6,
        "peakPssMB": (sampler.peak_pss or ru.ru_maxrss * 1024) / 1e6,
        "maxRssSingleMB": ru.ru_maxrss * 1024 / 1e6,
        "maxProcesses": sampler.max_procs,
        "loadavgBefore": load0,
        "loadavgAfter": loadavg(),
        # Cores kept busy by everything else (other processes, this harness, steal) meanwhile.
        "otherCores": max(0.0, busy - max(cpu_wait4, cpu_polled)) / wall,
        "stdout": stdout,
    }


def write_results(out, R, md):
    """Writes OUT.md (the report) and OUT.json (the raw results R) and logs where."""
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out + ".md", "w") as fh:
        fh.write(md)
    with open(out + ".json", "w") as fh:
        json.dump(R, fh, indent=1, default=str)
    log(f"wrote {out}.md and {out}.json")


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def cpu_model():
    """The CPU's model name from /proc/cpuinfo, or ""."""
    try:
        with open("/proc/cpuinfo") as f:
            return next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        return ""


def interleave(systems, repeats, describe):
    """Runs every system of {name: fn} once per repeat, in turn (so that a noisy stretch of the
    machine hits them all alike), logging describe(figures) after each run; returns
    {name: [figures of each repeat]}."""
    runs = {k: [] for k in systems}
    for r in range(repeats):
        for name, fn in systems.items():
            log(f"repeat {r + 1}/{repeats}: {name}")
            runs[name].append(fn())
            log("  " + describe(runs[name][-1]))
    return runs


# ----------------------------------------------------------------------------- systems
class Bench:
    def __init__(self, args):
        self.args = args
        build = os.path.abspath(args.build_dir)
        self.td = args.thunderdome or os.path.join(build, "cli", "thunderdome")
        bindir = args.bin_dir or os.path.join(build, "bench")
        self.bin = {n: os.path.join(bindir, n)
                    for n in ("single_fit", "hash_to_libsvm", "membw", "liblinear_fit")}
        self.work = tempfile.mkdtemp(prefix="td-bench-")
        self.py = sys.executable
        need = [self.td, self.bin["single_fit"], self.bin["hash_to_libsvm"], self.bin["membw"]]
        if not args.no_liblinear:
            need.append(self.bin["liblinear_fit"])
        for path in need:
            if not os.access(path, os.X_OK):
                sys.exit(f"run_bench: {path} missing: build first (bench/run.sh does; bench/ must "
                         f"be in the CMake build: add_subdirectory(bench))")
        self.liblinear_train = shutil.which("liblinear-train") or shutil.which("train")
        if args.quick:
            self.train = os.path.join(DATA, "spam_train_quick.tsv")
            self.test = os.path.join(DATA, "spam_test_quick.tsv")
        else:
            self.train = os.path.join(DATA, "spam_train.tsv")
            self.test = os.path.join(DATA, "spam_test.tsv")
        for path in (self.train, self.test):
            if not os.path.exists(path):
                sys.exit(f"run_bench: {path} missing: run bench/fetch_spam.py")

    def cleanup(self):
        shutil.rmtree(self.work, ignore_errors=True)

    # -- cross-validation jobs
    def run_td(self, spec, train, test):
        model = os.path.join(self.work, "model")
        r = measure([self.td, "fit", "--spec", spec, "--train", train, "--test", test,
                     "--out", model, "--overwrite", "--json", "-q"], "thunderdome fit")
        j = json.loads(r.pop("stdout"))
        shutil.rmtree(model, ignore_errors=True)
        best = j["bestIndex"]
        r.update({
            "fit": j["elapsedSeconds"],
            "best": {"numFeatures": j["bestParams"]["hashingTF.numFeatures"],
                     "regParam": j["bestParams"]["lr.regParam"]},
            "cvAuc": j["avgMetrics"][best],
            "testAuc": j.get("testMetric"),
            "trainRows": j.get("trainRows"),
            "avgMetrics": j["avgMetrics"],
        })
        return r

    def run_sk(self, train, test):
        r = measure([self.py, os.path.join(HERE, "sk_cv.py"), "--train", train, "--test", test,
                     "--n-jobs", str(self.args.sk_jobs)], "scikit-learn")
        j = json.loads(r.pop("stdout").strip().splitlines()[-1])
        r.update({"fit": j["fitSeconds"], "best": j["bestParams"], "cvAuc": j["bestCvMetric"],
                  "testAuc": j["testMetric"], "trainRows": j["trainRows"],
                  "avgMetrics": j["avgMetrics"], "refitIterations": j["refitIterations"],
                  "sklearnVersion": j["sklearnVersion"]})
        return r


def summarize(runs):
    """Medians of the numeric figures of repeated runs (plus min/max of wall)."""
    s = {"n": len(runs)}
    for key in ("wall", "fit", "cpu", "peakRssMB", "peakPssMB", "cvAuc", "testAuc"):
        s[key] = med([r.get(key) for r in runs])
    walls = [r["wall"] for r in runs]
    s["wallMin"], s["wallMax"] = min(walls), max(walls)
    bests = [json.dumps(r["best"], sort_keys=True) for r in runs]
    s["best"] = json.loads(max(set(bests), key=bests.count))
    s["bestVaries"] = len(set(bests)) > 1
    s["maxProcesses"] = max(r.get("maxProcesses", 1) for r in runs)
    s["maxLoadavg"] = max(max(r["loadavgBefore"], r["loadavgAfter"]) for r in runs)
    s["otherCores"] = med([r.get("otherCores") for r in runs])
    s["otherCoresMax"] = max(r.get("otherCores", 0.0) for r in runs)
    return s


# ----------------------------------------------------------------------------- single fit
def load_libsvm(path, nf):
    from sklearn.datasets import load_svmlight_file
    X, y = load_svmlight_file(path, n_features=nf, zero_based=False)
    return X.tocsr(), y


def spark_objective(X, y, coef_file, reg):
    """(1/n) Σ log(1 + exp(−s_i m_i)) + reg/2 ‖w‖², s = 2y − 1, m = Xw + b; b not penalised."""
    import numpy as np
    c = np.fromfile(coef_file, dtype="<f8")
    w, b = c[:-1], c[-1]
    m = X @ w + b
    s = 2.0 * y - 1.0
    return float(np.mean(np.logaddexp(0.0, -s * m)) + 0.5 * reg * float(w @ w)), w, b


def auc_of(X, y, coef_file):
    import numpy as np
    from sklearn.metrics import roc_auc_score
    c = np.fromfile(coef_file, dtype="<f8")
    return float(roc_auc_score(y, X @ c[:-1] + c[-1]))


def single_fit_section(b, nf, reg, repeats):
    a = b.args
    trn = os.path.join(b.work, f"train_{nf}.libsvm")
    tst = os.path.join(b.work, f"test_{nf}.libsvm")
    h = {}
    for src, dst in ((b.train, trn), (b.test, tst)):
        out = subprocess.run([b.bin["hash_to_libsvm"], "--input", src, "--num-features", str(nf),
                              "--output", dst], check=True, capture_output=True, text=True).stdout
        h[dst] = json.loads(out)
    rows, nnz = h[trn]["rows"], h[trn]["nnz"]
    X, y = load_libsvm(trn, nf)
    Xt, yt = load_libsvm(tst, nf)
    C = 1.0 / (reg * rows)
    bias = a.liblinear_bias
    res = {"numFeatures": nf, "regParam": reg, "rows": rows, "nnz": nnz, "C": C,
           "liblinearBias": bias, "fits": {}}

    def td_fit(tol, max_iter, name, history=False, solver="auto"):
        coef = os.path.join(b.work, f"{name}.f64")
        cmd = [b.bin["single_fit"], "--input", trn, "--num-features", str(nf), "--reg", repr(reg),
               "--tol", repr(tol), "--max-iter", str(max_iter), "--standardization", "false",
               "--solver", solver, "--coef-out", coef] + (["--history"] if history else [])
        j = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
        j["coef"] = coef
        return j

    def ll_fit(eps, name):
        coef = os.path.join(b.work, f"{name}.f64")
        cmd = [b.bin["liblinear_fit"], "--input", trn, "--num-features", str(nf), "--c", repr(C),
               "--eps", repr(eps), "--bias", repr(bias), "--coef-out", coef]
        j = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
        j["coef"] = coef
        return j

    objs = {}
    # Reference optimum and the solver-progress probe (once each, not repeated).
    log(f"single fit: reference runs (numFeatures={nf}, regParam={reg})")
    probe = td_fit(0.0, a.probe_iters, "td_probe", history=True)
    objs["td_probe"] = spark_objective(X, y, probe["coef"], reg)[0]
    ll_ref = None
    if not a.no_liblinear:
        ll_ref = ll_fit(1e-8, "ll_ref")
        objs["ll_ref"] = spark_objective(X, y, ll_ref["coef"], reg)[0]

    # Timed, repeated fits.
    runs = {"td": [], "td_lbfgs": [], "ll_default": [], "ll_cli": []}
    for r in range(repeats):
        log(f"single fit: repeat {r + 1}/{repeats}")
        runs["td"].append(td_fit(1e-6, 100, "td_default"))
        runs["td_lbfgs"].append(td_fit(1e-6, 100, "td_lbfgs", solver="l-bfgs"))
        if not a.no_liblinear:
            runs["ll_default"].append(ll_fit(0.01, "ll_default"))
            if b.liblinear_train:
                m = measure([b.liblinear_train, "-s", "0", "-c", repr(C), "-B", repr(bias), "-q",
                             trn, os.path.join(b.work, "ll_cli.model")], "liblinear-train")
                m.pop("stdout")
                runs["ll_cli"].append(m)
    objs["td_default"] = spark_objective(X, y, runs["td"][-1]["coef"], reg)[0]
    objs["td_lbfgs"] = spark_objective(X, y, runs["td_lbfgs"][-1]["coef"], reg)[0]
    if runs["ll_default"]:
        objs["ll_default"] = spark_objective(X, y, runs["ll_default"][-1]["coef"], reg)[0]
    fstar = min(objs.values())
    gap = lambda f: (f - fstar) / abs(fstar)

    # liblinear: the loosest eps whose result is within GAP_TARGET of f*, then timed.
    ll_cal = None
    if not a.no_liblinear:
        for eps in (1e-3, 1e-4, 1e-5, 1e-6, 1e-7):
            j = ll_fit(eps, "ll_cal")
            f = spark_objective(X, y, j["coef"], reg)[0]
            if gap(f) <= GAP_TARGET:
                ll_cal = eps
                break
        ll_cal = ll_cal or 1e-8
        runs["ll_cal"] = [ll_fit(ll_cal, "ll_cal") for _ in range(repeats)]
        objs["ll_cal"] = spark_objective(X, y, runs["ll_cal"][-1]["coef"], reg)[0]
        fstar = min(objs.values())

    # Probe: iterations (and estimated time) until thunderdome is within GAP_TARGET of f*.
    hist = probe.get("objectiveHistory", [])
    per_iter_probe = (probe["fitSeconds"] - probe["setupSeconds"]) / max(1, probe["iterations"])
    k_target = next((k for k, f in enumerate(hist) if gap(f) <= GAP_TARGET), None)
    res["probe"] = {
        "maxIter": a.probe_iters, "iterations": probe["iterations"],
        "fitSeconds": probe["fitSeconds"], "finalGap": gap(objs["td_probe"]),
        "gapAt": {str(k): gap(hist[k]) for k in (10, 30, 100, 300, 1000, 3000) if k < len(hist)},
        "iterationsToTarget": k_target,
        "estSecondsToTarget": (probe["setupSeconds"] + k_target * per_iter_probe
                               if k_target is not None else None),
    }

    td = runs["td"]
    res["fits"]["thunderdome"] = {
        "settings": "solver=auto (Newton-CG), tol 1e-6, maxIter 100, standardization=false",
        "seconds": med([j["fitSeconds"] for j in td]),
        "setupSeconds": med([j["setupSeconds"] for j in td]),
        "iterations": td[-1]["iterations"], "cgSteps": td[-1].get("cgIterations", 0),
        "converged": td[-1]["converged"],
        "objective": objs["td_default"], "solverObjective": td[-1]["objective"],
        "gap": gap(objs["td_default"]), "testAuc": auc_of(Xt, yt, td[-1]["coef"]),
        "samples": [j["fitSeconds"] for j in td],
    }
    tl = runs["td_lbfgs"]
    res["fits"]["thunderdome_lbfgs"] = {
        "settings": "solver=l-bfgs (Spark's optimizer), tol 1e-6, maxIter 100, standardization=false",
        "seconds": med([j["fitSeconds"] for j in tl]),
        "iterations": tl[-1]["iterations"], "cgSteps": 0, "converged": tl[-1]["converged"],
        "objective": objs["td_lbfgs"], "gap": gap(objs["td_lbfgs"]),
        "testAuc": auc_of(Xt, yt, tl[-1]["coef"]), "samples": [j["fitSeconds"] for j in tl],
    }
    if runs["ll_default"]:
        ld = runs["ll_default"]
        res["fits"]["liblinear"] = {
            "settings": f"-s 0 -c {C:.6g} -B {bias:g} -e 0.01 (default eps)",
            "seconds": med([j["solveSeconds"] for j in ld]),
            "iterations": ld[-1]["iterations"], "cgSteps": ld[-1]["cgSteps"],
            "objective": objs["ll_default"], "gap": gap(objs["ll_default"]),
            "testAuc": auc_of(Xt, yt, ld[-1]["coef"]),
            "cliWall": med([m["wall"] for m in runs["ll_cli"]]) if runs["ll_cli"] else None,
            "cliPeakRssMB": med([m["peakRssMB"] for m in runs["ll_cli"]]) if runs["ll_cli"] else None,
            "samples": [j["solveSeconds"] for j in ld],
        }
        lc = runs["ll_cal"]
        res["fits"]["liblinear_tight"] = {
            "settings": f"-s 0 -c {C:.6g} -B {bias:g} -e {ll_cal:g} (loosest eps reaching "
                        f"{GAP_TARGET:g})",
            "eps": ll_cal,
            "seconds": med([j["solveSeconds"] for j in lc]),
            "iterations": lc[-1]["iterations"], "cgSteps": lc[-1]["cgSteps"],
            "objective": objs["ll_cal"], "gap": gap(objs["ll_cal"]),
            "testAuc": auc_of(Xt, yt, lc[-1]["coef"]),
            "samples": [j["solveSeconds"] for j in lc],
        }
        res["liblinearReference"] = {"eps": 1e-8, "objective": objs["ll_ref"],
                                     "seconds": ll_ref["solveSeconds"],
                                     "iterations": ll_ref["iterations"]}
    res["fstar"] = fstar
    res["objectives"] = objs
    res["perIterationSeconds"] = med([(j["fitSeconds"] - j["setupSeconds"]) / max(1, j["iterations"])
                                      for j in td])
    # Passes over the matrix of a Newton-CG fit: f and ∇f at the start (2), then per iteration the
    # Hessian diagonal (1), X·s for the line search (1) and ∇f at the new point (1), plus 2 per CG
    # step (X·d and Xᵀ·u).
    res["passes"] = med([2 + 3 * j["iterations"] + 2 * j.get("cgIterations", 0) for j in td])
    res["perPassSeconds"] = med([(j["fitSeconds"] - j["setupSeconds"]) /
                                 max(1, 2 + 3 * j["iterations"] + 2 * j.get("cgIterations", 0))
                                 for j in td])
    return res


def bandwidth_section(membw, sf, threads):
    """Thunderdome's time per pass over the training matrix against the triad bandwidth."""
    rows, nnz = sf["rows"], sf["nnz"]
    by = {(m["mibPerArray"], m["threads"]): m["bestGBs"] for m in membw}
    sizes = sorted({m["mibPerArray"] for m in membw})
    dram = by.get((sizes[-1], threads))
    cache = by.get((16, threads)) or by.get((sizes[0], threads))
    out = {}
    # CSR with int32 column indices and float64 values, plus int64 row offsets: what one
    # sweep of X·w (or Xᵀ·r over the transposed copy) must read at least.
    bytes_pass = nnz * 12 + (rows + 1) * 8
    it = sf["perIterationSeconds"]
    pass_s = sf["perPassSeconds"]
    gbs = bytes_pass / pass_s / 1e9
    out["thunderdome"] = {"bytesPerPass": bytes_pass, "passes": sf["passes"],
                          "perIterationSeconds": it, "perPassSeconds": pass_s, "GBs": gbs,
                          "fractionDram": gbs / dram if dram else None,
                          "fractionCache": gbs / cache if cache else None}
    ll = sf["fits"].get("liblinear")
    if ll:
        # liblinear's feature_node is 16 bytes (int index padded, double value); each row has a
        # bias node and a terminator. TRON: f and ∇f (2 sweeps) per iteration + 1, and each CG
        # step a Hessian-vector product (2 sweeps); line-search re-evaluations not counted.
        bpass = (nnz + 2 * rows) * 16
        passes = 2 * (ll["iterations"] + 1) + 2 * ll["cgSteps"]
        ps = ll["seconds"] / passes
        g = bpass / ps / 1e9
        out["liblinear"] = {"bytesPerPass": bpass, "passes": passes, "perPassSeconds": ps,
                            "GBs": g, "fractionDram1": g / by.get((sizes[-1], 1), float("nan")),
                            "fractionCache1": g / (by.get((16, 1)) or by.get((sizes[0], 1)))}
    out["triad"] = {"dramGBs": dram, "cacheGBs": cache, "dramMiB": sizes[-1],
                    "cacheMiB": 16 if (16, threads) in by else sizes[0], "threads": threads}
    return out


# ----------------------------------------------------------------------------- report
def f(x, spec=".2f"):
    return "–" if x is None else format(x, spec)


def best_str(bst):
    nf = bst["numFeatures"]
    p = nf.bit_length() - 1
    return f"2^{p}, {bst['regParam']:g}" if nf == 1 << p else f"{nf}, {bst['regParam']:g}"


def render(R):
    L = []
    e = R["env"]
    L.append(f"# thunderdome benchmark (issue #5) — {e['date']}")
    L.append("")
    L.append(f"Machine: {e['cpu']}, {e['cores']} cores, {e['memGB']:.0f} GB; thunderdome "
             f"{e['thunderdomeVersion']} ({e['git']}), scikit-learn {e.get('sklearn', '?')}, "
             f"liblinear {e.get('liblinear', '–')}. Data: {e['trainRows']} train / "
             f"{e['testRows']} test rows{' (QUICK subset)' if R['args']['quick'] else ''}. "
             f"Medians of {R['args']['repeats']} runs. Other work on the machine during the "
             f"measured runs: median {R['otherCoresMedian']:.2f}, max {R['otherCoresMax']:.2f} of "
             f"{e['cores']} cores busy (1-min load average up to {R['maxLoadavg']:.1f}).")
    L.append("")
    L.append("## Cross-validation job (27 fits + refit, test AUC)")
    L.append("")
    L.append("| system | settings | wall s | fit s | CPU s | peak RSS Σ MB | peak PSS Σ MB | "
             "best (numFeatures, regParam) | mean CV AUC | test AUC | others' cores |")
    L.append("|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|")
    for name, s in R["cv"].items():
        L.append(f"| {s['label']} | {s['settings']} | {f(s['wall'])} ({f(s['wallMin'])}–"
                 f"{f(s['wallMax'])}) | {f(s['fit'])} | {f(s['cpu'])} | {f(s['peakRssMB'], '.0f')} | "
                 f"{f(s['peakPssMB'], '.0f')} | {best_str(s['best'])}{' *' if s['bestVaries'] else ''} | "
                 f"{f(s['cvAuc'], '.6f')} | {f(s['testAuc'], '.6f')} | {f(s['otherCores'])} |")
    if "sklearn" in R["cv"]:
        L.append("")
        L.append("| ratio thunderdome / scikit-learn | wall | fit | CPU | peak RSS Σ | peak PSS Σ |")
        L.append("|---|---:|---:|---:|---:|---:|")
        sk = R["cv"]["sklearn"]
        for name in ("td", "td_std"):
            if name not in R["cv"]:
                continue
            s = R["cv"][name]
            rat = {k: (s[k] / sk[k] if s[k] and sk[k] else None)
                   for k in ("wall", "fit", "cpu", "peakRssMB", "peakPssMB")}
            L.append(f"| {s['label']} {s['short']} | {f(rat['wall'], '.3f')} | "
                     f"{f(rat['fit'], '.3f')} | {f(rat['cpu'], '.3f')} | "
                     f"{f(rat['peakRssMB'], '.3f')} | {f(rat['peakPssMB'], '.3f')} |")
        L.append("| target | ≤ 0.050 (20× faster) | | | ≤ 0.333 | |")
    g = R.get("grid")
    if g:
        L.append("")
        L.append("## The grid against its fits (parallelism 1)")
        L.append("")
        L.append("| shortcuts | fit s | CPU s | peak RSS MB | mean s per fit |")
        L.append("|---|---:|---:|---:|---:|")
        for key, label in (("off", "off: 27 fits + refit, each tokenizing, hashing and fitting "
                                   "cold (= the sum of the plain fits)"),
                           ("on", "on: shared tokenization, hashing once per numFeatures, fold "
                                  "views, warm starts along regParam")):
            x = g[key]
            L.append(f"| {label} | {f(x['fit'], '.2f')} | {f(x['cpu'], '.2f')} | "
                     f"{f(x['peakRssMB'], '.0f')} | {f(x['fit'] / g['fits'], '.3f')} |")
        L.append("")
        L.append(f"Ratio on/off: **{g['ratio']:.3f}** (target ≤ 0.5). Largest difference in the "
                 f"mean CV metrics: {g['maxMetricDiff']:.1e} (warm starts stop within the "
                 f"solver's tolerance); same best map: {'yes' if g['sameBest'] else 'no'}.")
    sf = R.get("single")
    if sf:
        L.append("")
        L.append(f"## Single fit of the best configuration (numFeatures={sf['numFeatures']}, "
                 f"regParam={sf['regParam']:g}, {sf['rows']} rows, {sf['nnz']} non-zeros; "
                 f"liblinear C = 1/(regParam·n) = {sf['C']:.6g})")
        L.append("")
        L.append("Objective: Spark's (1/n)·Σ log(1+e^(−s·m)) + regParam/2·‖w‖², computed in Python "
                 f"from each system's coefficients; f* = {sf['fstar']:.12g} is the lowest value "
                 "seen (liblinear at eps 1e-8 or the long thunderdome probe).")
        L.append("")
        L.append("| system | settings | solve s | iterations | objective | (f − f*)/f* | test AUC |")
        L.append("|---|---|---:|---:|---:|---:|---:|")
        t = sf["fits"]["thunderdome"]
        L.append(f"| thunderdome | {t['settings']} | {f(t['seconds'], '.3f')} | {t['iterations']}"
                 f" Newton / {t['cgSteps']} CG{'' if t['converged'] else ' (cap)'} | "
                 f"{t['objective']:.10g} | {t['gap']:.2e} | {t['testAuc']:.6f} |")
        tl = sf["fits"].get("thunderdome_lbfgs")
        if tl:
            L.append(f"| thunderdome | {tl['settings']} | {f(tl['seconds'], '.3f')} | "
                     f"{tl['iterations']}{'' if tl['converged'] else ' (cap)'} | "
                     f"{tl['objective']:.10g} | {tl['gap']:.2e} | {tl['testAuc']:.6f} |")
        p = sf["probe"]
        reach = (f"reaches {GAP_TARGET:g} at iteration {p['iterationsToTarget']} (≈ "
                 f"{p['estSecondsToTarget']:.2f} s)" if p["iterationsToTarget"] is not None else
                 f"not within {GAP_TARGET:g} after {p['iterations']} iterations")
        gaps = ", ".join(f"{k}: {v:.1e}" for k, v in p["gapAt"].items())
        L.append(f"| thunderdome probe | tol 0, maxIter {p['maxIter']}: {reach} | "
                 f"{p['fitSeconds']:.3f} | {p['iterations']} | gap by iteration: {gaps} | "
                 f"{p['finalGap']:.2e} | |")
        for key in ("liblinear", "liblinear_tight"):
            if key in sf["fits"]:
                l = sf["fits"][key]
                L.append(f"| liblinear | {l['settings']} | {f(l['seconds'], '.3f')} | "
                         f"{l['iterations']} Newton / {l['cgSteps']} CG | {l['objective']:.10g} | "
                         f"{l['gap']:.2e} | {l['testAuc']:.6f} |")
        if "liblinear" in sf["fits"]:
            l, lt = sf["fits"]["liblinear"], sf["fits"]["liblinear_tight"]
            L.append("")
            L.append(f"`liblinear-train -s 0 -c {sf['C']:.6g} -B {sf['liblinearBias']:g}` as a "
                     f"command (parsing the LibSVM text included): {f(l['cliWall'], '.3f')} s wall, "
                     f"{f(l['cliPeakRssMB'], '.0f')} MB. Ratios thunderdome / liblinear solve time: "
                     f"{t['seconds'] / l['seconds']:.2f} (default eps), "
                     f"{t['seconds'] / lt['seconds']:.2f} (eps {lt['eps']:g}); target ≤ 1 at a gap "
                     f"≤ {GAP_TARGET:g}.")
    bw = R.get("bandwidth")
    if bw:
        tr = bw["triad"]
        L.append("")
        L.append("## Time per pass over the data vs memory bandwidth")
        L.append("")
        mb = R["membw"]
        cells = ", ".join(f"{m['mibPerArray']} MiB×{m['threads']}t {m['bestGBs']:.1f}" for m in mb)
        L.append(f"STREAM-like triad (best GB/s, array size × threads): {cells}.")
        L.append("")
        L.append("| system | bytes per pass | passes | time per pass | effective GB/s | "
                 f"of triad {tr['dramMiB']} MiB | of triad {tr['cacheMiB']} MiB |")
        L.append("|---|---:|---:|---:|---:|---:|---:|")
        t = bw["thunderdome"]
        L.append(f"| thunderdome ({tr['threads']} threads) | {t['bytesPerPass'] / 1e6:.1f} MB | "
                 f"≈{t['passes']:.0f} (Newton-CG) | "
                 f"{t['perPassSeconds'] * 1e3:.2f} ms | {t['GBs']:.2f} | "
                 f"{100 * t['fractionDram']:.1f}% | {100 * t['fractionCache']:.1f}% |")
        if "liblinear" in bw:
            l = bw["liblinear"]
            L.append(f"| liblinear (1 thread; vs 1-thread triad) | {l['bytesPerPass'] / 1e6:.1f} MB | "
                     f"≈{l['passes']} | {l['perPassSeconds'] * 1e3:.2f} ms | {l['GBs']:.2f} | "
                     f"{100 * l['fractionDram1']:.1f}% | {100 * l['fractionCache1']:.1f}% |")
    sc = R.get("scaling")
    if sc:
        L.append("")
        L.append("## Scaling (same job, thunderdome standardization=false unless noted)")
        L.append("")
        L.append("| training data | rows | system | wall s | CPU s | peak RSS Σ MB | µs wall per row | "
                 "best | test AUC | others' cores |")
        L.append("|---|---:|---|---:|---:|---:|---:|---|---:|---:|")
        for row in sc:
            s = row["summary"]
            L.append(f"| {row['data']} | {row['rows']} | {row['system']} | {f(s['wall'])} | "
                     f"{f(s['cpu'])} | {f(s['peakRssMB'], '.0f')} | "
                     f"{1e6 * s['wall'] / row['rows']:.0f} | {best_str(s['best'])} | "
                     f"{f(s['testAuc'], '.6f')} | {f(s['otherCores'])} |")
    L.append("")
    L.append("wall: whole process (read, tune, refit, test AUC, save); fit: the system's own timer "
             "around tuning + refit; CPU: user+sys of the process tree; RSS Σ / PSS Σ: peak of the "
             "sum over the process tree (sampled every 20/100 ms; PSS shares library pages between "
             "processes); others' cores: CPU the rest of the machine used meanwhile (/proc/stat busy time minus "
             "this run's CPU, per second of wall; 0 on a quiet machine); * best configuration "
             "differed between runs. See bench/README.md.")
    return "\n".join(L) + "\n"


# ----------------------------------------------------------------------------- main
def env_info(b):
    e = {"date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), "cores": os.cpu_count(),
         "python": platform.python_version()}
    try:
        with open("/proc/cpuinfo") as fh:
            e["cpu"] = next(l.split(":", 1)[1].strip() for l in fh if l.startswith("model name"))
    except (OSError, StopIteration):
        e["cpu"] = platform.processor()
    with open("/proc/meminfo") as fh:
        e["memGB"] = int(fh.readline().split()[1]) / 1e6
    e["thunderdomeVersion"] = subprocess.run([b.td, "--version"], capture_output=True,
                                             text=True).stdout.strip().removeprefix("thunderdome ")
    git = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                         capture_output=True, text=True).stdout.strip()
    e["git"] = b.args.engine_rev or git or "?"
    try:
        import sklearn
        e["sklearn"] = sklearn.__version__
    except ImportError:
        pass
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "liblinear4"],
                             capture_output=True, text=True).stdout.strip()
        if out:
            e["liblinear"] = out
    except OSError:
        pass
    return e


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3, help="runs per measurement (median; default 3)")
    ap.add_argument("--quick", action="store_true",
                    help="smoke test: 600/200-row subset, 1 repeat, short probes")
    ap.add_argument("--scaling", action="store_true",
                    help="also run the job on 25%%, 50%%, 100%% of the rows and on the 10x corpus")
    ap.add_argument("--scaling-peers", action="store_true",
                    help="include scikit-learn in the scaling run (slow: ~10x the main run at 10x)")
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    ap.add_argument("--thunderdome", help="thunderdome binary (default BUILD/cli/thunderdome)")
    ap.add_argument("--bin-dir", help="bench binaries (default BUILD/bench)")
    ap.add_argument("--engine-rev", help="revision to record for the measured thunderdome build "
                    "(default: git describe of this checkout)")
    ap.add_argument("--no-sklearn", action="store_true")
    ap.add_argument("--no-liblinear", action="store_true")
    ap.add_argument("--no-single", action="store_true", help="skip single fits and bandwidth")
    ap.add_argument("--sk-jobs", type=int, default=2, help="GridSearchCV n_jobs (default 2)")
    ap.add_argument("--single-config", help="NUMFEATURES,REGPARAM for the single fits (default: "
                    "thunderdome's best, standardization=false)")
    ap.add_argument("--probe-iters", type=int, default=1000,
                    help="iterations of the thunderdome convergence probe (default 1000)")
    ap.add_argument("--liblinear-bias", type=float, default=1000.0,
                    help="liblinear -B (default 1000: the regularised bias weight then changes "
                    "Spark's objective by < 1e-8 relative)")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "latest"),
                    help="output prefix (.md and .json; default bench/results/latest)")
    args = ap.parse_args()
    if args.quick:
        args.repeats = 1
        args.probe_iters = min(args.probe_iters, 200)
    b = Bench(args)
    R = {"args": vars(args), "env": env_info(b), "cv": {}}
    try:
        log("memory bandwidth (membw)")
        mb_args = ["--mib", "2,16,64", "--reps", "3"] if args.quick else ["--mib", "2,16,512"]
        R["membw"] = json.loads(subprocess.run([b.bin["membw"]] + mb_args, check=True,
                                               capture_output=True, text=True).stdout)

        systems = [("td", "thunderdome", "standardization=false, tol 1e-6, maxIter 100",
                    lambda: b.run_td(os.path.join(HERE, "specs", "spam_cv.json"), b.train, b.test)),
                   ("td_std", "thunderdome", "standardization=true (Spark default), tol 1e-6",
                    lambda: b.run_td(os.path.join(HERE, "specs", "spam_cv_std.json"), b.train, b.test))]
        if not args.no_sklearn:
            systems.append(("sklearn", "scikit-learn", f"lbfgs tol 1e-4, max_iter 100, n_jobs "
                            f"{args.sk_jobs}", lambda: b.run_sk(b.train, b.test)))
        raw = {name: [] for name, *_ in systems}
        for r in range(args.repeats):
            for name, label, _, fn in systems:
                log(f"cv: {name} run {r + 1}/{args.repeats}")
                raw[name].append(fn())
                log(f"    wall {raw[name][-1]['wall']:.2f} s, peak RSS "
                    f"{raw[name][-1]['peakRssMB']:.0f} MB, test AUC {raw[name][-1]['testAuc']:.6f}")
        for name, label, settings, _ in systems:
            s = summarize(raw[name])
            s.update({"label": label, "settings": settings, "runs": raw[name],
                      "short": {"td": "standardization=false", "td_std": "standardization=true"}
                      .get(name, "")})
            R["cv"][name] = s
        R["env"]["trainRows"] = raw["td"][0]["trainRows"]
        with open(b.test) as fh:
            R["env"]["testRows"] = sum(1 for _ in fh) - 1
        if "sklearn" in raw:
            R["env"]["sklearn"] = raw["sklearn"][0]["sklearnVersion"]

        # The grid against its fits: the same CV one fit at a time (parallelism 1), with every
        # shortcut off (each of the 27 fits + refit tokenizes, hashes and fits cold: the sum of
        # the plain fits) and on. Target: on <= 0.5 x off.
        base = json.load(open(os.path.join(HERE, "specs", "spam_cv.json")))
        variants = {}
        for key, on in (("on", True), ("off", False)):
            spec = json.loads(json.dumps(base))
            spec["tuning"].update({"parallelism": 1, "reuseFeatures": on, "warmStart": on})
            path = os.path.join(b.work, f"spam_cv_shortcuts_{key}.json")
            with open(path, "w") as fh:
                json.dump(spec, fh)
            variants[key] = path
        grid = {"on": [], "off": []}
        for r in range(args.repeats):
            for key in ("on", "off"):
                log(f"grid vs fits: shortcuts {key} run {r + 1}/{args.repeats}")
                grid[key].append(b.run_td(variants[key], b.train, b.test))
        on_m, off_m = grid["on"][-1]["avgMetrics"], grid["off"][-1]["avgMetrics"]
        R["grid"] = {key: summarize(v) for key, v in grid.items()}
        R["grid"]["fits"] = 28
        R["grid"]["ratio"] = med([a["fit"] / c["fit"] for a, c in zip(grid["on"], grid["off"])])
        R["grid"]["maxMetricDiff"] = max(abs(x - y) for x, y in zip(on_m, off_m))
        R["grid"]["sameBest"] = grid["on"][-1]["best"] == grid["off"][-1]["best"]

        if not args.no_single:
            if args.single_config:
                nf, reg = args.single_config.split(",")
                nf, reg = int(nf), float(reg)
            else:
                bst = raw["td"][0]["best"]
                nf, reg = bst["numFeatures"], bst["regParam"]
            R["single"] = single_fit_section(b, nf, reg, args.repeats)
            R["bandwidth"] = bandwidth_section(R["membw"], R["single"], os.cpu_count())

        if args.scaling:
            sizes = ([("25%", "spam_train_p25.tsv")] if args.quick else
                     [("25%", "spam_train_p25.tsv"), ("50%", "spam_train_p50.tsv"),
                      ("100%", "spam_train.tsv"), ("10× (ids perturbed)", "spam_train_x10.tsv")])
            test = os.path.join(DATA, "spam_test.tsv")
            R["scaling"] = []
            for label, fname in sizes:
                train = os.path.join(DATA, fname)
                with open(train) as fh:
                    rows = sum(1 for _ in fh) - 1
                peers = [("thunderdome", lambda: b.run_td(os.path.join(HERE, "specs", "spam_cv.json"),
                                                          train, test))]
                if args.scaling_peers and not args.no_sklearn:
                    peers.append(("scikit-learn", lambda: b.run_sk(train, test)))
                for sysname, fn in peers:
                    runs = []
                    for r in range(args.repeats):
                        log(f"scaling: {sysname} on {label} run {r + 1}/{args.repeats}")
                        runs.append(fn())
                    R["scaling"].append({"data": label, "rows": rows, "system": sysname,
                                         "summary": summarize(runs), "runs": runs})
    finally:
        b.cleanup()

    summaries = list(R["cv"].values()) + [row["summary"] for row in R.get("scaling", [])]
    loads = [s["maxLoadavg"] for s in summaries]
    R["otherCoresMax"] = max((s["otherCoresMax"] for s in summaries), default=0.0)
    R["otherCoresMedian"] = med([s["otherCores"] for s in summaries]) or 0.0
    R["maxLoadavg"] = max(loads) if loads else loadavg()
    md = render(R)
    print(md)
    write_results(args.out, R, md)


if __name__ == "__main__":
    main()
