//! The workspace: the one owner of SQL. Opens the SQLite file with durable settings, migrates its
//! schema by `user_version`, and runs every write in one `BEGIN IMMEDIATE` transaction.
//! Nothing outside this module writes SQL; engines get and give plain `model` types.

/// A candidate's origins (a JSON array) in SQL over `candidates c`: its own, or, when NULL, those
/// of the batch that added it (a bulk load stores them once, in the batch: schema_narrow.sql).
/// Every read of the origins goes through this.
macro_rules! candidate_origins {
    () => {
        "coalesce(c.origin, (SELECT b.origin FROM batches b WHERE b.id = c.batch_id))"
    };
}

mod bulk;
mod candidate_load;
mod candidates;
mod detect;
mod export;
mod journal;
mod queue;
mod records;

pub use bulk::{BulkPair, BulkRecord};
pub use candidate_load::BulkLoad;
pub use candidates::{CandidateUpsert, NewCandidate, QueueFilter};
pub use detect::{DetectRow, DetectState};
pub use export::{DecisionIndex, DecisionRow, ExportReach, ExportWindow};
pub use journal::{CandidateRow, EntryRef, JournalBatch, JournalEntry, MemberRow};
pub use queue::{PageFrom, QueueKey, QueueOrder, QueueQuery, QueueRow};
pub use records::{EncodedRecord, NewRecord, RecordIndex, RecordRef, RecordUpsert};

use anyhow::{bail, Context, Result};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Append-only: a shipped entry is never edited; new schema goes in a new entry.
const MIGRATIONS: &[&str] = &[
    include_str!("schema.sql"),
    include_str!("schema_journal.sql"),
    include_str!("schema_tui.sql"),
    include_str!("schema_detect.sql"),
    include_str!("schema_export.sql"),
    include_str!("schema_narrow.sql"),
    include_str!("schema_counts.sql"),
    include_str!("schema_approved.sql"),
];

/// The page cache, in KiB (64 MiB; SQLite's default is 2 MiB).
const CACHE_KIB: i64 = 65536;

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// An open workspace.
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
}

/// A write transaction (`BEGIN IMMEDIATE`); dropped without `commit` it rolls back.
pub struct Tx<'a> {
    tx: rusqlite::Transaction<'a>,
    /// Whether any rejected pair exists, once asked (see `has_rejected_pairs`).
    rejected_known: std::cell::Cell<Option<bool>>,
    /// During a buffered bulk load: the member sets it knows and the candidates it will write.
    bulk: std::cell::RefCell<Option<candidate_load::BulkState>>,
    /// The records this transaction added, per object and source: `record_counts` gains them
    /// before the commit.
    new_records: std::cell::RefCell<Vec<(String, String, i64)>>,
}

impl Store {
    /// Opens the workspace at `path`, creating it (and its folder) when it does not exist.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating the folder {}", dir.display()))?;
        }
        let conn =
            Connection::open(path).with_context(|| format!("opening the workspace {}", path.display()))?;
        Store::setup(conn, Some(path.to_path_buf()))
    }

    /// Opens an existing workspace; a missing file is an error that says how to make one.
    pub fn open_existing(path: &Path) -> Result<Store> {
        if !path.exists() {
            bail!("no workspace at {} (create one with `mergeq init` or an import)", path.display());
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .with_context(|| format!("opening the workspace {}", path.display()))?;
        Store::setup(conn, Some(path.to_path_buf()))
    }

    /// A private workspace in memory, for tests and benchmarks of the engines.
    pub fn in_memory() -> Result<Store> {
        Store::setup(Connection::open_in_memory()?, None)
    }

    fn setup(conn: Connection, path: Option<PathBuf>) -> Result<Store> {
        let name = path.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
        conn.busy_timeout(Duration::from_secs(10))?;
        // The version and the tables are read in one read transaction: another mergeq creating
        // the workspace at this moment must not be seen half way (its tables, but version 0).
        conn.execute_batch("BEGIN")?;
        let read = Store::read_version(&conn);
        conn.execute_batch("COMMIT")?;
        let (version, foreign) = read?;
        if version > SCHEMA_VERSION {
            bail!(
                "the workspace {name} was written by a newer mergeq (schema {version}, this build knows {SCHEMA_VERSION}); \
                 it was not changed — upgrade mergeq to open it"
            );
        }
        // A database of someone else's (`--db` pointed at the wrong file) is never adopted: the
        // schema and WAL mode below would change it.
        if version == 0 && !foreign.is_empty() {
            bail!(
                "{name} is an SQLite database but not a mergeq workspace (it holds {}); it was not changed",
                foreign.join(", ")
            );
        }
        // WAL keeps readers (the console) unblocked by a writer; FULL makes each commit durable.
        Store::wal_mode(&conn).with_context(|| format!("{name} is not a mergeq workspace (or is locked)"))?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // A bigger page cache keeps a large import's index pages in memory instead of spilling
        // them to the WAL and reading them back (64 MiB; SQLite's default is 2 MiB).
        conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
        // Index builds after a bulk import may sort on a second thread.
        conn.pragma_update(None, "threads", 2)?;
        queue::register_fold(&conn)?;
        let mut store = Store { conn, path };
        if version > 0 && version < SCHEMA_VERSION {
            // Rebuilding a table of a million candidates takes a while: say why nothing happens.
            eprintln!("upgrading the workspace {name} from schema {version} to {SCHEMA_VERSION} (once)…");
        }
        store.migrate(version)?;
        Ok(store)
    }

    /// Puts the workspace in WAL mode. Switching a new file needs it alone for a moment, and SQLite
    /// does not wait for that (the lock upgrade could deadlock), so while another mergeq is
    /// creating the same workspace the switch is tried again until the busy timeout.
    fn wal_mode(conn: &Connection) -> rusqlite::Result<()> {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            match conn.pragma_update(None, "journal_mode", "WAL") {
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if e.code == rusqlite::ErrorCode::DatabaseBusy
                        && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(Duration::from_millis(10));
                }
                done => return done,
            }
        }
    }

    /// The schema version, and (at version 0) the tables some other program put in the file.
    fn read_version(conn: &Connection) -> Result<(i64, Vec<String>)> {
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version != 0 {
            return Ok((version, Vec::new()));
        }
        let foreign = conn
            .prepare("SELECT name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY name LIMIT 4")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok((version, foreign))
    }

    fn migrate(&mut self, from: i64) -> Result<()> {
        if from == SCHEMA_VERSION {
            return Ok(());
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Another mergeq may have migrated while this one waited for the lock.
        let from: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if from >= SCHEMA_VERSION {
            return Ok(());
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(from as usize) {
            tx.execute_batch(sql).with_context(|| format!("applying migration {}", i + 1))?;
        }
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        tx.commit()?;
        if from > 0 {
            self.compact_after_upgrade()?;
        }
        Ok(())
    }

    /// An upgrade that rebuilt a table leaves the old table's pages free inside the file (a
    /// workspace of a million candidates would double): when over a quarter of the file is free,
    /// it is rewritten once. Best effort: when another mergeq is busy, the free pages simply wait
    /// for later writes to reuse them.
    fn compact_after_upgrade(&mut self) -> Result<()> {
        let free: i64 = self.conn.query_row("PRAGMA freelist_count", [], |r| r.get(0))?;
        let pages: i64 = self.conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
        if free * 4 > pages {
            let _ = self.conn.execute_batch("VACUUM");
        }
        Ok(())
    }

    /// Switches foreign-key enforcement for this connection (takes effect outside a transaction).
    /// Only a bulk import turns it off, for rows whose references it resolved in its own
    /// transaction; it is switched back on as soon as the import ends.
    pub fn set_foreign_keys(&mut self, on: bool) -> Result<()> {
        self.conn.pragma_update(None, "foreign_keys", if on { "ON" } else { "OFF" })?;
        Ok(())
    }

    /// The file behind this workspace, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction: committed if it returns `Ok`, rolled back otherwise.
    pub fn write<T>(&mut self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        let tx = Tx {
            tx: self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .context("the workspace is locked by another mergeq")?,
            rejected_known: Default::default(),
            bulk: Default::default(),
            new_records: Default::default(),
        };
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Like `write`, but `f` decides whether to keep its work (`(value, true)`) or roll it back.
    pub fn write_if<T>(&mut self, f: impl FnOnce(&Tx) -> Result<(T, bool)>) -> Result<T> {
        let tx = Tx {
            tx: self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .context("the workspace is locked by another mergeq")?,
            rejected_known: Default::default(),
            bulk: Default::default(),
            new_records: Default::default(),
        };
        let (out, keep) = f(&tx)?;
        if keep {
            tx.commit()?;
        }
        Ok(out)
    }

    /// Every table's rows as text, in a stable order: tests compare it to prove a failed
    /// command left the workspace as it was.
    pub fn logical_dump(&self) -> Result<String> {
        let mut out = String::new();
        let mut tables = self.conn.prepare(
            "SELECT name, sql FROM sqlite_master WHERE type IN ('table','index','trigger','view') \
             AND name NOT LIKE 'sqlite_%' ORDER BY type, name",
        )?;
        let items: Vec<(String, Option<String>)> =
            tables.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
        let version: i64 = self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        out.push_str(&format!("user_version {version}\n"));
        for (name, sql) in &items {
            out.push_str(&format!("{}\n", sql.as_deref().unwrap_or(name)));
        }
        let names: Vec<String> = self
            .conn
            .prepare("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for name in names {
            out.push_str(&format!("-- {name}\n"));
            let mut stmt = self.conn.prepare(&format!("SELECT * FROM \"{name}\" ORDER BY 1, 2"))?;
            let cols = stmt.column_count();
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let cells: Vec<String> =
                    (0..cols).map(|i| format!("{:?}", row.get_ref(i).map(|v| v.to_owned()).ok())).collect();
                out.push_str(&cells.join("|"));
                out.push('\n');
            }
        }
        Ok(out)
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
}

impl Tx<'_> {
    pub(crate) fn conn(&self) -> &Connection {
        &self.tx
    }

    /// Brings the kept counts up to date, then commits.
    fn commit(self) -> Result<()> {
        self.count_new_records()?;
        self.tx.commit().context("committing to the workspace")
    }

    /// Starts an import batch; its counts are filled in by `finish_batch`.
    pub fn begin_batch(&self, batch: &NewBatch) -> Result<BatchId> {
        self.tx
            .prepare_cached(
                "INSERT INTO batches (kind, file, sha256, format, object, source, at, steward) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(rusqlite::params![
                batch.kind,
                batch.file,
                batch.sha256,
                batch.format,
                batch.object,
                batch.source,
                batch.at,
                batch.steward
            ])?;
        Ok(BatchId(self.tx.last_insert_rowid()))
    }

    /// Records how many rows a batch read and what it changed.
    pub fn finish_batch(&self, id: BatchId, rows: u64, added: u64, changed: u64, sha256: &str) -> Result<()> {
        self.tx.execute(
            "UPDATE batches SET row_count = ?2, added = ?3, changed = ?4, sha256 = ?5 WHERE id = ?1",
            rusqlite::params![id.0, rows as i64, added as i64, changed as i64, sha256],
        )?;
        Ok(())
    }
}

/// The workspace's number for an import batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchId(pub i64);

/// What an import says about itself.
#[derive(Debug, Clone)]
pub struct NewBatch {
    pub kind: String,
    pub file: String,
    pub sha256: String,
    pub format: String,
    pub object: Option<String>,
    pub source: Option<String>,
    pub at: String,
    pub steward: String,
}

impl NewBatch {
    /// A batch of `kind` read from `file` in `format`, of no one object or source (yet).
    pub fn new(kind: &str, file: &str, format: &str, at: &str, steward: &str) -> NewBatch {
        NewBatch {
            kind: kind.into(),
            file: file.into(),
            sha256: String::new(),
            format: format.into(),
            object: None,
            source: None,
            at: at.into(),
            steward: steward.into(),
        }
    }
}

/// Counts of a workspace's contents, for messages and the dashboard.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub records: i64,
    pub candidates: i64,
    pub pending: i64,
    pub approved: i64,
    pub rejected: i64,
    pub deferred: i64,
}

impl Store {
    /// How many records and candidates (by status) the workspace holds, from the kept counts.
    pub fn counts(&self) -> Result<Counts> {
        let records =
            self.conn.query_row("SELECT coalesce(sum(n), 0) FROM record_counts", [], |r| r.get(0))?;
        let mut counts = Counts { records, ..Counts::default() };
        let mut stmt = self.conn.prepare("SELECT status, sum(n) FROM candidate_counts GROUP BY status")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        for row in rows {
            let (status, n) = row?;
            counts.candidates += n;
            match status.as_str() {
                "pending" => counts.pending = n,
                "approved" => counts.approved = n,
                "rejected" => counts.rejected = n,
                _ => counts.deferred = n,
            }
        }
        Ok(counts)
    }
}

/// The dashboard's figures: records by object and source, candidates by object and status.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Stats {
    pub records: i64,
    pub records_by_source: Vec<(String, String, i64)>,
    pub candidates: i64,
    pub candidates_by_status: Vec<(String, String, i64)>,
    pub decided: i64,
    pub approved: i64,
    pub rejected: i64,
    pub deferred: i64,
    pub pending: i64,
    pub mean_pending_score: Option<f64>,
    /// Approved candidates that share a record with another approved one (a merge plan carries
    /// only the earlier of each such pair).
    pub approved_sharing: i64,
}

impl Stats {
    /// What `mergeq stats` and the dashboard say of approved candidates sharing records, if any.
    pub fn approved_sharing_note(&self) -> Option<String> {
        let count = match self.approved_sharing {
            0 => return None,
            1 => "1 approved candidate shares".to_string(),
            n => format!("{n} approved candidates share"),
        };
        Some(format!("{count} records: a merge plan carries the earlier of each"))
    }
}

impl Store {
    /// Figures for `mergeq stats` and the console's dashboard.
    pub fn stats(&self) -> Result<Stats> {
        let counts = self.counts()?;
        let triples = |sql: &str| -> Result<Vec<(String, String, i64)>> {
            let mut stmt = self.conn.prepare(sql)?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        Ok(Stats {
            records: counts.records,
            records_by_source: triples(
                "SELECT object, source, n FROM record_counts WHERE n > 0 ORDER BY object, source",
            )?,
            candidates: counts.candidates,
            candidates_by_status: triples(
                "SELECT object, status, n FROM candidate_counts WHERE n > 0 ORDER BY object, status",
            )?,
            decided: counts.approved + counts.rejected + counts.deferred,
            approved: counts.approved,
            rejected: counts.rejected,
            deferred: counts.deferred,
            pending: counts.pending,
            mean_pending_score: self.conn.query_row(
                "SELECT avg(score) FROM candidates WHERE status = 'pending'",
                [],
                |r| r.get(0),
            )?,
            approved_sharing: self.conn.query_row(
                "SELECT count(DISTINCT candidate_id) FROM approved_members WHERE record_id IN \
                 (SELECT record_id FROM approved_members GROUP BY record_id HAVING count(*) > 1)",
                [],
                |r| r.get(0),
            )?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two commands opening an old workspace together: the one that waited for the lock finds
    /// the schema already migrated and does not apply the migrations again.
    #[test]
    fn a_migration_done_while_waiting_for_the_lock_is_not_applied_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ws.mergeq");
        drop(Store::open(&path).unwrap());
        // This one read the version (5, say) before the other finished migrating.
        let mut late = Store { conn: Connection::open(&path).unwrap(), path: Some(path.clone()) };
        late.migrate(SCHEMA_VERSION - 1).unwrap();
        let version: i64 = late.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, SCHEMA_VERSION);
    }

    /// Upgrading a workspace whose candidates table is rebuilt leaves no file twice its size.
    #[test]
    fn an_upgrade_that_rebuilds_a_table_gives_its_pages_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.mergeq");
        let conn = Connection::open(&path).unwrap();
        for sql in &MIGRATIONS[..5] {
            conn.execute_batch(sql).unwrap();
        }
        conn.execute_batch(
            "PRAGMA user_version = 5;
             INSERT INTO records (id, object, source, ext_id, fields) VALUES (1, 'c', 's', 'a', '{}');
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
             INSERT INTO candidates (object, member_key, member_versions, size, score, origin, reasons, created_at)
                 SELECT 'c', '1,' || (i + 1), '1,1', 2, 0.5, '[\"splink\"]', '[{\"text\":\"a reason of some length\"}]',
                        '2026-01-01T00:00:00Z' FROM n;",
        )
        .unwrap();
        drop(conn);
        let store = Store::open_existing(&path).unwrap();
        let free: i64 = store.conn.query_row("PRAGMA freelist_count", [], |r| r.get(0)).unwrap();
        let pages: i64 = store.conn.query_row("PRAGMA page_count", [], |r| r.get(0)).unwrap();
        assert!(free * 4 <= pages, "{free} of {pages} pages free after the upgrade");
        let n: i64 = store.conn.query_row("SELECT count(*) FROM candidates", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 20_000);
    }

    /// The approved-members migration fills the table from the candidates approved before it
    /// (pairs and clusters), and the store keeps it from then on.
    #[test]
    fn approved_members_migration_holds_the_approved_candidates() {
        let conn = Connection::open_in_memory().unwrap();
        for sql in &MIGRATIONS[..7] {
            conn.execute_batch(sql).unwrap();
        }
        conn.execute_batch(
            "PRAGMA user_version = 7;
             INSERT INTO records (id, object, source, ext_id, fields) VALUES
                 (1, 'contact', 's', 'a', '{}'), (2, 'contact', 's', 'b', '{}'), (3, 'contact', 's', 'c', '{}'),
                 (14, 'contact', 's', 'd', '{}');
             INSERT INTO candidates (id, object, member_key, member_versions, size, score, status, origin,
                                     reasons, created_at) VALUES
                 (1, 'contact', '1,2', '1,1', 2, 0.9, 'approved', '[]', '[]', 't'),
                 (2, 'contact', '2,3,14', '1,1,1', 3, 0.8, 'approved', '[]', '[]', 't'),
                 (3, 'contact', '3,14', '1,1', 2, 0.7, 'pending', '[]', '[]', 't');",
        )
        .unwrap();
        let mut store = Store::setup(conn, None).unwrap();
        fn sharing(store: &mut Store, c: i64, members: &[i64]) -> Vec<(i64, i64)> {
            let found = journal::sharing(store.conn(), crate::model::CandidateId(c), members).unwrap();
            found.into_iter().map(|(r, c)| (r, c.0)).collect()
        }
        assert_eq!(sharing(&mut store, 1, &[1, 2]), [(2, 2)], "record 2 is in the approved cluster");
        assert_eq!(sharing(&mut store, 3, &[3, 14]), [(3, 2), (14, 2)], "a pending pair inside the cluster");
        assert_eq!(sharing(&mut store, 9, &[1, 2, 3, 14]), [(1, 1), (2, 1), (2, 2), (3, 2), (14, 2)]);
        // Kept from then on: the cluster rejected, its records leave the table.
        store
            .write(|tx| {
                tx.set_candidate_status(
                    crate::model::CandidateId(2),
                    crate::model::Status::Rejected,
                    &[2, 3, 14],
                )
            })
            .unwrap();
        assert_eq!(sharing(&mut store, 9, &[1, 2, 3, 14]), [(1, 1), (2, 1)]);
    }

    /// A workspace written by the build before the narrow-candidates migration keeps every
    /// candidate, with its own origin and time, and its indexes and counting triggers.
    #[test]
    fn narrow_candidates_migration_keeps_what_was_there() {
        let conn = Connection::open_in_memory().unwrap();
        for sql in &MIGRATIONS[..5] {
            conn.execute_batch(sql).unwrap();
        }
        conn.execute_batch(
            "PRAGMA user_version = 5;
             INSERT INTO records (id, object, source, ext_id, fields) VALUES
                 (1, 'contact', 's', 'a', '{}'), (2, 'contact', 's', 'b', '{}'), (3, 'contact', 's', 'c', '{}');
             INSERT INTO candidates (object, member_key, member_versions, size, score, status, origin,
                                     reasons, created_at)
                 VALUES ('contact', '1,2', '1,1', 2, 0.9, 'approved', '[\"splink\"]', '[]', '2026-01-01T00:00:00Z');",
        )
        .unwrap();
        let store = Store::setup(conn, None).unwrap();
        let c = store.candidate(crate::model::CandidateId(1)).unwrap().unwrap();
        assert_eq!(
            (c.origin, c.score, c.status),
            (vec!["splink".to_string()], 0.9, crate::model::Status::Approved)
        );
        let page = store.queue_page(&QueueQuery::default(), PageFrom::Start, 5).unwrap();
        assert_eq!(page[0].created_at, "2026-01-01T00:00:00Z");
        let dump = store.logical_dump().unwrap();
        for name in [
            "candidates_by_members",
            "candidates_by_status_score",
            "candidates_decided_by_id",
            "candidates_pending_by_id",
            "candidate_counts_insert",
            "candidate_counts_update",
            "candidate_counts_delete",
        ] {
            assert!(dump.contains(name), "{name} after the migration");
        }
        store
            .conn()
            .execute_batch(
                "INSERT INTO candidates (object, member_key, member_versions, size, score, origin, reasons,
                                         created_at) VALUES ('contact', '2,3', '1,1', 2, 0.5, '[]', '[]', 't');
                 UPDATE candidates SET status = 'rejected' WHERE id = 1;",
            )
            .unwrap();
        let counts: Vec<(String, i64)> = store
            .conn()
            .prepare("SELECT status, sum(n) FROM candidate_counts GROUP BY status ORDER BY status")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let expected = [("approved", 0), ("pending", 1), ("rejected", 1)].map(|(s, n)| (s.to_string(), n));
        assert_eq!(counts, expected, "the counts kept through the rebuild, then followed");
        let stats = store.stats().unwrap();
        assert_eq!(
            stats.records_by_source,
            [("contact".to_string(), "s".to_string(), 3)],
            "counted by the upgrade"
        );
        assert_eq!(
            stats.candidates_by_status,
            [("contact", "pending", 1), ("contact", "rejected", 1)].map(|(o, s, n)| (
                o.to_string(),
                s.to_string(),
                n
            ))
        );
        let err = store
            .conn()
            .execute(
                "INSERT INTO candidates (object, member_key, member_versions, size, score, reasons)
                 VALUES ('contact', '1,3', '1,1', 2, 0.5, '[]')",
                [],
            )
            .unwrap_err();
        assert!(err.to_string().contains("CHECK"), "no origin and no batch to take it from: {err}");
    }
}
