#!/usr/bin/env bash
# CRM-like benchmark: generates ROWS contacts with a fixed seed (bench/crm_gen.py), imports them,
# runs `mergeq detect` under /usr/bin/time -v, and prints precision, recall, F1, wall time and
# peak memory of the import and of detection. Usage: bench/crm.sh ROWS [path/to/mergeq]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=$1
BIN=${2:-target/release/mergeq}
OUT=bench/out
mkdir -p "$OUT"
[ -f "$OUT/crm_${ROWS}_truth.csv" ] || python3 bench/crm_gen.py "$ROWS" "$OUT" >&2
DB="$OUT/crm_$ROWS.mergeq"
rm -f "$DB" "$DB-wal" "$DB-shm"
/usr/bin/time -v "$BIN" --db "$DB" import records "$OUT/crm_$ROWS.csv" --object contact --source crm --id-column Id \
  2>"$OUT/crm_$ROWS.import.log" >/dev/null
/usr/bin/time -v "$BIN" --db "$DB" detect --object contact ${DETECT_ARGS:-} 2>"$OUT/crm_$ROWS.detect.log"
"$BIN" --db "$DB" queue --json >"$OUT/crm_$ROWS.queue.json"
field() { grep "$1" "$2" | awk '{print $NF}'; }
echo "crm_$ROWS $(python3 bench/evaluate.py "$OUT/crm_$ROWS.queue.json" "$OUT/crm_${ROWS}_truth.csv")" \
  "import_wall=$(field 'Elapsed (wall' "$OUT/crm_$ROWS.import.log") import_rss_kb=$(field 'Maximum resident' "$OUT/crm_$ROWS.import.log")" \
  "detect_wall=$(field 'Elapsed (wall' "$OUT/crm_$ROWS.detect.log") detect_rss_kb=$(field 'Maximum resident' "$OUT/crm_$ROWS.detect.log")"
