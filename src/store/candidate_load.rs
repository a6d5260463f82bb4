//! Large candidate loads (an import of a million pairs, a detection run over a big object).
//!
//! A million single-row upserts each pay a lookup in the member-set index and random inserts into
//! three indexes. A bulk load instead keeps every member set in memory: stored candidates by id,
//! new ones as compact rows in a buffer. `end_bulk` sorts the new rows best score first and
//! appends them in that order, so the queue's indexes (status and score; pending by id) grow at
//! their right edge instead of being sorted again; only the member-set index is dropped and rebuilt
//! once, and the per-row trigger that keeps the console's status counts is replaced by one update.
//! Rows leave their origin and time to their batch (NULL), which makes them a third narrower.

use super::candidates::{
    merge_into, parse_members, sorted_members, write_members, CandidateUpsert, NewCandidate,
};
use super::{BatchId, Tx};
use crate::model::Reason;
use anyhow::Result;
use hashbrown::HashTable;
use rusqlite::params;
use std::hash::{BuildHasher, Hash};
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

/// A candidate's members: sorted, distinct record row ids, each with its version.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Members {
    Pair([(i64, i64); 2]),
    Many(Box<[(i64, i64)]>),
}

impl Members {
    fn of(c: &NewCandidate) -> Members {
        if let [a, b] = c.members[..] {
            if a.rowid != b.rowid {
                let (a, b) = if a.rowid < b.rowid { (a, b) } else { (b, a) };
                return Members::Pair([(a.rowid, a.version), (b.rowid, b.version)]);
            }
        }
        Members::sorted(sorted_members(&c.members))
    }

    fn parse(key: &str, versions: &str) -> Members {
        Members::sorted(parse_members(key, versions))
    }

    /// Members already sorted and distinct.
    fn sorted(refs: Vec<(i64, i64)>) -> Members {
        match refs[..] {
            [a, b] => Members::Pair([a, b]),
            _ => Members::Many(refs.into_boxed_slice()),
        }
    }

    fn refs(&self) -> &[(i64, i64)] {
        match self {
            Members::Pair(p) => p,
            Members::Many(m) => m,
        }
    }

    /// The identity of the set: its row ids (versions do not make another candidate).
    fn same_set(&self, other: &Members) -> bool {
        self.refs().len() == other.refs().len()
            && self.refs().iter().zip(other.refs()).all(|(a, b)| a.0 == b.0)
    }

    fn hash(&self) -> u64 {
        let mut h = rustc_hash::FxBuildHasher.build_hasher();
        for (rowid, _) in self.refs() {
            rowid.hash(&mut h);
        }
        std::hash::Hasher::finish(&h)
    }
}

/// What every candidate of one call site shares, stored once: object, origins, time, batch.
#[derive(Debug, Clone)]
struct Context {
    object: String,
    /// The origins as the JSON array stored in `candidates.origin`.
    origins: Vec<String>,
    at: String,
    batch: Option<i64>,
}

/// A new candidate waiting for `end_bulk`.
struct Pending {
    members: Members,
    score: f64,
    /// `model::Reason`s as the JSON array stored in `candidates.reasons`; shared by consecutive
    /// candidates with the same reasons (a file's rows often give one reason text).
    reasons: Rc<str>,
    context: u32,
}

/// A bulk load's memory: which member sets exist and the new rows to write.
pub(super) struct BulkState {
    /// Stored candidates, by member set (row ids).
    stored: HashTable<(Members, i64)>,
    /// New candidates: indexes into `pending`, hashed by member set.
    new: HashTable<u32>,
    pending: Vec<Pending>,
    contexts: Vec<Context>,
    /// The last reasons written, as given (None when given as JSON) and as JSON.
    last_reasons: (Option<Vec<Reason>>, Rc<str>),
}

impl BulkState {
    /// The index of this context, added when new (looked up without allocating: once per row).
    fn context(&mut self, object: &str, origins: &[String], at: &str, batch: Option<i64>) -> u32 {
        let known =
            |k: &Context| k.object == object && k.origins == origins && k.at == at && k.batch == batch;
        match self.contexts.iter().position(known) {
            Some(i) => i as u32,
            None => {
                let origins = origins.to_vec();
                self.contexts.push(Context {
                    object: object.to_string(),
                    origins,
                    at: at.to_string(),
                    batch,
                });
                (self.contexts.len() - 1) as u32
            }
        }
    }
}

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

/// Merges a candidate into a buffered one with the same members, as `upsert_candidate` merges
/// into a stored one.
fn merge_pending(state: &mut BulkState, i: usize, c: &NewCandidate) -> Result<CandidateUpsert> {
    let p = &state.pending[i];
    let Context { object, mut origins, at, batch } = state.contexts[p.context as usize].clone();
    let mut reasons: Vec<Reason> = serde_json::from_str(&p.reasons)?;
    let mut score = p.score;
    if !merge_into(&mut origins, &mut reasons, &mut score, c) {
        return Ok(CandidateUpsert::Unchanged);
    }
    let context = state.context(&object, &origins, &at, batch);
    let p = &mut state.pending[i];
    p.score = score;
    p.reasons = Rc::from(serde_json::to_string(&reasons)?);
    p.context = context;
    Ok(CandidateUpsert::Changed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RecordKey;
    use crate::store::candidates::{member_key, QueueFilter};
    use crate::store::{NewBatch, NewRecord, RecordRef, Store};

    fn seed(store: &mut Store, n: usize) -> Vec<RecordRef> {
        store
            .write(|tx| {
                let batch =
                    tx.begin_batch(&NewBatch::new("records", "t.csv", "csv", "2026-01-01T00:00:00Z", "t"))?;
                (0..n)
                    .map(|i| {
                        let rec = NewRecord {
                            object: "contact".into(),
                            key: RecordKey::new("s", i.to_string()),
                            fields: Default::default(),
                            created: None,
                            updated: None,
                        };
                        Ok(tx.upsert_record(batch, &rec)?.1)
                    })
                    .collect()
            })
            .unwrap()
    }

    fn candidate(members: &[RecordRef], score: f64, origin: &str, reason: &str) -> NewCandidate {
        NewCandidate {
            object: "contact".into(),
            members: members.to_vec(),
            score,
            origin: origin.into(),
            reasons: vec![Reason::text(reason)],
        }
    }

    /// One stored candidate, then a load that updates it, adds new ones (one of them twice, from
    /// two origins) and repeats one unchanged.
    fn load(store: &mut Store, r: &[RecordRef], expected: u64) -> (Vec<CandidateUpsert>, bool) {
        load_encoding(store, r, expected, |_| false)
    }

    /// `load`, giving the reasons of the candidates `encode` picks already serialised.
    fn load_encoding(
        store: &mut Store,
        r: &[RecordRef],
        expected: u64,
        encode: impl Fn(usize) -> bool,
    ) -> (Vec<CandidateUpsert>, bool) {
        store
            .write(|tx| {
                tx.upsert_candidate(None, "t0", &candidate(&[r[0], r[1]], 0.5, "a", "first"))?;
                let batch = tx.begin_batch(&NewBatch::new("candidates", "c.csv", "pairs", "t1", "t"))?;
                let bulk = tx.begin_bulk(expected)?;
                let buffered = bulk.is_buffered();
                let results = [
                    candidate(&[r[1], r[0]], 0.9, "a", "first"),
                    candidate(&[r[2], r[3]], 0.4, "a", "x"),
                    candidate(&[r[3], r[2]], 0.4, "a", "x"),
                    candidate(&[r[4], r[5], r[6]], 0.7, "a", "cluster"),
                    candidate(&[r[2], r[3]], 0.6, "b", "y"),
                    candidate(&[r[5], r[4]], 0.8, "a", "pair"),
                ]
                .iter()
                .enumerate()
                .map(|(i, c)| match encode(i) {
                    true => {
                        tx.upsert_encoded_candidate(Some(batch), "t1", c, &serde_json::to_string(&c.reasons)?)
                    }
                    false => tx.upsert_candidate(Some(batch), "t1", c),
                })
                .collect::<Result<Vec<_>>>()?;
                tx.end_bulk(bulk)?;
                Ok((results, buffered))
            })
            .unwrap()
    }

    /// The queue as text without candidate ids (a buffered load numbers new ones by score).
    fn content(store: &Store) -> Vec<String> {
        let mut rows: Vec<String> = store
            .queue(&QueueFilter::default())
            .unwrap()
            .into_iter()
            .map(|c| format!("{:?} {} {:?} {:?} {:?}", c.members, c.score, c.status, c.origin, c.reasons))
            .collect();
        rows.sort();
        rows
    }

    #[test]
    fn a_buffered_load_writes_what_single_upserts_write() {
        let (mut plain, mut buffered) = (Store::in_memory().unwrap(), Store::in_memory().unwrap());
        let (r1, r2) = (seed(&mut plain, 7), seed(&mut buffered, 7));
        buffered.conn().pragma_update(None, "cache_size", -12_345).unwrap();
        let schema_before = schema(&buffered);
        let (plain_results, was_buffered) = load(&mut plain, &r1, 10);
        assert!(!was_buffered, "a small load is not buffered");
        let (buffered_results, was_buffered) = load(&mut buffered, &r2, 1_000_000);
        assert!(was_buffered, "a large load is buffered");
        use CandidateUpsert::*;
        assert_eq!(plain_results, [Changed, New, Unchanged, New, Changed, New]);
        assert_eq!(buffered_results, plain_results);
        assert_eq!(content(&buffered), content(&plain));
        assert_eq!(content(&plain).len(), 4);
        assert_eq!(counts(&buffered), counts(&plain));
        assert_eq!(schema(&buffered), schema_before, "index and trigger restored as they were");
        let cache: i64 = buffered.conn().query_row("PRAGMA cache_size", [], |r| r.get(0)).unwrap();
        assert_eq!(cache, -12_345, "the caller's page cache is back after the index build");
    }

    #[test]
    fn reasons_given_as_json_are_written_as_the_values_would_be() {
        let plain = {
            let mut store = Store::in_memory().unwrap();
            let r = seed(&mut store, 7);
            load(&mut store, &r, 10);
            content(&store)
        };
        let picks: [fn(usize) -> bool; 3] = [|_| true, |i| i % 2 == 0, |i| i % 2 == 1];
        for (expected, encode) in [10, 1_000_000].into_iter().flat_map(|e| picks.map(|p| (e, p))) {
            let mut store = Store::in_memory().unwrap();
            let r = seed(&mut store, 7);
            load_encoding(&mut store, &r, expected, encode);
            assert_eq!(content(&store), plain, "expecting {expected}");
        }
    }

    #[test]
    fn buffered_rows_leave_origin_and_time_to_their_batch() {
        let mut store = Store::in_memory().unwrap();
        let r = seed(&mut store, 7);
        load(&mut store, &r, 1_000_000);
        let rows: Vec<(String, Option<String>, Option<String>)> = store
            .conn()
            .prepare("SELECT member_key, origin, created_at FROM candidates ORDER BY id")
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let a = |i: usize| r[i].rowid;
        let some = |s: &str| Some(s.to_string());
        assert_eq!(
            rows,
            [
                // Stored before the load, outside any batch: its own origin and time.
                (format!("{},{}", a(0), a(1)), some(r#"["a"]"#), some("t0")),
                (format!("{},{}", a(4), a(5)), None, None),
                (format!("{},{},{}", a(4), a(5), a(6)), None, None),
                // Merged from two origins: not the batch's origins, so its own.
                (format!("{},{}", a(2), a(3)), some(r#"["a","b"]"#), some("t1")),
            ]
        );
        let origins: Vec<Vec<String>> =
            store.queue(&QueueFilter::default()).unwrap().into_iter().map(|c| c.origin).collect();
        assert!(origins.iter().all(|o| o[0] == "a"), "{origins:?}");
        let page = store.queue_page(&Default::default(), crate::store::PageFrom::Start, 10).unwrap();
        let times: Vec<&str> = page.iter().map(|row| row.created_at.as_str()).collect();
        assert_eq!(times, ["t0", "t1", "t1", "t1"], "by score: 0.9 is the one stored before, updated");
    }

    #[test]
    fn buffered_candidates_are_numbered_best_score_first() {
        let mut store = Store::in_memory().unwrap();
        let r = seed(&mut store, 7);
        load(&mut store, &r, 1_000_000);
        let ids: Vec<(i64, String)> = store
            .conn()
            .prepare("SELECT id, score FROM candidates ORDER BY id")
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get::<_, f64>(1)?.to_string())))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let scores: Vec<&str> = ids.iter().map(|(_, s)| s.as_str()).collect();
        // The stored candidate first, then the new ones by descending score.
        assert_eq!(scores, ["0.9", "0.8", "0.7", "0.6"]);
    }

    #[test]
    fn a_repeated_load_changes_nothing() {
        let mut store = Store::in_memory().unwrap();
        let r = seed(&mut store, 7);
        load(&mut store, &r, 1_000_000);
        let before = store.logical_dump().unwrap();
        let results = store
            .write(|tx| {
                let bulk = tx.begin_bulk(60_000)?;
                assert!(bulk.is_buffered());
                let out = tx.upsert_candidate(None, "t2", &candidate(&[r[5], r[4]], 0.8, "a", "pair"))?;
                tx.end_bulk(bulk)?;
                Ok(out)
            })
            .unwrap();
        assert_eq!(results, CandidateUpsert::Unchanged);
        assert_eq!(store.logical_dump().unwrap(), before);
    }

    fn schema(store: &Store) -> String {
        let dump = store.logical_dump().unwrap();
        dump.lines().filter(|l| l.starts_with("CREATE")).collect::<Vec<_>>().join("\n")
    }

    fn counts(store: &Store) -> Vec<(String, i64)> {
        store
            .conn()
            .prepare("SELECT status, sum(n) FROM candidate_counts GROUP BY status ORDER BY status")
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[test]
    fn written_members_match_the_single_row_key() {
        let refs = [RecordRef { rowid: 12, version: 3 }, RecordRef { rowid: 7, version: 1 }];
        let c = candidate(&refs, 0.5, "t", "r");
        let (mut key, mut versions) = (String::new(), String::new());
        write_members(Members::of(&c).refs(), &mut key, &mut versions);
        assert_eq!((key, versions), member_key(&refs));
    }
}
