//! The console when others work on the same workspace: a decision on a candidate whose status
//! another steward changed since it was opened is refused and the candidate shown as it is now;
//! undoing another steward's decision names them and asks for a second `u`; undoing a decision a CRM merge plan carried says
//! to undo it in the CRM too.

mod common;
mod console_fixture;

use common::Workspace;
use mergeq::model::{CandidateId, Status};
use mergeq::store::Store;
use mergeq::tui::Console;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Salesforce contacts 1–4; candidates 1 (1, 2) and 2 (3, 4).
fn workspace() -> Workspace {
    let ws = Workspace::new();
    ws.file("r.csv", "id,name,email,created_at\n1,Ann Lee,ann@x.example,2020-01-01\n2,Ann Lee,ann@x.example,2020-01-02\n3,Bo Yu,bo@y.example,2020-01-03\n4,Bo Yu,bo@y.example,2020-01-04\n");
    ws.ok(&["import", "records", "r.csv", "--object", "contact", "--source", "salesforce"]);
    ws.file("p.csv", "left,right,score\nsalesforce:1,salesforce:2,0.9\nsalesforce:3,salesforce:4,0.8\n");
    ws.ok(&["import", "candidates", "p.csv"]);
    ws
}

fn console(ws: &Workspace) -> Console {
    console_fixture::console(Store::open_existing(&ws.db).unwrap(), (120, 40))
}

fn press(c: &mut Console, keys: &[KeyCode]) {
    for &code in keys {
        c.key(KeyEvent::new(code, KeyModifiers::NONE));
    }
}

/// `key`, then `text` typed into the prompt it opens, then Enter.
fn prompted(c: &mut Console, key: char, text: &str) {
    press(c, &[KeyCode::Char(key)]);
    for ch in text.chars() {
        press(c, &[KeyCode::Char(ch)]);
    }
    press(c, &[KeyCode::Enter]);
}

fn status(c: &Console) -> (String, bool) {
    let s = c.app.status.clone().expect("a status line");
    (s.text, s.error)
}

/// The journal's (action, steward) pairs, in order.
fn journal(ws: &Workspace) -> Vec<(String, String)> {
    let log: Vec<serde_json::Value> = serde_json::from_str(&ws.ok(&["audit", "log", "--json"])).unwrap();
    log.iter()
        .map(|e| (e["action"].as_str().unwrap().into(), e["steward"].as_str().unwrap().into()))
        .collect()
}

#[test]
fn a_decision_on_a_candidate_another_steward_decided_since_is_refused() {
    let ws = workspace();
    let mut c = console(&ws);
    press(&mut c, &[KeyCode::Enter]);
    // Meanwhile bob rejects it from the command line.
    ws.cmd().args(["--steward", "bob", "decide", "1", "reject"]).assert().success();
    press(&mut c, &[KeyCode::Char('a')]);
    assert_eq!(
        status(&c),
        (
            "#1 not decided: rejected by bob at 09:00 since you opened it; shown as it is now, decide again"
                .into(),
            true
        )
    );
    let review = c.app.review.as_ref().expect("still under review");
    assert_eq!((review.data.candidate.id, review.data.candidate.status), (CandidateId(1), Status::Rejected));
    assert_eq!(journal(&ws).last().unwrap(), &("reject".to_string(), "bob".to_string()), "nothing written");
    // Seen as it is now, a decision goes through (ann overrides bob on purpose: replacing a
    // rejection asks once more).
    press(&mut c, &[KeyCode::Char('a')]);
    assert_eq!(status(&c).0, "#1 stands rejected: a again approves it instead");
    assert_eq!(journal(&ws).last().unwrap(), &("reject".to_string(), "bob".to_string()));
    press(&mut c, &[KeyCode::Char('a')]);
    assert_eq!(journal(&ws).last().unwrap(), &("approve".to_string(), "ann".to_string()));
    let show: serde_json::Value = serde_json::from_str(&ws.ok(&["show", "1", "--json"])).unwrap();
    assert_eq!(show["status"], "approved");
}

/// Undone by another steward since it was opened: the refusal says who undid it.
#[test]
fn a_decision_on_a_candidate_undone_since_names_who_undid_it() {
    let ws = workspace();
    ws.ok(&["decide", "1", "approve"]);
    let mut c = console(&ws);
    while c.app.queue.query.status != Some(Status::Approved) {
        press(&mut c, &[KeyCode::Char('f')]);
    }
    press(&mut c, &[KeyCode::Enter]);
    ws.cmd().args(["--steward", "bob", "undo", "1"]).assert().success();
    press(&mut c, &[KeyCode::Char('x'), KeyCode::Char('x')]);
    assert_eq!(
        status(&c),
        (
            "#1 not decided: pending again, undone by bob at 09:00 since you opened it; shown as it is now, decide again"
                .into(),
            true
        )
    );
    let out = ws.cmd().args(["decide", "1", "reject", "--seen", "1.1"]).output().unwrap();
    assert!(out.status.success(), "the command line decides on what is there now");
}

#[test]
fn undoing_another_stewards_decision_names_them() {
    let ws = workspace();
    ws.cmd().args(["--steward", "bob", "decide", "2", "reject"]).assert().success();
    let mut c = console(&ws);
    // The queue's `u` undoes the latest decision of all: bob's, so it asks first and writes
    // nothing; any other key keeps it.
    press(&mut c, &[KeyCode::Char('u')]);
    let asked = ("the latest decision is bob's reject of #2 (09:00): u again undoes it".to_string(), false);
    assert_eq!(status(&c), asked);
    assert_eq!(journal(&ws).last().unwrap(), &("reject".to_string(), "bob".to_string()));
    press(&mut c, &[KeyCode::Char('j'), KeyCode::Char('u')]);
    assert_eq!(status(&c), asked, "asked again after another key");
    // Bob decides again meanwhile: the second `u` undoes nothing and names his newer decision.
    ws.cmd().args(["--steward", "bob", "decide", "1", "defer"]).assert().success();
    press(&mut c, &[KeyCode::Char('u')]);
    assert_eq!(status(&c).0, "the latest decision is bob's defer of #1 (09:00): u again undoes it");
    assert_eq!(journal(&ws).last().unwrap(), &("defer".to_string(), "bob".to_string()));
    press(&mut c, &[KeyCode::Char('u')]);
    assert_eq!(status(&c), ("undid bob's defer of #1: now pending (journal entry 5)".into(), false));
    press(&mut c, &[KeyCode::Char('u'), KeyCode::Char('u')]);
    assert_eq!(status(&c), ("undid bob's reject of #2: now pending (journal entry 6)".into(), false));
    // One's own decision is said as before.
    press(&mut c, &[KeyCode::Enter, KeyCode::Char('d'), KeyCode::Char('u')]);
    assert_eq!(status(&c).0, "undid the defer of #1: now pending (journal entry 8)");
}

#[test]
fn undoing_an_approval_a_crm_plan_carried_says_to_undo_it_in_the_crm() {
    let ws = workspace();
    let mut c = console(&ws);
    press(&mut c, &[KeyCode::Enter, KeyCode::Char('a')]);
    ws.ok(&["export", "salesforce", "--out", "plan.json", "--include-unsigned"]);
    press(&mut c, &[KeyCode::Char('u')]);
    assert_eq!(
        status(&c),
        (
            "undid the approve of #1, exported in entry 4: undo it in the CRM too (journal entry 5)".into(),
            false
        )
    );
}

/// The status line says what the last key did and goes with the next one: a message about one
/// candidate does not stay over the next (`nothing to combine` for #1 over #2).
#[test]
fn a_message_does_not_follow_the_steward_to_the_next_candidate() {
    let ws = workspace();
    let mut c = console(&ws);
    press(&mut c, &[KeyCode::Enter, KeyCode::Char('m')]);
    let (text, _) = status(&c);
    assert!(text.contains("#1"), "{text}");
    press(&mut c, &[KeyCode::Char(']')]);
    assert_eq!(c.app.review.as_ref().unwrap().data.candidate.id, CandidateId(2));
    assert_eq!(c.app.status, None);
    // A decision's message stays over the candidate opened after it, until the next key.
    press(&mut c, &[KeyCode::Char('a')]);
    assert_eq!(status(&c).0, "#2 approved: merged (journal entry 3)");
    press(&mut c, &[KeyCode::Char('j')]);
    assert_eq!(c.app.status, None);
}

/// Taking one address field from a record takes the whole address from it (fields in a group go
/// together): the status line names the fields that came with it and those the record lacks,
/// which go blank.
#[test]
fn a_pick_in_a_group_says_what_came_with_it() {
    let ws = Workspace::address_pair();
    let mut c = console(&ws);
    press(&mut c, &[KeyCode::Enter]);
    // Rows in field order: city, country, name, postcode, street; country is the second.
    press(&mut c, &[KeyCode::Char('j'), KeyCode::Char('2')]);
    assert_eq!(
        status(&c),
        (
            "country taken from salesforce:2 with its address: city, postcode, street now empty (it has none)".into(),
            false
        )
    );
    // A field in no group says only itself.
    press(&mut c, &[KeyCode::Char('j'), KeyCode::Char('2')]);
    assert_eq!(status(&c).0, "name taken from salesforce:2");
    // Picked again from the same record, the address is already its: the field alone is said,
    // empty as that record has none.
    press(&mut c, &[KeyCode::Char('g'), KeyCode::Char('2')]);
    assert_eq!(status(&c).0, "city taken from salesforce:2, which has none: now empty");
    // On a fresh review (the same pair in a new workspace: quitting keeps these picks), the same
    // pick takes the address with it, the field itself empty too.
    let fresh = Workspace::address_pair();
    let mut c = console(&fresh);
    press(&mut c, &[KeyCode::Enter, KeyCode::Char('g'), KeyCode::Char('2')]);
    assert_eq!(
        status(&c).0,
        "city taken from salesforce:2 with its address: country; postcode, street now empty (it has \
         none); city itself empty (it has none)"
    );
}

/// One pair whose names differ with nothing to choose between them: a field no rule decides.
fn undecided() -> Workspace {
    let ws = Workspace::new();
    ws.file("r.csv", "id,name,email,created_at\n1,Ann Lee,ann@x.example,2020-01-01\n2,Anne Lee,ann@x.example,2020-01-02\n3,Bo Yu,bo@y.example,2020-01-03\n4,Bo Yu,bo@y.example,2020-01-04\n");
    ws.ok(&["import", "records", "r.csv", "--object", "contact", "--source", "salesforce"]);
    ws.file("p.csv", "left,right,score\nsalesforce:1,salesforce:2,0.9\nsalesforce:3,salesforce:4,0.8\n");
    ws.ok(&["import", "candidates", "p.csv"]);
    ws
}

/// Approving with a field no rule decided asks for a second `a`; any other key disarms it; a pick
/// settles the field, and then one `a` approves.
#[test]
fn approving_with_a_field_no_rule_decided_asks_again() {
    let ws = undecided();
    let mut c = console(&ws);
    press(&mut c, &[KeyCode::Enter, KeyCode::Char('a')]);
    assert_eq!(
        status(&c),
        ("1 field no rule decided (name): a again approves as shown, 1-9 picks".into(), false)
    );
    assert_eq!(journal(&ws).len(), 2, "nothing decided yet");
    // Another key only cancels the question, even a decision's key: `d` defers nothing.
    press(&mut c, &[KeyCode::Char('d')]);
    assert_eq!((status(&c).0.as_str(), journal(&ws).len()), ("cancelled: nothing done", 2));
    // The next `a` asks again.
    press(&mut c, &[KeyCode::Char('a')]);
    assert_eq!(journal(&ws).len(), 2);
    press(&mut c, &[KeyCode::Char('a')]);
    assert_eq!(journal(&ws).last().unwrap().0, "approve");
    assert_eq!(status(&c).0, "#1 approved: merged (journal entry 3)");
    // Undone, the name picked from record 2 (the first row), one `a` approves.
    press(&mut c, &[KeyCode::Char('u')]);
    press(&mut c, &[KeyCode::Char('g'), KeyCode::Char('j'), KeyCode::Char('2'), KeyCode::Char('a')]);
    assert_eq!(journal(&ws).last().unwrap().0, "approve", "{:?}", c.app.status);
}

/// Leaving a candidate with picks, edits or a note no decision holds asks for the key again
/// (`q`, `]`, `[`, Enter on another candidate), and the second press leaves; nothing is dropped
/// silently (`q` keeps them for the next console). Esc keeps them behind the queue.
#[test]
fn leaving_unsaved_picks_asks_again() {
    let ws = undecided();
    let mut c = console(&ws);
    press(&mut c, &[KeyCode::Enter, KeyCode::Char('j'), KeyCode::Char('2'), KeyCode::Char('q')]);
    assert!(!c.app.quit);
    assert_eq!(
        status(&c),
        ("#1 has picks or edits not decided yet: q again quits; your picks and edits are kept for next time".into(), false)
    );
    // Another key only cancels the question.
    press(&mut c, &[KeyCode::Char(']')]);
    assert_eq!(status(&c).0, "cancelled: nothing done");
    assert!(!c.app.quit);
    press(&mut c, &[KeyCode::Char(']')]);
    assert_eq!(status(&c).0, "#1 has picks or edits not decided yet: ] again opens the next and drops them");
    assert_eq!(c.app.review.as_ref().unwrap().data.candidate.id, CandidateId(1));
    // Back in the queue the picks wait: reopening #1 finds them; opening #2 asks first.
    press(&mut c, &[KeyCode::Esc]);
    assert_eq!(status(&c).0, "cancelled: nothing done");
    press(&mut c, &[KeyCode::Esc]);
    assert_eq!(c.app.screen, mergeq::tui::app::Screen::Queue);
    press(&mut c, &[KeyCode::Enter]);
    assert_eq!(c.app.review.as_ref().unwrap().unsaved(), Some("picks or edits"));
    press(&mut c, &[KeyCode::Esc, KeyCode::Char('j'), KeyCode::Enter]);
    assert_eq!(status(&c).0, "#1 has picks or edits not decided yet: Enter again opens #2 and drops them");
    assert_eq!(c.app.screen, mergeq::tui::app::Screen::Queue);
    // A key that does nothing in the queue cancels the question too: the Enter after it asks
    // again rather than dropping the picks.
    for key in ['d', 'a', 'z'] {
        press(&mut c, &[KeyCode::Char(key)]);
        assert_eq!(status(&c).0, "cancelled: nothing done", "after {key}");
        press(&mut c, &[KeyCode::Enter]);
        assert_eq!(
            status(&c).0,
            "#1 has picks or edits not decided yet: Enter again opens #2 and drops them"
        );
        assert_eq!(c.app.screen, mergeq::tui::app::Screen::Queue);
    }
    press(&mut c, &[KeyCode::Enter]);
    assert_eq!(c.app.review.as_ref().unwrap().data.candidate.id, CandidateId(2), "{:?}", c.app.status);
    // Nothing chosen: leaving is one key.
    press(&mut c, &[KeyCode::Char('q')]);
    assert!(c.app.quit);
}

/// An approved candidate opens with the golden record its approval merged, as the journal holds
/// it — not the rules re-applied to records that changed since.
#[test]
fn an_approved_candidate_shows_the_golden_record_it_merged() {
    let ws = workspace();
    ws.ok(&["decide", "1", "approve"]);
    // Record 1's email changes afterwards: the rules alone would now show the new value.
    ws.file("r2.csv", "id,name,email,created_at\n1,Ann Lee,new@x.example,2020-01-01\n");
    ws.ok(&["import", "records", "r2.csv", "--object", "contact", "--source", "salesforce"]);
    let mut c = console(&ws);
    while c.app.queue.query.status != Some(Status::Approved) {
        press(&mut c, &[KeyCode::Char('f')]);
    }
    press(&mut c, &[KeyCode::Enter]);
    let r = c.app.review.as_ref().expect("under review");
    assert_eq!(r.data.candidate.id, CandidateId(1));
    assert_eq!(r.golden.fields["email"].value.as_deref(), Some("ann@x.example"));
    assert_eq!(r.data.suggestion.fields["email"].value.as_deref(), Some("new@x.example"), "the rules now");
    assert_eq!(r.unsaved(), None, "nothing to lose by leaving");
}

/// Approving a rejected candidate with a field no rule decided asks one question for both; the
/// second `a` approves.
#[test]
fn approving_a_rejected_candidate_with_undecided_fields_asks_once() {
    let ws = undecided();
    ws.ok(&["decide", "1", "reject"]);
    let mut c = console(&ws);
    while c.app.queue.query.status != Some(Status::Rejected) {
        press(&mut c, &[KeyCode::Char('f')]);
    }
    press(&mut c, &[KeyCode::Enter, KeyCode::Char('a')]);
    assert_eq!(
        status(&c).0,
        "#1 stands rejected; 1 field no rule decided (name): a again approves as shown, 1-9 picks"
    );
    press(&mut c, &[KeyCode::Char('a')]);
    assert_eq!(journal(&ws).last().unwrap().0, "approve");
}

/// `[` on the first candidate of a filtered queue says which queue it is and how to see the rest
/// (the candidate just approved is under another status).
#[test]
fn the_ends_of_a_filtered_queue_say_which_queue() {
    let ws = workspace();
    let mut c = console(&ws);
    press(&mut c, &[KeyCode::Enter, KeyCode::Char('a')]);
    assert_eq!(c.app.review.as_ref().unwrap().data.candidate.id, CandidateId(2));
    // (Right after the decision, `[` goes back to #1 and `]` on from it.)
    press(&mut c, &[KeyCode::Char('['), KeyCode::Char(']'), KeyCode::Char('[')]);
    assert_eq!(status(&c).0, "this is the first pending candidate (f changes the status shown)");
    press(&mut c, &[KeyCode::Char(']')]);
    assert_eq!(status(&c).0, "this is the last pending candidate (f changes the status shown)");
}

/// Combining an approved pair with its neighbour: the combined candidate opens with the pair's
/// picks, edits and survivor carried over (approving it replaces that approval), and says so.
#[test]
fn a_combined_candidate_starts_from_the_picks_of_the_approval_it_replaces() {
    let ws = Workspace::new();
    ws.file("r.csv", "id,name,phone,created_at\n1,Ann Lee,+44 1,2020-01-01\n2,Anne Lee,+44 2,2020-01-02\n3,Ann Lee,+44 3,2020-01-03\n");
    ws.ok(&["import", "records", "r.csv", "--object", "contact", "--source", "salesforce"]);
    ws.file("p.csv", "left,right,score\nsalesforce:1,salesforce:2,0.9\nsalesforce:2,salesforce:3,0.8\n");
    ws.ok(&["import", "candidates", "p.csv"]);
    ws.ok(&[
        "decide",
        "1",
        "approve",
        "--pick",
        "name=salesforce:2",
        "--set",
        "phone=+44 9",
        "--survivor",
        "salesforce:2",
    ]);
    ws.ok(&["combine", "2", "1"]);
    let mut c = console(&ws);
    // The pending queue: #3, the combined candidate (0.9), then #2.
    press(&mut c, &[KeyCode::Enter]);
    let r = c.app.review.as_ref().unwrap();
    assert_eq!(r.data.candidate.id, CandidateId(3));
    assert_eq!(r.golden.fields["name"].value.as_deref(), Some("Anne Lee"));
    assert_eq!(r.golden.fields["phone"].value.as_deref(), Some("+44 9"));
    assert_eq!(r.golden.survivor.to_string(), "salesforce:2");
    assert_eq!(status(&c).0, "picks and edits of #1's approval carried over: approving this one replaces it");
    assert_eq!(r.unsaved(), Some("picks or edits"), "not decided on this candidate yet");
}

/// `#` opens a candidate by the number messages cite, whatever the queue's filter; a number that
/// is no candidate, or no number, is said; unsaved picks are asked about first.
#[test]
fn a_candidate_opens_by_its_number() {
    let ws = workspace();
    ws.ok(&["decide", "2", "approve"]);
    let mut c = console(&ws);
    let typed = |c: &mut Console, text: &str| prompted(c, '#', text);
    // #2 is approved: not in the pending queue, opened all the same.
    typed(&mut c, "2");
    let review = c.app.review.as_ref().expect("a candidate under review");
    assert_eq!((review.data.candidate.id, review.data.candidate.status), (CandidateId(2), Status::Approved));
    typed(&mut c, "#1");
    assert_eq!(c.app.review.as_ref().unwrap().data.candidate.id, CandidateId(1));
    typed(&mut c, "9");
    assert_eq!(status(&c), ("candidate 9 is not in the workspace".into(), true));
    typed(&mut c, "x1");
    assert_eq!(status(&c), ("`x1` is not a candidate number".into(), true));
    assert_eq!(c.app.review.as_ref().unwrap().data.candidate.id, CandidateId(1), "still on #1");
    // A pick not yet decided: `#` asks first, a second `#` opens the prompt.
    press(&mut c, &[KeyCode::Char('2')]);
    press(&mut c, &[KeyCode::Char('#')]);
    assert!(c.app.prompt.is_none());
    assert!(status(&c).0.starts_with("#1 has "), "{:?}", status(&c));
    assert!(
        status(&c).0.ends_with(": # again asks for another candidate and drops them"),
        "{:?}",
        status(&c)
    );
    typed(&mut c, "2");
    assert_eq!(c.app.review.as_ref().unwrap().data.candidate.id, CandidateId(2));
}

/// The dashboard and the journal read the header's progress with their own figures: a decision
/// made from the shell since is counted in both.
#[test]
fn the_dashboard_and_the_journal_count_decisions_made_elsewhere() {
    let ws = workspace();
    let mut c = console(&ws);
    assert_eq!(c.app.progress.pending, 2);
    ws.cmd().args(["--steward", "bob", "decide", "1", "approve"]).assert().success();
    press(&mut c, &[KeyCode::Char('D')]);
    assert_eq!((c.app.progress.pending, c.app.progress.approved), (1, 1));
    press(&mut c, &[KeyCode::Esc]);
    ws.cmd().args(["--steward", "bob", "decide", "2", "reject"]).assert().success();
    press(&mut c, &[KeyCode::Char('J')]);
    assert_eq!((c.app.progress.pending, c.app.progress.rejected), (0, 1));
}

/// Salesforce contacts 1–3 as pairs 1 (1, 2) and 2 (2, 3), and the cluster 3 of all three.
fn cluster_and_its_pairs() -> Workspace {
    let ws = Workspace::new();
    ws.file(
        "r.csv",
        "id,name,email,created_at\n1,Ann Lee,ann@x.example,2020-01-01\n2,Ann Lee,ann@x.example,2020-01-02\n3,Ann Lee,ann@x.example,2020-01-03\n",
    );
    ws.ok(&["import", "records", "r.csv", "--object", "contact", "--source", "salesforce"]);
    ws.file("p.csv", "left,right,score\nsalesforce:1,salesforce:2,0.9\nsalesforce:2,salesforce:3,0.8\n");
    ws.ok(&["import", "candidates", "p.csv"]);
    ws.file("c.csv", "cluster_id,record,score\nk,salesforce:1,0.7\nk,salesforce:2,0.7\nk,salesforce:3,0.7\n");
    ws.ok(&["import", "candidates", "c.csv"]);
    ws
}

/// Approving a cluster says which undecided pairs lie inside it, and `A` approves them all in one
/// go, each as its own journal entry naming the cluster; from the queue, `A` on a pair inside an
/// approved cluster does the same.
#[test]
fn a_approves_the_undecided_candidates_inside_an_approval() {
    let ws = cluster_and_its_pairs();
    let mut c = console(&ws);
    press(&mut c, &[KeyCode::Char('#'), KeyCode::Char('3'), KeyCode::Enter, KeyCode::Char('a')]);
    assert_eq!(status(&c).0, "#3 approved: merged (journal entry 4) · A approves #1, #2 inside it");
    press(&mut c, &[KeyCode::Char('A')]);
    assert_eq!(
        status(&c),
        (
            "approved #1, #2: inside #3, approved (journal entries 5–6) · no pending candidates left in this queue"
                .into(),
            false
        )
    );
    assert_eq!((c.app.progress.pending, c.app.progress.approved), (0, 3));
    // The pair under review was one of them: the console moved on (nothing is pending).
    assert_eq!(
        c.app.screen,
        mergeq::tui::app::Screen::Queue,
        "{:?}",
        c.app.review.as_ref().map(|r| r.data.candidate.id)
    );
    let log: Vec<serde_json::Value> = serde_json::from_str(&ws.ok(&["audit", "log", "--json"])).unwrap();
    for (entry, candidate) in [(5, 1), (6, 2)] {
        let e = &log[entry - 1];
        assert_eq!(
            (&e["action"], &e["candidate"]),
            (&serde_json::json!("approve"), &serde_json::json!(candidate))
        );
        assert_eq!(e["body"]["note"], "inside #3, approved");
    }
    // A plan merges the three records once.
    ws.ok(&["export", "salesforce", "--include-unsigned", "--out", "plan.jsonl"]);
    let plan = std::fs::read_to_string(ws.dir.path().join("plan.jsonl")).unwrap();
    assert_eq!(plan.lines().count(), 1, "{plan}");
    // Held whole by the cluster, the pairs sharing records with it and each other are no warning.
    let stats: serde_json::Value = serde_json::from_str(&ws.ok(&["stats", "--json"])).unwrap();
    assert_eq!(stats["approved_sharing"], 0, "{stats}");

    // From the queue: undo both, then `A` on a pair held by the cluster.
    press(&mut c, &[KeyCode::Esc, KeyCode::Char('u'), KeyCode::Char('u')]);
    assert_eq!(c.app.progress.pending, 2);
    press(&mut c, &[KeyCode::Char('g')]);
    assert_eq!(c.app.queue.selected_item().unwrap().held_by, Some(CandidateId(3)));
    c.app.inside_of = None;
    press(&mut c, &[KeyCode::Char('A')]);
    assert!(status(&c).0.starts_with("approved #1, #2: inside #3, approved"), "{:?}", status(&c));
    // Nothing inside, nothing approved: said so.
    press(&mut c, &[KeyCode::Char('A')]);
    assert_eq!(
        status(&c).0,
        "A approves the undecided candidates inside an approved one: select one, or one inside it"
    );
}

/// A candidate opened again after another steward approved a part of it meanwhile starts from
/// that approval's edits, not from the empty choices it was left with.
#[test]
fn reopening_a_cluster_takes_up_an_approval_made_meanwhile() {
    let ws = cluster_and_its_pairs();
    let mut c = console(&ws);
    let open3 = |c: &mut Console| {
        press(c, &[KeyCode::Char('#'), KeyCode::Char('3'), KeyCode::Enter]);
        assert_eq!(c.app.review.as_ref().unwrap().data.candidate.id, CandidateId(3));
    };
    open3(&mut c);
    press(&mut c, &[KeyCode::Esc]);
    ws.cmd()
        .args(["--steward", "bob", "decide", "1", "approve", "--set", "name=Ann Leigh"])
        .assert()
        .success();
    open3(&mut c);
    let r = c.app.review.as_ref().unwrap();
    assert_eq!(r.choices.sets, [("name".to_string(), Some("Ann Leigh".to_string()))]);
    assert_eq!(r.golden.fields["name"].value.as_deref(), Some("Ann Leigh"));
    assert!(status(&c).0.starts_with("picks and edits of #1's approval carried over"), "{:?}", status(&c));
}

/// Picks, edits and a note not decided yet survive a console that dies (a crash, a closed
/// terminal: no quit): the next console reopens the candidate with them and says so. On a
/// candidate decided since, they are dropped and that is said; a confirmed quit drops them.
#[test]
fn undecided_picks_survive_a_console_that_dies() {
    let ws = workspace();
    let note = |c: &mut Console, text: &str| prompted(c, 'n', text);
    let mut c = console(&ws);
    press(&mut c, &[KeyCode::Enter, KeyCode::Char('l'), KeyCode::Char('s')]);
    note(&mut c, "same person, two CRMs");
    let survivor = c.app.review.as_ref().unwrap().choices.survivor.clone();
    assert!(survivor.is_some());
    drop(c); // killed: no quit

    let mut c = console(&ws);
    let r = c.app.review.as_ref().expect("reopened on the candidate");
    assert_eq!(r.data.candidate.id, CandidateId(1));
    assert_eq!((r.choices.survivor.clone(), r.note.as_deref()), (survivor, Some("same person, two CRMs")));
    assert_eq!(status(&c).0, "your picks, edits or note on this candidate, not decided yet, are back");
    // Decided: nothing left to put back.
    press(&mut c, &[KeyCode::Char('a')]);
    drop(c);
    let c = console(&ws);
    assert!(c
        .app
        .review
        .as_ref()
        .is_none_or(|r| r.data.candidate.id != CandidateId(1) || r.unsaved().is_none()));

    // Undecided picks on #2, then another steward decides it before the next console.
    let mut c = console(&ws);
    if c.app.review.is_none() {
        press(&mut c, &[KeyCode::Enter]);
    }
    assert_eq!(c.app.review.as_ref().unwrap().data.candidate.id, CandidateId(2));
    note(&mut c, "check the phone");
    drop(c);
    ws.cmd().args(["--steward", "bob", "decide", "2", "defer"]).assert().success();
    let c = console(&ws);
    // Reopened (the place was #2): the note is not put on a candidate decided since.
    let r = c.app.review.as_ref().unwrap();
    assert_eq!((r.data.candidate.id, r.note.as_deref()), (CandidateId(2), None));
    assert_eq!(
        status(&c).0,
        "your undecided picks, edits or note on this candidate were dropped: it is deferred since"
    );

    // A quit confirmed over undecided picks keeps them too.
    let mut c = console(&ws);
    note(&mut c, "keep me");
    press(&mut c, &[KeyCode::Char('q'), KeyCode::Char('q')]);
    assert!(c.app.quit);
    let c = console(&ws);
    assert_eq!(c.app.review.as_ref().unwrap().note.as_deref(), Some("keep me"));
    assert_eq!(status(&c).0, "your picks, edits or note on this candidate, not decided yet, are back");
}

/// Keys that would leave undecided picks behind ask first, `u` and `A` included; a pick answers
/// "a again approves as shown, 1-9 picks"; the `A` offer after approving goes with the next key.
#[test]
fn undo_and_a_ask_before_dropping_picks_and_the_a_offer_goes_with_the_next_key() {
    let ws = cluster_and_its_pairs();
    ws.ok(&["decide", "3", "approve"]);
    let mut c = console(&ws);
    // #1 (inside #3), a pick on it: `A` asks, and so does `u`.
    press(
        &mut c,
        &[KeyCode::Char('#'), KeyCode::Char('1'), KeyCode::Enter, KeyCode::Char('l'), KeyCode::Char('s')],
    );
    assert!(c.app.review.as_ref().unwrap().unsaved().is_some());
    press(&mut c, &[KeyCode::Char('A')]);
    assert!(
        status(&c).0.ends_with(": A again approves those inside without them and drops them"),
        "{:?}",
        status(&c)
    );
    press(&mut c, &[KeyCode::Char('u')]);
    assert_eq!(status(&c).0, "cancelled: nothing done");
    press(&mut c, &[KeyCode::Char('u')]);
    assert!(
        status(&c).0.ends_with(": u again undoes the latest decision and drops them"),
        "{:?}",
        status(&c)
    );
    assert_eq!(journal(&ws).len(), 4, "nothing written");
    // Held whole by #3, #1 offers nothing to combine with the other pair.
    assert!(c.app.review.as_ref().unwrap().data.overlaps().overlapping.is_empty());

    // The offer after approving a cluster goes with the next key.
    let ws = cluster_and_its_pairs();
    let mut c = console(&ws);
    press(&mut c, &[KeyCode::Char('#'), KeyCode::Char('3'), KeyCode::Enter, KeyCode::Char('a')]);
    assert!(status(&c).0.ends_with("· A approves #1, #2 inside it"));
    press(
        &mut c,
        &[KeyCode::Esc, KeyCode::Char('f'), KeyCode::Char('f'), KeyCode::Char('f'), KeyCode::Char('A')],
    );
    assert_eq!(
        status(&c).0,
        "A approves the undecided candidates inside an approved one: select one, or one inside it"
    );
}

/// "1-9 picks": after the question about fields no rule decided, a digit picks (it does not only
/// cancel), and the next `a` approves with it.
#[test]
fn a_pick_answers_the_question_about_undecided_fields() {
    let ws = undecided();
    let mut c = console(&ws);
    // Rows: email, name; the name is undecided.
    press(&mut c, &[KeyCode::Enter, KeyCode::Char('j'), KeyCode::Char('a')]);
    assert!(status(&c).0.contains("a again approves as shown, 1-9 picks"));
    press(&mut c, &[KeyCode::Char('2')]);
    assert_eq!(status(&c).0, "name taken from salesforce:2");
    press(&mut c, &[KeyCode::Char('a')]);
    assert_eq!(journal(&ws).last().unwrap().0, "approve");
}

/// Idle, the console looks for others' writes: another steward's decision shows in the queue and
/// the figures without a key; a look that finds nothing changes nothing, not even a question.
#[test]
fn another_stewards_decision_shows_without_a_key() {
    let ws = workspace();
    let mut c = console(&ws);
    let pending_ids = |c: &Console| c.app.queue.rows.iter().map(|r| r.id.0).collect::<Vec<_>>();
    assert_eq!(pending_ids(&c), [1, 2]);
    c.dispatch(mergeq::tui::action::Action::Tick);
    assert_eq!(pending_ids(&c), [1, 2]);
    ws.cmd().args(["--steward", "bob", "decide", "1", "reject"]).assert().success();
    c.dispatch(mergeq::tui::action::Action::Tick);
    assert_eq!(pending_ids(&c), [2], "bob's rejection shows");
    assert_eq!((c.app.progress.pending, c.app.progress.rejected), (1, 1));
    // A question stays asked across a look.
    press(&mut c, &[KeyCode::Char('u')]);
    let asked = status(&c);
    c.dispatch(mergeq::tui::action::Action::Tick);
    assert_eq!(status(&c), asked);
    press(&mut c, &[KeyCode::Char('u')]);
    assert!(status(&c).0.starts_with("undid bob's reject of #1"), "{:?}", status(&c));
}

/// `decide` on a cluster names the undecided candidates inside it and how to clear them.
#[test]
fn deciding_a_cluster_names_the_undecided_candidates_inside_it() {
    let ws = cluster_and_its_pairs();
    let out = ws.cmd().args(["decide", "3", "approve"]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(
            "note: undecided candidates 1, 2 lie inside this one: each adds nothing to a merge plan now; \
             approve to clear them from the queue (`mergeq decide 1 approve`, or `A` in the console)."
        ),
        "{said}"
    );
}

/// A rejected candidate's review says who rejected it when, and why.
#[test]
fn a_rejected_candidate_says_who_when_and_why() {
    let ws = workspace();
    ws.cmd()
        .args(["--steward", "bob", "decide", "2", "reject", "--note", "two people, one mailbox"])
        .assert()
        .success();
    let mut c = console(&ws);
    press(&mut c, &[KeyCode::Char('#'), KeyCode::Char('2'), KeyCode::Enter]);
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    terminal.draw(|f| mergeq::tui::view::draw(f, &c.app)).unwrap();
    let title = terminal.backend().to_string().lines().next().unwrap().to_string();
    assert!(title.contains("· rejected by bob "), "{title}");
    assert!(title.contains(" · two people, one mailbox · 2 records"), "{title}");
}

/// Two HubSpot contacts (#1) whose golden street is empty though the survivor (the older) has
/// one: the address comes as a unit from the newer, more complete record. Two Salesforce contacts
/// created the same day (#2): no survivor rule tells them apart. Two HubSpot contacts (#3) whose
/// address comes from the survivor, which has no country: the newer record's is lost.
fn clears_and_ties() -> Workspace {
    let ws = Workspace::new();
    ws.file(
        "h.csv",
        "id,first_name,last_name,street,city,postcode,state,country,created_at,updated_at\n\
         91463,Isla,Walker,2210 Park Avenue S,Seattle,98101,,,2022-11-22,2023-01-10\n\
         99120,Isla,Walker,,Seattle,98101,WA,US,2024-05-01,2026-01-05\n\
         77001,Noah,Price,9 Elm St,Austin,78701,TX,,2021-02-02,2021-02-02\n\
         77002,Noah,Price,,Austin,78701,,US,2025-03-03,2025-03-03\n",
    );
    ws.ok(&["import", "records", "h.csv", "--object", "contact", "--source", "hubspot"]);
    ws.file(
        "s.csv",
        "id,first_name,last_name,phone,created_at\n\
         0035g000002MPszAAG,Brian,Murphy,+1 617 555 0101,2023-04-04\n\
         0035g000002MQa1AAG,Brian,Murphy,+1 617 555 0101,2023-04-04\n",
    );
    ws.ok(&["import", "records", "s.csv", "--object", "contact", "--source", "salesforce"]);
    ws.file(
        "p.csv",
        "left,right,score\nhubspot:91463,hubspot:99120,0.95\n\
         salesforce:0035g000002MPszAAG,salesforce:0035g000002MQa1AAG,0.93\n\
         hubspot:77001,hubspot:77002,0.91\n",
    );
    ws.ok(&["import", "candidates", "p.csv"]);
    ws
}

/// Approving a golden record that would clear a value the survivor holds in the CRM, or whose
/// survivor no rule chose, asks once more, like a field no rule decided; `s` answers the survivor
/// question (the selected record survives, chosen), a second `a` approves as shown.
#[test]
fn approving_what_clears_a_value_or_keeps_a_survivor_no_rule_chose_asks_again() {
    let ws = clears_and_ties();
    let decisions = |ws: &Workspace| journal(ws).into_iter().filter(|(a, _)| a != "import").count();
    let mut c = console(&ws);
    press(&mut c, &[KeyCode::Enter, KeyCode::Char('a')]);
    assert_eq!(
        status(&c),
        ("street would be cleared on the survivor: a again approves as shown, 1-9 picks".into(), false)
    );
    assert_eq!(decisions(&ws), 0, "nothing approved yet");
    press(&mut c, &[KeyCode::Char('a')]);
    assert_eq!(decisions(&ws), 1);
    let show: serde_json::Value = serde_json::from_str(&ws.ok(&["show", "1", "--json"])).unwrap();
    assert_eq!(show["status"], "approved");

    // #2 opened: its survivor is a tie broken by key.
    assert_eq!(c.app.review.as_ref().unwrap().data.candidate.id, CandidateId(2));
    press(&mut c, &[KeyCode::Char('a')]);
    assert_eq!(
        status(&c),
        ("survivor not decided by a rule: a again approves as shown, s picks".into(), false)
    );
    // `s` answers it: the selected record survives, now the steward's choice; `a` approves.
    // (The first key after a question only cancels it: `l` twice.)
    press(&mut c, &[KeyCode::Char('l'), KeyCode::Char('l'), KeyCode::Char('a'), KeyCode::Char('s')]);
    assert_eq!(status(&c), ("salesforce:0035g000002MQa1AAG survives".into(), false));
    press(&mut c, &[KeyCode::Char('a')]);
    assert_eq!(decisions(&ws), 2, "{:?}", c.app.status);
    let show: serde_json::Value = serde_json::from_str(&ws.ok(&["show", "2", "--json"])).unwrap();
    assert_eq!(show["survivor"]["key"], "salesforce:0035g000002MQa1AAG");
    assert_eq!(show["survivor"]["chosen_by"], "steward");

    // #3: a value only the other record holds.
    assert_eq!(c.app.review.as_ref().unwrap().data.candidate.id, CandidateId(3));
    press(&mut c, &[KeyCode::Char('a')]);
    assert_eq!(
        status(&c).0,
        "country would be left empty, though a record has a value: a again approves as shown, 1-9 picks"
    );
}

/// Deciding the last candidate of the queue leaves no undecided picks or note behind: quitting
/// asks nothing, and the next console finds no draft to put back or drop.
#[test]
fn deciding_the_last_candidate_leaves_nothing_undecided_behind() {
    let ws = workspace();
    let mut c = console(&ws);
    press(&mut c, &[KeyCode::Enter]);
    prompted(&mut c, 'n', "first");
    press(&mut c, &[KeyCode::Char('x')]);
    assert_eq!(c.app.review.as_ref().unwrap().data.candidate.id, CandidateId(2));
    // A pick and a note on the last pending candidate, approved with them.
    press(&mut c, &[KeyCode::Char('2')]);
    prompted(&mut c, 'n', "second");
    press(&mut c, &[KeyCode::Char('a')]);
    assert_eq!(
        status(&c).0,
        "#2 approved: merged (journal entry 4) · no pending candidates left in this queue"
    );
    assert_eq!(c.app.review.as_ref().and_then(|r| r.unsaved()), None);
    let saved = Store::open_existing(&ws.db).unwrap().ui_state("ann").unwrap().unwrap();
    let saved: mergeq::tui::app::SavedPosition = serde_json::from_str(&saved).unwrap();
    assert_eq!(saved.draft, None, "the draft of the pick and note is gone from the saved place");
    press(&mut c, &[KeyCode::Char('q')]);
    assert!(c.app.quit, "quits at once: {:?}", c.app.status);
    let again = console(&ws);
    assert_eq!(again.app.status, None, "nothing said dropped or back");
}

/// The screen as text (one line per row).
fn screen(c: &Console) -> String {
    let (w, h) = c.app.size;
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| mergeq::tui::view::draw(f, &c.app)).unwrap();
    terminal.backend().to_string()
}

/// The idle check (a tick with no key) sees another steward's decision on the candidate under
/// review and says it in the header; the steward's own note, undecided, reads as theirs.
#[test]
fn the_idle_check_says_when_another_steward_decided_the_open_candidate() {
    let ws = workspace();
    let mut c = console(&ws);
    press(&mut c, &[KeyCode::Enter]);
    prompted(&mut c, 'n', "bob thinks different");
    let title = |c: &Console| screen(c).lines().next().unwrap().to_string();
    assert!(title(&c).contains("· pending · 2 records"), "{}", title(&c));
    assert!(screen(&c).contains("· your note: bob thinks different"), "{}", screen(&c));
    c.dispatch(mergeq::tui::action::Action::Tick);
    assert!(title(&c).contains("· pending · 2 records"), "nobody wrote: {}", title(&c));
    ws.cmd().args(["--steward", "bob", "decide", "1", "approve"]).assert().success();
    c.dispatch(mergeq::tui::action::Action::Tick);
    let r = c.app.review.as_ref().unwrap();
    assert_eq!(r.since.as_deref(), Some("approved by bob 09:00 (since you opened it)"));
    assert!(title(&c).contains("· approved by bob 09:00 (since you opened it) · 2 records"), "{}", title(&c));
    // Deciding still meets the refusal, and the candidate reloads as it is: bob's approval, with
    // ann's note still hers.
    press(&mut c, &[KeyCode::Char('x')]);
    assert!(status(&c).0.starts_with("#1 not decided: approved by bob at 09:00"), "{:?}", status(&c));
    assert!(title(&c).contains("· approved by bob 2026-11-27 09:00 · 2 records"), "{}", title(&c));
    assert!(screen(&c).contains("· your note: bob thinks different"), "{}", screen(&c));
    // An import that changes one of its records is said too.
    ws.file("r2.csv", "id,name,email,created_at\n2,Ann Lee,ann@new.example,2020-01-02\n");
    ws.ok(&["import", "records", "r2.csv", "--object", "contact", "--source", "salesforce"]);
    c.dispatch(mergeq::tui::action::Action::Tick);
    let r = c.app.review.as_ref().unwrap();
    assert_eq!(r.since.as_deref(), Some("its records changed since you opened it"));
}

/// `u` on the review of a decided candidate undoes that candidate's standing decision (as
/// `mergeq undo ID`), not the latest of the workspace; another steward's is named first.
#[test]
fn u_on_a_decided_candidate_undoes_its_decision_not_the_latest() {
    let ws = workspace();
    ws.ok(&["decide", "1", "approve"]);
    ws.cmd().args(["--steward", "bob", "decide", "2", "reject"]).assert().success();
    let mut c = console(&ws);
    while c.app.queue.query.status != Some(Status::Approved) {
        press(&mut c, &[KeyCode::Char('f')]);
    }
    press(&mut c, &[KeyCode::Enter]);
    assert_eq!(c.app.review.as_ref().unwrap().data.candidate.id, CandidateId(1));
    press(&mut c, &[KeyCode::Char('u')]);
    assert_eq!(status(&c), ("undid the approve of #1: now pending (journal entry 5)".into(), false));
    let statuses = |ws: &Workspace| {
        ["1", "2"].map(|id| {
            let show: serde_json::Value = serde_json::from_str(&ws.ok(&["show", id, "--json"])).unwrap();
            show["status"].as_str().unwrap().to_string()
        })
    };
    assert_eq!(statuses(&ws), ["pending", "rejected"], "bob's rejection of #2 stands");
    // Bob's rejection of #2, from its review: named, then undone by a second `u`.
    prompted(&mut c, '#', "2");
    press(&mut c, &[KeyCode::Char('u')]);
    assert_eq!(status(&c).0, "#2 stands rejected by bob: u again undoes bob's rejection");
    assert_eq!(journal(&ws).len(), 5, "nothing written yet");
    press(&mut c, &[KeyCode::Char('u')]);
    assert_eq!(status(&c).0, "undid bob's reject of #2: now pending (journal entry 6)");
    assert_eq!(statuses(&ws), ["pending", "pending"]);
}

/// A deliberate quit over undecided picks and a note keeps them, as a crash would: the second `q`
/// says so, and the next console opens the candidate with them back.
#[test]
fn quitting_keeps_undecided_picks_and_note_for_next_time() {
    let ws = undecided();
    let mut c = console(&ws);
    press(&mut c, &[KeyCode::Enter, KeyCode::Char('j'), KeyCode::Char('2')]);
    prompted(&mut c, 'n', "after lunch");
    let choices = c.app.review.as_ref().unwrap().choices.clone();
    press(&mut c, &[KeyCode::Char('q')]);
    assert_eq!(
        status(&c).0,
        "#1 has picks or edits and a note not decided yet: q again quits; your picks, edits and note are kept for next time"
    );
    press(&mut c, &[KeyCode::Char('q')]);
    assert!(c.app.quit);
    let again = console(&ws);
    let r = again.app.review.as_ref().expect("the candidate opens again");
    assert_eq!(
        (r.data.candidate.id, &r.choices, r.note.as_deref()),
        (CandidateId(1), &choices, Some("after lunch"))
    );
    assert_eq!(
        again.app.status.as_ref().map(|s| s.text.as_str()),
        Some("your picks, edits or note on this candidate, not decided yet, are back")
    );
}
