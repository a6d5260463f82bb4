//! Records as the store streams them, read on two threads: the reading thread parses each
//! record's JSON fields into a `Batch` (values end to end in one buffer, field names as small
//! numbers) while a second thread interns full batches into the `RawTable`. Interning waits on
//! memory (a million records hold millions of distinct values), so SQLite's stepping and the JSON
//! parsing run meanwhile instead of before it.

use super::table::RawTable;
use crate::json::{Pairs, Text};
use std::collections::HashMap;

/// Records per batch handed from the reading thread to the interning one.
const BATCH: usize = 4096;

/// One record of a batch.
#[derive(Debug, Clone, Copy)]
struct Row {
    rowid: i64,
    version: i64,
    source: u32,
    dirty: bool,
    /// End of this record's values in `Batch::values`.
    values_end: usize,
}

/// Parsed records, ready to intern.
#[derive(Debug, Default)]
pub struct Batch {
    rows: Vec<Row>,
    /// (field name number, start, end in `text`) per value.
    values: Vec<(u32, usize, usize)>,
    text: String,
    /// Field names and sources by number, as of this batch.
    names: Vec<String>,
    sources: Vec<String>,
}

impl Batch {
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Adds the batch's records to `raw`, in order.
    pub fn push_into(&self, raw: &mut RawTable) {
        let mut start = 0;
        for row in &self.rows {
            let values = self.values[start..row.values_end]
                .iter()
                .map(|(name, from, to)| (self.names[*name as usize].as_str(), &self.text[*from..*to]));
            raw.push(row.rowid, row.version, &self.sources[row.source as usize], row.dirty, values);
            start = row.values_end;
        }
    }
}

/// Parses records into batches.
#[derive(Debug, Default)]
pub struct BatchReader {
    current: Batch,
    /// Interned batches given back, to fill again: their buffers keep their memory, where new ones
    /// fault in fresh pages as they grow (a fifth of the reading thread's time).
    spare: Vec<Batch>,
    names: Vec<String>,
    name_of: HashMap<String, u32>,
    sources: Vec<String>,
}

impl BatchReader {
    /// Parses one record (`fields`: the stored JSON object of strings); returns a full batch to
    /// hand over when there is one.
    pub fn add(
        &mut self,
        rowid: i64,
        version: i64,
        source: &str,
        dirty: bool,
        fields: &str,
    ) -> Result<Option<Batch>, serde_json::Error> {
        let pairs: FieldPairs = serde_json::from_str(fields)?;
        let source = match self.sources.iter().position(|s| s == source) {
            Some(i) => i as u32,
            None => {
                self.sources.push(source.to_string());
                (self.sources.len() - 1) as u32
            }
        };
        let batch = &mut self.current;
        // Records list their fields in the same order: try the name after the last one first.
        let mut next = 0usize;
        for (name, value) in &pairs.0 {
            let name = name.0.as_ref();
            let number = match self.names.get(next) {
                Some(known) if known == name => next as u32,
                _ => match self.name_of.get(name) {
                    Some(n) => *n,
                    None => {
                        self.names.push(name.to_string());
                        self.name_of.insert(name.to_string(), (self.names.len() - 1) as u32);
                        (self.names.len() - 1) as u32
                    }
                },
            };
            next = number as usize + 1;
            let start = batch.text.len();
            batch.text.push_str(&value.0);
            batch.values.push((number, start, batch.text.len()));
        }
        batch.rows.push(Row { rowid, version, source, dirty, values_end: batch.values.len() });
        Ok((batch.rows.len() >= BATCH).then(|| self.take()))
    }

    /// The field names seen so far, by number.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Takes back a batch the interning thread is done with, to fill it again.
    pub fn recycle(&mut self, mut batch: Batch) {
        batch.rows.clear();
        batch.values.clear();
        batch.text.clear();
        self.spare.push(batch);
    }

    /// The records parsed since the last full batch.
    pub fn take(&mut self) -> Batch {
        let next = self.spare.pop().unwrap_or_default();
        let mut batch = std::mem::replace(&mut self.current, next);
        batch.names.clone_from(&self.names);
        batch.sources.clone_from(&self.sources);
        batch
    }
}

/// A record's fields as (name, value) pairs, read straight from the stored JSON object (no map:
/// a million records are read per run).
type FieldPairs<'a> = Pairs<'a, Text<'a>>;

#[cfg(test)]
mod tests {
    use super::*;

    use crate::detect::kinds::ObjectConfig;

    #[test]
    fn batches_give_the_same_table_as_pushing_records_one_by_one() {
        let records = [
            (1, "crm", r#"{"Email":"a@x.com","Name":"Ann"}"#),
            (2, "web", r#"{"Name":"Bob \"B\"","Email":""}"#),
            (3, "crm", r#"{"Phone":"555 1234","Email":"a@x.com"}"#),
        ];
        let mut direct = RawTable::default();
        let mut batched = RawTable::default();
        let mut reader = BatchReader::default();
        for (rowid, source, json) in records {
            let pairs: FieldPairs = serde_json::from_str(json).unwrap();
            let fields = pairs.0.iter().map(|(k, v)| (k.0.as_ref(), v.0.as_ref()));
            direct.push(rowid, 1, source, rowid != 2, fields);
            assert!(reader.add(rowid, 1, source, rowid != 2, json).unwrap().is_none());
        }
        let batch = reader.take();
        assert_eq!(batch.len(), 3);
        batch.push_into(&mut batched);
        assert!(reader.take().is_empty());
        // A recycled batch is filled again from empty.
        reader.recycle(batch);
        let (rowid, source, json) = (4, "web", r#"{"Name":"Cy","Phone":"555 9876"}"#);
        let pairs: FieldPairs = serde_json::from_str(json).unwrap();
        direct.push(rowid, 1, source, true, pairs.0.iter().map(|(k, v)| (k.0.as_ref(), v.0.as_ref())));
        assert!(reader.add(rowid, 1, source, true, json).unwrap().is_none());
        let again = reader.take();
        assert_eq!(again.len(), 1);
        again.push_into(&mut batched);
        let (a, b) = (
            direct.build("contact", &ObjectConfig::default()),
            batched.build("contact", &ObjectConfig::default()),
        );
        assert_eq!(a.records, b.records);
        assert_eq!(a.sources, b.sources);
        for (x, y) in a.fields.iter().zip(&b.fields) {
            assert_eq!((&x.name, &x.norm.ids), (&y.name, &y.norm.ids));
            assert_eq!(x.norm.dict.iter().collect::<Vec<_>>(), y.norm.dict.iter().collect::<Vec<_>>());
        }
        assert!(BatchReader::default().add(4, 1, "crm", true, "[1]").is_err());
    }
}
