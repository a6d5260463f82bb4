//! The journal's canonical encoding and hash chain, as pure functions: what an entry's hash covers,
//! byte for byte, so that a short script in any language can recompute it (docs/journal.md).
//!
//! canonical(entry) = JSON of `{seq, at, steward, action, candidate, body}` with keys sorted by code
//! point, no whitespace, UTF-8 as is (only `"` `\` and C0 controls escaped, as serde_json and
//! Python's `json.dumps(…, ensure_ascii=False)` both do), and integers only: a float anywhere is
//! refused, so two serialisers can never disagree about a number.
//! hash = hex(SHA-256(prev_hash + "\n" + canonical)), lowercase; the first entry's prev_hash is
//! 64 zeros. A sign-off's signature is Ed25519 over the 32 bytes of its own hash.

use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fmt;

/// The prev_hash of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Import,
    Approve,
    Reject,
    Defer,
    Undo,
    Signoff,
    Export,
}

impl Action {
    pub const ALL: [Action; 7] = [
        Action::Import,
        Action::Approve,
        Action::Reject,
        Action::Defer,
        Action::Undo,
        Action::Signoff,
        Action::Export,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Import => "import",
            Action::Approve => "approve",
            Action::Reject => "reject",
            Action::Defer => "defer",
            Action::Undo => "undo",
            Action::Signoff => "signoff",
            Action::Export => "export",
        }
    }

    pub fn parse(text: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == text)
    }

    /// Approve, reject and defer: the actions that set a candidate's status.
    pub fn is_decision(self) -> bool {
        matches!(self, Action::Approve | Action::Reject | Action::Defer)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an entry cannot be encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodingError(pub String);

impl fmt::Display for EncodingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EncodingError {}

/// The canonical JSON text of a value: sorted keys, no whitespace, integers only.
pub fn canonical_json(value: &Value) -> Result<String, EncodingError> {
    let mut out = String::new();
    write_canonical(value, &mut out)?;
    Ok(out)
}

fn write_canonical(value: &Value, out: &mut String) -> Result<(), EncodingError> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) if n.is_i64() || n.is_u64() => out.push_str(&n.to_string()),
        Value::Number(n) => {
            return Err(EncodingError(format!(
                "journal entries hold no floating-point numbers (found {n}); write it as a string"
            )))
        }
        Value::String(s) => push_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out)?;
            }
            out.push(']');
        }
        Value::Object(map) => {
            // serde_json keeps insertion order here (preserve_order): sort explicitly.
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_string(key, out);
                out.push(':');
                write_canonical(&map[key], out)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

fn push_string(s: &str, out: &mut String) {
    out.push_str(&serde_json::to_string(s).expect("a string always serialises"));
}

/// The fields of an entry that its hash covers.
#[derive(Debug, Clone, Copy)]
pub struct Content<'a> {
    pub seq: i64,
    pub at: &'a str,
    pub steward: &'a str,
    pub action: &'a str,
    pub candidate: Option<i64>,
    /// The body's canonical JSON text, as stored.
    pub body: &'a str,
}

impl<'a> From<crate::store::EntryRef<'a>> for Content<'a> {
    /// The part of a stored entry that its hash covers.
    fn from(e: crate::store::EntryRef<'a>) -> Self {
        Content {
            seq: e.seq,
            at: e.at,
            steward: e.steward,
            action: e.action,
            candidate: e.candidate,
            body: e.body,
        }
    }
}

/// The canonical JSON of a whole entry. The body text goes in verbatim: it is stored canonical, so
/// this equals `canonical_json` of the entry with the body parsed (what an independent verifier
/// computes), and any later change to the stored text changes the hash.
pub fn canonical_entry(c: &Content) -> String {
    let mut out = Vec::with_capacity(c.body.len() + c.at.len() + c.steward.len() + 96);
    write_entry(c, &mut |bytes| out.extend_from_slice(bytes));
    String::from_utf8(out).expect("pieces of UTF-8 text")
}

/// Feeds the canonical entry, piece by piece, to `sink` (hashing needs no copy of the body).
fn write_entry(c: &Content, sink: &mut impl FnMut(&[u8])) {
    let string = |s: &str, sink: &mut dyn FnMut(&[u8])| {
        if s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
            sink(serde_json::to_string(s).expect("a string always serialises").as_bytes());
        } else {
            sink(b"\"");
            sink(s.as_bytes());
            sink(b"\"");
        }
    };
    sink(b"{\"action\":");
    string(c.action, sink);
    sink(b",\"at\":");
    string(c.at, sink);
    sink(b",\"body\":");
    sink(c.body.as_bytes());
    sink(b",\"candidate\":");
    match c.candidate {
        Some(id) => sink(id.to_string().as_bytes()),
        None => sink(b"null"),
    }
    sink(b",\"seq\":");
    sink(c.seq.to_string().as_bytes());
    sink(b",\"steward\":");
    string(c.steward, sink);
    sink(b"}");
}

/// The 32 bytes of an entry's hash: SHA-256 over prev_hash, a newline and the canonical entry.
pub fn content_hash(prev_hash: &str, c: &Content) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    write_entry(c, &mut |bytes| h.update(bytes));
    h.finalize().into()
}

/// SHA-256 over prev_hash, a newline and a canonical entry's text.
pub fn hash_bytes(prev_hash: &str, canonical: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(canonical.as_bytes());
    h.finalize().into()
}

/// An entry's hash as lowercase hex.
pub fn entry_hash(prev_hash: &str, c: &Content) -> String {
    hex(&content_hash(prev_hash, c))
}

/// Refuses what must never be written: a decision that does not name its candidate and the
/// version of every member it was made on, and sign-offs without their key.
pub fn check_body(action: Action, candidate: Option<i64>, body: &Value) -> Result<(), EncodingError> {
    if (action.is_decision() || action == Action::Undo) && candidate.is_none() {
        return Err(EncodingError(format!("a journal {action} entry must name its candidate")));
    }
    if action.is_decision() {
        let members = body.get("members").and_then(Value::as_array).filter(|m| !m.is_empty());
        let Some(members) = members else {
            return Err(EncodingError(format!(
                "a decision must name the member records it was made on (none in this {action} entry)"
            )));
        };
        for m in members {
            let key = m.get("key").and_then(Value::as_str).unwrap_or("");
            let version = m.get("version").and_then(Value::as_i64).filter(|v| *v > 0);
            if key.is_empty() || version.is_none() {
                return Err(EncodingError(format!(
                    "a decision must name the version of every member it was made on (`{}` has none)",
                    crate::text::visible(key)
                )));
            }
        }
    }
    Ok(())
}

pub use crate::text::hex;

/// Bytes from hex (either case), or `None` when it is not hex.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    text.as_bytes().chunks(2).map(|p| Some(digit(p[0])? << 4 | digit(p[1])?)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_json_sorts_keys_and_refuses_floats() {
        let cases: Vec<(Value, Result<&str, ()>)> = vec![
            (json!({"b": 1, "a": [true, null, "x"]}), Ok(r#"{"a":[true,null,"x"],"b":1}"#)),
            (json!({"é": "ü", "z": "\n\u{1}\"\\", "Z": -3}), Ok(r#"{"Z":-3,"z":"\n\u0001\"\\","é":"ü"}"#)),
            (
                json!({"nested": {"y": 2, "x": {"b": 0, "a": 1}}}),
                Ok(r#"{"nested":{"x":{"a":1,"b":0},"y":2}}"#),
            ),
            (json!({"score": 0.93}), Err(())),
            (json!([1.0]), Err(())),
            (json!(u64::MAX), Ok("18446744073709551615")),
        ];
        for (value, want) in cases {
            let got = canonical_json(&value).map_err(|_| ());
            assert_eq!(got.as_deref(), want.as_ref().map(|s| *s), "{value}");
        }
    }

    #[test]
    fn canonical_entry_equals_canonical_json_of_the_whole_entry() {
        let body = json!({"members": [{"key": "hubspot:1", "version": 2}], "note": "tab\there ⟨🎉⟩"});
        let body_text = canonical_json(&body).unwrap();
        for candidate in [Some(17), None] {
            let c = Content {
                seq: 42,
                at: "2026-05-01T10:00:00Z",
                steward: "ana",
                action: "approve",
                candidate,
                body: &body_text,
            };
            let whole = json!({"seq": 42, "at": c.at, "steward": "ana", "action": "approve", "candidate": candidate, "body": body});
            assert_eq!(canonical_entry(&c), canonical_json(&whole).unwrap());
        }
    }

    #[test]
    fn hash_is_sha256_of_prev_newline_canonical() {
        // Expected values computed independently with Python's hashlib.
        assert_eq!(
            hex(&hash_bytes("", "{}")),
            "a062dd4952b935e430d409c4a5e5cd760e8781e3200d5c7e12a232dddba8a528"
        );
        let first = Content { seq: 1, at: "t", steward: "s", action: "import", candidate: None, body: "{}" };
        assert_eq!(
            entry_hash(GENESIS, &first),
            "5f2f57701e228743050fdb15cbf859e03af0ff35a68d6a71160489bf65145e76"
        );
        let awkward = Content { steward: "a\"b\\c\u{1}é", at: "\n", ..first };
        assert_eq!(content_hash(GENESIS, &awkward), hash_bytes(GENESIS, &canonical_entry(&awkward)));
        let other = Content { steward: "S", ..first };
        assert_ne!(entry_hash(GENESIS, &other), entry_hash(GENESIS, &first));
    }

    #[test]
    fn decisions_need_member_versions() {
        let ok = json!({"members": [{"key": "a:1", "version": 1}, {"key": "b:2", "version": 3}]});
        let cases: Vec<(Action, Option<i64>, Value, bool)> = vec![
            (Action::Approve, Some(1), ok.clone(), true),
            (Action::Approve, None, ok.clone(), false),
            (Action::Reject, Some(1), json!({}), false),
            (Action::Defer, Some(1), json!({"members": []}), false),
            (Action::Approve, Some(1), json!({"members": [{"key": "a:1"}]}), false),
            (Action::Approve, Some(1), json!({"members": [{"key": "a:1", "version": 0}]}), false),
            (Action::Approve, Some(1), json!({"members": [{"key": "a:1", "version": "1"}]}), false),
            (Action::Import, None, json!({}), true),
            (Action::Undo, None, json!({}), false),
        ];
        for (action, candidate, body, want) in cases {
            assert_eq!(check_body(action, candidate, &body).is_ok(), want, "{action} {candidate:?} {body}");
        }
    }

    #[test]
    fn hex_round_trip() {
        assert_eq!(hex(&[0, 15, 16, 255]), "000f10ff");
        assert_eq!(unhex("000F10ff"), Some(vec![0, 15, 16, 255]));
        assert_eq!(unhex("0g"), None);
        assert_eq!(unhex("abc"), None);
    }
}
