"""One measurement of bench/growth.sh under a time cap: runs a command in a process group of its
own, kills the whole group at the cap, follows the group's resident memory (summed over its
processes, every 0.5 s), takes the figure from the command's output, and appends one JSON
point to a file, whether the measurement finished, was capped, was killed (likely out of
memory) or failed. Standard library only.

    python3 bench/capped.py --out growth.jsonl --task "train: tree" --tool precre --n 100000 \
        --cap 600 --pick-json task=tree_train [--field rows] -- cargo bench --bench challengers -- f.csv

The figure: --pick-json KEY=VALUE,... takes "seconds" from the command's last JSON line with
those fields; --pick-regex PATTERN takes group 1 times --scale; with neither, the command's
wall time. Other fields of the picked JSON line (rows, test_auc, peak_rss_mb...) are kept.
"""

import argparse
import json
import os
import re
import resource
import signal
import subprocess
import sys
import threading
import time


def group_rss_mb(pgid):
    """Resident memory of every process in the group, in MB."""
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid:  # field 5 of stat: the process group
                continue
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    return total / 2**20


def mem_available_mb():
    for line in open("/proc/meminfo"):
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024
    return None


def load():
    return float(open("/proc/loadavg").read().split()[0])


def pick(out, a):
    """(seconds, extra fields) from the command's output, or (None, {}) if it is not there."""
    if a.pick_json:
        want = dict(kv.split("=", 1) for kv in a.pick_json.split(","))
        found = None
        for line in out.splitlines():
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                m = json.loads(line)
            except json.JSONDecodeError:
                continue
            if all(str(m.get(k)) == v for k, v in want.items()):
                found = m
        if found is None or found.get("seconds") is None:
            return None, {}
        extra = {k: v for k, v in found.items() if k not in ("task", "tool", "seconds")}
        return float(found["seconds"]), extra
    if a.pick_regex:
        hits = re.findall(a.pick_regex, out)
        if not hits:
            return None, {}
        return min(float(h) for h in hits) * a.scale, {"runs": len(hits)}
    return "wall", {}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--task", required=True)
    ap.add_argument("--tool", required=True)
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--cap", type=float, default=600)
    ap.add_argument("--pick-json")
    ap.add_argument("--pick-regex")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--log", help="keep the command's output here")
    ap.add_argument("--note", default="")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    load_before = load()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    chunks, peak, capped, mem_at_cap = [], 0.0, False, None
    reader = threading.Thread(target=lambda: chunks.extend(iter(lambda: proc.stdout.read(65536), b"")))
    reader.start()
    while True:
        try:
            proc.wait(timeout=0.5)
            break
        except subprocess.TimeoutExpired:
            pass
        peak = max(peak, group_rss_mb(proc.pid))
        if time.perf_counter() - start > a.cap:
            capped = True
            mem_at_cap = mem_available_mb()
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            break
    wall = time.perf_counter() - start
    try:  # the group may outlive its leader
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    reader.join()
    out = b"".join(chunks).decode("utf-8", "replace")
    if a.log:
        with open(a.log, "w") as f:
            f.write(out)
    # The largest single descendant's peak, which a short command's polling may have missed.
    peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    point = {"task": a.task, "tool": a.tool, "n": a.n, "cap_seconds": a.cap,
             "wall_seconds": round(wall, 3), "peak_rss_mb": round(peak),
             "load_before": load_before, "load_after": load()}
    if capped:
        point.update(status="capped", seconds=None, mem_available_mb_at_cap=round(mem_at_cap or 0))
    elif proc.returncode == -signal.SIGKILL or proc.returncode == 137:
        point.update(status="killed (likely out of memory)", seconds=None,
                     mem_available_mb_after=round(mem_available_mb() or 0))
    elif proc.returncode != 0:
        point.update(status="failed", seconds=None, rc=proc.returncode,
                     tail=out.strip().splitlines()[-3:])
    else:
        secs, extra = pick(out, a)
        if secs == "wall":
            secs = wall
        if secs is None:
            point.update(status="failed", seconds=None, tail=out.strip().splitlines()[-3:],
                         why="the figure was not in the output")
        else:
            point.update(status="ok", seconds=secs, **extra)
    if a.note:
        point["note"] = a.note
    with open(a.out, "a") as f:
        f.write(json.dumps(point) + "\n")
    shown = f"{point['seconds']:.3f} s" if point["seconds"] is not None else point["status"]
    print(f"{a.task:<20} {a.tool:<28} n={a.n:<9} {shown}  (wall {wall:.1f} s, peak {peak:,.0f} MB)",
          file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
