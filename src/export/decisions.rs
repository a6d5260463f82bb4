//! From decision entries to the bytes of one decision export (a CRM plan, the golden records, the
//! not-duplicate list): batches of entries parsed and rendered independently (`Renderer`, on as
//! many threads as the caller runs), members brought up to date with what later imports say the
//! CRM holds, candidates the format cannot carry counted and left out, and the rendered batches
//! taken in journal order (`Assembly`) into any `Write`. No file I/O: `select` runs the threads and
//! feeds the entries, `sink` delivers the bytes.

use super::crm::{Crm, LeftOut};
use super::golden::{self, CsvRows, GoldenCsv};
use super::not_duplicates::NotDuplicates;
use super::plan::{parse_approve, parse_approve_lineage, parse_reject, DecisionMeta, Member};
use crate::model::{Fields, Record};
use anyhow::Result;
use rustc_hash::FxHashMap;
use serde_json::{json, Value};
use std::borrow::Cow;
use std::collections::BTreeMap;
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
    fn refresh(&self, object: &str, m: &mut Member) -> bool {
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

/// What an export carried and what it left out, for the message and the journal entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// Decisions exported.
    pub decisions: u64,
    /// Lines (JSON Lines) or rows (CSV: rows below the header; not-duplicates: pairs).
    pub lines: u64,
    /// Approved candidates left out of a CRM plan because a member comes from another source.
    pub other_source: u64,
    /// Approved candidates left out of a CRM plan because the CRM cannot merge their object.
    pub unmergeable: BTreeMap<String, u64>,
    /// Members whose values an import changed after the decision (the plan uses the new ones).
    pub refreshed_members: u64,
    /// Approved candidates left out of a CRM plan because a record of theirs is merged by an
    /// earlier candidate of the plan (a CRM merges a record once: the record is gone after).
    pub overlapping: u64,
    /// The first of them: (candidate, the record it shares, the earlier candidate).
    pub first_overlap: Option<(i64, String, i64)>,
    /// `--since-last`: approved candidates left out because an earlier export of the plan already
    /// merged a record of theirs (even if that approval was undone since: the CRM has merged it).
    pub merged_before: u64,
    /// The first of them: (candidate, the record, the candidate the earlier export merged it by).
    pub first_merged_before: Option<(i64, String, i64)>,
}

impl Counts {
    /// The journal entry's details (integers and strings only).
    pub fn details(&self) -> Value {
        json!({
            "decisions": self.decisions,
            "lines": self.lines,
            "other_source": self.other_source,
            "unmergeable": self.unmergeable,
            "refreshed_members": self.refreshed_members,
            "overlapping": self.overlapping,
            "first_overlap": self.first_overlap.as_ref().map(|(c, key, earlier)| json!([c, key, earlier])),
            "merged_before": self.merged_before,
            "first_merged_before":
                self.first_merged_before.as_ref().map(|(c, key, earlier)| json!([c, key, earlier])),
        })
    }
}

/// `n` and its noun, singular or plural, with the verb that agrees: (`1 candidate`, `has`).
fn counted(n: u64, noun: &str, one: &'static str, many: &'static str) -> (String, &'static str) {
    match n {
        1 => (format!("1 {noun}"), one),
        n => (format!("{n} {noun}s"), many),
    }
}

/// What a steward should know about an export, from its journal details: what was left out and
/// why. Empty for exports without such details.
pub fn notes(details: &Value) -> Vec<String> {
    let n = |key: &str| details.get(key).and_then(Value::as_u64).unwrap_or(0);
    let source = details.get("source").and_then(Value::as_str).unwrap_or("");
    let mut notes = Vec::new();
    if n("other_source") > 0 {
        let (count, have) = counted(n("other_source"), "approved candidate", "has", "have");
        notes.push(format!(
            "{count} {have} records from outside source `{}`: not in this plan (see golden-csv or golden-jsonl)",
            crate::text::visible(source)
        ));
    }
    if let Some(objects) = details.get("unmergeable").and_then(Value::as_object) {
        for (object, count) in objects {
            let (count, _) = counted(count.as_u64().unwrap_or(0), "approved candidate", "", "");
            notes.push(format!(
                "{count} left out (object `{}`): this CRM cannot merge that object",
                crate::text::visible(object)
            ));
        }
    }
    if n("refreshed_members") > 0 {
        let (count, _) = counted(n("refreshed_members"), "member record", "", "");
        notes.push(format!("{count} changed after approval: the plan starts from the current values"));
    }
    if n("overlapping") > 0 {
        let (count, _) = counted(n("overlapping"), "approved candidate", "", "");
        notes.push(format!(
            "{count} left out: a record of theirs is merged by an earlier candidate of this plan, and \
             a CRM merges a record once{}; undo one of the two approvals, or reject one",
            first_shared(details.get("first_overlap"))
        ));
    }
    if n("merged_before") > 0 {
        let (count, _) = counted(n("merged_before"), "approved candidate", "", "");
        notes.push(format!(
            "{count} left out: a record of theirs was merged by an earlier export of this plan{}; \
             once the CRM has applied it, import its records again and review what detection proposes",
            first_shared(details.get("first_merged_before"))
        ));
    }
    if details.get("decisions").is_some() && n("decisions") == 0 {
        let after = n("after");
        notes.push(if after > 0 {
            format!("no decisions to export after journal entry {after} (the previous export of this format)")
        } else {
            "no decisions to export".to_string()
        });
    }
    notes
}

/// " (first: candidate C shares KEY with candidate E)" from a `first_…` detail, or nothing.
fn first_shared(first: Option<&Value>) -> String {
    match first.and_then(Value::as_array).map(Vec::as_slice) {
        // Approved again after an undo: an earlier export merged this very candidate.
        Some([c, _, earlier]) if c == earlier => format!(" (first: candidate {c}, which it merged already)"),
        Some([c, key, earlier]) => format!(
            " (first: candidate {c} shares {} with candidate {earlier})",
            crate::text::visible(key.as_str().unwrap_or(""))
        ),
        _ => String::new(),
    }
}

/// One batch rendered: its bytes (or golden-csv rows) and what it counted; for not-duplicates, the
/// batch itself (which pair comes first depends on every rejection before it, so those are
/// rendered in order, in `accept`).
#[derive(Debug, Default)]
pub struct Part {
    bytes: Vec<u8>,
    csv: Option<CsvRows>,
    rejections: Option<Batch>,
    counts: Counts,
    /// CRM plans: each merge's bytes and records, for `accept` to leave out a merge whose record
    /// an earlier merge of the plan took (only in journal order can that be known).
    merges: Vec<Merge>,
}

/// How `Assembly` names a merged record: its object and key.
pub fn merged_key(object: &str, key: &impl std::fmt::Display) -> String {
    format!("{object}\u{1f}{key}")
}

/// One merge call of a CRM plan, as rendered.
#[derive(Debug)]
struct Merge {
    candidate: i64,
    bytes: std::ops::Range<usize>,
    lines: u64,
    refreshed: u64,
    /// Its records, `object` and key: a record is named by both.
    records: Vec<String>,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.decisions += other.decisions;
        self.lines += other.lines;
        self.other_source += other.other_source;
        for (object, n) in other.unmergeable {
            *self.unmergeable.entry(object).or_default() += n;
        }
        self.refreshed_members += other.refreshed_members;
        self.overlapping += other.overlapping;
        if self.first_overlap.is_none() {
            self.first_overlap = other.first_overlap;
        }
        self.merged_before += other.merged_before;
        if self.first_merged_before.is_none() {
            self.first_merged_before = other.first_merged_before;
        }
    }
}

/// Parses and renders batches of decision entries (of `kind.action()`), each on its own: batches
/// may be rendered on several threads at once.
pub struct Renderer<'a> {
    kind: Kind,
    /// The workspace source whose records a CRM plan may merge.
    source: String,
    current: &'a Current,
    raw: bool,
}

/// Takes rendered batches in journal order: writes them out, or keeps them for the files written
/// whole at the end (golden-csv, whose header needs every field name; not-duplicates).
pub struct Assembly {
    golden_csv: Option<GoldenCsv>,
    not_duplicates: Option<NotDuplicates>,
    counts: Counts,
    /// CRM plans: the records merged so far, with the candidate that merged them and whether an
    /// earlier export did.
    merged: FxHashMap<String, (i64, bool)>,
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
        Builder {
            renderer: Renderer { kind, source, current, raw },
            assembly: Assembly {
                golden_csv: (kind == Kind::GoldenCsv).then(|| GoldenCsv::new(raw)),
                not_duplicates: (kind == Kind::NotDuplicates).then(|| NotDuplicates::new(raw)),
                counts: Counts::default(),
                merged: FxHashMap::default(),
            },
        }
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

impl Renderer<'_> {
    /// Renders a batch; gives it back unless the part keeps it (not-duplicates).
    pub fn render(&self, batch: Batch) -> Result<(Part, Option<Batch>)> {
        let mut part = Part::default();
        if self.kind == Kind::NotDuplicates {
            part.rejections = Some(batch);
            return Ok((part, None));
        }
        part.bytes.reserve(batch.text_len() / 2);
        for i in 0..batch.len() {
            let (meta, body) = batch.get(i);
            match self.kind {
                Kind::Crm(crm) => self.crm_piece(crm, meta, body, &mut part)?,
                Kind::GoldenJsonl => {
                    golden::jsonl(&parse_approve_lineage(meta, body)?, &mut part.bytes)?;
                    part.counts.lines += 1;
                    part.counts.decisions += 1;
                }
                Kind::GoldenCsv => {
                    let m = parse_approve_lineage(meta, body)?;
                    part.csv.get_or_insert_with(CsvRows::default).push(&m, self.raw);
                    part.counts.lines += 1;
                    part.counts.decisions += 1;
                }
                Kind::NotDuplicates => unreachable!("rendered in accept"),
            }
        }
        Ok((part, Some(batch)))
    }

    fn crm_piece(&self, crm: Crm, meta: DecisionMeta, body: &str, part: &mut Part) -> Result<()> {
        let mut m = parse_approve(meta, body)?;
        match crm.leaves_out(&self.source, &m.object, m.members.iter().map(|x| x.key.source())) {
            Some(LeftOut::OtherSource) => {
                part.counts.other_source += 1;
                return Ok(());
            }
            Some(LeftOut::Unmergeable) => {
                *part.counts.unmergeable.entry(m.object.into_owned()).or_default() += 1;
                return Ok(());
            }
            None => {}
        }
        let object = m.object.clone();
        let mut refreshed = 0;
        for member in &mut m.members {
            refreshed += u64::from(self.current.refresh(&object, member));
        }
        let start = part.bytes.len();
        let lines = crm.render(&m, &mut part.bytes)?;
        part.counts.refreshed_members += refreshed;
        part.counts.lines += lines;
        part.counts.decisions += 1;
        part.merges.push(Merge {
            candidate: m.meta.candidate,
            bytes: start..part.bytes.len(),
            lines,
            refreshed,
            records: m.members.iter().map(|x| merged_key(&object, &x.key)).collect(),
        });
        Ok(())
    }
}

impl Assembly {
    /// Writes a part's bytes; for a CRM plan, leaves out each merge with a record an earlier merge
    /// took (its call would fail: the record is gone), counting it instead.
    fn write_merges(&mut self, part: &mut Part, out: &mut impl Write) -> Result<()> {
        let mut written = 0;
        for merge in std::mem::take(&mut part.merges) {
            let taken = merge.records.iter().find_map(|r| self.merged.get(r).map(|by| (r, *by)));
            if let Some((record, (by, earlier_export))) = taken {
                out.write_all(&part.bytes[written..merge.bytes.start])?;
                written = merge.bytes.end;
                let c = &mut part.counts;
                (c.decisions, c.lines, c.refreshed_members) =
                    (c.decisions - 1, c.lines - merge.lines, c.refreshed_members - merge.refreshed);
                let (count, first) = match earlier_export {
                    true => (&mut c.merged_before, &mut c.first_merged_before),
                    false => (&mut c.overlapping, &mut c.first_overlap),
                };
                *count += 1;
                if first.is_none() {
                    let key = record.split_once('\u{1f}').map_or(record.as_str(), |(_, key)| key);
                    *first = Some((merge.candidate, key.to_string(), by));
                }
                continue;
            }
            for record in merge.records {
                self.merged.insert(record, (merge.candidate, false));
            }
        }
        out.write_all(&part.bytes[written..])?;
        Ok(())
    }

    /// Records that earlier exports of this plan merged (`merged_key`, with the candidate that
    /// merged them): a merge of this export that needs one again is left out like any other.
    pub fn merged_before(&mut self, records: impl IntoIterator<Item = (String, i64)>) {
        self.merged.extend(records.into_iter().map(|(record, by)| (record, (by, true))));
    }

    /// Takes the next rendered batch, in journal order; what is final goes to `out`. Gives back the
    /// batch a not-duplicates part kept, once read.
    pub fn accept(&mut self, mut part: Part, out: &mut impl Write) -> Result<Option<Batch>> {
        self.write_merges(&mut part, out)?;
        if let Some(rows) = part.csv {
            self.golden_csv.as_mut().expect("made for golden-csv").append(rows);
        }
        self.counts.add(part.counts);
        let Some(batch) = part.rejections else { return Ok(None) };
        let file = self.not_duplicates.as_mut().expect("made for not-duplicates");
        for i in 0..batch.len() {
            let (meta, body) = batch.get(i);
            file.push(&parse_reject(meta, body)?);
            self.counts.decisions += 1;
        }
        self.counts.lines = file.pairs() as u64;
        Ok(Some(batch))
    }

    /// Writes what is left (the golden-csv and not-duplicates files are written whole at the end)
    /// and returns what went into the export.
    pub fn finish(self, out: &mut impl Write) -> Result<Counts> {
        match (self.golden_csv, self.not_duplicates) {
            (Some(csv), _) => csv.write_to(out)?,
            (_, Some(file)) => out.write_all(&file.finish())?,
            _ => {}
        }
        Ok(self.counts)
    }
}

#[cfg(test)]
mod tests {
    /// A record merged by one approval cannot be merged again: the later approval that shares it
    /// is left out of CRM plans (counted, with the first such pair named), in whatever batches the
    /// entries come; the golden exports keep both.
    #[test]
    fn a_record_is_merged_once_per_plan() {
        let sf = |id: &str| format!("salesforce:{id}");
        let pair = |a: &str, b: &str| {
            let (a, b) = (sf(a), sf(b));
            approve_body("contact", &[(a.as_str(), 1, &[]), (b.as_str(), 1, &[])], &[])
        };
        let entries = [
            entry(1, pair("A", "B")),
            entry(2, pair("B", "C")),
            entry(3, pair("D", "E")),
            entry(4, pair("C", "A")),
        ];
        for per_batch in [1, 2, 4] {
            let (text, counts) = run_in("salesforce", None, &Current::default(), &entries, per_batch);
            let merged: Vec<&str> =
                text.lines().map(|l| &l[l.find("\"Id\":\"").unwrap() + 6..][..1]).collect();
            assert_eq!(merged, ["A", "D"], "per batch {per_batch}: {text}");
            assert_eq!(
                (counts.decisions, counts.lines, counts.overlapping),
                (2, 2, 2),
                "per batch {per_batch}"
            );
            let first = (meta(2).candidate, "salesforce:B".to_string(), meta(1).candidate);
            assert_eq!(counts.first_overlap, Some(first));
            let notes = notes(&counts.details());
            assert!(
                notes[0].starts_with(
                    "2 approved candidates left out: a record of theirs is merged by an earlier candidate"
                ),
                "{notes:?}"
            );
        }
        let (_, counts) = run_in("golden-jsonl", None, &Current::default(), &entries, 2);
        assert_eq!((counts.decisions, counts.overlapping), (4, 0));
    }

    #[test]
    fn notes_count_in_words_that_agree() {
        let one = json!({"source": "salesforce", "other_source": 1, "unmergeable": {"opportunity": 1},
                         "refreshed_members": 1, "decisions": 3});
        assert_eq!(
            notes(&one),
            [
                "1 approved candidate has records from outside source `salesforce`: not in this plan (see golden-csv or golden-jsonl)",
                "1 approved candidate left out (object `opportunity`): this CRM cannot merge that object",
                "1 member record changed after approval: the plan starts from the current values",
            ]
        );
        let many = json!({"source": "hubspot", "other_source": 2, "unmergeable": {"quote": 3},
                          "refreshed_members": 4, "decisions": 3});
        assert_eq!(
            notes(&many),
            [
                "2 approved candidates have records from outside source `hubspot`: not in this plan (see golden-csv or golden-jsonl)",
                "3 approved candidates left out (object `quote`): this CRM cannot merge that object",
                "4 member records changed after approval: the plan starts from the current values",
            ]
        );
    }

    use super::super::plan::fixture::meta;
    use super::*;

    /// `(key, version, fields)`
    type TestMember<'a> = (&'a str, i64, &'a [(&'a str, &'a str)]);

    /// A decision body as the journal writes it, for members `(key, version, fields)`.
    pub fn approve_body(
        object: &str,
        members: &[TestMember],
        golden: &[(&str, Option<&str>, &str)],
    ) -> String {
        let members: Vec<Value> = members
            .iter()
            .map(|(k, v, f)| {
                let fields: BTreeMap<&str, &str> = f.iter().copied().collect();
                json!({"key": k, "version": v, "fields": fields, "created": null, "updated": null})
            })
            .collect();
        let fields: serde_json::Map<String, Value> = golden
            .iter()
            .map(|(name, value, from)| {
                let from: Vec<&str> = if from.is_empty() { vec![] } else { vec![*from] };
                (name.to_string(), json!({"value": value, "from": from, "rule": "non_empty", "explanation": "", "conflict": false, "chosen_by": "rule"}))
            })
            .collect();
        let survivor = members[0]["key"].clone();
        json!({"object": object, "members": members, "golden": {"fields": fields, "survivor": {"key": survivor, "reason": "first", "chosen_by": "rule"}}, "note": null})
            .to_string()
    }

    /// `(seq, body)`
    type Entry = (i64, String);

    fn entry(seq: i64, body: String) -> Entry {
        (seq, body)
    }

    /// The export of `entries`, fed in batches of `per_batch`.
    fn run_in(
        format: &str,
        source: Option<&str>,
        current: &Current,
        entries: &[Entry],
        per_batch: usize,
    ) -> (String, Counts) {
        let mut b = Builder::new(Kind::parse(format).unwrap(), source, false, current);
        let mut out = Vec::new();
        let mut batch = Batch::default();
        for chunk in entries.chunks(per_batch) {
            batch.clear();
            for (seq, body) in chunk {
                let m = meta(*seq);
                batch.push(m.seq, m.candidate, &m.at, &m.steward, body);
            }
            batch = b.push(batch, &mut out).unwrap();
        }
        let counts = b.finish(&mut out).unwrap();
        (String::from_utf8(out).unwrap(), counts)
    }

    fn run(format: &str, source: Option<&str>, current: &Current, entries: &[Entry]) -> (String, Counts) {
        run_in(format, source, current, entries, 2)
    }

    fn entries() -> Vec<Entry> {
        vec![
            entry(
                3,
                approve_body(
                    "contact",
                    &[("hubspot:1", 1, &[("email", "a@x")]), ("hubspot:2", 1, &[("email", "b@x")])],
                    &[("email", Some("b@x"), "hubspot:2")],
                ),
            ),
            // Cross-source: golden exports only.
            entry(
                5,
                approve_body(
                    "contact",
                    &[("hubspot:3", 1, &[]), ("webform:9", 1, &[("phone", "+1")])],
                    &[("phone", Some("+1"), "webform:9")],
                ),
            ),
            entry(
                8,
                approve_body("opportunity", &[("salesforce:o1", 1, &[]), ("salesforce:o2", 1, &[])], &[]),
            ),
        ]
    }

    #[test]
    fn crm_plans_hold_only_candidates_all_from_their_source() {
        let (text, counts) = run("hubspot", None, &Current::default(), &entries());
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(text.contains(r#""objectIdToMerge":"2""#) && !text.contains("webform"), "{text}");
        assert_eq!(counts, Counts { decisions: 1, lines: 2, other_source: 2, ..Counts::default() });
        // --source names the workspace source that holds this CRM's records.
        let (text, counts) = run("salesforce", Some("hubspot"), &Current::default(), &entries());
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(text.contains(r#""recordToMergeIds":["2"]"#), "{text}");
        assert_eq!(counts.other_source, 2);
        // Salesforce cannot merge opportunities: counted, not exported, not an error.
        let (text, counts) = run("salesforce", None, &Current::default(), &entries());
        assert_eq!(text, "");
        assert_eq!(counts.unmergeable, BTreeMap::from([("opportunity".to_string(), 1)]));
    }

    #[test]
    fn golden_exports_hold_cross_source_candidates() {
        for format in ["golden-jsonl", "golden-csv"] {
            let (text, counts) = run(format, None, &Current::default(), &entries());
            assert!(text.contains("webform:9"), "{format}: {text}");
            assert_eq!((counts.decisions, counts.other_source), (3, 0), "{format}");
        }
    }

    #[test]
    fn a_member_changed_since_the_decision_is_planned_from_its_current_values() {
        // hubspot:1 was re-imported with the golden email already: nothing left to set.
        let now = Record {
            object: "contact".into(),
            key: crate::model::RecordKey::new("hubspot", "1"),
            fields: Fields::from([("email".to_string(), "b@x".to_string())]),
            created: None,
            updated: None,
            version: 2,
        };
        let current = Current::new(vec![now.clone()]);
        let (text, counts) = run("hubspot", None, &current, &entries()[..1]);
        assert_eq!(text.lines().count(), 1, "{text}");
        assert_eq!(counts.refreshed_members, 1);
        // Another object with the same key is another record.
        let current = Current::new(vec![Record { object: "lead".into(), ..now }]);
        let (text, counts) = run("hubspot", None, &current, &entries()[..1]);
        assert_eq!((text.lines().count(), counts.refreshed_members), (2, 0), "{text}");
    }

    #[test]
    fn not_duplicates_reads_rejections() {
        let body = approve_body("contact", &[("hubspot:1", 1, &[]), ("salesforce:2", 1, &[])], &[]);
        let (text, counts) = run("not-duplicates", None, &Current::default(), &[entry(4, body)]);
        assert_eq!(
            text.lines().nth(1),
            Some("hubspot:1,salesforce:2,contact,2026-05-01T10:00:00Z,ana,40,4,")
        );
        assert_eq!((counts.decisions, counts.lines), (1, 1));
    }

    #[test]
    fn batches_of_any_size_give_the_same_export() {
        // Many entries, of every kind the builder tells apart, in one batch and one by one.
        let mut many = Vec::new();
        for i in 0..200 {
            let mut e = entries()[(i % 3) as usize].clone();
            e.0 = i + 1;
            many.push(e);
        }
        for format in
            ["salesforce", "hubspot", "dynamics", "zoho", "golden-jsonl", "golden-csv", "not-duplicates"]
        {
            let (whole, whole_counts) = run_in(format, None, &Current::default(), &many, many.len());
            let (single, single_counts) = run_in(format, None, &Current::default(), &many, 1);
            assert_eq!(whole, single, "{format}");
            assert_eq!(whole_counts, single_counts, "{format}");
            assert!(whole_counts.decisions + whole_counts.other_source > 0, "{format}");
        }
        let (text, counts) = run_in("golden-jsonl", None, &Current::default(), &many, many.len());
        let decisions: Vec<i64> = text
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap()["decision"].as_i64().unwrap())
            .collect();
        assert_eq!(decisions, (1..=many.len() as i64).collect::<Vec<_>>());
        assert_eq!(counts.decisions, many.len() as u64);
    }
}
