"""Writing a generated data set: shared by the generators in this folder."""
import csv


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
