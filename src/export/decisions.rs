//! From decision entries to the bytes of one decision export (a CRM plan, the golden records, the
//! not-duplicate list): batches of entries parsed and rendered independently (`Renderer`, on as
//! many threads as the caller runs), members brought up to date with what later imports say the
//! CRM holds, candidates the format cannot carry counted and left out, and the rendered batches
//! taken in journal order (`Assembly`) into any `Write`. No file I/O: `select` runs the threads and
//! feeds the entries, `sink` delivers the bytes.

mod assembly;
mod counts;
mod render;
#[cfg(test)]
mod tests;

pub use assembly::Assembly;
pub use counts::{notes, Counts};
pub use render::{merged_key, Part, Renderer};

use super::crm::Crm;
use super::plan::{DecisionMeta, Member};
use crate::model::{Fields, Record};
use anyhow::Result;
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::io::Write;

/// Decision entries as the journal holds them (who, when, and the body text), their texts kept in
/// one buffer: a batch is cleared and refilled rather than allocating for every entry.
#[derive(Debug, Default)]
pub struct Batch {
    text: String,
    entries: Vec<Slot>,
}

/// Where an entry's texts lie in its batch's buffer.
#[derive(Debug, Clone)]
struct Slot {
    seq: i64,
    candidate: i64,
    at: std::ops::Range<usize>,
    steward: std::ops::Range<usize>,
    body: std::ops::Range<usize>,
}

impl Batch {
    pub fn push(&mut self, seq: i64, candidate: i64, at: &str, steward: &str, body: &str) {
        let mut put = |s: &str| {
            let start = self.text.len();
            self.text.push_str(s);
            start..self.text.len()
        };
        let (at, steward, body) = (put(at), put(steward), put(body));
        self.entries.push(Slot { seq, candidate, at, steward, body });
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Bytes of text held.
    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.entries.clear();
    }

    /// Entry `i`: who decided, when, and the body text.
    pub fn get(&self, i: usize) -> (DecisionMeta<'_>, &str) {
        let e = &self.entries[i];
        let meta = DecisionMeta {
            seq: e.seq,
            candidate: e.candidate,
            at: Cow::Borrowed(&self.text[e.at.clone()]),
            steward: Cow::Borrowed(&self.text[e.steward.clone()]),
        };
        (meta, &self.text[e.body.clone()])
    }
}

/// The decision exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Crm(Crm),
    GoldenCsv,
    GoldenJsonl,
    NotDuplicates,
}

impl Kind {
    pub fn parse(format: &str) -> Option<Kind> {
        match format {
            "golden-csv" => Some(Kind::GoldenCsv),
            "golden-jsonl" => Some(Kind::GoldenJsonl),
            "not-duplicates" => Some(Kind::NotDuplicates),
            other => Crm::parse(other).map(Kind::Crm),
        }
    }

    /// The journal action whose standing decisions this export carries.
    pub fn action(self) -> &'static str {
        match self {
            Kind::NotDuplicates => "reject",
            _ => "approve",
        }
    }
}

/// Records as they are now, for the members an import changed after the steward decided.
#[derive(Debug, Default)]
pub struct Current {
    /// object → `source:id` → (version, values)
    by_key: FxHashMap<String, FxHashMap<String, (i64, Fields)>>,
}

impl Current {
    /// From the records changed since their first import (`Store::changed_records`).
    pub fn new(records: Vec<Record>) -> Current {
        let mut by_key: FxHashMap<String, FxHashMap<String, (i64, Fields)>> = FxHashMap::default();
        for r in records {
            by_key.entry(r.object).or_default().insert(r.key.to_string(), (r.version, r.fields));
        }
        Current { by_key }
    }

    /// Replaces a member's values by the record's current ones when they are of another version;
    /// true when it did.
    pub(super) fn refresh(&self, object: &str, m: &mut Member) -> bool {
        if self.by_key.is_empty() {
            return false;
        }
        match self.by_key.get(object).and_then(|keys| keys.get(m.key.as_str())) {
            Some((version, fields)) if *version != m.version => {
                m.version = *version;
                m.fields =
                    fields.iter().map(|(k, v)| (Cow::Owned(k.clone()), Cow::Owned(v.clone()))).collect();
                true
            }
            _ => false,
        }
    }
}

/// Builds one decision export: a `Renderer` and an `Assembly`.
pub struct Builder<'a> {
    pub renderer: Renderer<'a>,
    pub assembly: Assembly,
}

impl<'a> Builder<'a> {
    /// `source` overrides the CRM's own name as the source of its records; `raw` turns off the
    /// spreadsheet guard of the CSV exports.
    pub fn new(kind: Kind, source: Option<&str>, raw: bool, current: &'a Current) -> Builder<'a> {
        let source = match kind {
            Kind::Crm(crm) => crm.records_source(source).to_string(),
            _ => source.unwrap_or_default().to_string(),
        };
        Builder { renderer: Renderer::new(kind, source, current, raw), assembly: Assembly::new(kind, raw) }
    }

    /// Renders and accepts a batch on this thread; gives the batch back.
    pub fn push(&mut self, batch: Batch, out: &mut impl Write) -> Result<Batch> {
        let (part, back) = self.renderer.render(batch)?;
        let kept = self.assembly.accept(part, out)?;
        Ok(back.or(kept).expect("a batch comes back from render or accept"))
    }

    pub fn finish(self, out: &mut impl Write) -> Result<Counts> {
        self.assembly.finish(out)
    }
}
