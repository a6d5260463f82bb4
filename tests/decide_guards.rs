//! What `decide` refuses before it writes — a decision or undo recorded on the candidate since the
//! `seen` token was shown (a lost update otherwise), two choices for one field — and how it stamps
//! what it writes when several run at once.

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

/// Decisions run at once, on the real clock: each entry is stamped once the write lock is held,
/// never before the entry before it, with three fraction digits — and imports likewise.
#[test]
fn concurrent_decisions_are_stamped_in_entry_order() {
    let ws = Workspace::new();
    let n = 8;
    let records: String = (0..2 * n).map(|i| format!("{i},Person {}\n", i / 2)).collect();
    ws.file("r.csv", format!("id,name\n{records}"));
    ws.ok(&["import", "records", "r.csv", "--object", "contact", "--source", "crm"]);
    let pairs: String = (0..n).map(|i| format!("crm:{},crm:{},0.9\n", 2 * i, 2 * i + 1)).collect();
    ws.file("p.csv", format!("left,right,score\n{pairs}"));
    ws.ok(&["import", "candidates", "p.csv"]);
    let runs: Vec<std::process::Child> = (1..=n)
        .map(|id| {
            let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("mergeq"));
            cmd.env("MERGEQ_DB", &ws.db)
                .env("MERGEQ_STEWARD", format!("s{id}"))
                .env_remove("MERGEQ_NOW")
                .env_remove("MERGEQ_RULES")
                .args(["decide", &id.to_string(), "approve"])
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut run in runs {
        assert!(run.wait().unwrap().success());
    }
    let log: Vec<Value> = serde_json::from_str(&ws.ok(&["audit", "log", "--json"])).unwrap();
    assert_eq!(log.len(), 2 + n);
    let times: Vec<&str> = log.iter().map(|e| e["at"].as_str().unwrap()).collect();
    for (seq, t) in times.iter().enumerate().skip(2) {
        assert_eq!((t.len(), &t[19..20], &t[23..]), (24, ".", "Z"), "entry {}: {t}", seq + 1);
        assert!(
            times[seq - 1] <= *t,
            "entry {} at {t} is before entry {} at {}",
            seq + 1,
            seq,
            times[seq - 1]
        );
    }
    let conn = rusqlite::Connection::open(&ws.db).unwrap();
    let batch_times: Vec<String> = conn
        .prepare("SELECT at FROM batches")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(batch_times, ["2026-11-27T09:00:00.000Z"; 2], "imports: the pinned clock, in three digits");
}

/// A token that does not fit the candidate points to the whole current token — `show --json`'s,
/// with its decision — never to the versions alone, which would skip the check above.
#[test]
fn a_token_for_another_candidate_points_to_the_whole_current_token() {
    let ws = Workspace::address_pair();
    let err = ws.fails(&["decide", "1", "defer", "--seen", "1.1.1@0"], 1);
    assert!(
        err.contains("`1.1.1@0` is not a seen token for candidate 1: it has 2 members; give the token `mergeq show 1 --json` gives"),
        "{err}"
    );
}

/// Another program holding the write lock past the wait: said plainly, not as SQLite's
/// "database is locked: Error code 5".
#[test]
fn a_busy_workspace_is_said_plainly() {
    let ws = Workspace::address_pair();
    let holder = rusqlite::Connection::open(&ws.db).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let mut store = mergeq::store::Store::open_existing(&ws.db).unwrap();
    store.set_busy_timeout(std::time::Duration::from_millis(50)).unwrap();
    let err = store.write(|_| Ok(())).unwrap_err();
    assert_eq!(
        format!("{err:#}"),
        "the workspace is busy: another program is writing to it; nothing was written, try again"
    );
    holder.execute_batch("ROLLBACK").unwrap();
    store.write(|_| Ok(())).unwrap();
}
