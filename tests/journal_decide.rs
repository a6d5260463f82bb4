//! Decisions through the library: what an entry holds, the stale guard, versions required, the
//! not-a-duplicate memory, undo, and one transaction per decision.

mod journal_fixture;
use journal_fixture as common;

use common::{import_candidates, import_records, request, workspace, AT};
use mergeq::journal::{self, Action, StaleError, Verdict};
use mergeq::model::{CandidateId, RecordKey, Status};
use mergeq::store::Store;
use serde_json::{json, Value};

fn body(store: &Store, seq: i64) -> Value {
    serde_json::from_str(&store.journal_entry(seq).unwrap().unwrap().body).unwrap()
}

#[test]
fn entry_holds_who_when_what_old_and_new_values() {
    let dir = tempfile::tempdir().unwrap();
    let (_, mut store) = workspace(dir.path(), 3);
    let mut req = request(1, Verdict::Approve, "chloé");
    req.at = "2026-06-01T09:30:00Z".into();
    req.note = Some("same person, new phone".into());
    req.choices.sets.push(("phone".into(), Some("+33 1 23".into())));
    req.choices.picks.push(("email".into(), RecordKey::new("hubspot", "H0")));
    req.choices.survivor = Some(RecordKey::new("hubspot", "H0"));
    let out = journal::decide(&mut store, &req).unwrap();
    let e = store.journal_entry(out.seq).unwrap().unwrap();
    // who, when, what
    assert_eq!(e.steward, "chloé");
    assert_eq!(e.at, "2026-06-01T09:30:00.000Z", "always three fraction digits");
    assert_eq!((e.action.as_str(), e.candidate), ("approve", Some(1)));
    let b: Value = serde_json::from_str(&e.body).unwrap();
    // old values: the members as seen (values and versions) and the status before
    assert_eq!(b["status_before"], "pending");
    assert_eq!(b["seen"], "1.1");
    let members = b["members"].as_array().unwrap();
    assert_eq!(members.len(), 2);
    assert_eq!(members[0]["key"], "hubspot:H0");
    assert_eq!(members[0]["version"], 1);
    assert_eq!(members[0]["fields"]["email"], "person0@example.com");
    assert_eq!(members[1]["key"], "salesforce:S0");
    assert_eq!(members[1]["fields"]["phone"], "+15550000000");
    // new values: the golden record with lineage, rule vs steward, and the status after
    assert_eq!(b["status_after"], "approved");
    let phone = &b["golden"]["fields"]["phone"];
    assert_eq!(phone["value"], "+33 1 23");
    assert_eq!(phone["chosen_by"], "steward");
    assert_eq!(phone["suggested"]["value"], "+15550000000");
    let email = &b["golden"]["fields"]["email"];
    assert_eq!(
        (email["value"].as_str(), email["from"][0].as_str()),
        (Some("person0@example.com"), Some("hubspot:H0"))
    );
    assert_eq!(email["suggested"]["value"], "p0@example.com", "the rule's value, kept beside the steward's");
    assert_eq!(b["golden"]["fields"]["name"]["chosen_by"], "rule");
    assert_eq!(
        b["golden"]["survivor"],
        json!({"key": "hubspot:H0", "reason": "chosen by the steward", "chosen_by": "steward", "suggested": "salesforce:S0"})
    );
    assert_eq!(b["note"], "same person, new phone");
    assert_eq!(store.candidate(CandidateId(1)).unwrap().unwrap().status, Status::Approved);
    // A reject's old and new values are the members and the statuses.
    let out = journal::decide(&mut store, &request(1, Verdict::Reject, "ben")).unwrap();
    let b = body(&store, out.seq);
    assert_eq!(
        (b["status_before"].as_str(), b["status_after"].as_str()),
        (Some("approved"), Some("rejected"))
    );
    assert!(b.get("golden").is_none());
}

#[test]
fn decision_without_member_versions_cannot_be_written() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut store) = workspace(dir.path(), 2);
    let before = store.logical_dump().unwrap();
    let bodies = [
        json!({"note": "no members"}),
        json!({"members": []}),
        json!({"members": [{"key": "hubspot:H0"}]}),
        json!({"members": [{"key": "hubspot:H0", "version": 1}, {"key": "salesforce:S0", "version": null}]}),
    ];
    for b in &bodies {
        let err = store
            .write(|tx| {
                journal::append(
                    tx,
                    &journal::NewEntry {
                        at: AT,
                        steward: "ana",
                        action: Action::Approve,
                        candidate: Some(CandidateId(1)),
                        body: b,
                    },
                )
            })
            .unwrap_err();
        assert!(format!("{err:#}").contains("a decision must name the"), "{err:#}");
    }
    // The store refuses it even from a caller that chained and hashed it itself.
    let head = store.journal_head().unwrap().unwrap();
    let forged = mergeq::store::JournalEntry {
        seq: head.0 + 1,
        at: AT.into(),
        steward: "ana".into(),
        action: "reject".into(),
        candidate: Some(1),
        body: r#"{"members":[{"key":"hubspot:H0"}]}"#.into(),
        prev_hash: head.1.clone(),
        hash: "00".repeat(32),
        signature: None,
        public_key: None,
    };
    assert!(store.write(|tx| tx.insert_journal_entry(&forged)).is_err());
    assert_eq!(store.logical_dump().unwrap(), before);
    drop(store);
    // And so does the database itself (CHECK), for a writer that bypasses mergeq.
    let conn = rusqlite::Connection::open(&path).unwrap();
    let err = conn
        .execute(
            "INSERT INTO journal (seq, at, steward, action, candidate, body, prev_hash, hash) VALUES (?1, 't', 'x', 'approve', 1, '{\"members\":[{\"key\":\"a:1\"}]}', ?2, 'h')",
            rusqlite::params![head.0 + 1, head.1],
        )
        .unwrap_err();
    assert!(err.to_string().contains("CHECK"), "{err}");
}

#[test]
fn stale_decision_is_refused_naming_candidate_record_and_fields() {
    let dir = tempfile::tempdir().unwrap();
    let (_, mut store) = workspace(dir.path(), 2);
    let seen = journal::current_seen(&store, CandidateId(1)).unwrap();
    assert_eq!(seen, "1.1@0", "member versions, and no decision yet");
    // An import changes hubspot:H0's email after the steward was shown the candidate.
    let changed = dir.path().join("hubspot-v2.csv");
    std::fs::write(&changed, "id,name,email,phone,updated_at\nH0,Person  0,new@example.com,,2026-02-01\nH1,Person  1,person1@example.com,,2026-02-01\n").unwrap();
    import_records(&mut store, &changed, "hubspot");
    assert_eq!(store.changed_candidates().unwrap(), vec![CandidateId(1)]);
    let before = store.logical_dump().unwrap();
    let mut req = request(1, Verdict::Approve, "ana");
    req.seen = Some(seen.clone());
    let err = journal::decide(&mut store, &req).unwrap_err();
    let stale = err.downcast_ref::<StaleError>().expect("a StaleError");
    assert_eq!(stale.candidate, CandidateId(1));
    assert_eq!(stale.changes.len(), 1);
    assert_eq!(stale.changes[0].key, RecordKey::new("hubspot", "H0"));
    assert_eq!(stale.changes[0].fields.as_deref(), Some(&["email".to_string()][..]));
    let text = err.to_string();
    for part in ["candidate 1", "hubspot:H0", "email"] {
        assert!(text.contains(part), "{text}");
    }
    assert_eq!(store.logical_dump().unwrap(), before, "a refused decision changes nothing");
    assert_eq!(journal::stale_changes(&store, CandidateId(1), &seen).unwrap(), stale.changes);
    // A wrong token is refused too; the current token, or none, decides on the current versions.
    req.seen = Some("1".into());
    assert!(journal::decide(&mut store, &req).unwrap_err().to_string().contains("not a seen token"));
    req.seen = Some("2.1".into());
    let out = journal::decide(&mut store, &req).unwrap();
    assert_eq!(out.seen, "2.1");
    let b = body(&store, out.seq);
    assert_eq!(b["members"][0]["version"], 2);
    assert_eq!(b["members"][0]["fields"]["email"], "new@example.com");
    let out = journal::decide(&mut store, &request(2, Verdict::Defer, "ana")).unwrap();
    assert_eq!(body(&store, out.seq)["seen"], "1.1");
}

#[test]
fn a_rejected_pair_is_not_proposed_again_until_the_rejection_is_undone() {
    let dir = tempfile::tempdir().unwrap();
    let (_, mut store) = workspace(dir.path(), 2);
    let cands = dir.path().join("candidates.csv");
    journal::decide(&mut store, &request(1, Verdict::Reject, "ana")).unwrap();
    let pair = (RecordKey::new("salesforce", "S0"), RecordKey::new("hubspot", "H0"));
    assert_eq!(store.rejected_pairs().unwrap(), vec![pair]);
    // The same candidates file again: the rejected pair is suppressed (and the import is a no-op).
    let again = import_candidates(&mut store, &cands);
    assert_eq!(again.candidates_suppressed, 1);
    journal::undo(&mut store, Some(CandidateId(1)), "ana", AT).unwrap();
    assert!(store.rejected_pairs().unwrap().is_empty());
    assert_eq!(import_candidates(&mut store, &cands).candidates_suppressed, 0);
    // Reject, then approve on second thought: the approval lifts the rejection too.
    journal::decide(&mut store, &request(2, Verdict::Reject, "ana")).unwrap();
    assert_eq!(store.rejected_pairs().unwrap().len(), 1);
    journal::decide(&mut store, &request(2, Verdict::Approve, "ana")).unwrap();
    assert!(store.rejected_pairs().unwrap().is_empty());
}

#[test]
fn undo_reverses_the_latest_standing_decision_and_erases_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (_, mut store) = workspace(dir.path(), 3);
    let status = |s: &Store, c| s.candidate(CandidateId(c)).unwrap().unwrap().status;
    let approve = journal::decide(&mut store, &request(1, Verdict::Approve, "ana")).unwrap();
    journal::decide(&mut store, &request(1, Verdict::Defer, "ana")).unwrap();
    let reject = journal::decide(&mut store, &request(2, Verdict::Reject, "ben")).unwrap();
    let entries_before = store.journal_head().unwrap().unwrap().0;
    // No id: the latest decision of the whole journal (candidate 2's reject).
    let u = journal::undo(&mut store, None, "chloé", AT).unwrap();
    assert_eq!((u.candidate, u.reversed_seq, u.status), (CandidateId(2), reject.seq, Status::Pending));
    // Candidate 1: defer undone → approved again; then the approve → pending.
    let u = journal::undo(&mut store, Some(CandidateId(1)), "ana", AT).unwrap();
    assert_eq!((u.status_before, u.status), (Status::Deferred, Status::Approved));
    assert_eq!(status(&store, 1), Status::Approved);
    let u = journal::undo(&mut store, None, "ana", AT).unwrap();
    assert_eq!((u.reversed_seq, u.status), (approve.seq, Status::Pending));
    let err = journal::undo(&mut store, Some(CandidateId(1)), "ana", AT).unwrap_err();
    assert!(err.to_string().contains("no decision to undo"), "{err}");
    assert!(journal::undo(&mut store, None, "ana", AT).is_err());
    // Nothing erased: every decision is still there, and each undo is an entry of its own.
    let head = store.journal_head().unwrap().unwrap().0;
    assert_eq!(head, entries_before + 3);
    let actions: Vec<String> =
        store.journal_of_candidate(CandidateId(1)).unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions, ["approve", "defer", "undo", "undo"]);
    assert_eq!(body(&store, u.seq)["reverses"], approve.seq);
    assert!(journal::verify(&store, None).unwrap().is_ok());
}

#[test]
fn a_failed_decision_leaves_the_workspace_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let (_, mut store) = workspace(dir.path(), 2);
    let before = store.logical_dump().unwrap();
    let mut bad = vec![];
    let mut r = request(1, Verdict::Approve, "ana");
    r.choices.picks.push(("email".into(), RecordKey::new("hubspot", "H1")));
    bad.push((r, "not a member"));
    let mut r = request(1, Verdict::Approve, "ana");
    r.choices.sets.push(("emial".into(), Some("x".into())));
    bad.push((r, "no member of candidate 1 has a field `emial`"));
    let mut r = request(1, Verdict::Approve, "ana");
    r.choices.sets.push(("emial".into(), Some("x".into())));
    bad.push((r, "; did you mean `email`?"));
    let mut r = request(1, Verdict::Approve, "ana");
    r.choices.picks.push(("EMAIL".into(), RecordKey::new("salesforce", "S0")));
    bad.push((r, "has a field `EMAIL` (its fields: "));
    let mut r = request(1, Verdict::Approve, "ana");
    r.choices.picks.push(("EMAIL".into(), RecordKey::new("salesforce", "S0")));
    bad.push((r, "; did you mean `email`?"));
    let mut r = request(1, Verdict::Approve, "ana");
    r.choices.sets.push(("phone_number".into(), Some("x".into())));
    bad.push((r, "has a field `phone_number` (its fields: email, name, phone)"));
    let mut r = request(1, Verdict::Reject, "ana");
    r.choices.sets.push(("email".into(), None));
    bad.push((r, "go with approve"));
    bad.push((request(99, Verdict::Approve, "ana"), "no candidate 99"));
    bad.push((request(1, Verdict::Approve, " "), "needs a steward"));
    for (req, want) in bad {
        let err = journal::decide(&mut store, &req).unwrap_err();
        assert!(format!("{err:#}").contains(want), "{err:#}");
        assert_eq!(store.logical_dump().unwrap(), before);
    }
}

#[test]
fn the_journal_table_refuses_update_and_delete() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut store) = workspace(dir.path(), 1);
    journal::decide(&mut store, &request(1, Verdict::Approve, "ana")).unwrap();
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    for sql in [
        "UPDATE journal SET steward = 'mallory' WHERE seq = 4",
        "DELETE FROM journal WHERE seq = 4",
        "DELETE FROM journal",
    ] {
        let err = conn.execute(sql, []).unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    let n: i64 = conn.query_row("SELECT count(*) FROM journal", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 4);
}
