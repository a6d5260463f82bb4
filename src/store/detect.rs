//! Detection's tables: the records it reads (streamed, so a million records never sit in memory as
//! `Record` values), and what a run leaves for the next one (settings, trained model, the record
//! versions it compared).

use super::{Store, Tx};
use anyhow::Result;
use rusqlite::{params, OptionalExtension};

/// One record as detection reads it.
#[derive(Debug, Clone, Copy)]
pub struct DetectRow<'a> {
    pub rowid: i64,
    pub version: i64,
    pub source: &'a str,
    /// The fields as stored: a JSON object of strings.
    pub fields: &'a str,
    /// The version the last detection run compared, if any.
    pub seen_version: Option<i64>,
}

/// What the last run of an object left.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectState {
    pub fingerprint: String,
    pub model: String,
    pub records: i64,
    pub at: String,
}

impl Store {
    /// Streams the records of an object in row order.
    pub fn detect_rows(&self, object: &str, mut f: impl FnMut(DetectRow<'_>) -> Result<()>) -> Result<()> {
        let mut stmt = self.conn().prepare(
            // A scan in row order: through the (object, source, ext_id) index SQLite would sort
            // every record's fields by id in a temporary tree first.
            "SELECT r.id, r.version, r.source, r.fields, s.version FROM records r NOT INDEXED \
             LEFT JOIN detect_seen s ON s.record_id = r.id WHERE r.object = ?1 ORDER BY r.id",
        )?;
        let mut rows = stmt.query(params![object])?;
        while let Some(row) = rows.next()? {
            let source = row.get_ref(2)?.as_str()?;
            let fields = row.get_ref(3)?.as_str()?;
            f(DetectRow {
                rowid: row.get(0)?,
                version: row.get(1)?,
                source,
                fields,
                seen_version: row.get(4)?,
            })?;
        }
        Ok(())
    }

    /// Gives this connection a page cache large enough for a big detection write (hundreds of
    /// thousands of candidates): pages stay in memory instead of being looked up in the WAL.
    pub fn widen_cache_for_bulk_write(&self) -> Result<()> {
        self.conn().pragma_update(None, "cache_size", -262_144)?;
        Ok(())
    }

    /// The state the last detection run of `object` left, if any.
    pub fn detect_state(&self, object: &str) -> Result<Option<DetectState>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT fingerprint, model, records, at FROM detect_state WHERE object = ?1",
                params![object],
                |r| {
                    Ok(DetectState {
                        fingerprint: r.get(0)?,
                        model: r.get(1)?,
                        records: r.get(2)?,
                        at: r.get(3)?,
                    })
                },
            )
            .optional()?)
    }
}

impl Tx<'_> {
    /// Records a run's settings and model, and the record versions it compared. A full run
    /// (`replace_seen`) forgets what earlier runs of the object saw first.
    pub fn save_detect_state(
        &self,
        object: &str,
        state: &DetectState,
        seen: &[(i64, i64)],
        replace_seen: bool,
    ) -> Result<()> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO detect_state (object, fingerprint, model, records, at) VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (object) DO UPDATE SET fingerprint = excluded.fingerprint, model = excluded.model, \
             records = excluded.records, at = excluded.at",
            params![object, state.fingerprint, state.model, state.records, state.at],
        )?;
        if replace_seen {
            conn.execute(
                "DELETE FROM detect_seen WHERE record_id IN (SELECT id FROM records WHERE object = ?1)",
                params![object],
            )?;
        }
        // Many rows per statement: a full run records every record of the object.
        const ROWS: usize = 256;
        let many = format!(
            "INSERT OR REPLACE INTO detect_seen (record_id, version) VALUES {}",
            vec!["(?, ?)"; ROWS].join(", ")
        );
        let mut chunks = seen.chunks_exact(ROWS);
        let mut put_many = conn.prepare_cached(&many)?;
        for chunk in &mut chunks {
            let values = chunk.iter().flat_map(|(rowid, version)| [rowid, version]);
            put_many.execute(rusqlite::params_from_iter(values))?;
        }
        let mut put =
            conn.prepare_cached("INSERT OR REPLACE INTO detect_seen (record_id, version) VALUES (?1, ?2)")?;
        for (rowid, version) in chunks.remainder() {
            put.execute(params![rowid, version])?;
        }
        Ok(())
    }
}
