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

mod batches;
mod bulk;
mod candidate_load;
mod candidates;
mod detect;
mod export;
mod journal;
mod open;
mod queue;
mod records;
mod stats;

pub use batches::{BatchId, NewBatch};
pub use bulk::{BulkPair, BulkRecord};
pub use candidate_load::BulkLoad;
pub use candidates::{CandidateUpsert, NewCandidate, QueueFilter};
pub use detect::{DetectRow, DetectState};
pub use export::{DecisionIndex, DecisionRow, ExportReach, ExportWindow};
pub use journal::{CandidateRow, EntryRef, JournalBatch, JournalEntry, MemberRow};
pub use open::SCHEMA_VERSION;
pub use queue::{PageFrom, QueueKey, QueueOrder, QueueQuery, QueueRow};
pub use records::{EncodedRecord, NewRecord, RecordIndex, RecordRef, RecordUpsert, RecordWrite};
pub use stats::{Counts, Stats};

use anyhow::{Context, Result};
use rusqlite::{Connection, TransactionBehavior};
use std::path::{Path, PathBuf};

/// How long a write waits for another program's write to end before giving up.
pub const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

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

/// Why a write could not begin. Busy: another program held the write lock through the whole
/// busy timeout; said plainly, since SQLite's own text ("database is locked: Error code 5")
/// tells a steward nothing about what to do.
fn begin_failed(e: rusqlite::Error) -> anyhow::Error {
    match e.sqlite_error_code() {
        // No figure for the wait: the console waits less long than the command line.
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => anyhow::anyhow!(
            "the workspace is busy: another program is writing to it; nothing was written, try again"
        ),
        _ => anyhow::Error::new(e).context("cannot begin writing to the workspace"),
    }
}

impl Store {
    /// The file behind this workspace, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction: committed if it returns `Ok`, rolled back otherwise.
    pub fn write<T>(&mut self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        let tx = Tx {
            tx: self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(begin_failed)?,
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
            tx: self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(begin_failed)?,
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
}
