//! The queue window pages through the workspace: moving the selection over every candidate, down
//! and back up, visits each exactly once and in queue order, while the window stays small.

use mergeq::model::Fields;
use mergeq::store::{BulkPair, BulkRecord, QueueFilter, Store};
use mergeq::tui::effects::Workspace;
use mergeq::tui::update::WINDOW_MAX;
use mergeq::tui::view::theme::Theme;
use mergeq::tui::Console;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const N: u64 = 700;

fn store() -> Store {
    store_where(N, |_| false)
}

/// `n` pairs; those that `conflicting` picks disagree on a city that no rule can choose from.
fn store_where(n: u64, conflicting: impl Fn(u64) -> bool) -> Store {
    let mut store = Store::in_memory().unwrap();
    let record = |source: &str, i: u64| {
        let mut fields: Fields = [("name".to_string(), format!("Person {i}"))].into_iter().collect();
        if conflicting(i) {
            fields.insert("city".into(), format!("{source} town"));
        }
        BulkRecord {
            source: source.into(),
            id: i.to_string(),
            fields,
            created: "2024-01-01T00:00:00Z".into(),
            updated: "2024-01-01T00:00:00Z".into(),
        }
    };
    // Scores repeat (ties are ordered by id) and are not in id order.
    let pairs = (0..n).map(|i| BulkPair {
        left: record("a", i),
        right: record("b", i),
        score: 0.5 + ((i * 37) % 50) as f64 / 100.0,
    });
    store.bulk_pairs("contact", "2026-01-01T00:00:00Z", pairs).unwrap();
    store
}

fn press(c: &mut Console, code: KeyCode) {
    c.key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn selected(c: &Console) -> i64 {
    c.app.queue.selected_item().unwrap().id.0
}

#[test]
fn moving_visits_every_candidate_once_in_order() {
    let store = store();
    let want: Vec<i64> = store.queue(&QueueFilter::default()).unwrap().iter().map(|c| c.id.0).collect();
    assert_eq!(want.len(), N as usize);
    let mut c = Console::open(Workspace::new(store, "ann"), "paging", (80, 24), Theme::COLOR);
    let mut seen = vec![selected(&c)];
    for _ in 1..N {
        press(&mut c, KeyCode::Char('j'));
        seen.push(selected(&c));
        assert!(c.app.queue.rows.len() <= WINDOW_MAX);
    }
    assert_eq!(seen, want, "down");
    press(&mut c, KeyCode::Char('j'));
    assert_eq!(selected(&c), want[want.len() - 1], "the last stays selected");
    let mut back = vec![selected(&c)];
    for _ in 1..N {
        press(&mut c, KeyCode::Char('k'));
        back.push(selected(&c));
    }
    back.reverse();
    assert_eq!(back, want, "up");
    press(&mut c, KeyCode::Char('G'));
    assert_eq!(selected(&c), want[want.len() - 1]);
    press(&mut c, KeyCode::PageUp);
    press(&mut c, KeyCode::Char('g'));
    assert_eq!(selected(&c), want[0]);
    let mut paged = 0;
    while selected(&c) != want[want.len() - 1] {
        press(&mut c, KeyCode::PageDown);
        paged += 1;
        assert!(paged < 100);
    }
    assert_eq!(paged, (N as usize - 1).div_ceil(19), "19 rows per screen at 80×24");
}

/// `G` shows the last screenful of the queue, not its last row alone at the top of the screen.
#[test]
fn the_end_of_the_queue_fills_the_screen() {
    let mut c = Console::open(Workspace::new(store(), "ann"), "paging", (80, 24), Theme::COLOR);
    press(&mut c, KeyCode::Char('G'));
    let q = &c.app.queue;
    assert_eq!(q.selected, q.rows.len() - 1);
    assert_eq!(q.offset, q.rows.len() - 19, "19 rows per screen at 80×24, the last one selected");
    // A taller terminal shows more of the rows above, not empty lines below.
    c.dispatch(mergeq::tui::action::Action::Resize { width: 80, height: 40 });
    let q = &c.app.queue;
    assert_eq!(q.offset, q.rows.len() - 35);
}

/// Sorting by conflicts puts the candidates with conflicts at the top of the screen, selected:
/// none of them is hidden above the first row drawn.
#[test]
fn sorting_by_conflicts_starts_at_the_most_conflicted() {
    let store = store_where(30, |i| i % 10 == 3);
    let mut c = Console::open(Workspace::new(store, "ann"), "paging", (80, 24), Theme::COLOR);
    assert_eq!(c.app.queue.rows[0].conflicts, 0, "the best score has no conflict");
    press(&mut c, KeyCode::Char('s'));
    let q = &c.app.queue;
    assert_eq!(q.sort, mergeq::tui::app::Sort::Conflicts);
    assert_eq!((q.selected, q.offset), (0, 0));
    let conflicts: Vec<usize> = q.rows.iter().map(|r| r.conflicts).collect();
    assert_eq!(conflicts[..4], [1, 1, 1, 0], "{conflicts:?}");
    press(&mut c, KeyCode::Char('G'));
    press(&mut c, KeyCode::Char('g'));
    let q = &c.app.queue;
    assert_eq!((q.selected, q.offset, q.rows[0].conflicts), (0, 0, 1));
}
