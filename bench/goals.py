"""Prints bench/goals.sh's runs: each run's ratios for issue 30's boosting and tree goals, then
their spread (min / median / max). Usage: python3 bench/goals.py target/bench-data/goals.jsonl"""
import json
import statistics
import sys


def main(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    by = {}
    for r in rows:
        if r["task"] == "tree_fit" and r.get("depth") != "none":
            continue
        by[(r["run"], r["kind"], r["task"])] = r
    runs = sorted({r["run"] for r in rows})
    kinds = [k for k in ("normal", "skewed") if any(r["kind"] == k for r in rows)]
    ratios = {}
    print("| run | data | boosting PRECRE / LightGBM | ratio (goal 1.5x) | AUC PRECRE / LightGBM "
          "| tree PRECRE / scikit-learn | ratio (goal 15x) | accuracy PRECRE / scikit-learn |")
    print("|---|---|---|---|---|---|---|---|")
    for run in runs:
        for kind in kinds:
            b, lgb = by.get((run, kind, "boosting_fit")), None
            lgb = next((r for r in rows if r["run"] == run and r["kind"] == kind
                        and r["task"] == "boosting_fit" and r["tool"] == "LightGBM"), None)
            b = next((r for r in rows if r["run"] == run and r["kind"] == kind
                      and r["task"] == "boosting_fit" and r["tool"] == "precre"), None)
            t = by.get((run, kind, "tree_train"))
            sk = by.get((run, kind, "tree_fit"))
            cells = [str(run), kind]
            if b and lgb:
                ratio = lgb["seconds"] / b["seconds"]
                ratios.setdefault((kind, "boosting"), []).append(ratio)
                cells += [f"{b['seconds']:.3f} s / {lgb['seconds']:.3f} s", f"{ratio:.2f}x",
                          f"{b['test_auc']:.4f} / {lgb['test_auc']:.4f}"]
            else:
                cells += ["-", "-", "-"]
            if t and sk:
                ratio = sk["seconds"] / t["seconds"]
                ratios.setdefault((kind, "tree"), []).append(ratio)
                cells += [f"{t['seconds']:.3f} s / {sk['seconds']:.3f} s", f"{ratio:.1f}x",
                          f"{t.get('test_accuracy', float('nan')):.4f} / {sk['test_accuracy']:.4f}"]
            else:
                cells += ["-", "-", "-"]
            print("| " + " | ".join(cells) + " |")
    print()
    for (kind, task), values in sorted(ratios.items()):
        print(f"{task} on {kind}: ratio min {min(values):.2f}x, median "
              f"{statistics.median(values):.2f}x, max {max(values):.2f}x over {len(values)} runs")


if __name__ == "__main__":
    main(sys.argv[1])
