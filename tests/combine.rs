//! `mergeq combine`: the candidate holding every record of overlapping candidates, added like an
//! import (a batch and a journal entry) and reviewed whole; approving it replaces the approvals it
//! covers, so a merge plan carries one merge of all the records. Bad requests change nothing.

mod common;

use common::Workspace;
use serde_json::Value;

/// Salesforce contacts A–D and two accounts; candidates 1 (A, B) approved, 2 (B, C) pending,
/// 3 (C, D) pending and 4 (two accounts).
fn workspace() -> Workspace {
    let ws = Workspace::new();
    ws.file("sf.csv", "id,Email\nA,a@x.example\nB,a@x.example\nC,a@x.example\nD,d@x.example\n");
    ws.ok(&["import", "records", "sf.csv", "--object", "contact", "--source", "salesforce"]);
    ws.file("acc.csv", "id,Name\nK,Kappa\nL,Kappa Inc\n");
    ws.ok(&["import", "records", "acc.csv", "--object", "account", "--source", "salesforce"]);
    ws.file(
        "pairs.csv",
        "left,right,score\nsalesforce:A,salesforce:B,0.9\nsalesforce:B,salesforce:C,0.8\nsalesforce:C,salesforce:D,0.4\n",
    );
    ws.ok(&["import", "candidates", "pairs.csv"]);
    ws.file("acc_pairs.csv", "left,right,score\nsalesforce:K,salesforce:L,0.7\n");
    ws.ok(&["import", "candidates", "acc_pairs.csv", "--object", "account"]);
    ws.ok(&["decide", "1", "approve", "--survivor", "salesforce:A"]);
    ws
}

#[test]
fn combined_overlapping_candidates_are_reviewed_and_merged_whole() {
    let ws = workspace();
    // Approving B–C after A–B: the note says how to merge all three at once.
    let approve = ws.cmd().args(["decide", "2", "approve"]).output().unwrap();
    let said = String::from_utf8_lossy(&approve.stderr);
    assert!(said.contains("if they are one entity, `mergeq combine 2 1` and approve the whole"), "{said}");
    let out = ws.cmd().args(["combine", "2", "1", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("added candidate 5 holds every record of candidates 1, 2 (3 records: salesforce:A, salesforce:B, salesforce:C)"),
        "{said}"
    );
    let combined: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(combined["id"], 5);
    assert_eq!(combined["from"], serde_json::json!([1, 2]));
    assert_eq!(combined["added"], true);

    let show: Value = serde_json::from_str(&ws.ok(&["show", "5", "--json"])).unwrap();
    assert_eq!(show["status"], "pending", "combining decides nothing");
    assert_eq!(show["approved_elsewhere"]["replaces"], serde_json::json!([1, 2]));
    assert!(ws.ok(&["show", "5"]).contains("\napproving replaces the approval of: 1, 2\n"));
    // B–C's neighbour C–D overlaps the approved B–C at C: `show` says how to make one candidate.
    let text = ws.ok(&["show", "3"]);
    assert!(text.contains("also approved: salesforce:C in #2 (one entity? `mergeq combine 3 2`)"), "{text}");
    assert_eq!(show["score"], 0.9, "the best of theirs");
    assert_eq!(show["reasons"][0]["text"], "combined by ann from candidates 1, 2, which share salesforce:B");
    let log: Value = serde_json::from_str(&ws.ok(&["audit", "log", "--json"])).unwrap();
    let last = log.as_array().unwrap().last().unwrap();
    assert_eq!((&last["action"], &last["steward"]), (&Value::from("import"), &Value::from("ann")));
    assert_eq!(last["body"]["kind"], "combine");
    assert_eq!(last["body"]["file"], "candidates 1, 2");

    // Combining again finds it; the journal says so too.
    let again: Value = serde_json::from_str(&ws.ok(&["combine", "1", "2", "--json"])).unwrap();
    assert_eq!((&again["id"], &again["added"]), (&Value::from(5), &Value::from(false)));

    let approve = ws.cmd().args(["decide", "5", "approve", "--survivor", "salesforce:A"]).output().unwrap();
    let said = String::from_utf8_lossy(&approve.stderr);
    assert!(said.contains("replaces the approvals of candidates 1, 2"), "{said}");
    // Replaced, they are pending inside it, but not offered back for approval.
    assert!(!said.contains("lie inside this one"), "{said}");
    let show: Value = serde_json::from_str(&ws.ok(&["show", "1", "--json"])).unwrap();
    assert_eq!(show["approved_elsewhere"]["within"], serde_json::json!([5]));
    ws.ok(&["audit", "verify"]);
    let log = ws.ok(&["audit", "log"]);
    let replaced: Vec<&str> =
        log.lines().filter(|l| l.contains("replaced by the approval of candidate 5")).collect();
    assert_eq!(replaced.len(), 2, "both undos say why: {log}");
    let report = ws.ok(&["export", "audit-report", "--include-unsigned"]);
    assert!(report.contains("Replaced by the approval of candidate 5 (entry"), "{report}");
    // Undoing the whole approval says the ones it replaced stay undone; approved again, it
    // replaces nothing more (they are pending).
    let undo = ws.cmd().args(["undo", "5"]).output().unwrap();
    let said = String::from_utf8_lossy(&undo.stderr);
    assert!(said.contains("note: the approvals of candidates 1, 2 that it replaced stay undone"), "{said}");
    let again = ws.cmd().args(["decide", "5", "approve", "--survivor", "salesforce:A"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&again.stderr).contains("replaces"));
    // A–B approved again now adds nothing: the cluster holds both records, and says so.
    let again = ws.cmd().args(["decide", "1", "approve"]).output().unwrap();
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(said.contains("note: candidate 5, approved, already holds every record of this one"), "{said}");
    assert!(!said.contains("also approved elsewhere"), "{said}");
    let export = ws
        .cmd()
        .args(["export", "salesforce", "--include-unsigned", "--out", "plan.jsonl"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&export.stderr);
    assert!(
        said.contains(
            "1 approved candidate is merged as part of a larger approved candidate of this plan \
             (first: candidate 1, within candidate 5): nothing to do"
        ),
        "{said}"
    );
    assert!(!said.contains("left out"), "{said}");
    let plan = std::fs::read_to_string(ws.dir.path().join("plan.jsonl")).unwrap();
    assert_eq!(plan.lines().count(), 1, "{plan}");
    assert!(plan.contains(r#""Id":"A""#) && plan.contains(r#""recordToMergeIds":["B","C"]"#), "{plan}");

    // Undoing the whole approval again releases A–B, approved while the whole held it: it now
    // merges on its own, and the undo says so (the steward may have approved it only as part).
    let undo = ws.cmd().args(["undo", "5"]).output().unwrap();
    let said = String::from_utf8_lossy(&undo.stderr);
    assert!(
        said.contains(
            "note: candidate 1, approved while this one held all its records, now merges without it in \
             the next merge plan: undo it too (`mergeq undo 1`) if it was approved only as part of this one."
        ),
        "{said}"
    );
    let export = ws
        .cmd()
        .args(["export", "salesforce", "--include-unsigned", "--out", "plan2.jsonl"])
        .output()
        .unwrap();
    assert!(export.status.success(), "{}", String::from_utf8_lossy(&export.stderr));
    let plan = std::fs::read_to_string(ws.dir.path().join("plan2.jsonl")).unwrap();
    assert!(plan.contains(r#""recordToMergeIds":["B"]"#), "{plan}");
    // An undo that releases nothing says nothing of it.
    let undo = ws.cmd().args(["undo", "1"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&undo.stderr).contains("merges on its own"));
}

/// An approval approved again stands on the earlier one: replacing it undoes both, so that no
/// approval of the part comes back next to the whole.
#[test]
fn replacing_an_approval_made_twice_undoes_both() {
    let ws = workspace();
    ws.ok(&["decide", "1", "approve", "--set", "Email=a@y.example"]);
    let out = ws.cmd().args(["decide", "1", "approve", "--set", "Email=a@z.example"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    ws.ok(&["combine", "1", "2"]);
    let approve = ws.cmd().args(["decide", "5", "approve"]).output().unwrap();
    let said = String::from_utf8_lossy(&approve.stderr);
    assert!(
        said.contains(
            "note: replaces the approval of candidate 1, all of whose records this candidate holds"
        ),
        "{said}"
    );
    assert!(said.contains("Undone in journal entries "), "each of its three approvals: {said}");
    let show: Value = serde_json::from_str(&ws.ok(&["show", "1", "--json"])).unwrap();
    assert_eq!(show["status"], "pending", "no earlier approval of #1 comes back");
    let approved: Value = serde_json::from_str(&ws.ok(&["queue", "--status", "approved", "--json"])).unwrap();
    let ids: Vec<i64> = approved.as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [5]);
    let log: Value = serde_json::from_str(&ws.ok(&["audit", "log", "--json"])).unwrap();
    let undos =
        log.as_array().unwrap().iter().filter(|e| e["body"]["superseded_by"]["candidate"] == 5).count();
    assert_eq!(undos, 3, "#1's three approvals, each undone");
    ws.ok(&["audit", "verify"]);
    // Undoing the whole names #1 once among those it replaced.
    let undo = ws.cmd().args(["undo", "5"]).output().unwrap();
    let said = String::from_utf8_lossy(&undo.stderr);
    assert!(said.contains("note: the approval of candidate 1 that it replaced stays undone"), "{said}");
}

#[test]
fn bad_combines_are_refused_and_change_nothing() {
    let ws = workspace();
    ws.ok(&["decide", "2", "reject"]);
    let before = ws.dump();
    let cases: [(&[&str], i32, &str); 6] = [
        (&["combine", "1"], 2, "2 values required"),
        (&["combine", "1", "1"], 1, "combine needs two candidates or more (given: 1)"),
        (
            &["combine", "1", "3"],
            1,
            "candidate 3 shares no record with candidate 1, directly or through the others",
        ),
        (&["combine", "1", "4"], 1, "candidate 4 is of object `account`, candidate 1 of `contact`"),
        (&["combine", "1", "99"], 1, "no candidate 99"),
        (
            &["combine", "1", "2", "3"],
            1,
            "candidate 2 is rejected (its records are not duplicates): undo that decision",
        ),
    ];
    for (args, code, want) in cases {
        let said = ws.fails(args, code);
        assert!(said.contains(want), "{args:?}: {said}");
    }
    assert_eq!(ws.dump(), before, "refused combines change nothing");
    // Through a third candidate, 3 does join 1 (once 2's rejection is undone).
    ws.ok(&["undo", "2"]);
    let joined: Value = serde_json::from_str(&ws.ok(&["combine", "1", "2", "3", "--json"])).unwrap();
    assert_eq!(joined["members"].as_array().unwrap().len(), 4);
}
