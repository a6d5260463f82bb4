//! JSON at the volume of a million rows: reading stored JSON without copying it (strings borrowed
//! from the input wherever escapes allow, objects as their entries in order, no map), and writing
//! strings exactly as serde_json does without its per-call cost. Detection reads a million
//! records' fields, an import writes them, an export reads and writes a million decisions.

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// A JSON string, borrowed from the input when it has no escapes.
#[derive(serde::Deserialize)]
pub struct Text<'a>(#[serde(borrow)] pub Cow<'a, str>);

/// A JSON object's entries in their order, without building a map.
pub struct Pairs<'a, T>(pub Vec<(Text<'a>, T)>);

impl<T> Default for Pairs<'_, T> {
    fn default() -> Self {
        Pairs(Vec::new())
    }
}

impl<'de: 'a, 'a, T: Deserialize<'de>> Deserialize<'de> for Pairs<'a, T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Pairs<'de, T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(12));
                while let Some(entry) = map.next_entry()? {
                    out.push(entry);
                }
                Ok(Pairs(out))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// Appends `s` as a JSON string, escaped exactly as serde_json escapes it (`"`, `\\` and control
/// characters); a string without those, nearly every one, is copied whole.
pub fn push_str(out: &mut Vec<u8>, s: &str) {
    // No early exit: the loop compiles to wide compares.
    let escape = s.bytes().fold(false, |any, b| any | (b < 0x20) | (b == b'"') | (b == b'\\'));
    if escape {
        serde_json::to_writer(&mut *out, s).expect("writing to memory");
    } else {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_borrows_strings_without_escapes() {
        let plain: Text = serde_json::from_str(r#""Ann""#).unwrap();
        assert!(matches!(plain.0, Cow::Borrowed("Ann")));
        let escaped: Text = serde_json::from_str(r#""A\nn""#).unwrap();
        assert!(matches!(escaped.0, Cow::Owned(ref s) if s == "A\nn"));
    }

    #[test]
    fn pairs_keep_the_entries_in_order() {
        let pairs: Pairs<Text> = serde_json::from_str(r#"{"b":"1","a":"x\"y"}"#).unwrap();
        let entries: Vec<(&str, &str)> = pairs.0.iter().map(|(k, v)| (&*k.0, &*v.0)).collect();
        assert_eq!(entries, [("b", "1"), ("a", "x\"y")]);
    }
}
