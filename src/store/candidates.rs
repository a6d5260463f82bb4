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
    New,
    Changed,
    Unchanged,
    /// A steward rejected these records as not duplicates: not proposed again.
    Suppressed,
}

/// Which candidates the queue lists.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub status: Option<Status>,
    pub object: Option<String>,
}

/// The member set's identity and the members' versions: sorted, distinct record row ids joined by
/// ',', and their versions in the same order.
pub fn member_key(members: &[RecordRef]) -> (String, String) {
    let (mut key, mut versions) = (String::new(), String::new());
    write_members(&sorted_members(members), &mut key, &mut versions);
    (key, versions)
}

/// Members as (row id, version), sorted by row id, each record once: a candidate's identity.
pub(super) fn sorted_members(members: &[RecordRef]) -> Vec<(i64, i64)> {
    let mut refs: Vec<(i64, i64)> = members.iter().map(|m| (m.rowid, m.version)).collect();
    refs.sort_unstable_by_key(|m| m.0);
    refs.dedup_by_key(|m| m.0);
    refs
}

/// `member_key` of members already sorted and distinct, into reused buffers.
pub(super) fn write_members(refs: &[(i64, i64)], key: &mut String, versions: &mut String) {
    key.clear();
    versions.clear();
    for (i, (rowid, version)) in refs.iter().enumerate() {
        if i > 0 {
            key.push(',');
            versions.push(',');
        }
        key.push_str(itoa::Buffer::new().format(*rowid));
        versions.push_str(itoa::Buffer::new().format(*version));
    }
}

/// The record row ids and versions of a stored member key.
pub(super) fn parse_members(key: &str, versions: &str) -> Vec<(i64, i64)> {
    key.split(',')
        .zip(versions.split(','))
        .filter_map(|(k, v)| Some((k.parse().ok()?, v.parse().ok()?)))
        .collect()
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
        self.write_candidate(batch, at, c, None)
    }

    /// `upsert_candidate` of a candidate whose reasons are already serialised (`reasons_json`
    /// must be `c.reasons` as JSON): detection serialises them on its other threads.
    pub fn upsert_encoded_candidate(
        &self,
        batch: Option<BatchId>,
        at: &str,
        c: &NewCandidate,
        reasons_json: &str,
    ) -> Result<CandidateUpsert> {
        self.write_candidate(batch, at, c, Some(reasons_json))
    }

    fn write_candidate(
        &self,
        batch: Option<BatchId>,
        at: &str,
        c: &NewCandidate,
        reasons_json: Option<&str>,
    ) -> Result<CandidateUpsert> {
        if self.all_pairs_rejected(&c.members)? {
            return Ok(CandidateUpsert::Suppressed);
        }
        if let Some(done) = self.bulk_upsert(batch, at, c, reasons_json)? {
            return Ok(done);
        }
        let conn = self.conn();
        let (key, versions) = member_key(&c.members);
        let existing = conn
            .prepare_cached("SELECT id FROM candidates WHERE member_key = ?1")?
            .query_row(params![key], |r| r.get::<_, i64>(0))
            .optional()?;
        if let Some(id) = existing {
            return self.update_candidate(id, at, c);
        }
        conn.prepare_cached(
            "INSERT INTO candidates (object, member_key, member_versions, size, score, origin, reasons, created_at, batch_id) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            c.object,
            key,
            versions,
            c.members.len() as i64,
            c.score,
            serde_json::to_string(&[&c.origin])?,
            match reasons_json {
                Some(json) => json.to_string(),
                None => serde_json::to_string(&c.reasons)?,
            },
            at,
            batch.map(|b| b.0)
        ])?;
        Ok(CandidateUpsert::New)
    }

    /// The candidate whose members are exactly these records, if there is one.
    pub fn candidate_with_members(&self, members: &[RecordRef]) -> Result<Option<CandidateId>> {
        let (key, _) = member_key(members);
        Ok(self
            .conn()
            .prepare_cached("SELECT id FROM candidates WHERE member_key = ?1")?
            .query_row(params![key], |r| r.get::<_, i64>(0))
            .optional()?
            .map(CandidateId))
    }

    /// Merges `c` into the stored candidate `id` with the same members.
    pub(super) fn update_candidate(&self, id: i64, at: &str, c: &NewCandidate) -> Result<CandidateUpsert> {
        let conn = self.conn();
        let (old_score, old_origin, old_reasons): (f64, String, String) = conn
            .prepare_cached(concat!(
                "SELECT c.score, ",
                candidate_origins!(),
                ", c.reasons FROM candidates c WHERE c.id = ?1"
            ))?
            .query_row(params![id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        let mut origins: Vec<String> = serde_json::from_str(&old_origin).unwrap_or_default();
        let mut all_reasons: Vec<Reason> = serde_json::from_str(&old_reasons).unwrap_or_default();
        let mut score = old_score;
        if !merge_into(&mut origins, &mut all_reasons, &mut score, c) {
            return Ok(CandidateUpsert::Unchanged);
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
        Ok(CandidateUpsert::Changed)
    }

    /// True when every pair of these records was rejected by a steward.
    fn all_pairs_rejected(&self, members: &[RecordRef]) -> Result<bool> {
        if !self.has_rejected_pairs()? {
            return Ok(false);
        }
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

    /// True when the workspace has any rejected pair; asked once per transaction, so that bulk
    /// imports into a workspace without rejections skip the per-candidate check.
    pub fn has_rejected_pairs(&self) -> Result<bool> {
        if let Some(known) = self.rejected_known.get() {
            return Ok(known);
        }
        let any = self.conn().query_row("SELECT EXISTS (SELECT 1 FROM rejected_pairs)", [], |r| r.get(0))?;
        self.rejected_known.set(Some(any));
        Ok(any)
    }

    /// Forgets what `has_rejected_pairs` learnt (after this transaction adds or removes one).
    pub fn rejected_pairs_changed(&self) {
        self.rejected_known.set(None);
    }
}

/// Merges `c` into a candidate with the same members: the higher score wins, origins and reasons
/// are united. One exception: a matcher that scores the whole candidate again (a detection re-run,
/// whose overall line replaces its old one) gives the latest judgment on these records, so when it
/// is the candidate's only origin its score replaces the old one, higher or lower: the score and
/// the "why proposed" line always agree. True when anything changed.
pub(super) fn merge_into(
    origins: &mut Vec<String>,
    reasons: &mut Vec<Reason>,
    score: &mut f64,
    c: &NewCandidate,
) -> bool {
    let overall = |r: &Reason| r.field.is_empty() && r.weight.is_some();
    let rescored = origins.len() == 1
        && origins[0] == c.origin
        && reasons.iter().any(overall)
        && c.reasons.iter().any(overall);
    let mut changed = false;
    if !origins.contains(&c.origin) {
        origins.push(c.origin.clone());
        changed = true;
    }
    changed |= unite_reasons(reasons, &c.reasons);
    if c.score > *score || (rescored && c.score != *score) {
        *score = c.score;
        changed = true;
    }
    changed
}

/// Adds `new` reasons to `all`. A matcher's evidence about a field (a reason with a weight; field ""
/// is the overall score) replaces older evidence about that field: after records change, "why
/// proposed" shows the values compared now, not every value ever compared. A whole new judgment
/// (with an overall line) replaces all the older evidence, in its own order: the fields compared
/// may have changed too (columns of one kind from a new source make one field, named by its kind,
/// of what were fields named by column), and the lines must add up to the new total. Free-text
/// reasons are kept. True when `all` changed.
fn unite_reasons(all: &mut Vec<Reason>, new: &[Reason]) -> bool {
    let weighed = |r: &&Reason| r.weight.is_some();
    let mut changed = false;
    if new.iter().any(|r| r.field.is_empty() && r.weight.is_some()) {
        if !all.iter().filter(weighed).eq(new.iter().filter(weighed)) {
            all.retain(|old| old.weight.is_none());
            all.extend(new.iter().filter(weighed).cloned());
            changed = true;
        }
    } else {
        let before = all.len();
        for r in new.iter().filter(weighed) {
            all.retain(|old| old == r || old.weight.is_none() || old.field != r.field);
        }
        changed |= all.len() != before;
    }
    for r in new {
        if !all.contains(r) {
            all.push(r.clone());
            changed = true;
        }
    }
    changed
}

fn parse_json_list<T: serde::de::DeserializeOwned>(text: &str) -> Vec<T> {
    serde_json::from_str(text).unwrap_or_default()
}

impl Store {
    /// Candidates for the queue, best score first.
    pub fn queue(&self, filter: &QueueFilter) -> Result<Vec<Candidate>> {
        let mut stmt = self.conn().prepare(concat!(
            "SELECT c.id, c.object, c.score, c.status, ",
            candidate_origins!(),
            ", c.reasons FROM candidates c \
             WHERE (?1 IS NULL OR c.status = ?1) AND (?2 IS NULL OR c.object = ?2) ORDER BY c.score DESC, c.id"
        ))?;
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
            .prepare_cached(concat!(
                "SELECT c.object, c.score, c.status, ",
                candidate_origins!(),
                ", c.reasons FROM candidates c WHERE c.id = ?1"
            ))?
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
        Ok(self.members(id)?.into_iter().map(|(r, _)| r.key).collect())
    }

    /// The member records of a candidate as they are now, in key order, each with the version it
    /// had when the candidate was proposed.
    pub fn members(&self, id: CandidateId) -> Result<Vec<(Record, i64)>> {
        let (key, versions): (String, String) = self
            .conn()
            .prepare_cached("SELECT member_key, member_versions FROM candidates WHERE id = ?1")?
            .query_row(params![id.0], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .with_context(|| format!("no candidate {id}"))?;
        let mut stmt = self.conn().prepare_cached("SELECT * FROM records WHERE id = ?1")?;
        let mut out = Vec::new();
        for (rowid, version) in parse_members(&key, &versions) {
            out.push((stmt.query_row(params![rowid], record_from_row)?, version));
        }
        out.sort_by(|a, b| a.0.key.cmp(&b.0.key));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compared(field: &str, a: &str, b: &str, level: i32) -> Reason {
        Reason {
            field: field.into(),
            text: format!("{a} ~ {b}"),
            values: Some((a.into(), b.into())),
            level: Some(level),
            weight: Some(1.0),
        }
    }

    fn overall(probability: f64) -> Reason {
        Reason {
            weight: Some(probability * 10.0),
            ..Reason::text(format!("match probability {probability}"))
        }
    }

    fn proposal(origin: &str, score: f64, reasons: Vec<Reason>) -> NewCandidate {
        NewCandidate { object: "contact".into(), members: Vec::new(), score, origin: origin.into(), reasons }
    }

    #[test]
    fn a_rescoring_matcher_replaces_its_own_score_and_files_keep_the_higher() {
        let merged = |origins: &[&str], old: Vec<Reason>, new: &NewCandidate| {
            let mut origins: Vec<String> = origins.iter().map(|o| o.to_string()).collect();
            let (mut reasons, mut score) = (old, 0.9);
            let changed = merge_into(&mut origins, &mut reasons, &mut score, new);
            (score, changed)
        };
        let rerun = proposal("detect", 0.6, vec![overall(0.6)]);
        assert_eq!(
            merged(&["detect"], vec![overall(0.9)], &rerun),
            (0.6, true),
            "detection's latest judgment"
        );
        assert_eq!(
            merged(&["detect", "splink"], vec![overall(0.9)], &rerun),
            (0.9, true),
            "with another origin the 0.9 may be Splink's: the higher stands"
        );
        let file = proposal("generic", 0.6, vec![Reason::text("names similar")]);
        assert_eq!(merged(&["generic"], vec![Reason::text("names similar")], &file), (0.9, false));
        let higher = proposal("detect", 0.95, vec![overall(0.95)]);
        assert_eq!(merged(&["detect"], vec![overall(0.9)], &higher), (0.95, true));
    }

    #[test]
    fn new_evidence_about_a_field_replaces_the_old() {
        let mut all = vec![
            Reason::text("same email after removing +tag"),
            overall(0.9),
            compared("street", "1 Main St", "1 Main Street", 3),
            compared("city", "Austin", "Austin", 4),
        ];
        let again = [
            overall(0.6),
            compared("street", "9 Oak Ave", "1 Main Street", 1),
            compared("city", "Austin", "Austin", 4),
        ];
        assert!(unite_reasons(&mut all, &again));
        assert_eq!(
            all,
            [
                Reason::text("same email after removing +tag"),
                overall(0.6),
                compared("street", "9 Oak Ave", "1 Main Street", 1),
                compared("city", "Austin", "Austin", 4),
            ]
        );
        assert!(!unite_reasons(&mut all, &again), "the same evidence twice changes nothing");
        assert!(unite_reasons(&mut all, &[Reason::text("also in Splink")]));
        assert_eq!(all.len(), 5, "free-text reasons are added, never replaced");
        // A new judgment whose fields are named otherwise (columns joined into a kind's field):
        // the old fields' lines go, whatever their names.
        let by_kind = [
            overall(0.7),
            compared("street", "9 Oak Ave", "1 Main Street", 1),
            compared("town", "Austin", "Austin", 4),
        ];
        assert!(unite_reasons(&mut all, &by_kind));
        assert_eq!(
            all,
            [
                Reason::text("same email after removing +tag"),
                Reason::text("also in Splink"),
                overall(0.7),
                compared("street", "9 Oak Ave", "1 Main Street", 1),
                compared("town", "Austin", "Austin", 4),
            ]
        );
    }
}
