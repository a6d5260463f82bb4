//! `mergeq detect` as a user runs it: FEBRL1 (1,000 records, 500 true pairs, from the shared data
//! folder) imported, detected, listed; a second run adds nothing and compares nothing; a changed
//! record is compared again alone; a pair rejected with `mergeq decide` is never proposed again.

mod common;

use common::Workspace;
use mergeq::model::CandidateId;
use mergeq::store::Store;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// FEBRL1 as Splink's cluster file holds it; the shared folder sits beside the repository.
fn febrl1_source() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for shared in [root.join("../shared"), root.join("../../shared")] {
        let path = shared.join("data/splink/febrl1_clusters_p0.95.csv");
        if path.exists() {
            return path;
        }
    }
    panic!("FEBRL1 fixture not found: the shared data folder must sit beside the repository");
}

/// The records of FEBRL1 without Splink's `cluster_id` column.
fn febrl1_records() -> String {
    let text = std::fs::read_to_string(febrl1_source()).expect("read FEBRL1");
    text.lines().map(|l| l.split_once(',').map(|(_, rest)| rest).unwrap_or(l)).collect::<Vec<_>>().join("\n")
        + "\n"
}

fn truth_of(id: &str) -> String {
    id.trim_start_matches("febrl:").split("-dup").next().unwrap().trim_end_matches("-org").to_string()
}

fn queue(ws: &Workspace) -> Vec<serde_json::Value> {
    serde_json::from_str(&ws.ok(&["queue", "--json"])).expect("queue json")
}

/// Imports FEBRL-style person records (`unique_id` the id) from `text`, written to `name`.
fn import_febrl(ws: &Workspace, name: &str, text: String) {
    let path = ws.file(name, text);
    ws.ok(&[
        "import",
        "records",
        path.to_str().unwrap(),
        "--object",
        "person",
        "--source",
        "febrl",
        "--id-column",
        "unique_id",
    ]);
}

fn detect(ws: &Workspace, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["detect", "--object", "person", "--json"];
    args.extend_from_slice(extra);
    serde_json::from_str(&ws.ok(&args)).expect("detect json")
}

#[test]
fn febrl1_detects_the_true_pairs_and_runs_incrementally() {
    let ws = Workspace::new();
    import_febrl(&ws, "febrl1.csv", febrl1_records());

    let first = detect(&ws, &[]);
    assert_eq!(first["incremental"], false);
    assert_eq!(first["records"], 1000);
    let compared = first["pairs_compared"].as_u64().unwrap();
    assert!(compared < 1000 * 999 / 2 / 20, "blocking compared {compared} pairs");

    let list = queue(&ws);
    let pairs: BTreeSet<(String, String)> = list
        .iter()
        .map(|c| {
            let m = c["members"].as_array().unwrap();
            (m[0].as_str().unwrap().to_string(), m[1].as_str().unwrap().to_string())
        })
        .collect();
    let right = pairs.iter().filter(|(a, b)| truth_of(a) == truth_of(b)).count();
    assert_eq!(right, pairs.len(), "every proposed pair is a true pair");
    assert!(right >= 490, "found {right} of 500 true pairs");
    assert!(list.iter().all(|c| c["origin"] == serde_json::json!(["detect"])));

    // Why proposed: per field, the two values compared, the level and its weight.
    let store = Store::open_existing(&ws.db).unwrap();
    let top = store.candidate(CandidateId(list[0]["id"].as_i64().unwrap())).unwrap().unwrap();
    let surname = top.reasons.iter().find(|r| r.field == "surname").expect("a surname reason");
    assert!(surname.values.is_some() && surname.level.is_some() && surname.weight.is_some(), "{surname:?}");
    assert!(top.reasons[0].text.starts_with("match probability"), "{:?}", top.reasons[0]);
    drop(store);

    // Nothing changed: nothing compared, nothing added.
    let again = detect(&ws, &[]);
    assert_eq!(again["incremental"], true);
    assert_eq!(again["pairs_compared"], 0);
    assert_eq!(again["candidates_added"], 0);
    assert_eq!(queue(&ws).len(), list.len());

    // One record changes: only pairs involving it are compared.
    let changed = febrl1_records().replacen("rec-0-org,flynn,rokobaro", "rec-0-org,flynn,rokobarro", 1);
    import_febrl(&ws, "febrl1b.csv", changed);
    let third = detect(&ws, &[]);
    assert_eq!(third["incremental"], true);
    assert_eq!(third["records_new_or_changed"], 1);
    let compared = third["pairs_compared"].as_u64().unwrap();
    assert!((1..50).contains(&compared), "compared {compared} pairs for one changed record");
    assert_eq!(queue(&ws).len(), list.len(), "the changed pair is updated, not duplicated");

    // Its reasons are this run's: one overall line and one comparison per field, the new surname.
    let store = Store::open_existing(&ws.db).unwrap();
    let pair = queue(&ws)
        .into_iter()
        .find(|c| c["members"].as_array().unwrap().iter().any(|m| m == "febrl:rec-0-org"))
        .expect("the changed record's pair");
    let updated = store.candidate(CandidateId(pair["id"].as_i64().unwrap())).unwrap().unwrap();
    let surnames: Vec<_> = updated.reasons.iter().filter(|r| r.field == "surname").collect();
    assert_eq!(surnames.len(), 1, "{:?}", updated.reasons);
    assert!(format!("{:?}", surnames[0].values).contains("rokobarro"), "{:?}", surnames[0]);
    let overall: Vec<_> =
        updated.reasons.iter().filter(|r| r.text.starts_with("match probability")).collect();
    assert_eq!(overall.len(), 1, "{:?}", updated.reasons);
    // The score is this run's probability, the one the overall line shows, even when lower.
    let shown: f64 =
        overall[0].text["match probability ".len()..].split([' ', ';']).next().unwrap().parse().unwrap();
    assert!((updated.score - shown).abs() < 1e-4, "score {} but the line says {shown}", updated.score);
}

#[test]
fn a_rejected_pair_is_not_proposed_again() {
    let ws = Workspace::new();
    import_febrl(&ws, "febrl1.csv", febrl1_records());
    detect(&ws, &[]);
    let before = queue(&ws).len();
    // A steward rejects the best candidate: its pair must never come back.
    let top = &queue(&ws)[0];
    let id = top["id"].as_i64().unwrap();
    ws.ok(&["decide", &id.to_string(), "reject", "--note", "not the same person"]);
    // A lower threshold changes the settings: a full run compares every blocked pair again.
    let run = detect(&ws, &["--threshold", "0.4"]);
    assert_eq!(run["incremental"], false);
    assert!(run["candidates_suppressed"].as_u64().unwrap() >= 1, "{run}");
    let after = queue(&ws);
    let same_members: Vec<&serde_json::Value> =
        after.iter().filter(|c| c["members"] == top["members"]).collect();
    assert_eq!(same_members.len(), 1, "the rejected pair is not proposed again");
    assert_eq!(same_members[0]["status"], "rejected");
    assert!(after.len() >= before);
}

#[test]
fn bad_config_names_file_line_and_column_and_changes_nothing() {
    let ws = Workspace::new();
    let records = ws.file("r.csv", "id,first_name,last_name\n1,ann,lee\n2,anne,lee\n");
    ws.ok(&["import", "records", records.to_str().unwrap(), "--object", "contact", "--source", "crm"]);
    let before = ws.dump();
    let config = ws.file("c.toml", "[object.contact.fields]\nfirst_name = \"given\"\n");
    let err = ws.fails(&["detect", "--object", "contact", "--config", config.to_str().unwrap()], 1);
    assert!(err.contains("c.toml:2:14"), "{err}");
    let config = ws.file("t.toml", "[object.contact]\nthreshold = 1.5\n");
    let err = ws.fails(&["detect", "--object", "contact", "--config", config.to_str().unwrap()], 1);
    assert!(err.contains("t.toml:2:13: object contact: threshold 1.5 is not between 0 and 1"), "{err}");
    let err = ws.fails(&["detect", "--object", "nothing"], 1);
    assert!(err.contains("no records of object `nothing`"), "{err}");
    assert_eq!(ws.dump(), before);
}

#[test]
fn a_proposal_whose_records_no_longer_match_is_rescored_below_the_threshold() {
    let ws = Workspace::new();
    import_febrl(&ws, "febrl1.csv", febrl1_records());
    detect(&ws, &[]);
    let pair_of_rec0 = |ws: &Workspace| {
        queue(ws)
            .into_iter()
            .find(|c| c["members"].as_array().unwrap().iter().any(|m| m == "febrl:rec-0-org"))
            .expect("the pair stays in the queue")
    };
    assert_eq!(pair_of_rec0(&ws)["score"], 1.0);

    // Everything but the social security number changes: still compared (same id), no match.
    let moved = febrl1_records().replacen(
        "rec-0-org,flynn,rokobaro,12,herschell circuit,killarney,lawrence,2227,nsw,19720812,1451137",
        "rec-0-org,zelda,quimby,99,main road,,perth,6000,wa,19500101,1451137",
        1,
    );
    import_febrl(&ws, "febrl1b.csv", moved);
    let run = detect(&ws, &[]);
    assert_eq!(run["pairs_compared"], 1);
    assert_eq!(run["candidates_found"], 0);
    assert_eq!(run["rescored_below_threshold"], 1);
    let pair = pair_of_rec0(&ws);
    assert!(pair["score"].as_f64().unwrap() < 0.5, "{pair}");
    assert_eq!(pair["status"], "pending");
    let store = Store::open_existing(&ws.db).unwrap();
    let c = store.candidate(CandidateId(pair["id"].as_i64().unwrap())).unwrap().unwrap();
    let given = c.reasons.iter().find(|r| r.field == "given_name").expect("a given name reason");
    assert!(format!("{:?}", given.values).contains("zelda"), "this run's values: {given:?}");
}

/// A father and his son of the same name at the same address (`Sr.` and `Jr.` in the family
/// name) are not proposed, and the run says so; the son's record alone (no suffix on the other
/// side) would have been.
#[test]
fn father_and_son_are_set_apart() {
    let father = "rec-0-org,flynn,rokobaro,12,herschell circuit,killarney,lawrence,2227,nsw,19720812,1451137";
    let son =
        "rec-0-son,flynn,rokobaro jr,12,herschell circuit,killarney,lawrence,2227,nsw,19990304,9917331\n";
    let son_pair = |ws: &Workspace| {
        queue(ws).into_iter().any(|c| c["members"].as_array().unwrap().iter().any(|m| m == "febrl:rec-0-son"))
    };
    // Without a suffix on the father's record, the son looks like his duplicate.
    let ws = Workspace::new();
    import_febrl(&ws, "febrl1.csv", febrl1_records() + son);
    assert_eq!(detect(&ws, &[])["generations_apart"], 0);
    assert!(son_pair(&ws), "without the father's suffix the pair is proposed");

    let ws = Workspace::new();
    let records = febrl1_records().replacen(father, &father.replacen("rokobaro", "rokobaro sr.", 1), 1);
    import_febrl(&ws, "febrl1.csv", records + son);
    let out = ws.cmd().args(["detect", "--object", "person"]).output().unwrap();
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("1 pair set apart: generational suffixes differ (Jr. and Sr.)"), "{said}");
    assert!(!son_pair(&ws), "father and son proposed");
    // The father's own duplicate is still found.
    assert!(queue(&ws).iter().any(|c| c["members"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m == "febrl:rec-0-org")));
}

/// A detection run that adds or changes candidates is in the journal, as an import is: an auditor
/// finds where each candidate came from, with the config it ran under (by SHA-256). A run that
/// changes nothing leaves no entry; the chain still verifies.
#[test]
fn each_run_that_changes_candidates_is_journalled() {
    let ws = Workspace::new();
    import_febrl(&ws, "febrl1.csv", febrl1_records());
    let config_text = "[object.person]\nthreshold = 0.5\n";
    let config = ws.file("detect.toml", config_text);
    let first = detect(&ws, &["--config", config.to_str().unwrap()]);
    let log: Vec<serde_json::Value> = serde_json::from_str(&ws.ok(&["audit", "log", "--json"])).unwrap();
    assert_eq!(log.len(), 2, "the import and the run: {log:#?}");
    let entry = &log[1];
    assert_eq!((entry["action"].as_str(), entry["candidate"].as_i64()), (Some("import"), None));
    let body = &entry["body"];
    assert_eq!(body["kind"], "detect");
    assert_eq!(body["object"], "person");
    assert_eq!(body["threshold"], "0.5");
    assert_eq!(body["config"], config.to_str().unwrap());
    let sha = mergeq::text::hex(&<sha2::Sha256 as sha2::Digest>::digest(config_text.as_bytes()));
    assert_eq!(body["config_sha256"], sha);
    for key in ["records", "pairs_compared", "candidates_added", "candidates_changed"] {
        assert_eq!(body[key], first[key], "{key}");
    }
    assert!(first["candidates_added"].as_u64().unwrap() > 0);
    let text = ws.ok(&["audit", "log"]);
    let line = text.lines().nth(2).unwrap();
    let want = format!(
        "detect person · 1000 records, {} pairs compared · {} candidates added, 0 updated",
        first["pairs_compared"], first["candidates_added"]
    );
    assert!(line.ends_with(&want), "{line}");
    // Nothing changed since: no entry.
    detect(&ws, &["--config", config.to_str().unwrap()]);
    let log: Vec<serde_json::Value> = serde_json::from_str(&ws.ok(&["audit", "log", "--json"])).unwrap();
    assert_eq!(log.len(), 2);
    assert!(ws.ok(&["audit", "verify"]).contains("ok"));
    let report = ws.ok(&["export", "audit-report", "--include-unsigned"]);
    assert!(report.contains(&want), "{report}");
}
