#!/usr/bin/python3
"""The scikit-learn peer of the benchmark job (run with Debian's /usr/bin/python3).

GridSearchCV(Pipeline(HashingVectorizer, LogisticRegression(lbfgs)), cv=3, n_jobs=2,
scoring='roc_auc') over n_features x regParam, refit of the best on all training rows, AUC on
the test file. Prints one JSON object on stdout.

Featurizing matches thunderdome's Tokenizer -> HashingTF as far as scikit-learn allows: lowercase,
whitespace tokens (tokenizer=str.split; the TSV bodies have single spaces only), raw term counts
(alternate_sign=False, norm=None). The hash differs: scikit-learn's signed MurmurHash3 with seed 0
(index = |h| mod n) against Spark's seed-42 non-negative modulo, so collisions differ.

Regularisation: Spark minimises (1/n) sum_i logloss_i + regParam/2 ||w||^2 (intercept not
penalised); scikit-learn's lbfgs minimises C sum_i logloss_i + 1/2 ||w||^2 (intercept not
penalised either). With C = 1/(regParam * n), n the number of rows that fit sees, the second is
the first times 1/regParam: the same minimiser. Each CV fold fit sees about 2/3 of the training
rows and the refit all of them, so C is set per fit from X.shape[0] (SparkLR below) instead of
being one grid value.
"""
import argparse
import json
import os
import resource
import sys
import time
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline


class SparkLR(ClassifierMixin, BaseEstimator):
    """LogisticRegression(lbfgs) with Spark's regParam: C = 1/(regParam * rows fitted on)."""

    def __init__(self, regParam=0.01, tol=1e-4, max_iter=100):
        self.regParam = regParam
        self.tol = tol
        self.max_iter = max_iter

    def fit(self, X, y):
        C = 1.0 / (self.regParam * X.shape[0])
        self.lr_ = LogisticRegression(C=C, solver="lbfgs", tol=self.tol, max_iter=self.max_iter)
        with warnings.catch_warnings():  # hitting max_iter is expected and reported
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.lr_.fit(X, y)
        self.classes_ = self.lr_.classes_
        self.n_iter_ = self.lr_.n_iter_
        return self

    def decision_function(self, X):
        return self.lr_.decision_function(X)

    def predict_proba(self, X):
        return self.lr_.predict_proba(X)

    def predict(self, X):
        return self.lr_.predict(X)


def read_tsv(path):
    """id, text, label with a header line, tab-separated, no quoting."""
    texts, labels = [], []
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        if header != ["id", "text", "label"]:
            sys.exit(f"sk_cv: {path}: unexpected header {header}")
        for line in f:
            _, text, label = line.rstrip("\n").split("\t")
            texts.append(text)
            labels.append(float(label))
    return texts, np.asarray(labels)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--num-features", default="1024,16384,262144")
    ap.add_argument("--reg", default="0.1,0.01,0.001")
    ap.add_argument("--folds", type=int, default=3)
    ap.add_argument("--n-jobs", type=int, default=2)
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--max-iter", type=int, default=100)
    args = ap.parse_args()

    t0 = time.perf_counter()
    X_train, y_train = read_tsv(args.train)
    X_test, y_test = read_tsv(args.test)
    t_read = time.perf_counter() - t0

    pipe = Pipeline([
        ("hash", HashingVectorizer(lowercase=True, tokenizer=str.split, token_pattern=None,
                                   alternate_sign=False, norm=None)),
        ("lr", SparkLR(tol=args.tol, max_iter=args.max_iter)),
    ])
    grid = {
        "hash__n_features": [int(v) for v in args.num_features.split(",")],
        "lr__regParam": [float(v) for v in args.reg.split(",")],
    }
    search = GridSearchCV(pipe, grid, cv=args.folds, n_jobs=args.n_jobs, scoring="roc_auc",
                          refit=True)
    t1 = time.perf_counter()
    search.fit(X_train, y_train)
    t_fit = time.perf_counter() - t1
    test_auc = roc_auc_score(y_test, search.decision_function(X_test))
    t_total = time.perf_counter() - t0

    # Join the loky workers so that their CPU time and memory reach RUSAGE_CHILDREN (and the
    # parent's wait4) instead of leaving with still-running processes.
    try:
        from joblib.externals.loky import get_reusable_executor
        get_reusable_executor().shutdown(wait=True)
    except Exception:  # pragma: no cover - joblib layout differs
        pass

    best = search.best_index_
    refit = search.best_estimator_.named_steps["lr"]
    out = {
        "system": "scikit-learn",
        "trainRows": len(y_train),
        "testRows": len(y_test),
        "readSeconds": t_read,
        "fitSeconds": t_fit,
        "elapsedSeconds": t_total,
        "bestParams": {"numFeatures": search.best_params_["hash__n_features"],
                       "regParam": search.best_params_["lr__regParam"]},
        "bestCvMetric": float(search.cv_results_["mean_test_score"][best]),
        "avgMetrics": [float(v) for v in search.cv_results_["mean_test_score"]],
        "params": [{"numFeatures": p["hash__n_features"], "regParam": p["lr__regParam"]}
                   for p in search.cv_results_["params"]],
        "testMetric": float(test_auc),
        "refitIterations": int(np.max(refit.n_iter_)),
        "sklearnVersion": __import__("sklearn").__version__,
        "selfMaxRssKiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "childrenMaxRssKiB": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        "pid": os.getpid(),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
