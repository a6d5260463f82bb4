-- Migration 2: the journal, the append-only, hash-chained log of every decision, import, export and
-- sign-off. Rows are only ever inserted: the triggers below refuse UPDATE and DELETE, and every
-- entry's hash covers its content and the previous entry's hash (see docs/journal.md).

CREATE TABLE journal (
    seq         INTEGER PRIMARY KEY,    -- 1, 2, 3, … with no gaps
    at          TEXT NOT NULL,          -- RFC 3339 UTC
    steward     TEXT NOT NULL,
    action      TEXT NOT NULL,          -- import, approve, reject, defer, undo, signoff, export
    candidate   INTEGER,                -- the candidate decided or undone; NULL for other actions
    body        TEXT NOT NULL,          -- canonical JSON (sorted keys, no whitespace, no floats)
    prev_hash   TEXT NOT NULL,          -- hex SHA-256 of the previous entry (64 zeros for the first)
    hash        TEXT NOT NULL,          -- hex SHA-256 of prev_hash + "\n" + the canonical entry
    signature   TEXT,                   -- sign-offs: hex Ed25519 signature over the 32 hash bytes
    public_key  TEXT,                   -- sign-offs: hex of the 32-byte Ed25519 public key
    CHECK (json_valid(body)),
    -- A decision names the member versions it was made on.
    CHECK (action NOT IN ('approve', 'reject', 'defer')
           OR (candidate IS NOT NULL AND json_type(body, '$.members[0].version') IS 'integer')),
    CHECK (action <> 'signoff' OR (signature IS NOT NULL AND public_key IS NOT NULL))
);
CREATE INDEX journal_by_candidate ON journal(candidate, seq) WHERE candidate IS NOT NULL;

-- The head as the last insert left it, kept by a trigger: removing entries from the end of the
-- journal (which no hash link can reveal) leaves this pointing past the new end.
CREATE TABLE journal_head (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    seq         INTEGER NOT NULL,
    hash        TEXT NOT NULL
);
INSERT INTO journal_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TRIGGER journal_head_follows AFTER INSERT ON journal
BEGIN
    UPDATE journal_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1;
END;

CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
BEGIN
    SELECT RAISE(ABORT, 'the journal is append-only: an entry cannot be changed');
END;

CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
BEGIN
    SELECT RAISE(ABORT, 'the journal is append-only: an entry cannot be deleted');
END;
