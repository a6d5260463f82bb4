//! Bulk loading for benchmarks: writes many record pairs and their candidates straight into a
//! fresh workspace, in large transactions, skipping the upsert checks an import needs. Not for
//! user data: it assumes the keys are new and the workspace holds no candidates yet.

use super::Store;
use crate::model::Fields;
use anyhow::Result;
use rusqlite::params;

/// One record of a bulk pair.
#[derive(Debug, Clone)]
pub struct BulkRecord {
    pub source: String,
    pub id: String,
    pub fields: Fields,
    pub created: String,
    pub updated: String,
}

/// A pair candidate with its two new records.
#[derive(Debug, Clone)]
pub struct BulkPair {
    pub left: BulkRecord,
    pub right: BulkRecord,
    pub score: f64,
}

/// Pairs per transaction: large enough to be fast, small enough to keep the WAL in check.
const CHUNK: usize = 50_000;

impl Store {
    /// Inserts `pairs` of `object` records and one pending candidate per pair; returns how many.
    pub fn bulk_pairs(
        &mut self,
        object: &str,
        at: &str,
        pairs: impl Iterator<Item = BulkPair>,
    ) -> Result<u64> {
        let mut pairs = pairs.peekable();
        let mut count = 0u64;
        while pairs.peek().is_some() {
            let chunk: Vec<BulkPair> = pairs.by_ref().take(CHUNK).collect();
            count += chunk.len() as u64;
            self.write(|tx| {
                let conn = tx.conn();
                let mut rec = conn.prepare_cached(
                    "INSERT INTO records (object, source, ext_id, fields, created, updated, version) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1)",
                )?;
                let mut cand = conn.prepare_cached(
                    "INSERT INTO candidates (object, member_key, member_versions, size, score, origin, reasons, created_at) \
                     VALUES (?1, ?2, '1,1', 2, ?3, '[\"bench\"]', ?4, ?5)",
                )?;
                for p in &chunk {
                    let mut ids = [0i64; 2];
                    for (i, r) in [&p.left, &p.right].into_iter().enumerate() {
                        let fields = serde_json::to_string(&r.fields)?;
                        rec.execute(params![object, r.source, r.id, fields, r.created, r.updated])?;
                        ids[i] = conn.last_insert_rowid();
                        tx.record_added(object, &r.source);
                    }
                    ids.sort_unstable();
                    let reasons = r#"[{"text":"generated for the benchmark"}]"#;
                    cand.execute(params![object, format!("{},{}", ids[0], ids[1]), p.score, reasons, at])?;
                }
                Ok(())
            })?;
        }
        Ok(count)
    }
}
