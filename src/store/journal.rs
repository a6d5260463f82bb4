//! The journal's SQL: appending entries (never changing them), reading them back in order, and the
//! candidate reads and writes a decision makes inside its own transaction (status, rejected pairs).
//! Hashing and meaning live in `crate::journal`; this file only moves rows.

use super::records::record_from_row;
use super::{Store, Tx};
use crate::journal::encoding::{check_body, Action};
use crate::model::{CandidateId, Fields, Record, RecordKey, Status};
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

/// A candidate's own row, as a decision reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateRow {
    pub id: CandidateId,
    pub object: String,
    pub score: f64,
    pub status: Status,
}

/// A member record with the workspace's row id (rejected pairs are kept by row id).
#[derive(Debug, Clone, PartialEq)]
pub struct MemberRow {
    pub rowid: i64,
    pub record: Record,
    /// The version the record had when the candidate was proposed.
    pub proposed_version: i64,
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

fn last_of(conn: &Connection, action: Action) -> Result<Option<JournalEntry>> {
    let sql = format!("SELECT {ENTRY_COLUMNS} FROM journal WHERE action = ?1 ORDER BY seq DESC LIMIT 1");
    Ok(conn.prepare_cached(&sql)?.query_row([action.as_str()], entry_from_row).optional()?)
}

/// A candidate's inline member list: (record row id, version when proposed).
fn member_list(key: &str, versions: &str) -> Vec<(i64, i64)> {
    key.split(',')
        .zip(versions.split(','))
        .filter_map(|(k, v)| Some((k.parse().ok()?, v.parse().ok()?)))
        .collect()
}

fn members(conn: &Connection, id: CandidateId) -> Result<Vec<MemberRow>> {
    let inline: Option<(String, String)> = conn
        .prepare_cached("SELECT member_key, member_versions FROM candidates WHERE id = ?1")?
        .query_row([id.0], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((key, versions)) = inline else { return Ok(Vec::new()) };
    let mut stmt = conn.prepare_cached("SELECT * FROM records WHERE id = ?1")?;
    let mut out = Vec::new();
    for (rowid, proposed_version) in member_list(&key, &versions) {
        let record = stmt.query_row([rowid], record_from_row)?;
        out.push(MemberRow { rowid, record, proposed_version });
    }
    // Key order: the order of `seen` tokens.
    out.sort_by(|a, b| a.record.key.cmp(&b.record.key));
    Ok(out)
}

/// The records of candidate `id` that other approved candidates hold, by key, with those
/// candidates. Only the records found are read (a review opens with no other read of them).
fn sharing_of(conn: &Connection, id: CandidateId) -> Result<Vec<(RecordKey, CandidateId)>> {
    let inline: Option<(String, String)> = conn
        .prepare_cached("SELECT member_key, member_versions FROM candidates WHERE id = ?1")?
        .query_row([id.0], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((key, versions)) = inline else { return Ok(Vec::new()) };
    let rowids: Vec<i64> = member_list(&key, &versions).into_iter().map(|(rowid, _)| rowid).collect();
    let mut key_of = conn.prepare_cached("SELECT source, ext_id FROM records WHERE id = ?1")?;
    sharing(conn, id, &rowids)?
        .into_iter()
        .map(|(rowid, other)| {
            let key = key_of
                .query_row([rowid], |r| Ok(RecordKey::new(r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            Ok((key, other))
        })
        .collect()
}

/// The other approved candidates that hold any of `members` (record ids): (record id, candidate).
pub(super) fn sharing(
    conn: &Connection,
    id: CandidateId,
    members: &[i64],
) -> Result<Vec<(i64, CandidateId)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT candidate_id FROM approved_members WHERE record_id = ?1 AND candidate_id <> ?2 \
         ORDER BY candidate_id",
    )?;
    let mut out = Vec::new();
    for record in members {
        for other in stmt.query_map(params![record, id.0], |r| r.get::<_, i64>(0))? {
            out.push((*record, CandidateId(other?)));
        }
    }
    Ok(out)
}

fn fields_at(conn: &Connection, rowid: i64, version: i64) -> Result<Option<Fields>> {
    let text: Option<String> = conn
        .prepare_cached(
            "SELECT fields FROM record_history WHERE record_id = ?1 AND version = ?2 \
             UNION ALL SELECT fields FROM records WHERE id = ?1 AND version = ?2",
        )?
        .query_row([rowid, version], |r| r.get(0))
        .optional()?;
    Ok(text.map(|t| serde_json::from_str(&t).unwrap_or_default()))
}

fn pair(a: i64, b: i64) -> (i64, i64) {
    if a < b {
        (a, b)
    } else {
        (b, a)
    }
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

    /// The latest entry of one action (the last sign-off, …).
    pub fn last_journal_entry(&self, action: Action) -> Result<Option<JournalEntry>> {
        last_of(self.conn(), action)
    }

    /// How many entries of each action follow `after_seq`.
    pub fn journal_counts_after(&self, after_seq: i64) -> Result<Vec<(String, i64)>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT action, count(*) FROM journal WHERE seq > ?1 GROUP BY action ORDER BY action",
        )?;
        let rows = stmt.query_map([after_seq], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
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

    /// A candidate's own row, or `None` when there is no such candidate.
    pub fn candidate_row(&self, id: CandidateId) -> Result<Option<CandidateRow>> {
        let row = self
            .conn()
            .prepare_cached("SELECT object, score, status FROM candidates WHERE id = ?1")?
            .query_row([id.0], |r| Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?, r.get::<_, String>(2)?)))
            .optional()?;
        let Some((object, score, status)) = row else { return Ok(None) };
        let status = Status::parse(&status).context("unknown status in workspace")?;
        Ok(Some(CandidateRow { id, object, score, status }))
    }

    /// A candidate's members as they are now, in key order (the order of `seen` tokens).
    pub fn candidate_member_rows(&self, id: CandidateId) -> Result<Vec<MemberRow>> {
        members(self.conn(), id)
    }

    /// The fields a record had at a version (`None` when that version is not kept).
    pub fn record_fields_at_version(&self, rowid: i64, version: i64) -> Result<Option<Fields>> {
        fields_at(self.conn(), rowid, version)
    }

    /// Sets a candidate's status (its members' record ids given): only the journal calls this, in
    /// the transaction of its entry. Keeps `approved_members` in step.
    pub fn set_candidate_status(&self, id: CandidateId, status: Status, members: &[i64]) -> Result<()> {
        let conn = self.conn();
        let n = conn
            .prepare_cached("UPDATE candidates SET status = ?2 WHERE id = ?1")?
            .execute(params![id.0, status.as_str()])?;
        if n != 1 {
            bail!("no candidate {id}");
        }
        let sql = match status {
            Status::Approved => {
                "INSERT OR IGNORE INTO approved_members (record_id, candidate_id) VALUES (?1, ?2)"
            }
            _ => "DELETE FROM approved_members WHERE record_id = ?1 AND candidate_id = ?2",
        };
        let mut stmt = conn.prepare_cached(sql)?;
        for record in members {
            stmt.execute(params![record, id.0])?;
        }
        Ok(())
    }

    /// The records of candidate `id` that other approved candidates hold too, with those
    /// candidates (a CRM merges a record once).
    pub fn approved_sharing_of(&self, id: CandidateId) -> Result<Vec<(RecordKey, CandidateId)>> {
        sharing_of(self.conn(), id)
    }

    /// Remembers every pair of these records as not duplicates.
    pub fn add_rejected_pairs(&self, rowids: &[i64]) -> Result<()> {
        let mut stmt =
            self.conn().prepare_cached("INSERT OR IGNORE INTO rejected_pairs (a, b) VALUES (?1, ?2)")?;
        for (i, x) in rowids.iter().enumerate() {
            for y in &rowids[i + 1..] {
                if x != y {
                    let (a, b) = pair(*x, *y);
                    stmt.execute([a, b])?;
                }
            }
        }
        Ok(())
    }

    /// Forgets the pairs of these records that no candidate now standing as rejected still covers.
    pub fn remove_uncovered_rejected_pairs(&self, rowids: &[i64]) -> Result<()> {
        let conn = self.conn();
        // Members are inline ("3,17,42"): a rejected candidate covers the pair when both ids are in it.
        let mut covered = conn.prepare_cached(
            "SELECT 1 FROM candidates WHERE status = 'rejected' \
             AND ',' || member_key || ',' LIKE '%,' || ?1 || ',%' \
             AND ',' || member_key || ',' LIKE '%,' || ?2 || ',%' LIMIT 1",
        )?;
        let mut delete = conn.prepare_cached("DELETE FROM rejected_pairs WHERE a = ?1 AND b = ?2")?;
        for (i, x) in rowids.iter().enumerate() {
            for y in &rowids[i + 1..] {
                let (a, b) = pair(*x, *y);
                if a != b && covered.query_row([a, b], |_| Ok(())).optional()?.is_none() {
                    delete.execute([a, b])?;
                }
            }
        }
        Ok(())
    }
}

impl Store {
    /// The records of candidate `id` that other approved candidates hold too, with those
    /// candidates (a CRM merges a record once).
    pub fn approved_sharing_of(&self, id: CandidateId) -> Result<Vec<(RecordKey, CandidateId)>> {
        sharing_of(self.conn(), id)
    }

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

    /// The entries about one candidate (its decisions and undos), oldest first.
    pub fn journal_of_candidate(&self, id: CandidateId) -> Result<Vec<JournalEntry>> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM journal WHERE candidate = ?1 ORDER BY seq");
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map([id.0], entry_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every candidate's status as the candidates table holds it, by id.
    pub fn candidate_statuses(&self) -> Result<Vec<(CandidateId, Status)>> {
        let mut stmt = self.conn().prepare("SELECT id, status FROM candidates ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, status) = row?;
            out.push((CandidateId(id), Status::parse(&status).context("unknown status in workspace")?));
        }
        Ok(out)
    }

    /// The record pairs a steward rejected as not duplicates, as keys (smaller row id first).
    pub fn rejected_pairs(&self) -> Result<Vec<(RecordKey, RecordKey)>> {
        let mut stmt = self.conn().prepare(
            "SELECT ra.source, ra.ext_id, rb.source, rb.ext_id FROM rejected_pairs p \
             JOIN records ra ON ra.id = p.a JOIN records rb ON rb.id = p.b ORDER BY p.a, p.b",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                RecordKey::new(r.get::<_, String>(0)?, r.get::<_, String>(1)?),
                RecordKey::new(r.get::<_, String>(2)?, r.get::<_, String>(3)?),
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Candidates with a member changed by an import since the candidate was proposed (the
    /// queue's "changed" mark), by id.
    pub fn changed_candidates(&self) -> Result<Vec<CandidateId>> {
        let mut versions = std::collections::HashMap::new();
        let mut stmt = self.conn().prepare("SELECT id, version FROM records WHERE version > 1")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            versions.insert(r.get::<_, i64>(0)?, r.get::<_, i64>(1)?);
        }
        let mut out = Vec::new();
        if versions.is_empty() {
            return Ok(out);
        }
        let mut stmt =
            self.conn().prepare("SELECT id, member_key, member_versions FROM candidates ORDER BY id")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (key, proposed): (String, String) = (r.get(1)?, r.get(2)?);
            let changed = member_list(&key, &proposed)
                .into_iter()
                .any(|(rowid, v)| versions.get(&rowid).is_some_and(|now| *now != v));
            if changed {
                out.push(CandidateId(r.get(0)?));
            }
        }
        Ok(out)
    }

    /// A candidate's members as they are now, with row ids, in key order.
    pub fn candidate_member_rows(&self, id: CandidateId) -> Result<Vec<MemberRow>> {
        members(self.conn(), id)
    }

    /// Every approved candidate's records: (candidate, object, key).
    pub fn approved_member_keys(&self) -> Result<Vec<(CandidateId, String, RecordKey)>> {
        let mut stmt = self.conn().prepare(
            "SELECT m.candidate_id, r.object, r.source, r.ext_id FROM approved_members m \
             JOIN records r ON r.id = m.record_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                CandidateId(r.get(0)?),
                r.get::<_, String>(1)?,
                RecordKey::new(r.get::<_, String>(2)?, r.get::<_, String>(3)?),
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The fields a record (by row id) had at a version (`None` when that version is not kept).
    pub fn record_fields_at_version(&self, rowid: i64, version: i64) -> Result<Option<Fields>> {
        fields_at(self.conn(), rowid, version)
    }
}
