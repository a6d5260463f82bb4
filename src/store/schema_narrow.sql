-- Migration (narrow candidates): a large load adds a million candidates that share their origin
-- and their time with the batch that added them. Those are now stored once, in the batch, and a
-- candidate's own `origin` and `created_at` are NULL when they are the batch's: a third less to
-- write per candidate. SQLite cannot drop a NOT NULL, so the table is rebuilt (ids kept). The
-- queue-by-age index is split: pending candidates by id alone, decided ones by status and id.

-- The origins (JSON array) of the candidates this batch added with a NULL origin.
ALTER TABLE batches ADD COLUMN origin TEXT;

CREATE TABLE candidates_narrow (
    id          INTEGER PRIMARY KEY,
    object      TEXT NOT NULL,
    member_key  TEXT NOT NULL,          -- sorted member record ids (records.id) joined by ','; unique
    member_versions TEXT NOT NULL,      -- each member's record version when proposed, same order
    size        INTEGER NOT NULL,
    score       REAL NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'approved', 'rejected', 'deferred')),
    origin      TEXT,                   -- JSON array of origins; NULL: batches.origin of batch_id
    reasons     TEXT NOT NULL,          -- JSON array of model::Reason
    created_at  TEXT,                   -- RFC 3339 UTC; NULL: batches.at of batch_id
    updated_at  TEXT,                   -- when an import or detection last changed it; NULL if never
    batch_id    INTEGER REFERENCES batches(id),   -- the batch that added it
    CHECK ((origin IS NOT NULL AND created_at IS NOT NULL) OR batch_id IS NOT NULL)
);
INSERT INTO candidates_narrow
    SELECT id, object, member_key, member_versions, size, score, status, origin, reasons, created_at,
           updated_at, batch_id
    FROM candidates;
DROP TABLE candidates;
ALTER TABLE candidates_narrow RENAME TO candidates;

CREATE UNIQUE INDEX candidates_by_members ON candidates(member_key);
CREATE INDEX candidates_by_status_score ON candidates(status, score DESC, id);
-- The queue by age: pending candidates (nearly all of them after a large load) by id alone, a
-- narrow index that a load appends to, and decided ones within their status.
CREATE INDEX candidates_pending_by_id ON candidates(id) WHERE status = 'pending';
CREATE INDEX candidates_decided_by_id ON candidates(status, id) WHERE status <> 'pending';

CREATE TRIGGER candidate_counts_insert AFTER INSERT ON candidates BEGIN
    INSERT INTO candidate_counts (status, n) VALUES (NEW.status, 1)
        ON CONFLICT (status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER candidate_counts_update AFTER UPDATE OF status ON candidates
WHEN OLD.status IS NOT NEW.status BEGIN
    UPDATE candidate_counts SET n = n - 1 WHERE status = OLD.status;
    INSERT INTO candidate_counts (status, n) VALUES (NEW.status, 1)
        ON CONFLICT (status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER candidate_counts_delete AFTER DELETE ON candidates BEGIN
    UPDATE candidate_counts SET n = n - 1 WHERE status = OLD.status;
END;
