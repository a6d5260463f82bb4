//! Records from CSV or JSON Lines: one record per row, an id column, recognised timestamp columns,
//! every other column a field. Empty cells are missing values, never "".

use super::table::{Hashing, Row, Table};
use super::{ImportContext, InputError, Progress, Summary};
use crate::clock::parse_timestamp;
use crate::model::{Fields, RecordKey};
use crate::store::{NewBatch, NewRecord, RecordUpsert, Store};
use anyhow::Result;
use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RecordFormat {
    Csv,
    Jsonl,
}

#[derive(Debug, Clone)]
pub struct RecordOptions {
    pub object: String,
    pub source: String,
    pub id_column: Option<String>,
    pub format: RecordFormat,
    pub delimiter: u8,
}

/// Column names read as the record's last-modified time (compared ignoring case, spaces and `_`).
pub const UPDATED_COLUMNS: &[&str] = &[
    "updated_at",
    "LastModifiedDate",
    "hs_lastmodifieddate",
    "lastmodifieddate",
    "Last Modified Date",
    "modifiedon",
    "Modified_Time",
    "updated",
];
/// Column names read as the record's creation time.
pub const CREATED_COLUMNS: &[&str] =
    &["created_at", "CreatedDate", "createdate", "Create Date", "createdon", "Created_Time", "created"];
/// Column names taken as the id when `--id-column` is not given.
const ID_COLUMNS: &[&str] = &["id", "Record ID", "hs_object_id"];

/// Which column plays which part.
pub(super) struct Columns {
    pub id: usize,
    pub created: Option<usize>,
    pub updated: Option<usize>,
}

pub(super) fn loose(name: &str) -> String {
    name.chars().filter(|c| !matches!(c, ' ' | '_' | '-')).flat_map(char::to_lowercase).collect()
}

fn find(headers: &[String], names: &[&str]) -> Option<usize> {
    names.iter().find_map(|n| headers.iter().position(|h| loose(h) == loose(n)))
}

pub(super) fn columns(
    file: &str,
    headers: &[String],
    id_column: Option<&str>,
) -> Result<Columns, InputError> {
    let id = match id_column {
        Some(name) => headers.iter().position(|h| h == name).ok_or_else(|| {
            InputError::at(file, 1, None, format!("no column named `{name}` (given by --id-column)"))
        })?,
        None => find(headers, ID_COLUMNS).ok_or_else(|| {
            InputError::at(file, 1, None, "no `id` column: name the id column with --id-column")
        })?,
    };
    Ok(Columns { id, created: find(headers, CREATED_COLUMNS), updated: find(headers, UPDATED_COLUMNS) })
}

/// Turns one row into a record: the id is required, timestamps must parse.
fn record_from_row(
    t: &Table,
    cols: &Columns,
    row: &Row,
    opts: &RecordOptions,
) -> Result<NewRecord, InputError> {
    let id = row.get(cols.id).ok_or_else(|| t.error(row.line, cols.id, "missing id value"))?;
    let stamp = |c: Option<usize>| -> Result<Option<String>, InputError> {
        match c.and_then(|c| row.get(c).map(|v| (c, v))) {
            None => Ok(None),
            Some((c, v)) => parse_timestamp(v).map(Some).ok_or_else(|| {
                t.error(
                    row.line,
                    c,
                    format!("`{}` is not a timestamp this importer reads", crate::text::visible(v)),
                )
            }),
        }
    };
    let mut fields = Fields::new();
    for (i, name) in t.headers.iter().enumerate() {
        if i == cols.id || Some(i) == cols.created || Some(i) == cols.updated {
            continue;
        }
        if let Some(v) = row.get(i) {
            fields.insert(name.clone(), v.to_string());
        }
    }
    Ok(NewRecord {
        object: opts.object.clone(),
        key: RecordKey::new(&opts.source, id.trim()),
        fields,
        created: stamp(cols.created)?,
        updated: stamp(cols.updated)?,
    })
}

/// Imports a records file in one transaction; nothing is written when any row is bad or when the
/// file changes nothing.
pub fn import_records(
    store: &mut Store,
    path: &Path,
    opts: &RecordOptions,
    ctx: &ImportContext,
) -> Result<Summary> {
    let file = path.display().to_string();
    store.write_if(|tx| {
        let batch = tx.begin_batch(&NewBatch {
            kind: "records".into(),
            file: file.clone(),
            sha256: String::new(),
            format: format!("{:?}", opts.format).to_lowercase(),
            object: Some(opts.object.clone()),
            source: Some(opts.source.clone()),
            at: ctx.at.clone(),
            steward: ctx.steward.clone(),
        })?;
        let mut summary = Summary { file: file.clone(), ..Summary::default() };
        let mut seen: HashMap<String, u64> = HashMap::new();
        let progress = Progress::new("importing records:");
        let mut sink = |rec: NewRecord, line: u64, id_col: (usize, String)| -> Result<()> {
            if let Some(first) = seen.insert(rec.key.id.clone(), line) {
                return Err(InputError::at(
                    &file,
                    line,
                    Some(id_col),
                    format!("id `{}` repeats the record on line {first}", crate::text::visible(&rec.key.id)),
                )
                .into());
            }
            match tx.upsert_record(batch, &rec)?.0 {
                RecordUpsert::New => summary.records_added += 1,
                RecordUpsert::Changed => summary.records_changed += 1,
                RecordUpsert::Unchanged => summary.records_unchanged += 1,
            }
            summary.rows += 1;
            progress.tick(summary.rows);
            Ok(())
        };
        let sha = match opts.format {
            RecordFormat::Csv => read_csv(path, opts, &mut sink)?,
            RecordFormat::Jsonl => read_jsonl(path, opts, &mut sink)?,
        };
        progress.done(summary.rows);
        summary.sha256 = sha;
        tx.finish_batch(
            batch,
            summary.rows,
            summary.records_added,
            summary.records_changed,
            &summary.sha256,
        )?;
        let keep = !summary.is_noop();
        if keep {
            crate::journal::record_import(tx, &ctx.steward, &ctx.at, "records", &summary)?;
        }
        Ok((summary, keep))
    })
}

type Sink<'a> = dyn FnMut(NewRecord, u64, (usize, String)) -> Result<()> + 'a;

fn read_csv(path: &Path, opts: &RecordOptions, sink: &mut Sink) -> Result<String> {
    let mut t = Table::open(path, opts.delimiter)?;
    let cols = columns(&t.file, &t.headers, opts.id_column.as_deref())?;
    let id_col = (cols.id + 1, t.headers[cols.id].clone());
    let mut row = Row::default();
    while t.next_row(&mut row)? {
        let rec = record_from_row(&t, &cols, &row, opts)?;
        sink(rec, row.line, id_col.clone())?;
    }
    Ok(t.finish()?)
}

/// JSON Lines: one object per line; strings, numbers and booleans are values, `null` and "" are
/// missing, arrays of scalars become `;`-separated values.
fn read_jsonl(path: &Path, opts: &RecordOptions, sink: &mut Sink) -> Result<String> {
    let file = path.display().to_string();
    let handle =
        std::fs::File::open(path).map_err(|e| InputError::file(&file, format!("cannot open: {e}")))?;
    let mut reader = std::io::BufReader::new(Hashing::new(handle));
    let id_name = opts.id_column.clone().unwrap_or_else(|| "id".to_string());
    let mut buf = Vec::new();
    let (mut line_no, mut rows) = (0u64, 0u64);
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| InputError::file(&file, format!("cannot read: {e}")))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let text = std::str::from_utf8(&buf).map_err(|e| {
            InputError::at(&file, line_no, Some((e.valid_up_to() + 1, String::new())), "invalid UTF-8")
        })?;
        let text = if line_no == 1 { text.trim_start_matches('\u{feff}') } else { text };
        if text.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            InputError::at(&file, line_no, Some((e.column(), String::new())), format!("invalid JSON: {e}"))
        })?;
        let serde_json::Value::Object(map) = value else {
            return Err(
                InputError::at(&file, line_no, Some((1, String::new())), "expected a JSON object").into()
            );
        };
        let mut cells: Vec<(String, String)> = Vec::with_capacity(map.len());
        for (k, v) in map {
            let text = match v {
                serde_json::Value::Null => continue,
                serde_json::Value::String(s) if s.is_empty() => continue,
                serde_json::Value::String(s) => s,
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|i| match i {
                        serde_json::Value::String(s) => Ok(s.clone()),
                        serde_json::Value::Object(_) | serde_json::Value::Array(_) => Err(()),
                        other => Ok(other.to_string()),
                    })
                    .collect::<Result<Vec<_>, ()>>()
                    .map_err(|_| {
                        InputError::at(&file, line_no, Some((1, k.clone())), "nested values are not fields")
                    })?
                    .join(";"),
                serde_json::Value::Object(_) => {
                    return Err(
                        InputError::at(&file, line_no, Some((1, k)), "nested objects are not fields").into()
                    )
                }
            };
            cells.push((k, text));
        }
        let headers: Vec<String> = cells.iter().map(|(k, _)| k.clone()).collect();
        let id_idx = headers.iter().position(|h| *h == id_name).ok_or_else(|| {
            InputError::at(
                &file,
                line_no,
                Some((1, id_name.clone())),
                format!("missing id value (key `{id_name}`)"),
            )
        })?;
        let stamp = |names: &[&str]| -> Result<Option<String>, InputError> {
            match find(&headers, names) {
                None => Ok(None),
                Some(i) => parse_timestamp(&cells[i].1).map(Some).ok_or_else(|| {
                    InputError::at(
                        &file,
                        line_no,
                        Some((1, cells[i].0.clone())),
                        "not a timestamp this importer reads",
                    )
                }),
            }
        };
        let created = stamp(CREATED_COLUMNS)?;
        let updated = stamp(UPDATED_COLUMNS)?;
        let skip = [Some(id_idx), find(&headers, CREATED_COLUMNS), find(&headers, UPDATED_COLUMNS)];
        let id = cells[id_idx].1.trim().to_string();
        let fields: Fields = cells
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !skip.contains(&Some(*i)))
            .map(|(_, kv)| kv)
            .collect();
        rows += 1;
        let rec = NewRecord {
            object: opts.object.clone(),
            key: RecordKey::new(&opts.source, id),
            fields,
            created,
            updated,
        };
        sink(rec, line_no, (1, id_name.clone()))?;
    }
    let _ = rows;
    Ok(reader.into_inner().finish().map_err(|e| InputError::file(&file, format!("cannot read: {e}")))?)
}
