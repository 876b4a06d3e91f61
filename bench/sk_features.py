#!/usr/bin/python3
"""scikit-learn's side of the feature-stage benchmark of issue #12 (bench/features.py runs it in
a fresh process per sample). Same output as bench/feature_bench (one JSON line):
read_s, fit_s, transform_s, total_s, rows, dim, nnz, sum, max_rss_mb, cpu_s.

  sk_features.py text    DATA.tsv   pandas.read_csv (tab, no quoting) -> Pipeline(
                                    CountVectorizer(lowercase, tokenizer=str.split,
                                    max_features=2^18), TfidfTransformer(norm=None,
                                    smooth_idf=True)); also prints sum_tf, the sum of the counts
                                    (for the tfidf_sklearn = tfidf_spark + tf check)
  sk_features.py tabular DATA.csv   pandas.read_csv -> Pipeline(ColumnTransformer([
                                    ("num", SimpleImputer(mean), x*), ("cat",
                                    OneHotEncoder(handle_unknown="ignore"), c*)]),
                                    StandardScaler(with_mean=False))
Both: pipe.fit(data), then pipe.transform(data) (as Spark's Pipeline.fit + PipelineModel
.transform), then the sparse output's rows, columns, stored entries and the sum of its values.
"""
import csv
import json
import resource
import sys
import time

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler


def text_job(path):
    t0 = time.perf_counter()
    df = pd.read_csv(path, sep="\t", quoting=csv.QUOTE_NONE, header=0,
                     dtype={"id": "int64", "text": str, "label": "float64"},
                     keep_default_na=False, na_filter=False, encoding="utf-8")
    texts = df["text"]
    t1 = time.perf_counter()
    pipe = Pipeline([
        ("cv", CountVectorizer(lowercase=True, tokenizer=str.split, token_pattern=None,
                               max_features=1 << 18, min_df=1)),
        ("idf", TfidfTransformer(norm=None, use_idf=True, smooth_idf=True, sublinear_tf=False)),
    ])
    pipe.fit(texts)
    t2 = time.perf_counter()
    X = pipe.transform(texts)
    extra = {}
    return t0, t1, t2, X, extra, pipe


def tabular_job(path):
    t0 = time.perf_counter()
    df = pd.read_csv(path)
    t1 = time.perf_counter()
    nums = [c for c in df.columns if c.startswith("x")]
    cats = [c for c in df.columns if c.startswith("c")]
    pipe = Pipeline([
        ("ct", ColumnTransformer([
            ("num", SimpleImputer(strategy="mean"), nums),
            ("cat", OneHotEncoder(handle_unknown="ignore"), cats),
        ], sparse_threshold=0.3)),
        ("scale", StandardScaler(with_mean=False, with_std=True)),
    ])
    pipe.fit(df)
    t2 = time.perf_counter()
    X = pipe.transform(df)
    return t0, t1, t2, X, {}, pipe


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("text", "tabular"):
        sys.exit(__doc__)
    job, path = sys.argv[1], sys.argv[2]
    t0, t1, t2, X, extra, pipe = (text_job if job == "text" else tabular_job)(path)
    if sp.issparse(X):
        X = X.tocsr()
        nnz = int(X.nnz)
        total = float(np.sum(X.data))
    else:
        nnz = int(np.count_nonzero(X))
        total = float(np.sum(X))
    t3 = time.perf_counter()
    if job == "text":
        # Outside the timers: the counts alone, for the idf relation check.
        extra["sum_tf"] = float(pipe.named_steps["cv"].transform(
            pd.read_csv(path, sep="\t", quoting=csv.QUOTE_NONE, header=0, dtype=str,
                        keep_default_na=False, na_filter=False)["text"]).sum())
    ru = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({
        "read_s": t1 - t0, "fit_s": t2 - t1, "transform_s": t3 - t2, "total_s": t3 - t0,
        "rows": int(X.shape[0]), "dim": int(X.shape[1]), "nnz": nnz, "sum": total,
        "max_rss_mb": ru.ru_maxrss / 1024.0, "cpu_s": ru.ru_utime + ru.ru_stime, **extra}))


if __name__ == "__main__":
    main()
