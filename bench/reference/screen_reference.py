"""Reference figures for `precre screen` (issue 12): statsmodels' VIF and optbinning's information
value on the shared Polish 1year and German credit data, prepared as precre prepares them.

  .venv-bench/bin/pip install statsmodels optbinning
  .venv-bench/bin/python bench/reference/screen_reference.py

Preparation (the same as precre's): missing cells get the column's median over the present
values; German's 13 coded attributes are one-hot encoded with the first category (in sorted
order) as the reference level, so that with the intercept the design is not singular by
construction. VIF is statsmodels' `variance_inflation_factor` on the design with a constant
(`add_constant`), i.e. each input regressed on all the others and an intercept.
IV: optbinning's `OptimalBinning` (defaults: CART pre-binning into at most 20 bins of at least
5% of the rows, monotonic trend "auto"), event = bad (Polish class 1, German class 2), printed
with its split points so that the test can compute IV over the same bins; and the larger IV of
its "ascending" and "descending" binnings, against which precre's own monotonic bins are read.
"""
import json
import sys
import warnings

import numpy as np
import pandas as pd
from optbinning import OptimalBinning
from statsmodels.stats.outliers_influence import variance_inflation_factor
from statsmodels.tools.tools import add_constant

warnings.filterwarnings("ignore")
ROOT = sys.argv[1] if len(sys.argv) > 1 else "../shared/datasets"


def vif_table(x: pd.DataFrame) -> dict:
    design = add_constant(x.astype(float), has_constant="add")
    values = design.values
    return {c: float(variance_inflation_factor(values, i)) for i, c in enumerate(design.columns) if c != "const"}


def iv_table(x: pd.DataFrame, event: np.ndarray, columns) -> dict:
    out = {}
    for c in columns:
        ob = OptimalBinning(name=c, dtype="numerical")
        ob.fit(x[c].values, event)
        table = ob.binning_table.build()
        # The best of the two monotonic trends (precre's bins are monotonic; "auto" may also
        # choose a peak or a valley).
        monotonic = max(
            float(OptimalBinning(name=c, dtype="numerical", monotonic_trend=t)
                  .fit(x[c].values, event).binning_table.build().loc["Totals", "IV"])
            for t in ("ascending", "descending"))
        out[c] = {"splits": [float(s) for s in ob.splits], "iv": float(table.loc["Totals", "IV"]),
                  "monotonic_iv": monotonic}
    return out


def polish():
    df = pd.read_csv(f"{ROOT}/polish-bankruptcy/1year.csv", na_values=["?"])
    y = df["class"].astype(int).values
    x = df.drop(columns=["row_id", "class"]).astype(float)
    raw = x.copy()
    x = x.fillna(x.median())
    # Attr7 = Attr14 = Attr18 and Attr44 = Attr43 - Attr20 to 12 digits: on the full design
    # statsmodels' VIF of these six is above 1e14 (exact collinearity, precre says infinite) and
    # the design is rank-deficient, so every other VIF depends on how the solver treats the
    # rounding noise (statsmodels warns; numpy's QR gives Attr2 1,168 where pinv gives 604).
    # Without one column of each exact dependency the design has full rank (condition 4e5)
    # and the others' VIFs are determined: those are the reference.
    full = vif_table(x)
    vif = vif_table(x.drop(columns=["Attr14", "Attr18", "Attr44"]))
    vif.update({c: full[c] for c in ["Attr7", "Attr14", "Attr18", "Attr20", "Attr43", "Attr44"]})
    iv = iv_table(raw, (y == 1).astype(int), ["Attr1", "Attr2", "Attr27", "Attr37", "Attr46"])
    return vif, iv


def german():
    cols = [f"column_{i}" for i in range(1, 22)]
    df = pd.read_csv(f"{ROOT}/statlog-german/german.data", sep=r"\s+", header=None, names=cols)
    y = df["column_21"].values
    x = df.drop(columns=["column_21"])
    cat = [c for c in x.columns if not pd.api.types.is_numeric_dtype(x[c])]
    x = pd.get_dummies(x, columns=cat, prefix_sep="=", drop_first=True, dtype=float)
    vif = vif_table(x)
    iv = iv_table(df, (y == 2).astype(int), ["column_2", "column_5", "column_13"])
    return vif, iv


if __name__ == "__main__":
    pv, pi = polish()
    gv, gi = german()
    json.dump({"polish_vif": pv, "polish_iv": pi, "german_vif": gv, "german_iv": gi}, sys.stdout, indent=1)
