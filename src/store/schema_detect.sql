-- Migration 2: what detection remembers between runs, so the next run compares only pairs that
-- involve new or changed records. Append new migrations; never edit a shipped one.

-- One row per object: the settings and the trained model of its last detection run.
CREATE TABLE detect_state (
    object      TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,          -- the fields, kinds and settings the run used (JSON)
    model       TEXT NOT NULL,          -- the trained Fellegi-Sunter model (JSON: m, u, lambda)
    records     INTEGER NOT NULL,       -- how many records the model was trained on
    at          TEXT NOT NULL           -- RFC 3339 UTC
);

-- The record versions the last run of their object compared.
CREATE TABLE detect_seen (
    record_id   INTEGER PRIMARY KEY REFERENCES records(id),
    version     INTEGER NOT NULL
) WITHOUT ROWID;
