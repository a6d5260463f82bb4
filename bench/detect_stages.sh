#!/usr/bin/env bash
# Per-stage medians of `mergeq detect`: imports the CRM-like file of ROWS rows once, then runs
# detection RUNS times, each on a fresh copy of that workspace, and prints for each stage the
# median wall time, process CPU time and main-thread CPU time it took (from the progress lines).
# Usage: bench/detect_stages.sh ROWS [RUNS] [path/to/mergeq]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=$1
RUNS=${2:-5}
BIN=${3:-target/release/mergeq}
OUT=bench/out
mkdir -p "$OUT"
[ -f "$OUT/crm_${ROWS}_truth.csv" ] || python3 bench/crm_gen.py "$ROWS" "$OUT" >&2
BASE="$OUT/stages_$ROWS.base.mergeq"
DB="$OUT/stages_$ROWS.mergeq"
rm -f "$BASE" "$BASE-wal" "$BASE-shm"
"$BIN" --db "$BASE" import records "$OUT/crm_$ROWS.csv" --object contact --source crm --id-column Id >/dev/null
for run in $(seq "$RUNS"); do
  rm -f "$DB" "$DB-wal" "$DB-shm"
  cp "$BASE" "$DB"
  "$BIN" --db "$DB" detect --object contact ${DETECT_ARGS:-} 2>"$OUT/stages_$ROWS.$run.log" >/dev/null
done
rm -f "$DB" "$DB-wal" "$DB-shm" "$BASE" "$BASE-wal" "$BASE-shm"
python3 - "$OUT/stages_$ROWS" "$RUNS" <<'PY'
import re, statistics, sys
prefix, runs = sys.argv[1], int(sys.argv[2])
line = re.compile(r"\[([\d.]+) s(?:, CPU ([\d.]+) s)?(?:, main thread ([\d.]+) s)?\] (.*)")
stages = {}  # stage -> [(wall, cpu, main) deltas per run]
order = []
for run in range(1, runs + 1):
    last = (0.0, 0.0, 0.0)
    for text in open(f"{prefix}.{run}.log"):
        m = line.match(text)
        if not m:
            continue
        now = tuple(float(m.group(k) or 0) for k in (1, 2, 3))
        # Stage names without their figures: "23484 candidates found" -> "candidates found".
        name = re.sub(r"[\d.,]+(e-?\d+)?", "#", m.group(4).split(" (")[0].split(":")[0])
        if name not in stages:
            stages[name] = []
            order.append(name)
        stages[name].append(tuple(n - l for n, l in zip(now, last)))
        last = now
    stages.setdefault("total", []).append(last)
order.append("total")
print(f"{'stage (median of %d runs)' % runs:<48} {'wall':>7} {'CPU':>7} {'main':>7}")
for name in order:
    cols = list(zip(*stages[name]))
    print(f"{name[:48]:<48} " + " ".join(f"{statistics.median(c):7.2f}" for c in cols))
PY
