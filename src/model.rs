//! The words of DESIGN.md as types: records, their keys, candidates, statuses and golden records.
//! Plain data only: no I/O, no SQL. Every other module speaks in these types.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A record's field values by field name; a missing value is simply absent (never "").
pub type Fields = BTreeMap<String, String>;

/// The key of a record: the system it came from and its id there, written `source:id`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RecordKey {
    pub source: String,
    pub id: String,
}

impl RecordKey {
    pub fn new(source: impl Into<String>, id: impl Into<String>) -> Self {
        RecordKey { source: source.into(), id: id.into() }
    }

    /// Parses `source:id`; the id may itself contain `:` (only the first one splits).
    pub fn parse(text: &str) -> Option<RecordKey> {
        let (source, id) = text.split_once(':')?;
        if source.is_empty() || id.is_empty() {
            return None;
        }
        Some(RecordKey::new(source, id))
    }
}

impl fmt::Display for RecordKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.source, self.id)
    }
}

/// The workspace's own number for a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CandidateId(pub i64);

impl fmt::Display for CandidateId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl CandidateId {
    /// Candidates as stewards read them: `#1, #3`.
    pub fn numbered<'a>(ids: impl IntoIterator<Item = &'a CandidateId>) -> String {
        ids.into_iter().map(|c| format!("#{c}")).collect::<Vec<_>>().join(", ")
    }
}

/// One row of one object from one source, as stored in the workspace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub object: String,
    pub key: RecordKey,
    pub fields: Fields,
    /// RFC 3339 UTC, when the source says the record was created.
    pub created: Option<String>,
    /// RFC 3339 UTC, when the source last modified the record.
    pub updated: Option<String>,
    /// Starts at 1; grows each time an import changes the record.
    pub version: i64,
}

/// Where a candidate stands in review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pending,
    Approved,
    Rejected,
    Deferred,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::Pending, Status::Approved, Status::Rejected, Status::Deferred];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
            Status::Deferred => "deferred",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a candidate was proposed: free text from an importer, or per-field evidence from detection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// The field compared, or "" for a reason about the whole candidate.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub field: String,
    /// A one-line explanation a steward can read.
    pub text: String,
    /// The two values compared, when the reason is about a field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<(String, String)>,
    /// The comparison level (detection), higher = closer; -1 = a value missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<i32>,
    /// The match weight this evidence contributed (log2 Bayes factor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
}

impl Reason {
    pub fn text(text: impl Into<String>) -> Self {
        Reason { field: String::new(), text: text.into(), values: None, level: None, weight: None }
    }

    // The wording below is shared by `mergeq show` and the console, so that both say a reason the
    // same way. Field names, texts and values come from files: every part is made visible.

    /// What the reason says: `field: text`, or the text alone for a reason about the whole
    /// candidate.
    pub fn said(&self) -> String {
        let text = crate::text::visible(&self.text);
        if self.field.is_empty() {
            return text.into_owned();
        }
        format!("{}: {text}", crate::text::visible(&self.field))
    }

    /// The two values compared, each cut to `width` columns; a missing one is `—`.
    pub fn compared_sides(&self, width: usize) -> Option<(String, String)> {
        let side =
            |v: &str| if v.is_empty() { "—".to_string() } else { crate::text::visible_cut(v, width) };
        self.values.as_ref().map(|(a, b)| (side(a), side(b)))
    }

    /// The two values compared, `a / b`, each cut to `width` columns; a missing one is `—`.
    pub fn compared(&self, width: usize) -> Option<String> {
        self.compared_sides(width).map(|(a, b)| format!("{a} / {b}"))
    }

    /// The weight, signed, to two places: `+15.12`.
    pub fn signed_weight(&self) -> Option<String> {
        self.weight.map(|w| format!("{w:+.2}"))
    }

    /// The whole reason on one line, values cut to `value_width`:
    /// `field: text (a / b), weight +1.00`.
    pub fn line(&self, value_width: usize) -> String {
        let mut line = self.said();
        if let Some(values) = self.compared(value_width) {
            line.push_str(&format!(" ({values})"));
        }
        if let Some(w) = self.signed_weight() {
            line.push_str(&format!(", weight {w}"));
        }
        line
    }
}

/// A candidate as listed in the queue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    pub id: CandidateId,
    pub object: String,
    pub score: f64,
    pub status: Status,
    pub origin: Vec<String>,
    pub members: Vec<RecordKey>,
    pub reasons: Vec<Reason>,
}

/// One field of a golden record: the value, where it came from, and who or what chose it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoldenValue {
    /// The chosen value; `None` when no member has one.
    pub value: Option<String>,
    /// The member records the value was taken from (several only for `union` and `sum`).
    pub from: Vec<RecordKey>,
    /// The strategy that decided (`source_priority`, …), or `steward` for a pick or edit.
    pub rule: String,
    /// A one-line explanation a steward can read.
    pub explanation: String,
    /// True when no strategy could decide between different values.
    pub conflict: bool,
}

/// The suggested or approved merged record: one value per field, plus the survivor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Golden {
    pub fields: BTreeMap<String, GoldenValue>,
    pub survivor: RecordKey,
    pub survivor_reason: String,
}

impl Golden {
    /// Number of fields that no rule could decide.
    pub fn conflicts(&self) -> usize {
        self.fields.values().filter(|v| v.conflict).count()
    }
}

/// A steward's own choices on a candidate, applied over the suggested golden record.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Choices {
    /// Take this field's value from this member record (a field in a group takes the whole group).
    pub picks: Vec<(String, RecordKey)>,
    /// The steward's own value for a field (`None` clears it).
    pub sets: Vec<(String, Option<String>)>,
    /// The member whose CRM id is kept, when not the rule's survivor.
    pub survivor: Option<RecordKey>,
}

/// The `seen` token: the versions of a candidate's members (in member key order) as shown to the
/// steward, e.g. `2.1`. A decision carries it back so that a change since can be refused.
pub fn seen_token(versions: &[i64]) -> String {
    versions.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(".")
}

/// The `seen` token `show` gives: the member versions and the candidate's latest decision or undo
/// (its journal entry; 0 when it has none), e.g. `2.1@47`, so that a decision or undo recorded
/// since is refused too.
pub fn seen_token_at(versions: &[i64], entry: Option<i64>) -> String {
    format!("{}@{}", seen_token(versions), entry.unwrap_or(0))
}

/// The member versions a `seen` token names and, when it has one (`2.1@47`), the latest journal
/// entry of the candidate shown (0: none); `None` when it is not a token.
pub fn parse_seen_token(token: &str) -> Option<(Vec<i64>, Option<i64>)> {
    let (versions, entry) = match token.split_once('@') {
        Some((versions, entry)) => (versions, Some(entry.parse::<i64>().ok().filter(|e| *e >= 0)?)),
        None => (token, None),
    };
    let versions =
        versions.split('.').map(|v| v.parse::<i64>().ok().filter(|v| *v > 0)).collect::<Option<_>>()?;
    Some((versions, entry))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_say_field_text_values_and_weight() {
        let field = |field: &str, text: &str, values: (&str, &str), weight: f64| Reason {
            field: field.into(),
            text: text.into(),
            values: Some((values.0.into(), values.1.into())),
            level: Some(0),
            weight: Some(weight),
        };
        let cases = [
            (Reason::text("names similar"), "names similar"),
            (
                Reason { weight: Some(51.137), ..Reason::text("match probability 1.0000; blocked on Email") },
                "match probability 1.0000; blocked on Email, weight +51.14",
            ),
            (
                field("Email", "exact", ("a@x.com", "a@x.com"), 15.12),
                "Email: exact (a@x.com / a@x.com), weight +15.12",
            ),
            (
                field("MailingCountry", "missing on one side", ("", "us"), 0.0),
                "MailingCountry: missing on one side (— / us), weight +0.00",
            ),
            (field("age", "differ (-0.10)", ("3", "2"), -0.096), "age: differ (-0.10) (3 / 2), weight -0.10"),
            (
                field("title", "exact", ("VP\u{1b}[2J", "a long value"), 1.0),
                "title: exact (VP␛[2J / a long…), weight +1.00",
            ),
        ];
        for (reason, want) in cases {
            assert_eq!(reason.line(7), want);
        }
    }

    #[test]
    fn seen_tokens_read_back() {
        assert_eq!(seen_token_at(&[2, 1], Some(47)), "2.1@47");
        assert_eq!(seen_token_at(&[1], None), "1@0");
        type Read = Option<(Vec<i64>, Option<i64>)>;
        let cases: [(&str, Read); 8] = [
            ("2.1", Some((vec![2, 1], None))),
            ("2.1@47", Some((vec![2, 1], Some(47)))),
            ("1.1@0", Some((vec![1, 1], Some(0)))),
            ("1.1@", None),
            ("1.1@-3", None),
            ("1.1@4@5", None),
            ("0.1", None),
            ("@4", None),
        ];
        for (token, want) in cases {
            assert_eq!(parse_seen_token(token), want, "{token}");
        }
    }
}
