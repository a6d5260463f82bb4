//! A golden record that borrows from its members: what the engine produces. Streaming exports
//! serialise it directly (no copy of any value); `into_golden` turns it into the owned
//! `model::Golden` that the console, the journal and `show` keep.

use crate::model::{Golden, GoldenValue, RecordKey};
use serde::ser::{Serialize, SerializeMap, SerializeStruct, Serializer};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// The suggested golden record of one candidate, borrowing from its members.
#[derive(Debug, Clone)]
pub struct GoldenView<'a> {
    /// One value per field any member has, sorted by field name.
    pub fields: Vec<(&'a str, ValueView<'a>)>,
    pub survivor: &'a RecordKey,
    pub survivor_reason: String,
}

/// One field of a `GoldenView`.
#[derive(Debug, Clone)]
pub struct ValueView<'a> {
    /// Borrowed from a member; owned only when `union` or `sum` built it.
    pub value: Option<Cow<'a, str>>,
    pub from: Lineage<'a>,
    pub rule: &'static str,
    pub explanation: Explanation<'a>,
    pub conflict: bool,
}

/// The member records a value came from.
#[derive(Debug, Clone)]
pub enum Lineage<'a> {
    None,
    One(&'a RecordKey),
    Many(Vec<&'a RecordKey>),
}

impl<'a> Lineage<'a> {
    pub fn keys(&self) -> &[&'a RecordKey] {
        match self {
            Lineage::None => &[],
            Lineage::One(k) => std::slice::from_ref(k),
            Lineage::Many(ks) => ks,
        }
    }
}

/// Why a value was chosen, kept as parts so that the common sentences cost no allocation.
#[derive(Debug, Clone)]
pub enum Why<'a> {
    Static(&'static str),
    /// "all N records agree"
    AllAgree(usize),
    /// "only KEY has a value"
    Only(&'a RecordKey),
    /// "P of T records have this value; the others have none"
    SomeAgree(usize, usize),
    /// Anything else, shared by the fields of a group.
    Text(Arc<str>),
}

/// A value's one-line explanation: for a grouped field, "GROUP as a unit: …" and, when the chosen
/// record lacks this field, "…; KEY has no FIELD".
#[derive(Debug, Clone)]
pub struct Explanation<'a> {
    pub unit: Option<&'a str>,
    pub why: Why<'a>,
    pub lacks: Option<(&'a RecordKey, &'a str)>,
}

impl<'a> Explanation<'a> {
    pub fn of(why: Why<'a>) -> Self {
        Explanation { unit: None, why, lacks: None }
    }
}

impl fmt::Display for Why<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Why::Static(s) => f.write_str(s),
            Why::AllAgree(n) => write!(f, "all {n} records agree"),
            Why::Only(key) => write!(f, "only {key} has a value"),
            Why::SomeAgree(p, t) => write!(f, "{p} of {t} records have this value; the others have none"),
            Why::Text(s) => f.write_str(s),
        }
    }
}

impl fmt::Display for Explanation<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(group) = self.unit {
            write!(f, "{group} as a unit: ")?;
        }
        write!(f, "{}", self.why)?;
        if let Some((key, field)) = self.lacks {
            write!(f, "; {key} has no {field}")?;
        }
        Ok(())
    }
}

impl GoldenView<'_> {
    /// The owned golden record.
    pub fn into_golden(self) -> Golden {
        let fields: BTreeMap<String, GoldenValue> = self
            .fields
            .into_iter()
            .map(|(name, v)| {
                let value = GoldenValue {
                    value: v.value.map(Cow::into_owned),
                    from: v.from.keys().iter().map(|k| (*k).clone()).collect(),
                    rule: v.rule.to_string(),
                    explanation: v.explanation.to_string(),
                    conflict: v.conflict,
                };
                (name.to_string(), value)
            })
            .collect();
        Golden { fields, survivor: self.survivor.clone(), survivor_reason: self.survivor_reason }
    }
}

impl GoldenView<'_> {
    /// Appends this view as JSON to `out`: the same document as its `Serialize` form, written
    /// directly (no formatting machinery, no allocation for the common sentences), for exports
    /// that stream millions of golden records.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"fields\":{");
        for (i, (name, v)) in self.fields.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            json_str(out, &[name]);
            out.extend_from_slice(b":{\"value\":");
            match &v.value {
                Some(value) => json_str(out, &[value]),
                None => out.extend_from_slice(b"null"),
            }
            out.extend_from_slice(b",\"from\":[");
            for (j, key) in v.from.keys().iter().enumerate() {
                if j > 0 {
                    out.push(b',');
                }
                json_str(out, &[&key.source, ":", &key.id]);
            }
            out.extend_from_slice(b"],\"rule\":");
            json_str(out, &[v.rule]);
            out.extend_from_slice(b",\"explanation\":");
            let mut small = Small::new();
            if v.explanation.write_small(&mut small) {
                json_str(out, &[small.as_str()]);
            } else {
                json_str(out, &[&v.explanation.to_string()]);
            }
            out.extend_from_slice(if v.conflict { b",\"conflict\":true}" } else { b",\"conflict\":false}" });
        }
        out.extend_from_slice(b"},\"survivor\":{\"key\":");
        json_str(out, &[&self.survivor.source, ":", &self.survivor.id]);
        out.extend_from_slice(b",\"reason\":");
        json_str(out, &[&self.survivor_reason]);
        out.extend_from_slice(b"}}");
    }
}

/// Appends the concatenation of `parts` as one JSON string, escaped as serde_json escapes.
fn json_str(out: &mut Vec<u8>, parts: &[&str]) {
    out.push(b'"');
    for part in parts {
        let bytes = part.as_bytes();
        // Most text needs no escaping: check without branching per byte, then copy at once.
        let needs = bytes.iter().fold(false, |acc, &b| acc | (b < 0x20) | (b == b'"') | (b == b'\\'));
        if !needs {
            out.extend_from_slice(bytes);
            continue;
        }
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let escaped: &[u8] = match b {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                0x08 => b"\\b",
                0x0c => b"\\f",
                0x00..=0x1f => {
                    out.extend_from_slice(&bytes[start..i]);
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    out.extend_from_slice(b"\\u00");
                    out.push(HEX[(b >> 4) as usize]);
                    out.push(HEX[(b & 0xf) as usize]);
                    start = i + 1;
                    continue;
                }
                _ => continue,
            };
            out.extend_from_slice(&bytes[start..i]);
            out.extend_from_slice(escaped);
            start = i + 1;
        }
        out.extend_from_slice(&bytes[start..]);
    }
    out.push(b'"');
}

/// A record key written as `source:id`.
struct KeyText<'k>(&'k RecordKey);

impl Serialize for KeyText<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = Small::new();
        if buf.push(&self.0.source) && buf.push(":") && buf.push(&self.0.id) {
            return s.serialize_str(buf.as_str());
        }
        s.collect_str(self.0)
    }
}

/// A short string assembled on the stack, so that serialising the common sentences and keys
/// needs neither an allocation nor the formatting machinery.
struct Small {
    bytes: [u8; 160],
    len: usize,
}

impl Small {
    fn new() -> Self {
        Small { bytes: [0; 160], len: 0 }
    }

    /// Appends `text`; false when it does not fit.
    fn push(&mut self, text: &str) -> bool {
        let end = self.len + text.len();
        if end > self.bytes.len() {
            return false;
        }
        self.bytes[self.len..end].copy_from_slice(text.as_bytes());
        self.len = end;
        true
    }

    fn as_str(&self) -> &str {
        // Only whole `&str`s are ever pushed, so the bytes are UTF-8.
        std::str::from_utf8(&self.bytes[..self.len]).expect("built from whole strings")
    }
}

/// The explanation as one string; the plain cases without going through formatting.
impl Explanation<'_> {
    /// Writes the sentence into `buf`; false when it is not one of the short common ones.
    fn write_small(&self, buf: &mut Small) -> bool {
        let mut fits = true;
        if let Some(group) = self.unit {
            fits &= buf.push(group) && buf.push(" as a unit: ");
        }
        fits &= match &self.why {
            Why::Static(text) => buf.push(text),
            Why::Text(text) => buf.push(text),
            Why::AllAgree(2) => buf.push("all 2 records agree"),
            Why::AllAgree(3) => buf.push("all 3 records agree"),
            Why::Only(key) => {
                buf.push("only ")
                    && buf.push(&key.source)
                    && buf.push(":")
                    && buf.push(&key.id)
                    && buf.push(" has a value")
            }
            _ => false,
        };
        if let Some((key, field)) = self.lacks {
            fits &= buf.push("; ")
                && buf.push(&key.source)
                && buf.push(":")
                && buf.push(&key.id)
                && buf.push(" has no ")
                && buf.push(field);
        }
        fits
    }
}

impl Serialize for Explanation<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = Small::new();
        if self.write_small(&mut buf) {
            s.serialize_str(buf.as_str())
        } else {
            s.collect_str(self)
        }
    }
}

struct FromList<'l, 'a>(&'l Lineage<'a>);

impl Serialize for FromList<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.keys().iter().map(|k| KeyText(k)))
    }
}

/// `{"value", "from": ["source:id"], "rule", "explanation", "conflict"}`, as `show --json` writes it.
impl Serialize for ValueView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("GoldenValue", 5)?;
        st.serialize_field("value", &self.value)?;
        st.serialize_field("from", &FromList(&self.from))?;
        st.serialize_field("rule", self.rule)?;
        st.serialize_field("explanation", &self.explanation)?;
        st.serialize_field("conflict", &self.conflict)?;
        st.end()
    }
}

/// `{"fields": {name: value}, "survivor": {"key", "reason"}}`.
impl Serialize for GoldenView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Fields<'v, 'a>(&'v [(&'a str, ValueView<'a>)]);
        impl Serialize for Fields<'_, '_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_map(self.0.iter().map(|(k, v)| (*k, v)))
            }
        }
        struct Survivor<'v, 'a>(&'v GoldenView<'a>);
        impl Serialize for Survivor<'_, '_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut st = s.serialize_struct("Survivor", 2)?;
                st.serialize_field("key", &KeyText(self.0.survivor))?;
                st.serialize_field("reason", &self.0.survivor_reason)?;
                st.end()
            }
        }
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("fields", &Fields(&self.fields))?;
        map.serialize_entry("survivor", &Survivor(self))?;
        map.end()
    }
}
