-- Migration 1: the workspace's core tables. Append new migrations; never edit a shipped one.

-- One row per import (or detection run) that changed the workspace.
CREATE TABLE batches (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,          -- 'records' | 'candidates' | 'detect'
    file        TEXT NOT NULL,          -- file name as given on the command line
    sha256      TEXT NOT NULL,          -- of the file's bytes
    format      TEXT NOT NULL,
    object      TEXT,
    source      TEXT,
    row_count   INTEGER NOT NULL DEFAULT 0,
    added       INTEGER NOT NULL DEFAULT 0,
    changed     INTEGER NOT NULL DEFAULT 0,
    at          TEXT NOT NULL,          -- RFC 3339 UTC
    steward     TEXT NOT NULL
);

CREATE TABLE records (
    id          INTEGER PRIMARY KEY,
    object      TEXT NOT NULL,
    source      TEXT NOT NULL,
    ext_id      TEXT NOT NULL,
    fields      TEXT NOT NULL,          -- JSON object, keys sorted; missing values absent
    created     TEXT,                   -- RFC 3339 UTC
    updated     TEXT,
    version     INTEGER NOT NULL DEFAULT 1,
    batch_id    INTEGER REFERENCES batches(id),
    -- source and id first: it also serves lookups of a key without its object.
    UNIQUE (source, ext_id, object)
);

-- Earlier versions of records, saved when an import changes one: the stale guard names the fields
-- that changed since a steward saw a candidate, and the journal can show old values.
CREATE TABLE record_history (
    record_id   INTEGER NOT NULL REFERENCES records(id),
    version     INTEGER NOT NULL,
    fields      TEXT NOT NULL,
    created     TEXT,
    updated     TEXT,
    PRIMARY KEY (record_id, version)
) WITHOUT ROWID;

CREATE TABLE candidates (
    id          INTEGER PRIMARY KEY,
    object      TEXT NOT NULL,
    -- The members, inline: a bulk import writes one row per candidate and nothing else.
    member_key  TEXT NOT NULL,          -- sorted member record ids (records.id) joined by ','; unique
    member_versions TEXT NOT NULL,      -- each member's record version when proposed, same order
    size        INTEGER NOT NULL,
    score       REAL NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'approved', 'rejected', 'deferred')),
    origin      TEXT NOT NULL,          -- JSON array of origins ('splink', 'detect', …)
    reasons     TEXT NOT NULL,          -- JSON array of model::Reason
    created_at  TEXT NOT NULL,
    updated_at  TEXT,                   -- when an import or detection last changed it; NULL if never
    batch_id    INTEGER REFERENCES batches(id)
);
-- A candidate is its member set: one candidate per set of records.
CREATE UNIQUE INDEX candidates_by_members ON candidates(member_key);
CREATE INDEX candidates_by_status_score ON candidates(status, score DESC, id);

-- Pairs a steward rejected as not duplicates (smaller record id first): never proposed again.
CREATE TABLE rejected_pairs (
    a INTEGER NOT NULL REFERENCES records(id),
    b INTEGER NOT NULL REFERENCES records(id),
    PRIMARY KEY (a, b),
    CHECK (a < b)
) WITHOUT ROWID;
