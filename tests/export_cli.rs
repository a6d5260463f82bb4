//! `mergeq export` as a steward runs it, against a temporary workspace: the four CRM plans of a
//! five-record cluster (whole output compared), sign-off gating, `--since-last`, cross-source
//! candidates, atomic files, the spreadsheet guard and the journal entry of each export.

use assert_cmd::Command;
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::PathBuf;

struct Ws {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    db: PathBuf,
}

impl Ws {
    fn new() -> Ws {
        let dir = tempfile::tempdir().unwrap();
        let ws = Ws { dir: dir.path().to_path_buf(), db: dir.path().join("ws.mergeq"), _dir: dir };
        ws.ok(&["keygen", "--out", "ana.key"]);
        ws
    }

    fn run(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("mergeq").unwrap();
        cmd.env("MERGEQ_DB", &self.db)
            .env("MERGEQ_STEWARD", "ana")
            .env("MERGEQ_NOW", "2026-11-27T09:00:00Z")
            .env_remove("MERGEQ_RULES")
            .current_dir(&self.dir)
            .args(args);
        cmd
    }

    /// Runs a command that must succeed; its stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args).assert().success().get_output().stdout.clone();
        String::from_utf8(out).unwrap()
    }

    fn file(&self, name: &str, content: &str) -> PathBuf {
        let path = self.dir.join(name);
        std::fs::write(&path, content).unwrap();
        path
    }

    fn import(&self, name: &str, records: &str, source: &str) {
        self.file(name, records);
        self.ok(&["import", "records", name, "--object", "contact", "--source", source]);
    }

    fn signoff(&self) {
        self.ok(&["signoff", "--key", "ana.key"]);
    }

    fn last_entry(&self) -> Value {
        let log: Vec<Value> = serde_json::from_str(&self.ok(&["audit", "log", "--json"])).unwrap();
        log.last().unwrap().clone()
    }
}

/// Five Salesforce contacts as one candidate, approved with the steward's choices and signed off.
fn five_record_cluster() -> Ws {
    let ws = Ws::new();
    ws.import(
        "sf.csv",
        "id,Email,Phone,Fax,Title,updated_at\n\
         003A,ana@old.example,+1 555 0100,+1 555 0101,CEO,2026-01-01\n\
         003B,ana@acme.example,,,CEO,2026-02-01\n\
         003C,,+1 555 0199,,Chief Executive,2026-03-01\n\
         003D,,,,CEO,2026-01-15\n\
         003E,,,,,2026-01-20\n",
        "salesforce",
    );
    let members: String =
        ["A", "B", "C", "D", "E"].iter().map(|m| format!("c1,salesforce:003{m},0.9\n")).collect();
    ws.file("cluster.csv", &format!("cluster_id,record,score\n{members}"));
    ws.ok(&["import", "candidates", "cluster.csv"]);
    ws.ok(&[
        "decide",
        "1",
        "approve",
        "--survivor",
        "salesforce:003A",
        "--pick",
        "Email=salesforce:003B",
        "--pick",
        "Phone=salesforce:003C",
        "--set",
        "Fax=",
        "--set",
        "Title=Chief Executive Officer",
    ]);
    ws.signoff();
    ws
}

#[test]
fn a_five_record_cluster_in_every_crm() {
    let ws = five_record_cluster();
    // Salesforce: ceil(4/2) = 2 requests into the same master, each setting the golden values the
    // master lacks (Fax cleared, Title the steward's own value).
    let master = r#"{"masterRecord":{"attributes":{"type":"Contact"},"Id":"003A","Email":"ana@acme.example","Fax":null,"Phone":"+1 555 0199","Title":"Chief Executive Officer"},"recordToMergeIds":"#;
    assert_eq!(
        ws.ok(&["export", "salesforce"]),
        format!("{master}[\"003B\",\"003C\"]}}\n{master}[\"003D\",\"003E\"]}}\n")
    );
    // HubSpot: the property update first, then 4 merges naming the original primary id, then the
    // address 003B holds (contacts keep e-mail addresses unique: it can move once 003B is merged).
    let merge = |id: &str| {
        format!(
            r#"{{"method":"POST","path":"/crm/v3/objects/contacts/merge","objectType":"contacts","body":{{"primaryObjectId":"003A","objectIdToMerge":"{id}"}}}}"#
        )
    };
    let update = r#"{"method":"PATCH","path":"/crm/v3/objects/contacts/003A","objectType":"contacts","objectId":"003A","body":{"properties":{"Fax":"","Phone":"+1 555 0199","Title":"Chief Executive Officer"}}}"#;
    let email = r#"{"method":"PATCH","path":"/crm/v3/objects/contacts/003A","objectType":"contacts","objectId":"003A","body":{"properties":{"Email":"ana@acme.example"}}}"#;
    assert_eq!(
        ws.ok(&["export", "hubspot", "--source", "salesforce"]),
        format!(
            "{update}\n{}\n{}\n{}\n{}\n{email}\n",
            merge("003B"),
            merge("003C"),
            merge("003D"),
            merge("003E")
        )
    );
    // Dynamics: 4 Merge bodies into the same target, each with the golden UpdateContent.
    let body = |id: &str| {
        format!(
            r#"{{"Target":{{"@odata.type":"Microsoft.Dynamics.CRM.contact","contactid":"003A"}},"Subordinate":{{"@odata.type":"Microsoft.Dynamics.CRM.contact","contactid":"{id}"}},"UpdateContent":{{"@odata.type":"Microsoft.Dynamics.CRM.contact","Email":"ana@acme.example","Fax":null,"Phone":"+1 555 0199","Title":"Chief Executive Officer"}},"PerformParentingChecks":false}}"#
        )
    };
    assert_eq!(
        ws.ok(&["export", "dynamics", "--source", "salesforce"]),
        format!("{}\n{}\n{}\n{}\n", body("003B"), body("003C"), body("003D"), body("003E"))
    );
    // Zoho: 2 merges of 2 children, each child giving the fields it holds; the rest by update.
    let want = [
        r#"{"method":"POST","path":"/crm/v8/Contacts/003A/actions/merge","module":"Contacts","master_id":"003A","body":{"merge":[{"data":[{"id":"003B","_fields":[{"api_name":"Email"}]},{"id":"003C","_fields":[{"api_name":"Phone"}]}]}]}}"#,
        r#"{"method":"POST","path":"/crm/v8/Contacts/003A/actions/merge","module":"Contacts","master_id":"003A","body":{"merge":[{"data":[{"id":"003D","_fields":[]},{"id":"003E","_fields":[]}]}]}}"#,
        r#"{"method":"PUT","path":"/crm/v8/Contacts/003A","module":"Contacts","record_id":"003A","body":{"data":[{"id":"003A","Fax":null,"Title":"Chief Executive Officer"}]}}"#,
    ];
    assert_eq!(ws.ok(&["export", "zoho", "--source", "salesforce"]), format!("{}\n", want.join("\n")));
    // Golden records: the same decision with its lineage and journal sequence (3).
    let golden = r#"{"candidate":1,"object":"contact","decision":3,"decided_at":"2026-11-27T09:00:00.000Z","steward":"ana","survivor":"salesforce:003A","merged":["salesforce:003B","salesforce:003C","salesforce:003D","salesforce:003E"],"fields":{"Email":{"value":"ana@acme.example","from":["salesforce:003B"],"rule":"steward"},"Fax":{"value":null,"from":[],"rule":"steward"},"Phone":{"value":"+1 555 0199","from":["salesforce:003C"],"rule":"steward"},"Title":{"value":"Chief Executive Officer","from":[],"rule":"steward"}}}"#;
    assert_eq!(ws.ok(&["export", "golden-jsonl"]), format!("{golden}\n"));
    let csv = "candidate,object,decision,decided_at,steward,survivor,merged,Email,Email.from,Email.rule,Fax,Fax.from,Fax.rule,Phone,Phone.from,Phone.rule,Title,Title.from,Title.rule\n\
               1,contact,3,2026-11-27T09:00:00.000Z,ana,salesforce:003A,salesforce:003B;salesforce:003C;salesforce:003D;salesforce:003E,ana@acme.example,salesforce:003B,steward,,,steward,'+1 555 0199,salesforce:003C,steward,Chief Executive Officer,,steward\n";
    assert_eq!(ws.ok(&["export", "golden-csv"]), csv);
    assert_eq!(ws.ok(&["export", "golden-csv", "--raw"]), csv.replace("'+1", "+1"));
    // A CRM whose source holds none of these records gets an empty plan and says why.
    ws.run(&["export", "hubspot"])
        .assert()
        .success()
        .stdout("")
        .stderr(contains("1 approved candidate has records from outside source `hubspot`: not in this plan"));
}

/// Three Salesforce/HubSpot pairs (candidates 1–3) and one Salesforce-only pair (candidate 4).
fn pairs() -> Ws {
    let ws = Ws::new();
    ws.import(
        "sf.csv",
        "id,Email\nS1,a@x.example\nS2,b@x.example\nS3,c@x.example\nS4,=1+1\nS5,\n",
        "salesforce",
    );
    ws.import("hs.csv", "id,Email\nH1,a@x.example\nH2,b2@x.example\nH3,c@x.example\n", "hubspot");
    ws.file(
        "pairs.csv",
        "left,right,score,reason\nsalesforce:S1,hubspot:H1,0.9,email\nsalesforce:S2,hubspot:H2,0.8,name\n\
         salesforce:S3,hubspot:H3,0.7,email\nsalesforce:S4,salesforce:S5,0.6,phone\n",
    );
    ws.ok(&["import", "candidates", "pairs.csv"]);
    ws
}

fn candidates_in(jsonl: &str) -> Vec<i64> {
    jsonl.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()["candidate"].as_i64().unwrap()).collect()
}

#[test]
fn only_signed_standing_decisions_are_exported() {
    let ws = pairs();
    ws.ok(&["decide", "1", "approve"]);
    ws.run(&["export", "golden-jsonl"])
        .assert()
        .code(1)
        .stderr(contains("no sign-off covers any decision yet"));
    assert_eq!(candidates_in(&ws.ok(&["export", "golden-jsonl", "--include-unsigned"])), [1]);
    ws.signoff();
    ws.ok(&["decide", "2", "approve"]); // after the sign-off: not covered
    assert_eq!(candidates_in(&ws.ok(&["export", "golden-jsonl"])), [1]);
    assert_eq!(candidates_in(&ws.ok(&["export", "golden-jsonl", "--include-unsigned"])), [1, 2]);
    // Undone after the sign-off: the steward took it back, so it is not exported, signed or not.
    ws.ok(&["undo", "1"]);
    assert_eq!(candidates_in(&ws.ok(&["export", "golden-jsonl"])), Vec::<i64>::new());
    assert_eq!(candidates_in(&ws.ok(&["export", "golden-jsonl", "--include-unsigned"])), [2]);
}

#[test]
fn since_last_exports_only_what_is_new() {
    let ws = pairs();
    ws.ok(&["decide", "1", "approve"]);
    ws.signoff();
    assert_eq!(candidates_in(&ws.ok(&["export", "golden-jsonl", "--since-last"])), [1]);
    // Nothing new: an empty file and a note naming the previous export's reach.
    ws.run(&["export", "golden-jsonl", "--since-last"])
        .assert()
        .success()
        .stdout("")
        .stderr(contains("no decisions to export after journal entry"));
    // A decision not yet signed is not exported — and not lost: it comes once signed.
    ws.ok(&["decide", "2", "approve"]);
    assert_eq!(candidates_in(&ws.ok(&["export", "golden-jsonl", "--since-last"])), Vec::<i64>::new());
    ws.signoff();
    ws.ok(&["decide", "3", "approve"]);
    ws.signoff();
    assert_eq!(candidates_in(&ws.ok(&["export", "golden-jsonl", "--since-last"])), [2, 3]);
    assert_eq!(candidates_in(&ws.ok(&["export", "golden-jsonl", "--since-last"])), Vec::<i64>::new());
    // Each format keeps its own place; without --since-last everything standing comes out.
    assert_eq!(ws.ok(&["export", "golden-csv", "--since-last"]).lines().count(), 4);
    assert_eq!(candidates_in(&ws.ok(&["export", "golden-jsonl"])), [1, 2, 3]);
    // Undone and approved again after the export: a new decision, exported again.
    ws.ok(&["undo", "2"]);
    ws.ok(&["decide", "2", "approve", "--set", "Email=b3@x.example"]);
    ws.signoff();
    let again = ws.ok(&["export", "golden-jsonl", "--since-last"]);
    assert_eq!(candidates_in(&again), [2]);
    assert!(again.contains("b3@x.example"), "{again}");
}

/// An approval that stands again because the decision replacing it was undone is new to an
/// export from the undo on: `--since-last` carries it, and an export up to a sign-off before the
/// undo does not.
#[test]
fn an_approval_standing_again_after_an_undo_is_exported_from_the_undo_on() {
    let ws = pairs();
    ws.ok(&["decide", "1", "approve"]);
    ws.ok(&["decide", "1", "reject"]);
    ws.signoff();
    assert_eq!(candidates_in(&ws.ok(&["export", "golden-jsonl", "--since-last"])), Vec::<i64>::new());
    ws.ok(&["undo", "1"]); // the rejection: the approval stands again
    assert_eq!(
        candidates_in(&ws.ok(&["export", "golden-jsonl"])),
        Vec::<i64>::new(),
        "the undo is not signed"
    );
    ws.signoff();
    assert_eq!(candidates_in(&ws.ok(&["export", "golden-jsonl", "--since-last"])), [1]);
    assert_eq!(candidates_in(&ws.ok(&["export", "golden-jsonl", "--since-last"])), Vec::<i64>::new());
}

/// Undoing an approval says which exports carried it: those written while it stood, whose window
/// reached the entry it began standing at — not one written while a rejection replaced it.
#[test]
fn undo_names_the_exports_written_while_the_decision_stood() {
    let ws = pairs();
    ws.ok(&["decide", "1", "approve"]);
    ws.signoff();
    ws.ok(&["export", "golden-jsonl", "--since-last", "--out", "first.jsonl"]);
    ws.ok(&["decide", "1", "reject"]);
    // Written while the rejection stood: its window reaches the approval, but it did not carry it.
    ws.ok(&["export", "golden-jsonl", "--include-unsigned", "--out", "between.jsonl"]);
    assert_eq!(
        candidates_in(&std::fs::read_to_string(ws.dir.join("between.jsonl")).unwrap()),
        Vec::<i64>::new()
    );
    ws.ok(&["undo", "1"]); // the rejection: the approval stands again
    ws.signoff();
    ws.ok(&["export", "golden-jsonl", "--since-last", "--out", "second.jsonl"]);
    assert_eq!(candidates_in(&std::fs::read_to_string(ws.dir.join("second.jsonl")).unwrap()), [1]);
    let undo = ws.run(&["undo", "1"]).assert().success();
    let said = String::from_utf8_lossy(&undo.get_output().stderr).into_owned();
    assert!(said.contains("first.jsonl") && said.contains("second.jsonl"), "{said}");
    assert!(!said.contains("between.jsonl"), "{said}");
}

#[test]
fn cross_source_candidates_are_only_in_golden_exports() {
    let ws = pairs();
    for id in ["1", "4"] {
        ws.ok(&[
            "decide",
            id,
            "approve",
            "--survivor",
            if id == "1" { "salesforce:S1" } else { "salesforce:S4" },
        ]);
    }
    ws.signoff();
    let plan = ws.ok(&["export", "salesforce"]);
    assert_eq!(plan.lines().count(), 1, "{plan}");
    assert!(plan.contains(r#""Id":"S4""#) && plan.contains(r#""recordToMergeIds":["S5"]"#), "{plan}");
    assert!(!plan.contains("S1"), "{plan}");
    let details = &ws.last_entry()["body"]["details"];
    assert_eq!((details["decisions"].as_i64(), details["other_source"].as_i64()), (Some(1), Some(1)));
    assert_eq!(candidates_in(&ws.ok(&["export", "golden-jsonl"])), [1, 4]);
    let csv = ws.ok(&["export", "golden-csv"]);
    assert!(
        csv.contains("salesforce:S1,hubspot:H1,") && csv.contains("salesforce:S4,salesforce:S5,"),
        "{csv}"
    );
    // JSON carries values unchanged; the CSV guards the formula (S4's Email `=1+1`).
    assert!(ws.ok(&["export", "salesforce"]).contains(r#""Id":"S4""#));
    assert!(ws.ok(&["export", "golden-jsonl"]).contains(r#""value":"=1+1""#));
    assert!(csv.contains(",'=1+1,salesforce:S4,"), "{csv}");
    assert!(ws.ok(&["export", "golden-csv", "--raw"]).contains(",=1+1,salesforce:S4,"));
}

#[test]
fn undoing_or_replacing_an_exported_decision_says_where_it_went() {
    let ws = pairs();
    ws.ok(&["decide", "4", "approve"]); // S4 + S5: both Salesforce, so in the Salesforce plan
    ws.signoff();
    ws.ok(&["export", "salesforce", "--out", "plan.json"]);
    let plan = ws.last_entry()["seq"].as_i64().unwrap();
    // These do not carry the approval: a later window, and the list of rejections.
    ws.ok(&["export", "salesforce", "--since-last", "--out", "later.json"]);
    ws.ok(&["export", "not-duplicates", "--out", "rejected.csv"]);
    ws.ok(&["export", "golden-jsonl", "--out", "golden.jsonl"]);
    let golden = ws.last_entry()["seq"].as_i64().unwrap();
    let out = ws.run(&["undo", "4"]).assert().success().get_output().stderr.clone();
    let said = String::from_utf8(out).unwrap();
    assert!(
        said.contains(&format!(
            "had already been exported: salesforce to plan.json (journal entry {plan}), \
             golden-jsonl to golden.jsonl (journal entry {golden})."
        )),
        "{said}"
    );
    assert!(!said.contains("later.json") && !said.contains("rejected.csv"), "{said}");
    // A rejection travels in the not-duplicate list.
    ws.ok(&["decide", "4", "reject"]);
    ws.signoff();
    ws.ok(&["export", "not-duplicates", "--out", "rejected2.csv"]);
    let out = ws.run(&["undo", "4"]).assert().success().get_output().stderr.clone();
    assert!(String::from_utf8(out).unwrap().contains("not-duplicates to rejected2.csv"));
    // Decided and undone with no export in between: nothing to say.
    ws.ok(&["decide", "1", "approve"]);
    ws.run(&["undo", "1"]).assert().success().stderr(contains("exported").not());
    // A decision replaced by another (no undo) after an export carried it: said as well.
    ws.ok(&["decide", "1", "approve"]);
    let approve = ws.last_entry()["seq"].as_i64().unwrap();
    ws.ok(&["export", "golden-csv", "--include-unsigned", "--out", "golden.csv"]);
    let csv = ws.last_entry()["seq"].as_i64().unwrap();
    ws.run(&["decide", "1", "reject"]).assert().success().stderr(contains(format!(
        "note: the approve (entry {approve}) had already been exported: golden-csv to golden.csv (journal entry {csv})."
    )));
    // …but not once the replaced decision is a new one that no export carried.
    ws.run(&["decide", "1", "approve"]).assert().success().stderr(contains("exported").not());
    // A merge plan leaves out candidates with a member from another source: it did not carry them.
    ws.ok(&["decide", "2", "approve"]); // S2 + H2
    ws.ok(&["export", "salesforce", "--include-unsigned", "--out", "plan2.json"]);
    ws.ok(&["export", "hubspot", "--include-unsigned", "--out", "plan3.json"]);
    assert_eq!(std::fs::read_to_string(ws.dir.join("plan2.json")).unwrap(), "");
    ws.run(&["undo", "2"]).assert().success().stderr(contains("exported").not());
}

#[test]
fn rejected_pairs_for_the_matcher() {
    let ws = pairs();
    ws.ok(&["decide", "2", "reject", "--note", "@different people"]);
    ws.ok(&["decide", "3", "approve"]);
    ws.signoff();
    assert_eq!(
        ws.ok(&["export", "not-duplicates"]),
        "left,right,object,rejected_at,steward,candidate,decision,note\n\
         hubspot:H2,salesforce:S2,contact,2026-11-27T09:00:00.000Z,ana,2,4,'@different people\n"
    );
}

#[test]
fn files_are_replaced_only_on_success_and_journaled_with_their_hash() {
    let ws = pairs();
    ws.ok(&["decide", "4", "approve"]);
    let out = ws.file("plan.jsonl", "the previous plan\n");
    // Fails (no sign-off yet): the old file stays, no temporary file is left, no journal entry.
    let before = ws.last_entry()["seq"].clone();
    ws.run(&["export", "salesforce", "--out", "plan.jsonl"]).assert().code(1);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "the previous plan\n");
    let names: Vec<String> = std::fs::read_dir(&ws.dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".tmp")), "{names:?}");
    assert_eq!(ws.last_entry()["seq"], before);
    // Succeeds: the file is the new plan, and the journal holds its SHA-256 and reach.
    ws.signoff();
    ws.run(&["export", "salesforce", "--out", "plan.jsonl"]).assert().success().stdout("");
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(String::from_utf8_lossy(&bytes), ws.ok(&["export", "salesforce"]));
    let entry = ws.last_entry();
    assert_eq!(entry["action"], "export");
    let hex: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    // (the last entry is the stdout export just made, of the same bytes)
    assert_eq!(entry["body"]["sha256"].as_str(), Some(hex.as_str()));
    assert_eq!(entry["body"]["format"], "salesforce");
    assert_eq!(entry["body"]["details"]["through"], ws.last_entry()["seq"].as_i64().unwrap() - 2);
    ws.ok(&["audit", "verify"]);
}

/// Two approved candidates sharing a record (A with B, then B with C): the second approval says
/// so at once, and the Salesforce plan merges B once — the later candidate is left out, with a
/// note naming the pair. Undoing the earlier approval lets the later one through.
#[test]
fn a_record_in_two_approved_candidates_is_merged_once() {
    let ws = Ws::new();
    ws.import("sf.csv", "id,Email\nA,a@x.example\nB,a@x.example\nC,a@x.example\n", "salesforce");
    ws.file("pairs.csv", "left,right,score\nsalesforce:A,salesforce:B,0.9\nsalesforce:B,salesforce:C,0.8\n");
    ws.ok(&["import", "candidates", "pairs.csv"]);
    let first = ws.run(&["decide", "1", "approve", "--survivor", "salesforce:A"]).assert().success();
    let said = String::from_utf8_lossy(&first.get_output().stderr).into_owned();
    assert!(!said.contains("also approved"), "{said}");
    let second = ws.run(&["decide", "2", "approve", "--survivor", "salesforce:C"]).assert().success();
    let said = String::from_utf8_lossy(&second.get_output().stderr).into_owned();
    assert!(said.contains("note: also approved elsewhere: salesforce:B in #1."), "{said}");

    let export =
        ws.run(&["export", "salesforce", "--out", "plan.jsonl", "--include-unsigned"]).assert().success();
    let said = String::from_utf8_lossy(&export.get_output().stderr).into_owned();
    assert!(said.contains("(first: candidate 2 shares salesforce:B with candidate 1)"), "{said}");
    let plan = std::fs::read_to_string(ws.dir.join("plan.jsonl")).unwrap();
    assert_eq!(plan.lines().count(), 1, "{plan}");
    assert!(plan.contains(r#""Id":"A""#) && plan.contains(r#""recordToMergeIds":["B"]"#), "{plan}");

    let stats: Value = serde_json::from_str(&ws.ok(&["stats", "--json"])).unwrap();
    assert_eq!(stats["approved_sharing"], 2, "both candidates of the pair are counted");
    assert!(ws
        .ok(&["stats"])
        .contains("2 approved candidates share records: a merge plan carries the earlier of each"));

    ws.ok(&["undo", "1"]);
    let stats: Value = serde_json::from_str(&ws.ok(&["stats", "--json"])).unwrap();
    assert_eq!(stats["approved_sharing"], 0);
    let again = ws.run(&["decide", "2", "approve", "--survivor", "salesforce:C"]).assert().success();
    assert!(!String::from_utf8_lossy(&again.get_output().stderr).contains("also approved"));
    ws.ok(&["export", "salesforce", "--out", "plan2.jsonl", "--include-unsigned"]);
    let plan = std::fs::read_to_string(ws.dir.join("plan2.jsonl")).unwrap();
    assert!(plan.contains(r#""Id":"C""#) && plan.contains(r#""recordToMergeIds":["B"]"#), "{plan}");
}

/// Salesforce contacts A–E and the candidate `pairs` (`left,right,score` rows, A–B first), the
/// first approved with A surviving.
fn a_b_approved(pairs: &str) -> Ws {
    let ws = Ws::new();
    ws.import(
        "sf.csv",
        "id,Email\nA,a@x.example\nB,a@x.example\nC,a@x.example\nD,d@x.example\nE,d@x.example\n",
        "salesforce",
    );
    ws.file("pairs.csv", &format!("left,right,score\n{pairs}"));
    ws.ok(&["import", "candidates", "pairs.csv"]);
    ws.ok(&["decide", "1", "approve", "--survivor", "salesforce:A"]);
    ws
}

/// Candidates 1 (A, B), 2 (B, C) and 3 (D, E); 1 approved with A surviving, signed off and
/// exported with `--since-last` to `first.jsonl`.
fn a_merged_into_b_exported() -> Ws {
    let ws = a_b_approved(
        "salesforce:A,salesforce:B,0.9\nsalesforce:B,salesforce:C,0.8\nsalesforce:D,salesforce:E,0.7\n",
    );
    ws.signoff();
    ws.ok(&["export", "salesforce", "--since-last", "--out", "first.jsonl"]);
    ws
}

/// Approves candidates 2 and 3, signs off and exports a salesforce plan `--since-last` to `file`:
/// what the export said, and the plan.
fn approve_2_and_3_and_export(ws: &Ws, file: &str) -> (String, String) {
    ws.ok(&["decide", "2", "approve", "--survivor", "salesforce:C"]);
    ws.ok(&["decide", "3", "approve"]);
    ws.signoff();
    let export = ws.run(&["export", "salesforce", "--since-last", "--out", file]).assert().success();
    let said = String::from_utf8_lossy(&export.get_output().stderr).into_owned();
    (said, std::fs::read_to_string(ws.dir.join(file)).unwrap())
}

/// `--since-last`: a record an earlier export of the plan merged is not merged again by a later
/// approval that shares it.
#[test]
fn a_record_merged_by_an_earlier_export_is_not_merged_again() {
    let ws = a_merged_into_b_exported();
    let (said, second) = approve_2_and_3_and_export(&ws, "second.jsonl");
    assert!(
        said.contains("1 approved candidate left out: a record of theirs was merged by an earlier export"),
        "{said}"
    );
    assert!(said.contains("(first: candidate 2 shares salesforce:B with candidate 1)"), "{said}");
    assert_eq!(second.lines().count(), 1, "{second}");
    assert!(second.contains(r#""Id":"D""#), "only the new, separate merge: {second}");
}

/// An approval undone after a plan carried it was merged all the same (the CRM applied the plan):
/// a later `--since-last` plan still leaves out a merge that needs one of its records, whether
/// the undone candidate is pending again or rejected.
#[test]
fn an_exported_approval_undone_later_still_counts_as_merged() {
    let ws = a_merged_into_b_exported();
    let undo = ws.run(&["undo", "1"]).assert().success();
    let said = String::from_utf8_lossy(&undo.get_output().stderr).into_owned()
        + &String::from_utf8_lossy(&undo.get_output().stdout);
    assert!(said.contains("first.jsonl"), "undo says the plan carried it: {said}");
    let (said, second) = approve_2_and_3_and_export(&ws, "second.jsonl");
    assert!(said.contains("(first: candidate 2 shares salesforce:B with candidate 1)"), "{said}");
    assert_eq!(second.lines().count(), 1, "B is gone from the CRM: {second}");
    assert!(second.contains(r#""Id":"D""#), "{second}");
    // Candidate 1 rejected now, 3 (merged by the second plan) undone and approved again: the
    // third plan merges neither B nor D again, and candidate 2, left out of the second plan,
    // merged nothing there.
    ws.ok(&["decide", "1", "reject"]);
    ws.ok(&["undo", "3"]);
    ws.ok(&["undo", "2"]);
    ws.ok(&["decide", "3", "approve"]);
    ws.ok(&["decide", "2", "approve", "--survivor", "salesforce:C"]);
    ws.signoff();
    let export = ws.run(&["export", "salesforce", "--since-last", "--out", "third.jsonl"]).assert().success();
    let said = String::from_utf8_lossy(&export.get_output().stderr).into_owned();
    assert!(
        said.contains("2 approved candidates left out: a record of theirs was merged by an earlier export"),
        "{said}"
    );
    assert!(said.contains("(first: candidate 3, which it merged already)"), "{said}");
    assert_eq!(std::fs::read_to_string(ws.dir.join("third.jsonl")).unwrap(), "");
}

/// A cluster approved after pairs of its records replaces their approvals: they are undone in the
/// same transaction, and the plan carries one merge of the whole cluster instead of the first pair
/// (and leaving the rest out).
#[test]
fn a_cluster_approved_after_its_pairs_replaces_them() {
    let ws = a_b_approved(
        "salesforce:A,salesforce:B,0.9\nsalesforce:B,salesforce:C,0.8\nsalesforce:C,salesforce:D,0.4\n",
    );
    ws.ok(&["decide", "2", "approve"]);
    ws.file(
        "cluster.csv",
        "cluster_id,record,score\nk,salesforce:A,0.95\nk,salesforce:B,0.95\nk,salesforce:C,0.95\n",
    );
    ws.ok(&["import", "candidates", "cluster.csv"]);
    let approve = ws.run(&["decide", "4", "approve", "--survivor", "salesforce:A"]).assert().success();
    let said = String::from_utf8_lossy(&approve.get_output().stderr).into_owned();
    assert!(
        said.contains("replaces the approvals of candidates 1, 2, all of whose records this candidate holds"),
        "{said}"
    );
    assert!(said.contains("Undone in journal entries 7, 8."), "{said}");
    assert!(!said.contains("also approved elsewhere"), "{said}");
    // C–D, approved now, shares C with the cluster but holds D too: it replaces nothing.
    let approve = ws.run(&["decide", "3", "approve"]).assert().success();
    let said = String::from_utf8_lossy(&approve.get_output().stderr).into_owned();
    assert!(!said.contains("replaces"), "{said}");
    assert!(said.contains("also approved elsewhere: salesforce:C in #4"), "{said}");
    let statuses: Vec<(i64, String)> =
        serde_json::from_str::<serde_json::Value>(&ws.ok(&["queue", "--json"]))
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["id"].as_i64().unwrap(), c["status"].as_str().unwrap().to_string()))
            .collect();
    for (id, want) in [(1, "pending"), (2, "pending"), (3, "approved"), (4, "approved")] {
        assert!(statuses.contains(&(id, want.to_string())), "#{id} {want}: {statuses:?}");
    }
    let log: serde_json::Value = serde_json::from_str(&ws.ok(&["audit", "log", "--json"])).unwrap();
    let undos: Vec<&serde_json::Value> =
        log.as_array().unwrap().iter().filter(|e| e["action"] == "undo").collect();
    assert_eq!(undos.len(), 2, "{log:#}");
    for undo in undos {
        assert_eq!(
            undo["body"]["superseded_by"],
            serde_json::json!({"candidate": 4, "entry": 6}),
            "{undo:#}"
        );
    }
    ws.ok(&["audit", "verify"]);
    ws.signoff();
    ws.ok(&["export", "salesforce", "--out", "plan.jsonl"]);
    let plan = std::fs::read_to_string(ws.dir.join("plan.jsonl")).unwrap();
    assert_eq!(plan.lines().count(), 1, "the cluster's merge only (C–D, later, shares C with it): {plan}");
    assert!(plan.contains(r#""Id":"A""#) && plan.contains(r#""recordToMergeIds":["B","C"]"#), "{plan}");
}

/// `--fields FILE` writes a plan's fields under the CRM's names (the demo's `first_name` is
/// Salesforce's `FirstName`), leaves out what it says to, and says which fields it did not name;
/// the members' values are compared under the same names. Only merge plans take it.
#[test]
fn a_plan_writes_fields_under_the_names_a_fields_file_gives() {
    let ws = Ws::new();
    ws.import(
        "sf.csv",
        "id,first_name,last_name,tags,created_at\nA,Ann,Lee,vip,2020-01-01T00:00:00Z\nB,Anne,Lee,new,2021-01-01T00:00:00Z\n",
        "salesforce",
    );
    ws.file("p.csv", "left,right,score\nsalesforce:A,salesforce:B,0.9\n");
    ws.ok(&["import", "candidates", "p.csv"]);
    ws.ok(&["decide", "1", "approve", "--survivor", "salesforce:A", "--pick", "first_name=salesforce:B"]);
    ws.file("sf.toml", "[contact]\nfirst_name = \"FirstName\"\nlast_name = \"LastName\"\ntags = \"\"\n");
    let out = ws
        .run(&["export", "salesforce", "--include-unsigned", "--out", "plan.jsonl", "--fields", "sf.toml"])
        .assert()
        .success();
    let said = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    let plan = std::fs::read_to_string(ws.dir.join("plan.jsonl")).unwrap();
    assert!(plan.contains(r#""FirstName":"Anne""#), "{plan}");
    assert!(!plan.contains("first_name") && !plan.contains("LastName") && !plan.contains("tags"), "{plan}");
    assert!(said.contains("note: 2 fields under the CRM's names from --fields: `first_name → FirstName`, `last_name → LastName`"), "{said}");
    assert!(said.contains("note: 1 field left out by --fields: `tags`"), "{said}");
    let entry = ws.last_entry();
    assert_eq!(entry["body"]["details"]["field_names"]["left_out"], serde_json::json!(["tags"]));
    // Not a merge plan: refused, nothing written.
    ws.run(&["export", "golden-csv", "--include-unsigned", "--fields", "sf.toml"])
        .assert()
        .code(1)
        .stderr(contains("--fields names a CRM's fields: it goes with a merge plan"));
    // A bad file says where.
    ws.file("bad.toml", "[contact]\nfirst_name = 3\n");
    ws.run(&["export", "salesforce", "--include-unsigned", "--fields", "bad.toml"])
        .assert()
        .code(1)
        .stderr(contains("bad.toml: [contact] first_name must be a string"));
}
