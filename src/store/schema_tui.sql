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
