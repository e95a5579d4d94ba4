#!/usr/bin/env bash
# How cost grows (issue 30, item 4): import, training of each kind, batch scoring and the
# dashboard at several sizes, PRECRE beside the reference tools where they exist, in one run.
# Every measurement runs under a time cap (bench/capped.py); a capped, killed or failed point
# is written as such, not dropped. All points go to target/bench-growth/growth.jsonl, then
# bench/growth.py prints the table, fits the growth and draws docs/growth.png.
#
#   bash bench/growth.sh                           # 10,000 100,000 1,000,000 5,000,000
#   SIZES="10000 100000" bash bench/growth.sh      # a quick run
#   CAP=600 STORE_CAP=3600                         # seconds per measurement / per store build
#   TASKS="import train store score dashboard"     # the parts to run (default: all)
#   KINDS="tree logistic forest boosting"          # the kinds trained (default: all)
#   STORE_MAX=1000000                              # build no store of more firms (points: skipped)
#   APPEND=1                                       # add to the existing growth.jsonl
#   NO_REFERENCE="forest" NO_REFERENCE_WHY="..."   # kinds whose reference is not run (skipped)
#   VENV=/path/to/venv                             # scikit-learn, LightGBM, pandas, matplotlib
#
# Sizes are rows: of the feature table (training: 24 features, 3 classes, a 70/30 split), of
# the statements file (import: a demo portfolio of N x 132,000 / 1,001,761 firms), and firms in
# the store (batch scoring of every firm with the default model, `precre classify --all`, and
# the workbench's dashboard, benches/workbench.rs). Each figure is the best of REPEATS runs
# (default 3 up to 100,000 rows, 1 above); the dashboard the best of 2 runs on a kept store.
# Batch scoring appends N predictions to the kept store (target/bench-stores/) each run.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-"10000 100000 1000000 5000000"}
CAP=${CAP:-600}
STORE_CAP=${STORE_CAP:-3600}
TASKS=${TASKS:-"import train store score dashboard"}
KINDS=${KINDS:-"tree logistic forest boosting"}
STORE_MAX=${STORE_MAX:-0}
VENV=${VENV:-.venv-bench}
OUT=target/bench-growth
DATA=target/bench-data
JSONL=$OUT/growth.jsonl
BIN=${CARGO_TARGET_DIR:-target}/release/precre
mkdir -p "$OUT/logs" "$DATA"
[ "${APPEND:-0}" = 1 ] || : > "$JSONL"

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet scikit-learn pandas lightgbm matplotlib
fi
cargo build --release --quiet
cargo bench --quiet --no-run --bench challengers --bench import --bench workbench

wants() { [[ " $TASKS " == *" $1 "* ]]; }
machine=$(printf '{"machine":"%s cores, %s GiB, %s","started":"%s","load":"%s","sizes":"%s","cap_seconds":%s}' \
  "$(nproc)" "$(awk '/MemTotal/ {printf "%.0f", $2/1048576}' /proc/meminfo)" "$(uname -srm)" \
  "$(date -u +%FT%TZ)" "$(cut -d' ' -f1-3 /proc/loadavg)" "$SIZES" "$CAP")
echo "$machine" >> "$JSONL"

# measure TASK TOOL N [capped.py options] -- COMMAND...
measure() {
  local task=$1 tool=$2 n=$3
  shift 3
  python3 bench/capped.py --out "$JSONL" --task "$task" --tool "$tool" --n "$n" \
    --log "$OUT/logs/$(echo "$task-$tool-$n" | tr -c 'A-Za-z0-9.-' _).log" "$@"
}
skipped() {  # TASK TOOL N WHY
  printf '{"task":"%s","tool":"%s","n":%s,"status":"skipped","seconds":null,"why":"%s"}\n' \
    "$1" "$2" "$3" "$4" >> "$JSONL"
  echo "$1 $2 n=$3 skipped: $4" >&2
}

for n in $SIZES; do
  repeats=${REPEATS:-$([ "$n" -le 100000 ] && echo 3 || echo 1)}
  if wants train; then
    f="$DATA/features-$n.csv"
    [ -f "$f" ] || "$BIN" demo features --rows "$n" --out "$f" >/dev/null
    for kind in $KINDS; do
      pick=$([ "$kind" = tree ] && echo tree_train || echo "${kind}_fit")
      measure "train: $kind" precre "$n" --cap "$CAP" --pick-json "task=$pick,tool=precre" -- \
        env PRECRE_BENCH_REPEATS="$repeats" PRECRE_BENCH_TASKS="$kind" \
        cargo bench --quiet --bench challengers -- "$f"
      case $kind in
        tree) ref="scikit-learn"; rtask=tree_fit ;;
        boosting) ref="LightGBM"; rtask=boosting_fit ;;
        *) ref="scikit-learn"; rtask="${kind}_fit" ;;
      esac
      if [[ " ${NO_REFERENCE:-} " == *" $kind "* ]]; then
        skipped "train: $kind" "$ref" "$n" "${NO_REFERENCE_WHY:-not run: NO_REFERENCE=$NO_REFERENCE}"
        continue
      fi
      measure "train: $kind" "$ref" "$n" --cap "$CAP" --pick-json "task=$rtask" -- \
        "$VENV/bin/python" bench/reference.py --features "$f" --tasks "$kind" --depths none \
        --repeats "$repeats"
    done
  fi
  if wants import; then
    # A portfolio with about n statements (132,000 firms give 1,001,761), generated outside the cap.
    firms=$(( (n * 132000 + 500880) / 1001761 ))
    dir="$DATA/import-$firms"
    [ -f "$dir/statements.csv" ] || "$BIN" demo generate --firms "$firms" --out "$dir" >/dev/null
    measure import precre "$n" --cap "$CAP" --pick-json "task=import (process)" -- \
      env PRECRE_BENCH_IMPORT_FIRMS="$firms" PRECRE_BENCH_IMPORT_ONLY=1 \
      cargo bench --quiet --bench import
    measure import "pandas read_csv + to_sql" "$n" --cap "$CAP" --pick-json "task=import (process)" -- \
      "$VENV/bin/python" bench/reference.py --statements "$dir/statements.csv" --tasks import_process
  fi
  # The store of n firms that the dashboard and the batch scoring read (kept between runs).
  store="target/bench-stores/firms-$n.db"
  if wants store || wants score || wants dashboard; then
    if [ ! -f "$store" ] && [ "$STORE_MAX" != 0 ] && [ "$n" -gt "$STORE_MAX" ]; then
      for t in score dashboard; do
        wants "$t" && skipped "$([ $t = score ] && echo 'batch scoring' || echo dashboard)" precre "$n" \
          "no store of $n firms: larger than STORE_MAX=$STORE_MAX (${SKIP_WHY:-not built in this run})"
      done
      continue
    fi
    if [ ! -f "$store" ]; then
      # The workbench benchmark builds it (demo load, default model, every firm scored).
      measure "store build" precre "$n" --cap "$STORE_CAP" --pick-regex "built a store of [0-9]+ firms in ([0-9.]+) s" -- \
        env PRECRE_BENCH_FIRMS="$n" cargo bench --quiet --bench workbench
    fi
    if [ ! -f "$store" ]; then
      for t in "batch scoring" dashboard; do skipped "$t" precre "$n" "the store of $n firms was not built (see the store build point)"; done
      continue
    fi
  fi
  if wants dashboard; then
    # Warm: the best of two runs on the kept store (the first reads it into the page cache).
    measure dashboard precre "$n" --cap "$CAP" --pick-regex "dashboard filled +([0-9.]+) ms" --scale 0.001 -- \
      bash -c "for i in 1 2; do PRECRE_BENCH_FIRMS=$n cargo bench --quiet --bench workbench; done"
  fi
  if wants score; then
    # No reference tool scores a store's firms; the model's prediction alone against
    # scikit-learn's is the engine benchmark's "predict" (docs/BENCHMARKS.md).
    measure "batch scoring" precre "$n" --cap "$CAP" -- \
      bash -c "'$BIN' --db '$store' classify --all --format json > /dev/null"
  fi
done
cp "$JSONL" docs/growth.jsonl
"$VENV/bin/python" bench/growth.py "$JSONL" --png docs/growth.png
