//! What `audit verify` vouches for past the hash chain: who signed each sign-off and with which
//! key (a steward's key changing is flagged, and `signoff` refuses it without `--new-key`), the
//! derived tables `approved_members` and `rejected_pairs` rebuilt from the journal, and decisions
//! that contradict each other — each after tampering with sqlite, as an attacker would.

mod common;

use common::Workspace;
use serde_json::Value;

/// Three records and the three pairs of them: candidates 1 (1–2), 2 (2–3) and 3 (1–3).
fn triangle() -> Workspace {
    let ws = Workspace::new();
    ws.file("r.csv", "id,name\n1,Ann Lee\n2,Ann Lee\n3,Ann Lee\n");
    ws.ok(&["import", "records", "r.csv", "--object", "contact", "--source", "crm"]);
    ws.file("p.csv", "left,right,score\ncrm:1,crm:2,0.9\ncrm:2,crm:3,0.8\ncrm:1,crm:3,0.7\n");
    ws.ok(&["import", "candidates", "p.csv"]);
    ws
}

fn log(ws: &Workspace) -> Vec<Value> {
    serde_json::from_str(&ws.ok(&["audit", "log", "--json"])).unwrap()
}

/// Runs SQL on the workspace as an attacker with sqlite3 would.
fn tamper(ws: &Workspace, sql: &str) {
    rusqlite::Connection::open(&ws.db).unwrap().execute_batch(sql).unwrap();
}

fn verify_fails(ws: &Workspace) -> String {
    ws.fails(&["audit", "verify"], 1)
}

#[test]
fn a_stewards_key_change_is_refused_unless_declared_and_always_listed() {
    let ws = triangle();
    for key in ["alice.key", "mallory.key"] {
        ws.ok(&["keygen", "--out", key]);
    }
    let alice = ["--steward", "alice"];
    ws.ok(&[&alice[..], &["decide", "1", "approve"]].concat());
    ws.ok(&[&alice[..], &["signoff", "--key", "alice.key"]].concat());
    ws.ok(&[&alice[..], &["decide", "2", "approve"]].concat());
    let alice_hex = log(&ws)[3]["public_key"].as_str().unwrap()[..12].to_string();

    // Another key under alice's name: refused, nothing written.
    let before = ws.dump();
    let err = ws.fails(&[&alice[..], &["signoff", "--key", "mallory.key"]].concat(), 1);
    assert!(
        err.contains(&format!(
            "alice signed off with key {alice_hex}… in journal entry 4, and this is another key ("
        )),
        "{err}"
    );
    assert!(err.contains("sign with `--new-key`"), "{err}");
    assert_eq!(before, ws.dump());
    // Declared, it is signed, and the sign-off names the key it replaces.
    ws.ok(&[&alice[..], &["signoff", "--key", "mallory.key", "--new-key"]].concat());
    let entries = log(&ws);
    let new = &entries[5];
    let mallory_hex = new["public_key"].as_str().unwrap()[..12].to_string();
    assert!(new["body"]["replaces_key"].as_str().unwrap().starts_with(&alice_hex), "{new}");
    // The same key again needs no flag.
    ws.ok(&[&alice[..], &["decide", "3", "defer"]].concat());
    ws.ok(&[&alice[..], &["signoff", "--key", "mallory.key"]].concat());

    // Without --pubkey: every sign-off with its steward and key, the change flagged, and what a
    // check against the carried keys does not show said plainly.
    let out = ws.ok(&["audit", "verify"]);
    let warning = format!(
        "warning: sign-off at entry 6 by alice is signed with key {mallory_hex}…, not with key {alice_hex}… of \
         alice's sign-off at entry 4; it says so (signed with --new-key): check with alice that both keys are theirs\n"
    );
    let want = [
        format!(
            "sign-off at entry 4 (entries 1–3) by alice, key {alice_hex}…: valid for the key it carries\n"
        ),
        format!("sign-off at entry 6 (entry 5) by alice, key {mallory_hex}…: valid for the key it carries\n"),
        format!("sign-off at entry 8 (entry 7) by alice, key {mallory_hex}…: valid for the key it carries\n"),
        warning.clone(),
        "journal ok: 8 entries, head ".to_string(),
        "3 sign-offs verified (against the keys they carry)".to_string(),
        "note: no --pubkey given, so each signature was checked against the key it carries: that shows the \
         entries are unchanged since that key signed them, not who signed"
            .to_string(),
    ];
    for part in &want {
        assert!(out.contains(part.as_str()), "missing {part:?} in\n{out}");
    }
    assert_eq!(out.matches("warning:").count(), 1, "{out}");
    // With the keys given, each sign-off names its file; the key change is still flagged.
    let out = ws.ok(&["audit", "verify", "--pubkey", "alice.key.pub", "--pubkey", "mallory.key.pub"]);
    assert!(
        out.contains(&format!(
            "sign-off at entry 6 (entry 5) by alice, key {mallory_hex}…: signed by mallory.key.pub\n"
        )),
        "{out}"
    );
    assert!(out.contains(&warning) && !out.contains("note:"), "{out}");
}

/// A table `decide` checks against, emptied with sqlite3, lets a contradictory decision in; verify
/// names the entry and the decision it contradicts.
#[test]
fn a_contradiction_let_in_by_an_emptied_table_fails_verify() {
    // Approvals 1–2 and 2–3 merge 1 with 3: rejecting 1–3 is refused …
    let ws = triangle();
    ws.ok(&["decide", "1", "approve"]);
    ws.ok(&["decide", "2", "approve"]);
    let err = ws.fails(&["decide", "3", "reject"], 1);
    assert!(err.contains("cannot reject candidate 3"), "{err}");
    // … until approved_members is emptied. The table alone is named first …
    tamper(&ws, "DELETE FROM approved_members");
    let err = verify_fails(&ws);
    assert!(
        err.contains(
            "journal BROKEN: approved_members lacks record crm:1 of candidate 1, which the journal leaves approved \
             (journal entry 3): the table was changed outside mergeq"
        ),
        "{err}"
    );
    // … then the rejection it let in, naming both entries.
    ws.ok(&["decide", "3", "reject"]);
    let err = verify_fails(&ws);
    assert!(
        err.contains(
            "journal BROKEN: journal entry 5: the rejection of candidate 3 contradicts the approval of candidate 2 \
             (journal entry 4): crm:1 and crm:3 would go out both in a merge plan and in the not-duplicate list"
        ),
        "{err}"
    );

    // The other way round: rejected_pairs emptied lets in an approval merging a rejected pair.
    let ws = triangle();
    ws.ok(&["decide", "3", "reject"]);
    ws.ok(&["decide", "1", "approve"]);
    tamper(&ws, "DELETE FROM rejected_pairs");
    let err = verify_fails(&ws);
    assert!(
        err.contains(
            "journal BROKEN: rejected_pairs lacks crm:1 and crm:3, which the rejection of candidate 3 (journal entry \
             3) keeps apart: the table was changed outside mergeq, and detection and imports would propose the pair again"
        ),
        "{err}"
    );
    ws.ok(&["decide", "2", "approve"]);
    let err = verify_fails(&ws);
    assert!(
        err.contains(
            "journal BROKEN: journal entry 5: the approval of candidate 2 contradicts the rejection of candidate 3 \
             (journal entry 3): crm:1 and crm:3 would go out"
        ),
        "{err}"
    );
}

/// Rows added to the derived tables are named too, and an untouched workspace verifies.
#[test]
fn rows_no_standing_decision_makes_fail_verify() {
    let ws = triangle();
    ws.ok(&["decide", "1", "reject"]);
    ws.ok(&["decide", "2", "approve"]);
    assert!(ws.ok(&["audit", "verify"]).starts_with("journal ok"));
    let pristine = std::fs::read(&ws.db).unwrap();
    let cases = [
        (
            "INSERT INTO rejected_pairs (a, b) VALUES (2, 3)",
            "rejected_pairs holds crm:2 and crm:3, which no standing rejection keeps apart",
        ),
        (
            "INSERT INTO approved_members (record_id, candidate_id) VALUES (1, 3)",
            "approved_members holds record crm:1 for candidate 3, which the journal leaves pending",
        ),
        (
            "DELETE FROM approved_members WHERE record_id = 3",
            "approved_members lacks record crm:3 of candidate 2, which the journal leaves approved (journal entry 4)",
        ),
    ];
    for (sql, want) in cases {
        std::fs::write(&ws.db, &pristine).unwrap();
        tamper(&ws, sql);
        let err = verify_fails(&ws);
        assert!(err.contains(want), "{sql}: {err}");
    }
}
