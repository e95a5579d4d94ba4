"""How cost grows (issue 30, item 4): reads the points of bench/growth.sh (JSON lines), and for
each task and tool fits the growth exponent (least squares of log t on log n) and picks the best
of n, n log n and n^2 by the residual of a one-parameter fit t = c * g(n) (least squares in log
t, so that every size weighs the same); prints a markdown table and draws one log-log chart.

    python bench/growth.py target/bench-growth/growth.jsonl [--png docs/growth.png]

Capped, killed and skipped points are shown as such in the table (a capped point as "> CAP")
and as hollow triangles at the cap in the chart; they do not enter the fits. A fit needs two
sizes; with two, the exponent is exact and says nothing about its own error.
"""

import argparse
import json
import math
from collections import defaultdict

MODELS = {"n": lambda n: n, "n log n": lambda n: n * math.log(n), "n²": lambda n: n * n}
ORDER = ["import", "train: tree", "train: logistic", "train: forest", "train: boosting",
         "batch scoring", "dashboard", "store build"]


def load(path):
    """The last point of each (task, tool, n), and the machine lines."""
    points, machines = {}, []
    for line in open(path):
        line = line.strip()
        if not line.startswith("{"):
            continue
        m = json.loads(line)
        if "machine" in m:
            machines.append(m)
            continue
        points[(m["task"], m["tool"], m["n"])] = m
    series = defaultdict(dict)
    for (task, tool, n), m in points.items():
        series[(task, tool)][n] = m
    return series, machines


def fit(ok):
    """(exponent, best model, {model: rms residual in log t}) from [(n, seconds)], or None."""
    if len(ok) < 2:
        return None
    xs = [math.log(n) for n, _ in ok]
    ys = [math.log(t) for _, t in ok]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    resid = {}
    for name, g in MODELS.items():
        d = [math.log(t) - math.log(g(n)) for n, t in ok]
        logc = sum(d) / len(d)
        resid[name] = math.sqrt(sum((v - logc) ** 2 for v in d) / len(d))
    best = min(resid, key=resid.get)
    return slope, best, resid


def cell(m):
    if m is None:
        return "-"
    s = m.get("status")
    if s == "ok":
        t = m["seconds"]
        return f"{t:.3f} s" if t < 10 else f"{t:,.1f} s"
    if s == "capped":
        return f"> {m['cap_seconds']:,.0f} s (capped)"
    if s == "skipped":
        return "skipped"
    if s and s.startswith("killed"):
        return f"killed at {m.get('peak_rss_mb', 0):,} MB (out of memory?)"
    return s or "?"


def sort_key(key):
    task, tool = key
    return (ORDER.index(task) if task in ORDER else len(ORDER), tool != "precre", tool)


def table(series):
    sizes = sorted({n for s in series.values() for n in s})
    head = ["task", "tool"] + [f"{n:,}" for n in sizes] + ["exponent", "best of n, n log n, n²"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key in sorted(series, key=sort_key):
        s = series[key]
        ok = [(n, m["seconds"]) for n, m in sorted(s.items()) if m.get("status") == "ok"]
        f = fit(ok)
        if f is None:
            exp, best = "-", "- (fewer than 2 sizes)"
        else:
            slope, best, resid = f
            exp = f"{slope:.2f}"
            if len(ok) >= 3:  # the upper two sizes alone: fixed costs weigh least there
                exp += f" ({fit(ok[-2:])[0]:.2f} from {ok[-2][0]:,} to {ok[-1][0]:,})"
            best = f"{best} (rms {resid[best]:.2f} in ln t)"
            if slope < 0.75:
                best += "; sub-linear, none fits"
        lines.append("| " + " | ".join([key[0], key[1]] + [cell(s.get(n)) for n in sizes]
                                        + [exp, best]) + " |")
    return "\n".join(lines)


def chart(series, machines, png):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(13, 6.5), dpi=110)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    tasks = sorted({t for t, _ in series}, key=lambda t: ORDER.index(t) if t in ORDER else 99)
    colour = {t: colours[i % len(colours)] for i, t in enumerate(tasks)}
    for key in sorted(series, key=sort_key):
        task, tool = key
        s = series[key]
        ok = [(n, m["seconds"]) for n, m in sorted(s.items()) if m.get("status") == "ok"]
        style = "-" if tool == "precre" else "--"
        marker = "o" if tool == "precre" else "s"
        f = fit(ok)
        shape = f and ("sub-linear" if f[0] < 0.75 else f[1])
        label = f"{task}, {tool}" + (f" (n^{f[0]:.2f}, {shape})" if f else "")
        if ok:
            ax.plot([n for n, _ in ok], [t for _, t in ok], style, marker=marker,
                    color=colour[task], label=label)
        for n, m in s.items():
            if m.get("status") == "capped":
                ax.plot([n], [m["cap_seconds"]], marker="^", markersize=10, color=colour[task],
                        markerfacecolor="none", linestyle="none")
                below = [p for p in ok if p[0] < n]
                if below:  # dotted from the last finished size to the cap: at least this steep
                    ax.plot([below[-1][0], n], [below[-1][1], m["cap_seconds"]], ":",
                            color=colour[task])
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("rows (feature rows, statements, or firms in the store)")
    ax.set_ylabel("seconds")
    where = machines[-1]["machine"] if machines else ""
    ax.set_title("How cost grows: PRECRE (solid) and reference tools (dashed)\n"
                 f"{where}; hollow triangle = capped at the time cap", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    fig.tight_layout()
    fig.savefig(png)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("jsonl")
    ap.add_argument("--png")
    a = ap.parse_args()
    series, machines = load(a.jsonl)
    for m in machines:
        print(f"run started {m['started']}: {m['machine']}, load average {m['load']}, "
              f"sizes {m['sizes']}, cap {m['cap_seconds']} s")
    print()
    print(table(series))
    notes = [(k, n, m) for k, s in series.items() for n, m in sorted(s.items())
             if m.get("status") != "ok"]
    if notes:
        print()
    for (task, tool), n, m in sorted(notes, key=lambda x: (sort_key(x[0]), x[1])):
        why = m.get("why") or (f"at the cap: peak {m.get('peak_rss_mb', 0):,} MB, "
                               f"{m.get('mem_available_mb_at_cap', '?')} MB still available"
                               if m.get("status") == "capped" else f"peak {m.get('peak_rss_mb')} MB")
        print(f"- {task}, {tool}, {n:,}: {m.get('status')}: {why}")
    if a.png:
        chart(series, machines, a.png)
        print(f"\nchart: {a.png}")


if __name__ == "__main__":
    main()
