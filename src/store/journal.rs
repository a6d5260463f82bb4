//! The journal's SQL: appending entries (never changing them), reading them back in order, and the
//! candidate reads and writes a decision makes inside its own transaction (status, rejected pairs).
//! Hashing and meaning live in `crate::journal`; this file only moves rows.

mod candidate_state;
mod derived_state;

/// For the approved-members migration test in `open`.
#[cfg(test)]
pub(super) use candidate_state::sharing;
pub use candidate_state::{CandidateRow, MemberRow};

use super::{Store, Tx};
use crate::journal::encoding::{check_body, Action};
use crate::model::CandidateId;
use anyhow::{bail, Context, Result};
use rusqlite::{params, Connection, OptionalExtension, Row};

/// One journal entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct JournalEntry {
    pub seq: i64,
    pub at: String,
    pub steward: String,
    pub action: String,
    pub candidate: Option<i64>,
    /// Canonical JSON text.
    pub body: String,
    pub prev_hash: String,
    pub hash: String,
    pub signature: Option<String>,
    pub public_key: Option<String>,
}

/// One journal entry borrowed from a `JournalBatch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryRef<'a> {
    pub seq: i64,
    pub at: &'a str,
    pub steward: &'a str,
    pub action: &'a str,
    pub candidate: Option<i64>,
    pub body: &'a str,
    pub prev_hash: &'a str,
    pub hash: &'a str,
    pub signature: Option<&'a str>,
    pub public_key: Option<&'a str>,
}

impl JournalEntry {
    pub fn as_ref(&self) -> EntryRef<'_> {
        EntryRef {
            seq: self.seq,
            at: &self.at,
            steward: &self.steward,
            action: &self.action,
            candidate: self.candidate,
            body: &self.body,
            prev_hash: &self.prev_hash,
            hash: &self.hash,
            signature: self.signature.as_deref(),
            public_key: self.public_key.as_deref(),
        }
    }
}

/// Consecutive journal entries read in one go into one text buffer, so that reading a long journal
/// allocates per batch rather than per field (`audit verify` reads a million entries).
#[derive(Debug, Default)]
pub struct JournalBatch {
    text: String,
    rows: Vec<BatchRow>,
}

/// One row of a batch: seq, candidate, and where each text column lies in the batch's text.
type BatchRow = (i64, Option<i64>, [(u32, u32); 8]);

/// The text columns a batch keeps, in `ENTRY_COLUMNS` order after seq (candidate is not text).
const TEXT_COLUMNS: [usize; 8] = [1, 2, 3, 5, 6, 7, 8, 9];
/// Marks a NULL text column.
const NULL_SPAN: (u32, u32) = (u32::MAX, 0);

impl JournalBatch {
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn push(&mut self, r: &Row) -> Result<()> {
        let mut spans = [NULL_SPAN; 8];
        for (span, col) in spans.iter_mut().zip(TEXT_COLUMNS) {
            if let Some(text) = r.get_ref(col)?.as_str_or_null()? {
                let start = self.text.len() as u32;
                self.text.push_str(text);
                *span = (start, self.text.len() as u32);
            }
        }
        self.rows.push((r.get(0)?, r.get(4)?, spans));
        Ok(())
    }

    /// The entries, in order.
    pub fn iter(&self) -> impl Iterator<Item = EntryRef<'_>> {
        self.rows.iter().map(|(seq, candidate, spans)| {
            let text = |i: usize| -> Option<&str> {
                let (a, b) = spans[i];
                (a != u32::MAX).then(|| &self.text[a as usize..b as usize])
            };
            EntryRef {
                seq: *seq,
                at: text(0).unwrap_or(""),
                steward: text(1).unwrap_or(""),
                action: text(2).unwrap_or(""),
                candidate: *candidate,
                body: text(3).unwrap_or(""),
                prev_hash: text(4).unwrap_or(""),
                hash: text(5).unwrap_or(""),
                signature: text(6),
                public_key: text(7),
            }
        })
    }
}

const ENTRY_COLUMNS: &str =
    "seq, at, steward, action, candidate, body, prev_hash, hash, signature, public_key";

fn entry_from_row(r: &Row) -> rusqlite::Result<JournalEntry> {
    Ok(JournalEntry {
        seq: r.get(0)?,
        at: r.get(1)?,
        steward: r.get(2)?,
        action: r.get(3)?,
        candidate: r.get(4)?,
        body: r.get(5)?,
        prev_hash: r.get(6)?,
        hash: r.get(7)?,
        signature: r.get(8)?,
        public_key: r.get(9)?,
    })
}

fn head(conn: &Connection) -> Result<Option<(i64, String)>> {
    Ok(conn
        .prepare_cached("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

fn entry(conn: &Connection, seq: i64) -> Result<Option<JournalEntry>> {
    let sql = format!("SELECT {ENTRY_COLUMNS} FROM journal WHERE seq = ?1");
    Ok(conn.prepare_cached(&sql)?.query_row([seq], entry_from_row).optional()?)
}

/// The latest entry naming candidate `id` (its latest decision or undo).
fn latest_of_candidate(conn: &Connection, id: CandidateId) -> Result<Option<JournalEntry>> {
    let sql = format!("SELECT {ENTRY_COLUMNS} FROM journal WHERE candidate = ?1 ORDER BY seq DESC LIMIT 1");
    Ok(conn.prepare_cached(&sql)?.query_row([id.0], entry_from_row).optional()?)
}

fn last_of(conn: &Connection, action: Action) -> Result<Option<JournalEntry>> {
    let sql = format!("SELECT {ENTRY_COLUMNS} FROM journal WHERE action = ?1 ORDER BY seq DESC LIMIT 1");
    Ok(conn.prepare_cached(&sql)?.query_row([action.as_str()], entry_from_row).optional()?)
}

impl Tx<'_> {
    /// The last entry's sequence number and hash, or `None` for an empty journal.
    pub fn journal_head(&self) -> Result<Option<(i64, String)>> {
        head(self.conn())
    }

    /// Appends one entry exactly as given. The caller (`journal`) has chained and hashed it; this
    /// refuses a decision that does not name its member versions, whatever the caller did.
    pub fn insert_journal_entry(&self, e: &JournalEntry) -> Result<()> {
        let action =
            Action::parse(&e.action).with_context(|| format!("unknown journal action `{}`", e.action))?;
        let body: serde_json::Value = serde_json::from_str(&e.body).context("a journal body must be JSON")?;
        check_body(action, e.candidate, &body)?;
        if let Some((seq, hash)) = self.journal_head()? {
            if e.seq != seq + 1 || e.prev_hash != hash {
                bail!("journal entry {} does not follow the head (entry {seq})", e.seq);
            }
        } else if e.seq != 1 {
            bail!("the first journal entry must be number 1, not {}", e.seq);
        }
        let sql =
            format!("INSERT INTO journal ({ENTRY_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
        self.conn().prepare_cached(&sql)?.execute(params![
            e.seq,
            e.at,
            e.steward,
            e.action,
            e.candidate,
            e.body,
            e.prev_hash,
            e.hash,
            e.signature,
            e.public_key
        ])?;
        Ok(())
    }

    pub fn journal_entry(&self, seq: i64) -> Result<Option<JournalEntry>> {
        entry(self.conn(), seq)
    }

    /// The time of entry `seq` as stored (the next entry is stamped no earlier).
    pub fn journal_at(&self, seq: i64) -> Result<Option<String>> {
        Ok(self
            .conn()
            .prepare_cached("SELECT at FROM journal WHERE seq = ?1")?
            .query_row([seq], |r| r.get(0))
            .optional()?)
    }

    /// The latest entry of one action (the last sign-off, …).
    pub fn last_journal_entry(&self, action: Action) -> Result<Option<JournalEntry>> {
        last_of(self.conn(), action)
    }

    /// The first sign-off made with `public_key` (hex) by another steward than `steward`: its
    /// entry and that steward.
    pub fn signoff_by_other(&self, public_key: &str, steward: &str) -> Result<Option<(i64, String)>> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT seq, steward FROM journal WHERE action = 'signoff' \
                 AND json_extract(body, '$.public_key') = ?1 AND steward <> ?2 ORDER BY seq LIMIT 1",
            )?
            .query_row(params![public_key, steward], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    /// The public key (hex) of `steward`'s latest sign-off, with its entry.
    pub fn last_signoff_key_of(&self, steward: &str) -> Result<Option<(i64, String)>> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT seq, public_key FROM journal WHERE action = 'signoff' AND steward = ?1 \
                 ORDER BY seq DESC LIMIT 1",
            )?
            .query_row([steward], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    /// How many entries of each action follow `after_seq`.
    pub fn journal_counts_after(&self, after_seq: i64) -> Result<Vec<(String, i64)>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT action, count(*) FROM journal WHERE seq > ?1 GROUP BY action ORDER BY action",
        )?;
        let rows = stmt.query_map([after_seq], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The candidates whose approvals the approval at entry `seq` replaced: the undos that name it
    /// in `superseded_by`, written right after it in its transaction.
    pub fn replaced_by(&self, seq: i64) -> Result<Vec<CandidateId>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT action, candidate, json_extract(body, '$.superseded_by.entry') FROM journal \
             WHERE seq > ?1 ORDER BY seq",
        )?;
        let mut rows = stmt.query([seq])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let (action, candidate, by): (String, Option<i64>, Option<i64>) =
                (r.get(0)?, r.get(1)?, r.get(2)?);
            match (action.as_str(), candidate, by) {
                // One approved twice was undone twice: named once.
                ("undo", Some(c), Some(by)) if by == seq => {
                    if !out.contains(&CandidateId(c)) {
                        out.push(CandidateId(c));
                    }
                }
                _ => break,
            }
        }
        Ok(out)
    }

    /// Decision and undo entries, newest first, of one candidate or of all; `f` returns false to stop.
    pub fn walk_decisions_back(
        &self,
        candidate: Option<CandidateId>,
        mut f: impl FnMut(&JournalEntry) -> Result<bool>,
    ) -> Result<()> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM journal WHERE action IN ('approve', 'reject', 'defer', 'undo') \
             AND (?1 IS NULL OR candidate = ?1) ORDER BY seq DESC"
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let mut rows = stmt.query([candidate.map(|c| c.0)])?;
        while let Some(row) = rows.next()? {
            if !f(&entry_from_row(row)?)? {
                break;
            }
        }
        Ok(())
    }
}

impl Store {
    /// The last entry's sequence number and hash, or `None` for an empty journal.
    pub fn journal_head(&self) -> Result<Option<(i64, String)>> {
        head(self.conn())
    }

    pub fn journal_entry(&self, seq: i64) -> Result<Option<JournalEntry>> {
        entry(self.conn(), seq)
    }

    /// The latest entry of one action (the last sign-off, the last export, …).
    pub fn last_journal_entry(&self, action: Action) -> Result<Option<JournalEntry>> {
        last_of(self.conn(), action)
    }

    /// The head the last append recorded (sequence number and hash; 0 and zeros when empty), or
    /// `None` when its row is gone (only an edit outside mergeq removes it).
    pub fn recorded_journal_head(&self) -> Result<Option<(i64, String)>> {
        Ok(self
            .conn()
            .query_row("SELECT seq, hash FROM journal_head WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    /// Calls `f` on every entry from `from_seq` on, in order, without holding them all in memory.
    pub fn scan_journal(&self, from_seq: i64, mut f: impl FnMut(JournalEntry) -> Result<()>) -> Result<()> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM journal WHERE seq >= ?1 ORDER BY seq");
        let mut stmt = self.conn().prepare(&sql)?;
        let mut rows = stmt.query([from_seq])?;
        while let Some(row) = rows.next()? {
            f(entry_from_row(row)?)?;
        }
        Ok(())
    }

    /// Hands every entry from `from_seq` on to `f` in batches of up to `rows` entries, in order.
    pub fn scan_journal_batches(
        &self,
        from_seq: i64,
        rows: usize,
        mut f: impl FnMut(JournalBatch) -> Result<()>,
    ) -> Result<()> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM journal WHERE seq >= ?1 ORDER BY seq");
        let mut stmt = self.conn().prepare(&sql)?;
        let mut cursor = stmt.query([from_seq])?;
        let mut batch = JournalBatch::default();
        while let Some(row) = cursor.next()? {
            batch.push(row)?;
            if batch.len() == rows {
                // The next batch is probably about as long: size it once rather than regrow it.
                let next = JournalBatch {
                    text: String::with_capacity(batch.text.len() + batch.text.len() / 4),
                    rows: Vec::with_capacity(rows),
                };
                f(std::mem::replace(&mut batch, next))?;
            }
        }
        if !batch.is_empty() {
            f(batch)?;
        }
        Ok(())
    }

    /// Candidate `id`'s latest decision or undo (the entry a `seen` token names).
    pub fn latest_entry_of_candidate(&self, id: CandidateId) -> Result<Option<JournalEntry>> {
        latest_of_candidate(self.conn(), id)
    }

    /// The entries about one candidate (its decisions and undos), oldest first.
    pub fn journal_of_candidate(&self, id: CandidateId) -> Result<Vec<JournalEntry>> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM journal WHERE candidate = ?1 ORDER BY seq");
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map([id.0], entry_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
