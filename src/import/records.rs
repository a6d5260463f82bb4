//! Records from CSV or JSON Lines: one record per row, an id column, recognised timestamp columns,
//! every other column a field. Empty cells are missing values, never "".

use super::pipeline::{pipelined, Rows};
use super::table::{Hashing, Row, Table};
use super::{ImportContext, InputError, Progress, Summary};
use crate::clock::parse_timestamp;
use crate::export::field_names::FieldNames;
use crate::model::Fields;
use crate::store::{EncodedRecord, NewBatch, RecordWrite, Store};
use anyhow::Result;
use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;
use std::sync::Arc;

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
    /// `--fields FILE`: the workspace field a column is stored as, where it is not its own name
    /// (a HubSpot export's `First Name` as `first_name`, so that sources meet in one field).
    pub fields: Option<FieldNames>,
    /// Import rows last modified before the workspace's copy (`--allow-older`); by default they
    /// are left out, so that re-running yesterday's export cannot roll records back.
    pub allow_older: bool,
}

impl RecordOptions {
    /// Options for a CSV file of `object` records from `source`, everything else as by default.
    pub fn csv(object: &str, source: &str) -> RecordOptions {
        RecordOptions {
            object: object.to_string(),
            source: source.to_string(),
            id_column: None,
            format: RecordFormat::Csv,
            delimiter: b',',
            fields: None,
            allow_older: false,
        }
    }

    /// The field a column is stored as: the name `--fields` gives it, else its own.
    fn stored_name<'a>(&'a self, column: &'a str) -> &'a str {
        self.fields.as_ref().and_then(|f| f.field_of_column(&self.object, column)).unwrap_or(column)
    }
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
    "SystemModstamp",
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
            let hint = super::table::delimiter_hint(headers);
            InputError::at(
                file,
                1,
                None,
                format!("no `id` column: name the id column with --id-column{hint}"),
            )
        })?,
    };
    Ok(Columns { id, created: find(headers, CREATED_COLUMNS), updated: find(headers, UPDATED_COLUMNS) })
}

/// One record as the reading thread hands it on: its fields already serialised.
struct ReadRecord {
    id: String,
    fields: String,
    /// The fields the row speaks for, sorted: the file's field columns (a JSON Lines row: its
    /// keys, `null` ones included). Stored fields outside them are kept.
    columns: Arc<[String]>,
    created: Option<String>,
    updated: Option<String>,
}

/// Parses a timestamp cell, or says where it is not one.
fn stamp(t: &Table, row: &Row, col: Option<usize>) -> Result<Option<String>, InputError> {
    match col.and_then(|c| row.get(c).map(|v| (c, v))) {
        None => Ok(None),
        Some((c, v)) => parse_timestamp(v).map(Some).ok_or_else(|| {
            t.error(
                row.line,
                c,
                format!("`{}` is not a timestamp this importer reads", crate::text::visible(v)),
            )
        }),
    }
}

/// The JSON object stored in `records.fields` from (name, value) pairs sorted by name: the same
/// text `serde_json` writes for a `Fields` map, without building the map.
fn fields_json<'a>(sorted: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = Vec::with_capacity(256);
    out.push(b'{');
    for (i, (name, value)) in sorted.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        crate::json::push_str(&mut out, name);
        out.push(b':');
        crate::json::push_str(&mut out, value);
    }
    out.push(b'}');
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// The fields of a CSV file: each field column's index and the name it is stored under, in the
/// order of those names; two columns stored under one name are refused.
fn field_columns(
    t: &Table,
    cols: &Columns,
    opts: &RecordOptions,
) -> Result<Vec<(usize, String)>, InputError> {
    let mut fields: Vec<(usize, String)> = (0..t.headers.len())
        .filter(|&i| i != cols.id && Some(i) != cols.created && Some(i) != cols.updated)
        .map(|i| (i, opts.stored_name(&t.headers[i]).to_string()))
        .collect();
    fields.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    if let Some(w) = fields.windows(2).find(|w| w[0].1 == w[1].1) {
        let (first, second) = (w[0].0.min(w[1].0), w[0].0.max(w[1].0));
        return Err(t.error(1, second, same_field(&t.headers[first], &t.headers[second], &w[0].1, opts)));
    }
    Ok(fields)
}

/// Why two columns cannot both be read: they would be stored as one field.
fn same_field(first: &str, second: &str, field: &str, opts: &RecordOptions) -> String {
    let by = opts.fields.as_ref().map(|f| format!(" (by --fields {})", f.file())).unwrap_or_default();
    format!(
        "columns `{}` and `{}` would both be stored as field `{}`{by}",
        crate::text::visible(first),
        crate::text::visible(second),
        crate::text::visible(field)
    )
}

/// Turns one row into a record: the id is required, timestamps must parse. `fields` are the
/// field columns and their stored names, in the order of those names.
fn read_record(
    t: &Table,
    cols: &Columns,
    fields: &[(usize, String)],
    columns: &Arc<[String]>,
    row: &Row,
) -> Result<ReadRecord, InputError> {
    let id = row.get(cols.id).ok_or_else(|| t.error(row.line, cols.id, "missing id value"))?;
    Ok(ReadRecord {
        id: id.trim().to_string(),
        fields: fields_json(fields.iter().filter_map(|(i, name)| row.get(*i).map(|v| (name.as_str(), v)))),
        columns: columns.clone(),
        created: stamp(t, row, cols.created)?,
        updated: stamp(t, row, cols.updated)?,
    })
}

/// Refuses an id that an earlier row of the same file already gave.
#[derive(Default)]
struct SeenIds(HashMap<String, u64>);

impl SeenIds {
    fn check(&mut self, file: &str, id: &str, line: u64, id_col: &(usize, String)) -> Result<(), InputError> {
        match self.0.insert(id.to_string(), line) {
            None => Ok(()),
            Some(first) => Err(InputError::at(
                file,
                line,
                Some(id_col.clone()),
                format!("id `{}` repeats the record on line {first}", crate::text::visible(id)),
            )),
        }
    }
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
        let path_of = crate::journal::absolute_path(&file);
        let mut summary = Summary { file: file.clone(), path: path_of, ..Summary::default() };
        let progress = Progress::new("importing records:");
        // One thread reads, checks and serialises the rows while this one writes them.
        let sha = pipelined(
            |rows| match opts.format {
                RecordFormat::Csv => read_csv(path, opts, rows),
                RecordFormat::Jsonl => read_jsonl(path, opts, rows),
            },
            |r: ReadRecord| {
                let rec = EncodedRecord {
                    object: &opts.object,
                    source: &opts.source,
                    id: &r.id,
                    fields: &r.fields,
                    created: r.created.as_deref(),
                    updated: r.updated.as_deref(),
                };
                let how = RecordWrite::Export { columns: &r.columns, allow_older: opts.allow_older };
                summary.count_record(tx.write_record(batch, &rec, how)?.0);
                summary.rows += 1;
                progress.tick(summary.rows);
                Ok(())
            },
        )?;
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

/// Reads a CSV file's records into `out`; returns the file's SHA-256.
fn read_csv(path: &Path, opts: &RecordOptions, out: &mut Rows<ReadRecord>) -> Result<String, InputError> {
    let mut t = Table::open(path, opts.delimiter)?;
    let cols = columns(&t.file, &t.headers, opts.id_column.as_deref())?;
    let id_col = (cols.id + 1, t.headers[cols.id].clone());
    let fields = field_columns(&t, &cols, opts)?;
    if let Some(map) = &opts.fields {
        let missing = map.columns_missing(&opts.object, &t.headers);
        if !missing.is_empty() {
            let names: Vec<String> =
                missing.iter().map(|c| format!("`{}`", crate::text::visible(c))).collect();
            eprintln!(
                "note: {} names {} that {} has no column for (a typo, or a map for another export?)",
                map.file(),
                names.join(", "),
                t.file
            );
        }
    }
    let columns: Arc<[String]> = fields.iter().map(|(_, name)| name.clone()).collect();
    let mut seen = SeenIds::default();
    let mut row = Row::default();
    while t.next_row(&mut row)? {
        let rec = read_record(&t, &cols, &fields, &columns, &row)?;
        seen.check(&t.file, &rec.id, row.line, &id_col)?;
        if !out.push(rec) {
            break;
        }
    }
    t.finish()
}

/// JSON Lines: one object per line; strings, numbers and booleans are values, `null` and "" are
/// missing, arrays of scalars become `;`-separated values.
fn read_jsonl(path: &Path, opts: &RecordOptions, out: &mut Rows<ReadRecord>) -> Result<String, InputError> {
    let file = path.display().to_string();
    let handle =
        std::fs::File::open(path).map_err(|e| InputError::file(&file, format!("cannot open: {e}")))?;
    let mut reader = std::io::BufReader::new(Hashing::new(handle));
    let id_name = opts.id_column.clone().unwrap_or_else(|| "id".to_string());
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    let mut seen = SeenIds::default();
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
        let line = text.trim_end_matches(['\n', '\r']);
        let members = super::jsonl_row::parse(&file, line_no, line)?;
        // Errors about one member point at where its key is written.
        let at_key = |key: &str| Some((super::jsonl_row::key_column(line, key, 0), key.to_string()));
        // Keys with a missing value still speak for their field (clearing it on a re-import).
        let mut spoken: Vec<String> = Vec::with_capacity(members.len());
        let mut cells: Vec<(String, String)> = Vec::with_capacity(members.len());
        for (k, v) in members {
            match v {
                Some(text) => cells.push((k, text)),
                None => spoken.push(k),
            }
        }
        let headers: Vec<String> = cells.iter().map(|(k, _)| k.clone()).collect();
        // As in a CSV file: `--id-column` exactly, else `id`, `Record ID` or `hs_object_id`.
        let id_idx = match &opts.id_column {
            Some(name) => headers.iter().position(|h| h == name),
            None => find(&headers, ID_COLUMNS),
        }
        .ok_or_else(|| {
            InputError::at(
                &file,
                line_no,
                Some((1, id_name.clone())),
                match &opts.id_column {
                    Some(_) => format!("missing id value (key `{id_name}`)"),
                    None => "missing id value (key `id`, `Record ID` or `hs_object_id`; or name it with --id-column)"
                        .to_string(),
                },
            )
        })?;
        let stamp = |names: &[&str]| -> Result<Option<String>, InputError> {
            match find(&headers, names) {
                None => Ok(None),
                Some(i) => parse_timestamp(&cells[i].1).map(Some).ok_or_else(|| {
                    InputError::at(
                        &file,
                        line_no,
                        at_key(&cells[i].0),
                        format!(
                            "`{}` is not a timestamp this importer reads",
                            crate::text::visible(&cells[i].1)
                        ),
                    )
                }),
            }
        };
        let created = stamp(CREATED_COLUMNS)?;
        let updated = stamp(UPDATED_COLUMNS)?;
        let skip = [Some(id_idx), find(&headers, CREATED_COLUMNS), find(&headers, UPDATED_COLUMNS)];
        let id = cells[id_idx].1.trim().to_string();
        let mut fields = Fields::new();
        let mut stored_as: HashMap<String, String> = HashMap::new();
        for (i, (key, value)) in cells.into_iter().enumerate() {
            if skip.contains(&Some(i)) {
                continue;
            }
            let name = opts.stored_name(&key).to_string();
            if let Some(first) = stored_as.insert(name.clone(), key.clone()) {
                return Err(InputError::at(
                    &file,
                    line_no,
                    at_key(&key),
                    same_field(&first, &key, &name, opts),
                ));
            }
            fields.insert(name, value);
        }
        spoken.iter_mut().for_each(|k| *k = opts.stored_name(k).to_string());
        spoken.extend(fields.keys().cloned());
        spoken.sort();
        spoken.dedup();
        seen.check(&file, &id, line_no, &(1, id_name.clone()))?;
        let rec = ReadRecord {
            id,
            fields: serde_json::to_string(&fields).expect("a map of strings always serialises"),
            columns: spoken.into(),
            created,
            updated,
        };
        if !out.push(rec) {
            break;
        }
    }
    if seen.0.is_empty() {
        // Nothing but blank lines (or a byte-order mark): a failed export, not zero records, as a
        // CSV file without even a header row is.
        return Err(InputError::at(&file, 1, None, "the file is empty: expected one JSON object per line"));
    }
    reader.into_inner().finish().map_err(|e| InputError::file(&file, format!("cannot read: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_written_fields_are_what_serde_json_writes_for_the_map() {
        let cells = [
            ("Email", "a\"b@x.com"),
            ("City", "São Paulo"),
            ("note", "line\nbreak\ttab \u{1b}[31m \\ /"),
            ("Zeta", "=HYPERLINK(\"x\")"),
            ("ä", "\u{7f}\u{2028}"),
        ];
        let map: Fields = cells.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let mut sorted = cells.to_vec();
        sorted.sort();
        assert_eq!(fields_json(sorted.into_iter()), serde_json::to_string(&map).unwrap());
        assert_eq!(fields_json(std::iter::empty()), "{}");
    }
}
