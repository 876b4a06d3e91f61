#!/usr/bin/python3
"""Fetches Fashion-MNIST from Debian's dataset-fashion-mnist package and writes it as LibSVM
(label 0..9, pixel values 0..255, 1-based indices, zeros left out) for bench/multiclass.py:

    bench/data/fashion-mnist/train.libsvm   60,000 rows x 784 features
    bench/data/fashion-mnist/test.libsvm    10,000 rows

Installs dataset-fashion-mnist (and libopenblas0-pthread, so that scikit-learn can be measured
with OpenBLAS as well as the reference BLAS) with apt-get when run as root and missing. Nothing
is committed: bench/data/ is ignored by git.
"""
import gzip
import os
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = "/usr/share/datasets/fashion-mnist"
OUT = os.path.join(HERE, "data", "fashion-mnist")
OPENBLAS = "/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3"


def ensure_packages():
    missing = []
    if not os.path.exists(os.path.join(SRC, "train-images-idx3-ubyte.gz")):
        missing.append("dataset-fashion-mnist")
    if not os.path.exists(OPENBLAS):
        missing.append("libopenblas0-pthread")
    if not missing:
        return
    if os.geteuid() != 0:
        sys.exit("fetch_fashion_mnist: install %s first (apt-get install -y %s)"
                 % (", ".join(missing), " ".join(missing)))
    subprocess.run(["apt-get", "install", "-y", "--no-install-recommends"] + missing, check=True,
                   env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return shape, data[4 + 4 * dims:]


def write_libsvm(images, labels, path):
    (n, rows, cols), pixels = read_idx(images)
    (n2,), ys = read_idx(labels)
    assert n == n2
    d = rows * cols
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        for i in range(n):
            row = pixels[i * d:(i + 1) * d]
            f.write(str(ys[i]))
            f.write("".join(" %d:%d" % (j + 1, v) for j, v in enumerate(row) if v))
            f.write("\n")
    os.replace(tmp, path)
    return n, d


def main():
    ensure_packages()
    os.makedirs(OUT, exist_ok=True)
    for part, prefix in (("train", "train"), ("test", "t10k")):
        path = os.path.join(OUT, part + ".libsvm")
        if os.path.exists(path):
            print("have", path)
            continue
        n, d = write_libsvm(os.path.join(SRC, prefix + "-images-idx3-ubyte.gz"),
                            os.path.join(SRC, prefix + "-labels-idx1-ubyte.gz"), path)
        print("wrote %s: %d rows x %d features" % (path, n, d))


if __name__ == "__main__":
    main()
