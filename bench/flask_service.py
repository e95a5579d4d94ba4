"""The Korean service's stack for the load benchmark: Flask (under gunicorn) serving a
scikit-learn decision tree. POST /v1/score takes the same JSON as `precre serve` (a firm and its
statements), computes the ratios the tree reads in Python, and answers the class and the
probabilities. The tree is fitted at start on the same demo ratios (`precre export ratios`) with
the parameters of PRECRE's default model (Gini, depth 6): the same data, the same kind of tree.

Run by bench/serve.sh; not part of the test suite.
"""
import csv
import json
import os

from flask import Flask, jsonify, request
from sklearn.tree import DecisionTreeClassifier

RATIOS_CSV = os.environ["PRECRE_BENCH_RATIOS"]
MODEL_JSON = os.environ["PRECRE_BENCH_MODEL"]

features = json.load(open(MODEL_JSON))["pipeline"]["features"]
rows, labels = [], []
latest = {}
with open(RATIOS_CSV) as f:
    for r in csv.DictReader(f):
        key = r["firm_id"]
        if key not in latest or int(r["fiscal_year"]) > int(latest[key]["fiscal_year"]):
            latest[key] = r
for r in latest.values():
    if not r.get("class"):
        continue
    rows.append([float(r[c]) if r[c] not in ("", None) else 0.0 for c in features])
    labels.append(r["class"])
tree = DecisionTreeClassifier(criterion="gini", max_depth=6, random_state=42).fit(rows, labels)
classes = list(tree.classes_)


def safe(a, b):
    return a / b if b else 0.0


def ratios(items, prev):
    """The ratios of the default model's inputs from one statement (and the year before)."""
    cur_assets = items.get("inventories", 0) + items.get("receivables", 0) + items.get(
        "short_term_investments", 0) + items.get("cash", 0)
    cur_liab = items.get("short_term_borrowings", 0) + items.get("payables", 0) + items.get(
        "deferred_income", 0) + items.get("other_liabilities", 0)
    debt = items["total_assets"] - items.get("equity", 0)
    out = {
        "current_ratio": safe(cur_assets, cur_liab),
        "quick_ratio": safe(cur_assets - items.get("inventories", 0), cur_liab),
        "cash_ratio": safe(items.get("cash", 0), cur_liab),
        "debt_ratio": safe(debt, items["total_assets"]),
        "financial_autonomy": safe(items.get("equity", 0), items["total_assets"]),
        "net_margin": safe(items.get("net_income", 0), items.get("revenue", 0)),
        "roa": safe(items.get("net_income", 0), items["total_assets"]),
        "payables_turnover": safe(items.get("cost_of_sales", 0), items.get("payables", 0)),
        "interest_cover": safe(items.get("operating_profit", 0), items.get("interest_paid", 0)),
    }
    if prev:
        out["revenue_growth"] = safe(items.get("revenue", 0) - prev.get("revenue", 0),
                                     prev.get("revenue", 0))
    return out


app = Flask(__name__)


@app.post("/v1/score")
def score():
    body = request.get_json(force=True)
    st = sorted(body["statements"], key=lambda s: s["fiscal_year"])
    cur = st[-1]["items"]
    prev = st[-2]["items"] if len(st) > 1 else None
    r = ratios(cur, prev)
    x = [[r.get(c, 0.0) for c in features]]
    p = tree.predict_proba(x)[0]
    best = max(range(len(classes)), key=lambda i: p[i])
    return jsonify({"class": classes[best],
                    "probabilities": {c: float(v) for c, v in zip(classes, p)}})
