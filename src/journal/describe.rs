//! One line saying what a journal entry did: the audit log's `what` column and the console's
//! journal screen read it, so the two never tell an entry differently.

use super::signoff::read_covers;
use super::Action;
use crate::text::count;
use serde_json::Value;

/// Where the line goes: the audit log (whole paths; a decision's status change on the member
/// versions seen, and its note), or the console's narrow journal screen (file names only, where
/// the end of a path is what tells imports apart; a decision's note, else its status change).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum For {
    Log,
    Screen,
}

/// What the entry of `action` with `body` did, in one line of plain text (the caller makes it
/// visible or escapes it for where it goes).
pub fn what(action: &str, text: &str) -> String {
    what_for(action, text, For::Log)
}

/// `what`, said for where it goes.
pub fn what_for(action: &str, text: &str, place: For) -> String {
    let body: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let s = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let file = |k: &str| {
        let path = s(k);
        match place {
            // The absolute path when the entry keeps one (a file given relative to a folder).
            For::Log => body.get("path").and_then(Value::as_str).map_or(path, str::to_string),
            For::Screen => std::path::Path::new(&path)
                .file_name()
                .map_or(path.clone(), |name| name.to_string_lossy().into_owned()),
        }
    };
    let n = |k: &str| body.get(k).and_then(Value::as_i64).unwrap_or(0);
    match Action::parse(action) {
        Some(Action::Approve | Action::Reject | Action::Defer) if place == For::Screen => match s("note") {
            note if note.is_empty() => format!("{} → {}", s("status_before"), s("status_after")),
            note => note,
        },
        Some(Action::Approve | Action::Reject | Action::Defer) => {
            let note = s("note");
            let note = if note.is_empty() { String::new() } else { format!(" · {note}") };
            format!("{} → {} on {}{note}", s("status_before"), s("status_after"), s("seen"))
        }
        Some(Action::Undo) if place == For::Screen && !s("note").is_empty() => s("note"),
        Some(Action::Undo) => format!(
            "reverses {} · {} → {}{}{}",
            n("reverses"),
            s("status_before"),
            s("status_after"),
            crate::export::audit::superseded_by(&body)
                .map_or(String::new(), |by| format!(" · replaced by {by}")),
            match s("note") {
                note if note.is_empty() => String::new(),
                note => format!(" · {note}"),
            }
        ),
        Some(Action::Import) if s("kind") == "detect" => detection(&body),
        Some(Action::Import) => {
            format!("{} {} · {}", s("kind"), file("file"), count(n("rows"), "row", "rows"))
        }
        Some(Action::Export) => format!("{} → {}", s("format"), file("file")),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_and_exports_name_their_files_whole_or_by_name() {
        let import = r#"{"kind":"records","file":"/data/crm/contacts_webform.csv","rows":120}"#;
        assert_eq!(what("import", import), "records /data/crm/contacts_webform.csv · 120 rows");
        assert_eq!(what_for("import", import, For::Screen), "records contacts_webform.csv · 120 rows");
        let export = r#"{"format":"salesforce","file":"out/plan.json","items":1}"#;
        assert_eq!(what_for("export", export, For::Screen), "salesforce → plan.json");
        let one = r#"{"kind":"candidates","file":"p.csv","rows":1}"#;
        assert_eq!(what("import", one), "candidates p.csv · 1 row");
        let decision = r#"{"status_before":"pending","status_after":"approved","seen":"1.2","note":"same"}"#;
        assert_eq!(what("approve", decision), "pending → approved on 1.2 · same");
        assert_eq!(what_for("approve", decision, For::Screen), "same");
        let silent = r#"{"status_before":"pending","status_after":"rejected","seen":"1.2","note":null}"#;
        assert_eq!(what_for("reject", silent, For::Screen), "pending → rejected");
    }
}
