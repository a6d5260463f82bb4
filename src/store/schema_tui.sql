-- Migration (review console): where each steward left the console, and indexes its queue pages by.

-- One row per steward: the console's filter, sort and selected candidate, as JSON, so that quitting
-- and reopening shows the same queue at the same place.
CREATE TABLE ui_state (
    steward     TEXT PRIMARY KEY,
    state       TEXT NOT NULL,
    at          TEXT NOT NULL
) WITHOUT ROWID;

-- The queue sorted by age (candidate ids grow with the time they were proposed) within a status.
CREATE INDEX candidates_by_status_id ON candidates(status, id);

-- Candidates per status, kept by triggers, so that the console's progress line costs one read
-- of four rows instead of a count over every candidate.
CREATE TABLE candidate_counts (
    status      TEXT PRIMARY KEY,
    n           INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO candidate_counts (status, n) SELECT status, count(*) FROM candidates GROUP BY status;

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
