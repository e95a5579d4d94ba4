"""How learnable the demo portfolio is, by scikit-learn (issue 12, item 4): each firm's latest
statement's ratios (from `precre export ratios`), with and without the business factors
(data/factors.csv), labelled by the firm's latest outcome; 70/30 stratified split, seed 42;
a depth-6 tree, a random forest and gradient boosting.

  precre --db /tmp/d.db demo && precre --db /tmp/d.db export ratios --out /tmp/ratios.csv
  .venv-bench/bin/python bench/reference/demo_learnability.py /tmp/ratios.csv data/factors.csv
"""
import sys
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier

ratios = pd.read_csv(sys.argv[1])
factors = pd.read_csv(sys.argv[2]).drop(columns=["as_of"])
for c in ["supplier_dependence", "customer_dependence"]:
    factors[c] = (factors[c] == "yes").astype(float)
latest = ratios.sort_values("fiscal_year").groupby("firm_id").tail(1)
latest = latest.merge(factors, on="firm_id", how="left")
y = latest["class"].values
ratio_cols = [c for c in ratios.columns if c not in ("firm_id", "fiscal_year", "class", "model_id", "predicted")]
factor_cols = [c for c in factors.columns if c != "firm_id"]
for name, cols in [("ratios", ratio_cols), ("ratios + factors", ratio_cols + factor_cols)]:
    x = latest[cols].astype(float).fillna(latest[cols].astype(float).median())
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.3, stratify=y, random_state=42)
    for label, model in [
        ("tree depth 6", DecisionTreeClassifier(max_depth=6, random_state=0)),
        ("random forest 300", RandomForestClassifier(n_estimators=300, random_state=0, n_jobs=-1)),
        ("gradient boosting", HistGradientBoostingClassifier(random_state=0)),
    ]:
        acc = model.fit(xtr, ytr).score(xte, yte)
        print(f"{name:17s} {label:18s} test accuracy {acc:.3f}  test error {1 - acc:.3f}")
