#!/usr/bin/env bash
# The CRM-like benchmark with each vendor's own column names: the file of ROWS rows from
# bench/crm_gen.py split in two, even rows as a Salesforce export (`FirstName`, `MailingStreet`…)
# and odd rows as a HubSpot one (`First Name`, `Street Address`…), imported as two sources; then
# `mergeq detect` and precision, recall, F1 as bench/crm.sh prints them. Columns are compared by
# kind, so the figures should be bench/crm.sh's. Usage: bench/crm_mixed.sh ROWS [path/to/mergeq]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=$1
BIN=${2:-target/release/mergeq}
OUT=bench/out
mkdir -p "$OUT"
[ -f "$OUT/crm_${ROWS}_truth.csv" ] || python3 bench/crm_gen.py "$ROWS" "$OUT" >&2
python3 - "$OUT/crm_$ROWS.csv" "$OUT/crm_${ROWS}_sf.csv" "$OUT/crm_${ROWS}_hs.csv" <<'PY'
import csv, sys
hubspot = {"Id": "Record ID", "FirstName": "First Name", "LastName": "Last Name", "Email": "Email",
           "Phone": "Phone Number", "Company": "Company Name", "MailingStreet": "Street Address",
           "MailingCity": "City", "MailingState": "State/Region", "MailingPostalCode": "Postal Code",
           "MailingCountry": "Country/Region"}
with open(sys.argv[1], newline="") as f:
    rows = list(csv.reader(f))
header = rows[0]
for path, names, part in [(sys.argv[2], header, 0), (sys.argv[3], [hubspot[h] for h in header], 1)]:
    with open(path, "w", newline="") as out:
        w = csv.writer(out)
        w.writerow(names)
        w.writerows(rows[1 + part::2])
PY
DB="$OUT/crm_${ROWS}_mixed.mergeq"
rm -f "$DB" "$DB-wal" "$DB-shm"
"$BIN" --db "$DB" import records "$OUT/crm_${ROWS}_sf.csv" --object contact --source salesforce --id-column Id >/dev/null 2>&1
"$BIN" --db "$DB" import records "$OUT/crm_${ROWS}_hs.csv" --object contact --source hubspot --id-column "Record ID" >/dev/null 2>&1
/usr/bin/time -v "$BIN" --db "$DB" detect --object contact ${DETECT_ARGS:-} 2>"$OUT/crm_${ROWS}_mixed.detect.log"
"$BIN" --db "$DB" queue --json >"$OUT/crm_${ROWS}_mixed.queue.json"
field() { grep "$1" "$2" | awk '{print $NF}'; }
echo "crm_${ROWS}_mixed $(python3 bench/evaluate.py "$OUT/crm_${ROWS}_mixed.queue.json" "$OUT/crm_${ROWS}_truth.csv")" \
  "detect_wall=$(field 'Elapsed (wall' "$OUT/crm_${ROWS}_mixed.detect.log") detect_rss_kb=$(field 'Maximum resident' "$OUT/crm_${ROWS}_mixed.detect.log")"
