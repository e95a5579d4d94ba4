# scikit-learn reference figures for the tree tests (tests/tree.rs), on the reference protocol's
# split of ../shared/datasets/README.md (training row ids in tests/fixtures/polish1_train_ids.txt).
# Usage: python3 tools/tree_reference.py
import numpy as np
import pandas as pd
from sklearn.datasets import load_iris
from sklearn.metrics import accuracy_score, recall_score, roc_auc_score
from sklearn.tree import DecisionTreeClassifier

d = pd.read_csv("../shared/datasets/polish-bankruptcy/1year.csv")
train_ids = set(open("tests/fixtures/polish1_train_ids.txt").read().split())
tr = d[d.row_id.isin(train_ids)]
te = d[~d.row_id.isin(train_ids)]
xtr = tr.drop(columns=["row_id", "class"])
med = xtr.median()
xtr = xtr.fillna(med)
xte = te.drop(columns=["row_id", "class"]).fillna(med)
for crit, depth in [("gini", None), ("gini", 6), ("entropy", 6)]:
    accs, nodes = [], []
    for seed in range(20):
        t = DecisionTreeClassifier(criterion=crit, max_depth=depth, random_state=seed).fit(xtr, tr["class"])
        accs.append(accuracy_score(te["class"], t.predict(xte)))
        nodes.append(t.tree_.node_count)
    t = DecisionTreeClassifier(criterion=crit, max_depth=depth, random_state=42).fit(xtr, tr["class"])
    p = t.predict(xte)
    print(crit, depth, "acc seeds min %.4f max %.4f" % (min(accs), max(accs)), "nodes", min(nodes), max(nodes),
          "| seed 42: acc %.4f recall %.4f auc %.4f" % (accuracy_score(te["class"], p), recall_score(te["class"], p, average="macro"),
          roc_auc_score(te["class"], t.predict_proba(xte)[:, 1])))
iris = load_iris()
t = DecisionTreeClassifier(random_state=0).fit(iris.data, iris.target)
print("iris full tree nodes", t.tree_.node_count, "leaves", t.get_n_leaves(), "depth", t.get_depth(), "train acc", t.score(iris.data, iris.target))
t = DecisionTreeClassifier(max_depth=2, random_state=0).fit(iris.data, iris.target)
print("iris depth 2: feature", t.tree_.feature[:3], "threshold", np.round(t.tree_.threshold[:3], 4), "value", t.tree_.value[0])
