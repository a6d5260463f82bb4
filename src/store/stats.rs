//! The workspace's figures: the kept counts of records and candidates (`Counts`) and the
//! dashboard's and `mergeq stats`' breakdown (`Stats`). Read-only; apart from the writes that
//! keep those counts, which live with the rows they count.

use super::Store;
use anyhow::Result;

/// Counts of a workspace's contents, for messages and the dashboard.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub records: i64,
    pub candidates: i64,
    pub pending: i64,
    pub approved: i64,
    pub rejected: i64,
    pub deferred: i64,
}

impl Store {
    /// How many records and candidates (by status) the workspace holds, from the kept counts.
    pub fn counts(&self) -> Result<Counts> {
        let records =
            self.conn.query_row("SELECT coalesce(sum(n), 0) FROM record_counts", [], |r| r.get(0))?;
        let mut counts = Counts { records, ..Counts::default() };
        let mut stmt = self.conn.prepare("SELECT status, sum(n) FROM candidate_counts GROUP BY status")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        for row in rows {
            let (status, n) = row?;
            counts.candidates += n;
            match status.as_str() {
                "pending" => counts.pending = n,
                "approved" => counts.approved = n,
                "rejected" => counts.rejected = n,
                _ => counts.deferred = n,
            }
        }
        Ok(counts)
    }
}

/// The dashboard's figures: records by object and source, candidates by object and status.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Stats {
    pub records: i64,
    pub records_by_source: Vec<(String, String, i64)>,
    pub candidates: i64,
    pub candidates_by_status: Vec<(String, String, i64)>,
    pub decided: i64,
    pub approved: i64,
    pub rejected: i64,
    pub deferred: i64,
    pub pending: i64,
    pub mean_pending_score: Option<f64>,
    /// Approved candidates that share a record with another approved one (a merge plan carries
    /// only the earlier of each such pair).
    pub approved_sharing: i64,
}

impl Stats {
    /// What `mergeq stats` and the dashboard say of approved candidates sharing records, if any.
    pub fn approved_sharing_note(&self) -> Option<String> {
        let count = match self.approved_sharing {
            0 => return None,
            1 => "1 approved candidate shares".to_string(),
            n => format!("{n} approved candidates share"),
        };
        Some(format!("{count} records: a merge plan carries the earlier of each"))
    }
}

impl Store {
    /// Figures for `mergeq stats` and the console's dashboard.
    pub fn stats(&self) -> Result<Stats> {
        let counts = self.counts()?;
        let triples = |sql: &str| -> Result<Vec<(String, String, i64)>> {
            let mut stmt = self.conn.prepare(sql)?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        Ok(Stats {
            records: counts.records,
            records_by_source: triples(
                "SELECT object, source, n FROM record_counts WHERE n > 0 ORDER BY object, source",
            )?,
            candidates: counts.candidates,
            candidates_by_status: triples(
                "SELECT object, status, n FROM candidate_counts WHERE n > 0 ORDER BY object, status",
            )?,
            decided: counts.approved + counts.rejected + counts.deferred,
            approved: counts.approved,
            rejected: counts.rejected,
            deferred: counts.deferred,
            pending: counts.pending,
            mean_pending_score: self.conn.query_row(
                "SELECT avg(score) FROM candidates WHERE status = 'pending'",
                [],
                |r| r.get(0),
            )?,
            approved_sharing: self.conn.query_row(
                "SELECT count(DISTINCT candidate_id) FROM approved_members WHERE record_id IN \
                 (SELECT record_id FROM approved_members GROUP BY record_id HAVING count(*) > 1)",
                [],
                |r| r.get(0),
            )?,
        })
    }
}
