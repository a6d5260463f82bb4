//! The review screen's part of `update`: moving over fields and records, picks, edits, survivor,
//! and decisions handed to the journal as effects.

use super::{clamp_offsets, leaving_unsaved, show_dashboard, show_journal, show_why, window, WHEEL};
use crate::model::{Golden, Record, Status};
use crate::tui::action::Action;
use crate::tui::app::{App, LineEdit, Prompt, PromptKind, ReviewData, Screen};
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
                r.choices.survivor = (key != r.data.suggestion.survivor).then(|| key.clone());
                recompute(app, Some(format!("{key} survives")));
            }
        }
        Action::Approve => {
            // Fields no rule decided show one member's value: approving takes it as shown, which
            // the steward confirms with a second `a` (or settles with a pick or an edit).
            let open: Vec<String> =
                r.golden.fields.iter().filter(|(_, g)| g.conflict).map(|(f, _)| f.clone()).collect();
            // Replacing a rejection is asked in the same question: one second press answers both.
            let rejected = r.data.candidate.status == Status::Rejected;
            if (!open.is_empty() || rejected) && !app.confirmed {
                let id = r.data.candidate.id;
                let (n, fields) = (open.len(), open.join(", "));
                let text = match (rejected, n) {
                    (true, 0) => format!("#{id} stands rejected: a again approves it instead"),
                    (true, _) => format!(
                        "#{id} stands rejected, and {n} undecided ({fields}): a again approves as shown"
                    ),
                    (false, 1) => {
                        format!("1 field no rule decided ({fields}): a again approves as shown, 1-9 picks")
                    }
                    (false, _) => {
                        format!("{n} fields no rule decided ({fields}): a again approves as shown, 1-9 picks")
                    }
                };
                app.arm_or_pick(action, text);
                return Effect::None;
            }
            return decide(app, Verdict::Approve);
        }
        Action::Reject => return decide(app, Verdict::Reject),
        Action::Defer => return decide(app, Verdict::Defer),
        Action::Note => {
            let note = r.note.clone().unwrap_or_default();
            app.prompt = Some(Prompt { kind: PromptKind::Note, editor: LineEdit::new(&note) });
        }
        Action::Undo => {
            // The undo opens the candidate it reverses: picks on this one would go with it.
            if leaving_unsaved(app, Action::Undo, "u", "undoes the latest decision") {
                return Effect::None;
            }
            return super::undo(app);
        }
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
