//! A decision that contradicts another standing one is refused and changes nothing: approving
//! records that a rejection keeps apart, rejecting records that an approval merges, an undo that
//! brings such a decision back, and an approval whose replacing of another would. Otherwise the
//! same two records would go out in a merge plan and in the not-duplicate list.

mod common;
mod console_fixture;

use common::Workspace;
use mergeq::model::{CandidateId, Status};
use mergeq::store::Store;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Contacts 1–3; candidates 1 (1, 2), 2 (2, 3) and 3, the cluster (1, 2, 3).
fn workspace() -> Workspace {
    let ws = Workspace::new();
    ws.file(
        "r.csv",
        "id,name,email\n1,Ann Lee,ann@x.example\n2,Ann Lee,ann@x.example\n3,Anne Lee,ann@x.example\n",
    );
    ws.ok(&["import", "records", "r.csv", "--object", "contact", "--source", "crm"]);
    ws.file("p.csv", "left,right,score\ncrm:1,crm:2,0.9\ncrm:2,crm:3,0.8\n");
    ws.ok(&["import", "candidates", "p.csv"]);
    ws.file("c.csv", "cluster_id,record,score\nk,crm:1,0.85\nk,crm:2,0.85\nk,crm:3,0.85\n");
    ws.ok(&["import", "candidates", "c.csv"]);
    ws
}

/// Runs a command that must be refused with exit 1; checks the workspace is as it was and
/// returns the message.
fn refused(ws: &Workspace, args: &[&str]) -> String {
    let before = ws.dump();
    let said = ws.fails(args, 1);
    assert_eq!(ws.dump(), before, "{args:?} changed the workspace");
    said.trim_end().to_string()
}

#[test]
fn rejecting_records_an_approval_merges_is_refused() {
    let ws = workspace();
    ws.ok(&["decide", "3", "approve"]);
    assert_eq!(
        refused(&ws, &["decide", "1", "reject"]),
        "error: cannot reject candidate 1: crm:1 and crm:2 are merged by the approval of candidate 3 \
         (journal entry 4). Undo that decision first (`mergeq undo 3`) if it was wrong, or decide this \
         one otherwise"
    );
    // Deferring or approving the part is no contradiction.
    ws.ok(&["decide", "1", "defer"]);
    ws.ok(&["decide", "2", "approve"]);
    // Undone, the rejection goes through, and then approving the whole is refused in turn.
    ws.ok(&["undo", "3"]);
    ws.ok(&["decide", "1", "reject"]);
    assert_eq!(
        refused(&ws, &["decide", "3", "approve"]),
        "error: cannot approve candidate 3: crm:1 and crm:2 are rejected as not duplicates in candidate 1 \
         (journal entry 8). Undo that decision first (`mergeq undo 1`) if it was wrong, or decide this \
         one otherwise"
    );
    assert!(ws.ok(&["audit", "verify"]).starts_with("journal ok"));
}

#[test]
fn an_undo_that_brings_back_a_contradiction_is_refused() {
    let ws = workspace();
    ws.ok(&["decide", "1", "reject"]);
    ws.ok(&["decide", "1", "defer"]);
    ws.ok(&["decide", "3", "approve"]);
    // Undoing the deferral would make candidate 1 rejected again while 3 merges its records.
    assert_eq!(
        refused(&ws, &["undo", "1"]),
        "error: cannot undo entry 5 (defer of candidate 1), which would make it rejected again: crm:1 and \
         crm:2 are merged by the approval of candidate 3 (journal entry 6). Undo that decision first \
         (`mergeq undo 3`) if it was wrong, or decide candidate 1 anew instead"
    );
    ws.ok(&["undo", "3"]);
    ws.ok(&["undo", "1"]);
}

#[test]
fn replacing_an_approval_that_would_bring_back_its_rejection_is_refused() {
    let ws = workspace();
    ws.ok(&["decide", "1", "reject"]);
    ws.ok(&["decide", "1", "approve"]);
    // Approving the cluster replaces 1's approval; undoing it would make 1 rejected again.
    let said = refused(&ws, &["decide", "3", "approve"]);
    assert!(
        said.starts_with(
            "error: cannot approve candidate 3: it replaces the approval of candidate 1, all of whose records it holds"
        ),
        "{said}"
    );
    assert!(said.contains("(`mergeq undo 1`, twice)"), "{said}");
    ws.ok(&["undo", "1"]);
    ws.ok(&["undo", "1"]);
    ws.ok(&["decide", "3", "approve"]);
}

/// In the console the refusal is one calm line naming the candidate to undo, and nothing changes:
/// the pair stays pending under review.
#[test]
fn the_console_says_which_candidate_to_undo() {
    let ws = workspace();
    ws.ok(&["decide", "3", "approve"]);
    let mut c = console_fixture::console(Store::open_existing(&ws.db).unwrap(), (80, 24));
    // The queue, best first: pending 1 (0.9), then 2; open 1 and reject it.
    for code in [KeyCode::Enter, KeyCode::Char('x')] {
        c.key(KeyEvent::new(code, KeyModifiers::NONE));
    }
    let review = c.app.review.as_ref().expect("still under review");
    assert_eq!((review.data.candidate.id, review.data.candidate.status), (CandidateId(1), Status::Pending));
    let status = c.app.status.clone().expect("a status line");
    assert!(status.error);
    assert_eq!(status.text, "not rejected: #3, approved, merges 2 of its records — undo #3 first");
    assert!(status.text.chars().count() <= 80, "fits the 80-column status line");
}

/// The console's brief line for each kind of refusal, as `journal::Contradiction::brief`.
#[test]
fn each_refusal_has_a_brief_line_for_the_console() {
    let brief =
        |e: anyhow::Error| e.downcast::<mergeq::journal::Contradiction>().expect("a contradiction").brief;
    let request = |candidate: i64, verdict| mergeq::journal::DecisionRequest {
        candidate: CandidateId(candidate),
        verdict,
        choices: Default::default(),
        note: None,
        seen: None,
        status_seen: None,
        steward: "ann".into(),
        at: "2026-11-27T09:00:00Z".into(),
        rules: std::sync::Arc::new(mergeq::survivorship::Rules::builtin()),
    };
    use mergeq::journal::{decide, undo, Verdict};
    let ws = workspace();
    ws.ok(&["decide", "1", "reject"]);
    let mut store = Store::open_existing(&ws.db).unwrap();
    assert_eq!(
        brief(decide(&mut store, &request(3, Verdict::Approve)).unwrap_err()),
        "not approved: #1, rejected, keeps 2 of its records apart — undo #1 first"
    );
    ws.ok(&["decide", "1", "defer"]);
    ws.ok(&["decide", "3", "approve"]);
    assert_eq!(
        brief(undo(&mut store, Some(CandidateId(1)), "ann", "2026-11-27T09:00:00Z").unwrap_err()),
        "not undone: #1 would be rejected again, against #3's approval — undo #3 first"
    );
    ws.ok(&["undo", "3"]);
    ws.ok(&["undo", "1"]);
    ws.ok(&["decide", "1", "approve"]);
    assert_eq!(
        brief(decide(&mut store, &request(3, Verdict::Approve)).unwrap_err()),
        "not approved: replacing #1's approval brings back its rejection — undo #1 twice first"
    );
}

/// The queue marks an undecided candidate whose records an approved one holds all of (`in #3`):
/// approving it adds nothing to a merge plan and rejecting it is refused, so the steward sees
/// it before opening it. A candidate sharing only some records is not marked.
#[test]
fn the_queue_marks_candidates_an_approval_holds_whole() {
    let ws = workspace();
    ws.ok(&["decide", "3", "approve"]);
    let c = console_fixture::console(Store::open_existing(&ws.db).unwrap(), (80, 24));
    let held: Vec<(i64, Option<i64>)> =
        c.app.queue.rows.iter().map(|r| (r.id.0, r.held_by.map(|h| h.0))).collect();
    assert_eq!(held, [(1, Some(3)), (2, Some(3))]);
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    terminal.draw(|f| mergeq::tui::view::draw(f, &c.app)).unwrap();
    let screen = terminal.backend().to_string();
    let row = screen.lines().nth(3).unwrap();
    assert!(row.trim_end_matches(['"', ' ']).ends_with("in #3"), "{row}");
    // `mergeq queue` says it too: `held_by` in JSON (an added key), a mark at the line's end.
    let queue: Vec<serde_json::Value> = serde_json::from_str(&ws.ok(&["queue", "--json"])).unwrap();
    let held: Vec<(i64, Option<i64>)> =
        queue.iter().map(|c| (c["id"].as_i64().unwrap(), c["held_by"].as_i64())).collect();
    assert_eq!(held, [(1, Some(3)), (3, None), (2, Some(3))]);
    assert_eq!(queue[0]["status"], "pending");
    let text = ws.ok(&["queue"]);
    assert!(text.lines().nth(1).unwrap().ends_with("crm:1  crm:2  · all in #3, approved"), "{text}");
    // Undone, the mark goes.
    ws.ok(&["undo", "3"]);
    assert!(!ws.ok(&["queue", "--json"]).contains("held_by"));
    let c = console_fixture::console(Store::open_existing(&ws.db).unwrap(), (80, 24));
    assert!(c.app.queue.rows.iter().all(|r| r.held_by.is_none()));
    // Approving the pair 1 holds 2 records of 3 (not all): 3 is not marked, nor is 2 (one record).
    ws.ok(&["decide", "1", "approve"]);
    let c = console_fixture::console(Store::open_existing(&ws.db).unwrap(), (80, 24));
    assert!(c.app.queue.rows.iter().all(|r| r.held_by.is_none()));
}

/// Contacts 1–3; pairs 1 (1, 2), 2 (2, 3) and 3 (1, 3): no candidate holds all three.
fn triangle() -> Workspace {
    let ws = Workspace::new();
    ws.file(
        "r.csv",
        "id,name,email\n1,Ann Lee,ann@x.example\n2,Ann Lee,ann@x.example\n3,Anne Lee,ann@x.example\n",
    );
    ws.ok(&["import", "records", "r.csv", "--object", "contact", "--source", "crm"]);
    ws.file("p.csv", "left,right,score\ncrm:1,crm:2,0.9\ncrm:2,crm:3,0.8\ncrm:1,crm:3,0.7\n");
    ws.ok(&["import", "candidates", "p.csv"]);
    ws
}

/// Approvals sharing a record merge through it: 1–2 and 2–3 approved merge 1 with 3, so rejecting
/// 1–3 is refused as if one approval held both, and the other way round.
#[test]
fn approvals_sharing_a_record_merge_through_it() {
    let ws = triangle();
    ws.ok(&["decide", "1", "approve"]);
    ws.ok(&["decide", "2", "approve"]);
    assert_eq!(
        refused(&ws, &["decide", "3", "reject"]),
        "error: cannot reject candidate 3: crm:1 and crm:3 are merged through the approvals of candidates \
         1 and 2 (journal entries 3 and 4), which share records. Undo that decision first (`mergeq undo 1`) \
         if it was wrong, or decide this one otherwise"
    );
    // One of them undone, nothing merges 1 with 3: the rejection goes through, and approving
    // 2–3 again is refused in turn.
    ws.ok(&["undo", "2"]);
    ws.ok(&["decide", "3", "reject"]);
    assert_eq!(
        refused(&ws, &["decide", "2", "approve"]),
        "error: cannot approve candidate 2: crm:1 and crm:3 are rejected as not duplicates in candidate 3 \
         (journal entry 6), and this approval would merge them with the approval of candidate 1 (journal \
         entry 3). Undo that decision first (`mergeq undo 3`) if it was wrong, or decide this one otherwise"
    );
    // With the rejection undone, 2–3 approves.
    ws.ok(&["undo", "3"]);
    ws.ok(&["decide", "2", "approve"]);
    assert!(ws.ok(&["audit", "verify"]).starts_with("journal ok"));
}
