//! The rows `audit verify` rebuilds from the journal and compares: every candidate's members (by
//! record row id), the `approved_members` table and the `rejected_pairs` table, read whole, and
//! record keys for naming what differs. Reads only.

use crate::model::{CandidateId, RecordKey};
use crate::store::Store;
use anyhow::Result;
use rusqlite::OptionalExtension;
use rustc_hash::FxHashMap;

impl Store {
    /// The members (record row ids, ascending) of the candidates `wanted` accepts, by candidate.
    pub fn candidate_record_ids(
        &self,
        wanted: impl Fn(CandidateId) -> bool,
    ) -> Result<FxHashMap<CandidateId, Vec<i64>>> {
        let mut stmt = self.conn().prepare("SELECT id, member_key FROM candidates")?;
        let mut rows = stmt.query([])?;
        let mut out = FxHashMap::default();
        while let Some(r) = rows.next()? {
            let id = CandidateId(r.get(0)?);
            if wanted(id) {
                let key = r.get_ref(1)?.as_str()?;
                out.insert(id, key.split(',').filter_map(|k| k.parse().ok()).collect());
            }
        }
        Ok(out)
    }

    /// Every `approved_members` row: (record row id, candidate).
    pub fn approved_member_rows(&self) -> Result<Vec<(i64, CandidateId)>> {
        let mut stmt = self.conn().prepare("SELECT record_id, candidate_id FROM approved_members")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, CandidateId(r.get(1)?))))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every `rejected_pairs` row: (a, b), record row ids.
    pub fn rejected_pair_rows(&self) -> Result<Vec<(i64, i64)>> {
        let mut stmt = self.conn().prepare("SELECT a, b FROM rejected_pairs")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The key of each record (by row id), or its row id as text when no record has it.
    pub fn record_key_texts(&self, rowids: &[i64]) -> Result<Vec<String>> {
        let mut stmt = self.conn().prepare_cached("SELECT source, ext_id FROM records WHERE id = ?1")?;
        let mut out = Vec::new();
        for &rowid in rowids {
            let key = stmt
                .query_row([rowid], |r| Ok(RecordKey::new(r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
                .optional()?;
            out.push(key.map_or_else(|| format!("record row {rowid}"), |k| k.to_string()));
        }
        Ok(out)
    }
}
