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
        by[(r["run"], r["kind"], r["task"], r["tool"])] = r
    runs = sorted({r["run"] for r in rows})
    kinds = [k for k in ("normal", "skewed") if any(r["kind"] == k for r in rows)]
    # (goal, PRECRE's task, the reference's task and tool, the quality compared, its digits)
    goals = [("boosting", "boosting_fit", "boosting_fit", "LightGBM", "test_auc", ".2f"),
             ("tree", "tree_train", "tree_fit", "scikit-learn", "test_accuracy", ".1f")]
    ratios = {}
    print("| run | data | boosting PRECRE / LightGBM | ratio (goal 1.5x) | AUC PRECRE / LightGBM "
          "| tree PRECRE / scikit-learn | ratio (goal 15x) | accuracy PRECRE / scikit-learn |")
    print("|---|---|---|---|---|---|---|---|")
    for run in runs:
        for kind in kinds:
            cells = [str(run), kind]
            for goal, task, ref_task, ref_tool, quality, digits in goals:
                ours = by.get((run, kind, task, "precre"))
                ref = by.get((run, kind, ref_task, ref_tool))
                if not (ours and ref):
                    cells += ["-", "-", "-"]
                    continue
                ratio = ref["seconds"] / ours["seconds"]
                ratios.setdefault((kind, goal), []).append(ratio)
                cells += [f"{ours['seconds']:.3f} s / {ref['seconds']:.3f} s", f"{ratio:{digits}}x",
                          f"{ours.get(quality, float('nan')):.4f} / {ref[quality]:.4f}"]
            print("| " + " | ".join(cells) + " |")
    print()
    for (kind, task), values in sorted(ratios.items()):
        print(f"{task} on {kind}: ratio min {min(values):.2f}x, median "
              f"{statistics.median(values):.2f}x, max {max(values):.2f}x over {len(values)} runs")


if __name__ == "__main__":
    main(sys.argv[1])
