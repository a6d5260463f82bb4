//! One line saying what a journal entry did: the audit log's `what` column and the console's
//! journal screen read it, so the two never tell an entry differently.

use super::signoff::read_covers;
use super::Action;
use crate::text::count;
use serde_json::Value;

/// What the entry of `action` with `body` did, in one line of plain text (the caller makes it
/// visible or escapes it for where it goes).
pub fn what(action: &str, text: &str) -> String {
    let body: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let s = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let n = |k: &str| body.get(k).and_then(Value::as_i64).unwrap_or(0);
    match Action::parse(action) {
        Some(Action::Approve | Action::Reject | Action::Defer) => {
            let note = s("note");
            let note = if note.is_empty() { String::new() } else { format!(" · {note}") };
            format!("{} → {} on {}{note}", s("status_before"), s("status_after"), s("seen"))
        }
        Some(Action::Undo) => format!(
            "reverses {} · {} → {}{}",
            n("reverses"),
            s("status_before"),
            s("status_after"),
            crate::export::audit::superseded_by(&body)
                .map_or(String::new(), |by| format!(" · replaced by {by}"))
        ),
        Some(Action::Import) if s("kind") == "detect" => detection(&body),
        Some(Action::Import) => format!("{} {} · {}", s("kind"), s("file"), count(n("rows"), "row", "rows")),
        Some(Action::Export) => format!("{} → {}", s("format"), s("file")),
        Some(Action::Signoff) => read_covers(text).map_or(String::new(), |c| {
            format!("signs {}–{} · key {}…", c.first, c.last, &c.public_key[..12.min(c.public_key.len())])
        }),
        None => String::new(),
    }
}

/// A detection run: `detect contact · 500 records, 342 pairs compared · 35 candidates added, 63 updated`.
pub fn detection(body: &Value) -> String {
    let n = |k: &str| body.get(k).and_then(Value::as_i64).unwrap_or(0);
    let object = body.get("object").and_then(Value::as_str).unwrap_or("");
    let mut line = format!(
        "detect {object} · {}, {} compared · {} added, {} updated",
        count(n("records"), "record", "records"),
        count(n("pairs_compared"), "pair", "pairs"),
        count(n("candidates_added"), "candidate", "candidates"),
        n("candidates_changed")
    );
    if body.get("incremental").and_then(Value::as_bool) == Some(true) {
        let new = count(n("records_new_or_changed"), "record", "records");
        line.push_str(&format!(" · incremental ({new} new or changed)"));
    }
    line
}
