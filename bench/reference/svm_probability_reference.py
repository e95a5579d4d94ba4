"""scikit-learn's SVC(probability=True) (libsvm: Platt scaling on 5-fold cross-validated decision
values, pairwise coupling for three classes) on the splits and preparation of
tests/it/challengers.rs: Australian, German's seven numeric attributes and Iris, row i (file
order, from 0) a test row when i % 10 >= 7; training medians, then standardization (n - 1).
Prints the test Brier score (mean over rows of the sum over classes of the squared error) and
AUC (of class 1; Iris: mean one-vs-rest) of SVC(C=1, gamma="scale", probability=True) for five
seeds of its internal cross-validation, and their mean, for the SVM tests to compare with.

  /work/venv/bin/python bench/reference/svm_probability_reference.py [../shared/datasets]
"""
import sys
import warnings

import numpy as np
import pandas as pd
import sklearn
from sklearn.metrics import roc_auc_score
from sklearn.svm import SVC

warnings.filterwarnings("ignore", category=FutureWarning)
ROOT = sys.argv[1] if len(sys.argv) > 1 else "../shared/datasets"


def prepare(x, test):
    xtr, xte = x[~test].copy(), x[test].copy()
    med = np.nanmedian(xtr, axis=0)
    for a in (xtr, xte):
        idx = np.where(np.isnan(a))
        a[idx] = np.take(med, idx[1])
    mean, sd = xtr.mean(axis=0), xtr.std(axis=0, ddof=1)
    sd = np.where(sd > 0, sd, 1.0)
    return (xtr - mean) / sd, (xte - mean) / sd


def sets():
    a = np.loadtxt(f"{ROOT}/statlog-australian/australian.dat")
    yield "australian", a[:, :-1], a[:, -1].astype(int)
    g = pd.read_csv(f"{ROOT}/statlog-german/german.data", sep=r"\s+", header=None)
    yield "german", g[[1, 4, 7, 10, 12, 15, 17]].values.astype(float), (g[20].values == 2).astype(int)
    iris = pd.read_csv(f"{ROOT}/iris/iris.csv")
    y = iris["species"].map({"setosa": 0, "versicolor": 1, "virginica": 2}).values
    yield "iris", iris.drop(columns=["species"]).values.astype(float), y


print(f"scikit-learn {sklearn.__version__}")
for name, x, y in sets():
    test = np.arange(len(y)) % 10 >= 7
    xtr, xte = prepare(x, test)
    ytr, yte = y[~test], y[test]
    k = len(np.unique(y))
    briers, aucs = [], []
    for seed in range(5):
        p = SVC(C=1.0, kernel="rbf", gamma="scale", probability=True, random_state=seed).fit(xtr, ytr).predict_proba(xte)
        onehot = np.eye(k)[yte]
        briers.append(np.mean(np.sum((p - onehot) ** 2, axis=1)))
        aucs.append(roc_auc_score(yte, p[:, 1]) if k == 2 else roc_auc_score(yte, p, multi_class="ovr"))
    print(f"{name}: Brier {np.round(briers, 4).tolist()} mean {np.mean(briers):.4f}; "
          f"AUC {np.round(aucs, 4).tolist()} mean {np.mean(aucs):.4f}")
