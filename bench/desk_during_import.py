#!/usr/bin/env python3
"""Decisions taken through the command line while `precre import` of a statements file runs in
another process (issue 29, item 5), for any precre binary, so that two builds (before and after
a change) are measured by the same harness: every 100 ms `precre decide APP --refer`, then
`--undo`, each timed from the process's start to its exit (process start-up included, the same
for both builds). The import's wall time and peak memory come from `wait4`.

    python3 bench/desk_during_import.py PRECRE_BINARY DATA_DIR [STATEMENTS_FILE]

DATA_DIR holds the portfolio (`precre demo generate --out`, or the import benchmark's
target/bench-data/import-N). Prints one JSON line.
"""
import json
import os
import subprocess
import sys
import tempfile
import time


def main():
    binary, data = sys.argv[1], sys.argv[2]
    statements = sys.argv[3] if len(sys.argv) > 3 else os.path.join(data, "statements.csv")
    tmp = tempfile.mkdtemp(prefix="desk-")
    db = os.path.join(tmp, "desk.db")

    def precre(*args, **kw):
        return subprocess.run([binary, "--db", db, *args], capture_output=True, text=True, **kw)

    for kind in ("firms", "applications"):
        r = precre("import", "--kind", kind, os.path.join(data, f"{kind}.csv"))
        assert r.returncode == 0, r.stderr
    q = precre("queue", "--format", "json")
    app = json.loads(q.stdout)["applications"][0]["application_id"]

    started = time.monotonic()
    child = subprocess.Popen(
        [binary, "--db", db, "import", "--kind", "statements", statements],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    latencies, refused, decided, other = [], 0, False, []
    result = None
    while result is None:
        time.sleep(0.1)
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid != 0:
            result = (status, usage)
            break
        t = time.monotonic()
        verdict = "--undo" if decided else "--refer"
        r = precre("decide", app, verdict, "--note", "taken during an import")
        ms = (time.monotonic() - t) * 1000
        if r.returncode == 0:
            decided = not decided
            latencies.append(ms)
        elif "busy" in r.stderr:
            refused += 1
        else:
            other.append(r.stderr.strip()[:200])
    import_s = time.monotonic() - started
    status, usage = result
    latencies.sort()
    n = len(latencies)
    pick = lambda q: round(latencies[min(n - 1, int(n * q))], 1) if n else None
    print(json.dumps({
        "task": "decisions during import (CLI)",
        "binary": binary,
        "import_ok": os.waitstatus_to_exitcode(status) == 0,
        "import_seconds": round(import_s, 2),
        "import_peak_rss_mb": round(usage.ru_maxrss / 1024),
        "decisions_saved": n,
        "refused_busy": refused,
        "failed_otherwise": other[:3],
        "within_1s": sum(1 for x in latencies if x < 1000),
        "median_ms": pick(0.5),
        "p99_ms": pick(0.99),
        "max_ms": round(latencies[-1], 1) if n else None,
    }))


if __name__ == "__main__":
    main()
