#!/usr/bin/env python3
"""Generates the import benchmark's files: N contact records and M candidate pairs over them.

usage: gen_import.py OUT_DIR [RECORDS] [PAIRS]   (defaults 200000 and 1000000; fixed seed)
Writes OUT_DIR/records.csv (id,first_name,last_name,email,phone,city,updated_at) and
OUT_DIR/pairs.csv (left,right,score,reason) with distinct, non-self pairs.
"""
import os
import random
import sys

out = sys.argv[1]
n_records = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
n_pairs = int(sys.argv[3]) if len(sys.argv) > 3 else 1_000_000
rng = random.Random(20261127)
os.makedirs(out, exist_ok=True)

FIRST = ["ann", "bob", "cara", "dev", "eli", "fay", "gus", "hana", "ivan", "jo", "kai", "lena", "marc", "nora"]
LAST = ["lee", "ray", "young", "smith", "garcia", "müller", "okafor", "tanaka", "silva", "dubois", "novak"]
CITY = ["London", "Paris", "São Paulo", "Berlin", "Austin", "Lagos", "Osaka", "Toronto"]

with open(os.path.join(out, "records.csv"), "w", newline="", encoding="utf-8") as f:
    f.write("id,first_name,last_name,email,phone,city,updated_at\n")
    for i in range(n_records):
        fn, ln = rng.choice(FIRST), rng.choice(LAST)
        f.write(
            f"c{i:07d},{fn.title()},{ln.title()},{fn}.{ln}{i}@example.com,"
            f"+1 415 555 {i % 10000:04d},{rng.choice(CITY)},2026-0{1 + i % 9}-1{i % 10}T10:00:00Z\n"
        )

seen = set()
with open(os.path.join(out, "pairs.csv"), "w", newline="", encoding="utf-8") as f:
    f.write("left,right,score,reason\n")
    while len(seen) < n_pairs:
        a = rng.randrange(n_records)
        b = rng.randrange(n_records)
        if a == b:
            continue
        key = (min(a, b), max(a, b))
        if key in seen:
            continue
        seen.add(key)
        f.write(f"crm:c{a:07d},crm:c{b:07d},{rng.random():.4f},names similar\n")
