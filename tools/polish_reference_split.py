# The reference protocol of ../shared/datasets/README.md for Polish 1year: rows in canonical order
# (sorted on all columns), stratified 70/30 split with seed 42. Writes the training rows' row_id,
# one a line, so that Rust tests can run on exactly the reference's training part.
# Usage: python3 tools/polish_reference_split.py > tests/fixtures/polish1_train_ids.txt
# Also prints (stderr) the PCA figures scikit-learn gives on that part and on all rows.
import sys
import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

d = pd.read_csv("../shared/datasets/polish-bankruptcy/1year.csv")
s = d.sort_values(list(d.columns[1:])).reset_index(drop=True)
train, _ = train_test_split(s, test_size=0.3, stratify=s["class"], random_state=42)
for rid in train["row_id"]:
    print(rid)
for name, part in [("train", train), ("all", d)]:
    x = part.drop(columns=["row_id", "class"])
    z = StandardScaler().fit_transform(x.fillna(x.median()))
    r = PCA().fit(z).explained_variance_ratio_
    print(name, "PC1 %.4f" % r[0], "k(0.90) =", np.searchsorted(np.cumsum(r), 0.9) + 1, file=sys.stderr)
