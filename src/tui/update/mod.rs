//! `update(&mut App, Action) -> Effect`: every change of state, in one function per screen, with
//! no I/O. What must touch the workspace comes back as an `Effect` for `effects::run`.

mod loaded;
mod review;

use super::action::Action;
use super::app::{App, LineEdit, Opened, Prompt, PromptKind, Screen, BANDS, SETTLE};
use super::effects::{Anchor, Effect};
use super::keymap::{self, Context};
use super::view::{
    dashboard as dashboard_view, journal as journal_view, queue as queue_view, review as review_view,
    why as why_view,
};
use crate::model::{CandidateId, Status};
use crate::text::visible;

/// The most queue rows kept in memory: a few screens around the selection.
pub const WINDOW_MAX: usize = 240;
/// Rows read per page.
pub fn page_size(app: &App) -> usize {
    queue_view::visible_rows(app.size.1).max(20) * 2
}
/// Rows the mouse wheel moves.
pub(super) const WHEEL: usize = 3;

/// Applies one action; returns the effect to run against the workspace. When it changes the
/// review's picks, edits or note, the place is saved with them (a crash does not lose them).
pub fn update(app: &mut App, action: Action) -> Effect {
    let before = app.review.as_ref().map(|r| (r.data.candidate.id, r.choices.clone(), r.note.clone()));
    let effect = apply(app, action);
    let changed = match (&before, &app.review) {
        (Some((id, choices, note)), Some(r)) => {
            *id == r.data.candidate.id && (*choices != r.choices || *note != r.note)
        }
        _ => false,
    };
    match changed && !app.quit {
        true => Effect::Many(vec![effect, Effect::SavePlace(app.position())]),
        false => effect,
    }
}

fn apply(app: &mut App, action: Action) -> Effect {
    if too_soon(app, &action) {
        return Effect::None;
    }
    // A second press of an action that asked for one confirms it. Any other key only cancels the
    // question: a steward who meant "no" must not find that key's own action done (a `d` after
    // "a again approves" deferring the candidate). Quitting (Ctrl-C too) still quits.
    if !matches!(
        action,
        Action::Resize { .. } | Action::Failed(_) | Action::Loaded(_) | Action::Tick | Action::Terminate
    ) {
        let armed = app.armed.take();
        app.confirmed = armed.is_some() && armed.as_ref() == Some(&action);
        let picks = std::mem::take(&mut app.armed_picks) && matches!(action, Action::PickMember(_));
        let survivor = std::mem::take(&mut app.armed_survivor) && action == Action::MakeSurvivor;
        if armed.is_some() && !app.confirmed && action != Action::Quit && !picks && !survivor {
            app.cancel_question();
            return Effect::None;
        }
    }
    match action {
        Action::Resize { width, height } => {
            app.size = (width, height);
            clamp_offsets(app);
            // A taller screen may show more rows than the window holds.
            let q = &app.queue;
            if app.screen == Screen::Queue && !q.at_end && q.rows.len() < queue_view::visible_rows(height) {
                if let Some(key) = q.last_key {
                    let limit = page_size(app);
                    return Effect::LoadMore { query: q.query.clone(), from: key, forward: true, limit };
                }
            }
            return Effect::None;
        }
        Action::Failed(text) => {
            app.error(text);
            return Effect::None;
        }
        Action::Loaded(result) => return loaded::loaded_into(app, result),
        // Not a key: nothing on screen changes unless the workspace did.
        Action::Tick => return Effect::CheckWrites,
        Action::Terminate => {
            app.quit = true;
            return Effect::SavePosition(app.position());
        }
        Action::Quit => {
            if quitting_unsaved(app) {
                return Effect::None;
            }
            app.quit = true;
            // Undecided picks, edits and note go with the place, as after a crash: the next
            // console puts them back ("q again quits; your picks … are kept for next time").
            return Effect::SavePosition(app.position());
        }
        // A steward's key press or click: the status line said what the last one did, and would
        // mislead once the screen moves on (a "nothing to combine with #4" over candidate #134).
        // What this action does says its own; an offer it made (`A approves …`) goes with it.
        _ => {
            app.status = None;
            if action != Action::ApproveInside {
                app.inside_of = None;
            }
        }
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
        Screen::Review => review::review(app, action),
        Screen::Journal => journal(app, action),
        Screen::Dashboard => dashboard(app, action),
        Screen::Why => why(app, action),
    }
}

/// Whether `action` is a decision key pressed on a candidate a key's effect opened (a decision,
/// an undo, a refusal's reload) before the steward could have seen it (`SETTLE`): dropped, said
/// the first time. A double tap of `a` would otherwise approve the next candidate, on screen for a
/// millisecond. Each key dropped starts the wait again: a held key (auto-repeat, every ~33 ms)
/// decides nothing until it is let go and pressed again.
fn too_soon(app: &mut App, action: &Action) -> bool {
    let Some(j) = app.just_decided.as_mut() else { return false };
    if app.now.saturating_duration_since(j.at) >= SETTLE {
        return false;
    }
    let decision = match action {
        Action::Approve | Action::Reject | Action::Defer | Action::ApproveInside => true,
        // `u u`: the second `u` would undo the decision before the one the first reopened.
        Action::Undo => j.why == Opened::Undone,
        _ => false,
    };
    let opened = app.review.as_ref().map(|r| r.data.candidate.id).filter(|id| Some(*id) == j.opened);
    let (Some(id), true, Screen::Review, None) = (opened, decision, app.screen, &app.prompt) else {
        return false;
    };
    j.at = app.now;
    if !std::mem::replace(&mut j.said, true) {
        let key = keymap::key_for(Context::Review, action).unwrap_or_default();
        let ignored = match j.why {
            Opened::Reloaded => format!("{key} ignored: #{id} reloaded, look again"),
            Opened::Decided(_) | Opened::Undone => format!("{key} ignored: #{id} just opened"),
        };
        // What opened it stays in front (a decision's message, a refusal): it says what the
        // first press did.
        match app.status.as_mut() {
            Some(done) => done.text = format!("{} · {ignored}", done.text),
            None => app.info(ignored),
        }
    }
    true
}

/// Before leaving a candidate under review with choices no decision holds: asks for `key` again
/// (true) unless this is that second press. Nothing is dropped silently.
pub(super) fn leaving_unsaved(app: &mut App, action: Action, key: &str, does: &str) -> bool {
    if app.confirmed {
        return false;
    }
    let Some(r) = app.review.as_ref() else { return false };
    let Some(what) = r.unsaved() else { return false };
    let id = r.data.candidate.id;
    let them = if what == "a note" { "it" } else { "them" };
    app.arm(action, format!("#{id} has {what} not decided yet: {key} again {does} and drops {them}"));
    true
}

/// Before quitting with choices no decision holds: asks for `q` again (true) unless this is that
/// second press, saying that they are kept (saved with the place, put back by the next console).
fn quitting_unsaved(app: &mut App) -> bool {
    if app.confirmed {
        return false;
    }
    let Some(r) = app.review.as_ref() else { return false };
    let Some(what) = r.unsaved() else { return false };
    let kept = match what {
        "a note" => "your note is",
        "picks or edits" => "your picks and edits are",
        _ => "your picks, edits and note are",
    };
    let id = r.data.candidate.id;
    app.arm(
        Action::Quit,
        format!("#{id} has {what} not decided yet: q again quits; {kept} kept for next time"),
    );
    true
}

/// The queue read again around the selected row (rows' statuses may have changed).
pub(super) fn window_at_selection(app: &App) -> Effect {
    window(app, app.queue.selected_item().map(|i| Anchor::At(i.key)).unwrap_or(Anchor::Start))
}

pub(super) fn window(app: &App, anchor: Anchor) -> Effect {
    let n = page_size(app);
    Effect::LoadWindow { query: app.queue.query.clone(), anchor, before: n / 2, after: n }
}

/// `u`: the latest decision is undone when it is the steward's own; another steward's is named
/// first and undone by a second `u` (the entry then named, not whatever is latest by then).
pub(super) fn undo(app: &mut App) -> Effect {
    let confirmed = app.undo_asked.take().filter(|_| app.confirmed);
    Effect::Undo(confirmed)
}

/// `A`: approves the undecided candidates inside `holder` (the approved candidate selected, or the
/// one holding the selected candidate), else inside the approval just made.
pub(super) fn approve_inside(app: &mut App, holder: Option<CandidateId>) -> Effect {
    match holder.or(app.inside_of) {
        Some(holder) => Effect::ApproveInside(holder),
        None => {
            app.info(
                "A approves the undecided candidates inside an approved one: select one, or one inside it",
            );
            Effect::None
        }
    }
}

/// `#`: asks for a candidate's number (after asking again when the review holds unsaved picks).
pub(super) fn go_to(app: &mut App) -> Effect {
    if leaving_unsaved(app, Action::GoTo, "#", "asks for another candidate") {
        return Effect::None;
    }
    app.prompt = Some(Prompt { kind: PromptKind::GoTo, editor: LineEdit::new("") });
    Effect::None
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
        Action::Open => match app.queue.selected_item().map(|item| item.id) {
            // The review left behind holds picks no decision took: opening another drops them.
            Some(id) if app.review.as_ref().is_some_and(|r| r.data.candidate.id != id) => {
                if leaving_unsaved(app, Action::Open, "Enter", &format!("opens #{id}")) {
                    return Effect::None;
                }
                Effect::Open(id)
            }
            Some(id) => Effect::Open(id),
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
        Action::CycleObject | Action::CycleSource if !app.queue.facets_loaded => {
            app.queue.after_facets = Some(action);
            Effect::LoadFacets
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
            // The last search selected: Enter keeps it, typing replaces it, Backspace clears it.
            app.prompt = Some(Prompt { kind: PromptKind::Search, editor: LineEdit::selected(&text) });
            Effect::None
        }
        Action::GoTo => go_to(app),
        Action::ApproveInside => {
            let row = app.queue.selected_item();
            let own = row.filter(|i| i.status == Status::Approved).map(|i| i.id);
            approve_inside(app, own.or(row.and_then(|i| i.held_by)))
        }
        Action::ShowJournal => show_journal(app),
        Action::ShowDashboard => show_dashboard(app),
        Action::Undo => undo(app),
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

/// Keeps each screen's selection inside what is drawn, and the screen full when there is more
/// above than fits below (after `G`, or a resize).
pub(super) fn clamp_offsets(app: &mut App) {
    let rows = queue_view::visible_rows(app.size.1).max(1);
    let q = &mut app.queue;
    q.selected = q.selected.min(q.rows.len().saturating_sub(1));
    q.offset = keep_visible(q.selected, q.offset, rows).min(q.rows.len().saturating_sub(rows));
    let table_rows = review_view::visible_rows(app.size.1).max(1);
    let width = app.size.0;
    if let Some(r) = app.review.as_mut() {
        let n = r.visible_fields().len();
        r.selected = r.selected.min(n.saturating_sub(1));
        r.offset = keep_visible(r.selected, r.offset, table_rows).min(n.saturating_sub(table_rows));
        let shown = review_view::member_columns(width, r).max(1);
        r.member = r.member.min(r.data.members.len().saturating_sub(1));
        r.member_scroll = keep_visible(r.member, r.member_scroll, shown);
        // Reasons wrap to the width: a resize changes how many lines they take.
        let page = why_view::visible_rows(app.size.1).max(1);
        let last = why_view::line_count(&r.data.candidate, width).saturating_sub(page);
        app.why_offset = app.why_offset.min(last);
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

pub(super) fn show_journal(app: &mut App) -> Effect {
    open_over(app, Screen::Journal);
    app.journal_offset = 0;
    // The header's progress too: decisions made elsewhere since are in the journal read now.
    Effect::Many(vec![Effect::LoadProgress, Effect::LoadJournal])
}

pub(super) fn show_dashboard(app: &mut App) -> Effect {
    open_over(app, Screen::Dashboard);
    app.dashboard_offset = 0;
    // The header's progress read with the figures, so that the two never disagree.
    Effect::Many(vec![Effect::LoadProgress, Effect::LoadDashboard])
}

pub(super) fn show_why(app: &mut App) -> Effect {
    open_over(app, Screen::Why);
    app.why_offset = 0;
    Effect::None
}

/// Opens the journal, the dashboard or the why screen over the queue or the review, which `leave`
/// returns to.
fn open_over(app: &mut App, screen: Screen) {
    if matches!(app.screen, Screen::Queue | Screen::Review) {
        app.back_to = app.screen;
    }
    app.screen = screen;
}

/// Esc on the journal, the dashboard or the why screen: back where it was opened from (the queue
/// read again, as decisions may have changed it; the review as it was left).
fn leave(app: &mut App) -> Effect {
    app.screen = app.back_to;
    if app.screen == Screen::Queue {
        return Effect::Many(vec![Effect::LoadProgress, window_at_selection(app)]);
    }
    Effect::None
}

fn dashboard(app: &mut App, action: Action) -> Effect {
    let page = dashboard_view::visible_rows(app.size.1).max(1);
    let lines = app.dashboard.as_ref().map_or(0, dashboard_view::line_count);
    match action {
        Action::Back => leave(app),
        action => scroll(&mut app.dashboard_offset, action, page, lines),
    }
}

fn why(app: &mut App, action: Action) -> Effect {
    let page = why_view::visible_rows(app.size.1).max(1);
    let lines = app.review.as_ref().map_or(0, |r| why_view::line_count(&r.data.candidate, app.size.0));
    match action {
        Action::Back => leave(app),
        action => scroll(&mut app.why_offset, action, page, lines),
    }
}

fn journal(app: &mut App, action: Action) -> Effect {
    let page = journal_view::visible_rows(app.size.1).max(1);
    match action {
        Action::Back => leave(app),
        action => scroll(&mut app.journal_offset, action, page, app.journal.entries.len()),
    }
}

/// Moves a screen that scrolls without a selection (the journal, the dashboard, the why screen)
/// over its `lines`, `page` at a time, at most to where its last line is at the bottom.
fn scroll(offset: &mut usize, action: Action, page: usize, lines: usize) -> Effect {
    let last = lines.saturating_sub(page);
    match action {
        Action::Down | Action::ScrollDown => *offset = (*offset + 1).min(last),
        Action::Up | Action::ScrollUp => *offset = offset.saturating_sub(1),
        Action::PageDown => *offset = (*offset + page).min(last),
        Action::PageUp => *offset = offset.saturating_sub(page),
        Action::Top => *offset = 0,
        Action::Bottom => *offset = last,
        _ => {}
    }
    Effect::None
}

fn prompt(app: &mut App, action: Action) -> Effect {
    let Some(p) = app.prompt.as_mut() else { return Effect::None };
    match action {
        Action::Input(c) => p.editor.insert(c),
        Action::InputBackspace => p.editor.backspace(),
        Action::InputDeleteToStart => p.editor.delete_to_start(),
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
                PromptKind::GoTo => {
                    let number = text.trim().trim_start_matches('#');
                    match number.parse::<i64>() {
                        Ok(id) if id > 0 => return Effect::Open(CandidateId(id)),
                        _ if number.is_empty() => {}
                        _ => app.error(format!("`{}` is not a candidate number", visible(&text))),
                    }
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
                        review::recompute(app, Some(format!("{field} edited")));
                    }
                }
            }
        }
        _ => {}
    }
    Effect::None
}
