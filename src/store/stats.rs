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
    /// only the earlier of each such pair); those held whole by another approval are not counted.
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
    /// How many approved candidates share a record with another approved one, those held whole
    /// by another approval left out (the pairs inside an approved cluster go into its merge).
    /// Reads only the shared records' rows and the sizes of their candidates.
    fn approved_sharing(&self) -> Result<i64> {
        use std::collections::{HashMap, HashSet};
        let mut stmt = self.conn.prepare(
            "SELECT record_id, candidate_id FROM approved_members WHERE record_id IN \
             (SELECT record_id FROM approved_members GROUP BY record_id HAVING count(*) > 1) \
             ORDER BY record_id",
        )?;
        let rows: Vec<(i64, i64)> =
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
        let mut by_record: HashMap<i64, Vec<i64>> = HashMap::new();
        for (record, candidate) in rows {
            by_record.entry(record).or_default().push(candidate);
        }
        // Records each ordered pair of candidates shares.
        let mut shared: HashMap<(i64, i64), i64> = HashMap::new();
        for list in by_record.values() {
            for &a in list {
                for &b in list.iter().filter(|&&b| b != a) {
                    *shared.entry((a, b)).or_default() += 1;
                }
            }
        }
        let mut size = self.conn.prepare_cached("SELECT size FROM candidates WHERE id = ?1")?;
        let mut sizes: HashMap<i64, i64> = HashMap::new();
        let mut held = HashSet::new();
        for (&(a, _), &n) in &shared {
            let s = match sizes.get(&a) {
                Some(&s) => s,
                None => {
                    let s: i64 = size.query_row([a], |r| r.get(0))?;
                    sizes.insert(a, s);
                    s
                }
            };
            if n == s {
                held.insert(a);
            }
        }
        let mut sharing = HashSet::new();
        for list in by_record.values() {
            let free: Vec<i64> = list.iter().copied().filter(|c| !held.contains(c)).collect();
            if free.len() > 1 {
                sharing.extend(free);
            }
        }
        Ok(sharing.len() as i64)
    }

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
            approved_sharing: self.approved_sharing()?,
        })
    }
}
