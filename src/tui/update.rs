//! `update(&mut App, Action) -> Effect`: every change of state, in one function per screen, with
//! no I/O. What must touch the workspace comes back as an `Effect` for `effects::run`.

use super::action::{Action, Loaded};
use super::app::{App, LineEdit, Prompt, PromptKind, QueueItem, ReviewData, ReviewState, Screen, BANDS};
use super::effects::{Anchor, Decision, Effect, Verdict};
use super::view::{queue as queue_view, review as review_view};
use crate::model::{Golden, Record, Status};

/// The most queue rows kept in memory: a few screens around the selection.
pub const WINDOW_MAX: usize = 240;
/// Rows read per page.
pub fn page_size(app: &App) -> usize {
    queue_view::visible_rows(app.size.1).max(20) * 2
}
/// Rows the mouse wheel moves.
const WHEEL: usize = 3;

/// Applies one action; returns the effect to run against the workspace.
pub fn update(app: &mut App, action: Action) -> Effect {
    match action {
        Action::Resize { width, height } => {
            app.size = (width, height);
            clamp_offsets(app);
            return Effect::None;
        }
        Action::Failed(text) => {
            app.error(text);
            return Effect::None;
        }
        Action::Loaded(loaded) => return loaded_into(app, loaded),
        Action::Quit => {
            app.quit = true;
            return Effect::SavePosition(app.position());
        }
        _ => {}
    }
    if app.prompt.is_some() {
        return prompt(app, action);
    }
    if app.help {
        // Any key closes the help; `?` and Esc are the ones it names.
        app.help = false;
        return Effect::None;
    }
    if action == Action::Help {
        app.help = true;
        return Effect::None;
    }
    match app.screen {
        Screen::Queue => queue(app, action),
        Screen::Review => review(app, action),
        Screen::Journal => journal(app, action),
    }
}

fn window(app: &App, anchor: Anchor) -> Effect {
    let n = page_size(app);
    Effect::LoadWindow { query: app.queue.query.clone(), anchor, before: n / 2, after: n }
}

fn reload_queue(app: &mut App) -> Effect {
    app.queue.selected = 0;
    app.queue.offset = 0;
    window(app, Anchor::Start)
}

fn cycle<T: Clone + PartialEq>(current: &Option<T>, all: &[T]) -> Option<T> {
    match current {
        None => all.first().cloned(),
        Some(c) => all.iter().position(|x| x == c).and_then(|i| all.get(i + 1)).cloned(),
    }
}

fn queue(app: &mut App, action: Action) -> Effect {
    let rows = queue_view::visible_rows(app.size.1);
    match action {
        Action::Down => move_queue(app, 1),
        Action::Up => move_queue(app, -1),
        Action::ScrollDown => move_queue(app, WHEEL as isize),
        Action::ScrollUp => move_queue(app, -(WHEEL as isize)),
        Action::PageDown => move_queue(app, rows.max(1) as isize),
        Action::PageUp => move_queue(app, -(rows.max(1) as isize)),
        Action::Top => {
            app.queue.offset = 0;
            window(app, Anchor::Start)
        }
        Action::Bottom => window(app, Anchor::End),
        Action::Click { row, .. } => {
            let Some(line) = (row as usize).checked_sub(queue_view::TOP as usize) else {
                return Effect::None;
            };
            let index = app.queue.offset + line;
            if line < rows && index < app.queue.rows.len() {
                app.queue.selected = index;
            }
            Effect::None
        }
        Action::Open => match app.queue.selected_item() {
            Some(item) => Effect::Open(item.id),
            None => Effect::None,
        },
        Action::Back => {
            app.status = None;
            Effect::None
        }
        Action::CycleStatus => {
            let statuses = [Status::Pending, Status::Deferred, Status::Approved, Status::Rejected];
            app.queue.query.status = cycle(&app.queue.query.status, &statuses);
            reload_queue(app)
        }
        Action::CycleObject => {
            app.queue.query.object = cycle(&app.queue.query.object, &app.queue.objects);
            reload_queue(app)
        }
        Action::CycleSource => {
            app.queue.query.source = cycle(&app.queue.query.source, &app.queue.sources);
            reload_queue(app)
        }
        Action::CycleBand => {
            app.queue.band = (app.queue.band + 1) % BANDS.len();
            let (_, min, below) = BANDS[app.queue.band];
            app.queue.query.score_min = min;
            app.queue.query.score_below = below;
            reload_queue(app)
        }
        Action::CycleSort => {
            app.queue.sort = app.queue.sort.next();
            app.queue.query.order = app.queue.sort.order();
            reload_queue(app)
        }
        Action::Search => {
            let text = app.queue.query.search.clone().unwrap_or_default();
            app.prompt = Some(Prompt { kind: PromptKind::Search, editor: LineEdit::new(&text) });
            Effect::None
        }
        Action::ShowJournal => show_journal(app),
        Action::Undo => Effect::Undo,
        _ => Effect::None,
    }
}

/// Moves the queue selection, asking for more rows when it nears an end of the window.
fn move_queue(app: &mut App, by: isize) -> Effect {
    let q = &mut app.queue;
    if q.rows.is_empty() {
        return Effect::None;
    }
    let last = q.rows.len() - 1;
    q.selected = q.selected.saturating_add_signed(by).min(last);
    clamp_offsets(app);
    let q = &app.queue;
    let margin = queue_view::visible_rows(app.size.1).max(1);
    let n = page_size(app);
    if by > 0 && !q.at_end && q.selected + margin >= q.rows.len() {
        if let Some(key) = q.last_key {
            return Effect::LoadMore { query: q.query.clone(), from: key, forward: true, limit: n };
        }
    }
    if by < 0 && !q.at_start && q.selected < margin {
        if let Some(key) = q.first_key {
            return Effect::LoadMore { query: q.query.clone(), from: key, forward: false, limit: n };
        }
    }
    Effect::None
}

/// Keeps each screen's selection inside what is drawn.
fn clamp_offsets(app: &mut App) {
    let rows = queue_view::visible_rows(app.size.1).max(1);
    let q = &mut app.queue;
    q.selected = q.selected.min(q.rows.len().saturating_sub(1));
    q.offset = keep_visible(q.selected, q.offset, rows);
    let table_rows = review_view::visible_rows(app.size.1).max(1);
    let width = app.size.0;
    if let Some(r) = app.review.as_mut() {
        let n = r.visible_fields().len();
        r.selected = r.selected.min(n.saturating_sub(1));
        r.offset = keep_visible(r.selected, r.offset, table_rows);
        let shown = review_view::member_columns(width, r.data.members.len()).max(1);
        r.member = r.member.min(r.data.members.len().saturating_sub(1));
        r.member_scroll = keep_visible(r.member, r.member_scroll, shown);
    }
}

fn keep_visible(selected: usize, offset: usize, rows: usize) -> usize {
    if selected < offset {
        selected
    } else if selected >= offset + rows {
        selected + 1 - rows
    } else {
        offset
    }
}

fn show_journal(app: &mut App) -> Effect {
    if app.screen != Screen::Journal {
        app.back_to = app.screen;
    }
    app.screen = Screen::Journal;
    app.journal_offset = 0;
    Effect::LoadJournal
}

fn review(app: &mut App, action: Action) -> Effect {
    let Some(r) = app.review.as_mut() else {
        app.screen = Screen::Queue;
        return Effect::None;
    };
    let page = review_view::visible_rows(app.size.1).max(1);
    let field = r.selected_field();
    let fields = r.visible_fields().len();
    match action {
        Action::Down => r.selected = (r.selected + 1).min(fields.saturating_sub(1)),
        Action::Up => r.selected = r.selected.saturating_sub(1),
        Action::ScrollDown => r.selected = (r.selected + WHEEL).min(fields.saturating_sub(1)),
        Action::ScrollUp => r.selected = r.selected.saturating_sub(WHEEL),
        Action::PageDown => r.selected = (r.selected + page).min(fields.saturating_sub(1)),
        Action::PageUp => r.selected = r.selected.saturating_sub(page),
        Action::Top => r.selected = 0,
        Action::Bottom => r.selected = fields.saturating_sub(1),
        Action::Left => r.member = r.member.saturating_sub(1),
        Action::Right => r.member = (r.member + 1).min(r.data.members.len().saturating_sub(1)),
        Action::Click { column, row } => {
            let hit = review_view::hit(app.size, r.data.members.len(), r.member_scroll, column, row);
            if let Some(line) = hit.row {
                if r.offset + line < fields {
                    r.selected = r.offset + line;
                }
            }
            if let Some(member) = hit.member {
                r.member = member;
            }
        }
        Action::PickMember(n) => {
            let (Some(field), Some((member, _))) = (field, r.data.members.get(n as usize - 1)) else {
                let count = r.data.members.len();
                app.error(format!("there is no record {n} (this candidate has {count})"));
                return Effect::None;
            };
            let key = member.key.clone();
            r.choices.picks.retain(|(f, _)| f != &field);
            r.choices.sets.retain(|(f, _)| f != &field);
            r.choices.picks.push((field.clone(), key.clone()));
            let text = format!("{field} taken from {key}");
            recompute(app, text);
        }
        Action::Edit => {
            if let Some(field) = field {
                let value = r.golden.fields.get(&field).and_then(|g| g.value.clone()).unwrap_or_default();
                app.prompt = Some(Prompt { kind: PromptKind::Edit(field), editor: LineEdit::new(&value) });
            }
        }
        Action::ResetField => {
            if let Some(field) = field {
                r.choices.picks.retain(|(f, _)| f != &field);
                r.choices.sets.retain(|(f, _)| f != &field);
                recompute(app, format!("{field} back to the rule's suggestion"));
            }
        }
        Action::MakeSurvivor => {
            if let Some((member, _)) = r.data.members.get(r.member) {
                let key = member.key.clone();
                r.choices.survivor = (key != r.data.suggestion.survivor).then(|| key.clone());
                recompute(app, format!("{key} survives"));
            }
        }
        Action::Approve => return decide(app, Verdict::Approve),
        Action::Reject => return decide(app, Verdict::Reject),
        Action::Defer => return decide(app, Verdict::Defer),
        Action::Note => {
            let note = r.note.clone().unwrap_or_default();
            app.prompt = Some(Prompt { kind: PromptKind::Note, editor: LineEdit::new(&note) });
        }
        Action::Undo => return Effect::Undo,
        Action::ToggleEqual => {
            r.hide_equal = !r.hide_equal;
            let at = field.and_then(|f| r.visible_fields().iter().position(|v| *v == f));
            r.selected = at.unwrap_or(0);
        }
        Action::NextCandidate | Action::PrevCandidate => {
            return Effect::OpenNeighbour {
                query: app.queue.query.clone(),
                key: r.data.key,
                forward: action == Action::NextCandidate,
                after_decision: false,
            };
        }
        Action::Back => {
            let key = r.data.key;
            app.screen = Screen::Queue;
            return Effect::Many(vec![Effect::LoadProgress, window(app, Anchor::At(key))]);
        }
        Action::ShowJournal => return show_journal(app),
        _ => {}
    }
    clamp_offsets(app);
    Effect::None
}

/// Applies the steward's choices over the suggestion again.
fn recompute(app: &mut App, message: String) {
    let Some(r) = app.review.as_mut() else { return };
    match golden_with(&r.data, &r.choices) {
        Ok(golden) => {
            r.golden = golden;
            app.info(message);
        }
        Err(e) => app.error(format!("{e:#}")),
    }
}

fn golden_with(data: &ReviewData, choices: &crate::model::Choices) -> anyhow::Result<Golden> {
    let mut golden = data.suggestion.clone();
    let records: Vec<Record> = data.members.iter().map(|(r, _)| r.clone()).collect();
    crate::survivorship::apply_choices(&mut golden, &records, choices)?;
    Ok(golden)
}

fn decide(app: &mut App, verdict: Verdict) -> Effect {
    let Some(r) = app.review.as_ref() else { return Effect::None };
    Effect::Decide(Decision {
        candidate: r.data.candidate.id,
        key: r.data.key,
        verdict,
        choices: r.choices.clone(),
        note: r.note.clone(),
        seen: r.data.seen.clone(),
    })
}

fn journal(app: &mut App, action: Action) -> Effect {
    let last = app.journal.entries.len().saturating_sub(1);
    match action {
        Action::Down | Action::ScrollDown => app.journal_offset = (app.journal_offset + 1).min(last),
        Action::Up | Action::ScrollUp => app.journal_offset = app.journal_offset.saturating_sub(1),
        Action::PageDown => app.journal_offset = (app.journal_offset + 10).min(last),
        Action::PageUp => app.journal_offset = app.journal_offset.saturating_sub(10),
        Action::Top => app.journal_offset = 0,
        Action::Bottom => app.journal_offset = last,
        Action::Back => {
            app.screen = app.back_to;
            if app.screen == Screen::Queue {
                let anchor = app.queue.selected_item().map(|i| Anchor::At(i.key)).unwrap_or(Anchor::Start);
                return Effect::Many(vec![Effect::LoadProgress, window(app, anchor)]);
            }
        }
        _ => {}
    }
    Effect::None
}

fn prompt(app: &mut App, action: Action) -> Effect {
    let Some(p) = app.prompt.as_mut() else { return Effect::None };
    match action {
        Action::Input(c) => p.editor.insert(c),
        Action::InputBackspace => p.editor.backspace(),
        Action::InputDelete => p.editor.delete(),
        Action::InputLeft => p.editor.left(),
        Action::InputRight => p.editor.right(),
        Action::InputHome => p.editor.home(),
        Action::InputEnd => p.editor.end(),
        Action::InputCancel => app.prompt = None,
        Action::InputCommit => {
            let Some(Prompt { kind, editor }) = app.prompt.take() else { return Effect::None };
            let text = editor.text;
            match kind {
                PromptKind::Search => {
                    app.queue.query.search = Some(text).filter(|t| !t.is_empty());
                    return reload_queue(app);
                }
                PromptKind::Note => {
                    if let Some(r) = app.review.as_mut() {
                        r.note = Some(text).filter(|t| !t.trim().is_empty());
                        let said =
                            if r.note.is_some() { "note kept for the decision" } else { "note removed" };
                        app.info(said);
                    }
                }
                PromptKind::Edit(field) => {
                    if let Some(r) = app.review.as_mut() {
                        r.choices.picks.retain(|(f, _)| f != &field);
                        r.choices.sets.retain(|(f, _)| f != &field);
                        r.choices.sets.push((field.clone(), Some(text).filter(|t| !t.is_empty())));
                        recompute(app, format!("{field} edited"));
                    }
                }
            }
        }
        _ => {}
    }
    Effect::None
}

/// Chooses the rows of a freshly read page for the screen: conflicts sort within the page.
fn arrange(app: &App, mut rows: Vec<QueueItem>) -> Vec<QueueItem> {
    if app.queue.sort == super::app::Sort::Conflicts {
        rows.sort_by_key(|r| std::cmp::Reverse(r.conflicts));
    }
    rows
}

fn loaded_into(app: &mut App, loaded: Loaded) -> Effect {
    match loaded {
        Loaded::Window { rows, select, at_start, at_end } => {
            let line = app.queue.selected.saturating_sub(app.queue.offset);
            let q = &mut app.queue;
            q.first_key = rows.first().map(|r| r.key);
            q.last_key = rows.last().map(|r| r.key);
            q.at_start = at_start;
            q.at_end = at_end;
            q.loaded = true;
            let rows = arrange(app, rows);
            let q = &mut app.queue;
            q.rows = rows;
            q.selected = select.and_then(|id| q.rows.iter().position(|r| r.id == id)).unwrap_or(0);
            q.offset = q.selected.saturating_sub(line);
            clamp_offsets(app);
        }
        Loaded::More { rows, forward, reached_end } => {
            if rows.is_empty() {
                if forward {
                    app.queue.at_end = true;
                } else {
                    app.queue.at_start = true;
                }
                return Effect::None;
            }
            let (first, last) = (rows.first().map(|r| r.key), rows.last().map(|r| r.key));
            let rows = arrange(app, rows);
            let q = &mut app.queue;
            if forward {
                q.last_key = last;
                q.at_end = reached_end;
                q.rows.extend(rows);
                let extra = q.rows.len().saturating_sub(WINDOW_MAX);
                if extra > 0 {
                    q.rows.drain(..extra);
                    q.selected = q.selected.saturating_sub(extra);
                    q.offset = q.offset.saturating_sub(extra);
                    q.first_key = q.rows.first().map(|r| r.key);
                    q.at_start = false;
                }
            } else {
                q.first_key = first;
                q.at_start = reached_end;
                let added = rows.len();
                q.rows.splice(0..0, rows);
                q.selected += added;
                q.offset += added;
                if q.rows.len() > WINDOW_MAX {
                    q.rows.truncate(WINDOW_MAX);
                    q.last_key = q.rows.last().map(|r| r.key);
                    q.at_end = false;
                }
            }
            clamp_offsets(app);
        }
        Loaded::Progress(p) => app.progress = p,
        Loaded::Facets { objects, sources } => {
            app.queue.objects = objects;
            app.queue.sources = sources;
        }
        Loaded::Candidate(data) => open_review(app, *data),
        Loaded::NoCandidate { message, leave } => {
            app.info(message);
            if app.screen == Screen::Review && (leave || app.review.is_none()) {
                let anchor = app.review.as_ref().map(|r| Anchor::At(r.data.key)).unwrap_or(Anchor::Start);
                app.screen = Screen::Queue;
                return window(app, anchor);
            }
        }
        Loaded::Decided { message, key } => {
            // Shown as done only now, after the journal committed it.
            app.info(message);
            return Effect::Many(vec![
                Effect::LoadProgress,
                Effect::OpenNeighbour {
                    query: app.queue.query.clone(),
                    key,
                    forward: true,
                    after_decision: true,
                },
            ]);
        }
        Loaded::Undone { message, candidate } => {
            app.info(message);
            let mut effects = vec![Effect::LoadProgress];
            match (app.screen, candidate) {
                (Screen::Review, Some(id)) => effects.push(Effect::Open(id)),
                (Screen::Queue, _) => {
                    let anchor =
                        app.queue.selected_item().map(|i| Anchor::At(i.key)).unwrap_or(Anchor::Start);
                    effects.push(window(app, anchor));
                }
                _ => {}
            }
            return Effect::Many(effects);
        }
        Loaded::Journal(view) => app.journal = view,
    }
    Effect::None
}

fn open_review(app: &mut App, data: ReviewData) {
    let hide_equal = app.review.as_ref().is_some_and(|r| r.hide_equal);
    let mut fields: Vec<String> = data.members.iter().flat_map(|(r, _)| r.fields.keys().cloned()).collect();
    fields.extend(data.suggestion.fields.keys().cloned());
    fields.sort();
    fields.dedup();
    let golden = data.suggestion.clone();
    app.review = Some(ReviewState {
        data,
        choices: Default::default(),
        golden,
        fields,
        selected: 0,
        offset: 0,
        member: 0,
        member_scroll: 0,
        hide_equal,
        note: None,
    });
    app.screen = Screen::Review;
    clamp_offsets(app);
}
