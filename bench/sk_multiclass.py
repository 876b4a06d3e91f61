#!/usr/bin/python3
"""scikit-learn's side of bench/multiclass.py: Fashion-MNIST, StandardScaler -> multinomial
LogisticRegression (lbfgs, max_iter 100, tol 1e-6: Spark's and thunderdome's defaults) or
liblinear one-vs-rest, GridSearchCV over three regParam values x 3 folds + refit, n_jobs=2.

regParam maps to C = 1/(regParam * n) on each fit's own rows (Spark's objective is the mean loss
plus regParam/2 * ||w||^2; scikit-learn's is C * sum of losses + ||w||^2 / 2), so both sides
solve the same problem on every fold. Prints one JSON line: fit seconds (GridSearchCV.fit,
reading excluded), test accuracy, the chosen regParam and the mean CV accuracies.

    /usr/bin/python3 bench/sk_multiclass.py --solver lbfgs|liblinear --train T --test T
Pick the BLAS with LD_LIBRARY_PATH (bench/multiclass.py runs it with the reference BLAS and
with OpenBLAS).
"""
import argparse
import json
import time
import warnings

import numpy as np
from sklearn.datasets import load_svmlight_file
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler


class SparkLR(LogisticRegression):
    """LogisticRegression with Spark's regParam: C = 1/(reg_param * rows) at fit time."""

    def __init__(self, reg_param=0.0, solver="lbfgs", max_iter=100, tol=1e-6):
        self.reg_param = reg_param
        super().__init__(solver=solver, max_iter=max_iter, tol=tol,
                         multi_class="multinomial" if solver == "lbfgs" else "ovr")

    def fit(self, X, y, sample_weight=None):
        self.C = 1.0 / (self.reg_param * X.shape[0])
        return super().fit(X, y, sample_weight)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--solver", default="lbfgs", choices=["lbfgs", "liblinear"])
    ap.add_argument("--train", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--reg", default="0.0001,0.001,0.01")
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    Xtr, ytr = load_svmlight_file(a.train, n_features=784)
    Xte, yte = load_svmlight_file(a.test, n_features=784)
    Xtr, Xte = Xtr.toarray(), Xte.toarray()  # what a user holding the idx arrays has
    regs = [float(v) for v in a.reg.split(",")]
    pipe = Pipeline([("scale", StandardScaler()), ("lr", SparkLR(solver=a.solver))])
    gs = GridSearchCV(pipe, {"lr__reg_param": regs}, cv=KFold(3, shuffle=True, random_state=42),
                      scoring="accuracy", n_jobs=a.jobs, refit=True)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gs.fit(Xtr, ytr)
    fit_s = time.perf_counter() - t0
    acc = float((gs.predict(Xte) == yte).mean())
    print(json.dumps({"fit_s": fit_s, "test_accuracy": acc,
                      "best_regParam": gs.best_params_["lr__reg_param"],
                      "cv_accuracy": [float(v) for v in gs.cv_results_["mean_test_score"]],
                      "n_iter_refit": int(np.max(gs.best_estimator_[-1].n_iter_))}))


if __name__ == "__main__":
    main()
