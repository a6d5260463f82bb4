#!/usr/bin/env bash
# Import benchmark (issue 2): 1,000,000 generic candidate pairs over 200,000 records, imported by
# mergeq (release build) and, in the same run, by the sqlite3 shell's `.import` of the same CSV
# files into plain tables (SQLite's own CSV loader, which validates nothing).
# Prints each run's wall time and peak RSS, then the medians and the ratio.
#
# usage: bench/import.sh [RUNS]   (default 3; needs python3, sqlite3 and /usr/bin/time)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
out=bench/out/import
mkdir -p "$out"
[ -f "$out/pairs.csv" ] || python3 bench/gen_import.py "$out"
cargo build --release --quiet
bin=target/release/mergeq
echo "records: $(($(wc -l < "$out/records.csv") - 1)), pairs: $(($(wc -l < "$out/pairs.csv") - 1))"

measure() { # label, command… → prints "label seconds max_rss_kb"
    local label=$1; shift
    /usr/bin/time -f "%e %M" -o "$out/time.txt" "$@" > /dev/null 2> "$out/stderr.txt" || { cat "$out/stderr.txt"; exit 1; }
    echo "$label $(cat "$out/time.txt")"
}

results=()
for i in $(seq 1 "$runs"); do
    rm -f "$out"/ws.mergeq* "$out"/ref.sqlite*
    # mergeq: records, then candidates (each an all-or-nothing transaction, as a user runs them).
    r1=$(measure mergeq-records "$bin" --db "$out/ws.mergeq" import records "$out/records.csv" --object contact --source crm)
    r2=$(measure mergeq-pairs "$bin" --db "$out/ws.mergeq" import candidates "$out/pairs.csv")
    # Reference: sqlite3's .import into plain tables, in a WAL database like mergeq's workspace.
    s1=$(measure sqlite-records sqlite3 "$out/ref.sqlite" "PRAGMA journal_mode=WAL" ".mode csv" ".import $out/records.csv records")
    s2=$(measure sqlite-pairs sqlite3 "$out/ref.sqlite" ".mode csv" ".import $out/pairs.csv pairs")
    echo "run $i: $r1 | $r2 | $s1 | $s2"
    results+=("$r1" "$r2" "$s1" "$s2")
done

printf '%s\n' "${results[@]}" | python3 -c '
import sys, statistics
rows = [l.split() for l in sys.stdin if l.strip()]
by = {}
for label, secs, rss in rows:
    by.setdefault(label, []).append((float(secs), int(rss)))
med = {k: statistics.median(s for s, _ in v) for k, v in by.items()}
rss = {k: max(r for _, r in v) for k, v in by.items()}
for k in ["mergeq-records", "mergeq-pairs", "sqlite-records", "sqlite-pairs"]:
    print(f"{k:16} median {med[k]:6.2f} s   peak RSS {rss[k] / 1024:6.1f} MB")
mq = med["mergeq-records"] + med["mergeq-pairs"]
sq = med["sqlite-records"] + med["sqlite-pairs"]
print(f"total: mergeq {mq:.2f} s, sqlite3 .import {sq:.2f} s, ratio {mq / sq:.2f}x (target <= 1.5x)")
print("pairs only: ratio %.2fx" % (med["mergeq-pairs"] / med["sqlite-pairs"]))
print("mergeq peak RSS %.1f MB (target < 300 MB)" % (max(rss["mergeq-records"], rss["mergeq-pairs"]) / 1024))
'
