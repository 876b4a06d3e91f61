#!/usr/bin/python3
"""Benchmark of issue #14: neural-network training (AsyncDL) on Fashion-MNIST, thunderdome
against PyTorch (Debian's python3-torch, CPU) and scikit-learn's MLPClassifier, side by side in
one run.

    /usr/bin/python3 bench/fetch_fashion_mnist.py      # once: Debian's dataset-fashion-mnist
    /usr/bin/python3 bench/nn.py [--repeats 3] [--build-dir build] [--skip sklearn,cv]

(installs Debian's python3-torch when missing).

The task (Sparkflow's example network): 784-256-256-10 ReLU, softmax cross-entropy, Adam with
learning rate 1e-3, mini-batches of 128, 10 epochs, 2 threads, pixels scaled to [0, 1] by each
feature's maximum (MaxAbsScaler, fitted on the training rows; this script writes the scaled
LibSVM files once, so that every system reads the same numbers).
Systems:
  td-sync       thunderdome fit, AsyncDL mode sync, 2 workers x 64 rows (a global batch of 128:
                the same steps as the others), 1 process, 2 threads   (bench/specs/fmnist_mlp.json)
  td-hogwild    the same network, mode hogwild, 2 workers each pushing batches of 128
  td-sync-mpi   td-sync on 2 MPI ranks x 1 thread (mpirun -np 2 --bind-to core, --data-parallel)
  torch         PyTorch, torch.set_num_threads(2), OPENBLAS_NUM_THREADS=1 (its fastest
                setting here: see peer())                                 (bench/nn_peers.py)
  sklearn       MLPClassifier(adam, alpha=0, batch 128), OpenBLAS limited to 2 threads
  cv            thunderdome CrossValidator: 3 learningRate x 2 widths x 3 folds, 5 epochs per fit
                (bench/specs/fmnist_mlp_cv.json), wall time only
Epoch time: PyTorch's is timed around each epoch in its loop; thunderdome's is the difference of
two fits, 10 epochs and 1 epoch, divided by 9 (every fixed cost cancels); MLPClassifier's is its
fit time / 10. Medians over --repeats (repeat r seeds every system with 42 + r), systems
interleaved. Writes bench/results/nn.{md,json}.
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
TRAIN, TEST = os.path.join(DATA, "train01.libsvm"), os.path.join(DATA, "test01.libsvm")
SPEC = os.path.join(HERE, "specs", "fmnist_mlp.json")
CV_SPEC = os.path.join(HERE, "specs", "fmnist_mlp_cv.json")


def ensure_torch():
    """Installs Debian's python3-torch (PyTorch 1.13, CPU) when missing and run as root."""
    import subprocess
    if subprocess.run([sys.executable, "-c", "import torch"], capture_output=True).returncode == 0:
        return
    if os.geteuid() != 0:
        sys.exit("nn: install python3-torch first (apt-get install -y python3-torch), or --skip torch")
    subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "python3-torch"],
                   check=True, env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))


def write_scaled():
    """train01/test01.libsvm: each feature divided by its maximum over the training rows."""
    if os.path.exists(TRAIN) and os.path.exists(TEST):
        return
    def rows(path):
        with open(path) as f:
            for line in f:
                parts = line.split()
                yield parts[0], [(int(j), float(v)) for j, v in (p.split(":") for p in parts[1:])]
    mx = {}
    for _, xs in rows(os.path.join(DATA, "train.libsvm")):
        for j, v in xs:
            mx[j] = max(mx.get(j, 0.0), abs(v))
    for src, dst in (("train.libsvm", TRAIN), ("test.libsvm", TEST)):
        tmp = dst + ".tmp"
        with open(tmp, "w") as f:
            for y, xs in rows(os.path.join(DATA, src)):
                f.write(y + "".join(" %d:%.9g" % (j, v / mx[j]) for j, v in xs if j in mx) + "\n")
        os.replace(tmp, dst)


def spec_with(work, name, base, **params):
    spec = json.load(open(base))
    spec["stages"][0]["params"].update(params)
    path = os.path.join(work, name + ".json")
    json.dump(spec, open(path, "w"))
    return path


def td_fit(td, work, spec, mpi_ranks=0):
    cmd = [td, "fit", "--spec", spec, "--train", TRAIN, "--test", TEST,
           "--out", os.path.join(work, "model"), "--overwrite", "--json", "-q"]
    env = None
    if mpi_ranks:
        cmd = ["mpirun", "--allow-run-as-root", "-np", str(mpi_ranks), "--map-by", "slot:PE=1",
               "--bind-to", "core", "--mca", "btl", "self,vader"] + cmd + ["--data-parallel"]
        env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    m = measure(cmd, "thunderdome fit", env=env)
    res = json.loads(m.pop("stdout"))
    m["fitSeconds"] = res["elapsedSeconds"]
    m["testAccuracy"] = res["testMetric"]
    return m


def td_epochs(td, work, name, seed, mpi_ranks=0, **params):
    """The 10-epoch fit's figures, with epochSeconds = (T10 - T1) / 9 from the fit times."""
    one = td_fit(td, work, spec_with(work, name + "-1", SPEC, iters=1, seed=seed, **params),
                 mpi_ranks)
    ten = td_fit(td, work, spec_with(work, name + "-10", SPEC, iters=10, seed=seed, **params),
                 mpi_ranks)
    ten["epochSeconds"] = (ten["fitSeconds"] - one["fitSeconds"]) / 9.0
    return ten


def peer(system, seed):
    cmd = [sys.executable, os.path.join(HERE, "nn_peers.py"), "--system", system, "--threads", "2",
           "--epochs", "10", "--batch", "128", "--lr", "0.001", "--seed", str(seed),
           "--train", TRAIN, "--test", TEST]
    env = None
    if system == "torch":
        # Debian's torch calls OpenBLAS (pthreads) for its GEMMs, whose threads then fight
        # torch's 2 OpenMP threads: measured here at 2 threads, 3.6 s/epoch by default, 1.2 with
        # OMP_WAIT_POLICY=PASSIVE, 1.05 with one OpenBLAS thread — PyTorch's best, used here.
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    m = measure(cmd, system, env=env)
    res = json.loads(m.pop("stdout").strip().splitlines()[-1])
    m["fitSeconds"] = res["fit_s"]
    m["testAccuracy"] = res["test_accuracy"]
    m["epochSeconds"] = statistics.median(res["epochSeconds"])
    m["epochs"] = res["epochSeconds"]
    return m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    ap.add_argument("--skip", default="", help="comma-separated systems to leave out")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "nn"))
    a = ap.parse_args()
    td = os.path.join(os.path.abspath(a.build_dir), "cli", "thunderdome")
    for p in (td, os.path.join(DATA, "train.libsvm")):
        if not os.path.exists(p):
            sys.exit(f"nn: {p} missing (build first; run bench/fetch_fashion_mnist.py)")
    write_scaled()
    skip = set(filter(None, a.skip.split(",")))
    if "torch" not in skip:
        ensure_torch()
    work = tempfile.mkdtemp(prefix="td-nn-")
    # Repeat r of every system uses seed 42 + r (initial weights, shuffles): the accuracies are
    # medians over seeds, not one draw.
    seeds = {}
    def seed(name):
        seeds[name] = seeds.get(name, 41) + 1
        return seeds[name]
    systems = {
        "td-sync": lambda: td_epochs(td, work, "sync", seed("td-sync")),
        "td-hogwild": lambda: td_epochs(td, work, "hogwild", seed("td-hogwild"), mode="hogwild",
                                        miniBatchSize=128),
        "td-sync-mpi": lambda: td_epochs(td, work, "mpi", seed("td-sync-mpi"), mpi_ranks=2),
        "torch": lambda: peer("torch", seed("torch")),
        "sklearn": lambda: peer("sklearn", seed("sklearn")),
        "cv": lambda: td_fit(td, work, CV_SPEC),
    }
    runs = interleave({k: f for k, f in systems.items() if k not in skip}, a.repeats,
                      lambda m: f"wall {m['wall']:.1f} s, fit {m['fitSeconds']:.1f} s, epoch "
                      f"{m.get('epochSeconds', float('nan')):.3f} s, others' cores "
                      f"{m['otherCores']:.2f}, peak RSS {m['peakRssMB']:.0f} MB, test accuracy "
                      f"{m['testAccuracy']:.4f}")
    fields = ("wall", "fitSeconds", "peakRssMB", "cpu", "otherCores", "testAccuracy")
    med = {k: {f: statistics.median(x[f] for x in v) for f in fields}
           | ({"epochSeconds": statistics.median(x["epochSeconds"] for x in v)}
              if "epochSeconds" in v[0] else {}) for k, v in runs.items()}
    cpu = cpu_model()
    torch = med.get("torch")
    lines = [f"# Fashion-MNIST, 784-256-256-10 ReLU, adam 1e-3, batch 128, 10 epochs (bench/nn.py), "
             f"{datetime.date.today()}", "",
             f"Machine: {cpu}, {os.cpu_count()} cores; medians of {a.repeats} interleaved run(s).", "",
             "| system | s / epoch | epoch / PyTorch's | test accuracy | fit s (10 epochs) | "
             "peak RSS MB | CPU s | others' cores |", "|---|---|---|---|---|---|---|---|"]
    for k, v in med.items():
        if k == "cv":
            continue
        ratio = f"{v['epochSeconds'] / torch['epochSeconds']:.2f}" if torch else ""
        lines.append(f"| {k} | {v['epochSeconds']:.3f} | {ratio} | {v['testAccuracy']:.4f} | "
                     f"{v['fitSeconds']:.1f} | {v['peakRssMB']:.0f} | {v['cpu']:.1f} | "
                     f"{v['otherCores']:.2f} |")
    if "td-sync" in med and "td-sync-mpi" in med:
        lines += ["", f"sync on 2 MPI ranks x 1 thread / 1 rank x 2 threads, time per epoch: "
                      f"{med['td-sync-mpi']['epochSeconds'] / med['td-sync']['epochSeconds']:.3f}"]
    if "cv" in med:
        v = med["cv"]
        lines += ["", f"CrossValidator, 3 learningRate x 2 widths x 3 folds + refit, 5 epochs per fit "
                      f"(bench/specs/fmnist_mlp_cv.json): wall {v['wall']:.1f} s (fit "
                      f"{v['fitSeconds']:.1f} s), peak RSS {v['peakRssMB']:.0f} MB, test accuracy "
                      f"of the refit best {v['testAccuracy']:.4f}"]
    text = "\n".join(lines) + "\n"
    print(text)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out + ".md", "w") as f:
        f.write(text)
    with open(a.out + ".json", "w") as f:
        json.dump({"date": str(datetime.date.today()), "machine": cpu, "platform": platform.platform(),
                   "repeats": a.repeats, "medians": med, "runs": runs}, f, indent=1, default=str)


if __name__ == "__main__":
    main()
