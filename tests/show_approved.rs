//! `mergeq show` on an approved candidate shows the golden record that was approved — the
//! steward's edits, picks and survivor, read from the standing approval's journal entry, as the
//! golden exports carry it — not what the rules would suggest; pending candidates keep the
//! suggestion.

mod common;
use common::Workspace;
use serde_json::{json, Value};

/// Two contacts (`salesforce:S1`, `hubspot:H1`) paired as candidate 1, and `salesforce:S2`,
/// `hubspot:H2` as candidate 2.
fn workspace() -> Workspace {
    let ws = Workspace::new();
    let sf = ws.file(
        "sf.csv",
        "id,name,email,phone,website,updated_at\n\
         S1,Ann Lee,ann@acme.example,+1 415 555 0100,acme.example,2026-01-01T00:00:00Z\n\
         S2,Bob Ray,bob@acme.example,+1 415 555 0101,,2026-01-01T00:00:00Z\n",
    );
    let hs = ws.file(
        "hs.csv",
        "id,name,email,phone,website,updated_at\n\
         H1,Ann Lee,ann@acme.example,+1 415 555 0199,www.acme-corp.example,2026-02-01T00:00:00Z\n\
         H2,Bob Ray,bob@acme.example,,,2026-02-01T00:00:00Z\n",
    );
    let pairs = ws.file(
        "pairs.csv",
        "left,right,score,reason\nsalesforce:S1,hubspot:H1,0.95,same email\nsalesforce:S2,hubspot:H2,0.9,same email\n",
    );
    for (file, source) in [(&sf, "salesforce"), (&hs, "hubspot")] {
        ws.ok(&["import", "records", file.to_str().unwrap(), "--object", "contact", "--source", source]);
    }
    ws.ok(&["import", "candidates", pairs.to_str().unwrap()]);
    ws
}

fn show_json(ws: &Workspace, id: &str) -> Value {
    serde_json::from_str(&ws.ok(&["show", id, "--json"])).expect("one JSON document")
}

const APPROVE: [&str; 11] = [
    "decide",
    "1",
    "approve",
    "--set",
    "phone=+33 1 23 45 67 89",
    "--pick",
    "website=hubspot:H1",
    "--survivor",
    "hubspot:H1",
    "--note",
    "same person",
];

#[test]
fn show_prints_the_approved_golden_record_not_the_suggestion() {
    let ws = workspace();
    let before = show_json(&ws, "1");
    let suggested_phone = before["golden"]["phone"]["value"].as_str().unwrap().to_string();
    let suggested_website = before["golden"]["website"].clone();
    assert_eq!(before["survivor"]["key"], "salesforce:S1", "the rules keep salesforce's id");
    assert_ne!(suggested_website["value"], "www.acme-corp.example");
    assert_eq!(before["approval"], Value::Null);

    ws.ok(&APPROVE);
    let json = show_json(&ws, "1");
    assert_eq!(json["status"], "approved");
    let g = &json["golden"];
    assert_eq!(
        g["phone"],
        json!({"value": "+33 1 23 45 67 89", "from": [], "rule": "steward", "explanation": "edited by the steward",
               "conflict": false, "chosen_by": "steward",
               "suggested": {"value": suggested_phone, "from": before["golden"]["phone"]["from"], "rule": before["golden"]["phone"]["rule"]}})
    );
    assert_eq!(g["website"]["value"], "www.acme-corp.example");
    assert_eq!(g["website"]["from"], json!(["hubspot:H1"]));
    assert_eq!((&g["website"]["rule"], &g["website"]["chosen_by"]), (&json!("steward"), &json!("steward")));
    assert_eq!(g["website"]["suggested"]["value"], suggested_website["value"]);
    assert_eq!(g["email"]["chosen_by"], "rule");
    assert_eq!(g["email"].get("suggested"), None, "a rule's value has no suggestion beside it");
    assert_eq!(
        json["survivor"],
        json!({"key": "hubspot:H1", "reason": "chosen by the steward", "chosen_by": "steward", "suggested": "salesforce:S1"})
    );
    assert_eq!(json["approval"]["entry"], 4, "three imports, then the approval");
    assert_eq!(json["approval"]["steward"], "ann");
    assert_eq!(json["approval"]["note"], "same person");
    assert_eq!(json["approval"]["members_changed"], json!([]));

    // The same record the golden export carries, field by field.
    let line = ws.ok(&["export", "golden-jsonl", "--include-unsigned"]);
    let exported: Value = serde_json::from_str(line.lines().next().unwrap()).unwrap();
    assert_eq!(exported["survivor"], json["survivor"]["key"]);
    let fields = exported["fields"].as_object().unwrap();
    assert_eq!(fields.len(), g.as_object().unwrap().len());
    for (name, f) in fields {
        for key in ["value", "from", "rule"] {
            assert_eq!(f[key], g[name][key], "{name}.{key}");
        }
    }

    let text = ws.ok(&["show", "1"]);
    assert!(text.contains("\ngolden record approved in journal entry 4 by ann at 2026-11-27T09:00:00.000Z · note: same person\n"), "{text}");
    let row = |field: &str| text.lines().find(|l| l.starts_with(&format!("{field} "))).unwrap().to_string();
    assert!(row("field").contains("│ approved "), "{text}");
    assert!(row("phone").ends_with("│ +33 1 23 45 67 89      steward"), "{text}");
    assert!(row("website").contains("│ www.acme-corp.example"), "{text}");
    assert!(
        text.contains(&format!("↳ edited by the steward; the rules suggested {suggested_phone} (")),
        "{text}"
    );
    assert!(
        text.contains("survivor: hubspot:H1 — chosen by the steward (the rules suggested salesforce:S1)\n"),
        "{text}"
    );
    assert!(!text.contains("changed since"), "{text}");

    // Another candidate, pending, keeps the rules' suggestion and today's keys.
    let pending = show_json(&ws, "2");
    assert_eq!(pending["approval"], Value::Null);
    let keys: Vec<&str> =
        pending["golden"]["email"].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["value", "from", "rule", "explanation", "conflict"]);
    assert!(!pending["survivor"].as_object().unwrap().contains_key("chosen_by"));
    assert!(!ws.ok(&["show", "2"]).contains("approved in journal entry"));
}

#[test]
fn show_follows_the_standing_approval_through_replacements_and_undos() {
    let ws = workspace();
    let suggestion = show_json(&ws, "1");
    ws.ok(&APPROVE);
    ws.ok(&["decide", "1", "approve", "--set", "phone=+44 20 7946 0000"]);
    let json = show_json(&ws, "1");
    assert_eq!(
        (&json["approval"]["entry"], &json["golden"]["phone"]["value"]),
        (&json!(5), &json!("+44 20 7946 0000"))
    );
    assert_eq!(json["survivor"]["chosen_by"], "rule");
    assert_eq!(json["survivor"]["key"], "salesforce:S1");

    ws.ok(&["undo", "1"]);
    let json = show_json(&ws, "1");
    assert_eq!(
        (&json["approval"]["entry"], &json["golden"]["phone"]["value"]),
        (&json!(4), &json!("+33 1 23 45 67 89"))
    );
    assert_eq!(json["survivor"]["key"], "hubspot:H1");

    ws.ok(&["undo", "1"]);
    let json = show_json(&ws, "1");
    assert_eq!(json["status"], "pending");
    assert_eq!(json["approval"], Value::Null);
    assert_eq!(json["golden"], suggestion["golden"], "the rules' suggestion again");
    assert_eq!(json["survivor"], suggestion["survivor"]);
}

#[test]
fn show_says_when_members_changed_since_the_approval() {
    let ws = workspace();
    ws.ok(&APPROVE);
    let newer = ws.file(
        "hs_newer.csv",
        "id,name,email,phone,website,fax,updated_at\n\
         H1,Ann Lee,ann@acme.example,+1 415 555 0199,www.moved.example,+1 415 555 0999,2026-06-01T00:00:00Z\n",
    );
    ws.ok(&["import", "records", newer.to_str().unwrap(), "--object", "contact", "--source", "hubspot"]);
    let json = show_json(&ws, "1");
    assert_eq!(
        json["approval"]["members_changed"],
        json!([{"key": "hubspot:H1", "approved_version": 1, "version": 2}])
    );
    assert_eq!(
        json["golden"]["website"]["value"], "www.acme-corp.example",
        "the value approved, not today's"
    );
    assert_eq!(json["golden"].get("fax"), None, "no field the approval did not have");
    let text = ws.ok(&["show", "1"]);
    assert!(text.contains("changed since approved: hubspot:H1 (version 1 → 2)\n"), "{text}");
    assert!(text.contains("the approved column is the golden record as approved; the records' columns show them as they are now\n"), "{text}");
    let fax = text.lines().find(|l| l.starts_with("fax ")).expect("a row for the field gained since");
    assert!(fax.contains("+1 415 555 0999") && fax.trim_end().ends_with("│ —"), "{fax}");
    assert!(text.contains("↳ not in the approved record: no member had it when approved\n"), "{text}");
}

/// A rejected or deferred candidate says who decided it, when and why, in text and JSON; a
/// pending one has no decision.
#[test]
fn show_on_a_rejected_or_deferred_candidate_says_who_when_and_why() {
    let ws = workspace();
    assert_eq!(show_json(&ws, "2")["decision"], Value::Null);
    ws.ok(&["--steward", "bob", "decide", "2", "reject", "--note", "two people, one mailbox"]);
    let shown = show_json(&ws, "2");
    let decision = &shown["decision"];
    assert_eq!((&decision["action"], &decision["steward"]), (&json!("reject"), &json!("bob")));
    assert_eq!(decision["note"], "two people, one mailbox");
    let entry = decision["entry"].as_i64().unwrap();
    let at = decision["at"].as_str().unwrap().to_string();
    let text = ws.ok(&["show", "2"]);
    assert!(
        text.contains(&format!(
            "rejected in journal entry {entry} by bob at {at} · note: two people, one mailbox\n"
        )),
        "{text}"
    );
    ws.ok(&["decide", "1", "defer"]);
    assert!(ws.ok(&["show", "1"]).contains("deferred in journal entry "), "no note, no note part");
    assert_eq!(show_json(&ws, "1")["decision"]["note"], Value::Null);
    // Undone, the candidate is pending again and has no decision.
    ws.ok(&["undo", "2"]);
    assert_eq!(show_json(&ws, "2")["decision"], Value::Null);
}
