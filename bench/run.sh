#!/usr/bin/env bash
# Side by side (issues 6 and 13): PRECRE's engine and challengers benchmarks and the Python
# reference (scikit-learn, LightGBM, pandas) on the same generated tables, in the same run; prints one table of figures and ratios.
#
#   bash bench/run.sh                       # 10,000 and 100,000 rows x 24 features
#   ROWS="100000 1000000" bash bench/run.sh
#   VENV=/path/to/venv bash bench/run.sh    # reuse a virtual environment with scikit-learn+pandas
#   IMPORT_FIRMS=132000 (default; about 1,000,000 statement rows), IMPORT_FIRMS=0 skips the import
#   KIND=skewed                             # the second generator: heavy tails, ties, codes
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-"10000 100000"}
KIND=${KIND:-normal}
IMPORT_FIRMS=${IMPORT_FIRMS:-132000}
OUT=target/bench-data
VENV=${VENV:-.venv-bench}
mkdir -p "$OUT"
cargo build --release --quiet
TARGET=${CARGO_TARGET_DIR:-target}
files=()
for r in $ROWS; do
  f="$OUT/features-$r.csv"
  [ "$KIND" = normal ] || f="$OUT/features-$KIND-$r.csv"
  [ -f "$f" ] || "$TARGET"/release/precre demo features --rows "$r" --kind "$KIND" --out "$f" >/dev/null
  files+=("$f")
done
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet scikit-learn pandas
fi
"$VENV/bin/python" -c "import lightgbm" 2>/dev/null || "$VENV/bin/pip" install --quiet lightgbm
cargo bench --quiet --bench engine -- "${files[@]}" > "$OUT/precre.jsonl"
# The challengers (logistic regression, forest, boosting) and the tree through precre train.
cargo bench --quiet --bench challengers -- "${files[@]}" >> "$OUT/precre.jsonl"
ref_args=()
for f in "${files[@]}"; do ref_args+=(--features "$f"); done
if [ "$IMPORT_FIRMS" != 0 ]; then
  PRECRE_BENCH_IMPORT_FIRMS=$IMPORT_FIRMS cargo bench --quiet --bench import >> "$OUT/precre.jsonl"
  ref_args+=(--statements "$OUT/import-$IMPORT_FIRMS/statements.csv")
fi
"$VENV/bin/python" bench/reference.py "${ref_args[@]}" > "$OUT/reference.jsonl"
echo "machine: $(nproc) cores, $(uname -srm)"
python3 bench/table.py "$OUT/precre.jsonl" "$OUT/reference.jsonl"
