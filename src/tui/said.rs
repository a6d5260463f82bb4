//! What the status line says after a decision, an undo, a combine or a refused decision: the
//! outcome's wording, kept apart from running the effects. What matters most comes first, so that
//! an 80-column line keeps it (an export already carried it; the approvals it replaced).

use crate::import::Combined;
use crate::journal::{self, DecisionOutcome, UndoOutcome};
use crate::model::{CandidateId, Status};

/// After a committed decision: what it did, then the undecided candidates inside an approval.
pub fn decided(out: &DecisionOutcome) -> String {
    let said = decision(out);
    match out.inside.as_slice() {
        [] => said,
        inside => format!("{said} · A approves {} inside it", CandidateId::numbered(inside)),
    }
}

/// After `A`: the candidates approved inside `holder`, or that there were none.
pub fn inside_approved(holder: CandidateId, done: &[DecisionOutcome]) -> String {
    match (done.first(), done.last()) {
        (Some(first), Some(last)) => {
            let ids: Vec<CandidateId> = done.iter().map(|d| d.candidate).collect();
            let entries = match first.seq == last.seq {
                true => format!("journal entry {}", first.seq),
                false => format!("journal entries {}–{}", first.seq, last.seq),
            };
            format!("approved {}: inside #{holder}, approved ({entries})", CandidateId::numbered(&ids))
        }
        _ => format!("nothing undecided inside #{holder}"),
    }
}

/// What a committed decision did.
fn decision(out: &DecisionOutcome) -> String {
    let done = match out.status {
        Status::Approved => "approved: merged",
        Status::Rejected => "rejected: not duplicates",
        Status::Deferred => "deferred",
        Status::Pending => "back to pending",
    };
    // Replacing a decision an export already carried: said first, as for an undo.
    match &out.exported {
        Some(e) => format!(
            "#{} {}, its {} {} (journal entry {})",
            out.candidate,
            out.status,
            e.action,
            carried(e, "change"),
            out.seq
        ),
        None => {
            let overlaps = out.overlaps();
            match (journal::shared_brief(&overlaps.overlapping), out.superseded_brief()) {
                // Already merged whole by another approval: this one adds nothing to the plan.
                _ if !overlaps.within.is_empty() => {
                    format!(
                        "#{} approved; all its records are in {}, approved: the plan carries that (journal entry {})",
                        out.candidate,
                        CandidateId::numbered(&overlaps.within),
                        out.seq
                    )
                }
                // A record merged twice: the plan carries the earlier approval only.
                (Some(brief), _) => {
                    format!("#{} approved; also approved: {brief} (journal entry {})", out.candidate, out.seq)
                }
                // Earlier approvals of some of its records, replaced by this whole one.
                (None, Some(replaced)) => format!(
                    "#{} approved: merged, replacing the {} of {replaced} (journal entry {})",
                    out.candidate,
                    if out.replaced().len() == 1 { "approval" } else { "approvals" },
                    out.seq
                ),
                (None, None) => format!("#{} {done} (journal entry {})", out.candidate, out.seq),
            }
        }
    }
}

/// After a committed undo.
pub fn undone(out: &UndoOutcome) -> String {
    // A decision already exported may be applied in a CRM, where no undo here reaches it: said
    // first, so that an 80-column status line keeps it.
    match &out.exported {
        Some(e) => format!(
            "undid {}{} of #{}, {} (journal entry {})",
            whose(out),
            out.reversed_action,
            out.candidate,
            carried(e, "undo"),
            out.seq
        ),
        None if !out.replaced.is_empty() => {
            format!(
                "undid {}{} of #{}: now {}; {} it replaced stays undone (journal entry {})",
                whose(out),
                out.reversed_action,
                out.candidate,
                out.status,
                CandidateId::numbered(&out.replaced),
                out.seq
            )
        }
        None => format!(
            "undid {}{} of #{}: now {} (journal entry {})",
            whose(out),
            out.reversed_action,
            out.candidate,
            out.status,
            out.seq
        ),
    }
}

/// `bob's ` when the decision undone is another steward's (the queue's `u` undoes the latest of
/// all), else `the `.
fn whose(out: &UndoOutcome) -> String {
    match &out.reversed_by {
        Some(steward) => format!("{steward}'s "),
        None => "the ".to_string(),
    }
}

/// Where a decision already exported must be changed too: in the CRM for a merge plan (a plan
/// applied there is not reversed by mergeq), else the file is out of date.
fn carried(e: &journal::CarriedOut, verb: &str) -> String {
    use crate::export::decisions::Kind;
    let crm = e.exports.iter().find(|x| matches!(Kind::parse(&x.format), Some(Kind::Crm(_))));
    match crm {
        Some(x) => format!("exported in entry {}: {verb} it in the CRM too", x.seq),
        None => format!(
            "exported in entry {} ({}): that file is out of date",
            e.exports[0].seq, e.exports[0].format
        ),
    }
}

/// After candidates were combined.
pub fn combined(out: &Combined) -> String {
    format!(
        "#{} {} every record of {}: approving it replaces the approvals it covers",
        out.id,
        if out.added { "added: holds" } else { "holds" },
        CandidateId::numbered(&out.from)
    )
}

/// The console's undo, asked to be pressed again: the latest decision is another steward's.
pub fn others_decision(other: &journal::OthersDecision) -> String {
    format!(
        "the latest decision is {}'s {} of #{} ({}): u again undoes it",
        other.steward,
        other.action,
        other.candidate,
        other.at.get(11..16).unwrap_or(&other.at)
    )
}

/// A decision refused because another decision changed the candidate's status since it was shown.
pub fn status_changed(changed: &journal::StatusChanged) -> String {
    let now = changed.now.as_str();
    let by = match (&changed.by, changed.now) {
        (Some((steward, at)), Status::Pending) => {
            format!(" again, undone by {steward} at {}", at.get(11..16).unwrap_or(at))
        }
        (Some((steward, at)), _) => format!(" by {steward} at {}", at.get(11..16).unwrap_or(at)),
        (None, _) => String::new(),
    };
    format!(
        "#{} not decided: {now}{by} since you opened it; shown as it is now, decide again",
        changed.candidate
    )
}

/// A decision refused because members changed, said so that what changed comes first and fits a
/// status line (the command line's message names versions and ends with what to do there).
pub fn stale(stale: &journal::StaleError) -> String {
    let changed: Vec<String> = stale
        .changes
        .iter()
        .map(|c| match &c.fields {
            Some(fields) if !fields.is_empty() => format!("{} ({})", c.key, fields.join(", ")),
            _ => c.key.to_string(),
        })
        .collect();
    format!(
        "#{} not decided: {} changed since shown; the new values are on screen, decide again",
        stale.candidate,
        changed.join(", ")
    )
}

/// After a decision, when no pending candidate is left in the queue: the filters that narrow it
/// named (a search restored from last time is not on the review screen), with how many are
/// pending in all, so that "none left" is not read as "all done".
pub fn none_left(query: &crate::store::QueueQuery, pending_in_all: i64) -> String {
    use crate::text::visible;
    let object = query.object.as_deref().map_or(String::new(), |o| format!("{} ", visible(o)));
    let mut which = Vec::new();
    if let Some(source) = &query.source {
        which.push(format!("from {}", visible(source)));
    }
    match (query.score_min, query.score_below) {
        (Some(min), Some(below)) => which.push(format!("scored {min:.2}–{below:.2}")),
        (Some(min), None) => which.push(format!("scored ≥ {min:.2}")),
        (None, Some(below)) => which.push(format!("scored < {below:.2}")),
        (None, None) => {}
    }
    if let Some(search) = &query.search {
        which.push(format!("matching \"{}\"", visible(search)));
    }
    if (object.is_empty() && which.is_empty()) || pending_in_all == 0 {
        return "no pending candidates left in this queue".into();
    }
    let clears = if query.search.is_some() { "; / clears the search" } else { "" };
    let filters = which.iter().map(|w| format!(" {w}")).collect::<String>();
    format!("no pending {object}candidates left{filters} ({pending_in_all} pending in all{clears})")
}
