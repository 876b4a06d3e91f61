#!/usr/bin/python3
"""The peers of bench/nn.py: Sparkflow's example network (784-256-256-10 ReLU, softmax
cross-entropy, Adam) trained on Fashion-MNIST by PyTorch (Debian's python3-torch, CPU) or
scikit-learn's MLPClassifier, with the same data scaling as thunderdome's spec (MaxAbsScaler
fitted on the training rows), mini-batch, learning rate, epochs and thread count.

    /usr/bin/python3 bench/nn_peers.py --system torch|sklearn --threads 2 [--epochs 10]

Prints one JSON line: per-epoch seconds, test accuracy, the total fit seconds.
"""
import argparse
import json
import os
import sys
import time

import numpy as np


def read_libsvm(path, d=784):
    rows = []
    labels = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            labels.append(int(parts[0]))
            x = np.zeros(d, dtype=np.float32)
            for p in parts[1:]:
                j, v = p.split(":")
                x[int(j) - 1] = float(v)
            rows.append(x)
    return np.stack(rows), np.asarray(labels, dtype=np.int64)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--system", required=True, choices=["torch", "sklearn"])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--train", required=True)
    ap.add_argument("--test", required=True)
    a = ap.parse_args()
    X, y = read_libsvm(a.train)
    Xt, yt = read_libsvm(a.test)
    scale = np.abs(X).max(axis=0)
    scale[scale == 0] = 1.0
    X /= scale
    Xt /= scale
    if a.system == "torch":
        import torch
        torch.set_num_threads(a.threads)
        torch.manual_seed(a.seed)
        model = torch.nn.Sequential(
            torch.nn.Linear(784, 256), torch.nn.ReLU(),
            torch.nn.Linear(256, 256), torch.nn.ReLU(),
            torch.nn.Linear(256, 10))
        opt = torch.optim.Adam(model.parameters(), lr=a.lr)
        lossf = torch.nn.CrossEntropyLoss()
        Xtr = torch.from_numpy(X)
        ytr = torch.from_numpy(y)
        g = torch.Generator().manual_seed(a.seed)
        epochs = []
        t0 = time.perf_counter()
        for _ in range(a.epochs):
            e0 = time.perf_counter()
            perm = torch.randperm(len(ytr), generator=g)
            for s in range(0, len(ytr), a.batch):
                idx = perm[s:s + a.batch]
                opt.zero_grad()
                loss = lossf(model(Xtr[idx]), ytr[idx])
                loss.backward()
                opt.step()
            epochs.append(time.perf_counter() - e0)
        fit_s = time.perf_counter() - t0
        with torch.no_grad():
            pred = model(torch.from_numpy(Xt)).argmax(dim=1).numpy()
        info = {"torch": torch.__version__, "threads": torch.get_num_threads()}
    else:
        from sklearn.neural_network import MLPClassifier
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:  # pragma: no cover
            threadpool_limits = None
        # alpha=0: no L2 term (the others have none); tol/n_iter_no_change: run every epoch.
        clf = MLPClassifier(hidden_layer_sizes=(256, 256), activation="relu", solver="adam",
                            alpha=0.0, batch_size=a.batch, learning_rate_init=a.lr,
                            max_iter=a.epochs, shuffle=True, random_state=a.seed, tol=0.0,
                            n_iter_no_change=a.epochs + 1)
        import warnings
        warnings.filterwarnings("ignore")
        t0 = time.perf_counter()
        if threadpool_limits is not None:
            with threadpool_limits(limits=a.threads):
                clf.fit(X, y)
        else:
            clf.fit(X, y)
        fit_s = time.perf_counter() - t0
        epochs = [fit_s / a.epochs] * a.epochs  # MLPClassifier reports no per-epoch times
        pred = clf.predict(Xt)
        import sklearn
        info = {"sklearn": sklearn.__version__}
    acc = float((pred == yt).mean())
    print(json.dumps({"system": a.system, "epochSeconds": epochs, "fit_s": fit_s,
                      "test_accuracy": acc, "info": info}))


if __name__ == "__main__":
    sys.exit(main())
