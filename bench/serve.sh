#!/usr/bin/env bash
# Load figures of the scoring service (issue 14), side by side in one run on this machine:
# `precre serve` and the Korean service's stack (Flask under gunicorn with one worker per core,
# scikit-learn's tree) answering POST /v1/score for the same demo firm, at 1, 16 and 64
# concurrent clients (wrk, loopback only, bounded by time); then the batch endpoint's rows per
# second for 100,000 firms (10 batches of 10,000).
#
#   bash bench/serve.sh                  # DURATION=10s per point
#   DURATION=30s bash bench/serve.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
VENV=${VENV:-.venv-bench}
OUT="$PWD/target/bench-serve"
TARGET=${CARGO_TARGET_DIR:-target}
mkdir -p "$OUT"
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null 2>&1 || { echo "SKIPPED: wrk is not installed (apt-get install wrk)"; exit 0; }; }
if [ ! -x "$VENV/bin/gunicorn" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet scikit-learn pandas flask gunicorn
fi
cargo build --release --quiet
P="$TARGET/release/precre"
DB="$OUT/serve.db"
rm -f "$DB" "$DB"-wal "$DB"-shm
"$P" --db "$DB" demo >/dev/null
TOKEN=$("$P" --db "$DB" token create bench --scope score 2>/dev/null)
"$P" --db "$DB" export ratios --out "$OUT/ratios.csv" --force 2>/dev/null
"$P" --db "$DB" models export default --out "$OUT/model.json" >/dev/null
# One demo firm's statements as the request body (both services take the same JSON).
"$VENV/bin/python" - "$OUT/body.json" <<'PY'
import csv, json, sys
firm = next(csv.DictReader(open("data/firms.csv")))["id"]
rows = [r for r in csv.DictReader(open("data/statements.csv")) if r["firm_id"] == firm]
firms = {r["id"]: r for r in csv.DictReader(open("data/firms.csv"))}
st = [{"fiscal_year": int(r["fiscal_year"]),
       "items": {k: float(v) for k, v in r.items() if k not in ("firm_id", "fiscal_year", "currency") and v}}
      for r in sorted(rows, key=lambda r: int(r["fiscal_year"]))]
json.dump({"firm": {"id": firm, "sector": firms[firm]["sector"]}, "statements": st}, open(sys.argv[1], "w"))
PY
cat > "$OUT/post.lua" <<LUA
wrk.method = "POST"
wrk.body = io.open("$OUT/body.json"):read("*a")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
LUA
"$P" --db "$DB" serve --listen 127.0.0.1:18181 --concurrency 64 2>"$OUT/precre.log" &
PRECRE_PID=$!
PRECRE_BENCH_RATIOS="$OUT/ratios.csv" PRECRE_BENCH_MODEL="$OUT/model.json" \
  "$VENV/bin/gunicorn" -w "$(nproc)" -b 127.0.0.1:18182 --chdir bench flask_service:app \
  >"$OUT/flask.log" 2>&1 &
FLASK_PID=$!
trap 'kill $PRECRE_PID $FLASK_PID 2>/dev/null || true' EXIT
sleep 4
curl -sf -o /dev/null -X POST -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \
  --data @"$OUT/body.json" http://127.0.0.1:18181/v1/score || { echo "precre serve did not answer"; exit 1; }
curl -sf -o /dev/null -X POST -H "Content-Type: application/json" --data @"$OUT/body.json" \
  http://127.0.0.1:18182/v1/score || { echo "flask did not answer"; cat "$OUT/flask.log"; exit 1; }
echo "machine: $(nproc) cores, $(uname -srm); wrk for $DURATION per point"
printf '%-8s %8s %12s %10s %10s\n' stack clients "requests/s" "p50 ms" "p99 ms"
for c in 1 16 64; do
  for stack in precre flask; do
    port=18181; [ "$stack" = flask ] && port=18182
    threads=$(( c < 2 ? 1 : 2 ))
    wrk -t"$threads" -c"$c" -d"$DURATION" --latency -s "$OUT/post.lua" "http://127.0.0.1:$port/v1/score" \
      > "$OUT/wrk-$stack-$c.txt"
    rps=$(awk '/Requests\/sec/ {print $2}' "$OUT/wrk-$stack-$c.txt")
    ms() { awk -v q="$1" '$1==q {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' "$OUT/wrk-$stack-$c.txt"; }
    printf '%-8s %8s %12s %10s %10s\n' "$stack" "$c" "$rps" "$(ms 50%)" "$(ms 99%)"
  done
done
# The batch endpoint: 100,000 firms in 10 NDJSON batches of 10,000.
"$VENV/bin/python" - "$OUT/body.json" "$OUT/batch.ndjson" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w") as f:
    for i in range(10000):
        b["firm"]["id"] = f"B-{i:05d}"
        f.write(json.dumps(b) + "\n")
PY
start=$(date +%s.%N)
for i in $(seq 10); do
  curl -sf -o /dev/null -X POST -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/x-ndjson" \
    --data-binary @"$OUT/batch.ndjson" http://127.0.0.1:18181/v1/score/batch
done
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN {printf "batch: 100,000 firms in %.2f s = %.0f rows/s\n", e-s, 100000/(e-s)}'
