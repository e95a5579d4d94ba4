"""The Python side of the side-by-side benchmark (issue 6): scikit-learn's DecisionTreeClassifier
and PCA, and pandas read_csv + to_sql into SQLite, timed on the same generated files PRECRE
reads. Prints one JSON object per measurement, for bench/run.sh to tabulate against PRECRE's.

Not part of the test suite; bench/run.sh installs scikit-learn and pandas into a virtual
environment of its own (.venv-bench/).

    python bench/reference.py --features f100k.csv [--statements statements.csv]
    python bench/reference.py --features f.csv --tasks forest --repeats 1   # one measurement

--tasks picks some of tree, predict, pca, logistic, forest, boosting, import_process, import
(default: all); --depths the trees' depth limits (default none,8).
"""

import argparse
import sys
import json
import sqlite3
import tempfile
import time

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier


def emit(**kw):
    print(json.dumps(kw), flush=True)


def best_of(n, f):
    """The fastest of n runs (the machine is shared and noisy) and the last result."""
    best, out = float("inf"), None
    for _ in range(n):
        t = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t)
    return best, out


TASKS = ("tree", "predict", "pca", "logistic", "forest", "boosting", "import_process", "import")


def tree_and_pca(path, repeats, want=TASKS, depths=(None, 8)):
    if not {"tree", "predict", "pca"} & set(want):
        return
    df = pd.read_csv(path)
    feats = [c for c in df.columns if c.startswith("f")]
    train = df[df["split"] == "train"]
    test = df[df["split"] == "test"]
    xtr, ytr = train[feats].to_numpy(), train["class"].to_numpy()
    xte, yte = test[feats].to_numpy(), test["class"].to_numpy()
    n = len(df)
    for depth in depths if {"tree", "predict"} & set(want) else ():
        clf = DecisionTreeClassifier(criterion="gini", max_depth=depth, random_state=0)
        secs, fitted = best_of(repeats, lambda: clf.fit(xtr, ytr))
        acc = float((fitted.predict(xte) == yte).mean())
        emit(task="tree_fit", tool="scikit-learn", rows=n, depth=depth or "none",
             seconds=secs, test_accuracy=acc, nodes=int(fitted.tree_.node_count))
        if "predict" in want:
            secs, _ = best_of(repeats, lambda: fitted.predict(df[feats].to_numpy()))
            emit(task="predict", tool="scikit-learn", rows=n, depth=depth or "none", seconds=secs)
    if "pca" not in want:
        return
    x = df[feats].to_numpy()
    secs, p = best_of(repeats, lambda: PCA().fit(StandardScaler().fit_transform(x)))
    emit(task="pca", tool="scikit-learn", rows=n, seconds=secs,
         first_sdev=float(np.sqrt(p.explained_variance_[0])))


def challengers(path, repeats, want=TASKS):
    """Logistic regression (lbfgs), random forest (100 trees, every core) and LightGBM (100
    rounds, 31 leaves) on the same prepared inputs as PRECRE's (training medians, then
    standardized); the fit timed, the test AUC the mean one-vs-rest."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    if not {"logistic", "forest", "boosting"} & set(want):
        return
    df = pd.read_csv(path)
    feats = [c for c in df.columns if c.startswith("f")]
    train = df[df["split"] == "train"]
    test = df[df["split"] == "test"]
    imp = SimpleImputer(strategy="median").fit(train[feats].to_numpy())
    sc = StandardScaler().fit(imp.transform(train[feats].to_numpy()))
    xtr = sc.transform(imp.transform(train[feats].to_numpy()))
    xte = sc.transform(imp.transform(test[feats].to_numpy()))
    ytr, yte = train["class"].to_numpy(), test["class"].to_numpy()
    n = len(df)
    models = [("logistic_fit", "scikit-learn", lambda: LogisticRegression(C=1.0, max_iter=1000)),
              ("forest_fit", "scikit-learn", lambda: RandomForestClassifier(n_estimators=100, n_jobs=-1, random_state=0))]
    try:
        import lightgbm as lgb
        if "boosting" in want:
            models.append(("boosting_fit", "LightGBM", lambda: lgb.LGBMClassifier(
                n_estimators=100, num_leaves=31, learning_rate=0.1, min_child_samples=20, verbose=-1)))
    except ImportError:
        print("LightGBM is not installed: pip install lightgbm", file=sys.stderr)
    models = [m for m in models if m[0].removesuffix("_fit") in want]
    for task, tool, make in models:
        secs, m = best_of(repeats, lambda: make().fit(xtr, ytr))
        auc = roc_auc_score(yte, m.predict_proba(xte), multi_class="ovr", labels=m.classes_)
        emit(task=task, tool=tool, rows=n, seconds=secs, test_auc=float(auc))


def import_statements(path, repeats, want=TASKS):
    # First, in a process of its own, for its peak resident memory beside PRECRE's (before
    # this process holds a table: a child's peak counts the pages it shares at the fork).
    import resource
    import sys
    import subprocess
    import time
    code = (
        "import pandas as pd, sqlite3, sys, tempfile\n"
        "df = pd.read_csv(sys.argv[1])\n"
        "with tempfile.TemporaryDirectory() as d:\n"
        "    con = sqlite3.connect(d + '/s.db')\n"
        "    df.to_sql('statements', con, index=False)\n"
        "    con.commit()\n"
    )
    if "import_process" in want:
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", code, path], check=True)
        secs = time.perf_counter() - t
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        emit(task="import (process)", tool="pandas read_csv + to_sql", rows=sum(1 for _ in open(path)) - 1,
             seconds=secs, peak_rss_mb=round(peak_mb))
    if "import" not in want:
        return
    def run():
        df = pd.read_csv(path)
        with tempfile.TemporaryDirectory() as d:
            con = sqlite3.connect(f"{d}/s.db")
            cols = ", ".join(f'"{c}"' for c in df.columns)
            con.execute(f"CREATE TABLE statements ({cols}, PRIMARY KEY (firm_id, fiscal_year))")
            df.to_sql("statements", con, if_exists="append", index=False)
            con.commit()
            con.close()
        return len(df)
    secs, n = best_of(repeats, run)
    emit(task="import", tool="pandas read_csv + to_sql", rows=n, seconds=secs)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--features", action="append", default=[])
    ap.add_argument("--statements")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--tasks", default=",".join(TASKS), help="a comma list of " + ", ".join(TASKS))
    ap.add_argument("--depths", default="none,8", help="the trees' depth limits, e.g. none,8")
    a = ap.parse_args()
    want = a.tasks.split(",")
    unknown = set(want) - set(TASKS)
    if unknown:
        ap.error(f"unknown tasks {sorted(unknown)}; known: {', '.join(TASKS)}")
    depths = [None if d == "none" else int(d) for d in a.depths.split(",")]
    for f in a.features:
        tree_and_pca(f, a.repeats, want, depths)
        challengers(f, a.repeats, want)
    if a.statements:
        import_statements(a.statements, a.repeats, want)
