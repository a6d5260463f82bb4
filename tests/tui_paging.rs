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
    let mut store = Store::in_memory().unwrap();
    let record = |source: &str, i: u64| {
        let fields: Fields = [("name".to_string(), format!("Person {i}"))].into_iter().collect();
        BulkRecord {
            source: source.into(),
            id: i.to_string(),
            fields,
            created: "2024-01-01T00:00:00Z".into(),
            updated: "2024-01-01T00:00:00Z".into(),
        }
    };
    // Scores repeat (ties are ordered by id) and are not in id order.
    let pairs = (0..N).map(|i| BulkPair {
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
