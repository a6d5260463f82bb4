//! Large candidate loads (an import of a million pairs, a detection run over a big object).
//!
//! A million single-row upserts each pay a lookup in the member-set index and random inserts into
//! three indexes. A bulk load instead keeps every member set in memory: stored candidates by id,
//! new ones as compact rows in a buffer. `end_bulk` sorts the new rows best score first and
//! appends them in that order, so the queue's indexes (status and score; pending by id) grow at
//! their right edge instead of being sorted again; only the member-set index is dropped and rebuilt
//! once, and the per-row trigger that keeps the console's status counts is replaced by one update.
//! Rows leave their origin and time to their batch (NULL), which makes them a third narrower.

mod buffer;
#[cfg(test)]
mod tests;

pub(super) use buffer::BulkState;

use super::candidates::{write_members, CandidateUpsert, NewCandidate};
use super::{BatchId, Tx};
use anyhow::Result;
use buffer::{merge_pending, Context, Members, Pending};
use hashbrown::HashTable;
use rusqlite::params;
use std::rc::Rc;

/// The index that a bulk load drops and rebuilds: building it from all rows at once beats a
/// million random inserts.
const MEMBER_INDEX: &str = "candidates_by_members";
/// The trigger that counts each inserted candidate; a bulk load adds its count in one statement.
const COUNT_TRIGGER: &str = "candidate_counts_insert";
/// Rows per INSERT statement in `end_bulk`; the values bound once per statement (the context)
/// and per row.
const ROWS_PER_INSERT: usize = 64;
const SHARED: usize = 4;
const PER_ROW: usize = 5;
/// The page cache while the member-set index is rebuilt (KiB): small enough that its sort runs
/// in several pieces on SQLite's helper threads (`PRAGMA threads`).
const INDEX_SORT_CACHE_KIB: i64 = 4096;
/// Below this many expected candidates, plain upserts are as fast and keep no buffer.
const BULK_MIN: u64 = 10_000;

/// A large load in progress: what to restore when it ends.
#[must_use = "call Tx::end_bulk to write the buffered candidates and rebuild the indexes"]
pub struct BulkLoad {
    restore: Vec<String>,
}

impl BulkLoad {
    /// Whether this load buffers candidates (and dropped an index and a trigger).
    pub fn is_buffered(&self) -> bool {
        !self.restore.is_empty()
    }
}

impl Tx<'_> {
    /// Prepares for about `expected` new candidates: when that is large next to what the workspace
    /// holds, new candidates are buffered in memory until `end_bulk` writes them (in the same
    /// transaction). Until then they are not visible to SQL.
    pub fn begin_bulk(&self, expected: u64) -> Result<BulkLoad> {
        let conn = self.conn();
        let existing: i64 = conn.query_row("SELECT count(*) FROM candidates", [], |r| r.get(0))?;
        if expected < BULK_MIN || (expected as i64) < existing / 2 {
            return Ok(BulkLoad { restore: Vec::new() });
        }
        let mut stored = HashTable::with_capacity(existing as usize);
        let mut stmt = conn.prepare("SELECT member_key, member_versions, id FROM candidates")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let members = Members::parse(row.get_ref(0)?.as_str()?, row.get_ref(1)?.as_str()?);
            let hash = members.hash();
            stored.insert_unique(hash, (members, row.get(2)?), |(m, _)| m.hash());
        }
        let mut restore = Vec::new();
        for name in [MEMBER_INDEX, COUNT_TRIGGER] {
            let sql: String = conn.query_row(
                "SELECT sql FROM sqlite_master WHERE name = ?1 AND tbl_name = 'candidates'",
                [name],
                |r| r.get(0),
            )?;
            let kind = if name == MEMBER_INDEX { "INDEX" } else { "TRIGGER" };
            conn.execute_batch(&format!("DROP {kind} \"{name}\""))?;
            restore.push(sql);
        }
        *self.bulk.borrow_mut() = Some(BulkState {
            stored,
            new: HashTable::with_capacity(expected as usize),
            pending: Vec::with_capacity(expected as usize),
            contexts: Vec::new(),
            last_reasons: (Some(Vec::new()), Rc::from("[]")),
        });
        Ok(BulkLoad { restore })
    }

    /// During a buffered load: upserts `c` into memory. `None` when no load is buffered.
    pub(super) fn bulk_upsert(
        &self,
        batch: Option<BatchId>,
        at: &str,
        c: &NewCandidate,
        reasons_json: Option<&str>,
    ) -> Result<Option<CandidateUpsert>> {
        let mut guard = self.bulk.borrow_mut();
        let Some(state) = guard.as_mut() else { return Ok(None) };
        let members = Members::of(c);
        let hash = members.hash();
        if let Some((_, id)) = state.stored.find(hash, |(m, _)| m.same_set(&members)) {
            let id = *id;
            drop(guard);
            return self.update_candidate(id, at, c).map(Some);
        }
        let found = {
            let pending = &state.pending;
            state.new.find(hash, |&i| pending[i as usize].members.same_set(&members)).copied()
        };
        if let Some(i) = found {
            return merge_pending(state, i as usize, c).map(Some);
        }
        let context = state.context(&c.object, std::slice::from_ref(&c.origin), at, batch.map(|b| b.0));
        match reasons_json {
            // Given as JSON: compared as JSON (and not kept as values).
            Some(json) if *state.last_reasons.1 != *json => state.last_reasons = (None, Rc::from(json)),
            Some(_) => {}
            None if state.last_reasons.0.as_ref() != Some(&c.reasons) => {
                state.last_reasons = (Some(c.reasons.clone()), Rc::from(serde_json::to_string(&c.reasons)?));
            }
            None => {}
        }
        let index = state.pending.len() as u32;
        state.pending.push(Pending {
            members,
            score: c.score,
            reasons: state.last_reasons.1.clone(),
            context,
        });
        let pending = &state.pending;
        state.new.insert_unique(hash, index, |&i| pending[i as usize].members.hash());
        Ok(Some(CandidateUpsert::New))
    }

    /// Writes the buffered candidates best score first, then restores the index and the trigger.
    pub fn end_bulk(&self, load: BulkLoad) -> Result<()> {
        let Some(state) = self.bulk.borrow_mut().take() else { return Ok(()) };
        let conn = self.conn();
        let mut order: Vec<u32> = (0..state.pending.len() as u32).collect();
        // Stable: candidates with equal scores keep the order they came in.
        order.sort_by(|&a, &b| state.pending[b as usize].score.total_cmp(&state.pending[a as usize].score));
        // Each context's origins and time, or NULLs where they are its batch's.
        let contexts: Vec<(Option<String>, Option<&str>, &Context)> = state
            .contexts
            .iter()
            .map(|c| {
                let origins = serde_json::to_string(&c.origins)?;
                Ok(match c.batch {
                    Some(batch) if self.batch_holds(batch, &origins, &c.at)? => (None, None, c),
                    _ => (Some(origins), Some(c.at.as_str()), c),
                })
            })
            .collect::<Result<_>>()?;
        let full_sql = insert_sql(ROWS_PER_INSERT);
        let (mut key, mut versions) = (String::new(), String::new());
        // Many rows per statement: SQLite keeps its cursors open across them, so each index
        // insert lands next to the previous one instead of being searched for from the root.
        // A statement's rows share one context (object, origins, time, batch), bound once.
        for run in
            order.chunk_by(|&a, &b| state.pending[a as usize].context == state.pending[b as usize].context)
        {
            let (origins, at, context) = &contexts[state.pending[run[0] as usize].context as usize];
            for chunk in run.chunks(ROWS_PER_INSERT) {
                let mut insert = match chunk.len() {
                    ROWS_PER_INSERT => conn.prepare_cached(&full_sql)?,
                    n => conn.prepare_cached(&insert_sql(n))?,
                };
                insert.raw_bind_parameter(1, &context.object)?;
                insert.raw_bind_parameter(2, origins)?;
                insert.raw_bind_parameter(3, at)?;
                insert.raw_bind_parameter(4, context.batch)?;
                for (row, &i) in chunk.iter().enumerate() {
                    let p = &state.pending[i as usize];
                    let slot = SHARED + row * PER_ROW + 1;
                    write_members(p.members.refs(), &mut key, &mut versions);
                    insert.raw_bind_parameter(slot, &key)?;
                    insert.raw_bind_parameter(slot + 1, &versions)?;
                    insert.raw_bind_parameter(slot + 2, p.members.refs().len() as i64)?;
                    insert.raw_bind_parameter(slot + 3, p.score)?;
                    insert.raw_bind_parameter(slot + 4, &*p.reasons)?;
                }
                insert.raw_execute()?;
            }
        }
        // The new candidates per object, counted once instead of by the dropped trigger.
        let mut per_object: Vec<(&str, i64)> = Vec::new();
        for p in &state.pending {
            let object = state.contexts[p.context as usize].object.as_str();
            match per_object.iter_mut().find(|(o, _)| *o == object) {
                Some((_, n)) => *n += 1,
                None => per_object.push((object, 1)),
            }
        }
        for (object, n) in per_object {
            conn.execute(
                "INSERT INTO candidate_counts (object, status, n) VALUES (?1, 'pending', ?2) \
                 ON CONFLICT (object, status) DO UPDATE SET n = n + ?2",
                params![object, n],
            )?;
        }
        // SQLite sorts an index's keys on its helper threads only in runs that overflow the
        // cache: with the large cache the million keys would be sorted in one run on one core.
        let cache: i64 = conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        conn.pragma_update(None, "cache_size", -INDEX_SORT_CACHE_KIB)?;
        let restored = load.restore.iter().try_for_each(|sql| conn.execute_batch(sql));
        // Back to the caller's cache (detection widens it for its whole write).
        conn.pragma_update(None, "cache_size", cache)?;
        restored?;
        Ok(())
    }

    /// Whether candidates of `batch` with these origins and this time may leave them to the
    /// batch (NULL `origin` and `created_at`): the batch's origins are set by the first caller.
    fn batch_holds(&self, batch: i64, origins: &str, at: &str) -> Result<bool> {
        let conn = self.conn();
        conn.execute(
            "UPDATE batches SET origin = ?2 WHERE id = ?1 AND origin IS NULL",
            params![batch, origins],
        )?;
        let (held, batch_at): (Option<String>, String) =
            conn.query_row("SELECT origin, at FROM batches WHERE id = ?1", [batch], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        Ok(held.as_deref() == Some(origins) && batch_at == at)
    }
}

/// `INSERT INTO candidates` of `rows` rows: ?1–?4 are the shared object, origins, time and
/// batch (origins and time NULL when they are the batch's), then `PER_ROW` values a row (member
/// key, versions, size, score, reasons). `OR FAIL`: a failed row fails the whole import (its
/// transaction rolls back), so SQLite need not journal each statement to undo it alone.
fn insert_sql(rows: usize) -> String {
    use std::fmt::Write;
    let mut sql = String::from(
        "INSERT OR FAIL INTO candidates (object, member_key, member_versions, size, score, origin, reasons, created_at, batch_id) VALUES ",
    );
    for row in 0..rows {
        let p = SHARED + row * PER_ROW;
        let sep = if row == 0 { "" } else { ", " };
        write!(sql, "{sep}(?1, ?{}, ?{}, ?{}, ?{}, ?2, ?{}, ?3, ?4)", p + 1, p + 2, p + 3, p + 4, p + 5)
            .expect("writing to a String");
    }
    sql
}
