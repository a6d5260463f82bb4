//! Every screen of the console drawn from fixture data on ratatui's TestBackend, at 80×24 and
//! 120×40, compared with the committed insta snapshots.

mod console_fixture;
use console_fixture as common;

use mergeq::model::CandidateId;
use mergeq::tui::app::Screen;
use mergeq::tui::{view, Console};
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn draw(console: &Console) -> Terminal<TestBackend> {
    let (w, h) = console.app.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| view::draw(f, &console.app)).unwrap();
    terminal
}

fn screen(console: &Console) -> String {
    draw(console).backend().to_string()
}

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

/// Runs `setup` on a fresh fixture console at each size and snapshots the screen.
fn snap(name: &str, setup: impl Fn(&mut Console)) {
    for (w, h) in SIZES {
        let mut console = common::console(common::store(), (w, h));
        setup(&mut console);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen(&console));
    }
}

#[test]
fn queue() {
    snap("queue", |_| {});
}

#[test]
fn review_of_a_pair() {
    snap("review_pair", |c| {
        keys(c, "\n");
        assert_eq!(c.app.screen, Screen::Review);
        assert_eq!(c.app.review.as_ref().unwrap().data.candidate.id, CandidateId(1));
    });
}

#[test]
fn review_of_a_four_record_cluster() {
    snap("review_cluster", |c| {
        keys(c, "j\nl");
        assert_eq!(c.app.review.as_ref().unwrap().data.members.len(), 4);
    });
}

#[test]
fn edit_in_place() {
    snap("edit", |c| {
        keys(c, "\njjjjjje");
        keys(c, " (EMEA)");
    });
}

#[test]
fn help_overlay() {
    snap("help_review", |c| keys(c, "\n?"));
    snap("help_queue", |c| keys(c, "?"));
}

#[test]
fn journal() {
    snap("journal", |c| {
        // Real entries, written through the journal by the console: approve with a note, reject,
        // undo (the reject), then the journal screen.
        keys(c, "\nnsame person, married name\na");
        keys(c, "x");
        keys(c, "u");
        keys(c, "J");
        assert_eq!(c.app.screen, Screen::Journal);
        assert_eq!(c.app.journal.entries.len(), 3);
        assert_eq!(c.app.journal.unsigned, 3);
    });
}

/// A journal longer than the screen says which entries are shown, and that the screen holds the
/// latest 500 of a longer one.
#[test]
fn a_long_journal_says_which_entries_are_shown() {
    let mut c = common::console(common::store(), (80, 24));
    keys(&mut c, "\na\u{1b}J");
    assert_eq!((c.app.screen, c.app.journal.entries.len()), (Screen::Journal, 1));
    let header = |c: &Console| screen(c).lines().nth(2).unwrap().trim_matches('"').trim_end().to_string();
    assert!(header(&c).ends_with("note · what"), "all fits, no marker: {}", header(&c));
    let line = c.app.journal.entries[0].clone();
    c.app.journal.entries = vec![line.clone(); 40];
    c.app.journal.total = 40;
    assert!(header(&c).ends_with(" 1–19 of 40 ↓"), "{}", header(&c));
    c.app.journal.entries = vec![line; 500];
    c.app.journal.total = 1234;
    assert!(header(&c).ends_with(" 1–19 of latest 500 ↓"), "{}", header(&c));
    assert!(header(&c).contains("cand.   note "), "the columns whole: {}", header(&c));
    keys(&mut c, "jj");
    assert!(header(&c).ends_with("3–21 of latest 500 ↑ ↓"), "{}", header(&c));
    keys(&mut c, "G");
    assert!(header(&c).ends_with("482–500 of latest 500 ↑"), "{}", header(&c));
    assert_eq!(
        unicode_width::UnicodeWidthStr::width(screen(&c).lines().nth(2).unwrap().trim_matches('"')),
        80
    );
}

#[test]
fn dashboard() {
    snap("dashboard", |c| {
        // One decision, then the figures from the queue; Esc goes back to the queue.
        keys(c, "\na\u{1b}D");
        assert_eq!(c.app.screen, Screen::Dashboard);
        let stats = c.app.dashboard.as_ref().expect("the figures are read");
        assert_eq!((stats.candidates, stats.approved, stats.pending), (3, 1, 2));
    });
    let mut c = common::console(common::store(), (80, 24));
    keys(&mut c, "\nD");
    assert_eq!(c.app.screen, Screen::Dashboard, "from the review too");
    keys(&mut c, "\u{1b}");
    assert_eq!(c.app.screen, Screen::Review, "and back to it");
}

/// A dashboard taller than the screen says in its footer which lines are shown, and scrolls.
#[test]
fn a_long_dashboard_says_which_lines_are_shown() {
    let mut c = common::console(common::store(), (80, 24));
    keys(&mut c, "D");
    let footer = |c: &Console| screen(c).lines().nth(22).unwrap().trim_matches('"').trim_end().to_string();
    assert!(!footer(&c).contains(" of "), "all fits, no marker: {}", footer(&c));
    let stats = c.app.dashboard.as_mut().expect("the figures are read");
    stats.records_by_source = (0..30).map(|i| ("contact".to_string(), format!("source{i:02}"), 10)).collect();
    let total = mergeq::tui::view::dashboard::line_count(c.app.dashboard.as_ref().unwrap());
    assert!(footer(&c).starts_with("? help"), "the keys first: {}", footer(&c));
    assert!(footer(&c).ends_with(&format!(" 1–21 of {total} lines ↓")), "{}", footer(&c));
    keys(&mut c, "jj");
    assert!(footer(&c).ends_with(&format!(" 3–23 of {total} lines ↑ ↓")), "{}", footer(&c));
    assert!(screen(&c).contains("source02"), "scrolled, not cut");
    keys(&mut c, "G");
    assert!(footer(&c).ends_with(&format!(" of {total} lines ↑")), "{}", footer(&c));
    assert!(screen(&c).contains("source29"), "the last source reached");
}

/// The fixture with the pair `mergeq detect` proposed (reasons per field) as the first row.
fn detected(size: (u16, u16)) -> Console {
    let mut store = common::store();
    common::add_detected(&mut store);
    common::console(store, size)
}

/// `w` on the review: every reason, the whole candidate's first, then per field by the weight's
/// magnitude; long ones wrapped, the escape sequence in a value drawn as a marker.
#[test]
fn why_proposed() {
    for (w, h) in SIZES {
        let mut c = detected((w, h));
        keys(&mut c, "\nw");
        assert_eq!(c.app.screen, Screen::Why);
        let text = screen(&c);
        assert!(!text.contains('\u{1b}'), "{text}");
        insta::assert_snapshot!(format!("why_{w}x{h}"), text);
    }
}

/// Every reason is on the why screen whole, at any width: wrapped, never cut by the screen's edge.
/// The screen is read line by line while scrolling (`j`) and put together again.
#[test]
fn the_why_screen_cuts_nothing() {
    let words = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    for (w, h) in [(40, 10), (80, 24), (200, 50)] {
        let mut c = detected((w, h));
        keys(&mut c, "\nw");
        let rows = view::why::visible_rows(h);
        let mut lines: Vec<String> = Vec::new();
        for _ in 0..60 {
            let text = screen(&c);
            let body: Vec<&str> = text.lines().skip(2).take(rows).collect();
            let at = c.app.why_offset;
            for (i, line) in body.iter().enumerate() {
                if at + i >= lines.len() {
                    lines.push(line.trim_matches('"').to_string());
                }
            }
            keys(&mut c, "j");
        }
        let all = words(&lines.join(" "));
        for r in common::detection_reasons() {
            assert!(all.contains(&words(&r.said())), "{w}×{h}: {:?} in {all}", r.said());
            let values = r.compared(usize::MAX).unwrap_or_default();
            assert!(all.contains(&words(&values)), "{w}×{h}: {values:?} in {all}");
        }
        assert!(all.contains("Title: different head of ops␛[31m / vp operations"), "{all}");
        assert!(all.contains("MailingCountry: missing on one side — / us"), "{all}");
    }
}

/// The review's one line of reasons, cut, says which key shows them all; one that fits has no
/// marker.
#[test]
fn the_why_line_names_the_key_that_shows_every_reason() {
    for (w, h) in SIZES {
        let mut c = detected((w, h));
        keys(&mut c, "\n");
        insta::assert_snapshot!(format!("review_detected_{w}x{h}"), screen(&c));
        let text = screen(&c);
        let why = text.lines().nth(1).unwrap().trim_matches('"');
        assert!(why.starts_with("why match probability 1.0000"), "{why}");
        assert!(why.ends_with(" w: all") && why.contains('…'), "{why}");
        assert!(!why.contains("; …") && !why.contains(";…"), "no separator before the cut: {why}");
        assert_eq!(unicode_width::UnicodeWidthStr::width(why), w as usize, "the key at the right edge");
    }
    let mut c = common::console(common::store(), (80, 24));
    keys(&mut c, "\n");
    let text = screen(&c);
    let why = text.lines().nth(1).unwrap();
    assert!(why.contains("Jaro-Winkler 0.91") && !why.contains("w: all"), "{why}");
}

#[test]
fn empty_queue() {
    for (w, h) in SIZES {
        let console = common::console(mergeq::store::Store::in_memory().unwrap(), (w, h));
        insta::assert_snapshot!(format!("empty_queue_{w}x{h}"), screen(&console));
    }
}

#[test]
fn error_in_the_status_line() {
    snap("error", |c| {
        keys(c, "\n9");
        assert!(c.app.status.as_ref().unwrap().error);
    });
}

/// Colour carries meaning in the diff view: the styled buffer is part of the snapshot.
#[test]
fn diff_styles() {
    let mut console = common::console(common::store(), (80, 24));
    keys(&mut console, "\n");
    let terminal = draw(&console);
    insta::assert_debug_snapshot!("review_pair_styles", terminal.backend().buffer());
}

/// Below the smallest layout, a notice that fits whole says what size is needed.
#[test]
fn a_terminal_too_small_says_what_it_needs() {
    for (w, h, want) in [
        (79, 9, "mergeq needs a terminal of at least 40×10: make it larger"),
        (30, 8, "terminal too small: 40×10"),
        (39, 40, "terminal too small: 40×10"),
        (16, 3, "too small: 40×10"),
        (10, 3, "too small"),
    ] {
        let console = common::console(common::store(), (w, h));
        let first = screen(&console).lines().next().unwrap().trim_matches('"').trim_end().to_string();
        assert_eq!(first, want, "{w}×{h}");
    }
}

#[test]
fn tiny_terminals_do_not_panic() {
    for (w, h) in [(0, 0), (1, 1), (2, 1), (1, 30), (80, 1), (39, 9), (40, 10)] {
        let mut console = common::console(common::store(), (w, h));
        for k in ["", "\n", "?", "\u{1b}J", "\u{1b}\u{1b}D", "\u{1b}\u{1b}\nj\ne", "\u{1b}wGjk"] {
            keys(&mut console, k);
            draw(&console);
        }
    }
}

#[test]
fn untrusted_text_is_drawn_as_markers() {
    let mut console = common::console(common::store(), (120, 40));
    keys(&mut console, "jj\n");
    let text = screen(&console);
    assert!(text.contains("VP Sales␛[2J"), "{text}");
    assert!(!text.contains('\u{1b}'));
}

#[test]
fn filters_sort_and_search_narrow_the_queue() {
    let mut c = common::console(common::store(), (80, 24));
    let ids = |c: &Console| c.app.queue.rows.iter().map(|r| r.id.0).collect::<Vec<_>>();
    assert_eq!(ids(&c), [1, 2, 3]);
    keys(&mut c, "o");
    assert_eq!(c.app.queue.query.object.as_deref(), Some("account"));
    assert_eq!(ids(&c), [2]);
    keys(&mut c, "oo");
    assert_eq!(c.app.queue.query.object, None);
    keys(&mut c, "cccc");
    assert_eq!(c.app.queue.query.source.as_deref(), Some("webform"));
    assert_eq!(ids(&c), [2, 3]);
    keys(&mut c, "c");
    assert_eq!(c.app.queue.query.source, None);
    keys(&mut c, "bb");
    assert_eq!(ids(&c), [2, 3], "0.70–0.90");
    keys(&mut c, "bb");
    keys(&mut c, "ss");
    assert_eq!(ids(&c), [1, 2, 3], "age: oldest first");
    keys(&mut c, "s/SMITH.io\n");
    assert_eq!(ids(&c), [3]);
    assert!(screen(&c).contains("search \"SMITH.io\""));
    keys(&mut c, "/");
    for _ in 0..8 {
        c.key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE));
    }
    keys(&mut c, "\n");
    assert_eq!(ids(&c), [1, 2, 3]);
    keys(&mut c, "f");
    assert!(ids(&c).is_empty(), "nothing is deferred");
    assert!(screen(&c).contains("No candidates match"));
}

/// The console fixture in a workspace file, so that a console opened again sees what the last
/// one saved.
fn filled_workspace_file() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ws.mergeq");
    common::fill(&mut mergeq::store::Store::open(&db).unwrap());
    (dir, db)
}

/// A console at 80×24 on the workspace file `db`.
fn reopen(db: &std::path::Path) -> mergeq::tui::Console {
    common::console(mergeq::store::Store::open_existing(db).unwrap(), (80, 24))
}

#[test]
fn the_place_is_kept_across_quit_and_reopen() {
    let (_dir, db) = filled_workspace_file();
    let mut c = reopen(&db);
    keys(&mut c, "bb\u{1b}j\nj=");
    keys(&mut c, "q");
    assert!(c.app.quit);
    let again = reopen(&db);
    assert_eq!(again.app.screen, Screen::Review);
    let r = again.app.review.as_ref().unwrap();
    assert_eq!(r.data.candidate.id, CandidateId(3));
    assert!(r.hide_equal);
    assert_eq!(again.app.queue.band, 2);
    assert_eq!(again.app.queue.selected_item().map(|i| i.id), Some(CandidateId(3)));
}

#[test]
fn the_place_survives_a_console_that_never_quit() {
    let (_dir, db) = filled_workspace_file();
    let mut c = reopen(&db);
    keys(&mut c, "\na");
    let next = c.app.review.as_ref().expect("the next candidate opens after a decision").data.candidate.id;
    // The terminal closes (or mergeq is killed) without `q`.
    drop(c);
    let again = reopen(&db);
    assert_eq!(again.app.screen, Screen::Review);
    assert_eq!(again.app.review.as_ref().unwrap().data.candidate.id, next);
}

#[test]
fn opening_candidates_while_another_mergeq_writes_is_not_held_up() {
    let (_dir, db) = filled_workspace_file();
    let store = mergeq::store::Store::open_existing(&db).unwrap();
    store.set_busy_timeout(std::time::Duration::from_secs(30)).unwrap();
    let mut c = common::console(store, (80, 24));
    // An import in another terminal holds the write lock for as long as it runs.
    let other = rusqlite::Connection::open(&db).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    keys(&mut c, "\n");
    assert_eq!(c.app.screen, Screen::Review, "the candidate opens");
    assert!(c.app.status.as_ref().is_none_or(|s| !s.error), "no lock error: {:?}", c.app.status);
    other.execute_batch("ROLLBACK").unwrap();
    keys(&mut c, "]");
    drop(c);
    let again = reopen(&db);
    assert_eq!(again.app.screen, Screen::Review, "a later save kept the place");
}

/// Under NO_COLOR every cell keeps the terminal's own colours: meaning is carried by modifiers.
#[test]
fn no_color_draws_without_colours() {
    use ratatui::style::{Color, Modifier};
    let mut console = common::console(common::store(), (120, 40));
    console.app.theme = mergeq::tui::view::theme::Theme::PLAIN;
    let mut reversed = 0;
    for setup in ["", "\n", "\n?", "\u{1b}\u{1b}\nj2", "\u{1b}\u{1b}J", "\u{1b}D", "\u{1b}\nw"] {
        keys(&mut console, setup);
        let terminal = draw(&console);
        for cell in terminal.backend().buffer().content() {
            assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset), "{setup:?}: {cell:?}");
            if cell.modifier.contains(Modifier::REVERSED) {
                reversed += 1;
            }
        }
    }
    assert!(reversed > 0, "the selection is still visible");
}

#[test]
fn mouse_clicks_select_and_the_wheel_scrolls() {
    use mergeq::tui::action::Action;
    let mut c = common::console(common::store(), (120, 40));
    c.dispatch(Action::Click { column: 10, row: 5 });
    assert_eq!(c.app.queue.selected, 2, "row 5 is the third candidate");
    c.dispatch(Action::ScrollUp);
    assert_eq!(c.app.queue.selected, 0);
    keys(&mut c, "j\n");
    assert_eq!(c.app.review.as_ref().unwrap().data.members.len(), 4);
    // Record columns start after the field column; the third one is record 3.
    c.dispatch(Action::Click { column: 14 + 19 * 2 + 3, row: 8 });
    let r = c.app.review.as_ref().unwrap();
    assert_eq!((r.member, r.selected), (2, 2));
    c.dispatch(Action::ScrollDown);
    assert_eq!(c.app.review.as_ref().unwrap().selected, 3, "the wheel moves down (to the last row)");
    keys(&mut c, "hs");
    assert_eq!(c.app.review.as_ref().unwrap().golden.survivor.to_string(), "hubspot:7731");
    assert!(screen(&c).contains("survives hubspot:7731"), "{}", screen(&c));
}

/// The help says "any key closes": every key, `q` and `a` included, only closes it — a steward
/// pressing `q` to leave the overlay stays in the console and nothing is decided. Ctrl-C still quits.
#[test]
fn any_key_only_closes_the_help() {
    let mut c = common::console(common::store(), (80, 24));
    keys(&mut c, "\n?q");
    assert!(!c.app.help && !c.app.quit, "q closed the help and kept the console");
    assert_eq!(c.app.screen, Screen::Review);
    keys(&mut c, "?a");
    assert!(!c.app.help);
    assert_eq!(c.app.review.as_ref().unwrap().data.candidate.status, mergeq::model::Status::Pending);
    keys(&mut c, "?");
    c.key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert!(c.app.quit, "Ctrl-C quits even from the help");
}

/// The footer cannot list every key of a narrow screen, but it always names `?`, the key that
/// lists the rest.
#[test]
fn the_help_key_is_always_in_the_footer() {
    for (w, h) in [(80, 24), (100, 30), (60, 20)] {
        let mut c = common::console(common::store(), (w, h));
        for (screen, setup) in
            [("queue", ""), ("review", "\n"), ("journal", "J"), ("dashboard", "\u{1b}D"), ("why", "\u{1b}w")]
        {
            keys(&mut c, setup);
            let terminal = draw(&c);
            let buffer = terminal.backend().buffer();
            let footer: String = (0..w).map(|x| buffer[(x, h - 2)].symbol()).collect();
            assert!(footer.contains("? help"), "{screen} at {w}×{h}: {footer:?}");
        }
    }
}

/// `G` and `PgDn` scroll the journal until its oldest entry is on the last line, not beyond.
#[test]
fn the_journal_scrolls_no_further_than_its_last_entry() {
    let mut c = common::console(common::store(), (80, 12));
    keys(&mut c, "\n");
    for _ in 0..5 {
        keys(&mut c, "au");
    }
    keys(&mut c, "J");
    assert_eq!(c.app.journal.entries.len(), 10);
    let rows = 12 - 5;
    keys(&mut c, "G");
    assert_eq!(c.app.journal_offset, 10 - rows);
    c.key(KeyEvent::new(KeyCode::PageUp, KeyModifiers::NONE));
    assert_eq!(c.app.journal_offset, 0);
    c.key(KeyEvent::new(KeyCode::PageDown, KeyModifiers::NONE));
    assert_eq!(c.app.journal_offset, 10 - rows);
    let text = screen(&c);
    let last_drawn = text.lines().nth(2 + rows).unwrap();
    assert!(last_drawn.starts_with("\"1 "), "the oldest entry on the last line: {text}");
}

/// The table cuts long values to its columns; the line under it shows the selected record's value
/// of the selected field whole, so that a steward can read what is being chosen from.
#[test]
fn the_selected_value_is_shown_whole_under_the_table() {
    let mut c = common::console(common::store(), (80, 24));
    keys(&mut c, "j\njj");
    assert_eq!(c.app.review.as_ref().unwrap().selected_field().as_deref(), Some("name"));
    let text = screen(&c);
    assert!(text.contains("Globex Corporation…"), "the table cuts it: {text}");
    assert!(text.contains("1 enrichment:dnb-55 Globex Corporation Inc."), "{text}");
    keys(&mut c, "l");
    assert!(screen(&c).contains("2 hubspot:7731 Globex Corp "), "{}", screen(&c));
}

/// An approved candidate opened again shows what was merged (the steward's pick and survivor), who
/// approved it when, and its note, not the rules' suggestion.
#[test]
fn an_approved_candidate_shows_what_was_merged() {
    let mut c = common::console(common::store(), (120, 40));
    keys(&mut c, "\nj1hs");
    let r = c.app.review.as_ref().unwrap();
    assert_eq!(r.golden.fields["company"].value.as_deref(), Some("ACME Corporation"));
    assert_eq!(r.golden.survivor.to_string(), "hubspot:5102");
    keys(&mut c, "nsame firm\na\u{1b}ff");
    assert_eq!(c.app.queue.query.status, Some(mergeq::model::Status::Approved));
    keys(&mut c, "\n");
    let r = c.app.review.as_ref().unwrap();
    assert_eq!(r.data.candidate.id, CandidateId(1));
    assert_eq!(r.golden.fields["company"].value.as_deref(), Some("ACME Corporation"), "the pick");
    assert_eq!(r.golden.fields["company"].rule, "steward");
    assert_eq!(r.golden.survivor.to_string(), "hubspot:5102", "the survivor chosen");
    assert_eq!(r.note.as_deref(), Some("same firm"), "the approval's note");
    assert_eq!(r.unsaved(), None, "nothing changed since the approval");
    let text = screen(&c);
    assert!(text.contains("· approved by ann 2026-05-02 09:00 ·"), "{text}");
    assert!(text.contains("survives hubspot:5102 — chosen by the steward · note: same firm"), "{text}");
}

/// A contact record for `long_pair`.
fn contact(source: &str, id: &str, fields: &[(&str, &str)], updated: &str) -> mergeq::store::NewRecord {
    mergeq::store::NewRecord {
        object: "contact".into(),
        key: mergeq::model::RecordKey::new(source, id),
        fields: fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        created: Some("2024-02-01T00:00:00Z".into()),
        updated: Some(updated.into()),
    }
}

/// The fixture with, first in the queue, two pairs (#5, #6) and then a 19-field pair with long
/// record ids (#4) holding one record of each: once the two pairs are approved, #4 overlaps both.
fn long_pair(size: (u16, u16)) -> Console {
    use mergeq::store::NewCandidate;
    let mut store = common::store();
    let shared = [
        ("first_name", "Maria"),
        ("email", "maria.gonzalez@northwind.example"),
        ("company", "Northwind Traders"),
        ("department", "Procurement"),
        ("city", "Seattle"),
        ("state", "WA"),
        ("country", "US"),
        ("website", "northwind.example"),
        ("owner", "ann"),
    ];
    let hub = [
        ("last_name", "Gonzalez"),
        ("phone", "+1 206 555 0111"),
        ("mobile", "206-555-0199"),
        ("title", "Head of Procurement"),
        ("street", "1 Pike Pl, Suite 400"),
        ("postcode", "98101"),
        ("lifecycle", "customer"),
        ("lead_source", "webinar"),
        ("tags", "vip;emea-partner"),
        ("linkedin", "in/mgonzalez"),
    ];
    let sf = [
        ("last_name", "González"),
        ("phone", "(206) 555-0111"),
        ("mobile", "+1 206 555 0199"),
        ("title", "Procurement Lead"),
        ("street", "1 Pike Place Ste 400"),
        ("postcode", "98101-1234"),
        ("lifecycle", "lead"),
        ("lead_source", "trade show"),
        ("tags", "vip"),
        ("linkedin", "in/maria-gonzalez"),
    ];
    store
        .write(|tx| {
            let batch =
                tx.begin_batch(&mergeq::store::NewBatch::new("records", "t", "csv", common::AT, "t"))?;
            let add = |source: &str, id: &str, fields: Vec<(&str, &str)>, updated: &str| {
                tx.upsert_record(batch, &contact(source, id, &fields, updated)).map(|(_, r)| r)
            };
            let hub = add("hubspot", "8319986515", [&shared[..], &hub].concat(), "2026-03-01T00:00:00Z")?;
            let sf =
                add("salesforce", "0035g00000Pq1WAAS", [&shared[..], &sf].concat(), "2026-02-01T00:00:00Z")?;
            let zoho = add("zoho", "5725767000000412001", shared.to_vec(), "2026-01-01T00:00:00Z")?;
            let web = add("webform", "f-31337", shared.to_vec(), "2026-01-01T00:00:00Z")?;
            for (members, score) in [(vec![hub, sf], 0.993), (vec![hub, zoho], 0.999), (vec![sf, web], 0.998)]
            {
                let c = NewCandidate {
                    object: "contact".into(),
                    members,
                    score,
                    origin: "test".into(),
                    reasons: vec![],
                };
                tx.upsert_candidate(Some(batch), common::AT, &c)?;
            }
            Ok(())
        })
        .unwrap();
    common::console(store, size)
}

/// Line `n` of the screen, without its quotes and trailing spaces.
fn line(c: &Console, n: usize) -> String {
    screen(c).lines().nth(n).unwrap().trim_matches('"').trim_end().to_string()
}

/// The review's field table says which rows are out of sight (`↓ 5 more` under the field column's
/// header, `↑` once scrolled) and, with equal rows hidden, how many are.
#[test]
fn the_review_says_which_rows_are_out_of_sight() {
    for (w, h) in SIZES {
        let mut c = long_pair((w, h));
        keys(&mut c, "\naa");
        let r = c.app.review.as_ref().unwrap();
        assert_eq!((r.data.candidate.id, r.fields.len()), (CandidateId(4), 19));
        insta::assert_snapshot!(format!("review_long_{w}x{h}"), screen(&c));
    }
    let mut c = long_pair((80, 24));
    keys(&mut c, "\naa");
    let rows = view::review::visible_rows(24);
    assert_eq!(rows, 14);
    assert!(line(&c, 5).starts_with("↓ 5 more "), "{}", line(&c, 5));
    keys(&mut c, &"j".repeat(18));
    assert!(line(&c, 5).starts_with("↑ 5 more "), "{}", line(&c, 5));
    keys(&mut c, &"k".repeat(16));
    assert!(line(&c, 5).starts_with("↑2 ↓3 more "), "{}", line(&c, 5));
    // Nine fields are equal in both records: hidden, the table says so and everything fits.
    keys(&mut c, "=");
    assert!(line(&c, 4).ends_with("  9 equal rows hidden (=)"), "{}", line(&c, 4));
    assert!(!line(&c, 5).contains('↓') && !line(&c, 5).contains('↑'), "{}", line(&c, 5));
    keys(&mut c, "=");
    assert!(!line(&c, 4).contains("hidden"), "{}", line(&c, 4));
    // At 120×40 every row fits: no marker; the note says which key shows the rows again.
    let mut c = long_pair((120, 40));
    keys(&mut c, "\naa");
    assert!(!screen(&c).contains(" more "), "{}", screen(&c));
    keys(&mut c, "=");
    assert!(line(&c, 4).ends_with("  9 equal rows hidden (= shows)"), "{}", line(&c, 4));
}

/// Under NO_COLOR the selected record's column header is reversed, and in both themes it is
/// marked `▸`: the header row is bold and underlined already, so `h`/`l` would otherwise change
/// nothing visible in the table.
#[test]
fn the_selected_record_is_visible_without_colour() {
    use mergeq::tui::view::theme::Theme;
    use ratatui::style::Modifier;
    for theme in [Theme::PLAIN, Theme::COLOR] {
        let mut c = common::console(common::store(), (120, 40));
        c.app.theme = theme;
        keys(&mut c, "j\n");
        let mut seen = Vec::new();
        for (key, member) in [("", 0), ("l", 1), ("l", 2), ("h", 1), ("lll", 3)] {
            keys(&mut c, key);
            assert_eq!(c.app.review.as_ref().unwrap().member, member);
            let head = line(&c, 3);
            assert_eq!(head.matches('▸').count(), 1, "{head}");
            assert!(head.contains(&format!("▸{}", member + 1)), "{head}");
            let terminal = draw(&c);
            let buffer = terminal.backend().buffer();
            let reversed: String = (0..120)
                .map(|x| &buffer[(x, 3)])
                .filter(|cell| cell.modifier.contains(Modifier::REVERSED))
                .map(|cell| cell.symbol())
                .collect();
            if theme == Theme::PLAIN {
                assert!(reversed.starts_with(&format!("▸{}", member + 1)), "{member}: {reversed:?}");
                seen.push(reversed);
            } else {
                assert!(reversed.is_empty(), "colour shows it: {reversed:?}");
            }
        }
        seen.dedup();
        assert!(theme == Theme::COLOR || seen.len() == 5, "each selection looks different: {seen:?}");
    }
}

/// From 100 columns the queue has a `#id` column (the number `mergeq show` takes); at 80 it is
/// left out and the other columns keep their widths.
#[test]
fn the_queue_shows_candidate_numbers_when_wide_enough() {
    for (w, shown) in [(80, false), (99, false), (100, true), (120, true)] {
        let c = common::console(common::store(), (w, 24));
        let (header, first, third) = (line(&c, 2), line(&c, 3), line(&c, 5));
        assert_eq!(header.starts_with(" #id score "), shown, "{w}: {header}");
        assert_eq!(first.starts_with("▌ #1 0.97 "), shown, "{w}: {first}");
        assert_eq!(third.starts_with("  #3 0.74 "), shown, "{w}: {third}");
        assert!(shown || first.starts_with("▌0.97 "), "{w}: {first}");
        let width = |n: usize| unicode_width::UnicodeWidthStr::width(screen(&c).lines().nth(n).unwrap());
        assert_eq!(
            (width(2), width(3)),
            (w as usize + 2, w as usize + 2),
            "{w}: quoted lines fill the width"
        );
    }
}

/// The survivor line keeps which approved candidates hold its records: the survivor's reason
/// gives way first, then the overlap is said shorter; under the table, the lineage keeps its
/// record ids whole while the explanation gives way.
#[test]
fn the_review_keeps_the_important_end_of_its_lines() {
    for (w, want) in [
        (80, "survives salesforce:0035g00000Pq1WAAS     · also approved in #5, #6 (m combines)"),
        (
            120,
            "survives salesforce:0035g00000Pq1WAAS — salesforce outranks hubspot    · also approved (m combines): 2 records in #5, #6",
        ),
        (
            160,
            "survives salesforce:0035g00000Pq1WAAS — salesforce outranks hubspot   · also approved (m combines): hubspot:8319986515 in #5, salesforce:0035g00000Pq1WAAS in #6",
        ),
    ] {
        let mut c = long_pair((w, 40));
        keys(&mut c, "\naa");
        assert_eq!(line(&c, 2), want, "{w}");
    }
    // Every field's lineage at 80×24 ends its line: each record by its source and both ends of
    // its id (cut in the middle if need be), whole where a single record leaves the room.
    let mut c = long_pair((80, 24));
    keys(&mut c, "\naa");
    let fields = c.app.review.as_ref().unwrap().fields.clone();
    let mut whole = 0;
    for field in fields {
        let r = c.app.review.as_ref().unwrap();
        assert_eq!(r.selected_field().as_deref(), Some(field.as_str()));
        let from = &r.golden.fields[&field].from;
        let detail = line(&c, 21);
        assert!(detail.starts_with(&format!("{field}: ")), "{detail}");
        let (_, lineage) = detail.split_once(" · from ").unwrap_or_else(|| panic!("{detail}"));
        let parts: Vec<&str> = lineage.split(", ").collect();
        assert_eq!(parts.len(), from.len(), "{detail}");
        for (part, key) in parts.iter().zip(from) {
            let id: Vec<char> = key.id.chars().collect();
            let (first, last): (String, String) =
                (id[..3].iter().collect(), id[id.len() - 3..].iter().collect());
            assert!(
                part.starts_with(&format!("{}:{first}", key.source)) && part.ends_with(&last),
                "{detail}"
            );
            whole += usize::from(*part == key.to_string());
        }
        keys(&mut c, "j");
    }
    assert!(whole >= 18, "only the two-record lineage is cut: {whole}");
}

/// A message wider than the screen takes the key hints' row too, cut at a word, so that its end
/// (what to do) shows at 80 columns; on a wide screen it stays on one line.
#[test]
fn a_long_message_takes_two_rows_when_it_must() {
    let text =
        "#117 not decided: rejected by bob at 21:10 since you opened it; shown as it is now, decide again";
    snap("long_message", |c| {
        keys(c, "\n");
        c.app.info(text);
    });
    let mut c = common::console(common::store(), (80, 24));
    keys(&mut c, "\n");
    c.app.info(text);
    let lines: Vec<String> = screen(&c).lines().map(str::to_string).collect();
    let n = lines.len();
    assert!(lines[n - 2]
        .contains("#117 not decided: rejected by bob at 21:10 since you opened it; shown as it is"));
    assert!(lines[n - 1].starts_with("\"now, decide again "), "{lines:?}");
    // Longer still, up to three rows: the end shows.
    c.app.error(
        "not rejected: #138, approved, merges 2 of its records; #139, approved, merges 2 of its records; \
         #140, approved, merges 2 of its records — undo #138, #139 and #140 first",
    );
    let lines: Vec<String> = screen(&c).lines().map(str::to_string).collect();
    assert!(lines[n - 3].starts_with("\"error: not rejected: #138"), "{lines:?}");
    assert!(
        lines[n - 2].ends_with("undo #138,   \"") && lines[n - 1].starts_with("\"#139 and #140 first "),
        "{lines:?}"
    );
}

/// The `#` prompt's hints say what Enter does there: open.
#[test]
fn the_go_to_prompt_says_enter_opens() {
    let mut c = common::console(common::store(), (80, 24));
    keys(&mut c, "#");
    let text = screen(&c);
    let hints = text.lines().rev().nth(1).unwrap();
    assert!(hints.contains("Enter open") && !hints.contains("keep"), "{hints}");
    assert!(text.lines().last().unwrap().contains("open candidate #"), "{text}");
}

/// The fixture with, first in the queue, a pair whose golden street is empty though the survivor
/// has one (#4: the address comes as a unit from the newer record, which has none), then a pair
/// of Salesforce records no survivor rule tells apart (#5: created the same day).
fn clears_and_ties(size: (u16, u16)) -> Console {
    use mergeq::store::NewCandidate;
    let mut store = common::store();
    let record = |source: &str, id: &str, fields: &[(&str, &str)], created: &str| mergeq::store::NewRecord {
        object: "contact".into(),
        key: mergeq::model::RecordKey::new(source, id),
        fields: fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        created: Some(created.into()),
        updated: Some(created.into()),
    };
    let isla = [("first_name", "Isla"), ("last_name", "Walker"), ("city", "Seattle"), ("postcode", "98101")];
    let brian = [("first_name", "Brian"), ("last_name", "Murphy"), ("phone", "+1 617 555 0101")];
    store
        .write(|tx| {
            let batch =
                tx.begin_batch(&mergeq::store::NewBatch::new("records", "t", "csv", common::AT, "t"))?;
            let add = |r: mergeq::store::NewRecord| tx.upsert_record(batch, &r).map(|(_, r)| r);
            let old = add(record(
                "hubspot",
                "91463",
                &[&isla[..], &[("street", "2210 Park Avenue S")]].concat(),
                "2022-11-22T00:00:00Z",
            ))?;
            let new = add(record(
                "hubspot",
                "99120",
                &[&isla[..], &[("state", "WA"), ("country", "US")]].concat(),
                "2024-05-01T00:00:00Z",
            ))?;
            let one = add(record("salesforce", "0035g000002MPszAAG", &brian, "2023-04-04T00:00:00Z"))?;
            let two = add(record("salesforce", "0035g000002MQa1AAG", &brian, "2023-04-04T00:00:00Z"))?;
            for (members, score) in [(vec![old, new], 0.999), (vec![one, two], 0.998)] {
                let c = NewCandidate {
                    object: "contact".into(),
                    members,
                    score,
                    origin: "test".into(),
                    reasons: vec![],
                };
                tx.upsert_candidate(Some(batch), common::AT, &c)?;
            }
            Ok(())
        })
        .unwrap();
    common::console(store, size)
}

/// An empty golden value where the survivor holds one says the merge clears it; a survivor no
/// rule chose is marked `!` (its reason cut at 80 columns keeps the mark).
#[test]
fn a_value_the_merge_clears_and_a_survivor_no_rule_chose_are_marked() {
    for (w, h) in SIZES {
        let mut c = clears_and_ties((w, h));
        keys(&mut c, "\n");
        assert_eq!(c.app.review.as_ref().unwrap().data.candidate.id, CandidateId(4));
        let text = screen(&c);
        assert!(text.contains("— clears"), "{text}");
        insta::assert_snapshot!(format!("review_clears_{w}x{h}"), text);
        keys(&mut c, "]");
        assert_eq!(c.app.review.as_ref().unwrap().data.candidate.id, CandidateId(5));
        let text = screen(&c);
        assert!(text.contains("— !no rule decides between 2 records"), "{text}");
        insta::assert_snapshot!(format!("review_survivor_tie_{w}x{h}"), text);
    }
}

/// The line under the table names a value only one record holds `only one`, as its row does, not
/// `agree` (which would read as corroborated).
#[test]
fn the_detail_line_names_a_lone_value_only_one() {
    let mut console = common::console(common::store(), (80, 24));
    keys(&mut console, "\n");
    for _ in 0..20 {
        if console.app.review.as_ref().unwrap().selected_field().as_deref() == Some("lifecycle") {
            break;
        }
        keys(&mut console, "j");
    }
    let screen = screen(&console);
    assert!(screen.contains("lifecycle: only one — only "), "{screen}");
}
