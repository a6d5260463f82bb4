#!/usr/bin/env bash
# Account benchmark: generates ROWS accounts (companies) with a fixed seed (bench/account_gen.py;
# SEED=N for another), imports them, runs `mergeq detect --object account` under /usr/bin/time -v,
# and prints precision, recall, F1, wall time and peak memory of detection.
# Usage: [SEED=N] [DETECT_ARGS=...] bench/accounts.sh ROWS [path/to/mergeq]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=$1
BIN=${2:-target/release/mergeq}
SEED=${SEED:-11}
OUT=bench/out
NAME=acct_$ROWS
[ "$SEED" = 11 ] || NAME=acct_${ROWS}_seed$SEED
mkdir -p "$OUT"
[ -f "$OUT/${NAME}_truth.csv" ] || python3 bench/account_gen.py "$ROWS" "$OUT" --seed "$SEED" >&2
DB="$OUT/$NAME.mergeq"
rm -f "$DB" "$DB-wal" "$DB-shm"
"$BIN" --db "$DB" import records "$OUT/$NAME.csv" --object account --source crm --id-column Id >/dev/null
/usr/bin/time -v "$BIN" --db "$DB" detect --object account ${DETECT_ARGS:-} 2>"$OUT/$NAME.detect.log"
"$BIN" --db "$DB" queue --json >"$OUT/$NAME.queue.json"
field() { grep "$1" "$2" | awk '{print $NF}'; }
echo "$NAME $(python3 bench/evaluate.py "$OUT/$NAME.queue.json" "$OUT/${NAME}_truth.csv")" \
  "detect_wall=$(field 'Elapsed (wall' "$OUT/$NAME.detect.log") detect_rss_kb=$(field 'Maximum resident' "$OUT/$NAME.detect.log")"
