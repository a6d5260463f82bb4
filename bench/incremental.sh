#!/usr/bin/env bash
# Incremental detection: a full run over ROWS CRM-like contacts, then 1,000 of them re-imported with
# a changed street (bench/out/crm_ROWS_changed.csv, fixed seed) and detection run again (only pairs
# involving them are compared), then once more with nothing changed. Prints each run's summary
# and wall/CPU time. Usage: bench/incremental.sh ROWS [path/to/mergeq]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=$1
BIN=${2:-target/release/mergeq}
OUT=bench/out
[ -f "$OUT/crm_${ROWS}_truth.csv" ] || python3 bench/crm_gen.py "$ROWS" "$OUT" >&2
python3 - "$OUT/crm_$ROWS.csv" "$OUT/crm_${ROWS}_changed.csv" <<'PY'
import csv, random, sys
random.seed(11)
rows = list(csv.reader(open(sys.argv[1], newline='')))
head, body = rows[0], rows[1:]
street = head.index('MailingStreet')
pick = set(random.sample(range(len(body)), 1000))
with open(sys.argv[2], 'w', newline='') as f:
    w = csv.writer(f)
    w.writerow(head)
    for k, r in enumerate(body):
        if k in pick:
            r[street] = f"{100 + k % 900} Changed Street"
            w.writerow(r)
PY
DB="$OUT/crm_${ROWS}_incremental.mergeq"
rm -f "$DB" "$DB-wal" "$DB-shm"
run() { /usr/bin/time -f "  wall %e s, CPU %U s user + %S s sys" "$BIN" --db "$DB" "$@" 2>&1 >/dev/null | grep -v '^\[' ; }
echo "import $ROWS:";       run import records "$OUT/crm_$ROWS.csv" --object contact --source crm --id-column Id
echo "full detection:";     run detect --object contact
echo "import 1,000 changed:"; run import records "$OUT/crm_${ROWS}_changed.csv" --object contact --source crm --id-column Id
echo "incremental detection:"; run detect --object contact
echo "nothing changed:";    run detect --object contact
