//! What a decision export carried and left out (`Counts`, added up batch by batch and kept as the
//! journal entry's details), and the notes a steward reads from those details. Apart from the
//! rendering because the notes are read back from any export's journal entry, long after the
//! export ran.

use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

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
    /// Approved candidates left out because a larger approved candidate earlier in the plan merges
    /// every record of theirs: their merge is part of its merge, nothing is lost.
    pub within: u64,
    /// The first of them: (candidate, the candidate whose merge holds it).
    pub first_within: Option<(i64, i64)>,
    /// `--since-last`: approved candidates left out because an earlier export of the plan already
    /// merged a record of theirs (even if that approval was undone since: the CRM has merged it).
    pub merged_before: u64,
    /// The first of them: (candidate, the record, the candidate the earlier export merged it by).
    pub first_merged_before: Option<(i64, String, i64)>,
    /// Golden fields a CRM plan left out because the CRM computes them itself (see `computed`).
    pub computed: BTreeSet<String>,
    /// `--fields`: the fields it renamed (`first_name → FirstName`), left out, and did not name.
    pub named: BTreeSet<String>,
    pub named_out: BTreeSet<String>,
    pub unnamed: BTreeSet<String>,
    /// Field names a CRM plan would send that are not that CRM's API names (labels like
    /// `First Name`): the export refuses, so they never reach a journal entry.
    pub not_api: BTreeSet<String>,
    /// The candidates that would send one, and the first of them: (candidate, journal entry).
    pub not_api_candidates: u64,
    pub first_not_api: Option<(i64, i64)>,
}

impl Counts {
    /// The journal entry's details (integers and strings only).
    pub fn details(&self) -> Value {
        let mut details = json!({
            "decisions": self.decisions,
            "lines": self.lines,
            "other_source": self.other_source,
            "unmergeable": self.unmergeable,
            "refreshed_members": self.refreshed_members,
            "overlapping": self.overlapping,
            "first_overlap": self.first_overlap.as_ref().map(|(c, key, earlier)| json!([c, key, earlier])),
            "within": self.within,
            "first_within": self.first_within.map(|(c, by)| json!([c, by])),
            "merged_before": self.merged_before,
            "first_merged_before":
                self.first_merged_before.as_ref().map(|(c, key, earlier)| json!([c, key, earlier])),
        });
        // Only where a plan left some out: other exports' entries keep their shape.
        if !self.computed.is_empty() {
            details["computed_fields"] = json!(self.computed);
        }
        if !(self.named.is_empty() && self.named_out.is_empty() && self.unnamed.is_empty()) {
            details["field_names"] =
                json!({"renamed": self.named, "left_out": self.named_out, "not_named": self.unnamed});
        }
        details
    }

    pub(super) fn add(&mut self, other: Counts) {
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
        self.within += other.within;
        if self.first_within.is_none() {
            self.first_within = other.first_within;
        }
        self.merged_before += other.merged_before;
        if self.first_merged_before.is_none() {
            self.first_merged_before = other.first_merged_before;
        }
        self.computed.extend(other.computed);
        self.named.extend(other.named);
        self.named_out.extend(other.named_out);
        self.unnamed.extend(other.unnamed);
        self.not_api.extend(other.not_api);
        self.not_api_candidates += other.not_api_candidates;
        if self.first_not_api.is_none() {
            self.first_not_api = other.first_not_api;
        }
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
             a CRM merges a record once{}; if they are one entity, `mergeq combine` the two and \
             approve the whole, else undo or reject one of them",
            first_shared(details.get("first_overlap"))
        ));
    }
    if n("within") > 0 {
        let (count, are) = counted(n("within"), "approved candidate", "is", "are");
        let first = match details.get("first_within").and_then(Value::as_array).map(Vec::as_slice) {
            Some([c, by]) => format!(" (first: candidate {c}, within candidate {by})"),
            _ => String::new(),
        };
        notes.push(format!(
            "{count} {are} merged as part of a larger approved candidate of this plan{first}: nothing to \
             do"
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
    if let Some(fields) = details.get("computed_fields").and_then(Value::as_array).filter(|f| !f.is_empty()) {
        let names: Vec<String> = fields
            .iter()
            .filter_map(Value::as_str)
            .map(|f| format!("`{}`", crate::text::visible(f)))
            .collect();
        let (count, _) = counted(names.len() as u64, "field", "", "");
        let why = details.get("computed_why").and_then(Value::as_str).unwrap_or("the CRM sets them itself");
        notes.push(format!(
            "{count} left out of every merge: {} ({why}; the golden exports carry them)",
            names.join(", ")
        ));
    }
    if let Some(names) = details.get("field_names") {
        let list = |key: &str| -> Vec<String> {
            names[key]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(|f| format!("`{}`", crate::text::visible(f)))
                        .collect()
                })
                .unwrap_or_default()
        };
        let (renamed, out, unnamed) = (list("renamed"), list("left_out"), list("not_named"));
        if !renamed.is_empty() {
            let (count, _) = counted(renamed.len() as u64, "field", "", "");
            notes.push(format!("{count} under the CRM's names from --fields: {}", renamed.join(", ")));
        }
        if !out.is_empty() {
            let (count, _) = counted(out.len() as u64, "field", "", "");
            notes.push(format!("{count} left out by --fields: {}", out.join(", ")));
        }
        if !unnamed.is_empty() {
            let (count, _) = counted(unnamed.len() as u64, "field", "", "");
            notes.push(format!(
                "{count} not in --fields, written as they are (name them if the CRM calls them otherwise): {}",
                unnamed.join(", ")
            ));
        }
    }
    if details.get("decisions").is_some() && n("decisions") == 0 {
        let after = n("after");
        // A CRM plan's window is per workspace source.
        let from = match details.get("source").and_then(Value::as_str) {
            Some(source) => format!(" from source `{}`", crate::text::visible(source)),
            None => String::new(),
        };
        notes.push(if after > 0 {
            format!("no decisions to export after journal entry {after} (the previous export of this format{from})")
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
