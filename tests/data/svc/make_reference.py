#!/usr/bin/python3
"""Generates tests/data/svc/data.csv and tests/data/svc/reference.txt for linear_svc_test.

Run with Debian's python (scikit-learn and scipy are importable there):
    /usr/bin/python3 make_reference.py

Spark's LinearSVC minimises
    F(w, b) = (1/W) sum_i v_i max(0, 1 - s_i (x_i.w + b)) + (lambda/2) sum_j c_j^2,
s_i = 2 y_i - 1, v_i the row weights (W their sum), c_j = sigma_j w_j (standardization, sigma_j
the weighted unbiased standard deviation as Spark's Summarizer) or c_j = w_j, b unpenalised.

Mapping to scikit-learn: dividing F by lambda gives (1/2)|c|^2 + C sum_i v_i hinge_i with
C = 1/(lambda W). With an intercept we use sklearn.svm.SVC(kernel="linear") (libsvm), which does
NOT penalise the intercept, on x / sigma (standardization) or x, with sample_weight = v: exactly
Spark's problem. sklearn's LinearSVC (liblinear) penalises the intercept (intercept_scaling), so
it is used only without an intercept (fit_intercept=False, loss="hinge", dual=True). With
lambda = 0 the problem is a linear programme, solved exactly by scipy's linprog (HiGHS).
With an intercept, libsvm's b (an average over the free support vectors) is replaced by the exact
minimiser over b for its w, and sklearn's LinearSVC(loss="hinge") with a large intercept_scaling
is solved too (it must agree to 1e-6 relative): the reference is the better of the two.
"""
import os
import warnings

import numpy as np
from scipy.optimize import linprog
from sklearn.exceptions import ConvergenceWarning
from sklearn.svm import SVC, LinearSVC

HERE = os.path.dirname(os.path.abspath(__file__))


def make_data():
    rng = np.random.RandomState(20240611)
    n, d = 100, 4
    means = np.array([0.0, 2.0, -1.0, 10.0])
    scales = np.array([1.0, 3.0, 0.5, 8.0])
    z = rng.randn(n, d)
    x = np.round(means + scales * z, 4)
    true_w = np.array([1.5, -1.0, 0.7, 0.4])
    margin = z @ true_w + 0.3 + 0.8 * rng.randn(n)  # noisy: not separable
    y = (margin > 0).astype(float)
    wt = rng.randint(1, 4, size=n).astype(float)
    with open(os.path.join(HERE, "data.csv"), "w") as f:
        f.write("label,weight,f0,f1,f2,f3\n")
        for i in range(n):
            f.write("%d,%d,%s\n" % (int(y[i]), int(wt[i]), ",".join("%.4f" % v for v in x[i])))


def load():
    a = np.loadtxt(os.path.join(HERE, "data.csv"), delimiter=",", skiprows=1)
    return np.ascontiguousarray(a[:, 2:]), a[:, 0].copy(), a[:, 1].copy()


def weighted_sigma(x, v):
    W = v.sum()
    mu = (v[:, None] * x).sum(axis=0) / W
    var = (v[:, None] * (x - mu) ** 2).sum(axis=0) / (W - (v ** 2).sum() / W)
    return np.sqrt(var)


def objective(x, y, v, w, b, lam, std):
    s = 2 * y - 1
    hinge = np.maximum(0.0, 1.0 - s * (x @ w + b))
    c = w * weighted_sigma(x, v) if std else w
    return (v * hinge).sum() / v.sum() + 0.5 * lam * (c ** 2).sum()


def fit(x, y, v, lam, std, fit_intercept):
    sigma = weighted_sigma(x, v)
    xs = x / sigma if std else x
    W = v.sum()
    if lam == 0.0:  # LP: variables [w (d), b, xi (n)]
        n, d = x.shape
        s = 2 * y - 1
        cost = np.concatenate([np.zeros(d + 1), v / W])
        # xi_i >= 1 - s_i (x_i.w + b)  <=>  -s_i x_i.w - s_i b - xi_i <= -1
        a_ub = np.hstack([-s[:, None] * xs, -s[:, None], -np.eye(n)])
        bounds = [(None, None)] * d + [(None, None) if fit_intercept else (0, 0)] + [(0, None)] * n
        res = linprog(cost, A_ub=a_ub, b_ub=-np.ones(n), bounds=bounds, method="highs")
        assert res.status == 0, res.message
        w, b = res.x[:d], res.x[d]
    elif fit_intercept:
        m = SVC(kernel="linear", C=1.0 / (lam * W), tol=1e-12, max_iter=-1)
        m.fit(xs, y, sample_weight=v)
        w, b = m.coef_.ravel().copy(), float(m.intercept_[0])
    else:
        m = LinearSVC(loss="hinge", dual=True, fit_intercept=False, C=1.0 / (lam * W), tol=1e-14,
                      max_iter=10000000)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            m.fit(xs, y, sample_weight=v)
        w, b = m.coef_.ravel().copy(), 0.0
    if std:
        w = w / sigma
    return w, b


def best_intercept(x, y, v, w, b, lam, std):
    """The exact minimiser over b of F(w, b) for fixed w (F is piecewise linear in b: its
    minimum is at a breakpoint b = s_i - x_i.w); libsvm's b is an average over free vectors."""
    s = 2 * y - 1
    candidates = np.concatenate([[b], s - x @ w])
    values = [objective(x, y, v, w, c, lam, std) for c in candidates]
    return float(candidates[int(np.argmin(values))])


def liblinear(x, y, v, lam, std):
    """sklearn's LinearSVC with a large intercept_scaling (a nearly unpenalised intercept)."""
    sigma = weighted_sigma(x, v)
    xs = x / sigma if std else x
    m = LinearSVC(loss="hinge", dual=True, C=1.0 / (lam * v.sum()), intercept_scaling=100.0,
                  tol=1e-12, max_iter=10000000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        m.fit(xs, y, sample_weight=v)
    return m.coef_.ravel() / (sigma if std else 1.0), float(m.intercept_[0])


CASES = [
    # name, regParam, standardization, fitIntercept, weighted
    ("l2_std", 0.1, True, True, False),
    ("l2_nostd", 0.05, False, True, False),
    ("small_std", 0.001, True, True, False),
    ("l2_nointercept", 0.1, True, False, False),
    ("weighted_std", 0.02, True, True, True),
    ("unregularized", 0.0, True, True, False),
]


def main():
    make_data()
    x, y, wt = load()
    lines = ["# name regParam standardization fitIntercept weighted objective intercept "
             "coefficients..."]
    for name, lam, std, fi, weighted in CASES:
        v = wt if weighted else np.ones_like(y)
        w, b = fit(x, y, v, lam, std, fi)
        if fi:
            b = best_intercept(x, y, v, w, b, lam, std)
        value = objective(x, y, v, w, b, lam, std)
        if fi and lam > 0.0:  # the best of libsvm and liblinear (they agree to 1e-6)
            w2, b2 = liblinear(x, y, v, lam, std)
            b2 = best_intercept(x, y, v, w2, b2, lam, std)
            other = objective(x, y, v, w2, b2, lam, std)
            assert abs(value - other) <= 1e-6 * value, (value, other)
            if other < value:
                w, b, value = w2, b2, other
        lines.append("%s %r %d %d %d %.17g %.17g %s" % (name, lam, std, fi, weighted, value, b,
                                                         " ".join("%.17g" % c for c in w)))
        print(name, "objective %.10f" % value, "b=%.6f" % b, np.array2string(w, precision=6))
    with open(os.path.join(HERE, "reference.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
