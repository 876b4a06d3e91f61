#!/usr/bin/python3
"""Writes examples/data/churn_train.csv and churn_test.csv: a synthetic telecom-churn table
(numeric and categorical columns, a string label, empty cells) for examples/tabular.json.
Deterministic: the same files on every run (random.Random(2026)). Run from the repository root:
    /usr/bin/python3 examples/data/make_churn.py
"""
import csv
import math
import random

rng = random.Random(2026)
PLANS = ["basic", "standard", "premium", "family"]
REGIONS = ["north", "south", "east", "west", "central"]
PAYMENTS = ["card", "bank transfer", "cash", "voucher"]


def row(i):
    plan = rng.choices(PLANS, weights=[5, 3, 2, 1])[0]
    region = rng.choice(REGIONS)
    payment = rng.choices(PAYMENTS, weights=[6, 4, 2, 1])[0]
    tenure = rng.randint(0, 72)
    age = rng.randint(18, 80)
    charges = round(rng.uniform(15, 120) + {"basic": 0, "standard": 10, "premium": 30, "family": 20}[plan], 2)
    calls = min(int(rng.expovariate(0.5)), 12)
    z = (-1.2 + 0.45 * calls - 0.04 * tenure + 0.015 * (charges - 60)
         + {"cash": 0.9, "voucher": 0.6}.get(payment, 0.0)
         + {"premium": -0.5}.get(plan, 0.0) + (0.3 if region == "east" else 0.0)
         - 0.01 * (age - 45))
    churned = "yes" if rng.random() < 1 / (1 + math.exp(-z)) else "no"
    cells = [i, age, plan, region, payment, tenure, charges, calls, churned]
    # Empty cells, as users' exports have them: age, charges and calls sometimes missing.
    for k in (1, 6, 7):
        if rng.random() < 0.05:
            cells[k] = ""
    return cells


header = ["customer_id", "age", "plan", "region", "payment", "tenure_months",
          "monthly_charges", "support_calls", "churned"]
rows = [row(i) for i in range(1, 1201)]
for name, part in (("churn_train.csv", rows[:1000]), ("churn_test.csv", rows[1000:])):
    with open(f"examples/data/{name}", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(part)
