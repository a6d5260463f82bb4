//! Candidates: keyed by their member set, upserted by imports and detection, listed by the queue.

use super::records::record_from_row;
use super::{BatchId, RecordRef, Store, Tx};
use crate::model::{Candidate, CandidateId, Reason, Record, RecordKey, Status};
use anyhow::{Context, Result};
use rusqlite::{params, OptionalExtension};

/// A candidate as an importer or detection hands it over; members are already resolved.
#[derive(Debug, Clone)]
pub struct NewCandidate {
    pub object: String,
    pub members: Vec<RecordRef>,
    pub score: f64,
    pub origin: String,
    pub reasons: Vec<Reason>,
}

/// What a candidate upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CandidateUpsert {
    New(CandidateId),
    Changed(CandidateId),
    Unchanged(CandidateId),
    /// A steward rejected these records as not duplicates: not proposed again.
    Suppressed,
}

/// Which candidates the queue lists.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub status: Option<Status>,
    pub object: Option<String>,
}

/// The member set's identity: sorted, distinct record row ids.
pub fn member_key(members: &[RecordRef]) -> String {
    let mut ids: Vec<i64> = members.iter().map(|m| m.rowid).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut key = String::with_capacity(ids.len() * 8);
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            key.push(',');
        }
        key.push_str(&id.to_string());
    }
    key
}

impl Tx<'_> {
    /// Inserts a candidate, or merges it into the one with the same members: the higher score
    /// wins, origins and reasons are united.
    pub fn upsert_candidate(
        &self,
        batch: Option<BatchId>,
        at: &str,
        c: &NewCandidate,
    ) -> Result<CandidateUpsert> {
        let conn = self.conn();
        let key = member_key(&c.members);
        if self.all_pairs_rejected(&c.members)? {
            return Ok(CandidateUpsert::Suppressed);
        }
        let origin = serde_json::to_string(&[&c.origin])?;
        let reasons = serde_json::to_string(&c.reasons)?;
        let inserted = conn
            .prepare_cached(
                "INSERT INTO candidates (object, member_key, size, score, origin, reasons, created_at, updated_at, batch_id) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8) ON CONFLICT (member_key) DO NOTHING",
            )?
            .execute(params![c.object, key, c.members.len() as i64, c.score, origin, reasons, at, batch.map(|b| b.0)])?;
        if inserted == 1 {
            let id = conn.last_insert_rowid();
            let mut add = conn.prepare_cached(
                "INSERT OR IGNORE INTO candidate_members (record_id, candidate_id, version) VALUES (?1, ?2, ?3)",
            )?;
            for m in &c.members {
                add.execute(params![m.rowid, id, m.version])?;
            }
            return Ok(CandidateUpsert::New(CandidateId(id)));
        }
        let (id, old_score, old_origin, old_reasons): (i64, f64, String, String) = conn
            .prepare_cached("SELECT id, score, origin, reasons FROM candidates WHERE member_key = ?1")?
            .query_row(params![key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        let mut origins: Vec<String> = serde_json::from_str(&old_origin).unwrap_or_default();
        let mut all_reasons: Vec<Reason> = serde_json::from_str(&old_reasons).unwrap_or_default();
        let mut changed = false;
        if !origins.contains(&c.origin) {
            origins.push(c.origin.clone());
            changed = true;
        }
        for r in &c.reasons {
            if !all_reasons.contains(r) {
                all_reasons.push(r.clone());
                changed = true;
            }
        }
        let score = old_score.max(c.score);
        if score != old_score {
            changed = true;
        }
        if !changed {
            return Ok(CandidateUpsert::Unchanged(CandidateId(id)));
        }
        conn.prepare_cached(
            "UPDATE candidates SET score = ?2, origin = ?3, reasons = ?4, updated_at = ?5 WHERE id = ?1",
        )?
        .execute(params![
            id,
            score,
            serde_json::to_string(&origins)?,
            serde_json::to_string(&all_reasons)?,
            at
        ])?;
        Ok(CandidateUpsert::Changed(CandidateId(id)))
    }

    /// True when every pair of these records was rejected by a steward.
    fn all_pairs_rejected(&self, members: &[RecordRef]) -> Result<bool> {
        let mut stmt = self.conn().prepare_cached("SELECT 1 FROM rejected_pairs WHERE a = ?1 AND b = ?2")?;
        let mut any_pair = false;
        for (i, x) in members.iter().enumerate() {
            for y in &members[i + 1..] {
                let (a, b) = if x.rowid < y.rowid { (x.rowid, y.rowid) } else { (y.rowid, x.rowid) };
                if a == b {
                    continue;
                }
                any_pair = true;
                if stmt.query_row(params![a, b], |_| Ok(())).optional()?.is_none() {
                    return Ok(false);
                }
            }
        }
        Ok(any_pair)
    }

    /// True when the workspace has no rejected pairs at all (lets bulk imports skip the check).
    pub fn has_rejected_pairs(&self) -> Result<bool> {
        Ok(self.conn().query_row("SELECT EXISTS (SELECT 1 FROM rejected_pairs)", [], |r| r.get(0))?)
    }
}

fn parse_json_list<T: serde::de::DeserializeOwned>(text: &str) -> Vec<T> {
    serde_json::from_str(text).unwrap_or_default()
}

impl Store {
    /// Candidates for the queue, best score first.
    pub fn queue(&self, filter: &QueueFilter) -> Result<Vec<Candidate>> {
        let mut stmt = self.conn().prepare(
            "SELECT id, object, score, status, origin, reasons FROM candidates \
             WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR object = ?2) ORDER BY score DESC, id",
        )?;
        let rows = stmt.query_map(params![filter.status.map(|s| s.as_str()), filter.object], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, f64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, object, score, status, origin, reasons) = row?;
            out.push(Candidate {
                id: CandidateId(id),
                object,
                score,
                status: Status::parse(&status).context("unknown status in workspace")?,
                origin: parse_json_list(&origin),
                members: self.member_keys(CandidateId(id))?,
                reasons: parse_json_list(&reasons),
            });
        }
        Ok(out)
    }

    /// One candidate, or `None` when there is no candidate with that id.
    pub fn candidate(&self, id: CandidateId) -> Result<Option<Candidate>> {
        let row = self
            .conn()
            .prepare_cached("SELECT object, score, status, origin, reasons FROM candidates WHERE id = ?1")?
            .query_row(params![id.0], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, f64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })
            .optional()?;
        let Some((object, score, status, origin, reasons)) = row else { return Ok(None) };
        Ok(Some(Candidate {
            id,
            object,
            score,
            status: Status::parse(&status).context("unknown status in workspace")?,
            origin: parse_json_list(&origin),
            members: self.member_keys(id)?,
            reasons: parse_json_list(&reasons),
        }))
    }

    /// The member keys of a candidate, in key order.
    pub fn member_keys(&self, id: CandidateId) -> Result<Vec<RecordKey>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT r.source, r.ext_id FROM candidate_members m JOIN records r ON r.id = m.record_id \
             WHERE m.candidate_id = ?1 ORDER BY r.source, r.ext_id",
        )?;
        let keys = stmt.query_map(params![id.0], |r| {
            Ok(RecordKey::new(r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        Ok(keys.collect::<Result<_, _>>()?)
    }

    /// The member records of a candidate as they are now, in key order, each with the version it
    /// had when the candidate was proposed.
    pub fn members(&self, id: CandidateId) -> Result<Vec<(Record, i64)>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT r.*, m.version AS proposed_version FROM candidate_members m JOIN records r ON r.id = m.record_id \
             WHERE m.candidate_id = ?1 ORDER BY r.source, r.ext_id",
        )?;
        let rows =
            stmt.query_map(params![id.0], |row| Ok((record_from_row(row)?, row.get("proposed_version")?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
