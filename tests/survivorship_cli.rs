//! `mergeq show` and `mergeq rules check` as a steward runs them, on a 3-record cluster workspace
//! built from `tests/fixtures/survivorship/` through the command line.

mod common;
use common::{fixture, Workspace};
use serde_json::Value;

fn path(name: &str) -> String {
    fixture(&format!("survivorship/{name}")).to_str().unwrap().to_string()
}

/// A workspace with one contact from each of salesforce, hubspot and webform, clustered as one candidate.
fn cluster_workspace() -> Workspace {
    let ws = Workspace::new();
    for (file, source) in [
        ("contacts_sf.csv", "salesforce"),
        ("contacts_hs.csv", "hubspot"),
        ("contacts_webform.csv", "webform"),
    ] {
        ws.ok(&["import", "records", &path(file), "--object", "contact", "--source", source]);
    }
    ws.ok(&["import", "candidates", &path("clusters.csv")]);
    ws
}

fn show_json(ws: &Workspace, extra: &[&str]) -> Value {
    let mut args = extra.to_vec();
    args.extend(["show", "1", "--json"]);
    serde_json::from_str(&ws.ok(&args)).expect("one JSON document")
}

#[test]
fn show_prints_each_fields_rule_and_explanation() {
    let ws = cluster_workspace();
    let text = ws.ok(&["show", "1"]);
    let json = show_json(&ws, &[]);
    let golden = json["golden"].as_object().unwrap();
    assert_eq!(golden.len(), 14, "every field any member has");
    for (field, g) in golden {
        let row = text
            .lines()
            .find(|l| l.starts_with(&format!("{field} ")))
            .unwrap_or_else(|| panic!("no row for {field} in\n{text}"));
        assert!(row.ends_with(g["rule"].as_str().unwrap()), "{field}: rule missing from {row:?}");
        let explanation = g["explanation"].as_str().unwrap();
        assert!(text.contains(&format!("— {explanation}\n")), "{field}: explanation {explanation:?} missing");
    }
    // Concrete decisions a steward would expect from the built-in contact rules.
    let expect = [
        ("email", "ann.lee@acme.com", "source_priority", "valid email; salesforce outranks webform"),
        ("phone", "+1 415 555 0199", "most_recent", "valid phone; updated 2026-05-01, the newest of 2"),
        ("form_submissions", "8", "sum", "sum of 3 records: 2 + 5 + 1"),
        ("tags", "vip;newsletter;webinar", "union", "union of 2 records' values, 1 duplicate dropped"),
        ("owner", "005A1", "from_source", "from salesforce"),
        ("postcode", "12345", "most_complete", "address as a unit: the most complete (4 of 4 fields)"),
        (
            "last_name",
            "Lee",
            "source_priority",
            "person_name as a unit: salesforce outranks hubspot and webform",
        ),
    ];
    for (field, value, rule, explanation) in expect {
        let g = &golden[field];
        assert_eq!((g["value"].as_str(), g["rule"].as_str()), (Some(value), Some(rule)), "{field}");
        assert_eq!(g["explanation"], explanation, "{field}");
        assert_eq!(g["conflict"], false, "{field}");
    }
    assert!(text.contains("survivor: salesforce:0031 — salesforce outranks hubspot and webform\n"), "{text}");
    assert!(text.contains("why proposed:\n  - clustered by the generic file"), "{text}");
    assert!(text.contains("conflicts: none\n"));
    assert!(text.contains("seen: 1.1.1@0\n"), "{text}");
    // A value holding an escape sequence is shown as text, never sent to the terminal.
    assert!(text.contains("Acme␛[2J") && !text.contains('\u{1b}'), "{text}");
}

#[test]
fn show_json_has_the_documented_shape() {
    let ws = cluster_workspace();
    let json = show_json(&ws, &[]);
    let keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
    for key in ["id", "object", "score", "status", "reasons", "members", "golden", "survivor", "seen"] {
        assert!(keys.contains(&key), "missing {key} in {keys:?}");
    }
    assert_eq!(json["id"], 1);
    assert_eq!(json["object"], "contact");
    assert_eq!(json["status"], "pending");
    assert!((json["score"].as_f64().unwrap() - 0.91).abs() < 1e-9);
    assert!(json["reasons"][0]["text"].as_str().unwrap().starts_with("clustered"));
    let members = json["members"].as_array().unwrap();
    let member_keys: Vec<&str> = members.iter().map(|m| m["key"].as_str().unwrap()).collect();
    assert_eq!(member_keys, ["hubspot:5102", "salesforce:0031", "webform:77"]);
    let hs = &members[0];
    for key in ["key", "source", "id", "version", "created", "updated", "fields"] {
        assert!(hs.get(key).is_some(), "member lacks {key}");
    }
    assert_eq!(
        (&hs["source"], &hs["id"], &hs["version"]),
        (&Value::from("hubspot"), &Value::from("5102"), &Value::from(1))
    );
    assert_eq!(hs["updated"], "2026-05-01T10:00:00Z");
    assert_eq!(hs["fields"]["title"], "Chief Revenue Officer");
    assert_eq!(members[2]["updated"], Value::Null, "webform has no update time");
    let sum = &json["golden"]["form_submissions"];
    let sum_keys: Vec<&str> = sum.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(sum_keys, ["value", "from", "rule", "explanation", "conflict"]);
    assert_eq!(sum["from"], serde_json::json!(["salesforce:0031", "hubspot:5102", "webform:77"]));
    assert_eq!(json["golden"]["email"]["from"], serde_json::json!(["salesforce:0031"]));
    assert_eq!(json["survivor"]["key"], "salesforce:0031");
    assert_eq!(json["survivor"]["reason"], "salesforce outranks hubspot and webform");
    assert_eq!(json["seen"], "1.1.1@0", "member versions, and no decision or undo yet");
    assert_eq!(json["changed"], false);
}

#[test]
fn show_reports_a_member_changed_since_proposed() {
    let ws = cluster_workspace();
    let newer = ws.file(
        "hs_newer.csv",
        "id,first_name,last_name,email,title,updated_at\n5102,Annie,Lee,ann.lee@acme.com,CRO,2026-06-01T10:00:00Z\n",
    );
    ws.ok(&["import", "records", newer.to_str().unwrap(), "--object", "contact", "--source", "hubspot"]);
    let json = show_json(&ws, &[]);
    assert_eq!(json["seen"], "2.1.1@0", "hubspot:5102 is first in key order and is now version 2");
    assert_eq!(json["changed"], true);
    assert_eq!(json["members"][0]["proposed_version"], 1);
    assert_eq!(json["golden"]["title"]["value"], "CRO");
    let text = ws.ok(&["show", "1"]);
    assert!(text.contains("changed since proposed: hubspot:5102 (version 1 → 2)"), "{text}");
    assert!(text.contains("2 (was 1)"), "{text}");
}

#[test]
fn rules_given_on_the_command_line_replace_the_builtin_ones() {
    let ws = cluster_workspace();
    let rules = path("conflict_rules.toml");
    let json = show_json(&ws, &["--rules", &rules]);
    let company = &json["golden"]["company"];
    assert_eq!(company["conflict"], true);
    assert_eq!(company["rule"], "conflict");
    assert_eq!(json["survivor"]["reason"], "created 2019-03-02, the oldest of 3");
    let text = ws.cmd().env("MERGEQ_RULES", &rules).args(["show", "1"]).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    let row = text.lines().find(|l| l.starts_with("company ")).unwrap();
    assert!(row.contains(" ! ") && row.ends_with("conflict"), "{row}");
    assert!(text.contains("conflicts: 1 field marked ! needs the steward"), "{text}");
}

#[test]
fn show_refuses_an_unknown_candidate_and_a_bad_rules_file() {
    let ws = cluster_workspace();
    let err = ws.fails(&["show", "99"], 1);
    assert!(err.contains("no candidate 99"), "{err}");
    let err = ws.fails(&["--rules", &path("bad_rules.toml"), "show", "1"], 1);
    assert!(err.contains("bad_rules.toml:3:31: unknown strategy `newest`"), "{err}");
}

#[test]
fn rules_check_names_line_and_column() {
    let ws = Workspace::new();
    let out = ws.ok(&["rules", "check", concat!(env!("CARGO_MANIFEST_DIR"), "/assets/rules.toml")]);
    assert_eq!(out, "rules ok: 4 objects\n");
    let err = ws.fails(&["rules", "check", &path("bad_rules.toml")], 1);
    assert!(err.contains("bad_rules.toml:3:31: unknown strategy `newest`; expected one of"), "{err}");
    let semantic = ws.file(
        "semantic.toml",
        "[object.contact]\nsurvivor = [\"source_priority\", \"valid_email\"]\n\n[object.contact.fields]\nemail = []\n",
    );
    let err = ws.fails(&["rules", "check", semantic.to_str().unwrap()], 1);
    assert!(err.contains("semantic.toml:2:32: `valid_email` compares field values"), "{err}");
    assert!(err.contains("semantic.toml:5:9: the list of `email` is empty"), "{err}");
    assert!(err.contains("2 problems in the rules"), "{err}");
    assert!(!ws.db.exists(), "checking rules touches no workspace");
    let err = ws.fails(&["rules", "check", "missing.toml"], 1);
    assert!(err.contains("reading the rules file missing.toml"), "{err}");
}

#[test]
fn show_on_the_demo_workspace_explains_every_field_of_a_3_record_cluster() {
    let ws = Workspace::new();
    ws.ok(&["demo", "--no-console"]);
    let queue: Value = serde_json::from_str(&ws.ok(&["queue", "--json"])).unwrap();
    let cluster = queue
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["members"].as_array().unwrap().len() == 3 && c["object"] == "contact")
        .expect("the demo has 3-record contact clusters");
    let id = cluster["id"].to_string();
    let text = ws.ok(&["show", &id]);
    let json: Value = serde_json::from_str(&ws.ok(&["show", &id, "--json"])).unwrap();
    let golden = json["golden"].as_object().unwrap();
    assert!(golden.len() >= 10, "{text}");
    for (field, g) in golden {
        let row = text.lines().find(|l| l.starts_with(&format!("{field} "))).expect(field);
        assert!(row.ends_with(g["rule"].as_str().unwrap()), "{field}: {row}");
        let explanation = mergeq::text::visible(g["explanation"].as_str().unwrap());
        assert!(text.contains(&format!("— {explanation}\n")), "{field}: {explanation} missing from\n{text}");
    }
    assert!(text.contains("survivor: "), "{text}");
}
