//! How the command line words and lays out what it prints: counts of one in the singular, and the
//! audit log's columns lined up whatever the stored times look like.

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
    assert_eq!(at, ["2026-11-27T21:06:04.4Z", "2026-11-27T21:06:05Z"], "stored as the clock wrote them");

    let text = ws.ok(&["audit", "log"]);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[1].contains("  2026-11-27T21:06:04.400Z  ann "), "{text}");
    assert!(lines[2].contains("  2026-11-27T21:06:05.000Z  ann "), "{text}");
    let column = |line: &str, what: &str| line.find(what).unwrap_or_else(|| panic!("no {what} in {line:?}"));
    assert_eq!(column(lines[0], "steward"), column(lines[1], "ann"), "{text}");
    assert_eq!(column(lines[1], "ann"), column(lines[2], "ann"), "{text}");
}
