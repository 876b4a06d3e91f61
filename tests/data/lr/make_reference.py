#!/usr/bin/python3
"""Generates tests/data/lr/data.csv and tests/data/lr/reference.txt for logistic_regression_test.

Run with Debian's python (scikit-learn is importable there):  /usr/bin/python3 make_reference.py

The reference coefficients are scikit-learn's optimum of Spark's objective
    (1/n) sum_i logloss_i + lambda * ((1 - alpha)/2 * sum_j c_j^2 + alpha * sum_j |c_j|),
with c_j = w_j (standardization=false) or c_j = sigma_j * w_j (standardization=true, sigma_j the
n-1 standard deviation), using C = 1/(lambda * n). Every reference is also checked against the
optimality (KKT) conditions of that objective here, to 1e-8.
"""
import os
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

HERE = os.path.dirname(os.path.abspath(__file__))


def make_data():
    rng = np.random.RandomState(20240601)
    n, d = 80, 5
    means = np.array([0.0, 1.0, -2.0, 5.0, 20.0])
    scales = np.array([1.0, 2.0, 0.5, 3.0, 10.0])
    z = rng.randn(n, d)
    x = means + scales * z
    true_w = np.array([1.2, -0.8, 0.5, 0.0, 0.3])  # in standardized units
    margin = z @ true_w - 0.3
    y = (rng.rand(n) < 1.0 / (1.0 + np.exp(-margin))).astype(float)
    x = np.round(x, 4)
    with open(os.path.join(HERE, "data.csv"), "w") as f:
        f.write("label,f0,f1,f2,f3,f4\n")
        for i in range(n):
            f.write("%d,%s\n" % (int(y[i]), ",".join("%.4f" % v for v in x[i])))


def load():
    a = np.loadtxt(os.path.join(HERE, "data.csv"), delimiter=",", skiprows=1)
    return a[:, 1:], a[:, 0]


def sigmoid(m):
    return 0.5 * (1.0 + np.tanh(0.5 * m))


def kkt(x, y, w, b, lam, alpha, std, fit_intercept):
    """Max violation of the optimality conditions of Spark's objective."""
    n = len(y)
    sigma = x.std(axis=0, ddof=1)
    pen = sigma if std else np.ones_like(sigma)
    r = sigmoid(x @ w + b) - y
    g = x.T @ r / n + lam * (1 - alpha) * pen ** 2 * w
    l1 = lam * alpha * pen
    viol = 0.0
    for j in range(len(w)):
        if w[j] != 0.0 and abs(w[j]) > 1e-10:
            viol = max(viol, abs(g[j] + l1[j] * np.sign(w[j])))
        else:
            viol = max(viol, abs(g[j]) - l1[j])
    if fit_intercept:
        viol = max(viol, abs(r.mean()))
    return viol


def fit(x, y, lam, alpha, std, fit_intercept):
    n = len(y)
    sigma = x.std(axis=0, ddof=1)
    xs = x / sigma if std else x
    kw = dict(fit_intercept=fit_intercept, max_iter=1000000)
    if lam == 0.0:
        m = LogisticRegression(penalty=None, solver="newton-cholesky", tol=1e-14, **kw)
    elif alpha == 0.0:
        m = LogisticRegression(penalty="l2", C=1.0 / (lam * n), solver="newton-cholesky", tol=1e-14, **kw)
    else:
        penalty = "l1" if alpha == 1.0 else "elasticnet"
        extra = {} if alpha == 1.0 else {"l1_ratio": alpha}
        m = LogisticRegression(penalty=penalty, C=1.0 / (lam * n), solver="saga", tol=1e-15,
                               **extra, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        m.fit(xs, y)
    w = m.coef_.ravel().copy()
    b = float(m.intercept_[0]) if fit_intercept else 0.0
    if std:
        w = w / sigma
    return w, b


CASES = [
    # name, regParam, elasticNetParam, standardization, fitIntercept
    ("l2_nostd", 0.1, 0.0, False, True),
    ("l2_std", 0.1, 0.0, True, True),
    ("enet_std", 0.05, 0.5, True, True),
    ("l1_std", 0.05, 1.0, True, True),
    ("l1_nostd", 0.06, 1.0, False, True),
    ("l2_nointercept", 0.1, 0.0, False, False),
    ("unregularized", 0.0, 0.0, True, True),
]


def main():
    make_data()
    x, y = load()
    lines = ["# name regParam elasticNetParam standardization fitIntercept intercept coefficients..."]
    for name, lam, alpha, std, fi in CASES:
        w, b = fit(x, y, lam, alpha, std, fi)
        v = kkt(x, y, w, b, lam, alpha, std, fi)
        assert v < 1e-8, (name, v)
        lines.append("%s %r %r %d %d %.17g %s" % (name, lam, alpha, std, fi, b,
                                                   " ".join("%.17g" % c for c in w)))
        print(name, "kkt violation %.2e" % v, "b=%.6f" % b, np.array2string(w, precision=6))
    with open(os.path.join(HERE, "reference.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
