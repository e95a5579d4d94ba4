#!/usr/bin/env bash
# Issue 30's speed goals, run after run: boosting against LightGBM and the tree through
# `precre train` against scikit-learn, on the bench's generator and the skewed one, each run
# PRECRE's and the reference's fits side by side (best of 3 fits each, as bench/run.sh), then
# every run's ratios and their spread.
#
#   bash bench/goals.sh                     # 5 runs, 100,000 rows
#   RUNS=3 ROWS=1000000 VENV=/path/to/venv bash bench/goals.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
ROWS=${ROWS:-100000}
VENV=${VENV:-.venv-bench}
OUT=target/bench-data
mkdir -p "$OUT"
cargo build --release --quiet
TARGET=${CARGO_TARGET_DIR:-target}
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet scikit-learn pandas
fi
"$VENV/bin/python" -c "import lightgbm" 2>/dev/null || "$VENV/bin/pip" install --quiet lightgbm
files=()
for kind in normal skewed; do
  f="$OUT/features-$ROWS.csv"
  [ "$kind" = normal ] || f="$OUT/features-$kind-$ROWS.csv"
  [ -f "$f" ] || "$TARGET"/release/precre demo features --rows "$ROWS" --kind "$kind" --out "$f" >/dev/null
  files+=("$f")
done
log="$OUT/goals.jsonl"
: > "$log"
for run in $(seq "$RUNS"); do
  for f in "${files[@]}"; do
    kind=normal
    case "$f" in *skewed*) kind=skewed ;; esac
    tag="\"run\":$run,\"kind\":\"$kind\","
    PRECRE_BENCH_TASKS=boosting,tree cargo bench --quiet --bench challengers -- "$f" | sed "s/^{/{$tag/" >> "$log"
    "$VENV/bin/python" bench/reference.py --tasks boosting,tree --features "$f" | sed "s/^{/{$tag/" >> "$log"
  done
done
echo "machine: $(nproc) cores, $(uname -srm), load $(cut -d' ' -f1-3 /proc/loadavg)"
python3 bench/goals.py "$log"
