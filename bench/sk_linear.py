#!/usr/bin/python3
"""One timed scikit-learn fit at Spark's optimum, the peer of bench/glm_fit (issue #13).

  bench/sk_linear.py --x bench/data/linear_X.npy --y bench/data/linear_y.npy
                     --model ridge|svc [--solver auto|cholesky|...] [--reg 0.01]
                     [--sigma population|unbiased] [--intercept-scaling 10] [--tol 1e-4]
                     [--coef-out coef.f64]

Spark's objectives with standardization=true (the comment at the top of
src/regression/linear_regression.cc; Spark's LinearSVC), σ_j the features' standard deviations,
W = n (unit weights):
  LinearRegression  1/(2W) Σ (y − x·β − b)² + λ/(2σ_y) Σ σ_j² β_j²
  LinearSVC         1/W Σ max(0, 1 − s·(x·β + b)) + λ/2 Σ σ_j² β_j²          (s = 2y − 1)
Both penalise the coefficients of the standardized features x_j/σ_j, so scikit-learn is given
X̃ = X/σ (Ridge) or X̃ = (X − μ)/σ (LinearSVC: centring moves only the intercept and makes
liblinear's penalised bias column cheap), computed BEFORE the timer starts (scikit-learn's timed
fit does strictly less work than thunderdome's, which standardizes inside the fit), and its
coefficients are mapped back: β = β̃/σ (and b = b̃ − β·μ).
  Ridge:      ‖y − X̃β̃ − b‖² + α‖β̃‖² is 2W × Spark's objective with α = λ·W/σ_y.
  LinearSVC:  liblinear's ½‖β̃‖² + ½(b̃/s)² + C Σ hinge (loss='hinge', dual, intercept_scaling s:
              the bias is penalised) is (Spark's + (λ/2)(b̃/s)²)/λ with C = 1/(λW): the same
              optimum up to the bias penalty, small for a large s.
σ: population (Σ(x − μ)²/W) for LinearRegression's normal solver, unbiased (/(W − 1)) for its
l-bfgs path and for LinearSVC, as Spark uses (--sigma). σ_y likewise.
Prints one JSON object: fitSeconds, iterations (n_iter_ where scikit-learn reports it), the
intercept and a coefficient checksum; --coef-out writes d + 1 float64 (β, then b).
"""
import argparse
import json
import sys
import time
import warnings

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--x", required=True)
    ap.add_argument("--y", required=True)
    ap.add_argument("--model", choices=["ridge", "svc"], required=True)
    ap.add_argument("--solver", default="auto")
    ap.add_argument("--reg", type=float, default=0.01)
    ap.add_argument("--sigma", choices=["population", "unbiased"], default="population")
    ap.add_argument("--intercept-scaling", type=float, default=10.0)
    ap.add_argument("--tol", type=float, default=None, help="scikit-learn's tol (default: its own)")
    ap.add_argument("--max-iter", type=int, default=1000, help="LinearSVC max_iter")
    ap.add_argument("--coef-out", default="")
    a = ap.parse_args()

    import sklearn
    from sklearn.linear_model import Ridge
    from sklearn.svm import LinearSVC

    t0 = time.perf_counter()
    X = np.load(a.x)
    y = np.load(a.y)
    n = X.shape[0]
    W = float(n)
    ddof = 0 if a.sigma == "population" else 1
    mu = X.mean(axis=0)
    sigma = X.std(axis=0, ddof=ddof)
    inv = np.where(sigma > 0, 1.0 / np.where(sigma > 0, sigma, 1.0), 0.0)
    if a.model == "svc":
        X -= mu
    X *= inv  # in place: X̃
    load_seconds = time.perf_counter() - t0

    info = {}
    if a.model == "ridge":
        sigma_y = float(y.std(ddof=ddof))
        alpha = a.reg * W / sigma_y
        kw = {} if a.tol is None else {"tol": a.tol}
        est = Ridge(alpha=alpha, solver=a.solver, fit_intercept=True, **kw)
        info["alpha"] = alpha
    else:
        C = 1.0 / (a.reg * W)
        kw = {} if a.tol is None else {"tol": a.tol}
        est = LinearSVC(C=C, loss="hinge", dual=True, fit_intercept=True,
                        intercept_scaling=a.intercept_scaling, max_iter=a.max_iter, **kw)
        info["C"] = C
        info["interceptScaling"] = a.intercept_scaling
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t0 = time.perf_counter()
        est.fit(X, y)
        fit_seconds = time.perf_counter() - t0
    coef = np.ravel(est.coef_) * inv
    intercept = float(np.ravel(est.intercept_)[0]) if np.ndim(est.intercept_) else float(est.intercept_)
    if a.model == "svc":
        intercept -= float(coef @ mu)
    if a.coef_out:
        np.concatenate([coef, [intercept]]).astype("<f8").tofile(a.coef_out)
    n_iter = getattr(est, "n_iter_", None)
    if n_iter is not None:
        n_iter = int(np.max(n_iter))
    out = {
        "system": "scikit-learn", "version": sklearn.__version__, "model": a.model,
        "solver": a.solver if a.model == "ridge" else "liblinear-dual-cd", "rows": n,
        "cols": int(X.shape[1]), "regParam": a.reg, "sigma": a.sigma, "tol": est.tol,
        "loadSeconds": load_seconds, "fitSeconds": [fit_seconds], "iterations": n_iter,
        "intercept": intercept, "coefSum": float(coef.sum()), "coefSumSq": float(coef @ coef),
        "warnings": [str(w.message)[:200] for w in caught], "coefficientsFile": a.coef_out,
        **info,
    }
    print(json.dumps(out))


if __name__ == "__main__":
    sys.exit(main())
