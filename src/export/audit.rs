//! The audit exports: `audit-csv` (every journal entry, one row each, bodies as stored so the hashes
//! can be recomputed from the file) and `audit-report` (a Markdown account of a sign-off that an
//! auditor without mergeq can follow: who signed, what each decision changed, hashes, signature).

use super::{spreadsheet_safe, Rendered};
use crate::journal::signoff::read_covers;
use crate::journal::Action;
use crate::store::{JournalEntry, Store};
use crate::text::thousands;
use anyhow::{bail, Result};
use serde_json::{json, Value};
use std::fmt::Write;

/// The audit CSV's columns, in order.
pub const CSV_COLUMNS: [&str; 10] =
    ["seq", "at", "steward", "action", "candidate", "body", "prev_hash", "hash", "signature", "public_key"];

/// Every journal entry as CSV; cells that would start a spreadsheet formula get a `'` unless `raw`.
pub fn csv(store: &Store, raw: bool) -> Result<Rendered> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_COLUMNS)?;
    let mut rows = 0u64;
    store.scan_journal(1, |e| {
        let cells = [
            e.seq.to_string(),
            e.at,
            e.steward,
            e.action,
            e.candidate.map(|c| c.to_string()).unwrap_or_default(),
            e.body,
            e.prev_hash,
            e.hash,
            e.signature.unwrap_or_default(),
            e.public_key.unwrap_or_default(),
        ];
        if raw {
            w.write_record(&cells)?;
        } else {
            w.write_record(cells.iter().map(|c| spreadsheet_safe(c).into_owned()))?;
        }
        rows += 1;
        Ok(())
    })?;
    let bytes = w.into_inner().map_err(|e| anyhow::anyhow!("writing CSV: {e}"))?;
    Ok(Rendered { bytes, items: rows, details: json!({"raw": raw}) })
}

/// An import's or export's file: its absolute path when the entry keeps one, else as given.
fn where_written(body: &Value) -> &str {
    body.get("path").and_then(Value::as_str).unwrap_or_else(|| str_of(body, "file"))
}

/// Markdown-safe text: control characters made visible, HTML and table syntax escaped.
fn md(text: &str) -> String {
    let mut out = String::new();
    for c in crate::text::visible(text).chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '|' | '\\' | '*' | '`' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

fn md_value(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "—".to_string(),
        Some(Value::String(s)) if s.is_empty() => "\"\"".to_string(),
        Some(Value::String(s)) => md(s),
        Some(other) => md(&other.to_string()),
    }
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// A readable report of the latest sign-off (and, with `include_unsigned`, of the entries after it).
pub fn report(store: &Store, include_unsigned: bool) -> Result<Rendered> {
    let signoff = store.last_journal_entry(Action::Signoff)?;
    let (head_seq, head_hash) = store.journal_head()?.unwrap_or((0, String::new()));
    let (first, last) = match (&signoff, include_unsigned) {
        (Some(s), false) => (read_covers(&s.body).map_or(1, |c| c.first), s.seq),
        (Some(s), true) => (read_covers(&s.body).map_or(1, |c| c.first), head_seq),
        (None, true) => (1, head_seq),
        (None, false) => {
            bail!("the journal has no sign-off yet: run `mergeq signoff --key FILE` first, or give --include-unsigned")
        }
    };
    let mut out = String::new();
    writeln!(out, "# mergeq audit report\n")?;
    let path = store.path().map_or("(in memory)".to_string(), |p| p.display().to_string());
    writeln!(
        out,
        "Workspace `{}` · journal head: entry {head_seq}, hash `{head_hash}`\n",
        path.replace('`', "'")
    )?;
    match &signoff {
        Some(s) => signoff_section(&mut out, s)?,
        None => writeln!(out, "**No sign-off yet.** Every entry below is unsigned.\n")?,
    }
    let mut decisions = String::new();
    let mut others = String::new();
    let mut count = 0u64;
    let signed_up_to = signoff.as_ref().map_or(0, |s| s.seq);
    let mut unsigned_marked = false;
    store.scan_journal(first, |e| {
        if e.seq > last {
            return Ok(());
        }
        if e.seq > signed_up_to && !unsigned_marked {
            unsigned_marked = true;
            writeln!(decisions, "### Not yet signed off: entries from {} on\n", e.seq)?;
        }
        count += 1;
        entry_section(&mut decisions, &mut others, &e)
    })?;
    writeln!(out, "## Decisions\n")?;
    out.push_str(if decisions.is_empty() { "No decisions in this range.\n\n" } else { &decisions });
    writeln!(out, "## Other entries\n")?;
    if others.is_empty() {
        writeln!(out, "None.\n")?;
    } else {
        writeln!(
            out,
            "| entry | at | steward | action | details | hash |\n| --- | --- | --- | --- | --- | --- |"
        )?;
        out.push_str(&others);
        out.push('\n');
    }
    out.push_str(CHECKING);
    Ok(Rendered {
        bytes: out.into_bytes(),
        items: count,
        details: json!({"first": first, "last": last, "signoff": signoff.map(|s| s.seq)}),
    })
}

const CHECKING: &str = "## Checking this report without mergeq\n\n\
Every journal entry's `hash` is the SHA-256 (lowercase hex) of its `prev_hash`, a newline, and the canonical \
JSON of `{seq, at, steward, action, candidate, body}` (keys sorted, no whitespace, UTF-8, integers only). \
Each entry's `prev_hash` is the previous entry's `hash` (64 zeros for entry 1). A sign-off's signature is \
Ed25519 over the 32 bytes of its own hash. To check the workspace this report came from:\n\n\
```\npython3 verify_journal.py WORKSPACE.mergeq --pubkey STEWARD.key.pub\n```\n\n\
(`verify_journal.py` ships in mergeq's `tests/` folder and needs only Python 3 and the `cryptography` package.)\n";

fn signoff_section(out: &mut String, s: &JournalEntry) -> Result<()> {
    let c = read_covers(&s.body);
    writeln!(out, "## Sign-off: entry {}\n", s.seq)?;
    writeln!(out, "| | |\n| --- | --- |")?;
    writeln!(out, "| signed by | {} |", md(&s.steward))?;
    writeln!(out, "| at | {} |", md(&s.at))?;
    if let Some(c) = &c {
        writeln!(out, "| note | {} |", c.note.as_deref().map_or("—".to_string(), md))?;
        let counts: Vec<String> = c.counts.iter().map(|(a, n)| format!("{} {a}", thousands(*n))).collect();
        writeln!(
            out,
            "| covers | entries {}–{} ({}: {}) |",
            c.first,
            c.last,
            crate::text::count(thousands(c.entries), "entry", "entries"),
            counts.join(", ")
        )?;
        writeln!(out, "| head hash (entry {}) | `{}` |", c.last, c.head_hash)?;
    }
    writeln!(out, "| sign-off entry hash | `{}` |", s.hash)?;
    writeln!(out, "| public key (Ed25519, hex) | `{}` |", s.public_key.as_deref().unwrap_or(""))?;
    writeln!(out, "| signature (hex) | `{}` |\n", s.signature.as_deref().unwrap_or(""))?;
    Ok(())
}

fn entry_section(decisions: &mut String, others: &mut String, e: &JournalEntry) -> Result<()> {
    let body: Value = serde_json::from_str(&e.body).unwrap_or(Value::Null);
    let action = Action::parse(&e.action);
    let candidate = e.candidate.map_or(String::new(), |c| format!(" · candidate {c}"));
    let head = format!(
        "### Entry {} · {}{candidate} · {} · {}\n\n",
        e.seq,
        md(&e.action),
        md(&e.steward),
        md(&e.at)
    );
    match action {
        Some(a) if a.is_decision() => {
            decisions.push_str(&head);
            decision_section(decisions, &body)?;
            writeln!(decisions, "Entry hash: `{}`\n", e.hash)?;
        }
        Some(Action::Undo) => {
            decisions.push_str(&head);
            let reversed = body.get("reversed").cloned().unwrap_or(Value::Null);
            writeln!(
                decisions,
                "Reverses entry {} ({} by {} at {}). Status: {} → {}.\n",
                body.get("reverses").and_then(Value::as_i64).unwrap_or(0),
                md(str_of(&reversed, "action")),
                md(str_of(&reversed, "steward")),
                md(str_of(&reversed, "at")),
                md(str_of(&body, "status_before")),
                md(str_of(&body, "status_after")),
            )?;
            if let Some(by) = superseded_by(&body) {
                writeln!(decisions, "Replaced by {by}, which holds all its records.\n")?;
            }
            if let Some(note) = body.get("note").filter(|n| !n.is_null()) {
                writeln!(decisions, "Note: {}\n", md_value(Some(note)))?;
            }
            writeln!(decisions, "Entry hash: `{}`\n", e.hash)?;
        }
        _ => {
            let details = match action {
                Some(Action::Import) if str_of(&body, "kind") == "detect" => {
                    let config = match body.get("config").and_then(Value::as_str) {
                        Some(file) => format!(
                            ", config `{}` sha256 {}",
                            md(file).replace('`', "'"),
                            md(str_of(&body, "config_sha256"))
                        ),
                        None => String::new(),
                    };
                    format!("{}{config}", md(&crate::journal::describe::detection(&body)))
                }
                Some(Action::Import) => format!(
                    "{} `{}`: {}, sha256 {}",
                    md(str_of(&body, "kind")),
                    md(where_written(&body)).replace('`', "'"),
                    crate::text::count(body.get("rows").and_then(Value::as_i64).unwrap_or(0), "row", "rows"),
                    md(str_of(&body, "sha256"))
                ),
                Some(Action::Export) => format!(
                    "{} to {}: {}, sha256 {}",
                    md(str_of(&body, "format")),
                    md(where_written(&body)),
                    crate::text::count(
                        body.get("items").and_then(Value::as_i64).unwrap_or(0),
                        "item",
                        "items"
                    ),
                    md(str_of(&body, "sha256"))
                ),
                Some(Action::Signoff) => read_covers(&e.body)
                    .map_or(String::new(), |c| format!("signs entries {}–{}", c.first, c.last)),
                _ => String::new(),
            };
            writeln!(
                others,
                "| {} | {} | {} | {} | {details} | `{}…` |",
                e.seq,
                md(&e.at),
                md(&e.steward),
                md(&e.action),
                &e.hash[..12.min(e.hash.len())]
            )?;
        }
    }
    Ok(())
}

fn decision_section(out: &mut String, body: &Value) -> Result<()> {
    let members = body.get("members").and_then(Value::as_array).cloned().unwrap_or_default();
    let seen: Vec<String> = members
        .iter()
        .map(|m| {
            format!("{} v{}", md(str_of(m, "key")), m.get("version").and_then(Value::as_i64).unwrap_or(0))
        })
        .collect();
    writeln!(
        out,
        "Object: {} · score {} · status {} → {}  ",
        md(str_of(body, "object")),
        md(str_of(body, "score")),
        md(str_of(body, "status_before")),
        md(str_of(body, "status_after"))
    )?;
    writeln!(out, "Member versions seen: {}  ", seen.join(", "))?;
    writeln!(out, "Note: {}\n", md_value(body.get("note")))?;
    let golden = body.get("golden");
    let mut names: Vec<String> = members
        .iter()
        .filter_map(|m| m.get("fields").and_then(Value::as_object))
        .flat_map(|f| f.keys().cloned())
        .chain(
            golden
                .and_then(|g| g.get("fields"))
                .and_then(Value::as_object)
                .into_iter()
                .flat_map(|f| f.keys().cloned()),
        )
        .collect();
    names.sort();
    names.dedup();
    let keys: Vec<String> = members.iter().map(|m| md(str_of(m, "key"))).collect();
    let mut header = format!("| field | {} |", keys.join(" | "));
    let mut rule = format!("| --- |{}", " --- |".repeat(keys.len()));
    if golden.is_some() {
        header.push_str(" approved | chosen by |");
        rule.push_str(" --- | --- |");
    }
    writeln!(out, "{header}\n{rule}")?;
    for name in &names {
        let mut row = format!("| {} |", md(name));
        for m in &members {
            write!(row, " {} |", md_value(m.get("fields").and_then(|f| f.get(name))))?;
        }
        if let Some(g) = golden.and_then(|g| g.get("fields")).and_then(|f| f.get(name)) {
            let chosen = if str_of(g, "chosen_by") == "steward" {
                let suggested = g.get("suggested").map_or(String::new(), |s| {
                    format!(" (rule {} suggested {})", md(str_of(s, "rule")), md_value(s.get("value")))
                });
                format!("steward{suggested}")
            } else {
                format!("rule {}: {}", md(str_of(g, "rule")), md(str_of(g, "explanation")))
            };
            write!(row, " **{}** | {chosen} |", md_value(g.get("value")))?;
        } else if golden.is_some() {
            row.push_str(" — | |");
        }
        writeln!(out, "{row}")?;
    }
    out.push('\n');
    if let Some(s) = golden.and_then(|g| g.get("survivor")) {
        writeln!(
            out,
            "Survivor (CRM id kept): {} — {} ({})\n",
            md(str_of(s, "key")),
            md(str_of(s, "reason")),
            md(str_of(s, "chosen_by"))
        )?;
    }
    Ok(())
}

/// An undo written by an approval that replaced this one: "the approval of candidate 5 (entry 12)".
pub fn superseded_by(body: &Value) -> Option<String> {
    let by = body.get("superseded_by")?;
    Some(format!(
        "the approval of candidate {} (entry {})",
        by.get("candidate")?.as_i64()?,
        by.get("entry")?.as_i64()?
    ))
}
