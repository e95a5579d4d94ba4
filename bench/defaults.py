"""Every model kind at its defaults against scikit-learn's and LightGBM's at theirs (issue 27,
item 6; ADR 0033), on the shared data sets and the same splits and preparation as
benches/defaults.rs: Statlog Australian, Statlog German (all 20 attributes, the 13 coded ones
one-hot), Polish bankruptcy 1year and 5year, Iris (mean one-vs-rest AUC). Split s holds out row i
(file order, from 0) when (i + 3 s) % 10 >= 7; training medians fill missing values, then the
training means and standard deviations (n - 1) standardize.

References at their defaults: DecisionTreeClassifier(), LogisticRegression(),
LinearDiscriminantAnalysis(), RandomForestClassifier(), SVC(probability=True) (RBF, C = 1,
gamma "scale", Platt scaling on 5-fold cross-validated decision values: libsvm), LGBMClassifier()
(100 rounds, 31 leaves, learning rate 0.1, no early stopping) and optbinning's Scorecard (monotonic
bins, LogisticRegression()) where optbinning is installed.

Runs precre's side too (`cargo bench --bench defaults --profile test`) unless given its JSON
lines, then prints the table: per data set and kind, precre's mean test AUC over the splits and
the reference's, and the Brier scores (summed over classes).

  /work/venv/bin/python bench/defaults.py [--precre FILE.jsonl] [--splits 3] [--data DIR]
"""
import argparse
import warnings
import json
import os
import subprocess
import sys
from collections import defaultdict

import numpy as np
import pandas as pd
import lightgbm as lgb
import sklearn
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

warnings.filterwarnings("ignore", category=FutureWarning)  # SVC(probability=True) in 1.9

try:
    from optbinning import BinningProcess, Scorecard
except ImportError:  # the scorecard's reference is optional
    Scorecard = None


def datasets(root):
    a = np.loadtxt(f"{root}/statlog-australian/australian.dat")
    yield "australian", a[:, :-1], a[:, -1].astype(int)
    g = pd.read_csv(f"{root}/statlog-german/german.data", sep=r"\s+", header=None)
    cols = []
    for j in range(20):
        if str(g[j].iloc[0]).startswith("A"):
            for code in sorted(g[j].unique()):
                cols.append((g[j] == code).astype(float).values)
        else:
            cols.append(g[j].astype(float).values)
    yield "german", np.column_stack(cols), (g[20].values == 2).astype(int)
    for year in (1, 5):
        df = pd.read_csv(f"{root}/polish-bankruptcy/{year}year.csv")
        yield f"polish{year}", df.drop(columns=["row_id", "class"]).values.astype(float), df["class"].values.astype(int)
    iris = pd.read_csv(f"{root}/iris/iris.csv")
    y = iris["species"].map({"setosa": 0, "versicolor": 1, "virginica": 2}).values
    yield "iris", iris.drop(columns=["species"]).values.astype(float), y


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


def auc(y, proba):
    if proba.shape[1] == 2:
        return roc_auc_score(y == 1, proba[:, 1])
    return roc_auc_score(y, proba, multi_class="ovr")


def brier(y, proba):
    """The mean over rows of the squared errors of the class probabilities, summed over classes."""
    return float(np.mean(np.sum((proba - np.eye(proba.shape[1])[y]) ** 2, axis=1)))


def references(binary):
    yield "tree", "scikit-learn", lambda: DecisionTreeClassifier(random_state=0)
    yield "logistic", "scikit-learn", lambda: LogisticRegression(max_iter=10000)
    yield "lda", "scikit-learn", LinearDiscriminantAnalysis
    yield "forest", "scikit-learn", lambda: RandomForestClassifier(random_state=0, n_jobs=-1)
    yield "svm", "scikit-learn", lambda: SVC(probability=True, random_state=0)
    yield "boosting", "LightGBM", lambda: lgb.LGBMClassifier(verbose=-1, random_state=0)
    if binary and Scorecard is not None:
        yield "scorecard", "optbinning", None


def scorecard_proba(xtr, ytr, xte):
    names = [f"x{j}" for j in range(xtr.shape[1])]
    bp = BinningProcess(names, binning_fit_params={n: {"monotonic_trend": "auto_asc_desc"} for n in names})
    card = Scorecard(binning_process=bp, estimator=LogisticRegression(max_iter=10000),
                     scaling_method="pdo_odds",
                     scaling_method_params={"pdo": 50, "odds": 19, "scorecard_points": 600})
    card.fit(pd.DataFrame(xtr, columns=names), ytr)
    return card.predict_proba(pd.DataFrame(xte, columns=names))


def reference_rows(root, splits):
    for name, x, y in datasets(root):
        for s in range(splits):
            test = (np.arange(len(y)) + 3 * s) % 10 >= 7
            xtr, xte = prepare(x, test)
            ytr, yte = y[~test], y[test]
            binary = len(np.unique(y)) == 2
            for kind, tool, make in references(binary):
                if kind == "scorecard":
                    p = scorecard_proba(xtr, ytr, xte)
                else:
                    p = make().fit(xtr, ytr).predict_proba(xte)
                yield {"data": name, "split": s, "kind": kind, "setting": "default", "tool": tool,
                       "auc": auc(yte, p), "brier": brier(yte, p)}


def precre_rows(path, root, splits):
    if path:
        text = open(path).read()
    else:
        env = dict(os.environ, PRECRE_BENCH_SPLITS=str(splits))
        text = subprocess.run(["cargo", "bench", "--bench", "defaults", "--profile", "test", "--", root],
                              env=env, check=True, capture_output=True, text=True).stdout
    return [json.loads(l) for l in text.splitlines() if l.startswith("{")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--precre", help="precre's JSON lines (default: run the bench)")
    ap.add_argument("--before", help="precre's JSON lines before the change, for a before column")
    ap.add_argument("--splits", type=int, default=3)
    ap.add_argument("--data", default="../shared/datasets")
    ap.add_argument("--reference-out", help="also write the references' JSON lines here")
    args = ap.parse_args()
    print(f"scikit-learn {sklearn.__version__}, LightGBM {lgb.__version__}, NumPy {np.__version__}",
          file=sys.stderr)
    ref = list(reference_rows(args.data, args.splits))
    if args.reference_out:
        with open(args.reference_out, "w") as f:
            f.writelines(json.dumps(r) + "\n" for r in ref)
    ours = precre_rows(args.precre, args.data, args.splits)
    before = precre_rows(args.before, args.data, args.splits) if args.before else []

    def means(rows, field="auc"):
        acc = defaultdict(list)
        for r in rows:
            if field in r:
                acc[(r["data"], r["kind"], r["setting"])].append(r[field])
        return {k: (float(np.mean(v)), len(v)) for k, v in acc.items()}

    m_ref, m_ours, m_before = means(ref), means(ours), means(before)
    b_ref, b_ours = means(ref, "brier"), means(ours, "brier")
    tools = {(r["data"], r["kind"]): r["tool"] for r in ref}
    head = ("| data | kind | setting | " + ("AUC before | " if before else "")
            + "AUC | reference AUC | difference | Brier | reference Brier |")
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for (data, kind, setting), (a, n) in m_ours.items():
        r = m_ref.get((data, kind, "default"))
        cells = [data, kind, setting]
        if before:
            b = m_before.get((data, kind, setting))
            cells.append(f"{b[0]:.4f}" if b else "-")
        cells.append(f"{a:.4f}")
        if r:
            cells += [f"{r[0]:.4f} ({tools[(data, kind)]})", f"{a - r[0]:+.4f}"]
        else:
            cells += ["-", "-"]
        bo, br = b_ours.get((data, kind, setting)), b_ref.get((data, kind, "default"))
        cells += [f"{bo[0]:.4f}" if bo else "-", f"{br[0]:.4f}" if br else "-"]
        print("| " + " | ".join(cells) + " |")
    print(f"mean test AUC over {args.splits} splits", file=sys.stderr)


if __name__ == "__main__":
    main()
