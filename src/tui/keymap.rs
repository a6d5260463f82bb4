//! The one table of keys → actions. Key handling, the footer hints and the `?` help overlay all
//! read it, so the help can never disagree with what a key does.

use super::action::Action;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Queue,
    Review,
    Journal,
    Dashboard,
    Why,
    /// A text prompt is open (edit, note, search): printable keys type.
    Prompt,
}

impl Context {
    pub fn title(self) -> &'static str {
        match self {
            Context::Queue => "Queue",
            Context::Review => "Review",
            Context::Journal => "Journal",
            Context::Dashboard => "Dashboard",
            Context::Why => "Why proposed",
            Context::Prompt => "Editing a value, a note or a search",
        }
    }
}

/// A key as the table names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Code(KeyCode),
    /// Any of `1`–`9`; the action gets the digit.
    Digits,
    /// The letter with Ctrl held.
    Ctrl(char),
}

/// One line of the table.
#[derive(Debug)]
pub struct Binding {
    pub contexts: &'static [Context],
    pub keys: &'static [Key],
    pub action: Action,
    /// The footer's short label; empty for bindings the footer leaves out.
    pub hint: &'static str,
    /// The help overlay's line.
    pub help: &'static str,
}

use Context::{Dashboard as D, Journal as J, Prompt as P, Queue as Q, Review as R, Why as W};
use Key::{Char as C, Code};

const ALL: &[Context] = &[Q, R, J, D, W];

/// The keymap. Order matters for the footer: hints are shown in this order while they fit.
#[rustfmt::skip]
pub static BINDINGS: &[Binding] = &[
    Binding { contexts: &[Q], keys: &[Code(KeyCode::Enter)], action: Action::Open, hint: "open", help: "open the candidate" },
    Binding { contexts: &[R], keys: &[Key::Digits], action: Action::PickMember(0), hint: "pick", help: "take that record's value" },
    Binding { contexts: &[R], keys: &[C('e')], action: Action::Edit, hint: "edit", help: "edit the golden value" },
    Binding { contexts: &[R], keys: &[C('a')], action: Action::Approve, hint: "approve", help: "approve: merge them" },
    Binding { contexts: &[R], keys: &[C('x')], action: Action::Reject, hint: "reject", help: "reject: not duplicates" },
    Binding { contexts: &[R], keys: &[C('d')], action: Action::Defer, hint: "defer", help: "defer: decide later" },
    Binding { contexts: &[R], keys: &[C('s')], action: Action::MakeSurvivor, hint: "survivor", help: "selected record survives" },
    Binding { contexts: &[R], keys: &[C('r')], action: Action::ResetField, hint: "reset", help: "field back to its rule" },
    Binding { contexts: &[R], keys: &[C('n')], action: Action::Note, hint: "note", help: "note for the decision" },
    Binding { contexts: &[R], keys: &[C('=')], action: Action::ToggleEqual, hint: "equal", help: "hide/show equal rows" },
    Binding { contexts: &[R], keys: &[C('m')], action: Action::Combine, hint: "", help: "combine with overlaps" },
    Binding { contexts: &[Q], keys: &[C('/')], action: Action::Search, hint: "search", help: "search field values" },
    Binding { contexts: &[Q, R], keys: &[C('#')], action: Action::GoTo, hint: "", help: "open candidate by number" },
    Binding { contexts: &[Q], keys: &[C('f')], action: Action::CycleStatus, hint: "status", help: "filter by status" },
    Binding { contexts: &[Q], keys: &[C('o')], action: Action::CycleObject, hint: "object", help: "filter by object" },
    Binding { contexts: &[Q], keys: &[C('c')], action: Action::CycleSource, hint: "source", help: "filter by source" },
    Binding { contexts: &[Q], keys: &[C('b')], action: Action::CycleBand, hint: "band", help: "filter by score band" },
    Binding { contexts: &[Q], keys: &[C('s')], action: Action::CycleSort, hint: "sort", help: "sort: score, conflicts, age" },
    Binding { contexts: &[Q], keys: &[C('u')], action: Action::Undo, hint: "undo", help: "undo the latest decision" },
    Binding { contexts: &[R], keys: &[C('u')], action: Action::Undo, hint: "undo", help: "undo its decision or latest" },
    Binding { contexts: &[Q, R], keys: &[C('A')], action: Action::ApproveInside, hint: "", help: "approve all inside approval" },
    Binding { contexts: &[R], keys: &[C(']')], action: Action::NextCandidate, hint: "next", help: "next candidate" },
    Binding { contexts: &[R], keys: &[C('[')], action: Action::PrevCandidate, hint: "prev", help: "previous, or just decided" },
    Binding { contexts: &[Q, R], keys: &[C('J')], action: Action::ShowJournal, hint: "journal", help: "journal, sign-off state" },
    Binding { contexts: &[R], keys: &[C('w')], action: Action::ShowWhy, hint: "why", help: "why proposed: every reason" },
    Binding { contexts: &[Q, R], keys: &[C('D')], action: Action::ShowDashboard, hint: "dashboard", help: "dashboard of figures" },
    Binding { contexts: ALL, keys: &[C('?')], action: Action::Help, hint: "help", help: "this help" },
    Binding { contexts: ALL, keys: &[Code(KeyCode::Esc)], action: Action::Back, hint: "back", help: "back (queue: clear message)" },
    Binding { contexts: ALL, keys: &[C('q')], action: Action::Quit, hint: "quit", help: "quit (your place is kept)" },
    Binding { contexts: ALL, keys: &[C('j'), Code(KeyCode::Down)], action: Action::Down, hint: "", help: "move down" },
    Binding { contexts: ALL, keys: &[C('k'), Code(KeyCode::Up)], action: Action::Up, hint: "", help: "move up" },
    Binding { contexts: &[R], keys: &[C('h'), Code(KeyCode::Left)], action: Action::Left, hint: "", help: "select record on the left" },
    Binding { contexts: &[R], keys: &[C('l'), Code(KeyCode::Right)], action: Action::Right, hint: "", help: "select record on the right" },
    Binding { contexts: ALL, keys: &[Code(KeyCode::PageDown)], action: Action::PageDown, hint: "", help: "one screen down" },
    Binding { contexts: ALL, keys: &[Code(KeyCode::PageUp)], action: Action::PageUp, hint: "", help: "one screen up" },
    Binding { contexts: ALL, keys: &[C('g'), Code(KeyCode::Home)], action: Action::Top, hint: "", help: "first row" },
    Binding { contexts: ALL, keys: &[C('G'), Code(KeyCode::End)], action: Action::Bottom, hint: "", help: "last row" },
    Binding { contexts: &[P], keys: &[Code(KeyCode::Enter)], action: Action::InputCommit, hint: "keep", help: "keep the text" },
    Binding { contexts: &[P], keys: &[Code(KeyCode::Esc)], action: Action::InputCancel, hint: "cancel", help: "cancel" },
    Binding { contexts: &[P], keys: &[Code(KeyCode::Backspace)], action: Action::InputBackspace, hint: "", help: "delete before the cursor" },
    Binding { contexts: &[P], keys: &[Code(KeyCode::Delete)], action: Action::InputDelete, hint: "", help: "delete at the cursor" },
    Binding { contexts: &[P], keys: &[Key::Ctrl('u')], action: Action::InputDeleteToStart, hint: "", help: "delete all before the cursor" },
    Binding { contexts: &[P], keys: &[Code(KeyCode::Left)], action: Action::InputLeft, hint: "", help: "cursor left" },
    Binding { contexts: &[P], keys: &[Code(KeyCode::Right)], action: Action::InputRight, hint: "", help: "cursor right" },
    Binding { contexts: &[P], keys: &[Code(KeyCode::Home)], action: Action::InputHome, hint: "", help: "start of the text" },
    Binding { contexts: &[P], keys: &[Code(KeyCode::End)], action: Action::InputEnd, hint: "", help: "end of the text" },
];

/// Mouse use, for the help overlay (the mouse is not a key, but the help lists it too).
pub const MOUSE_HELP: &str = "mouse: click selects, wheel scrolls";

fn key_matches(key: Key, code: KeyCode, ctrl: bool) -> Option<u8> {
    match (key, code) {
        (Key::Ctrl(k), KeyCode::Char(c)) if ctrl && k == c => Some(0),
        _ if ctrl => None,
        (Key::Char(k), KeyCode::Char(c)) if k == c => Some(0),
        (Key::Code(k), c) if k == c => Some(0),
        (Key::Digits, KeyCode::Char(c @ '1'..='9')) => Some(c as u8 - b'0'),
        _ => None,
    }
}

/// Ctrl-C: quits from every context, the help overlay and prompts included.
pub fn is_interrupt(event: KeyEvent) -> bool {
    event.modifiers.contains(KeyModifiers::CONTROL) && event.code == KeyCode::Char('c')
}

/// The action a key press means in this context, if any.
pub fn lookup(context: Context, event: KeyEvent) -> Option<Action> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    if is_interrupt(event) {
        return Some(Action::Quit);
    }
    for b in BINDINGS.iter().filter(|b| b.contexts.contains(&context)) {
        for key in b.keys {
            if let Some(digit) = key_matches(*key, event.code, ctrl) {
                return Some(match b.action {
                    Action::PickMember(_) => Action::PickMember(digit),
                    ref other => other.clone(),
                });
            }
        }
    }
    match (context, event.code) {
        (Context::Prompt, KeyCode::Char(c)) if !ctrl => Some(Action::Input(c)),
        _ => None,
    }
}

/// The first key bound to `action` in `context`, as the footer writes it (for screens that name
/// a key in their text, such as the review's `… w: all`).
pub fn key_for(context: Context, action: &Action) -> Option<String> {
    BINDINGS
        .iter()
        .find(|b| b.contexts.contains(&context) && b.action == *action)
        .map(|b| key_label(b.keys[0]))
}

/// How a key is written in the footer and the help.
pub fn key_label(key: Key) -> String {
    match key {
        Key::Char(' ') => "Space".into(),
        Key::Char(c) => c.to_string(),
        Key::Digits => "1-9".into(),
        Key::Ctrl(c) => format!("Ctrl-{}", c.to_ascii_uppercase()),
        Key::Code(code) => match code {
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::Backspace => "Bksp".into(),
            KeyCode::Delete => "Del".into(),
            other => format!("{other}"),
        },
    }
}

/// All keys of a binding, e.g. `j ↓`.
pub fn keys_label(b: &Binding) -> String {
    b.keys.iter().map(|k| key_label(*k)).collect::<Vec<_>>().join(" ")
}

/// The footer's hints for a context: (first key, label), in table order.
pub fn hints(context: Context) -> Vec<(String, &'static str)> {
    BINDINGS
        .iter()
        .filter(|b| b.contexts.contains(&context) && !b.hint.is_empty())
        .map(|b| (key_label(b.keys[0]), b.hint))
        .collect()
}

/// The help overlay's lines for a context: (keys, what they do).
pub fn help(context: Context) -> Vec<(String, &'static str)> {
    BINDINGS.iter().filter(|b| b.contexts.contains(&context)).map(|b| (keys_label(b), b.help)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn keys_resolve_per_context() {
        let cases = [
            (Context::Queue, KeyCode::Char('j'), Some(Action::Down)),
            (Context::Review, KeyCode::Down, Some(Action::Down)),
            (Context::Review, KeyCode::Char('3'), Some(Action::PickMember(3))),
            (Context::Queue, KeyCode::Char('3'), None),
            (Context::Queue, KeyCode::Char('s'), Some(Action::CycleSort)),
            (Context::Review, KeyCode::Char('s'), Some(Action::MakeSurvivor)),
            (Context::Review, KeyCode::Char('J'), Some(Action::ShowJournal)),
            (Context::Prompt, KeyCode::Char('q'), Some(Action::Input('q'))),
            (Context::Prompt, KeyCode::Enter, Some(Action::InputCommit)),
            (Context::Journal, KeyCode::Esc, Some(Action::Back)),
            (Context::Review, KeyCode::Char(']'), Some(Action::NextCandidate)),
            (Context::Review, KeyCode::Char('w'), Some(Action::ShowWhy)),
            (Context::Why, KeyCode::Char('G'), Some(Action::Bottom)),
            (Context::Why, KeyCode::Esc, Some(Action::Back)),
            (Context::Queue, KeyCode::Char('w'), None),
        ];
        for (context, code, want) in cases {
            assert_eq!(lookup(context, press(code)), want, "{context:?} {code:?}");
        }
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(lookup(Context::Prompt, ctrl_c), Some(Action::Quit));
        let shift_j = KeyEvent::new(KeyCode::Char('J'), KeyModifiers::SHIFT);
        assert_eq!(lookup(Context::Queue, shift_j), Some(Action::ShowJournal));
        // Ctrl-U empties a prompt before the cursor; other Ctrl keys type nothing and do nothing.
        let ctrl = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
        assert_eq!(lookup(Context::Prompt, ctrl('u')), Some(Action::InputDeleteToStart));
        assert_eq!(lookup(Context::Prompt, ctrl('j')), None);
        assert_eq!(lookup(Context::Queue, ctrl('j')), None, "not a plain j");
        assert_eq!(lookup(Context::Queue, ctrl('u')), None);
        assert!(help(Context::Prompt)
            .iter()
            .any(|(k, h)| k == "Ctrl-U" && *h == "delete all before the cursor"));
    }

    #[test]
    fn ctrl_u_deletes_everything_before_the_cursor() {
        let mut e = crate::tui::app::LineEdit::new("Müller Ltd");
        e.left();
        e.left();
        e.delete_to_start();
        assert_eq!((e.text.as_str(), e.cursor), ("td", 0));
        e.end();
        e.delete_to_start();
        assert_eq!((e.text.as_str(), e.cursor), ("", 0));
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        for context in [
            Context::Queue,
            Context::Review,
            Context::Journal,
            Context::Dashboard,
            Context::Why,
            Context::Prompt,
        ] {
            let mut seen = Vec::new();
            for b in BINDINGS.iter().filter(|b| b.contexts.contains(&context)) {
                for k in b.keys {
                    assert!(!seen.contains(k), "{k:?} bound twice in {context:?}");
                    seen.push(*k);
                }
            }
        }
    }

    #[test]
    fn every_key_the_issue_names_is_in_the_help() {
        let review: Vec<String> = help(Context::Review).into_iter().map(|(k, _)| k).collect();
        for k in [
            "j ↓", "k ↑", "1-9", "e", "r", "s", "a", "x", "d", "n", "u", "]", "[", "J", "D", "?", "q", "Esc",
            "=", "w",
        ] {
            assert!(review.iter().any(|l| l == k), "review help lacks {k}");
        }
        let queue: Vec<String> = help(Context::Queue).into_iter().map(|(k, _)| k).collect();
        for k in ["Enter", "/", "f", "o", "c", "b", "s", "J", "D", "?", "q"] {
            assert!(queue.iter().any(|l| l == k), "queue help lacks {k}");
        }
    }
}
