//! Import batches: the row that says which file an import read, by whom and when, and what it
//! changed. Apart from the records and candidates the batches add, which only point at it.

use super::Tx;
use anyhow::Result;

impl Tx<'_> {
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
