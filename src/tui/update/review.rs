//! The review screen's part of `update`: moving over fields and records, picks, edits, survivor,
//! and decisions handed to the journal as effects.

use super::{clamp_offsets, leaving_unsaved, show_dashboard, show_journal, show_why, window, WHEEL};
use crate::model::{Golden, Record, Status};
use crate::tui::action::Action;
use crate::tui::app::{App, LineEdit, Opened, Prompt, PromptKind, ReviewData, Screen};
use crate::tui::effects::{Anchor, Decision, Effect, Verdict};
use crate::tui::view::review as review_view;

pub(super) fn review(app: &mut App, action: Action) -> Effect {
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
            let hit = review_view::hit(app.size, r, column, row);
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
            let before = r.golden.clone();
            recompute(app, None);
            if app.status.is_none() {
                app.info(pick_said(app, &before, &field, &key));
            }
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
                recompute(app, Some(format!("{field} back to the rule's suggestion")));
            }
        }
        Action::MakeSurvivor => {
            if let Some((member, _)) = r.data.members.get(r.member) {
                let key = member.key.clone();
                // The rules' survivor needs no choice, unless no rule chose it (a tie): `s` on it
                // then settles the question `a` asks.
                let tie = r.data.suggestion.survivor_reason.contains(crate::tui::app::SURVIVOR_TIE);
                r.choices.survivor = (key != r.data.suggestion.survivor || tie).then(|| key.clone());
                recompute(app, Some(format!("{key} survives")));
            }
        }
        Action::Approve => {
            // What approving as shown would do that no rule decided, or that loses a value: the
            // steward confirms it with a second `a` (or settles it with a pick, an edit, `s`).
            if !app.confirmed {
                if let Some(q) = approve_question(r) {
                    app.arm_or_pick(action, q.text, q.picks, q.survivor);
                    return Effect::None;
                }
            }
            return decide(app, Verdict::Approve);
        }
        Action::Reject => return decide(app, Verdict::Reject),
        Action::Defer => return decide(app, Verdict::Defer),
        Action::Note => {
            let note = r.note.clone().unwrap_or_default();
            app.prompt = Some(Prompt { kind: PromptKind::Note, editor: LineEdit::new(&note) });
        }
        Action::Undo => return undo(app),
        Action::GoTo => return super::go_to(app),
        Action::ApproveInside => {
            let own = (r.data.candidate.status == Status::Approved).then_some(r.data.candidate.id);
            let holder = own.or_else(|| r.data.overlaps().within.first().copied());
            // Those inside are approved on the rules' golden records: picks on screen are not theirs.
            if leaving_unsaved(app, Action::ApproveInside, "A", "approves those inside without them") {
                return Effect::None;
            }
            return super::approve_inside(app, holder);
        }
        Action::Combine => {
            // Approvals this one holds whole need no combining (approving it replaces them), nor
            // do those holding all of its records (they merge them already).
            let mut ids = vec![r.data.candidate.id];
            ids.extend(r.data.overlaps().overlapping_ids());
            if ids.len() > 1 {
                return Effect::Combine(ids);
            }
            let id = r.data.candidate.id;
            app.info(format!("nothing to combine: no other approved candidate overlaps #{id}"));
        }
        Action::ToggleEqual => {
            r.hide_equal = !r.hide_equal;
            let at = field.and_then(|f| r.visible_fields().iter().position(|v| *v == f));
            r.selected = at.unwrap_or(0);
        }
        Action::NextCandidate | Action::PrevCandidate => {
            let (key, does) = match action {
                Action::NextCandidate => ("]", "opens the next"),
                _ => ("[", "opens the previous"),
            };
            if leaving_unsaved(app, action.clone(), key, does) {
                return Effect::None;
            }
            let Some(r) = app.review.as_ref() else { return Effect::None };
            // Right after a decision, `[` goes back to the candidate decided, whatever its
            // status now (the queue's previous pending one would skip it).
            let back = app.just_decided.filter(|j| j.opened == Some(r.data.candidate.id));
            if let (Action::PrevCandidate, Some(Opened::Decided(decided))) = (&action, back.map(|j| j.why)) {
                return Effect::Open(decided);
            }
            return Effect::OpenNeighbour {
                query: app.queue.query.clone(),
                key: r.data.key,
                forward: action == Action::NextCandidate,
                after_decision: false,
            };
        }
        Action::Back => {
            // The review stays behind the queue: reopening this candidate finds its picks.
            let key = r.data.key;
            app.screen = Screen::Queue;
            return Effect::Many(vec![Effect::LoadProgress, window(app, Anchor::At(key))]);
        }
        Action::ShowJournal => return show_journal(app),
        Action::ShowDashboard => return show_dashboard(app),
        Action::ShowWhy => return show_why(app),
        _ => {}
    }
    clamp_offsets(app);
    Effect::None
}

/// `u` on the review: a decided candidate's own standing decision (as `mergeq undo ID`), whoever
/// made it (another's is named first, undone by a second `u`); on a pending one, the latest
/// decision of the workspace, as in the queue. Either reopens the candidate it reverses: picks on
/// this one would go, so that is asked first.
fn undo(app: &mut App) -> Effect {
    let Some(r) = app.review.as_ref() else { return Effect::None };
    let (id, status) = (r.data.candidate.id, r.data.candidate.status);
    let decision = match status {
        Status::Pending => None,
        Status::Approved => Some("approval"),
        Status::Rejected => Some("rejection"),
        Status::Deferred => Some("deferral"),
    };
    let Some(decision) = decision else {
        if leaving_unsaved(app, Action::Undo, "u", "undoes the latest decision") {
            return Effect::None;
        }
        return super::undo(app);
    };
    let other = r.data.decider.clone().filter(|by| *by != app.steward);
    let whose = other.as_ref().map_or("its".to_string(), |by| format!("{by}'s"));
    if leaving_unsaved(app, Action::Undo, "u", &format!("undoes {whose} {decision} of #{id}")) {
        return Effect::None;
    }
    if let (Some(by), false) = (&other, app.confirmed) {
        app.arm(Action::Undo, format!("#{id} stands {status} by {by}: u again undoes {by}'s {decision}"));
        return Effect::None;
    }
    Effect::UndoCandidate(id)
}

/// The question a first `a` asks, if approving as shown needs a second look: fields no rule
/// decided (one record's value shown), values the merge would clear, a survivor no rule chose,
/// a standing rejection. One second press answers them all; a pick (1-9) or `s` settles one.
fn approve_question(r: &crate::tui::app::ReviewState) -> Option<Question> {
    let listed = |fields: &[&str]| fields.join(", ");
    let open: Vec<&str> =
        r.golden.fields.iter().filter(|(_, g)| g.conflict).map(|(f, _)| f.as_str()).collect();
    let emptied = r.emptied();
    let on_survivor: Vec<&str> = emptied.iter().filter(|(_, s)| *s).map(|(f, _)| *f).collect();
    let elsewhere: Vec<&str> = emptied.iter().filter(|(_, s)| !*s).map(|(f, _)| *f).collect();
    let survivor = r.survivor_undecided();
    let rejected = r.data.candidate.status == Status::Rejected;
    let mut said = Vec::new();
    if rejected {
        said.push(format!("#{} stands rejected", r.data.candidate.id));
    }
    match open.len() {
        0 => {}
        1 => said.push(format!("1 field no rule decided ({})", listed(&open))),
        n => said.push(format!("{n} fields no rule decided ({})", listed(&open))),
    }
    if !on_survivor.is_empty() {
        said.push(format!("{} would be cleared on the survivor", listed(&on_survivor)));
    }
    if !elsewhere.is_empty() {
        said.push(format!("{} would be left empty, though a record has a value", listed(&elsewhere)));
    }
    if survivor {
        said.push("survivor not decided by a rule".to_string());
    }
    if said.is_empty() {
        return None;
    }
    let picks = !open.is_empty() || !emptied.is_empty();
    if rejected && said.len() == 1 {
        let text = format!("{}: a again approves it instead", said[0]);
        return Some(Question { text, picks, survivor });
    }
    let mut answers = "a again approves as shown".to_string();
    if picks {
        answers.push_str(", 1-9 picks");
    }
    if survivor {
        answers.push_str(", s picks");
    }
    Some(Question { text: format!("{}: {answers}", said.join("; ")), picks, survivor })
}

/// A question asked before approving, and which keys besides a second `a` answer it.
struct Question {
    text: String,
    picks: bool,
    survivor: bool,
}

/// What a pick did: `country taken from K`, and when the field is in a group (an address), which
/// of the group's other fields changed with it — a value the record lacks is taken as missing,
/// so the steward sees a street going blank instead of finding it in the export.
fn pick_said(app: &App, before: &Golden, field: &str, key: &crate::model::RecordKey) -> String {
    let Some(r) = app.review.as_ref() else { return format!("{field} taken from {key}") };
    let taken = format!("{field} taken from {key}");
    // Taken from a record without a value (with its group, or on its own), the field is empty.
    let empty = r.golden.fields.get(field).is_none_or(|g| g.value.is_none());
    let rules = r.data.rules.for_object(&r.data.candidate.object);
    // Only what the pick changed: the fields that came with it from the record.
    let changed = |f: &str| {
        let (old, new) = (before.fields.get(f), r.golden.fields.get(f));
        old.map(|g| (&g.value, &g.from)) != new.map(|g| (&g.value, &g.from))
    };
    match (rules.came_with(&r.golden, field, changed), empty) {
        (Some((group, with)), false) => format!("{taken} with its {group}: {with}"),
        (Some((group, with)), true) => {
            format!("{taken} with its {group}: {with}; {field} itself empty (it has none)")
        }
        (None, false) => taken,
        (None, true) => format!("{taken}, which has none: now empty"),
    }
}

/// Applies the steward's choices over the suggestion again; `message` (if any) goes to the
/// status line.
pub(super) fn recompute(app: &mut App, message: Option<String>) {
    let Some(r) = app.review.as_mut() else { return };
    match golden_with(&r.data, &r.choices) {
        Ok(golden) => {
            r.golden = golden;
            if let Some(text) = message {
                app.info(text);
            }
        }
        Err(e) => app.error(format!("{e:#}")),
    }
}

fn golden_with(data: &ReviewData, choices: &crate::model::Choices) -> anyhow::Result<Golden> {
    // The approval's own choices: the golden record it merged, as its journal entry holds it.
    if let Some(a) = data.approved.as_ref().filter(|a| &a.choices == choices) {
        return Ok(a.golden.clone());
    }
    let mut golden = data.suggestion.clone();
    let records: Vec<Record> = data.members.iter().map(|(r, _)| r.clone()).collect();
    crate::survivorship::apply_choices(&data.rules, &data.candidate.object, &mut golden, &records, choices)?;
    Ok(golden)
}

fn decide(app: &mut App, verdict: Verdict) -> Effect {
    let Some(r) = app.review.as_ref() else { return Effect::None };
    // Replacing a standing approval or rejection with another verdict undoes a merge or a
    // not-duplicate: asked once more, like leaving unsaved picks.
    let now = r.data.candidate.status;
    let (key, action, instead) = match verdict {
        Verdict::Approve => ("a", Action::Approve, "approves it instead"),
        Verdict::Reject => ("x", Action::Reject, "rejects it instead"),
        Verdict::Defer => ("d", Action::Defer, "defers it instead"),
    };
    // (Approving a rejected one was asked about with its undecided fields, before this.)
    let replaces = matches!(now, Status::Approved | Status::Rejected)
        && now != verdict.journal().status()
        && verdict != Verdict::Approve;
    if replaces && !app.confirmed {
        let id = r.data.candidate.id;
        app.arm(action, format!("#{id} stands {}: {key} again {instead}", now.as_str()));
        return Effect::None;
    }
    Effect::Decide(Decision {
        candidate: r.data.candidate.id,
        key: r.data.key,
        verdict,
        // Picks, edits and the survivor shape a merge; rejecting or deferring carries none.
        choices: if verdict == Verdict::Approve { r.choices.clone() } else { Default::default() },
        note: r.note.clone(),
        seen: r.data.seen.clone(),
        status: r.data.candidate.status,
    })
}
