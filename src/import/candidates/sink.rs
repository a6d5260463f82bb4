//! Where every candidates importer writes: records a file carries, members resolved from keys,
//! candidates and clusters, with the counts for the summary.

use super::resolve_key;
use crate::import::table::{Row, Table};
use crate::import::{InputError, Progress, Summary};
use crate::model::Reason;
use crate::store::{
    BatchId, CandidateUpsert, NewCandidate, NewRecord, RecordIndex, RecordRef, RecordUpsert, Tx,
};
use anyhow::Result;
use std::collections::HashMap;

/// A cluster being gathered.
pub(super) struct Cluster {
    members: Vec<RecordRef>,
    object: String,
    /// The lowest member score so far.
    lowest: Option<f64>,
    reasons: Vec<Reason>,
    /// Members the tool scored 0 because they are linked only through others (newer Zingg):
    /// left out of the lowest score while any member has a real one.
    scored_zero: usize,
}

/// Everything an import writes goes through here: records a file carries, members resolved from
/// keys, and the candidates themselves, with the counts for the summary.
pub(super) struct Sink<'t, 'c> {
    pub(super) tx: &'t Tx<'c>,
    pub(super) batch: BatchId,
    pub(super) at: String,
    pub(super) origin: String,
    pub(super) index: RecordIndex,
    pub(super) summary: Summary,
    /// Clusters in the order they first appear, with their members and scores.
    pub(super) clusters: Vec<Cluster>,
    pub(super) cluster_pos: HashMap<String, usize>,
    pub(super) progress: Progress,
}

impl Sink<'_, '_> {
    /// Writes a record the file carries, merging its values into any stored copy.
    pub(super) fn embed(&mut self, rec: NewRecord) -> Result<RecordRef> {
        let (what, r) = self.tx.merge_record(self.batch, &rec)?;
        let key = rec.key.to_string();
        if self.index.resolve(&key).is_err() {
            self.summary.count_record(what);
        } else if what == RecordUpsert::Changed {
            self.summary.records_changed += 1;
        }
        self.index.insert(&rec.object, &rec.key, r);
        Ok(r)
    }

    pub(super) fn resolve(
        &self,
        t: &Table,
        row: &Row,
        col: usize,
    ) -> Result<(RecordRef, String), InputError> {
        resolve_key(&self.index, t, row, col).map(|(r, o)| (r, o.to_string()))
    }

    pub(super) fn candidate(
        &mut self,
        object: String,
        members: Vec<RecordRef>,
        score: f64,
        reasons: Vec<Reason>,
    ) -> Result<()> {
        let c = NewCandidate { object, members, score, origin: self.origin.clone(), reasons };
        self.write_candidate(&c)
    }

    pub(super) fn write_candidate(&mut self, c: &NewCandidate) -> Result<()> {
        match self.tx.upsert_candidate(Some(self.batch), &self.at, c)? {
            CandidateUpsert::New => self.summary.candidates_added += 1,
            CandidateUpsert::Changed => self.summary.candidates_changed += 1,
            CandidateUpsert::Unchanged => self.summary.candidates_unchanged += 1,
            CandidateUpsert::Suppressed => self.summary.candidates_suppressed += 1,
        }
        Ok(())
    }

    pub(super) fn row_done(&mut self) {
        self.summary.rows += 1;
        self.progress.tick(self.summary.rows);
    }

    pub(super) fn add_to_cluster(
        &mut self,
        cluster: &str,
        member: RecordRef,
        object: String,
        score: Option<f64>,
        reason: Option<&str>,
    ) {
        let c = self.cluster(cluster, object);
        if !c.members.iter().any(|m| m.rowid == member.rowid) {
            c.members.push(member);
        }
        if let Some(s) = score {
            c.lowest = Some(c.lowest.map_or(s, |old: f64| old.min(s)));
        }
        if let Some(text) = reason {
            let reason = Reason::text(text);
            if !c.reasons.contains(&reason) {
                c.reasons.push(reason);
            }
        }
    }

    /// Counts a member of `cluster` (added with no score) that the tool scored 0.
    pub(super) fn scored_zero(&mut self, cluster: &str, object: String) {
        self.cluster(cluster, object).scored_zero += 1;
    }

    fn cluster(&mut self, cluster: &str, object: String) -> &mut Cluster {
        let i = *self.cluster_pos.entry(cluster.to_string()).or_insert_with(|| {
            self.clusters.push(Cluster {
                members: Vec::new(),
                object,
                lowest: None,
                reasons: Vec::new(),
                scored_zero: 0,
            });
            self.clusters.len() - 1
        });
        &mut self.clusters[i]
    }

    /// Writes every cluster of two or more records; a cluster's score is its lowest member score.
    pub(super) fn flush_clusters(&mut self, what: &str) -> Result<()> {
        for Cluster { members, object, lowest, mut reasons, scored_zero } in
            std::mem::take(&mut self.clusters)
        {
            if members.len() < 2 {
                self.summary.single_clusters += 1;
                continue;
            }
            let through = match scored_zero {
                0 => String::new(),
                _ if lowest.is_none() => " (every member scored 0)".to_string(),
                n => format!(
                    " ({} scored 0, linked only through the others)",
                    crate::text::count(n as u64, "member", "members")
                ),
            };
            let score = match (lowest, scored_zero) {
                (None, n) if n > 0 => Some(0.0),
                (s, _) => s,
            };
            let text = match score {
                Some(s) => format!("clustered by {what}, lowest member score {s:.3}{through}"),
                None => format!("clustered by {what} (the file gives no score)"),
            };
            reasons.insert(0, Reason::text(text));
            self.candidate(object, members, score.unwrap_or(1.0), reasons)?;
        }
        Ok(())
    }
}
