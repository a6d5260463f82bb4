//! Records: upsert from imports (a version that grows when an import changes a record) and lookups.

use super::{BatchId, Store, Tx};
use crate::model::{Fields, Record, RecordKey};
use anyhow::Result;
use rusqlite::{params, OptionalExtension, Row};

/// A record as an importer hands it over.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRecord {
    pub object: String,
    pub key: RecordKey,
    pub fields: Fields,
    pub created: Option<String>,
    pub updated: Option<String>,
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordUpsert {
    New,
    Changed,
    Unchanged,
    /// Not written: the file's copy was last modified before the stored one.
    Older,
}

/// How an import's copy of a record meets the stored copy.
#[derive(Debug, Clone, Copy)]
pub enum RecordWrite<'a> {
    /// The copy is the record: its fields replace the stored ones.
    Replace,
    /// A records export: the fields it has a column for (`columns`, sorted) take its values, an
    /// empty cell clearing one; stored fields it has no column for stay (a narrower report is not
    /// an order to delete). A copy modified before the stored one is left out unless
    /// `allow_older` (a re-run of yesterday's file must not roll records back).
    Export { columns: &'a [String], allow_older: bool },
    /// A matcher's file (Splink's `_l`/`_r` columns): its values fill only fields the record
    /// lacks, since matchers are usually run on cleaned copies and the CRM's own values stand.
    Fill(&'a Fields),
}

/// The workspace's row id and current version of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RecordRef {
    pub rowid: i64,
    pub version: i64,
}

/// Record keys resolved to rows, loaded once per import so that resolving a million candidate
/// members never goes back to SQLite.
#[derive(Debug, Default)]
pub struct RecordIndex {
    /// Keyed by the `source:id` text, so a key read from a file resolves without allocating.
    by_key: hashbrown::HashMap<Box<str>, (RecordRef, u32)>,
    objects: Vec<String>,
}

/// A key that names records of several objects.
pub const AMBIGUOUS: u32 = u32::MAX;

impl RecordIndex {
    /// The record with this key and its object, or an error text when missing or ambiguous.
    pub fn resolve(&self, key: &str) -> std::result::Result<(RecordRef, &str), String> {
        match self.by_key.get(key) {
            None => Err(format!("unknown record {key}")),
            Some((_, AMBIGUOUS)) => Err(format!("record {key} exists for several objects; give --object")),
            Some((r, obj)) => Ok((*r, &self.objects[*obj as usize])),
        }
    }

    /// Adds or refreshes one record (after an importer wrote it in the same transaction).
    pub fn insert(&mut self, object: &str, key: &RecordKey, r: RecordRef) {
        let obj = match self.objects.iter().position(|o| o == object) {
            Some(i) => i as u32,
            None => {
                self.objects.push(object.to_string());
                (self.objects.len() - 1) as u32
            }
        };
        let entry = self.by_key.entry(key.to_string().into_boxed_str()).or_insert((r, obj));
        if entry.1 != obj && entry.0.rowid != r.rowid {
            entry.1 = AMBIGUOUS;
        } else {
            *entry = (r, obj);
        }
    }

    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }
}

/// `new` (serialised fields) with the fields of `old` that `columns` (sorted) does not name.
fn keep_outside(old: &str, new: &str, columns: &[String]) -> Result<String> {
    let old: Fields = serde_json::from_str(old)?;
    let mut kept = old.into_iter().filter(|(k, _)| columns.binary_search(k).is_err()).peekable();
    if kept.peek().is_none() {
        return Ok(new.to_string());
    }
    let mut all: Fields = serde_json::from_str(new)?;
    all.extend(kept);
    Ok(fields_json(&all))
}

fn fields_json(fields: &Fields) -> String {
    serde_json::to_string(fields).expect("a map of strings always serialises")
}

pub(super) fn record_from_row(row: &Row) -> rusqlite::Result<Record> {
    let fields: String = row.get("fields")?;
    Ok(Record {
        object: row.get("object")?,
        key: RecordKey::new(row.get::<_, String>("source")?, row.get::<_, String>("ext_id")?),
        fields: serde_json::from_str(&fields).unwrap_or_default(),
        created: row.get("created")?,
        updated: row.get("updated")?,
        version: row.get("version")?,
    })
}

/// A record with its fields already serialised as the JSON object stored in `records.fields`
/// (keys sorted): a large import encodes on its reading thread, so the writing thread only binds.
#[derive(Debug, Clone, Copy)]
pub struct EncodedRecord<'a> {
    pub object: &'a str,
    pub source: &'a str,
    pub id: &'a str,
    pub fields: &'a str,
    pub created: Option<&'a str>,
    pub updated: Option<&'a str>,
}

impl NewRecord {
    /// This record with `fields_json` (which must be `fields` serialised) as its stored fields.
    pub fn encoded<'a>(&'a self, fields_json: &'a str) -> EncodedRecord<'a> {
        EncodedRecord {
            object: &self.object,
            source: &self.key.source,
            id: &self.key.id,
            fields: fields_json,
            created: self.created.as_deref(),
            updated: self.updated.as_deref(),
        }
    }
}

impl Tx<'_> {
    /// Inserts a record, or replaces its values when they differ (bumping the version once per batch).
    pub fn upsert_record(&self, batch: BatchId, rec: &NewRecord) -> Result<(RecordUpsert, RecordRef)> {
        self.upsert_encoded(batch, &rec.encoded(&fields_json(&rec.fields)))
    }

    /// `upsert_record` of a record whose fields are already serialised.
    pub fn upsert_encoded(&self, batch: BatchId, rec: &EncodedRecord) -> Result<(RecordUpsert, RecordRef)> {
        self.write_record(batch, rec, RecordWrite::Replace)
    }

    /// Like `upsert_record`, but only adds the fields and timestamps the stored copy lacks (a
    /// candidates file holds the compared columns of a record, often cleaned by the matcher).
    pub fn merge_record(&self, batch: BatchId, rec: &NewRecord) -> Result<(RecordUpsert, RecordRef)> {
        self.write_record(batch, &rec.encoded(&fields_json(&rec.fields)), RecordWrite::Fill(&rec.fields))
    }

    /// Writes `rec` as `how` says.
    pub fn write_record(
        &self,
        batch: BatchId,
        rec: &EncodedRecord,
        how: RecordWrite,
    ) -> Result<(RecordUpsert, RecordRef)> {
        let conn = self.conn();
        // New records are the common case of a large import: try the insert first, so that a
        // record not yet in the workspace costs one statement.
        let inserted = conn
            .prepare_cached(
                "INSERT INTO records (object, source, ext_id, fields, created, updated, version, batch_id) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7) ON CONFLICT DO NOTHING",
            )?
            .execute(params![
                rec.object,
                rec.source,
                rec.id,
                rec.fields,
                rec.created,
                rec.updated,
                batch.0
            ])?;
        if inserted == 1 {
            self.record_added(rec.object, rec.source);
            return Ok((RecordUpsert::New, RecordRef { rowid: conn.last_insert_rowid(), version: 1 }));
        }
        let (rowid, old_fields, created, updated, version, old_batch) = conn
            .prepare_cached(
                "SELECT id, fields, created, updated, version, batch_id FROM records \
                 WHERE object = ?1 AND source = ?2 AND ext_id = ?3",
            )?
            .query_row(params![rec.object, rec.source, rec.id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                ))
            })?;
        if let RecordWrite::Export { allow_older: false, .. } = how {
            if let (Some(new), Some(stored)) = (rec.updated, updated.as_deref()) {
                if crate::clock::before(new, stored) {
                    return Ok((RecordUpsert::Older, RecordRef { rowid, version }));
                }
            }
        }
        let (fields, new_created, new_updated) = match how {
            RecordWrite::Replace => {
                (rec.fields.to_string(), rec.created.map(str::to_string), rec.updated.map(str::to_string))
            }
            RecordWrite::Export { columns, .. } => {
                let fields = if old_fields == rec.fields {
                    old_fields.clone()
                } else {
                    keep_outside(&old_fields, rec.fields, columns)?
                };
                (
                    fields,
                    rec.created.map(str::to_string).or(created.clone()),
                    rec.updated.map(str::to_string).or(updated.clone()),
                )
            }
            RecordWrite::Fill(new_fields) => {
                let mut all: Fields = serde_json::from_str(&old_fields).unwrap_or_default();
                for (k, v) in new_fields {
                    all.entry(k.clone()).or_insert_with(|| v.clone());
                }
                (
                    fields_json(&all),
                    created.clone().or(rec.created.map(str::to_string)),
                    updated.clone().or(rec.updated.map(str::to_string)),
                )
            }
        };
        if old_fields == fields && created == new_created && updated == new_updated {
            return Ok((RecordUpsert::Unchanged, RecordRef { rowid, version }));
        }
        // A record written twice by one import is one change, not two.
        let version = if old_batch == Some(batch.0) {
            version
        } else {
            conn.prepare_cached(
                "INSERT OR IGNORE INTO record_history (record_id, version, fields, created, updated) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![rowid, version, old_fields, created, updated])?;
            version + 1
        };
        conn.prepare_cached(
            "UPDATE records SET fields = ?2, created = ?3, updated = ?4, version = ?5, batch_id = ?6 \
             WHERE id = ?1",
        )?
        .execute(params![rowid, fields, new_created, new_updated, version, batch.0])?;
        Ok((RecordUpsert::Changed, RecordRef { rowid, version }))
    }

    /// Counts a record this transaction inserted, for `count_new_records`.
    pub(super) fn record_added(&self, object: &str, source: &str) {
        let mut added = self.new_records.borrow_mut();
        // An import adds one object from one or two sources: the last entry is nearly always it.
        match added.iter_mut().rev().find(|(o, s, _)| o == object && s == source) {
            Some((_, _, n)) => *n += 1,
            None => added.push((object.to_string(), source.to_string(), 1)),
        }
    }

    /// Adds the records this transaction inserted to `record_counts` (counted as they were
    /// inserted: a trigger per row would add 40% to a large records import).
    pub(super) fn count_new_records(&self) -> Result<()> {
        let mut upsert = self.conn().prepare_cached(
            "INSERT INTO record_counts (object, source, n) VALUES (?1, ?2, ?3) \
             ON CONFLICT (object, source) DO UPDATE SET n = n + excluded.n",
        )?;
        for (object, source, n) in self.new_records.take() {
            upsert.execute(params![object, source, n])?;
        }
        Ok(())
    }

    /// Every record key (of one object, or all) resolved to its row.
    pub fn record_index(&self, object: Option<&str>) -> Result<RecordIndex> {
        load_index(self.conn(), object)
    }
}

fn load_index(conn: &rusqlite::Connection, object: Option<&str>) -> Result<RecordIndex> {
    let mut index = RecordIndex::default();
    let mut stmt = conn
        .prepare("SELECT object, source, ext_id, id, version FROM records WHERE ?1 IS NULL OR object = ?1")?;
    let mut rows = stmt.query(params![object])?;
    while let Some(row) = rows.next()? {
        let object: String = row.get(0)?;
        let key = RecordKey::new(row.get::<_, String>(1)?, row.get::<_, String>(2)?);
        index.insert(&object, &key, RecordRef { rowid: row.get(3)?, version: row.get(4)? });
    }
    Ok(index)
}

impl Store {
    /// One record by key (of one object, or of any when the key is unambiguous).
    pub fn record(&self, object: Option<&str>, key: &RecordKey) -> Result<Option<Record>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT * FROM records WHERE source = ?1 AND ext_id = ?2 AND (?3 IS NULL OR object = ?3) LIMIT 1",
        )?;
        Ok(stmt.query_row(params![key.source, key.id, object], record_from_row).optional()?)
    }

    /// Every record of an object, in key order (detection reads this).
    pub fn records_of(&self, object: &str) -> Result<Vec<Record>> {
        let mut stmt =
            self.conn().prepare("SELECT * FROM records WHERE object = ?1 ORDER BY source, ext_id")?;
        let rows = stmt.query_map(params![object], record_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

impl Store {
    /// The fields a record had at an earlier version (`None` when that version is not kept).
    pub fn record_fields_at(&self, key: &RecordKey, object: &str, version: i64) -> Result<Option<Fields>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT h.fields FROM record_history h JOIN records r ON r.id = h.record_id \
             WHERE r.object = ?1 AND r.source = ?2 AND r.ext_id = ?3 AND h.version = ?4 \
             UNION ALL SELECT fields FROM records WHERE object = ?1 AND source = ?2 AND ext_id = ?3 AND version = ?4",
        )?;
        let text: Option<String> =
            stmt.query_row(params![object, key.source, key.id, version], |r| r.get(0)).optional()?;
        Ok(text.map(|t| serde_json::from_str(&t).unwrap_or_default()))
    }
}
