"""What the dashboard's summary triggers cost each write, in microseconds a row.

    python3 bench/dashboard_write_cost.py STORE [STORE ...]

On a copy of each store (the store itself is not written): 200,000 statements that become
their firms' latest (copies of existing statements 100 years later, in firm order), 100,000 new
firms, and 100,000 predictions, each in one transaction that is rolled back; median of three.
Give stores of different schema versions (the same firms) to compare their triggers.
"""

import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time


def timed(conn, sql, rows):
    out = []
    for _ in range(3):
        conn.execute("BEGIN")
        t = time.perf_counter()
        n = conn.execute(sql).rowcount
        out.append((time.perf_counter() - t) / n * 1e6)
        conn.execute("ROLLBACK")
        assert n == rows, (n, rows)
    return statistics.median(out)


def measure(path):
    with tempfile.TemporaryDirectory(dir=os.path.dirname(os.path.abspath(path))) as tmp:
        copy = os.path.join(tmp, "copy.db")
        src = sqlite3.connect(path)
        dst = sqlite3.connect(copy)
        src.backup(dst)
        src.close()
        dst.close()
        conn = sqlite3.connect(copy, isolation_level=None)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        cols = [r[1] for r in conn.execute("PRAGMA table_info(statements)")]
        rest = ", ".join(c for c in cols if c not in ("firm_id", "fiscal_year"))
        firms = conn.execute("SELECT count(*) FROM firms").fetchone()[0]
        n_st = min(200_000, conn.execute("SELECT count(*) FROM statements").fetchone()[0])
        statements = timed(
            conn,
            f"""INSERT INTO statements(firm_id, fiscal_year, {rest})
                SELECT firm_id, fiscal_year + 100, {rest} FROM
                  (SELECT * FROM statements ORDER BY firm_id, fiscal_year LIMIT {n_st})""",
            n_st,
        )
        fcols = [r[1] for r in conn.execute("PRAGMA table_info(firms)")]
        frest = ", ".join(c for c in fcols if c != "id")
        n_f = min(100_000, firms)
        new_firms = timed(
            conn,
            f"""INSERT INTO firms(id, {frest})
                SELECT 'W-' || id, {frest} FROM (SELECT * FROM firms ORDER BY id LIMIT {n_f})""",
            n_f,
        )
        model = conn.execute("SELECT id FROM models LIMIT 1").fetchone()
        predictions = None
        if model:
            pcols = [r[1] for r in conn.execute("PRAGMA table_info(predictions)")]
            prest = ", ".join(c for c in pcols if c not in ("id", "model_id", "firm_id"))
            pred = conn.execute("SELECT * FROM predictions LIMIT 1").fetchone()
            if pred:
                predictions = timed(
                    conn,
                    f"""INSERT INTO predictions(model_id, firm_id, {prest})
                        SELECT model_id, f.id, {prest} FROM firms f,
                          (SELECT * FROM predictions LIMIT 1) ORDER BY f.id LIMIT {n_f}""",
                    n_f,
                )
        conn.close()
    return version, firms, statements, new_firms, predictions


def main():
    print(f"SQLite {sqlite3.sqlite_version}; microseconds a row, median of 3")
    print(f"{'store':<40} {'schema':>6} {'firms':>9} {'statement':>10} {'firm':>8} {'prediction':>11}")
    for path in sys.argv[1:]:
        v, firms, s, f, p = measure(path)
        p = f"{p:.1f}" if p is not None else "-"
        print(f"{os.path.basename(path):<40} {v:>6} {firms:>9} {s:>10.1f} {f:>8.1f} {p:>11}")


if __name__ == "__main__":
    main()
