//! The exports' reads: the journal's decisions, in two passes so that a million-decision export
//! never holds every body at once (an index without bodies to find the standing decisions, then
//! the bodies of the ones exported), the last export of a format, and the records changed since
//! their first import (so a merge plan starts from what the CRM holds now), and the exports that
//! carried a decision being undone. Read-only.

use super::records::record_from_row;
use super::{Store, Tx};
use crate::model::Record;
use anyhow::Result;
use rusqlite::OptionalExtension;

/// An export entry whose window reached a given decision: its entry, format, file (`-` for
/// stdout) and, for a CRM merge plan, the workspace source it took candidates from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportReach {
    pub seq: i64,
    pub format: String,
    pub file: String,
    pub source: Option<String>,
}

/// An earlier export of one format: its entry, the window of decisions it looked at (`after <
/// seq <= through`) and, for a CRM merge plan, the workspace source it took candidates from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportWindow {
    pub seq: i64,
    pub after: i64,
    pub through: i64,
    pub source: Option<String>,
}

/// A decision or undo entry without its body: enough to replay statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecisionIndex {
    pub seq: i64,
    /// `approve`, `reject`, `defer` or `undo`.
    pub action: &'static str,
    pub candidate: Option<i64>,
    /// For an undo: the entry it reverses.
    pub reverses: Option<i64>,
}

/// A decision entry with its body, as an export reads it (borrowed from SQLite's row: copied only
/// where the export keeps it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRow<'r> {
    pub seq: i64,
    pub candidate: i64,
    pub at: &'r str,
    pub steward: &'r str,
    pub body: &'r str,
}

impl Store {
    /// Every decision and undo entry, in journal order, without bodies: decisions from a covering
    /// scan of `journal_by_action`, only undos read their body (for `reverses`).
    pub fn decision_index(&self) -> Result<Vec<DecisionIndex>> {
        let mut out = Vec::new();
        let mut stmt = self.conn().prepare_cached("SELECT seq, candidate FROM journal WHERE action = ?1")?;
        for action in ["approve", "reject", "defer"] {
            let mut rows = stmt.query([action])?;
            while let Some(r) = rows.next()? {
                out.push(DecisionIndex { seq: r.get(0)?, action, candidate: r.get(1)?, reverses: None });
            }
        }
        let mut stmt = self.conn().prepare_cached(
            "SELECT seq, candidate, json_extract(body, '$.reverses') FROM journal WHERE action = 'undo'",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            out.push(DecisionIndex {
                seq: r.get(0)?,
                action: "undo",
                candidate: r.get(1)?,
                reverses: r.get(2)?,
            });
        }
        out.sort_unstable_by_key(|e| e.seq);
        Ok(out)
    }

    /// The `action` entries with `after < seq <= through` that `wanted` picks, in order, with their
    /// bodies (a body is read only for an entry picked). `dense`: most entries of the range are
    /// wanted, so the table is walked in order instead of seeking each entry from the action index.
    pub fn scan_decisions(
        &self,
        action: &str,
        after: i64,
        through: i64,
        dense: bool,
        mut wanted: impl FnMut(i64) -> bool,
        mut f: impl FnMut(DecisionRow<'_>) -> Result<()>,
    ) -> Result<()> {
        // Bodies are read straight from a memory map rather than copied page by page (a million
        // decisions are gigabytes of journal); SQLite caps the map at its own limit.
        self.conn().pragma_update(None, "mmap_size", 1i64 << 40)?;
        // `+action` keeps the planner off `journal_by_action`: a walk of the table by rowid.
        let sql = if dense {
            "SELECT seq, candidate, at, steward, body FROM journal \
             WHERE +action = ?1 AND seq > ?2 AND seq <= ?3 ORDER BY seq"
        } else {
            "SELECT seq, candidate, at, steward, body FROM journal \
             WHERE action = ?1 AND seq > ?2 AND seq <= ?3 ORDER BY seq"
        };
        let mut stmt = self.conn().prepare(sql)?;
        let mut rows = stmt.query(rusqlite::params![action, after, through])?;
        while let Some(r) = rows.next()? {
            let seq: i64 = r.get(0)?;
            if !wanted(seq) {
                continue;
            }
            f(DecisionRow {
                seq,
                candidate: r.get::<_, Option<i64>>(1)?.unwrap_or_default(),
                at: r.get_ref(2)?.as_str()?,
                steward: r.get_ref(3)?.as_str()?,
                body: r.get_ref(4)?.as_str()?,
            })?;
        }
        Ok(())
    }

    /// The latest export entry of `format`: its sequence number and body. `source`: only the
    /// exports that took candidates from that workspace source (a CRM plan's `--source`; an entry
    /// without one took them from the source named like the format).
    pub fn last_export_of(&self, format: &str, source: Option<&str>) -> Result<Option<(i64, String)>> {
        Ok(self
            .conn()
            .prepare(
                "SELECT seq, body FROM journal WHERE action = 'export' \
                 AND json_extract(body, '$.format') = ?1 \
                 AND (?2 IS NULL OR coalesce(json_extract(body, '$.details.source'), ?1) = ?2) \
                 ORDER BY seq DESC LIMIT 1",
            )?
            .query_row(rusqlite::params![format, source], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    /// Every export of `format` (from workspace `source` when given, as `last_export_of`), oldest
    /// first. An entry without a window (none are written so) counts as having looked at
    /// everything before it.
    pub fn exports_of(&self, format: &str, source: Option<&str>) -> Result<Vec<ExportWindow>> {
        let mut stmt = self.conn().prepare(
            "SELECT seq, json_extract(body, '$.details.after'), json_extract(body, '$.details.through'), \
                    json_extract(body, '$.details.source') FROM journal \
             WHERE action = 'export' AND json_extract(body, '$.format') = ?1 \
               AND (?2 IS NULL OR coalesce(json_extract(body, '$.details.source'), ?1) = ?2) \
             ORDER BY seq",
        )?;
        let rows = stmt.query_map(rusqlite::params![format, source], |r| {
            let seq: i64 = r.get(0)?;
            Ok(ExportWindow {
                seq,
                after: r.get::<_, Option<i64>>(1)?.unwrap_or(0),
                through: r.get::<_, Option<i64>>(2)?.unwrap_or(seq),
                source: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every record an import has changed since it first came in (version above 1), of any object.
    /// A record still at version 1 is exactly what any decision on it saw.
    pub fn changed_records(&self) -> Result<Vec<Record>> {
        let mut stmt = self.conn().prepare("SELECT * FROM records WHERE version > 1 ORDER BY id")?;
        let rows = stmt.query_map([], record_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

impl Tx<'_> {
    /// The exports written after journal entry `seq` whose window reached it (`details.after <
    /// seq <= details.through`), oldest first.
    pub fn exports_reaching(&self, seq: i64) -> Result<Vec<ExportReach>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT seq, json_extract(body, '$.format'), json_extract(body, '$.file'), \
                    json_extract(body, '$.details.source') FROM journal \
             WHERE action = 'export' AND seq > ?1 \
               AND json_extract(body, '$.details.after') < ?1 \
               AND json_extract(body, '$.details.through') >= ?1 \
             ORDER BY seq",
        )?;
        let rows = stmt.query_map([seq], |r| {
            Ok(ExportReach { seq: r.get(0)?, format: r.get(1)?, file: r.get(2)?, source: r.get(3)? })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
