#!/usr/bin/python3
"""Generates tests/data/nb/data.csv and tests/data/nb/reference.txt for naive_bayes_test.

Run with Debian's python (scikit-learn is importable there):  /usr/bin/python3 make_reference.py

data.csv: label (0, 1, 2), weight, c0..c4 (non-negative counts: multinomial and complement
features; bernoulli uses b_j = 1 if c_j > 0 else 0) and g0..g2 (real values: gaussian features).

reference.txt: one line per quantity, "<config>.<name> v v v ...", where config is
<modelType>_<smoothing>_<unweighted|weighted> and name is pi (K log priors), theta (K x d,
row-major), sigma (gaussian: K x d variances), raw (n x K rawPrediction of every training row)
and prob (n x K probability). All from scikit-learn 1.2's naive_bayes classes, mapped to Spark
3.5's definitions (NaiveBayes.scala) as follows:

* Spark's priors are smoothed for the discrete types: pi_c = log(W_c + lambda) - log(W + K lambda)
  (W_c the weight of class c). scikit-learn's MultinomialNB/BernoulliNB/ComplementNB use
  log(W_c / W); we pass class_prior = exp(Spark's pi) so that class_log_prior_ (and the joint
  log likelihood built from it) are Spark's. alpha = smoothing with force_alpha=True.
* multinomial: theta_cj = log(S_cj + lambda) - log(sum_j S_cj + d lambda) is sklearn's
  feature_log_prob_; rawPrediction = pi + theta x is sklearn's predict_joint_log_proba.
* bernoulli: theta_cj = log(S_cj + lambda) - log(W_c + 2 lambda) is feature_log_prob_ (binarize=None);
  rawPrediction = pi + sum_j [x_j theta_cj + (1 - x_j) log(1 - exp theta_cj)] is
  predict_joint_log_proba.
* complement: Spark's theta_cj = -(log(T_j - S_cj + lambda) - log(sum_j (T_j - S_cj) + d lambda))
  (T the total over classes) is ComplementNB(norm=False).feature_log_prob_; Spark's
  rawPrediction = theta x - logsumexp(theta x), which is sklearn's predict_log_proba (sklearn's
  joint log likelihood for K > 1 classes is theta x, without the prior). Spark's pi is still
  stored (smoothed as above) though prediction does not use it.
* gaussian: pi_c = log(W_c / W) (no smoothing) is log(class_prior_); theta is theta_; sigma is
  var_ = the weighted per-class variance + epsilon with epsilon = 1e-9 * the largest weighted
  variance of a feature over all rows. sklearn's var_smoothing multiplies the *unweighted*
  variance, so var_smoothing is rescaled by (weighted max variance / unweighted max variance).
  Spark's rawPrediction = pi - (sum_j (x_j - theta_cj)^2 / sigma_cj + sum_j log sigma_cj) / 2
  omits sklearn's -d/2 log(2 pi): raw = predict_joint_log_proba + d/2 log(2 pi).
* probability = softmax(raw) = predict_proba in every case.
"""
import os

import numpy as np
from scipy.special import logsumexp
from sklearn.naive_bayes import BernoulliNB, ComplementNB, GaussianNB, MultinomialNB

HERE = os.path.dirname(os.path.abspath(__file__))
K = 3


def make_data():
    rng = np.random.RandomState(20240615)
    n = 36
    rates = np.array([[3.0, 0.5, 0.2, 1.0, 0.0],
                      [0.3, 2.5, 0.8, 1.0, 0.4],
                      [0.6, 0.3, 3.0, 0.2, 0.1]])
    means = np.array([[0.0, 1.0, -2.0], [1.5, -0.5, -1.0], [-1.0, 0.5, 0.5]])
    scales = np.array([[1.0, 0.5, 2.0], [0.7, 1.2, 1.0], [1.3, 0.8, 0.6]])
    with open(os.path.join(HERE, "data.csv"), "w") as f:
        f.write("label,weight,c0,c1,c2,c3,c4,g0,g1,g2\n")
        for i in range(n):
            y = i % K
            c = rng.poisson(rates[y])
            g = np.round(means[y] + scales[y] * rng.randn(3), 3)
            w = np.round(rng.uniform(0.2, 3.0), 2)
            f.write("%d,%s,%s,%s\n" % (y, "%.2f" % w, ",".join("%d" % v for v in c),
                                      ",".join("%.3f" % v for v in g)))


def load():
    a = np.loadtxt(os.path.join(HERE, "data.csv"), delimiter=",", skiprows=1)
    return a[:, 0].astype(int), a[:, 1], a[:, 2:7], a[:, 7:10]


def spark_pi(y, w, lam):
    wc = np.array([w[y == c].sum() for c in range(K)])
    return np.log(wc + lam) - np.log(wc.sum() + K * lam)


def discrete(kind, x, y, w, lam):
    pi = spark_pi(y, w, lam)
    cls = {"multinomial": MultinomialNB, "bernoulli": BernoulliNB, "complement": ComplementNB}[kind]
    kw = dict(alpha=lam, force_alpha=True, class_prior=np.exp(pi))
    if kind == "bernoulli":
        kw["binarize"] = None
    if kind == "complement":
        kw["norm"] = False
    m = cls(**kw).fit(x, y, sample_weight=w)
    assert np.allclose(m.class_log_prior_, pi, rtol=0, atol=1e-14)
    theta = m.feature_log_prob_
    # Spark's formulas, computed directly, agree with sklearn's attributes.
    S = np.array([(w[y == c][:, None] * x[y == c]).sum(axis=0) for c in range(K)])
    if kind == "multinomial":
        mine = np.log(S + lam) - np.log(S.sum(axis=1, keepdims=True) + x.shape[1] * lam)
    elif kind == "bernoulli":
        wc = np.array([w[y == c].sum() for c in range(K)])
        mine = np.log(S + lam) - np.log(wc[:, None] + 2 * lam)
    else:
        comp = S.sum(axis=0) - S
        mine = -(np.log(comp + lam) - np.log(comp.sum(axis=1, keepdims=True) + x.shape[1] * lam))
    assert np.allclose(theta, mine, rtol=1e-13, atol=0)
    if kind == "complement":
        raw = m.predict_log_proba(x)
        jll = x @ theta.T
        assert np.allclose(raw, jll - logsumexp(jll, axis=1, keepdims=True), rtol=1e-13, atol=1e-13)
    else:
        raw = m.predict_joint_log_proba(x)
        if kind == "multinomial":
            assert np.allclose(raw, pi + x @ theta.T, rtol=1e-13, atol=0)
    return pi, theta, None, raw, m.predict_proba(x)


def gaussian(x, y, w):
    W = w.sum()
    mean_all = (w[:, None] * x).sum(axis=0) / W
    wvar = ((w[:, None] * x ** 2).sum(axis=0) / W - mean_all ** 2).max()
    uvar = np.var(x, axis=0).max()
    m = GaussianNB(var_smoothing=1e-9 * wvar / uvar).fit(x, y, sample_weight=w)
    eps = 1e-9 * wvar
    assert abs(m.epsilon_ - eps) <= 1e-15 * eps
    pi = np.log(m.class_prior_)
    wc = np.array([w[y == c].sum() for c in range(K)])
    assert np.allclose(pi, np.log(wc) - np.log(W), rtol=0, atol=1e-15)
    raw = m.predict_joint_log_proba(x) + 0.5 * x.shape[1] * np.log(2 * np.pi)
    # Spark's rawPrediction, computed directly, agrees.
    mine = np.array([[pi[c] - 0.5 * (((xi - m.theta_[c]) ** 2 / m.var_[c]).sum() + np.log(m.var_[c]).sum())
                      for c in range(K)] for xi in x])
    assert np.allclose(raw, mine, rtol=1e-12, atol=1e-12)
    return pi, m.theta_, m.var_, raw, m.predict_proba(x)


def main():
    if not os.path.exists(os.path.join(HERE, "data.csv")):
        make_data()
    y, w, c, g = load()
    b = (c > 0).astype(float)
    configs = [("multinomial", 1.0, False), ("multinomial", 0.5, True),
               ("bernoulli", 1.0, False), ("bernoulli", 0.3, True),
               ("complement", 1.0, False), ("complement", 2.0, True),
               ("gaussian", 1.0, False), ("gaussian", 1.0, True)]
    lines = []
    for kind, lam, weighted in configs:
        ww = w if weighted else np.ones_like(w)
        if kind == "gaussian":
            res = gaussian(g, y, ww)
        else:
            res = discrete(kind, b if kind == "bernoulli" else c, y, ww, lam)
        name = "%s_%g_%s" % (kind, lam, "weighted" if weighted else "unweighted")
        for key, v in zip(["pi", "theta", "sigma", "raw", "prob"], res):
            if v is None:
                continue
            lines.append("%s.%s %s" % (name, key, " ".join("%.17g" % t for t in np.ravel(v))))
    with open(os.path.join(HERE, "reference.txt"), "w") as f:
        f.write("# generated by make_reference.py (scikit-learn naive_bayes mapped to Spark 3.5)\n")
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
