//! Opening a workspace: the file created or refused (a newer schema, someone else's database), the
//! connection's pragmas (WAL, durable commits, page cache), and the schema migrated by
//! `user_version`, append-only. Apart from the rest of the store because it runs once per
//! connection, before any query, and is the only code that changes the schema.

use super::Store;
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
        conn.busy_timeout(super::BUSY_TIMEOUT)?;
        // The version and the tables are read in one read transaction: another mergeq creating
        // the workspace at this moment must not be seen half way (its tables, but version 0).
        conn.execute_batch("BEGIN")?;
        let read = Store::read_version(&conn);
        conn.execute_batch("COMMIT")?;
        let (version, foreign) = read.map_err(|e| match e.downcast_ref::<rusqlite::Error>() {
            Some(rusqlite::Error::SqliteFailure(f, _)) if f.code == rusqlite::ErrorCode::NotADatabase => {
                anyhow::anyhow!(
                    "{name} is not a mergeq workspace (not an SQLite database at all); it was not changed"
                )
            }
            _ => e.context(format!("reading the workspace {name}")),
        })?;
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
        super::queue::register_fold(&conn)?;
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{journal, PageFrom, QueueQuery};

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
