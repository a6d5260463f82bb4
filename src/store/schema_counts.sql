-- Migration (counts by object): the dashboard and `mergeq stats` show records by object and
-- source and candidates by object and status. Counted with GROUP BY, those took seconds at a
-- million candidates (every row read); kept as counts they are a read of a few rows.

-- Records per object and source. Kept by the store, which counts the records an import adds and
-- writes the counts before its commit (a trigger per row would add 40% to a large records
-- import). Records are never deleted and never change object or source.
CREATE TABLE record_counts (
    object      TEXT NOT NULL,
    source      TEXT NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (object, source)
) WITHOUT ROWID;
INSERT INTO record_counts (object, source, n)
    SELECT object, source, count(*) FROM records GROUP BY object, source;

-- Candidates per object and status (was per status), kept by triggers as before.
DROP TRIGGER candidate_counts_insert;
DROP TRIGGER candidate_counts_update;
DROP TRIGGER candidate_counts_delete;
DROP TABLE candidate_counts;
CREATE TABLE candidate_counts (
    object      TEXT NOT NULL,
    status      TEXT NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (object, status)
) WITHOUT ROWID;
INSERT INTO candidate_counts (object, status, n)
    SELECT object, status, count(*) FROM candidates GROUP BY object, status;

CREATE TRIGGER candidate_counts_insert AFTER INSERT ON candidates BEGIN
    INSERT INTO candidate_counts (object, status, n) VALUES (NEW.object, NEW.status, 1)
        ON CONFLICT (object, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER candidate_counts_update AFTER UPDATE OF status ON candidates
WHEN OLD.status IS NOT NEW.status BEGIN
    UPDATE candidate_counts SET n = n - 1 WHERE object = OLD.object AND status = OLD.status;
    INSERT INTO candidate_counts (object, status, n) VALUES (NEW.object, NEW.status, 1)
        ON CONFLICT (object, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER candidate_counts_delete AFTER DELETE ON candidates BEGIN
    UPDATE candidate_counts SET n = n - 1 WHERE object = OLD.object AND status = OLD.status;
END;
