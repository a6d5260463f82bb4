//! A candidate's standing as a decision reads and changes it: its row and members, the fields a
//! member had when proposed, its status (with `approved_members` kept in step), the approved
//! candidates sharing its records, and the rejected pairs. Apart from the journal's own rows,
//! which are only ever appended and read back.

use crate::model::{CandidateId, Fields, Record, RecordKey, Status};
use crate::store::records::record_from_row;
use crate::store::{Store, Tx};
use anyhow::{bail, Context, Result};
use rusqlite::{params, Connection, OptionalExtension};

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

/// The largest approved set whose undecided parts are looked for (2^12 subsets).
const MAX_WITHIN_SET: usize = 12;

/// A candidate's inline member list: (record row id, version when proposed).
fn member_list(key: &str, versions: &str) -> Vec<(i64, i64)> {
    key.split(',')
        .zip(versions.split(','))
        .filter_map(|(k, v)| Some((k.parse().ok()?, v.parse().ok()?)))
        .collect()
}

/// Candidate `id`'s inline member list (empty when there is no such candidate).
fn inline_members(conn: &Connection, id: CandidateId) -> Result<Vec<(i64, i64)>> {
    let inline: Option<(String, String)> = conn
        .prepare_cached("SELECT member_key, member_versions FROM candidates WHERE id = ?1")?
        .query_row([id.0], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(inline.map(|(key, versions)| member_list(&key, &versions)).unwrap_or_default())
}

fn members(conn: &Connection, id: CandidateId) -> Result<Vec<MemberRow>> {
    let mut stmt = conn.prepare_cached("SELECT * FROM records WHERE id = ?1")?;
    let mut out = Vec::new();
    for (rowid, proposed_version) in inline_members(conn, id)? {
        let record = stmt.query_row([rowid], record_from_row)?;
        out.push(MemberRow { rowid, record, proposed_version });
    }
    // Key order: the order of `seen` tokens.
    out.sort_by(|a, b| a.record.key.cmp(&b.record.key));
    Ok(out)
}

/// Records of a candidate that other approved candidates hold, by key, with those candidates.
pub type SharedRecords = Vec<(RecordKey, CandidateId)>;

/// The records of candidate `id` that other approved candidates hold (record id, candidate).
fn sharing_of(conn: &Connection, id: CandidateId) -> Result<Vec<(i64, CandidateId)>> {
    let rowids: Vec<i64> = inline_members(conn, id)?.into_iter().map(|(rowid, _)| rowid).collect();
    sharing(conn, id, &rowids)
}

/// Shared records by key. Only the records found are read (a review opens with no other read of
/// them).
fn keyed(conn: &Connection, shared: &[(i64, CandidateId)]) -> Result<Vec<(RecordKey, CandidateId)>> {
    shared.iter().map(|&(rowid, other)| Ok((record_key(conn, rowid)?, other))).collect()
}

/// The workspace key of the record with row id `rowid`.
fn record_key(conn: &Connection, rowid: i64) -> Result<RecordKey> {
    Ok(conn
        .prepare_cached("SELECT source, ext_id FROM records WHERE id = ?1")?
        .query_row([rowid], |r| Ok(RecordKey::new(r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?)
}

/// Of the approved candidates in `shared` (a `sharing` result), those all of whose records it
/// names, in id order: an approval of those records replaces theirs.
fn within(conn: &Connection, shared: &[(i64, CandidateId)]) -> Result<Vec<CandidateId>> {
    let mut held: std::collections::BTreeMap<CandidateId, i64> = Default::default();
    for (_, other) in shared {
        *held.entry(*other).or_default() += 1;
    }
    let mut size = conn.prepare_cached("SELECT size FROM candidates WHERE id = ?1")?;
    let mut out = Vec::new();
    for (other, n) in held {
        if size.query_row([other.0], |r| r.get::<_, i64>(0))? == n {
            out.push(other);
        }
    }
    Ok(out)
}

/// The other approved candidates that hold any of `members` (record ids): (record id, candidate).
pub(in crate::store) fn sharing(
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

/// Every pair of distinct records among `rowids`, smaller id first (as `rejected_pairs` keeps them).
fn pairs(rowids: &[i64]) -> impl Iterator<Item = (i64, i64)> + '_ {
    rowids.iter().enumerate().flat_map(move |(i, &x)| {
        rowids[i + 1..].iter().filter(move |&&y| y != x).map(move |&y| (x.min(y), x.max(y)))
    })
}

/// The candidate (lowest id, other than `except`) standing as rejected that holds both records
/// `a` and `b`. Members are inline ("3,17,42"): it covers the pair when both ids are in it.
fn rejection_covering(
    conn: &Connection,
    a: i64,
    b: i64,
    except: Option<CandidateId>,
) -> Result<Option<CandidateId>> {
    let id = conn
        .prepare_cached(
            "SELECT id FROM candidates WHERE status = 'rejected' AND id IS NOT ?3 \
             AND ',' || member_key || ',' LIKE '%,' || ?1 || ',%' \
             AND ',' || member_key || ',' LIKE '%,' || ?2 || ',%' ORDER BY id LIMIT 1",
        )?
        .query_row(params![a, b, except.map(|c| c.0)], |r| r.get(0))
        .optional()?;
    Ok(id.map(CandidateId))
}

impl Tx<'_> {
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
        keyed(self.conn(), &sharing_of(self.conn(), id)?)
    }

    /// The other approved candidates all of whose records are among `members` (record ids), in
    /// id order.
    pub fn approved_within(&self, id: CandidateId, members: &[i64]) -> Result<Vec<CandidateId>> {
        within(self.conn(), &sharing(self.conn(), id, members)?)
    }

    /// The records reachable from `start` through approved candidates other than `except` (each
    /// approval links its records; a record in two approvals links them), breadth first: each
    /// with the record it was reached from and the approval linking the two (`None` for `start`).
    /// Stops at `limit` records: components of approvals are small, a runaway one is not searched.
    pub fn approved_reach(
        &self,
        start: &[i64],
        except: CandidateId,
        limit: usize,
    ) -> Result<std::collections::HashMap<i64, Option<(i64, CandidateId)>>> {
        let conn = self.conn();
        let mut approvals = conn.prepare_cached(
            "SELECT candidate_id FROM approved_members WHERE record_id = ?1 AND candidate_id <> ?2 \
             ORDER BY candidate_id",
        )?;
        let mut reached: std::collections::HashMap<i64, Option<(i64, CandidateId)>> =
            start.iter().map(|&r| (r, None)).collect();
        let mut queue: std::collections::VecDeque<i64> = start.iter().copied().collect();
        let mut seen_approvals = std::collections::HashSet::new();
        while let Some(record) = queue.pop_front() {
            let linked: Vec<i64> =
                approvals.query_map(params![record, except.0], |r| r.get(0))?.collect::<Result<_, _>>()?;
            for approval in linked {
                if !seen_approvals.insert(approval) {
                    continue;
                }
                for (other, _) in inline_members(conn, CandidateId(approval))? {
                    if reached.len() >= limit {
                        return Ok(reached);
                    }
                    if let std::collections::hash_map::Entry::Vacant(e) = reached.entry(other) {
                        e.insert(Some((record, CandidateId(approval))));
                        queue.push_back(other);
                    }
                }
            }
        }
        Ok(reached)
    }

    /// The workspace keys of these records (by row id).
    pub fn record_keys(&self, rowids: &[i64]) -> Result<Vec<RecordKey>> {
        rowids.iter().map(|&rowid| record_key(self.conn(), rowid)).collect()
    }

    /// The undecided (pending or deferred) candidates all of whose records are among `members`
    /// (record ids), the candidate of exactly these records left out, in id order: each subset's
    /// member key is looked up in the member-set index. Sets of more than `MAX_WITHIN_SET` records
    /// (thousands of subsets) are not searched: none is returned.
    pub fn undecided_within(&self, members: &[i64]) -> Result<Vec<CandidateId>> {
        let mut ids = members.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let k = ids.len();
        if !(3..=MAX_WITHIN_SET).contains(&k) {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn().prepare_cached(
            "SELECT id FROM candidates WHERE member_key = ?1 AND status IN ('pending', 'deferred')",
        )?;
        let mut out = Vec::new();
        let mut key = String::new();
        for mask in 1u32..(1 << k) - 1 {
            if mask.count_ones() < 2 {
                continue;
            }
            key.clear();
            for (_, id) in ids.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0) {
                if !key.is_empty() {
                    key.push(',');
                }
                key.push_str(&id.to_string());
            }
            if let Some(id) = stmt.query_row([&key], |r| r.get::<_, i64>(0)).optional()? {
                out.push(CandidateId(id));
            }
        }
        out.sort_unstable();
        Ok(out)
    }

    /// Pairs of `members` (record ids) that another candidate, standing as rejected, says are not
    /// duplicates: (a, b, that candidate), one candidate named per pair. Candidate `id`'s own
    /// rejection does not count: deciding it again replaces it.
    pub fn rejected_apart(&self, id: CandidateId, members: &[i64]) -> Result<Vec<(i64, i64, CandidateId)>> {
        let conn = self.conn();
        let mut remembered = conn.prepare_cached("SELECT 1 FROM rejected_pairs WHERE a = ?1 AND b = ?2")?;
        let mut out = Vec::new();
        for (a, b) in pairs(members) {
            if remembered.query_row([a, b], |_| Ok(())).optional()?.is_none() {
                continue;
            }
            if let Some(other) = rejection_covering(conn, a, b, Some(id))? {
                out.push((a, b, other));
            }
        }
        Ok(out)
    }

    /// The other approved candidates that merge two or more of `members` (record ids), each with
    /// those records, in id order: a rejection of `members` would say they are not duplicates.
    pub fn approved_merging(&self, id: CandidateId, members: &[i64]) -> Result<Vec<(CandidateId, Vec<i64>)>> {
        let mut held: std::collections::BTreeMap<CandidateId, Vec<i64>> = Default::default();
        for (record, other) in sharing(self.conn(), id, members)? {
            held.entry(other).or_default().push(record);
        }
        Ok(held.into_iter().filter(|(_, records)| records.len() >= 2).collect())
    }

    /// Remembers every pair of these records as not duplicates.
    pub fn add_rejected_pairs(&self, rowids: &[i64]) -> Result<()> {
        let mut stmt =
            self.conn().prepare_cached("INSERT OR IGNORE INTO rejected_pairs (a, b) VALUES (?1, ?2)")?;
        for (a, b) in pairs(rowids) {
            stmt.execute([a, b])?;
        }
        Ok(())
    }

    /// Forgets the pairs of these records that no candidate now standing as rejected still covers.
    pub fn remove_uncovered_rejected_pairs(&self, rowids: &[i64]) -> Result<()> {
        let conn = self.conn();
        let mut delete = conn.prepare_cached("DELETE FROM rejected_pairs WHERE a = ?1 AND b = ?2")?;
        for (a, b) in pairs(rowids) {
            if rejection_covering(conn, a, b, None)?.is_none() {
                delete.execute([a, b])?;
            }
        }
        Ok(())
    }
}

impl Store {
    /// Its records that other approved candidates hold, by key, with those candidates; and the
    /// approved candidates all of whose records it holds (approving it replaces them). One read
    /// of the shared records for both.
    pub fn approved_overlaps_of(&self, id: CandidateId) -> Result<(SharedRecords, Vec<CandidateId>)> {
        let shared = sharing_of(self.conn(), id)?;
        Ok((keyed(self.conn(), &shared)?, within(self.conn(), &shared)?))
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
