//! The review console's reads: queue pages by keyset (never the whole queue), the distinct objects
//! and sources to filter by, and where each steward left the console. Decisions are not written
//! here: they go through the journal.

mod page_sql;
#[cfg(test)]
mod tests;
mod ui_state;

pub(super) use page_sql::register_fold;

use super::candidates::parse_members;
use super::records::record_from_row;
use super::Store;
use crate::model::{CandidateId, Record, Status};
use anyhow::{Context, Result};
use page_sql::page_sql;
use rusqlite::{params, params_from_iter, OptionalExtension};
use std::collections::HashMap;

/// The order a queue page is read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QueueOrder {
    /// Best score first (ties by id).
    #[default]
    Score,
    /// Oldest candidate first: ids grow with the time a candidate was proposed.
    Age,
}

/// Which candidates a queue page holds.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct QueueQuery {
    pub status: Option<Status>,
    pub object: Option<String>,
    /// Only candidates with a member from this source.
    pub source: Option<String>,
    /// Scores at or above this.
    pub score_min: Option<f64>,
    /// Scores below this.
    pub score_below: Option<f64>,
    /// Only candidates with a member having a field value containing this text (any case).
    pub search: Option<String>,
    pub order: QueueOrder,
}

/// A candidate's place in the queue order: the keyset pages continue from.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct QueueKey {
    pub score: f64,
    pub id: CandidateId,
}

/// Where a page starts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PageFrom {
    Start,
    End,
    /// The rows after this key (exclusive).
    After(QueueKey),
    /// This key's row (when it still matches) and the rows after it.
    AtOrAfter(QueueKey),
    /// The rows before this key (exclusive); returned in queue order.
    Before(QueueKey),
}

/// One candidate of a queue page, with its member records as they are now.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueRow {
    pub id: CandidateId,
    pub object: String,
    pub score: f64,
    pub status: Status,
    pub created_at: String,
    /// Each member record with the version it had when the candidate was proposed, in key order.
    pub members: Vec<(Record, i64)>,
    /// Pending or deferred: another candidate, approved, that holds every one of its records
    /// (approving this one adds nothing to a merge plan; rejecting it is refused).
    pub held_by: Option<CandidateId>,
}

impl QueueRow {
    pub fn key(&self) -> QueueKey {
        QueueKey { score: self.score, id: self.id }
    }
}

impl Store {
    /// One page of the queue: at most `limit` candidates from `from` on, in queue order, each
    /// with its members. Reads only the page (keyset pagination on the queue's indexes).
    pub fn queue_page(&self, q: &QueueQuery, from: PageFrom, limit: usize) -> Result<Vec<QueueRow>> {
        let (sql, args, reversed) = page_sql(q, from, limit);
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(args), |r| {
            Ok((
                r.get::<_, i64>("id")?,
                r.get::<_, String>("object")?,
                r.get::<_, f64>("score")?,
                r.get::<_, String>("status")?,
                r.get::<_, String>("created_at")?,
                r.get::<_, String>("member_key")?,
                r.get::<_, String>("member_versions")?,
            ))
        })?;
        let mut page = Vec::with_capacity(limit);
        let mut members = Vec::with_capacity(limit);
        for row in rows {
            let (id, object, score, status, created_at, key, versions) = row?;
            page.push(QueueRow {
                id: CandidateId(id),
                object,
                score,
                status: Status::parse(&status).context("unknown status in workspace")?,
                created_at,
                members: Vec::new(),
                held_by: None,
            });
            members.push(parse_members(&key, &versions));
        }
        if reversed {
            page.reverse();
            members.reverse();
        }
        self.fill_members(&mut page, &members)?;
        self.fill_held_by(&mut page, &members)?;
        Ok(page)
    }

    /// Every undecided candidate whose records an approved one holds all of, with that candidate
    /// (the lowest id): what the console's queue marks `in #3`, for `mergeq queue`. Reads the
    /// undecided candidates only when something is approved.
    pub fn held_whole(&self) -> Result<HashMap<CandidateId, CandidateId>> {
        let mut stmt = self.conn().prepare("SELECT record_id, candidate_id FROM approved_members")?;
        let holders = holders_of(stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?)?;
        let mut out = HashMap::new();
        if holders.is_empty() {
            return Ok(out);
        }
        let mut stmt = self.conn().prepare(
            "SELECT id, member_key, member_versions FROM candidates WHERE status IN ('pending', 'deferred')",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id = CandidateId(r.get(0)?);
            let members = parse_members(r.get_ref(1)?.as_str()?, r.get_ref(2)?.as_str()?);
            if let Some(by) = held_by(id, &members, &holders) {
                out.insert(id, by);
            }
        }
        Ok(out)
    }

    /// Marks the undecided rows whose records an approved candidate holds all of, in one query.
    fn fill_held_by(&self, page: &mut [QueueRow], members: &[Vec<(i64, i64)>]) -> Result<()> {
        let open = |row: &QueueRow| matches!(row.status, Status::Pending | Status::Deferred);
        let ids: Vec<i64> = page
            .iter()
            .zip(members)
            .filter(|(row, _)| open(row))
            .flat_map(|(_, list)| list.iter().map(|(id, _)| *id))
            .collect();
        if ids.is_empty() {
            return Ok(());
        }
        let mut stmt = self.conn().prepare_cached(
            "SELECT record_id, candidate_id FROM approved_members \
             WHERE record_id IN (SELECT value FROM json_each(?1))",
        )?;
        let holders = holders_of(
            stmt.query_map(params![serde_json::to_string(&ids)?], |r| Ok((r.get(0)?, r.get(1)?)))?,
        )?;
        if holders.is_empty() {
            return Ok(());
        }
        for (row, list) in page.iter_mut().zip(members).filter(|(row, _)| open(row)) {
            row.held_by = held_by(row.id, list, &holders);
        }
        Ok(())
    }

    /// Reads the member records of a page's candidates in one query.
    fn fill_members(&self, page: &mut [QueueRow], members: &[Vec<(i64, i64)>]) -> Result<()> {
        let ids: Vec<i64> = members.iter().flatten().map(|(id, _)| *id).collect();
        if ids.is_empty() {
            return Ok(());
        }
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT * FROM records WHERE id IN (SELECT value FROM json_each(?1))")?;
        let rows = stmt.query_map(params![serde_json::to_string(&ids)?], |row| {
            Ok((row.get::<_, i64>("id")?, record_from_row(row)?))
        })?;
        let records: HashMap<i64, Record> = rows.collect::<Result<_, _>>()?;
        for (row, list) in page.iter_mut().zip(members) {
            row.members = list.iter().filter_map(|(id, v)| Some((records.get(id)?.clone(), *v))).collect();
            row.members.sort_by(|a, b| a.0.key.cmp(&b.0.key));
        }
        Ok(())
    }

    /// The queue key of one candidate (to continue the queue from it), or `None` when it is gone.
    pub fn queue_key(&self, id: CandidateId) -> Result<Option<QueueKey>> {
        let score = self
            .conn()
            .prepare_cached("SELECT score FROM candidates WHERE id = ?1")?
            .query_row(params![id.0], |r| r.get::<_, f64>(0))
            .optional()?;
        Ok(score.map(|score| QueueKey { score, id }))
    }

    /// The distinct objects of the workspace's records, sorted. No index leads with the object,
    /// so this reads every record: the console asks only when a steward filters by object.
    pub fn record_objects(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn().prepare_cached("SELECT DISTINCT object FROM records ORDER BY object")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The distinct sources of the workspace's records, sorted (one index seek per source).
    pub fn record_sources(&self) -> Result<Vec<String>> {
        self.distinct("SELECT min(source) FROM records WHERE source > ?1")
    }

    fn distinct(&self, sql: &str) -> Result<Vec<String>> {
        let mut stmt = self.conn().prepare_cached(sql)?;
        let mut out: Vec<String> = Vec::new();
        let mut last = String::new();
        while let Some(next) = stmt.query_row(params![last], |r| r.get::<_, Option<String>>(0))? {
            out.push(next.clone());
            last = next;
        }
        Ok(out)
    }

    /// Candidates per status, from the counts the triggers keep (one small read, whatever the
    /// size of the queue).
    pub fn status_counts(&self) -> Result<Vec<(Status, i64)>> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT status, sum(n) FROM candidate_counts GROUP BY status ORDER BY status")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (status, n) = row?;
            out.push((Status::parse(&status).context("unknown status in workspace")?, n));
        }
        Ok(out)
    }

    /// How many journal entries after `after_seq` have one of `actions` (the journal screen's
    /// count of decisions no sign-off covers yet).
    pub fn journal_count_after(&self, after_seq: i64, actions: &[&str]) -> Result<i64> {
        let names = serde_json::to_string(actions)?;
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT count(*) FROM journal WHERE seq > ?1 AND action IN (SELECT value FROM json_each(?2))",
            )?
            .query_row(params![after_seq, names], |r| r.get(0))?)
    }
}

/// Approved candidates by record, from `approved_members` rows (record, candidate).
fn holders_of(rows: impl Iterator<Item = rusqlite::Result<(i64, i64)>>) -> Result<HashMap<i64, Vec<i64>>> {
    let mut holders: HashMap<i64, Vec<i64>> = HashMap::new();
    for row in rows {
        let (record, candidate) = row?;
        holders.entry(record).or_default().push(candidate);
    }
    Ok(holders)
}

/// The approved candidate (lowest id) other than `id` that holds every one of `members`.
fn held_by(id: CandidateId, members: &[(i64, i64)], holders: &HashMap<i64, Vec<i64>>) -> Option<CandidateId> {
    let mut count: std::collections::BTreeMap<i64, usize> = Default::default();
    for (record, _) in members {
        for &c in holders.get(record).into_iter().flatten() {
            *count.entry(c).or_default() += 1;
        }
    }
    count.into_iter().find(|&(c, n)| c != id.0 && n == members.len()).map(|(c, _)| CandidateId(c))
}
