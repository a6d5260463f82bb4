//! Inline differences between a member's value and the golden value (from `similar`): which parts
//! of the member's value differ. Character level for short values, word level for long ones, and
//! the whole value when the two have little in common. Pure.

use similar::utils::{diff_chars, diff_words};
use similar::{Algorithm, ChangeTag, TextDiff};

/// Values longer than this (in characters) are compared word by word.
const WORDS_FROM: usize = 24;
/// Below this similarity the whole value is marked rather than a confetti of characters.
const MIN_RATIO: f32 = 0.5;

/// `value` cut into (text, differs) segments against `golden`; adjacent segments alternate.
pub fn segments(golden: Option<&str>, value: &str) -> Vec<(String, bool)> {
    if value.is_empty() {
        return Vec::new();
    }
    let Some(golden) = golden else { return vec![(value.to_string(), true)] };
    if golden == value {
        return vec![(value.to_string(), false)];
    }
    let long = golden.chars().count().max(value.chars().count()) > WORDS_FROM;
    let ratio = if long {
        TextDiff::from_words(golden, value).ratio()
    } else {
        TextDiff::from_chars(golden, value).ratio()
    };
    if ratio < MIN_RATIO {
        return vec![(value.to_string(), true)];
    }
    let parts = if long {
        diff_words(Algorithm::Myers, golden, value)
    } else {
        diff_chars(Algorithm::Myers, golden, value)
    };
    let mut out: Vec<(String, bool)> = Vec::new();
    for (tag, text) in parts {
        let differs = match tag {
            ChangeTag::Delete => continue,
            ChangeTag::Insert => true,
            ChangeTag::Equal => false,
        };
        match out.last_mut() {
            Some((last, d)) if *d == differs => last.push_str(text),
            _ => out.push((text.to_string(), differs)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(parts: &[(String, bool)]) -> String {
        parts.iter().map(|(t, d)| if *d { format!("[{t}]") } else { t.clone() }).collect()
    }

    #[test]
    fn marks_what_differs() {
        let cases = [
            (Some("Jon Smith"), "John Smith", "Jo[h]n Smith"),
            (Some("a@x.io"), "a@x.io", "a@x.io"),
            (None, "value", "[value]"),
            (Some("jane@acme.com"), "zz@q.org", "[zz@q.org]"),
            (Some("Acme Corporation"), "ACME Corporation", "A[CME] Corporation"),
            (
                Some("12 Long Street, Springfield, IL 62704"),
                "12 Long Street, Springfield, IL 62705",
                "12 Long Street, Springfield, IL [62705]",
            ),
            (Some("Main St"), "", ""),
        ];
        for (golden, value, want) in cases {
            assert_eq!(show(&segments(golden, value)), want, "{golden:?} vs {value:?}");
        }
    }
}
