#!/usr/bin/python3
"""Generates tests/data/linreg/data.csv and reference.txt for linear_regression_test.

Run with Debian's python (scikit-learn is importable there):  /usr/bin/python3 make_reference.py

Spark's squaredError objective, in the original coefficients b (derived from LinearRegression,
WeightedLeastSquares and the LeastSquares aggregators; see src/regression/linear_regression.cc):
    1/(2W) sum_i w_i (y_i - x_i.b - c)^2 + lam * (alpha * sum_j s_j |b_j|
                                                 + (1 - alpha)/(2 sy) * sum_j s_j^2 b_j^2)
with s_j = sigma_j (standardization=true) or 1 (false) and sy the label's standard deviation.
The normal solver (WeightedLeastSquares) uses POPULATION weighted standard deviations
(sum w (x - m)^2 / W), the l-bfgs solver UNBIASED weighted ones (Summarizer: / (W - sum w^2/W)).
With g_j = s_j b_j and x'_j = x_j / s_j this is scikit-learn's
    ElasticNet(alpha = lam*alpha + lam*(1-alpha)/sy, l1_ratio = lam*alpha / that)
    Ridge(alpha = W * lam / sy)      (alpha = 0: sum w r^2 + A |g|^2)
Huber (no label scaling): 1/(2W) sum w_i (sigma + H_eps(r_i/sigma) sigma) + lam/2 sum s_j^2 b_j^2,
i.e. HuberRegressor(alpha = lam * W) on x'. Every reference is checked against the optimality
(KKT) conditions of Spark's objective here. Standard errors, t and p values (normal solver) are
Spark's formulas with numpy/scipy: diag((A'WA)^-1) * rss / dof, p = 2 * t.sf(|t|, dof).
"""
import os
import warnings

import numpy as np
from scipy import special, stats
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNet, HuberRegressor, LinearRegression, Ridge

HERE = os.path.dirname(os.path.abspath(__file__))


def make_data():
    rng = np.random.RandomState(20240607)
    n, d = 60, 4
    means = np.array([1.0, -2.0, 10.0, 0.0])
    scales = np.array([1.0, 3.0, 5.0, 0.2])
    x = np.round(means + scales * rng.randn(n, d), 4)
    beta = np.array([1.5, -0.7, 0.25, 4.0])
    y = x @ beta + 3.0 + 0.8 * rng.randn(n)
    y[[3, 17, 41]] += np.array([12.0, -9.0, 15.0])  # outliers, for huber
    y = np.round(y, 4)
    w = rng.randint(1, 4, size=n).astype(float)
    with open(os.path.join(HERE, "data.csv"), "w") as f:
        f.write("label,weight,f0,f1,f2,f3\n")
        for i in range(n):
            f.write("%.4f,%d,%s\n" % (y[i], int(w[i]), ",".join("%.4f" % v for v in x[i])))


def load():
    a = np.loadtxt(os.path.join(HERE, "data.csv"), delimiter=",", skiprows=1)
    return a[:, 2:], a[:, 0], a[:, 1]


def wstd(v, w, population):
    W = w.sum()
    m = (w * v).sum() / W
    m2 = (w * (v - m) ** 2).sum()
    return np.sqrt(m2 / W if population else m2 / (W - (w * w).sum() / W))


def sq_fit(x, y, w, lam, alpha, std, fit_intercept, population):
    """scikit-learn's optimum of Spark's squaredError objective."""
    W = w.sum()
    sx = np.array([wstd(x[:, j], w, population) for j in range(x.shape[1])])
    sy = wstd(y, w, population)
    s = sx if std else np.ones_like(sx)
    xs = x / s
    if lam == 0.0:
        m = LinearRegression(fit_intercept=fit_intercept).fit(xs, y, sample_weight=w)
    elif alpha == 0.0:
        m = Ridge(alpha=W * lam / sy, fit_intercept=fit_intercept, tol=1e-14, solver="cholesky")
        m.fit(xs, y, sample_weight=w)
    else:
        a = lam * alpha + lam * (1 - alpha) / sy
        m = ElasticNet(alpha=a, l1_ratio=lam * alpha / a, fit_intercept=fit_intercept,
                       tol=1e-15, max_iter=10000000)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            m.fit(xs, y, sample_weight=w)
    b = m.coef_ / s
    c = m.intercept_ if fit_intercept else 0.0
    # KKT of Spark's objective
    r = y - x @ b - c
    g = -(x.T @ (w * r)) / W + lam * (1 - alpha) / sy * s ** 2 * b
    l1 = lam * alpha * s
    viol = 0.0
    for j in range(len(b)):
        if abs(b[j]) > 1e-12:
            viol = max(viol, abs(g[j] + l1[j] * np.sign(b[j])))
        else:
            viol = max(viol, abs(g[j]) - l1[j])
    if fit_intercept:
        viol = max(viol, abs((w * r).sum() / W))
    assert viol < 1e-8, viol
    return b, c


def spark_metrics(x, y, w, b, c, fit_intercept, weighted):
    """LinearRegressionSummary's metrics (RegressionMetrics)."""
    if not weighted:
        w = np.ones_like(y)
    W = w.sum()
    pred = x @ b + c
    r = y - pred
    ybar = (w * y).sum() / W
    mse = (w * r * r).sum() / W
    mae = (w * abs(r)).sum() / W
    ev = (w * (pred - ybar) ** 2).sum() / W
    if fit_intercept:
        var = (w * (y - ybar) ** 2).sum() / (W - (w * w).sum() / W)
        r2 = 1 - (w * r * r).sum() / (var * (W - 1))
    else:
        r2 = 1 - (w * r * r).sum() / (w * y * y).sum()
    n, d = x.shape
    k = 1 if fit_intercept else 0
    r2adj = 1 - (1 - r2) * (n - k) / (n - d - k)
    return [mse, np.sqrt(mse), mae, r2, r2adj, ev]


def std_errors(x, y, w, b, c, lam, std, fit_intercept):
    """Spark's WeightedLeastSquares diagInvAtWA and the summary's standard errors, t, p."""
    n, d = x.shape
    W = w.sum()
    sx = np.array([wstd(x[:, j], w, True) for j in range(d)])
    sy = wstd(y, w, True)
    xs = x / sx
    a = (xs.T * w) @ xs / W
    abar = (w @ xs) / W
    lamj = lam / sy * (np.ones(d) if std else 1.0 / sx ** 2)
    a = a + np.diag(lamj)
    if fit_intercept:
        a = np.block([[a, abar[:, None]], [abar[None, :], np.ones((1, 1))]])
    inv = np.linalg.inv(a)
    mult = np.concatenate([sx ** 2, [1.0]]) if fit_intercept else sx ** 2
    diag = np.diag(inv) / (W * mult)
    r = y - x @ b - c
    dof = n - d - (1 if fit_intercept else 0)
    se = np.sqrt(diag * (w * r * r).sum() / dof)
    est = np.concatenate([b, [c]]) if fit_intercept else b
    t = est / se
    p = 2 * stats.t.sf(np.abs(t), dof)
    return se, t, p


def huber_fit(x, y, w, lam, std, fit_intercept, eps=1.35):
    W = w.sum()
    sx = np.array([wstd(x[:, j], w, False) for j in range(x.shape[1])])
    s = sx if std else np.ones_like(sx)
    m = HuberRegressor(epsilon=eps, alpha=lam * W, fit_intercept=fit_intercept, max_iter=100000,
                       tol=1e-14)
    m.fit(x / s, y, sample_weight=w)
    # polish scikit-learn's L-BFGS-B optimum (it stops near 1e-5) on the same objective
    from scipy.optimize import minimize as sp_minimize
    from sklearn.linear_model._huber import _huber_loss_and_gradient
    p0 = np.concatenate([m.coef_, [m.intercept_] if fit_intercept else [], [m.scale_]])
    bounds = [(None, None)] * (len(p0) - 1) + [(1e-12, None)]
    res = sp_minimize(_huber_loss_and_gradient, p0, args=(x / s, y, eps, lam * W, w), jac=True,
                      method="L-BFGS-B", bounds=bounds,
                      options=dict(maxiter=100000, ftol=0.0, gtol=1e-13, maxcor=50))
    d = x.shape[1]
    b = res.x[:d] / s
    c = res.x[d] if fit_intercept else 0.0
    sigma = res.x[-1]
    # gradient of Spark's objective (divided by W) at the optimum
    r = y - x @ b - c
    inl = np.abs(r) <= sigma * eps
    mult = np.where(inl, -w * r / sigma, -w * np.sign(r) * eps)
    gb = x.T @ mult / W + lam * s ** 2 * b
    gc = mult.sum() / W
    gs = np.where(inl, 0.5 * w * (1 - (r / sigma) ** 2), 0.5 * w * (1 - eps * eps)).sum() / W
    viol = max(np.abs(gb * s).max(), abs(gc) if fit_intercept else 0.0, abs(gs))
    assert viol < 1e-7, viol  # the kinks of H stop L-BFGS-B near here
    return b, c, sigma


def fmt(v):
    return " ".join("%.17g" % t for t in v)


def main():
    if not os.path.exists(os.path.join(HERE, "data.csv")):
        make_data()
    x, y, w = load()
    ones = np.ones_like(y)
    lines = []
    # name  solver  weighted  fitIntercept  standardization  regParam  elasticNetParam : values
    cases = [
        ("ols", 0.0, 0.0, True, True, False),
        ("ols_noint", 0.0, 0.0, True, False, False),
        ("ols_w", 0.0, 0.0, True, True, True),
        ("ridge_std", 0.5, 0.0, True, True, False),
        ("ridge_nostd", 0.5, 0.0, False, True, False),
        ("ridge_noint", 0.3, 0.0, True, False, False),
        ("ridge_w", 0.5, 0.0, True, True, True),
        ("enet_std", 0.3, 0.5, True, True, False),
        ("enet_nostd_w", 0.3, 0.5, False, True, True),
        ("lasso_std", 0.2, 1.0, True, True, False),
        ("lasso_nostd", 0.2, 1.0, False, True, False),
    ]
    for name, lam, alpha, std, fi, weighted in cases:
        ww = w if weighted else ones
        for solver, population in (("normal", True), ("l-bfgs", False)):
            b, c = sq_fit(x, y, ww, lam, alpha, std, fi, population)
            head = "sq %s %s %d %d %d %.17g %.17g" % (name, solver, weighted, fi, std, lam, alpha)
            lines.append("%s : %s %.17g" % (head, fmt(b), c))
            if solver == "normal":
                lines.append("metrics %s : %s" % (name, fmt(spark_metrics(x, y, ww, b, c, fi,
                                                                          weighted))))
                if alpha == 0.0:
                    se, t, p = std_errors(x, y, ww, b, c, lam, std, fi)
                    lines.append("se %s : %s" % (name, fmt(se)))
                    lines.append("t %s : %s" % (name, fmt(t)))
                    lines.append("p %s : %s" % (name, fmt(p)))
    for name, lam, std, fi, weighted in [("huber", 0.0, True, True, False),
                                         ("huber_l2_std", 0.1, True, True, False),
                                         ("huber_l2_nostd_w", 0.1, False, True, True),
                                         ("huber_noint", 0.05, True, False, False)]:
        ww = w if weighted else ones
        b, c, sigma = huber_fit(x, y, ww, lam, std, fi)
        lines.append("huber %s l-bfgs %d %d %d %.17g 0 : %s %.17g %.17g" %
                     (name, weighted, fi, std, lam, fmt(b), c, sigma))
    for a, bb, xx in [(0.5, 0.5, 0.3), (2.0, 3.0, 0.4), (10.0, 0.5, 0.9), (28.0, 0.5, 0.999),
                      (1.5, 0.5, 1e-4), (100.0, 0.5, 0.7)]:
        lines.append("betainc %.17g %.17g %.17g : %.17g" % (a, bb, xx, special.betainc(a, bb, xx)))
    with open(os.path.join(HERE, "reference.txt"), "w") as f:
        f.write("# generated by make_reference.py; do not edit\n")
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
