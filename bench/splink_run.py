"""Splink 5 (DuckDB backend) on the same files mergeq's benchmarks use, for the speed, memory and
quality comparison. Run it under `/usr/bin/time -v` for peak memory.

Usage:
  python3 bench/splink_run.py crm CSV TRUTH [THRESHOLD]
  python3 bench/splink_run.py febrl CSV TRUTH [THRESHOLD]
  python3 bench/splink_run.py febrl4 CSV_A CSV_B TRUTH [THRESHOLD]
Prints one JSON line: pairs, precision, recall, F1 at the threshold (default 0.5), and seconds.

The pipeline is Splink's documented one: light cleaning in pandas (lower case, phone digits,
five-digit ZIP), u by random sampling, λ from deterministic rules, m by expectation-maximisation on
two blocking rules, then `predict` over the prediction blocking rules.
"""
import csv
import json
import re
import sys
import time

import pandas as pd
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on
from splink.backends.duckdb import DuckDBAPI

LEGAL = re.compile(r"\b(inc|incorporated|llc|ltd|corp|corporation|co|group)\b\.?", re.I)


def clean_crm(df):
    out = pd.DataFrame({"unique_id": df["Id"]})
    low = lambda s: s.fillna("").str.strip().str.lower().replace("", None)
    out["first_name"] = low(df["FirstName"])
    out["surname"] = low(df["LastName"])
    out["email"] = low(df["Email"])
    digits = df["Phone"].fillna("").str.replace(r"\D", "", regex=True).str[-10:]
    out["phone"] = digits.where(digits.str.len() >= 7, None)
    company = df["Company"].fillna("").str.replace(LEGAL, "", regex=True).str.replace(r"[^\w ]", "", regex=True)
    out["company"] = low(company.str.replace(r"\s+", " ", regex=True))
    out["street"] = low(df["MailingStreet"])
    out["city"] = low(df["MailingCity"])
    out["zip"] = df["MailingPostalCode"].fillna("").str[:5].replace("", None)
    return out


def crm_settings():
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.EmailComparison("email"),
            cl.LevenshteinAtThresholds("phone", [1]).configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("company", [0.92, 0.8]).configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("street", [0.9, 0.7]),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
            cl.ExactMatch("zip"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("email"),
            block_on("phone"),
            block_on("first_name", "surname", "zip"),
            block_on("surname", "company"),
            block_on("first_name", "surname", "city"),
            block_on("surname", "street"),
        ],
        retain_intermediate_calculation_columns=False,
    )


def train_crm(linker):
    linker.training.estimate_probability_two_random_records_match([block_on("email")], recall=0.6)
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("email"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("surname", "zip"))


def febrl_settings(link_type):
    return SettingsCreator(
        link_type=link_type,
        unique_id_column_name="rec_id",
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d"),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number"),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
            cl.JaroWinklerAtThresholds("suburb", [0.9]),
            cl.LevenshteinAtThresholds("postcode", [1]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "surname"),
            block_on("surname", "date_of_birth"),
            block_on("given_name", "date_of_birth"),
            block_on("postcode", "date_of_birth"),
            block_on("soc_sec_id"),
            block_on("postcode", "street_number", "address_1"),
        ],
        retain_intermediate_calculation_columns=False,
    )


def train_febrl(linker):
    linker.training.estimate_probability_two_random_records_match(
        [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("postcode"))


def read_febrl(path):
    df = pd.read_csv(path, dtype=str, keep_default_na=False).replace("", None)
    return df


def score(pairs, truth_path):
    truth = set()
    with open(truth_path) as f:
        for row in csv.DictReader(f):
            truth.add(tuple(sorted((row["left"], row["right"]))))
    tp = len(pairs & truth)
    p = tp / len(pairs) if pairs else 0.0
    r = tp / len(truth) if truth else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"pairs": len(pairs), "true_pairs": len(truth), "true_positives": tp,
            "precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4)}


def main():
    mode = sys.argv[1]
    started = time.time()
    db = DuckDBAPI()
    if mode == "crm":
        path, truth = sys.argv[2], sys.argv[3]
        threshold = float(sys.argv[4]) if len(sys.argv) > 4 else 0.5
        df = clean_crm(pd.read_csv(path, dtype=str, keep_default_na=False).replace("", None))
        linker = Linker(db.register(df), crm_settings(), log_level=30)
        train_crm(linker)
    elif mode == "febrl":
        path, truth = sys.argv[2], sys.argv[3]
        threshold = float(sys.argv[4]) if len(sys.argv) > 4 else 0.5
        linker = Linker(db.register(read_febrl(path)), febrl_settings("dedupe_only"), log_level=30)
        train_febrl(linker)
    else:
        a, b, truth = sys.argv[2], sys.argv[3], sys.argv[4]
        threshold = float(sys.argv[5]) if len(sys.argv) > 5 else 0.5
        frames = [db.register(read_febrl(a), dataset_display_name="a"), db.register(read_febrl(b), dataset_display_name="b")]
        linker = Linker(frames, febrl_settings("link_only"), log_level=30)
        train_febrl(linker)
    predictions = linker.inference.predict(threshold_match_probability=threshold).as_pandas_dataframe()
    id_l = "unique_id_l" if "unique_id_l" in predictions else "rec_id_l"
    id_r = "unique_id_r" if "unique_id_r" in predictions else "rec_id_r"
    pairs = {tuple(sorted((str(x), str(y)))) for x, y in zip(predictions[id_l], predictions[id_r])}
    result = score(pairs, truth)
    result["seconds"] = round(time.time() - started, 2)
    result["threshold"] = threshold
    print(json.dumps(result))


if __name__ == "__main__":
    main()
