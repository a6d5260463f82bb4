//! How the command line words and lays out what it prints: counts of one in the singular, and the
//! audit log's columns lined up whatever the stored times look like, what a grouped pick took
//! with it, and whose decision an undo reversed.

mod common;
use common::{fixture, Workspace};
use serde_json::Value;

fn run(ws: &Workspace, now: &str, args: &[&str]) -> std::process::Output {
    let out = ws.cmd().env("MERGEQ_NOW", now).args(args).output().expect("run");
    assert!(out.status.success(), "mergeq {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

#[test]
fn audit_log_shows_every_time_in_one_width_and_keeps_what_is_stored() {
    let ws = Workspace::new();
    let sf = fixture("import/contacts_sf.csv");
    let hs = fixture("import/contacts_hs.csv");
    let sf_args =
        ["import", "records", sf.to_str().unwrap(), "--object", "contact", "--source", "salesforce"];
    let hs_args = ["import", "records", hs.to_str().unwrap(), "--object", "contact", "--source", "hubspot"];
    run(&ws, "2026-11-27T21:06:04.4Z", &sf_args);
    run(&ws, "2026-11-27T21:06:05Z", &hs_args);
    let stored: Vec<Value> = serde_json::from_str(&ws.ok(&["audit", "log", "--json"])).unwrap();
    let at: Vec<&str> = stored.iter().map(|e| e["at"].as_str().unwrap()).collect();
    // Stamped with three fraction digits whatever the clock gave (older workspaces hold other
    // widths, which the log shows in this one: `clock::fixed_width`).
    assert_eq!(at, ["2026-11-27T21:06:04.400Z", "2026-11-27T21:06:05.000Z"]);

    let text = ws.ok(&["audit", "log"]);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[1].contains("  2026-11-27T21:06:04.400Z  ann "), "{text}");
    assert!(lines[2].contains("  2026-11-27T21:06:05.000Z  ann "), "{text}");
    let column = |line: &str, what: &str| line.find(what).unwrap_or_else(|| panic!("no {what} in {line:?}"));
    assert_eq!(column(lines[0], "steward"), column(lines[1], "ann"), "{text}");
    assert_eq!(column(lines[1], "ann"), column(lines[2], "ann"), "{text}");
}

/// Runs a command that must succeed and returns its stderr (where messages go).
fn said(ws: &Workspace, args: &[&str]) -> String {
    let out = ws.cmd().args(args).output().expect("run");
    assert!(out.status.success(), "mergeq {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stderr).expect("utf-8 stderr")
}

#[test]
fn counts_of_one_are_in_the_singular() {
    let ws = Workspace::new();
    let sf = ws.file("sf.csv", "id,first_name,last_name,email\n1,Ann,Lee,ann@example.com\n");
    let hs = ws.file("hs.csv", "id,first_name,last_name,email\n9,Ann,Lee,ann@example.com\n");
    let pair = ws.file("pair.csv", "left,right,score,reason\nsalesforce:1,hubspot:9,0.9,same email\n");
    let records = |file: &std::path::Path, source: &str| {
        said(&ws, &["import", "records", file.to_str().unwrap(), "--object", "contact", "--source", source])
    };
    assert!(records(&sf, "salesforce").contains("sf.csv: 1 row · records 1 new"));
    let again = records(&sf, "salesforce");
    assert!(again.contains("nothing new — 1 row, already in the workspace unchanged"), "{again}");
    let log = ws.ok(&["audit", "log"]);
    assert!(log.ends_with("sf.csv · 1 row\n1 entry\n"), "{log}");
    let verified = ws.ok(&["audit", "verify"]);
    assert!(verified.starts_with("journal ok: 1 entry, head "), "{verified}");

    records(&hs, "hubspot");
    let detect = said(&ws, &["detect", "--object", "contact"]);
    assert!(detect.contains("1 pair to compare") && detect.contains("] 1 pair compared\n"), "{detect}");
    assert!(detect.contains("detect contact: 2 records, 1 pair compared, "), "{detect}");

    said(&ws, &["import", "candidates", pair.to_str().unwrap()]);
    assert!(ws.ok(&["queue"]).ends_with("\n1 candidate\n"));
    let stats = ws.ok(&["stats"]);
    assert!(stats.starts_with("0 of 1 candidate decided · "), "{stats}");
    // The dashboard's mean pending score, in the same words.
    let json: Value = serde_json::from_str(&ws.ok(&["stats", "--json"])).unwrap();
    let mean = json["mean_pending_score"].as_f64().expect("a mean");
    assert!(stats.contains(&format!("\nmean score of the pending candidates: {mean:.2}\n")), "{stats}");
    said(&ws, &["decide", "1", "approve"]);
    let out = ws.dir.path().join("golden.csv");
    let exported = said(&ws, &["export", "golden-csv", "--include-unsigned", "--out", out.to_str().unwrap()]);
    assert!(exported.starts_with("exported golden-csv (1 item) to "), "{exported}");
    let report = ws.ok(&["export", "audit-report", "--include-unsigned"]);
    assert!(report.contains("sf.csv`: 1 row, sha256 "), "{report}");
    assert!(report.contains(": 1 item, sha256 "), "{report}");
}

/// `decide --pick` of a field in a group says the group came with it, and which fields went
/// empty; `undo` of another steward's decision names them.
#[test]
fn a_grouped_pick_and_another_stewards_undo_are_said() {
    let ws = Workspace::address_pair();
    let out = ws
        .cmd()
        .args(["--steward", "bob", "decide", "1", "approve", "--pick", "country=salesforce:2"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(
            "note: --pick country=salesforce:2 takes the whole address from salesforce:2: city, postcode, street now empty (it has none)\n"
        ),
        "{said}"
    );
    let out = ws.cmd().args(["undo", "1"]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.starts_with("undid entry 3 (bob's approve of candidate 1)"), "{said}");
}

/// Approving from the command line with a field no rule decided says so, and how to choose; a
/// pick settles it and the note goes.
#[test]
fn approving_with_a_field_no_rule_decided_says_so() {
    let ws = Workspace::new();
    ws.file("r.csv", "id,name,email\n1,Ann Lee,ann@x.example\n2,Anne Lee,ann@x.example\n");
    ws.ok(&["import", "records", "r.csv", "--object", "contact", "--source", "salesforce"]);
    ws.file("p.csv", "left,right,score\nsalesforce:1,salesforce:2,0.9\n");
    ws.ok(&["import", "candidates", "p.csv"]);
    let out = ws.cmd().args(["decide", "1", "approve"]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(
            "note: 1 field no rule decided (name): approved with the values shown, the survivor's; \
             `--pick FIELD=SOURCE:ID` or `--set FIELD=VALUE` chooses (approve again, or undo)"
        ),
        "{said}"
    );
    let out = ws.cmd().args(["decide", "1", "approve", "--pick", "name=salesforce:2"]).output().unwrap();
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("no rule decided"));
}

/// A file given relative to the folder the command ran in is kept in the journal with its
/// absolute path too, and the audit log names that: an auditor finds it from anywhere.
#[test]
fn the_journal_keeps_where_imported_and_exported_files_are() {
    let ws = Workspace::new();
    ws.file("r.csv", "id,name\n1,Ann Lee\n2,Ann Lee\n");
    ws.ok(&["import", "records", "r.csv", "--object", "contact", "--source", "crm"]);
    ws.ok(&["export", "golden-csv", "--include-unsigned", "--out", "g.csv"]);
    let log: Vec<Value> = serde_json::from_str(&ws.ok(&["audit", "log", "--json"])).unwrap();
    let abs = |name: &str| std::path::absolute(ws.dir.path().join(name)).unwrap().display().to_string();
    let import = log.iter().find(|e| e["action"] == "import").unwrap();
    assert_eq!(
        (&import["body"]["file"], &import["body"]["path"]),
        (&Value::from("r.csv"), &Value::from(abs("r.csv")))
    );
    let export = log.iter().find(|e| e["action"] == "export").unwrap();
    assert_eq!(export["body"]["path"], abs("g.csv"));
    let text = ws.ok(&["audit", "log"]);
    assert!(text.contains(&abs("r.csv")), "{text}");
}
