//! One line of a JSON Lines records file, parsed with exact positions: syntax errors at the line's
//! own 1-based column, and an object's members in file order so that a repeated or empty key is
//! refused (as a repeated or empty column name is in a CSV header) instead of the last one silently
//! winning.

use super::InputError;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;
use std::collections::HashSet;
use std::fmt;

/// An object's members in the order the line gives them, repeats included.
struct Members(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(MembersVisitor)
    }
}

struct MembersVisitor;

impl<'de> Visitor<'de> for MembersVisitor {
    type Value = Members;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
        let mut members = Vec::with_capacity(map.size_hint().unwrap_or(16));
        while let Some(member) = map.next_entry::<String, Value>()? {
            members.push(member);
        }
        Ok(Members(members))
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

/// Parses one line (without its line end) as a JSON object; a syntax error, a value that is not
/// an object, and a repeated or empty key are errors at this line and the column where they are.
pub fn parse(file: &str, line_no: u64, line: &str) -> Result<Vec<(String, Value)>, InputError> {
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
    Ok(members)
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
        assert_eq!(members, vec![("b".to_string(), Value::from(1)), ("a".to_string(), Value::Null)]);
    }
}
