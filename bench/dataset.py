"""What the generators in this folder share: their command line, the missing values and copies
they make, and writing a data set with its truth."""
import csv
import os
import random
import sys


def start(default_seed):
    """The command line `ROWS OUT [--seed N]`: rows, out folder (created), seed and its RNG."""
    rows = int(sys.argv[1])
    out = sys.argv[2]
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else default_seed
    os.makedirs(out, exist_ok=True)
    return rows, out, seed, random.Random(seed)


def blank_some(row, r, chances, dup, boost):
    """Empties each `(field, chance)` of `row` with that chance, `boost` times it in a duplicate."""
    for field, p_missing in chances:
        if r.random() < p_missing * (boost if dup else 1.0):
            row[field] = ""


def add_copies(rng, records, clusters, rows, prefix, render):
    """One entity's records: 1 copy, 2 (one in five) or 3 (one in twenty), until `rows` records;
    `render(dup)` makes each, ids `PREFIX0000000` in order. The ids go to `clusters` as one."""
    y = rng.random()
    copies = 3 if y < 0.05 else 2 if y < 0.25 else 1
    ids = []
    for c in range(copies):
        if len(records) >= rows:
            break
        rid = f"{prefix}{len(records):07d}"
        records.append((rid, render(c > 0)))
        ids.append(rid)
    clusters.append(ids)


def write_dataset(out, name, columns, records, clusters, rng):
    """Writes `out/NAME.csv` (the records `(id, row)` in an order shuffled by `rng`, `Id` first,
    then `columns[1:]` from each row) and `out/NAME_truth.csv` (every pair within a cluster of
    ids). Returns the records file's path and the number of true pairs."""
    order = list(range(len(records)))
    rng.shuffle(order)
    path = f"{out}/{name}.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(columns)
        for i in order:
            rid, row = records[i]
            w.writerow([rid] + [row[c] for c in columns[1:]])
    pairs = 0
    with open(f"{out}/{name}_truth.csv", "w") as f:
        f.write("left,right\n")
        for ids in clusters:
            for i in range(len(ids)):
                for j in range(i + 1, len(ids)):
                    f.write(f"{ids[i]},{ids[j]}\n")
                    pairs += 1
    return path, pairs
