//! One line of a JSON Lines records file, parsed with exact positions: syntax errors at the line's
//! own 1-based column, and an object's members in file order so that a repeated or empty key is
//! refused (as a repeated or empty column name is in a CSV header) instead of the last one silently
//! winning. Values are read as the text the file writes: a number keeps its digits (`1.10`, a
//! 23-digit account number), never passing through a float.

use super::InputError;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::collections::HashSet;
use std::fmt;

/// An object's members in the order the line gives them, repeats included, values unparsed.
struct Members<'a>(Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(MembersVisitor(std::marker::PhantomData))
    }
}

struct MembersVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de> Visitor<'de> for MembersVisitor<'de> {
    type Value = Members<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<'de>, A::Error> {
        let mut members = Vec::with_capacity(map.size_hint().unwrap_or(16));
        while let Some(member) = map.next_entry::<String, &'de RawValue>()? {
            members.push(member);
        }
        Ok(Members(members))
    }
}

/// A member's value as a field's text: strings as they are, numbers and booleans as written,
/// arrays of those joined by `;`; `None` when missing (`null`, "", an empty array). Nested
/// objects and arrays are no field: the error says which.
fn cell_text(raw: &RawValue) -> Result<Option<String>, &'static str> {
    let text = raw.get().trim();
    match text.as_bytes().first() {
        Some(b'n') => Ok(None),
        Some(b'"') => {
            let s: String = serde_json::from_str(text).map_err(|_| "invalid string")?;
            Ok((!s.is_empty()).then_some(s))
        }
        Some(b'{') => Err("nested objects are not fields"),
        Some(b'[') => {
            let items: Vec<&RawValue> = serde_json::from_str(text).map_err(|_| "invalid array")?;
            let mut parts = Vec::with_capacity(items.len());
            for item in items {
                match item.get().trim().as_bytes().first() {
                    Some(b'{' | b'[') => return Err("nested values are not fields"),
                    _ => parts.extend(cell_text(item)?),
                }
            }
            Ok((!parts.is_empty()).then(|| parts.join(";")))
        }
        _ => Ok(Some(text.to_string())),
    }
}

/// The 1-based character column of byte offset `byte` in `line`.
fn char_column(line: &str, byte: usize) -> usize {
    line.get(..byte).map_or(byte, |before| before.chars().count()) + 1
}

/// The 1-based column where the `nth` (0-based) member named `key` starts, or 1 when it cannot be
/// found (a key written with escapes the encoder would not use).
pub fn key_column(line: &str, key: &str, nth: usize) -> usize {
    let quoted = serde_json::to_string(key).expect("a string always serialises");
    line.match_indices(&quoted)
        .filter(|(at, _)| line[at + quoted.len()..].trim_start().starts_with(':'))
        .nth(nth)
        .map_or(1, |(at, _)| char_column(line, at))
}

/// Parses one line (without its line end) as a JSON object of fields: each key with its value's
/// text (`None`: missing). A syntax error, a value that is not an object, a nested value and a
/// repeated or empty key are errors at this line and the column where they are.
pub fn parse(file: &str, line_no: u64, line: &str) -> Result<Vec<(String, Option<String>)>, InputError> {
    let Members(members) = serde_json::from_str(line).map_err(|e| {
        // serde_json counts bytes and from 0 at the end of input; its own "at line 1 column N"
        // would contradict the file's line number, so only its description is kept.
        let text = e.to_string();
        let what = text.rfind(" at line ").map_or(text.as_str(), |at| &text[..at]);
        let column = if e.is_eof() {
            // The line ended too soon: point just past its end, where the rest was expected.
            line.chars().count() + 1
        } else {
            char_column(line, e.column().saturating_sub(1))
        };
        let message = if e.is_data() { what.to_string() } else { format!("invalid JSON: {what}") };
        InputError::at(file, line_no, Some((column, String::new())), message)
    })?;
    let mut seen = HashSet::with_capacity(members.len());
    for (key, _) in &members {
        if key.is_empty() {
            return Err(InputError::at(
                file,
                line_no,
                Some((key_column(line, key, 0), String::new())),
                "empty key: every field needs a name",
            ));
        }
        if !seen.insert(key.as_str()) {
            return Err(InputError::at(
                file,
                line_no,
                Some((key_column(line, key, 1), key.clone())),
                "this key appears twice in the object",
            ));
        }
    }
    members
        .into_iter()
        .map(|(key, raw)| match cell_text(raw) {
            Ok(text) => Ok((key, text)),
            Err(why) => {
                Err(InputError::at(file, line_no, Some((key_column(line, &key, 0), key.clone())), why))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(line: &str) -> String {
        parse("f.jsonl", 3, line).unwrap_err().to_string()
    }

    #[test]
    fn errors_name_the_line_and_column_of_the_file() {
        assert_eq!(
            error(r#"{"id":"2","name":"Bob""#),
            "f.jsonl:3:23: invalid JSON: EOF while parsing an object"
        );
        assert_eq!(error(r#"{"id":"1"} x"#), "f.jsonl:3:12: invalid JSON: trailing characters");
        assert_eq!(error(r#"{"é":"ü",}"#), "f.jsonl:3:10: invalid JSON: trailing comma");
        assert!(error("[1, 2]").starts_with("f.jsonl:3:1: invalid type: sequence, expected a JSON object"));
        assert_eq!(
            error(r#"{"id":"1", "name":"a", "name" :"b"}"#),
            "f.jsonl:3:24: this key appears twice in the object (column `name`)"
        );
        assert_eq!(error(r#"{"id":"1","":"x"}"#), "f.jsonl:3:11: empty key: every field needs a name");
    }

    #[test]
    fn members_keep_their_order() {
        let members = parse("f", 1, r#"{"b":1,"a":null}"#).unwrap();
        assert_eq!(members, vec![("b".to_string(), Some("1".to_string())), ("a".to_string(), None)]);
    }

    #[test]
    fn values_are_the_text_the_file_writes() {
        let line = r#"{"id":9007199254740993,"a":12345678901234567890123,"b":1.10,"c":1e3,"d":1e400,"e":true,"f":"","g":["x",2.50,null,false],"h":[],"i":"é\n"}"#;
        let text = |k: &str| parse("f", 1, line).unwrap().into_iter().find(|(key, _)| key == k).unwrap().1;
        assert_eq!(text("id").as_deref(), Some("9007199254740993"));
        assert_eq!(text("a").as_deref(), Some("12345678901234567890123"));
        assert_eq!(text("b").as_deref(), Some("1.10"));
        assert_eq!(text("c").as_deref(), Some("1e3"));
        assert_eq!(text("d").as_deref(), Some("1e400"));
        assert_eq!(text("e").as_deref(), Some("true"));
        assert_eq!(text("f"), None);
        assert_eq!(text("g").as_deref(), Some("x;2.50;false"));
        assert_eq!(text("h"), None);
        assert_eq!(text("i").as_deref(), Some("é\n"));
        assert_eq!(
            error(r#"{"id":"1","x":{"a":1}}"#),
            "f.jsonl:3:11: nested objects are not fields (column `x`)"
        );
        assert_eq!(
            error(r#"{"id":"1","x":[[1]]}"#),
            "f.jsonl:3:11: nested values are not fields (column `x`)"
        );
    }
}
