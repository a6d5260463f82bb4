-- Migration (approved members): which approved candidates hold each record, so that approving a
-- candidate can say at once when one of its records is in another approved candidate (a CRM
-- merges a record once: a merge plan carries only the earlier of the two). Kept by the store as
-- the journal sets statuses.
CREATE TABLE approved_members (
    record_id    INTEGER NOT NULL REFERENCES records(id),
    candidate_id INTEGER NOT NULL REFERENCES candidates(id),
    PRIMARY KEY (record_id, candidate_id)
) WITHOUT ROWID;

-- The members of the candidates approved before this migration, from their member keys
-- (record ids joined by ',').
WITH RECURSIVE split(candidate_id, record_id, rest) AS (
    SELECT id, NULL, member_key || ',' FROM candidates WHERE status = 'approved'
    UNION ALL
    SELECT candidate_id, CAST(substr(rest, 1, instr(rest, ',') - 1) AS INTEGER),
           substr(rest, instr(rest, ',') + 1)
    FROM split WHERE rest <> ''
)
INSERT INTO approved_members (record_id, candidate_id)
    SELECT record_id, candidate_id FROM split WHERE record_id IS NOT NULL;
