//! Effects' results into state: queue windows and pages, an opened candidate, a committed
//! decision or undo (and what opens next), the journal, progress and facets.

use super::{clamp_offsets, window, window_at_selection, WINDOW_MAX};
use crate::model::CandidateId;
use crate::tui::action::{Action, Loaded, Select};
use crate::tui::app::{App, JustDecided, Opened, QueueItem, ReviewData, ReviewState, Screen, Sort};
use crate::tui::effects::{Anchor, Effect};

/// Chooses the rows of a freshly read page for the screen: conflicts sort within the page.
fn arrange(app: &App, mut rows: Vec<QueueItem>) -> Vec<QueueItem> {
    if app.queue.sort == Sort::Conflicts {
        rows.sort_by_key(|r| std::cmp::Reverse(r.conflicts));
    }
    rows
}

pub(super) fn loaded_into(app: &mut App, loaded: Loaded) -> Effect {
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
            q.selected = match select {
                Select::First => 0,
                Select::Last => q.rows.len().saturating_sub(1),
                Select::Row(id) => q.rows.iter().position(|r| r.id == id).unwrap_or(0),
            };
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
            app.queue.facets_loaded = true;
            if let Some(action) = app.queue.after_facets.take() {
                return super::queue(app, action);
            }
        }
        Loaded::Combined { message, data } => {
            open_review(app, *data);
            app.info(message);
            return Effect::SavePlace(app.position());
        }
        Loaded::Candidate(data) => {
            // The first candidate opened after a decision is the one it opened; another one
            // opened after it ends "just decided".
            let id = data.candidate.id;
            match app.just_decided.as_mut() {
                Some(j) if j.opened.is_none() => j.opened = Some(id),
                Some(j) if j.opened != Some(id) => app.just_decided = None,
                _ => {}
            }
            open_review(app, *data);
            // The place is saved at every candidate opened (so after each decision too): a
            // closed terminal or a crash loses at most the queue moves since.
            return Effect::SavePlace(app.position());
        }
        Loaded::Reloaded(data) => {
            // What the refused key would have decided changed under it: a second press (a double
            // tap) must not decide the new values unseen.
            guard(app, Opened::Reloaded, Some(data.candidate.id));
            open_review(app, *data);
            return Effect::SavePlace(app.position());
        }
        Loaded::NoCandidate { message, leave } => {
            if leave {
                app.just_decided = None;
                // The review left behind the queue is the candidate just decided: its choices and
                // note are in the decision, not undecided (nor a draft to save).
                if let Some(r) = app.review.as_mut() {
                    r.forget_unsaved();
                }
            }
            // After a decision, its message stays in front: "#4 approved … · no pending left".
            match app.status.as_ref().filter(|s| leave && !s.error) {
                Some(done) => app.info(format!("{} · {message}", done.text)),
                None => app.info(message),
            }
            if app.screen == Screen::Review && (leave || app.review.is_none()) {
                let anchor = app.review.as_ref().map(|r| Anchor::At(r.data.key)).unwrap_or(Anchor::Start);
                app.screen = Screen::Queue;
                return window(app, anchor);
            }
        }
        Loaded::Decided { message, key, inside_of } => {
            // Shown as done only now, after the journal committed it.
            app.info(message);
            app.inside_of = inside_of;
            settle(app);
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
        Loaded::OthersWrote => {
            // The header's figures, and the queue where the steward is (its rows' statuses).
            let mut effects = vec![Effect::LoadProgress];
            if app.screen == Screen::Queue && app.prompt.is_none() {
                effects.push(window_at_selection(app));
            }
            // The candidate under review: whether it was decided, or its records changed, since.
            if let Some(r) = app.review.as_ref().filter(|_| app.under_review()) {
                effects.push(Effect::LookAgain {
                    candidate: r.data.candidate.id,
                    status: r.data.candidate.status,
                    seen: r.data.seen.clone(),
                });
            }
            return Effect::Many(effects);
        }
        Loaded::Since { candidate, line } => {
            if let Some(r) = app.review.as_mut().filter(|r| r.data.candidate.id == candidate) {
                r.since = line;
            }
        }
        Loaded::InsideApproved { message, approved } => {
            app.info(message);
            app.inside_of = None;
            let mut effects = vec![Effect::LoadProgress];
            match (app.screen, app.review.as_ref()) {
                // The candidate under review was one of them: on to the next pending, as after
                // its own decision.
                (Screen::Review, Some(r)) if approved.contains(&r.data.candidate.id) => {
                    let key = r.data.key;
                    settle(app);
                    effects.push(Effect::OpenNeighbour {
                        query: app.queue.query.clone(),
                        key,
                        forward: true,
                        after_decision: true,
                    })
                }
                // Their holder: reopened as it is now.
                (Screen::Review, Some(r)) => effects.push(Effect::Open(r.data.candidate.id)),
                _ => effects.push(window_at_selection(app)),
            }
            return Effect::Many(effects);
        }
        Loaded::UndoAsk { message, seq } => {
            app.undo_asked = Some(seq);
            app.arm(Action::Undo, message);
        }
        Loaded::Undone { message, candidate, choices } => {
            app.info(message);
            let mut effects = vec![Effect::LoadProgress];
            match (app.screen, candidate) {
                (Screen::Review, Some(id)) => {
                    // A second `u` (a double tap) would undo the decision before this one.
                    guard(app, Opened::Undone, Some(id));
                    app.restore = choices.map(|c| (id, c));
                    effects.push(Effect::Open(id))
                }
                (Screen::Queue, _) => effects.push(window_at_selection(app)),
                _ => {}
            }
            return Effect::Many(effects);
        }
        Loaded::Journal(view) => app.journal = view,
        Loaded::Dashboard(stats) => app.dashboard = Some(*stats),
    }
    Effect::None
}

/// The candidate under review was decided and the next one opens: decision keys wait until the
/// steward could have seen it (`update::too_soon`).
fn settle(app: &mut App) {
    match app.review.as_ref().map(|r| r.data.candidate.id) {
        Some(id) => guard(app, Opened::Decided(id), None),
        None => app.just_decided = None,
    }
}

/// Decision keys on the candidate about to open (`opened`, or the next one loaded) wait until the
/// steward could have seen it.
fn guard(app: &mut App, why: Opened, opened: Option<CandidateId>) {
    app.just_decided = Some(JustDecided { why, opened, at: app.now, drawn: false, said: false });
}

fn open_review(app: &mut App, data: ReviewData) {
    let hide_equal = app.review.as_ref().is_some_and(|r| r.hide_equal);
    let mut fields: Vec<String> = data.members.iter().flat_map(|(r, _)| r.fields.keys().cloned()).collect();
    fields.extend(data.suggestion.fields.keys().cloned());
    fields.sort();
    fields.dedup();
    // The same candidate read again (its records changed under a decision, or opened again from
    // the queue): the steward's place is kept, and the picks, edits and note they had not decided
    // yet, applied over the new values. Without any, it starts afresh, as another steward's
    // decision since may have changed what it starts from (an approval it replaces).
    let again = app.review.take().filter(|r| r.data.candidate.id == data.candidate.id);
    let own = again.as_ref().is_some_and(|r| r.unsaved().is_some());
    let mut review = ReviewState {
        golden: data.suggestion.clone(),
        data,
        choices: Default::default(),
        fields,
        selected: 0,
        offset: 0,
        member: 0,
        member_scroll: 0,
        hide_equal,
        note: None,
        since: None,
    };
    // A candidate reopened by an undo shows the undone approval's choices again; an approved one
    // opens as it was merged: its approval's choices over the suggestion.
    let restored = app.restore.take().filter(|(id, _)| *id == review.data.candidate.id).map(|(_, c)| c);
    let mut carried_from = None;
    let mut drafted = None;
    if !own {
        let carried = || {
            let (choices, from) = review.data.carried.clone()?;
            Some((choices, Some(from)))
        };
        if restored.is_none() {
            review.note = review.data.approved.as_ref().and_then(|a| a.note.clone());
        }
        let start = restored
            .map(|c| (c, None))
            .or_else(|| review.data.approved.as_ref().map(|a| (a.choices.clone(), None)))
            .or_else(carried);
        if let Some((choices, from)) = start {
            review.choices = choices;
            carried_from = from;
        }
        // Picks an earlier console saved and no decision holds: back when made on this candidate
        // as it is now, else dropped (decided since, or its records changed).
        let id = review.data.candidate.id;
        if let Some(d) = app.draft.take_if(|d| d.candidate == id) {
            let now = review.data.candidate.status;
            drafted = Some(if d.status != now {
                Err(format!("it is {now} since"))
            } else if d.seen != review.data.seen {
                Err("its records changed since".to_string())
            } else {
                review.choices = d.choices;
                review.note = d.note;
                Ok(())
            });
        }
    }
    if let Some(old) = again {
        if own {
            review.choices = old.choices;
            review.note = old.note;
        }
        review.selected = old.selected;
        review.offset = old.offset;
        review.member = old.member;
        review.member_scroll = old.member_scroll;
    }
    app.review = Some(review);
    app.screen = Screen::Review;
    match drafted {
        Some(Ok(())) => app.info("your picks, edits or note on this candidate, not decided yet, are back"),
        Some(Err(why)) => {
            app.info(format!("your undecided picks, edits or note on this candidate were dropped: {why}"))
        }
        None => {}
    }
    // Said unless a decision's message is in front (it opened this candidate).
    if let (Some(from), None) = (carried_from, &app.status) {
        app.info(format!(
            "picks and edits of {}'s approval carried over: approving this one replaces it",
            crate::model::CandidateId::numbered(&from)
        ));
    }
    if let Some(r) = app.review.as_ref() {
        // Choices to apply, or an approval whose golden record the column shows.
        if r.choices != Default::default() || r.data.approved.is_some() {
            super::review::recompute(app, None);
        }
    }
    clamp_offsets(app);
}
