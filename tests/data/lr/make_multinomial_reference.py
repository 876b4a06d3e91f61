#!/usr/bin/python3
"""Generates tests/data/lr/multi.csv and tests/data/lr/multi_reference.txt for the multinomial
tests in logistic_regression_test.cc.

Run with Debian's python (scikit-learn is importable there):
    /usr/bin/python3 make_multinomial_reference.py

Each reference is scikit-learn's multinomial optimum of Spark's objective
    (1/W) sum_i w_i * softmax_xent_i + lambda/2 * sum_k sum_j c_kj^2,
c_kj = w_kj (standardization=false) or sigma_j * w_kj (standardization=true, sigma_j the weighted
unbiased standard deviation, Spark's W - sum w^2 / W denominator), using C = 1/(lambda * W) and
lbfgs to 1e-12. Intercepts are unpenalised and, as Spark does, centred across the classes (and
the coefficients too when lambda = 0). Each optimum is checked here against the gradient of the
objective (to 1e-10, after a few Newton steps polish scikit-learn's point).
"""
import os
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

HERE = os.path.dirname(os.path.abspath(__file__))
K = 3


def make_data():
    rng = np.random.RandomState(20261207)
    n, d = 150, 4
    means = np.array([0.0, 3.0, -1.0, 10.0])
    scales = np.array([1.0, 2.0, 0.5, 5.0])
    z = rng.randn(n, d)
    x = np.round(means + scales * z, 4)
    true_w = np.array([[1.0, -0.5, 0.3, 0.0], [-0.4, 0.8, 0.0, 0.5], [0.0, 0.0, -0.6, -0.3]])
    m = z @ true_w.T + np.array([0.2, -0.1, 0.0])
    p = np.exp(m - m.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    y = np.array([rng.choice(K, p=pi) for pi in p])
    wt = np.round(rng.uniform(0.5, 2.0, n), 2)
    with open(os.path.join(HERE, "multi.csv"), "w") as f:
        f.write("label,f0,f1,f2,f3,weight\n")
        for i in range(n):
            f.write("%d,%s,%.2f\n" % (y[i], ",".join("%.4f" % v for v in x[i]), wt[i]))


def load():
    a = np.loadtxt(os.path.join(HERE, "multi.csv"), delimiter=",", skiprows=1)
    return a[:, 1:5], a[:, 0].astype(int), a[:, 5]


def sigma(x, w):
    W = w.sum()
    mu = (w[:, None] * x).sum(0) / W
    return np.sqrt((w[:, None] * (x - mu) ** 2).sum(0) / (W - (w ** 2).sum() / W))


def objective_grad(coef, b, x, y, w, lam, sd, standardization, fit_intercept):
    W = w.sum()
    m = x @ coef.T + (b if fit_intercept else 0.0)
    mx = m.max(axis=1, keepdims=True)
    e = np.exp(m - mx)
    p = e / e.sum(axis=1, keepdims=True)
    Y = np.eye(K)[y]
    r = w[:, None] * (p - Y)
    f = 1.0 if standardization else 1.0 / sd ** 2  # penalty on sigma*w -> sigma^2 w^2
    pen_w = sd ** 2 if standardization else np.ones_like(sd)
    g = r.T @ x / W + lam * coef * pen_w
    gb = r.sum(0) / W
    return g, gb


def polish(coef, b, x, y, w, lam, sd, standardization, fit_intercept):
    """A few Newton steps from scikit-learn's point (its lbfgs stops on a relative objective
    change near 1e-5 in the gradient): Hessian by central differences of the exact gradient,
    least-squares steps (the intercepts' common shift is a null direction)."""
    d = x.shape[1]

    def grad(t):
        c = t[:K * d].reshape(K, d)
        bb = t[K * d:] if fit_intercept else np.zeros(K)
        g, gb = objective_grad(c, bb, x, y, w, lam, sd, standardization, fit_intercept)
        return np.concatenate([g.ravel(), gb if fit_intercept else []])

    t = np.concatenate([coef.ravel(), b if fit_intercept else []])
    for _ in range(8):
        g = grad(t)
        h = 1e-5
        H = np.empty((t.size, t.size))
        for j in range(t.size):
            e = np.zeros(t.size)
            e[j] = h
            H[:, j] = (grad(t + e) - grad(t - e)) / (2 * h)
        H = 0.5 * (H + H.T)
        t = t - np.linalg.lstsq(H, g, rcond=1e-12)[0]
    coef = t[:K * d].reshape(K, d)
    b = t[K * d:] if fit_intercept else np.zeros(K)
    return coef, b


def fit(x, y, w, lam, standardization, fit_intercept):
    sd = sigma(x, w)
    xs = x / sd if standardization else x
    W = w.sum()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if lam == 0.0:
            clf = LogisticRegression(penalty=None, multi_class="multinomial", solver="lbfgs",
                                     tol=1e-13, max_iter=100000, fit_intercept=fit_intercept)
        else:
            C = 1.0 / (lam * W) if standardization else None
            if not standardization:
                C = 1.0 / (lam * W)
            clf = LogisticRegression(C=C, multi_class="multinomial", solver="lbfgs", tol=1e-13,
                                     max_iter=100000, fit_intercept=fit_intercept)
        clf.fit(xs, y, sample_weight=w)
    coef = clf.coef_ / sd if standardization else clf.coef_.copy()
    b = clf.intercept_.copy() if fit_intercept else np.zeros(K)
    coef, b = polish(coef, b, x, y, w, lam, sd, standardization, fit_intercept)
    g, gb = objective_grad(coef, b, x, y, w, lam, sd, standardization, fit_intercept)
    # optimality in the space the solver works in (scaled coefficients)
    gs = g * sd if standardization else g
    assert np.abs(gs).max() < 1e-10, np.abs(gs).max()
    if fit_intercept:
        assert np.abs(gb).max() < 1e-10, np.abs(gb).max()
    if lam == 0.0:
        coef = coef - coef.mean(axis=0, keepdims=True)
    if fit_intercept:
        b = b - b.mean()
    return coef, b


def main():
    if not os.path.exists(os.path.join(HERE, "multi.csv")):
        make_data()
    x, y, w = load()
    ones = np.ones_like(w)
    cases = [
        # name, lambda, standardization, fitIntercept, weighted
        ("l2_std", 0.05, True, True, False),
        ("l2_raw", 0.05, False, True, False),
        ("l2_std_weighted", 0.02, True, True, True),
        ("l2_nointercept", 0.1, True, False, False),
        ("none", 0.0, True, True, False),
    ]
    with open(os.path.join(HERE, "multi_reference.txt"), "w") as f:
        f.write("# name regParam standardization fitIntercept weighted | K x 4 coefficients "
                "(row-major) | K intercepts\n")
        for name, lam, std, fi, weighted in cases:
            coef, b = fit(x, y, w if weighted else ones, lam, std, fi)
            f.write("%s %r %d %d %d | %s | %s\n" % (
                name, lam, std, fi, weighted, " ".join("%.15g" % v for v in coef.ravel()),
                " ".join("%.15g" % v for v in b)))


if __name__ == "__main__":
    main()
