"""Tabulates the JSON lines of benches/engine.rs and bench/reference.py: one row per task, size
and depth, the seconds of each tool, and each tool's time as a multiple of PRECRE's."""

import json
import sys
from collections import defaultdict

rows = defaultdict(dict)
for path in sys.argv[1:]:
    for line in open(path):
        line = line.strip()
        if not line.startswith("{"):
            continue
        m = json.loads(line)
        key = (m["task"], m["rows"], str(m.get("depth", "")))
        rows[key][m["tool"]] = m

tools = ["precre", "scikit-learn", "LightGBM", "linfa-trees", "pandas read_csv + to_sql", "floor: prepared insert", "floor, sorted by key", "floor: file columns only"]
print(f"{'task':<10}{'rows':>10}{'depth':>7}  " + "".join(f"{t[:22]:>24}" for t in tools))
for key in sorted(rows):
    got = rows[key]
    base = got.get("precre", {}).get("seconds")
    cells = []
    for t in tools:
        m = got.get(t)
        if m is None:
            cells.append(f"{'-':>24}")
            continue
        s = m["seconds"]
        ratio = f" ({s / base:.1f}x)" if base and t != "precre" else ""
        acc = f" a{m['test_accuracy']:.3f}" if "test_accuracy" in m else ""
        acc = f" auc{m['test_auc']:.3f}" if "test_auc" in m else acc
        cells.append(f"{s:>9.3f}s{acc}{ratio}".rjust(24))
    print(f"{key[0]:<10}{key[1]:>10}{key[2]:>7}  " + "".join(cells))
print("(a = test accuracy, auc = test AUC (mean one-vs-rest) on the same split; (Nx) = that tool's time / PRECRE's;")
print(" tree_train = the tree's fit as precre train reports it, beside scikit-learn's tree_fit with no depth limit)")
for key in sorted(rows):
    for tool, m in rows[key].items():
        if "peak_rss_mb" in m:
            print(f"peak memory: {key[0]} of {key[1]:,} rows by {tool}: {m['peak_rss_mb']:,.0f} MB in {m['seconds']:.2f} s")
