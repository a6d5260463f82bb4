//! The one place the console touches the workspace: runs an `Effect` and turns its result, or its
//! error, back into actions for `update`. Reads go through the store's queries; decisions and undo
//! go through the journal's API (never SQL of our own), so a decision is committed before the
//! screen shows it done.

use super::action::{Action, Loaded, Select};
use super::app::{ApprovedView, JournalLine, JournalView, Progress, QueueItem, ReviewData, SavedPosition};
use super::said;
use super::summary;
use crate::journal;
use crate::model::{seen_token, CandidateId, Choices, Golden, Record, Status};
use crate::store::{PageFrom, QueueKey, QueueQuery, Store};
use crate::survivorship::Rules;
use anyhow::{anyhow, Result};
use std::sync::Arc;

/// Where a queue window is read around.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Anchor {
    Start,
    End,
    /// This candidate's row (or the next one, when it left the filter), selected.
    At(QueueKey),
}

/// A decision as the review screen makes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub candidate: CandidateId,
    pub key: QueueKey,
    pub verdict: Verdict,
    pub choices: Choices,
    pub note: Option<String>,
    /// The member versions on screen: the journal refuses the decision if one changed since.
    pub seen: String,
    /// The status on screen: the journal refuses the decision if another one changed it since.
    pub status: crate::model::Status,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Approve,
    Reject,
    Defer,
}

impl Verdict {
    /// The journal's verdict (and through it the status a decision gives).
    pub fn journal(self) -> journal::Verdict {
        match self {
            Verdict::Approve => journal::Verdict::Approve,
            Verdict::Reject => journal::Verdict::Reject,
            Verdict::Defer => journal::Verdict::Defer,
        }
    }
}

/// Work for the workspace, as `update` asks for it.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    None,
    Many(Vec<Effect>),
    /// Read a queue window: up to `before` rows before the anchor and `after` from it on.
    LoadWindow {
        query: QueueQuery,
        anchor: Anchor,
        before: usize,
        after: usize,
    },
    /// Read rows after (`forward`) or before `from`.
    LoadMore {
        query: QueueQuery,
        from: QueueKey,
        forward: bool,
        limit: usize,
    },
    LoadProgress,
    LoadFacets,
    Open(CandidateId),
    /// Open the candidate after or before `key` in the queue. After a decision, the next pending
    /// one (wrapping to the start of the queue).
    OpenNeighbour {
        query: QueueQuery,
        key: QueueKey,
        forward: bool,
        after_decision: bool,
    },
    Decide(Decision),
    /// Undo the latest decision: the steward's own, or another's whose entry was confirmed.
    Undo(Option<i64>),
    /// Undo this candidate's standing decision (`mergeq undo ID`), whoever made it.
    UndoCandidate(CandidateId),
    /// Approve the undecided candidates inside this approved one.
    ApproveInside(CandidateId),
    /// Whether the journal grew since the last look (another steward's decision, an import).
    CheckWrites,
    /// How the candidate under review stands now, against the status and member versions shown.
    LookAgain {
        candidate: CandidateId,
        status: Status,
        seen: String,
    },
    /// Combine these candidates (`import::combine`) and open the one holding all their records.
    Combine(Vec<CandidateId>),
    LoadJournal,
    LoadDashboard,
    /// The place, on quit: waits for a busy workspace and reports a failure.
    SavePosition(SavedPosition),
    /// The place, while working: best effort, never holds the console up (see `save_ui_state`).
    SavePlace(SavedPosition),
}

/// The console's handle on the workspace.
pub struct Workspace {
    pub store: Store,
    pub steward: String,
    /// The time decisions are stamped with (RFC 3339 UTC); `clock::now` outside tests.
    pub clock: fn() -> String,
    /// The survivorship rules (`--rules`, else the built-in ones).
    pub rules: Arc<Rules>,
    /// The journal's last entry when the console last looked (`Effect::CheckWrites`).
    pub head_seen: Option<i64>,
}

impl Workspace {
    pub fn new(store: Store, steward: &str) -> Workspace {
        Workspace {
            store,
            steward: steward.to_string(),
            clock: crate::clock::now,
            rules: Arc::new(Rules::builtin()),
            head_seen: None,
        }
    }

    /// The rules' golden record for these members.
    fn suggest(&self, object: &str, records: &[Record]) -> Golden {
        crate::survivorship::suggest(&self.rules, object, records)
    }

    fn items(&self, rows: &[crate::store::QueueRow]) -> Vec<QueueItem> {
        rows.iter().map(|row| summary::queue_item(row, |o, r| self.suggest(o, r))).collect()
    }
}

/// Runs one effect; the actions it yields go back through `update`.
pub fn run(ws: &mut Workspace, effect: Effect) -> Vec<Action> {
    match effect {
        Effect::None => Vec::new(),
        Effect::Many(list) => list.into_iter().flat_map(|e| run(ws, e)).collect(),
        Effect::Decide(decision) => match decide(ws, &decision) {
            Ok(loaded) => vec![Action::Loaded(loaded)],
            Err(e) => {
                let text = match (
                    e.downcast_ref::<journal::StaleError>(),
                    e.downcast_ref::<journal::StatusChanged>(),
                ) {
                    (Some(stale), _) => said::stale(stale),
                    (_, Some(changed)) => said::status_changed(changed),
                    // A contradiction's brief names the candidate to undo; anything else (a
                    // workspace busy with another program's write) says which was not decided.
                    _ if e.is::<journal::Contradiction>() => failure(&e),
                    _ => format!("#{} not decided: {}", decision.candidate, failure(&e)),
                };
                let mut out = vec![Action::Failed(text)];
                // A member or the status changed since the steward saw it (another steward's
                // import or decision): show the candidate as it is now (the steward's choices are
                // kept) so that the next decision is made on what is there.
                if let Ok(data) = open(ws, decision.candidate) {
                    if data.seen != decision.seen || data.candidate.status != decision.status {
                        out.push(Action::Loaded(Loaded::Reloaded(Box::new(data))));
                    }
                }
                out
            }
        },
        other => match run_one(ws, other) {
            Ok(Some(loaded)) => vec![Action::Loaded(loaded)],
            Ok(None) => Vec::new(),
            Err(e) => vec![Action::Failed(failure(&e))],
        },
    }
}

/// A failed effect for the status line: a refused contradiction briefly (one line says which
/// candidate to undo), anything else in full.
fn failure(e: &anyhow::Error) -> String {
    match e.downcast_ref::<journal::Contradiction>() {
        Some(c) => c.brief.clone(),
        None => format!("{e:#}"),
    }
}

fn run_one(ws: &mut Workspace, effect: Effect) -> Result<Option<Loaded>> {
    Ok(Some(match effect {
        Effect::None | Effect::Many(_) => return Ok(None),
        Effect::LoadWindow { query, anchor, before, after } => {
            load_window(ws, &query, anchor, before, after)?
        }
        Effect::LoadMore { query, from, forward, limit } => {
            let from = if forward { PageFrom::After(from) } else { PageFrom::Before(from) };
            let rows = ws.store.queue_page(&query, from, limit)?;
            Loaded::More { reached_end: rows.len() < limit, rows: ws.items(&rows), forward }
        }
        Effect::LoadProgress => {
            let mut p = Progress::default();
            for (status, n) in ws.store.status_counts()? {
                p.candidates += n;
                match status {
                    Status::Pending => p.pending = n,
                    Status::Approved => p.approved = n,
                    Status::Rejected => p.rejected = n,
                    Status::Deferred => p.deferred = n,
                }
            }
            Loaded::Progress(p)
        }
        Effect::LoadFacets => {
            Loaded::Facets { objects: ws.store.record_objects()?, sources: ws.store.record_sources()? }
        }
        Effect::Open(id) => Loaded::Candidate(Box::new(open(ws, id)?)),
        Effect::OpenNeighbour { mut query, key, forward, after_decision } => {
            if after_decision {
                query.status = Some(Status::Pending);
            }
            let from = if forward { PageFrom::After(key) } else { PageFrom::Before(key) };
            let mut next = ws.store.queue_page(&query, from, 1)?;
            if next.is_empty() && after_decision {
                next = ws.store.queue_page(&query, PageFrom::Start, 1)?;
            }
            // Which queue: a steward on the pending queue looking for the one just approved
            // learns it is there under another status.
            let which = match query.status {
                Some(status) => format!("{status} candidate (f changes the status shown)"),
                None => "candidate of the queue".to_string(),
            };
            match next.first() {
                Some(row) => Loaded::Candidate(Box::new(open(ws, row.id)?)),
                None => Loaded::NoCandidate {
                    message: match (after_decision, forward) {
                        (true, _) => {
                            let counts = ws.store.status_counts()?;
                            let pending =
                                counts.iter().find(|(s, _)| *s == Status::Pending).map_or(0, |c| c.1);
                            said::none_left(&query, pending)
                        }
                        (false, true) => format!("this is the last {which}"),
                        (false, false) => format!("this is the first {which}"),
                    },
                    leave: after_decision,
                },
            }
        }
        Effect::Decide(decision) => decide(ws, &decision)?,
        Effect::Undo(others) => undo(ws, others)?,
        Effect::UndoCandidate(id) => {
            let at = (ws.clock)();
            undone(journal::undo(&mut ws.store, Some(id), &ws.steward, &at))?
        }
        Effect::CheckWrites => {
            let head = ws.store.journal_head()?.map(|(seq, _)| seq);
            let seen = std::mem::replace(&mut ws.head_seen, head);
            match seen.is_some() && seen != head {
                true => Loaded::OthersWrote,
                false => return Ok(None),
            }
        }
        Effect::LookAgain { candidate, status, seen } => {
            Loaded::Since { candidate, line: since(ws, candidate, status, &seen)? }
        }
        Effect::ApproveInside(holder) => {
            let done = journal::approve_inside(&mut ws.store, holder, &ws.steward, &(ws.clock)(), &ws.rules)?;
            let approved = done.iter().map(|d| d.candidate).collect();
            Loaded::InsideApproved { message: said::inside_approved(holder, &done), approved }
        }
        Effect::Combine(ids) => {
            let out = crate::import::combine(&mut ws.store, &ids, &ws.steward, &(ws.clock)())?;
            Loaded::Combined { message: said::combined(&out), data: Box::new(open(ws, out.id)?) }
        }
        Effect::LoadJournal => Loaded::Journal(journal_view(ws)?),
        Effect::LoadDashboard => Loaded::Dashboard(Box::new(ws.store.stats()?)),
        Effect::SavePosition(position) => {
            save_place(ws, &position, true)?;
            return Ok(None);
        }
        Effect::SavePlace(position) => {
            // A workspace busy with another mergeq's write: the next save or the quit keeps it.
            let _ = save_place(ws, &position, false);
            return Ok(None);
        }
    }))
}

fn load_window(
    ws: &Workspace,
    query: &QueueQuery,
    anchor: Anchor,
    before: usize,
    after: usize,
) -> Result<Loaded> {
    let (rows, select, at_start, at_end) = match anchor {
        Anchor::Start => {
            let rows = ws.store.queue_page(query, PageFrom::Start, after)?;
            let end = rows.len() < after;
            (rows, Select::First, true, end)
        }
        Anchor::End => {
            let rows = ws.store.queue_page(query, PageFrom::End, after)?;
            let start = rows.len() < after;
            (rows, Select::Last, start, true)
        }
        Anchor::At(key) => {
            let mut rows = ws.store.queue_page(query, PageFrom::Before(key), before)?;
            let start = rows.len() < before;
            let fwd = ws.store.queue_page(query, PageFrom::AtOrAfter(key), after)?;
            let end = fwd.len() < after;
            let select = fwd.first().or(rows.last()).map_or(Select::First, |r| Select::Row(r.id));
            rows.extend(fwd);
            (rows, select, start, end)
        }
    };
    Ok(Loaded::Window { rows: ws.items(&rows), select, at_start, at_end })
}

/// Writes the steward's place; `wait`: whether to wait for another mergeq's write (the quit does).
fn save_place(ws: &mut Workspace, position: &SavedPosition, wait: bool) -> Result<()> {
    let state = serde_json::to_string(position)?;
    ws.store.save_ui_state(&ws.steward, &state, &(ws.clock)(), wait)
}

/// Reads one candidate for the review screen.
pub fn open(ws: &Workspace, id: CandidateId) -> Result<ReviewData> {
    let candidate =
        ws.store.candidate(id)?.ok_or_else(|| anyhow!("candidate {id} is not in the workspace"))?;
    let members = ws.store.members(id)?;
    if members.is_empty() {
        return Err(anyhow!("candidate {id} has no member records"));
    }
    let records: Vec<Record> = members.iter().map(|(r, _)| r.clone()).collect();
    let suggestion = ws.suggest(&candidate.object, &records);
    let seen = seen_token(&records.iter().map(|r| r.version).collect::<Vec<_>>());
    let key = QueueKey { score: candidate.score, id };
    let approved = if candidate.status == Status::Approved { approval(ws, id)? } else { None };
    let mut decider = None;
    let decided = match candidate.status {
        Status::Rejected | Status::Deferred => journal::standing_decided(&ws.store, id)?.map(|d| {
            let note = d.note.map_or(String::new(), |n| format!(" · {n}"));
            decider = Some(d.steward.clone());
            format!("{} by {} {}{note}", candidate.status, d.steward, crate::clock::minute(&d.at))
        }),
        Status::Approved => {
            decider = approved.as_ref().map(|a| a.steward.clone());
            None
        }
        Status::Pending => None,
    };
    let (shared, replaces) = ws.store.approved_overlaps_of(id)?;
    let carried = match candidate.status {
        Status::Pending | Status::Deferred if !replaces.is_empty() => carried_choices(ws, &replaces)?,
        _ => None,
    };
    Ok(ReviewData {
        candidate,
        members,
        suggestion,
        seen,
        key,
        rules: ws.rules.clone(),
        approved,
        decided,
        decider,
        shared,
        replaces,
        carried,
    })
}

/// The choices of the approvals a candidate replaces (it holds all their records), merged in
/// id order, the first choice of a field winning: a steward combining an approved pair with its
/// neighbour starts from the picks already made, not from the rules alone.
fn carried_choices(ws: &Workspace, replaces: &[CandidateId]) -> Result<Option<(Choices, Vec<CandidateId>)>> {
    let mut merged = Choices::default();
    let mut from = Vec::new();
    for &id in replaces {
        let Some(approved) = approval(ws, id)? else { continue };
        let c = approved.choices;
        if c == Choices::default() {
            continue;
        }
        from.push(id);
        let taken =
            |m: &Choices, f: &str| m.picks.iter().any(|(p, _)| p == f) || m.sets.iter().any(|(s, _)| s == f);
        for (field, key) in c.picks {
            if !taken(&merged, &field) {
                merged.picks.push((field, key));
            }
        }
        for (field, value) in c.sets {
            if !taken(&merged, &field) {
                merged.sets.push((field, value));
            }
        }
        merged.survivor = merged.survivor.or(c.survivor);
    }
    Ok((!from.is_empty()).then_some((merged, from)))
}

/// What changed on a candidate since it was shown with `status` and member versions `seen`: who
/// decided it (`approved by ana 01:28`), or that its records changed; `None` when nothing did.
fn since(ws: &Workspace, id: CandidateId, status: Status, seen: &str) -> Result<Option<String>> {
    let Some(now) = ws.store.candidate(id)? else { return Ok(None) };
    let hour = |at: &str| at.get(11..16).unwrap_or(at).to_string();
    let decided = match now.status {
        _ if now.status == status => None,
        Status::Approved => {
            let a = journal::approved::Approval::standing(&ws.store, id)?;
            Some(a.map_or("approved".into(), |a| format!("approved by {} {}", a.steward, hour(&a.at))))
        }
        Status::Rejected | Status::Deferred => {
            let d = journal::standing_decided(&ws.store, id)?;
            Some(d.map_or(now.status.to_string(), |d| {
                format!("{} by {} {}", now.status, d.steward, hour(&d.at))
            }))
        }
        Status::Pending => Some("pending again".to_string()),
    };
    let versions: Vec<i64> = ws.store.members(id)?.iter().map(|(r, _)| r.version).collect();
    let changed = (seen_token(&versions) != seen).then_some("its records changed");
    Ok(match (decided, changed) {
        (None, None) => None,
        (Some(d), None) => Some(format!("{d} (since you opened it)")),
        (None, Some(c)) => Some(format!("{c} since you opened it")),
        (Some(d), Some(c)) => Some(format!("{d}, {c} (since you opened it)")),
    })
}

/// A candidate's standing approval, read back from its journal entry once: the golden record it
/// merged, the steward's choices, and who approved it when.
fn approval(ws: &Workspace, id: CandidateId) -> Result<Option<ApprovedView>> {
    Ok(journal::approved::Approval::standing(&ws.store, id)?.map(|a| ApprovedView {
        line: format!("approved by {} {}", a.steward, crate::clock::minute(&a.at)),
        steward: a.steward,
        note: a.note,
        choices: a.choices,
        golden: a.golden,
    }))
}

/// Commits a decision through the journal (one transaction: entry and status together).
fn decide(ws: &mut Workspace, d: &Decision) -> Result<Loaded> {
    let request = journal::DecisionRequest {
        candidate: d.candidate,
        verdict: d.verdict.journal(),
        choices: d.choices.clone(),
        note: d.note.clone(),
        seen: Some(d.seen.clone()),
        status_seen: Some(d.status),
        steward: ws.steward.clone(),
        at: (ws.clock)(),
        rules: ws.rules.clone(),
    };
    let out = journal::decide(&mut ws.store, &request)?;
    let message = said::decided(&out);
    let inside_of = (!out.inside.is_empty()).then_some(out.candidate);
    Ok(Loaded::Decided { message, key: d.key, inside_of })
}

/// Undoes the latest standing decision through the journal (a new entry that reverses it); when
/// it is another steward's, only once the steward confirmed that entry.
fn undo(ws: &mut Workspace, others: Option<i64>) -> Result<Loaded> {
    match journal::undo_latest_own(&mut ws.store, &ws.steward, &(ws.clock)(), others) {
        Err(e) if e.is::<journal::OthersDecision>() => {
            let other: journal::OthersDecision = e.downcast()?;
            Ok(Loaded::UndoAsk { message: said::others_decision(&other), seq: other.seq })
        }
        done => undone(done),
    }
}

/// An undo's outcome as the console shows it: the candidate it reopens, with the choices of an
/// undone approval.
fn undone(done: Result<journal::UndoOutcome>) -> Result<Loaded> {
    let out = match done {
        Ok(out) => out,
        // Not a failure: nothing was decided yet (or every decision is undone already).
        Err(e) if e.is::<journal::NothingToUndo>() => {
            let message = match e.downcast_ref::<journal::NothingToUndo>().and_then(|n| n.0) {
                Some(id) => format!("nothing to undo: no decision on #{id} stands"),
                None => "nothing to undo: no decision stands in the journal".into(),
            };
            return Ok(Loaded::Undone { message, candidate: None, choices: None });
        }
        Err(e) => return Err(e),
    };
    let message = said::undone(&out);
    // Undone is as before the decision: the steward's picks and edits are back on the screen
    // (unless an earlier approval stands again: then that one's choices show).
    let choices = (out.status != Status::Approved).then_some(out.reversed_choices);
    Ok(Loaded::Undone { message, candidate: Some(out.candidate), choices })
}

/// How many of the latest journal entries the journal screen reads.
const JOURNAL_LINES: i64 = 500;

/// The journal's latest entries and sign-off state.
fn journal_view(ws: &Workspace) -> Result<JournalView> {
    let head = ws.store.journal_head()?.map(|(seq, _)| seq).unwrap_or(0);
    let mut entries = Vec::new();
    ws.store.scan_journal((head - JOURNAL_LINES + 1).max(1), |e| {
        // As `audit log` says it, for the screen (`journal::describe`).
        let what = Some(journal::describe::what_for(&e.action, &e.body, journal::describe::For::Screen))
            .filter(|w| !w.is_empty());
        entries.push(JournalLine {
            seq: e.seq,
            what,
            at: e.at,
            steward: e.steward,
            action: e.action,
            candidate: e.candidate.map(CandidateId),
        });
        Ok(())
    })?;
    entries.reverse();
    let last = ws.store.last_journal_entry(journal::Action::Signoff)?;
    let decisions: Vec<&str> = journal::Action::ALL
        .iter()
        .filter(|a| a.is_decision() || **a == journal::Action::Undo)
        .map(|a| a.as_str())
        .collect();
    let unsigned = ws.store.journal_count_after(last.as_ref().map(|e| e.seq).unwrap_or(0), &decisions)?;
    let last_signoff = last.map(|e| {
        let upto = journal::signoff::read_covers(&e.body).map(|c| c.last).unwrap_or(e.seq);
        format!("{} up to entry {upto} on {}", e.steward, crate::clock::day(&e.at))
    });
    Ok(JournalView { entries, total: head, unsigned: unsigned.max(0) as u64, last_signoff })
}
