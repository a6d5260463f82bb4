"""Shows a detection run's trained model and a sample of wrong pairs with their reasons.

Usage: python3 bench/wrong_pairs.py WORKSPACE TRUTH_CSV [N]
"""
import csv
import json
import random
import sqlite3
import sys

db = sqlite3.connect(sys.argv[1])
n = int(sys.argv[3]) if len(sys.argv) > 3 else 4
model = json.loads(db.execute("select model from detect_state").fetchone()[0])
print("lambda", model["lambda"])
for f in model["fields"]:
    print(f"{f['field']:>20} m={[round(x, 3) for x in f['m']]} u={[f'{x:.1e}' for x in f['u']]}")
truth = set()
for r in csv.DictReader(open(sys.argv[2])):
    truth.add(tuple(sorted((r["left"], r["right"]))))
rows = db.execute(
    "select c.id, c.score, c.reasons, group_concat(r.ext_id) from candidates c join candidate_members m "
    "on m.candidate_id = c.id join records r on r.id = m.record_id group by c.id").fetchall()
wrong = [r for r in rows if tuple(sorted(r[3].split(","))) not in truth]
print(len(wrong), "wrong of", len(rows))
random.seed(1)
for r in random.sample(wrong, min(n, len(wrong))):
    print("---", r[1], r[3])
    for x in json.loads(r[2]):
        print("   ", x.get("field"), "|", x["text"], "|", x.get("values"))
