//! What `decide` refuses before it writes: a decision or undo recorded on the candidate since the
//! `seen` token was shown (a lost update otherwise), and two choices for one field.

mod common;

use common::Workspace;
use serde_json::Value;

fn seen(ws: &Workspace, id: &str) -> String {
    let shown: Value = serde_json::from_str(&ws.ok(&["show", id, "--json"])).unwrap();
    shown["seen"].as_str().unwrap().to_string()
}

/// Carol decides on what `show` gave her; bob decided in between. Her decision is refused and
/// names his, and nothing is written; shown again, she decides. An undo in between is named the
/// same way; a token of the old form (versions only) still decides on what is there now.
#[test]
fn a_decision_recorded_since_the_token_was_shown_is_refused() {
    let ws = Workspace::address_pair();
    let token = seen(&ws, "1");
    assert_eq!(token, "1.1@0", "versions, and no decision yet");
    ws.ok(&["--steward", "bob", "decide", "1", "approve", "--note", "same person"]);
    let before = ws.dump();
    let err = ws.fails(&["--steward", "carol", "decide", "1", "reject", "--seen", &token], 1);
    assert!(
        err.contains(
            "candidate 1 was approved by bob at 2026-11-27T09:00:00.000Z (journal entry 3) since it was \
             shown, so the decision was not recorded; show it again and decide"
        ),
        "{err}"
    );
    assert_eq!(before, ws.dump(), "nothing written");

    let token = seen(&ws, "1");
    assert_eq!(token, "1.1@3");
    ws.ok(&["--steward", "carol", "decide", "1", "reject", "--seen", &token]);
    ws.ok(&["--steward", "bob", "undo", "1"]);
    ws.ok(&["--steward", "bob", "decide", "1", "defer"]);
    let err = ws.fails(&["--steward", "carol", "decide", "1", "approve", "--seen", &token], 1);
    assert!(
        err.contains("candidate 1 was deferred by bob at 2026-11-27T09:00:00.000Z (journal entry 6; 3 decisions or undos on it since it was shown), so the decision was not recorded"),
        "{err}"
    );
    ws.ok(&["--steward", "bob", "undo", "1"]);
    let token = seen(&ws, "1");
    ws.ok(&["--steward", "bob", "undo", "1"]);
    let err = ws.fails(&["--steward", "carol", "decide", "1", "approve", "--seen", &token], 1);
    assert!(err.contains("candidate 1's approve was undone by bob at 2026-11-27T09:00:00.000Z (journal entry 8) since it was shown"), "{err}");

    // A token that names no entry of this candidate, or one after its latest, is not its token.
    let err = ws.fails(&["decide", "1", "approve", "--seen", "1.1@99"], 1);
    assert!(
        err.contains("`@99` in the seen token does not name candidate 1's latest decision or undo (entry 8)"),
        "{err}"
    );
    // The old form: member versions only, decided on whatever the status is now.
    ws.ok(&["--steward", "carol", "decide", "1", "approve", "--seen", "1.1"]);
    assert_eq!(seen(&ws, "1"), "1.1@9");
}

/// Two choices for one field — a pick and an edit, or the same option twice — are a usage error
/// naming both, and nothing is written.
#[test]
fn two_choices_for_one_field_are_refused() {
    let ws = Workspace::address_pair();
    let before = ws.dump();
    let cases: [(&[&str], &str); 3] = [
        (
            &["--pick", "name=salesforce:2", "--set", "name=Ann B. Lee"],
            "--pick name=salesforce:2 and --set name=Ann B. Lee both choose the field `name`",
        ),
        (
            &["--set", "city=York", "--set", "city=Leeds"],
            "--set city=York and --set city=Leeds both choose the field `city`",
        ),
        (
            &["--pick", "city=salesforce:1", "--pick", "city=salesforce:2"],
            "--pick city=salesforce:1 and --pick city=salesforce:2 both choose the field `city`",
        ),
    ];
    for (choices, want) in cases {
        let err = ws.fails(&[&["decide", "1", "approve"], choices].concat(), 2);
        assert!(err.contains(want), "{choices:?}: {err}");
    }
    assert_eq!(before, ws.dump());
    // Different fields are fine.
    ws.ok(&["decide", "1", "approve", "--pick", "name=salesforce:2", "--set", "city=York"]);
}
