#!/usr/bin/env bash
# Account benchmark: generates ROWS accounts (companies) with a fixed seed (bench/account_gen.py),
# imports them, runs `mergeq detect --object account` under /usr/bin/time -v, and prints precision,
# recall, F1, wall time and peak memory of detection. Usage: bench/accounts.sh ROWS [path/to/mergeq]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=$1
BIN=${2:-target/release/mergeq}
OUT=bench/out
mkdir -p "$OUT"
[ -f "$OUT/acct_${ROWS}_truth.csv" ] || python3 bench/account_gen.py "$ROWS" "$OUT" >&2
DB="$OUT/acct_$ROWS.mergeq"
rm -f "$DB" "$DB-wal" "$DB-shm"
"$BIN" --db "$DB" import records "$OUT/acct_$ROWS.csv" --object account --source crm --id-column Id >/dev/null
/usr/bin/time -v "$BIN" --db "$DB" detect --object account ${DETECT_ARGS:-} 2>"$OUT/acct_$ROWS.detect.log"
"$BIN" --db "$DB" queue --json >"$OUT/acct_$ROWS.queue.json"
field() { grep "$1" "$2" | awk '{print $NF}'; }
echo "acct_$ROWS $(python3 bench/evaluate.py "$OUT/acct_$ROWS.queue.json" "$OUT/acct_${ROWS}_truth.csv")" \
  "detect_wall=$(field 'Elapsed (wall' "$OUT/acct_$ROWS.detect.log") detect_rss_kb=$(field 'Maximum resident' "$OUT/acct_$ROWS.detect.log")"
