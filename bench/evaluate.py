"""Precision, recall and F1 of the pairs `mergeq queue --json` lists against a truth file.

Usage: python3 bench/evaluate.py QUEUE_JSON TRUTH_CSV [--origin detect]
Record keys `source:id` are compared by id (the truth files name ids only).
"""
import csv
import json
import sys


def main():
    queue_path, truth_path = sys.argv[1], sys.argv[2]
    with open(queue_path) as f:
        queue = json.load(f)
    found = set()
    for c in queue:
        ids = sorted(m.split(":", 1)[1] for m in c["members"])
        for i in range(len(ids)):
            for j in range(i + 1, len(ids)):
                found.add((ids[i], ids[j]))
    truth = set()
    with open(truth_path) as f:
        for row in csv.DictReader(f):
            truth.add(tuple(sorted((row["left"], row["right"]))))
    tp = len(found & truth)
    precision = tp / len(found) if found else 0.0
    recall = tp / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(json.dumps({"pairs": len(found), "true_pairs": len(truth), "true_positives": tp,
                      "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}))


if __name__ == "__main__":
    main()
