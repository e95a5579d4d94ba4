"""References for the challenger models (issue 13) on the shared data sets, each on a fixed
split with the same preparation as precre's pipeline: training medians fill missing values,
then training means and standard deviations (n - 1) standardize.

Splits: Polish 1year by tests/fixtures/polish1_train_ids.txt; Australian, German (its seven
numeric attributes) and Iris: row i (from 0, file order) is a test row when i % 10 >= 7.
Prints scikit-learn's logistic regression coefficients (C = 1, converged to 1e-12) and test
AUCs of LogisticRegression, LinearDiscriminantAnalysis, RandomForestClassifier (100 trees)
LightGBM (100 rounds, 31 leaves, learning rate 0.1, 20 rows a leaf) and SVC (RBF, C = 1,
probability=True).

  .venv-bench/bin/python bench/reference/challengers_reference.py
"""
import sys
import numpy as np
import pandas as pd
import lightgbm as lgb
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.svm import SVC
from optbinning import BinningProcess, Scorecard

ROOT = sys.argv[1] if len(sys.argv) > 1 else "../shared/datasets"


def prepare(x, test):
    xtr, xte = x[~test].copy(), x[test].copy()
    med = np.nanmedian(xtr, axis=0)
    med = np.where(np.isnan(med), 0.0, med)
    for a in (xtr, xte):
        idx = np.where(np.isnan(a))
        a[idx] = np.take(med, idx[1])
    mean, sd = xtr.mean(axis=0), xtr.std(axis=0, ddof=1)
    sd = np.where(sd > 0, sd, 1.0)
    return (xtr - mean) / sd, (xte - mean) / sd


def datasets():
    df = pd.read_csv(f"{ROOT}/polish-bankruptcy/1year.csv")
    ids = set(open("tests/fixtures/polish1_train_ids.txt").read().split())
    test = ~df["row_id"].isin(ids).values
    yield "polish", df.drop(columns=["row_id", "class"]).values.astype(float), df["class"].values, test
    a = np.loadtxt(f"{ROOT}/statlog-australian/australian.dat")
    yield "australian", a[:, :-1], a[:, -1].astype(int), np.arange(len(a)) % 10 >= 7
    g = pd.read_csv(f"{ROOT}/statlog-german/german.data", sep=r"\s+", header=None)
    num = [1, 4, 7, 10, 12, 15, 17]
    yield "german", g[num].values.astype(float), g[20].values, np.arange(len(g)) % 10 >= 7


np.set_printoptions(precision=10, suppress=False, linewidth=150)
for name, x, y, test in datasets():
    xtr, xte = prepare(x, test)
    ytr, yte = y[~test], y[test]
    pos = (yte == np.max(y)).astype(int)
    lr = LogisticRegression(C=1.0, tol=1e-12, max_iter=100000).fit(xtr, ytr)
    print(f"== {name}: {len(ytr)} train, {len(yte)} test")
    print("logistic coef", repr(lr.coef_[0]))
    print("logistic intercept", repr(lr.intercept_[0]))
    print(f"logistic AUC {roc_auc_score(pos, lr.predict_proba(xte)[:, 1]):.6f}")
    lda = LinearDiscriminantAnalysis().fit(xtr, ytr)
    print(f"lda AUC {roc_auc_score(pos, lda.predict_proba(xte)[:, 1]):.6f}")
    rf = RandomForestClassifier(n_estimators=100, random_state=0, n_jobs=-1).fit(xtr, ytr)
    print(f"forest AUC {roc_auc_score(pos, rf.predict_proba(xte)[:, 1]):.6f}")
    gb = lgb.LGBMClassifier(n_estimators=100, num_leaves=31, learning_rate=0.1,
                            min_child_samples=20, verbose=-1).fit(xtr, ytr)
    print(f"boosting AUC {roc_auc_score(pos, gb.predict_proba(xte)[:, 1]):.6f}")
    # precre trains its SVM on a stratified sample of at most 3,000 training rows; scikit-learn
    # here on all of them (RBF, gamma="scale", C = 1, Platt scaling by internal 5-fold CV).
    svc = SVC(C=1.0, kernel="rbf", gamma="scale", probability=True, random_state=0).fit(xtr, ytr)
    print(f"svm AUC {roc_auc_score(pos, svc.predict_proba(xte)[:, 1]):.6f}")
    # optbinning's scorecard: monotonic bins (ascending or descending, optbinning's defaults),
    # logistic regression (C = 1) on their WoE; the class read as bad is the largest label.
    names = [f"x{j}" for j in range(xtr.shape[1])]
    bp = BinningProcess(names, binning_fit_params={n: {"monotonic_trend": "auto_asc_desc"} for n in names})
    card = Scorecard(binning_process=bp, estimator=LogisticRegression(C=1.0, max_iter=10000),
                     scaling_method="pdo_odds",
                     scaling_method_params={"pdo": 50, "odds": 19, "scorecard_points": 600})
    card.fit(pd.DataFrame(xtr, columns=names), pos_tr := (ytr == np.max(y)).astype(int))
    print(f"scorecard AUC {roc_auc_score(pos, card.predict_proba(pd.DataFrame(xte, columns=names))[:, 1]):.6f}")

iris = pd.read_csv(f"{ROOT}/iris/iris.csv")
x = iris.drop(columns=["species"]).values.astype(float)
y = iris["species"].map({"setosa": 0, "versicolor": 1, "virginica": 2}).values
test = np.arange(len(x)) % 10 >= 7
xtr, xte = prepare(x, test)
lr = LogisticRegression(C=1.0, tol=1e-12, max_iter=100000).fit(xtr, y[~test])
print("== iris multinomial logistic (C = 1)")
print("coef", repr(lr.coef_))
print("intercept", repr(lr.intercept_))
print(f"macro one-vs-rest AUC {roc_auc_score(y[test], lr.predict_proba(xte), multi_class='ovr'):.6f}")
lda = LinearDiscriminantAnalysis().fit(xtr, y[~test])
print(f"lda macro AUC {roc_auc_score(y[test], lda.predict_proba(xte), multi_class='ovr'):.6f}")
