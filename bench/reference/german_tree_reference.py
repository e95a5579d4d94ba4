"""Reference for the German credit tree on its categorical attributes (issue 12): scikit-learn's
depth-6 Gini tree on one-hot encoded attributes (every category a 0/1 column, as precre's
one-hot), on a fixed split: row i (from 0, file order) is in the test part when i % 10 >= 7.

  .venv-bench/bin/python bench/reference/german_tree_reference.py
"""
import sys
import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, recall_score
from sklearn.tree import DecisionTreeClassifier

ROOT = sys.argv[1] if len(sys.argv) > 1 else "../shared/datasets"
cols = [f"column_{i}" for i in range(1, 22)]
df = pd.read_csv(f"{ROOT}/statlog-german/german.data", sep=r"\s+", header=None, names=cols)
y = df["column_21"].astype(str).values
x = df.drop(columns=["column_21"])
cat = [c for c in x.columns if not pd.api.types.is_numeric_dtype(x[c])]
x = pd.get_dummies(x, columns=cat, prefix_sep="=", dtype=float)
test = np.arange(len(df)) % 10 >= 7
for seed in range(5):
    t = DecisionTreeClassifier(criterion="gini", max_depth=6, random_state=seed).fit(x[~test], y[~test])
    p = t.predict(x[test])
    print(f"seed {seed}: accuracy {accuracy_score(y[test], p):.4f} macro recall {recall_score(y[test], p, average='macro'):.4f}")
