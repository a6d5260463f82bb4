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

    /// The pending pair candidates of an object that only detection proposed, as record row ids
    /// (smaller first): a run that compares such a pair again rescores it even below the
    /// threshold, so that its score and reasons never describe records as they no longer are.
    pub fn detect_only_pending_pairs(&self, object: &str) -> Result<std::collections::HashSet<(i64, i64)>> {
        let mut stmt = self.conn().prepare(concat!(
            "SELECT c.member_key FROM candidates c \
             WHERE c.object = ?1 AND c.size = 2 AND c.status = 'pending' AND ",
            candidate_origins!(),
            " = '[\"detect\"]'"
        ))?;
        let mut rows = stmt.query(params![object])?;
        let mut pairs = std::collections::HashSet::new();
        while let Some(row) = rows.next()? {
            let key = row.get_ref(0)?.as_str()?;
            if let Some((a, b)) = key.split_once(',') {
                if let (Ok(a), Ok(b)) = (a.parse(), b.parse()) {
                    pairs.insert((a, b));
                }
            }
        }
        Ok(pairs)
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
            // Row by row through `detect_seen`, each record looked up by id: the cost follows the
            // rows there are to forget (none on a first run), where `record_id IN (SELECT id FROM
            // records WHERE object = ?1)` first lists every record of the object in a temporary
            // index (2.3 s for a million, even with nothing to delete).
            conn.execute(
                "DELETE FROM detect_seen WHERE EXISTS \
                 (SELECT 1 FROM records r WHERE r.id = detect_seen.record_id AND r.object = ?1)",
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RecordKey;
    use crate::store::{NewBatch, NewRecord};

    /// Three records of `contact` and two of `account`; their row ids by object.
    fn seed(store: &mut Store) -> (Vec<i64>, Vec<i64>) {
        store
            .write(|tx| {
                let batch = tx.begin_batch(&NewBatch {
                    kind: "records".into(),
                    file: "t.csv".into(),
                    sha256: String::new(),
                    format: "csv".into(),
                    object: None,
                    source: None,
                    at: "2026-01-01T00:00:00Z".into(),
                    steward: "t".into(),
                })?;
                let put = |object: &str, n: usize| -> Result<Vec<i64>> {
                    (0..n)
                        .map(|i| {
                            let rec = NewRecord {
                                object: object.into(),
                                key: RecordKey::new("s", format!("{object}{i}")),
                                fields: Default::default(),
                                created: None,
                                updated: None,
                            };
                            Ok(tx.upsert_record(batch, &rec)?.1.rowid)
                        })
                        .collect()
                };
                Ok((put("contact", 3)?, put("account", 2)?))
            })
            .unwrap()
    }

    /// (row id, seen version) of an object's records, as detection reads them.
    fn seen(store: &Store, object: &str) -> Vec<(i64, Option<i64>)> {
        let mut out = Vec::new();
        store
            .detect_rows(object, |row| {
                out.push((row.rowid, row.seen_version));
                Ok(())
            })
            .unwrap();
        out
    }

    fn save(store: &mut Store, object: &str, rows: &[(i64, i64)], full: bool) {
        let state = DetectState {
            fingerprint: "f".into(),
            model: "{}".into(),
            records: rows.len() as i64,
            at: "2026-01-02T00:00:00Z".into(),
        };
        store.write(|tx| tx.save_detect_state(object, &state, rows, full)).unwrap();
    }

    #[test]
    fn a_full_run_forgets_only_its_own_objects_seen_versions() {
        let mut store = Store::in_memory().unwrap();
        let (contacts, accounts) = seed(&mut store);
        save(&mut store, "contact", &contacts.iter().map(|r| (*r, 1)).collect::<Vec<_>>(), true);
        save(&mut store, "account", &accounts.iter().map(|r| (*r, 1)).collect::<Vec<_>>(), true);
        // An incremental run adds to what is known.
        save(&mut store, "contact", &[(contacts[1], 7)], false);
        assert_eq!(
            seen(&store, "contact"),
            [(contacts[0], Some(1)), (contacts[1], Some(7)), (contacts[2], Some(1))]
        );
        // A full run that compared only some records (the others must look new next time).
        save(&mut store, "contact", &[(contacts[2], 2)], true);
        assert_eq!(
            seen(&store, "contact"),
            [(contacts[0], None), (contacts[1], None), (contacts[2], Some(2))]
        );
        assert_eq!(seen(&store, "account"), [(accounts[0], Some(1)), (accounts[1], Some(1))]);
    }
}
