//! Whole review flows through the console's real update path (keys → actions → effects → the
//! journal) against a temporary workspace file: what the steward did is exactly what the journal
//! holds, stale candidates and a locked workspace end up in the status line, never in a crash.

mod console_fixture;

use console_fixture as fixture;
use mergeq::model::{CandidateId, RecordKey, Status};
use mergeq::store::{NewBatch, NewRecord, Store};
use mergeq::tui::app::Screen;
use mergeq::tui::Console;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn keys(console: &mut Console, keys: &str) {
    for c in keys.chars() {
        let code = match c {
            '\n' => KeyCode::Enter,
            '\u{1b}' => KeyCode::Esc,
            c => KeyCode::Char(c),
        };
        console.key(KeyEvent::new(code, KeyModifiers::NONE));
    }
}

fn workspace(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("flow.mergeq");
    fixture::fill(&mut Store::open(&db).unwrap());
    db
}

fn open(db: &Path) -> Console {
    let store = Store::open_existing(db).unwrap();
    store.set_busy_timeout(Duration::from_millis(200)).unwrap();
    fixture::console(store, (120, 40))
}

fn status(c: &Console) -> (String, bool) {
    let s = c.app.status.clone().expect("a status line");
    (s.text, s.error)
}

fn open_id(c: &Console) -> i64 {
    c.app.review.as_ref().expect("a candidate under review").data.candidate.id.0
}

/// (action, candidate, body) of every journal entry, in order.
fn journal(db: &Path) -> Vec<(String, Option<i64>, serde_json::Value)> {
    let store = Store::open_existing(db).unwrap();
    let mut out = Vec::new();
    store
        .scan_journal(1, |e| {
            out.push((e.action, e.candidate, serde_json::from_str(&e.body).unwrap()));
            Ok(())
        })
        .unwrap();
    out
}

#[test]
fn pick_edit_approve_reject_undo_quit() {
    let dir = tempfile::tempdir().unwrap();
    let db = workspace(dir.path());
    let mut c = open(&db);

    keys(&mut c, "\n");
    assert_eq!(open_id(&c), 1);
    // company: take record 2's value (salesforce).
    keys(&mut c, "j2");
    assert_eq!(status(&c), ("company taken from salesforce:0035g00000AbC".into(), false));
    // phone: edit in place, keep with Enter.
    keys(&mut c, "jjjjje (main)\n");
    assert_eq!(status(&c), ("phone edited".into(), false));
    let golden = &c.app.review.as_ref().unwrap().golden;
    assert_eq!(golden.fields["company"].value.as_deref(), Some("Acme Corp"));
    assert_eq!(golden.fields["phone"].value.as_deref(), Some("(415) 555-0100 (main)"));
    // An edit abandoned with Esc changes nothing.
    keys(&mut c, "kexyz\u{1b}");
    assert_eq!(c.app.review.as_ref().unwrap().choices.sets.len(), 1);

    keys(&mut c, "a");
    assert_eq!(status(&c), ("#1 approved: merged (journal entry 1)".into(), false));
    assert_eq!(open_id(&c), 2, "the next pending candidate opens");
    keys(&mut c, "nnot the same company\n");
    keys(&mut c, "x");
    assert_eq!(status(&c).0, "#2 rejected: not duplicates (journal entry 2)");
    assert_eq!(open_id(&c), 3);
    keys(&mut c, "u");
    assert_eq!(status(&c).0, "undid the reject of #2: now pending (journal entry 3)");
    assert_eq!(open_id(&c), 2, "the undone candidate opens again");
    keys(&mut c, "q");
    assert!(c.app.quit);
    drop(c);

    let entries = journal(&db);
    let summary: Vec<(&str, Option<i64>)> = entries.iter().map(|(a, c, _)| (a.as_str(), *c)).collect();
    assert_eq!(summary, [("approve", Some(1)), ("reject", Some(2)), ("undo", Some(2))]);
    let approve = &entries[0].2;
    assert_eq!(approve["note"], serde_json::Value::Null);
    let choices = approve["choices"].to_string();
    assert!(choices.contains("company") && choices.contains("salesforce:0035g00000AbC"), "{choices}");
    assert!(choices.contains("(415) 555-0100 (main)"), "{choices}");
    assert_eq!(entries[1].2["note"], "not the same company");
    let store = Store::open_existing(&db).unwrap();
    let status_of = |id| store.candidate(CandidateId(id)).unwrap().unwrap().status;
    assert_eq!(
        (status_of(1), status_of(2), status_of(3)),
        (Status::Approved, Status::Pending, Status::Pending)
    );
    assert!(store.ui_state("ann").unwrap().is_some());
}

/// A member changed after the steward opened the candidate: the decision is refused, the new
/// values are shown with the steward's choices kept, and deciding again works.
#[test]
fn a_stale_candidate_is_refused_then_shown_again() {
    let dir = tempfile::tempdir().unwrap();
    let db = workspace(dir.path());
    let mut c = open(&db);
    keys(&mut c, "\nj2");
    {
        let mut other = Store::open_existing(&db).unwrap();
        other
            .write(|tx| {
                let b = tx.begin_batch(&NewBatch::new("records", "later.csv", "csv", fixture::AT, "bob"))?;
                let fields =
                    [("first_name", "Jane"), ("last_name", "Doe-Smith"), ("email", "jane@newmail.com")];
                tx.upsert_record(
                    b,
                    &NewRecord {
                        object: "contact".into(),
                        key: RecordKey::new("hubspot", "5102"),
                        fields: fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
                        created: None,
                        updated: Some("2026-05-02T08:00:00Z".into()),
                    },
                )?;
                Ok(())
            })
            .unwrap();
    }
    keys(&mut c, "a");
    let (text, error) = status(&c);
    assert!(error, "{text}");
    // What changed comes first, where an 80-column status line still shows it.
    assert!(text.starts_with("#1 not decided: hubspot:5102 (city, company, email"), "{text}");
    assert!(text.ends_with("changed since shown; the new values are on screen, decide again"), "{text}");
    assert_eq!(open_id(&c), 1, "still on the same candidate");
    let r = c.app.review.as_ref().unwrap();
    assert_eq!(r.data.members[0].0.fields["email"], "jane@newmail.com", "the new values are shown");
    assert_eq!(r.choices.picks.len(), 1, "the steward's pick is kept");
    assert!(journal(&db).is_empty());
    keys(&mut c, "a");
    assert!(!status(&c).1, "{:?}", status(&c));
    assert_eq!(journal(&db).len(), 1);
}

/// A double tap on a candidate whose records changed: the first press is refused and reloads it,
/// the second (a millisecond later) must not decide the new values unseen. It waits as after a
/// decision, and says why.
#[test]
fn a_second_press_after_a_refusal_waits_until_the_reloaded_candidate_could_be_seen() {
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let db = workspace(dir.path());
    let mut c = open(&db);
    let at = std::rc::Rc::new(std::cell::RefCell::new(Instant::now()));
    c.clock = fixture::held(&at);
    let after = |ms: u64| *at.borrow_mut() += Duration::from_millis(ms);
    keys(&mut c, "\n");
    after(4000);
    {
        let mut other = Store::open_existing(&db).unwrap();
        other
            .write(|tx| {
                let b = tx.begin_batch(&NewBatch::new("records", "later.csv", "csv", fixture::AT, "bob"))?;
                tx.upsert_record(
                    b,
                    &NewRecord {
                        object: "contact".into(),
                        key: RecordKey::new("hubspot", "5102"),
                        fields: [("first_name", "Jane"), ("last_name", "Doe-Smith")]
                            .iter()
                            .map(|(k, v)| (k.to_string(), v.to_string()))
                            .collect(),
                        created: None,
                        updated: Some("2026-05-02T08:00:00Z".into()),
                    },
                )?;
                Ok(())
            })
            .unwrap();
    }
    keys(&mut c, "a");
    let (refused, error) = status(&c);
    assert!(error && refused.starts_with("#1 not decided: hubspot:5102"), "{refused}");
    after(1);
    keys(&mut c, "a");
    assert!(journal(&db).is_empty(), "the second press approved the reloaded values unseen");
    assert_eq!(status(&c), (format!("{refused} · a ignored: #1 reloaded, look again"), true));
    c.drawn();
    after(300);
    keys(&mut c, "a");
    assert_eq!(journal(&db).last().map(|(a, id, _)| (a.as_str(), *id)), Some(("approve", Some(1))));
}

#[test]
fn a_locked_workspace_is_a_message_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let db = workspace(dir.path());
    let mut c = open(&db);
    keys(&mut c, "\n");
    let lock = rusqlite::Connection::open(&db).unwrap();
    lock.execute_batch("BEGIN IMMEDIATE").unwrap();
    keys(&mut c, "a");
    let (text, error) = status(&c);
    assert!(error && text.starts_with("#1 not decided: the workspace is "), "{text}");
    assert_eq!(c.app.screen, Screen::Review);
    assert_eq!(open_id(&c), 1);
    lock.execute_batch("ROLLBACK").unwrap();
    keys(&mut c, "a");
    assert_eq!(status(&c).0, "#1 approved: merged (journal entry 1)");
}

/// Keys typed while a write waited for a workspace another program holds (the screen frozen) do
/// not run afterwards: they would move off the candidate and wipe the failure. The failure stays,
/// saying they were dropped.
#[test]
fn keys_typed_while_a_write_waits_for_the_workspace_are_dropped() {
    use ratatui::crossterm::event::Event;
    let dir = tempfile::tempdir().unwrap();
    let db = workspace(dir.path());
    let mut c = open(&db);
    keys(&mut c, "\n");
    let lock = rusqlite::Connection::open(&db).unwrap();
    lock.execute_batch("BEGIN IMMEDIATE").unwrap();
    keys(&mut c, "a");
    assert!(c.blocked(), "the approval waited 200 ms and failed");
    let (failed, error) = status(&c);
    assert!(error, "{failed}");
    let key = |code| Event::Key(KeyEvent::new(code, KeyModifiers::NONE));
    let selected = c.app.review.as_ref().unwrap().selected;
    c.typed_while_blocked(vec![key(KeyCode::Char('j')), key(KeyCode::Esc), Event::Resize(100, 30)]);
    assert_eq!(status(&c), (format!("{failed} · 2 keys typed while waiting dropped"), true));
    assert_eq!((c.app.screen, open_id(&c)), (Screen::Review, 1));
    assert_eq!(c.app.review.as_ref().unwrap().selected, selected, "j did not move the selection");
    assert_eq!(c.app.size, (100, 30), "a resize still applies");
    lock.execute_batch("ROLLBACK").unwrap();
    keys(&mut c, "a");
    assert!(!c.blocked());
    assert_eq!(status(&c).0, "#1 approved: merged (journal entry 1)");
}

#[test]
fn the_journal_screen_lists_entries_and_the_sign_off_state() {
    let dir = tempfile::tempdir().unwrap();
    let db = workspace(dir.path());
    let mut c = open(&db);
    keys(&mut c, "\nnsame person\na");
    keys(&mut c, "J");
    assert_eq!(c.app.screen, Screen::Journal);
    let j = &c.app.journal;
    assert_eq!(j.unsigned, 1);
    assert_eq!(j.last_signoff, None);
    assert_eq!(j.entries.len(), 1);
    assert_eq!((j.entries[0].action.as_str(), j.entries[0].candidate), ("approve", Some(CandidateId(1))));
    assert_eq!(j.entries[0].what.as_deref(), Some("same person"));
    assert_eq!(j.entries[0].steward, "ann");
    keys(&mut c, "\u{1b}");
    assert_eq!(c.app.screen, Screen::Review);

    // A sign-off covers the decision; one more decision is not covered.
    let key = dir.path().join("ann.key");
    mergeq::journal::keygen(&key).unwrap();
    let signing = mergeq::journal::load_signing_key(&key).unwrap();
    mergeq::journal::sign_off(&mut c.ws.store, &signing, "ann", fixture::AT, None).unwrap();
    keys(&mut c, "J");
    assert_eq!(c.app.journal.unsigned, 0);
    assert_eq!(c.app.journal.last_signoff.as_deref(), Some("ann up to entry 1 on 2026-05-02"));
    keys(&mut c, "\u{1b}d");
    keys(&mut c, "J");
    assert_eq!(c.app.journal.unsigned, 1);
    assert_eq!(c.app.journal.entries[0].action, "defer");
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    terminal.draw(|f| mergeq::tui::view::draw(f, &c.app)).unwrap();
    let screen = terminal.backend().to_string();
    assert!(screen.contains("1 decision not signed off · last sign-off: ann up to entry 1"), "{screen}");
}

/// Another steward's export of every decision (signed or not) to `out`, as `mergeq export` does.
fn export(db: &Path, format: &str, out: &Path) {
    let opts = mergeq::export::ExportOptions {
        out: Some(out.to_path_buf()),
        source: None,
        include_unsigned: true,
        since_last: false,
        raw: false,
        field_names: None,
        steward: "bob".into(),
        at: fixture::AT.into(),
    };
    mergeq::export::export(&mut Store::open_existing(db).unwrap(), format, &opts).unwrap();
}

/// Undoing a decision that an export already carried says so: a golden file is out of date (a
/// merge plan, which the CRM may have applied, is in tests/console_decisions.rs).
#[test]
fn undoing_an_exported_approval_says_it_was_exported() {
    let dir = tempfile::tempdir().unwrap();
    let db = workspace(dir.path());
    let mut c = open(&db);
    keys(&mut c, "\na");
    assert_eq!(status(&c), ("#1 approved: merged (journal entry 1)".into(), false));
    export(&db, "golden-jsonl", &dir.path().join("golden.jsonl"));
    keys(&mut c, "u");
    assert_eq!(
        status(&c),
        (
            "undid the approve of #1, exported in entry 2 (golden-jsonl): that file is out of date (journal entry 3)"
                .into(),
            false
        )
    );
}

/// Deciding again on a candidate whose decision an export already carried says so too.
#[test]
fn replacing_an_exported_approval_says_it_was_exported() {
    let dir = tempfile::tempdir().unwrap();
    let db = workspace(dir.path());
    let mut c = open(&db);
    keys(&mut c, "\na");
    assert_eq!(open_id(&c), 2);
    export(&db, "golden-csv", &dir.path().join("golden.csv"));
    // Back to the queue, filtered to approved candidates, and open #1 again.
    keys(&mut c, "\u{1b}");
    while c.app.queue.query.status != Some(Status::Approved) {
        keys(&mut c, "f");
    }
    keys(&mut c, "\n");
    assert_eq!(open_id(&c), 1, "the approved candidate");
    // Replacing an approval asks once more.
    keys(&mut c, "x");
    assert_eq!(status(&c), ("#1 stands approved: x again rejects it instead".into(), false));
    keys(&mut c, "x");
    assert_eq!(
        status(&c),
        (
            "#1 rejected, its approve exported in entry 2 (golden-csv): that file is out of date (journal entry 3)"
                .into(),
            false
        )
    );
}

/// Undo puts the screen back as it was before the decision: the undone approval's picks and edits
/// are shown again, ready to be changed and approved anew.
#[test]
fn undoing_an_approval_brings_its_picks_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = workspace(dir.path());
    let mut c = open(&db);
    keys(&mut c, "\nj2");
    keys(&mut c, "jjjjje (main)\n");
    let before = c.app.review.as_ref().unwrap().choices.clone();
    assert_eq!((before.picks.len(), before.sets.len()), (1, 1));
    keys(&mut c, "a");
    assert_eq!(open_id(&c), 2);
    assert!(c.app.review.as_ref().unwrap().choices.picks.is_empty(), "the next candidate starts clean");
    keys(&mut c, "u");
    assert_eq!(open_id(&c), 1);
    let review = c.app.review.as_ref().unwrap();
    assert_eq!(review.choices, before);
    assert_eq!(review.golden.fields["company"].value.as_deref(), Some("Acme Corp"));
    assert_eq!(review.golden.fields["phone"].value.as_deref(), Some("(415) 555-0100 (main)"));
}

/// `u` with nothing decided is a calm notice, not an error.
#[test]
fn undo_with_nothing_decided_is_a_notice() {
    let dir = tempfile::tempdir().unwrap();
    let db = workspace(dir.path());
    let mut c = open(&db);
    keys(&mut c, "u");
    assert_eq!(status(&c), ("nothing to undo: no decision stands in the journal".into(), false));
    keys(&mut c, "\nu");
    assert_eq!(status(&c), ("nothing to undo: no decision stands in the journal".into(), false));
    assert_eq!(open_id(&c), 1, "the candidate under review stays open");
    assert!(journal(&db).is_empty());
}

/// `w` opens every reason of the candidate under review; it scrolls like the journal; `Esc` goes
/// back to the same candidate, field row and record column; `q` there keeps the candidate open.
#[test]
fn why_opens_over_the_review_and_esc_returns_to_the_same_place() {
    let dir = tempfile::tempdir().unwrap();
    let db = workspace(dir.path());
    fixture::add_detected(&mut Store::open_existing(&db).unwrap());
    let mut c = fixture::console(Store::open_existing(&db).unwrap(), (80, 24));
    keys(&mut c, "\n");
    assert_eq!(open_id(&c), 4, "the detected pair is the first row");
    keys(&mut c, "jjjjjjl");
    let place = |c: &Console| {
        let r = c.app.review.as_ref().unwrap();
        (r.data.candidate.id.0, r.selected, r.offset, r.member, r.selected_field())
    };
    let before = place(&c);
    assert_eq!(before, (4, 6, 0, 1, Some("MailingStreet".to_string())));

    keys(&mut c, "w");
    assert_eq!(c.app.screen, Screen::Why);
    // 25 lines of reasons at 80 columns, 20 rows on the screen.
    keys(&mut c, "jj");
    assert_eq!(c.app.why_offset, 2);
    keys(&mut c, "G");
    assert_eq!(c.app.why_offset, 5, "no further than the last line");
    keys(&mut c, "j");
    assert_eq!(c.app.why_offset, 5);
    c.key(KeyEvent::new(KeyCode::PageUp, KeyModifiers::NONE));
    assert_eq!(c.app.why_offset, 0);
    c.key(KeyEvent::new(KeyCode::PageDown, KeyModifiers::NONE));
    assert_eq!(c.app.why_offset, 5);
    keys(&mut c, "g");
    assert_eq!(c.app.why_offset, 0);
    // Keys of the review mean nothing here: nothing is decided from the why screen.
    keys(&mut c, "ax1");
    assert_eq!(c.app.screen, Screen::Why);
    assert!(journal(&db).is_empty());

    keys(&mut c, "\u{1b}");
    assert_eq!(c.app.screen, Screen::Review);
    assert_eq!(place(&c), before);

    keys(&mut c, "wq");
    drop(c);
    let again = fixture::console(Store::open_existing(&db).unwrap(), (80, 24));
    assert_eq!(again.app.screen, Screen::Review, "quit from the why screen: the review reopens");
    assert_eq!(open_id(&again), 4);
}

/// Quitting from the journal or the dashboard opened over a review reopens that review; opened
/// over the queue, the queue.
#[test]
fn quitting_from_a_screen_over_the_review_reopens_the_review() {
    let dir = tempfile::tempdir().unwrap();
    let db = workspace(dir.path());
    for (opened_from, key, reopens) in [
        ("\n", "J", Screen::Review),
        ("\n", "D", Screen::Review),
        ("\u{1b}", "J", Screen::Queue),
        ("\u{1b}", "D", Screen::Queue),
    ] {
        let mut c = fixture::console(Store::open_existing(&db).unwrap(), (80, 24));
        if c.app.screen == Screen::Review {
            keys(&mut c, "\u{1b}");
        }
        keys(&mut c, "j");
        keys(&mut c, opened_from);
        let opened = c.app.review.as_ref().map(|_| open_id(&c));
        keys(&mut c, key);
        assert_ne!(c.app.screen, reopens, "{key} opened");
        keys(&mut c, "q");
        drop(c);
        let again = fixture::console(Store::open_existing(&db).unwrap(), (80, 24));
        assert_eq!(again.app.screen, reopens, "{key} over {opened_from:?}");
        if reopens == Screen::Review {
            assert_eq!(Some(open_id(&again)), opened, "the candidate of the second row");
        }
    }
}

/// The fixture workspace in `dir` with a fourth candidate: Jane's Salesforce record (a member of
/// candidate 1) paired again with a web-form copy of her, last in the queue.
fn jane_twice(dir: &Path) -> PathBuf {
    let db = workspace(dir);
    let mut store = Store::open_existing(&db).unwrap();
    store
        .write(|tx| {
            let batch = tx.begin_batch(&NewBatch::new("records", "t", "csv", fixture::AT, "t"))?;
            let fields = [("first_name".to_string(), "Jane".to_string())].into_iter().collect();
            let rec = NewRecord {
                object: "contact".into(),
                key: RecordKey::new("webform", "wf-9"),
                fields,
                created: None,
                updated: None,
            };
            let web = tx.upsert_record(batch, &rec)?.1;
            let (jane, _) = tx.record_index(Some("contact"))?.resolve("salesforce:0035g00000AbC").unwrap();
            let c = mergeq::store::NewCandidate {
                object: "contact".into(),
                members: vec![jane, web],
                score: 0.5,
                origin: "test".into(),
                reasons: vec![],
            };
            tx.upsert_candidate(Some(batch), fixture::AT, &c)?;
            Ok(())
        })
        .unwrap();
    db
}

/// A candidate holding a record another approved candidate holds says so on its survivor line
/// before the steward decides, and approving it says so in the status line.
#[test]
fn a_record_approved_elsewhere_is_shown_before_and_after_approving() {
    let dir = tempfile::tempdir().unwrap();
    let db = jane_twice(dir.path());
    let mut c = open(&db);
    keys(&mut c, "\n");
    assert_eq!(open_id(&c), 1);
    assert!(c.app.review.as_ref().unwrap().data.shared.is_empty(), "nothing approved yet");
    keys(&mut c, "a");
    assert_eq!(status(&c), ("#1 approved: merged (journal entry 1)".to_string(), false));
    // The new pair is the last candidate of the queue.
    keys(&mut c, "\u{1b}G\n");
    let id = open_id(&c);
    assert_eq!(id, 4, "the web-form pair");
    let shared = &c.app.review.as_ref().unwrap().data.shared;
    assert_eq!(
        shared.iter().map(|(k, c)| (k.to_string(), c.0)).collect::<Vec<_>>(),
        [("salesforce:0035g00000AbC".to_string(), 1)]
    );
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    terminal.draw(|f| mergeq::tui::view::draw(f, &c.app)).unwrap();
    let screen = terminal.backend().to_string();
    let survivor_line = screen.lines().nth(2).unwrap();
    assert!(
        survivor_line.contains(" · also approved (m combines): salesforce:0035g00000AbC in #1"),
        "{survivor_line}"
    );
    keys(&mut c, "a");
    let (text, error) = status(&c);
    assert!(
        !error && text == "#4 approved; also approved: salesforce:0035g00000AbC in #1 (journal entry 2)",
        "{text}"
    );
    // The dashboard counts them.
    keys(&mut c, "D");
    assert_eq!(c.app.screen, Screen::Dashboard);
    terminal.draw(|f| mergeq::tui::view::draw(f, &c.app)).unwrap();
    let screen = terminal.backend().to_string();
    assert!(
        screen.contains("2 approved candidates share records: a merge plan carries the earlier of each"),
        "{screen}"
    );
}

/// The review's survivor line at 120×40, without its padding.
fn survivor_line(c: &Console) -> String {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    terminal.draw(|f| mergeq::tui::view::draw(f, &c.app)).unwrap();
    terminal.backend().to_string().lines().nth(2).unwrap().trim_end_matches(['"', ' ']).to_string()
}

/// `m` on the open review says there is nothing to combine.
fn nothing_to_combine(c: &mut Console) {
    keys(c, "m");
    let want = format!("nothing to combine: no other approved candidate overlaps #{}", open_id(c));
    assert_eq!(status(c), (want, false));
}

/// `m` on a candidate sharing a record with an approved one adds the candidate holding all their
/// records and opens it; approving that replaces the earlier approval. Without such an approval,
/// `m` says there is nothing to combine.
#[test]
fn m_combines_with_the_approved_candidates_sharing_records() {
    let dir = tempfile::tempdir().unwrap();
    let db = jane_twice(dir.path());
    let mut c = open(&db);
    keys(&mut c, "\nm");
    assert_eq!(
        status(&c),
        ("nothing to combine: no other approved candidate overlaps #1".to_string(), false)
    );
    keys(&mut c, "a\u{1b}G\n");
    assert_eq!(open_id(&c), 4);
    let before = c.app.review.as_ref().unwrap().data.members.len() + 1;
    keys(&mut c, "m");
    assert_eq!(open_id(&c), 5, "the combined candidate, opened");
    assert_eq!(c.app.review.as_ref().unwrap().data.members.len(), before, "#1's records and the web form");
    let (text, error) = status(&c);
    assert!(!error && text.starts_with("#5 added: holds every record of #1, #4"), "{text}");
    assert_eq!(c.app.review.as_ref().unwrap().data.replaces, [CandidateId(1)]);
    let line = survivor_line(&c);
    assert!(line.ends_with(" · approving replaces #1"), "and nothing to combine: {line}");
    nothing_to_combine(&mut c);
    keys(&mut c, "a");
    let (text, error) = status(&c);
    assert!(!error && text.starts_with("#5 approved: merged, replacing the approval of #1"), "{text}");
    // Undone, it says the approval it replaced stays undone; approved again, it replaces nothing.
    keys(&mut c, "u");
    let (text, error) = status(&c);
    assert!(
        !error && text.starts_with("undid the approve of #5: now pending; #1 it replaced stays undone"),
        "{text}"
    );
    assert_eq!(open_id(&c), 5);
    keys(&mut c, "a");
    assert!(status(&c).0.starts_with("#5 approved: merged (journal entry"), "{:?}", status(&c));
    let entries = journal(&db);
    let undo = entries.iter().find(|(action, c, _)| action == "undo" && *c == Some(1)).expect("#1 undone");
    assert_eq!(undo.2["superseded_by"]["candidate"], 5);
    // #1, pending again, is held whole by #5: said so, and nothing to combine.
    keys(&mut c, "\u{1b}g\n");
    assert_eq!(open_id(&c), 1);
    let line = survivor_line(&c);
    assert!(line.ends_with(" · all its records are in #5, approved"), "{line}");
    nothing_to_combine(&mut c);
    keys(&mut c, "a");
    let (text, error) = status(&c);
    assert!(!error && text.starts_with("#1 approved; all its records are in #5, approved"), "{text}");
}

/// A second press of a decision key (a double tap, key repeat) lands on the candidate the first
/// one opened, a millisecond after it opened: dropped until the steward could have seen it
/// (`SETTLE` after it was drawn), said once. A candidate opened otherwise is not held back.
#[test]
fn a_decision_key_waits_until_the_candidate_it_would_decide_could_be_seen() {
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let db = workspace(dir.path());
    let mut c = open(&db);
    let at = std::rc::Rc::new(std::cell::RefCell::new(Instant::now()));
    c.clock = fixture::held(&at);
    let after = |ms: u64| *at.borrow_mut() += Duration::from_millis(ms);

    keys(&mut c, "\nx");
    assert_eq!(open_id(&c), 2, "the rejection opened the next candidate");
    keys(&mut c, "x");
    let said =
        ("#1 rejected: not duplicates (journal entry 1) · x ignored: #2 just opened".to_string(), false);
    assert_eq!(status(&c), said);
    keys(&mut c, "dA");
    assert_eq!(status(&c), said, "said once");
    assert_eq!(journal(&db).len(), 1, "nothing decided on #2");
    // Drawn 250 ms after the decision: the wait counts from then.
    after(250);
    c.drawn();
    after(200);
    keys(&mut c, "d");
    assert_eq!(journal(&db).len(), 1, "200 ms too soon after it was drawn");
    // That dropped `d` started the wait again.
    after(299);
    keys(&mut c, "d");
    assert_eq!(journal(&db).len(), 1, "299 ms after a dropped key");
    after(300);
    keys(&mut c, "d");
    assert_eq!(journal(&db).last().map(|(a, id, _)| (a.as_str(), *id)), Some(("defer", Some(2))));
    assert_eq!(open_id(&c), 3);
    // Long enough after: the next decision key acts (the first `x` above did too, pressed with
    // Enter at the same instant: a candidate the steward opened is not held back).
    after(1000);
    keys(&mut c, "x");
    assert_eq!(journal(&db).last().map(|(a, id, _)| (a.as_str(), *id)), Some(("reject", Some(3))));
}

/// A held decision key (auto-repeat, every ~33 ms) decides nothing after the first: each press
/// dropped starts the wait again, so only a key pressed after a 300 ms pause counts.
#[test]
fn a_held_decision_key_decides_only_the_first_candidate() {
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let db = workspace(dir.path());
    let mut c = open(&db);
    let at = std::rc::Rc::new(std::cell::RefCell::new(Instant::now()));
    c.clock = fixture::held(&at);
    let after = |ms: u64| *at.borrow_mut() += Duration::from_millis(ms);

    keys(&mut c, "\nd");
    assert_eq!(open_id(&c), 2);
    // 1.5 s of auto-repeat, drawn between keys as the terminal loop does.
    for _ in 0..45 {
        after(33);
        c.drawn();
        keys(&mut c, "d");
    }
    assert_eq!(journal(&db).len(), 1, "only the first press decided: {:?}", status(&c));
    assert_eq!(open_id(&c), 2);
    assert_eq!(status(&c).0, "#1 deferred (journal entry 1) · d ignored: #2 just opened");
    // Let go, then pressed again.
    after(300);
    keys(&mut c, "d");
    assert_eq!(journal(&db).last().map(|(a, id, _)| (a.as_str(), *id)), Some(("defer", Some(2))));
}

/// `u u` (a double tap): the first undoes the latest decision and reopens its candidate; the
/// second, on that candidate before it could be seen, is dropped rather than undoing the decision
/// before it (whose undo nobody would see reported).
#[test]
fn a_second_undo_waits_until_the_candidate_the_first_reopened_could_be_seen() {
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let db = workspace(dir.path());
    let mut c = open(&db);
    let at = std::rc::Rc::new(std::cell::RefCell::new(Instant::now()));
    c.clock = fixture::held(&at);
    let after = |ms: u64| *at.borrow_mut() += Duration::from_millis(ms);
    keys(&mut c, "\nd");
    after(1000);
    keys(&mut c, "d");
    assert_eq!(open_id(&c), 3);
    after(1000);
    keys(&mut c, "u");
    assert_eq!(open_id(&c), 2, "the first undo reopened #2");
    let undid = status(&c).0;
    after(2);
    keys(&mut c, "u");
    let actions: Vec<String> = journal(&db).into_iter().map(|(a, _, _)| a).collect();
    assert_eq!(actions, ["defer", "defer", "undo"], "the second u undid #1 too");
    assert_eq!(status(&c), (format!("{undid} · u ignored: #2 just opened"), false));
    c.drawn();
    after(300);
    keys(&mut c, "u");
    assert_eq!(journal(&db).len(), 4, "a u pressed after the wait acts");
}

/// Right after a decision, `[` goes back to the candidate just decided, whatever its status
/// (the pending queue's previous one would skip it); after that, `[` is the queue's again.
#[test]
fn prev_right_after_a_decision_reopens_the_candidate_decided() {
    let dir = tempfile::tempdir().unwrap();
    let db = workspace(dir.path());
    let mut c = open(&db);
    keys(&mut c, "\nd");
    assert_eq!(open_id(&c), 2);
    keys(&mut c, "[");
    assert_eq!(open_id(&c), 1, "{:?}", c.app.status);
    assert_eq!(c.app.review.as_ref().unwrap().data.candidate.status, Status::Deferred);
    keys(&mut c, "]");
    assert_eq!(open_id(&c), 2);
    keys(&mut c, "[");
    assert_eq!(status(&c).0, "this is the first pending candidate (f changes the status shown)");
}

/// A search stays on after the queue empties of it: "no pending candidates left" names it and how
/// many are pending in all. `/` opens with the last search selected: Enter keeps it, typing
/// replaces it, Backspace clears it.
#[test]
fn no_pending_left_names_the_search_and_slash_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = workspace(dir.path());
    let mut c = open(&db);
    keys(&mut c, "/smith.io\n");
    assert_eq!(c.app.queue.rows.iter().map(|r| r.id.0).collect::<Vec<_>>(), [3]);
    keys(&mut c, "\nd");
    assert_eq!(
        status(&c).0,
        "#3 deferred (journal entry 1) · no pending candidates left matching \"smith.io\" (2 pending in all; / \
         clears the search)"
    );
    assert_eq!(c.app.screen, Screen::Queue);
    let search = |c: &Console| c.app.queue.query.search.clone();
    keys(&mut c, "/\n");
    assert_eq!(search(&c).as_deref(), Some("smith.io"), "Enter keeps it");
    keys(&mut c, "/acme\n");
    assert_eq!(search(&c).as_deref(), Some("acme"), "typing replaces it");
    c.key(KeyEvent::new(KeyCode::Char('/'), KeyModifiers::NONE));
    c.key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE));
    keys(&mut c, "\n");
    assert_eq!(search(&c), None, "Backspace clears it");
    // A cursor key keeps the text, to change it.
    keys(&mut c, "/acme\n/");
    c.key(KeyEvent::new(KeyCode::End, KeyModifiers::NONE));
    keys(&mut c, " corp\n");
    assert_eq!(search(&c).as_deref(), Some("acme corp"));
}
