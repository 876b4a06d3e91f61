#!/usr/bin/env python3
"""Preconditioners for Newton-CG on the hashed spam rows: CG steps to reach a relative residual.

Issue #17, item 2 ("a better preconditioner"): measures, outside thunderdome (numpy/scipy, the
same objective: mean logistic loss + regParam/2·||w||², unregularized intercept, raw counts), how
many preconditioned CG steps solve H·s = −g to ||r|| ≤ η·||g|| for η = 1e-1…1e-4, at three points
of a Newton path (w = 0, half the optimum, 0.95 of it), with
  mix        thunderdome's (liblinear's) M = 0.99·λ + 0.01·diag(H)
  jacobi     M = diag(H)
  blockM+mix the exact Hessian block of the M most frequent features and the intercept
             (Cholesky), the mix on every other feature.
Rerun: ninja -C build hash_to_libsvm && /usr/bin/python3 bench/pcg_study.py [--num-features 262144]
(about 3 minutes at 2^18; results in bench/README.md, "Passes per fit and time to accuracy").
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
from scipy.optimize import minimize
from sklearn.datasets import load_svmlight_file

here = os.path.dirname(os.path.abspath(__file__))
ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument("--train", default=os.path.join(here, "data/spam_train.tsv"))
ap.add_argument("--num-features", type=int, default=262144)
ap.add_argument("--reg-param", type=float, default=0.001)
ap.add_argument("--build", default=os.path.join(here, "../build"))
a = ap.parse_args()

with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "x.libsvm")
    subprocess.run([os.path.join(a.build, "bench/hash_to_libsvm"), "--input", a.train,
                    "--num-features", str(a.num_features), "--output", path],
                   check=True, stdout=subprocess.DEVNULL)
    X, y = load_svmlight_file(path, n_features=a.num_features)
X = X.tocsr().astype(np.float64)
cnt = np.asarray((X != 0).sum(0)).ravel()
active = np.where(cnt > 0)[0]
X, cnt = X[:, active], cnt[active]
n, k = X.shape
XT = X.T.tocsr()
lam = a.reg_param
sgn = 2 * y - 1


def value_grad(z):
    m = X @ z[:k] + z[k]
    p = 0.5 * (1 + np.tanh(0.5 * m))
    r = p - y
    f = np.logaddexp(0, -sgn * m).mean() + 0.5 * lam * z[:k] @ z[:k]
    return f, np.concatenate([XT @ r / n + lam * z[:k], [r.mean()]])


opt = minimize(value_grad, np.zeros(k + 1), jac=True, method="L-BFGS-B",
               options={"maxiter": 5000, "gtol": 1e-10, "ftol": 1e-15})
print(f"{n} rows, {k} active features, regParam {lam}: f* = {opt.fun:.10g}", file=sys.stderr)


def pcg_steps(hv, g, apply_m, eta, cap=2000):
    x = np.zeros_like(g)
    r = -g.copy()
    z = apply_m(r)
    d = z.copy()
    rz = r @ z
    g0 = np.linalg.norm(g)
    for it in range(1, cap + 1):
        hd = hv(d)
        alpha = rz / (d @ hd)
        x += alpha * d
        r -= alpha * hd
        if np.linalg.norm(r) <= eta * g0:
            return it
        z = apply_m(r)
        rz_new = r @ z
        d = z + (rz_new / rz) * d
        rz = rz_new
    return cap


order = np.argsort(-cnt)
print("| point | preconditioner | CG steps to ||r||/||g|| = 1e-1 / 1e-2 / 1e-3 / 1e-4 |")
print("|---|---|---|")
for name, z in [("w = 0", np.zeros(k + 1)), ("w = w*/2", 0.5 * opt.x), ("w = 0.95 w*", 0.95 * opt.x)]:
    _, g = value_grad(z)
    m = X @ z[:k] + z[k]
    p = 0.5 * (1 + np.tanh(0.5 * m))
    D = p * (1 - p)

    def hv(v, D=D):
        u = D * (X @ v[:k] + v[k])
        return np.concatenate([XT @ u / n + lam * v[:k], [u.sum() / n]])

    diag = np.concatenate([np.asarray(X.multiply(X).T @ D).ravel() / n + lam, [D.sum() / n]])
    reg = np.concatenate([np.full(k, lam), [0.0]])
    mix = 0.99 * reg + 0.01 * diag
    pcs = {"mix (default)": lambda r, mix=mix: r / mix, "jacobi": lambda r, diag=diag: r / diag}
    for top in (64, 256, 1024):
        F = order[:top]
        XF = X[:, F].toarray()
        B = np.zeros((top + 1, top + 1))
        B[:top, :top] = XF.T @ (XF * D[:, None]) / n + lam * np.eye(top)
        B[:top, top] = B[top, :top] = XF.T @ D / n
        B[top, top] = D.sum() / n
        L = np.linalg.cholesky(B)
        idx = np.concatenate([F, [k]])

        def block(r, L=L, idx=idx, mix=mix):
            out = r / mix
            out[idx] = np.linalg.solve(L.T, np.linalg.solve(L, r[idx]))
            return out

        pcs[f"block{top}+mix"] = block
    for pname, apply_m in pcs.items():
        steps = [pcg_steps(hv, g, apply_m, eta) for eta in (1e-1, 1e-2, 1e-3, 1e-4)]
        print(f"| {name} | {pname} | {' / '.join(map(str, steps))} |", flush=True)
