//! Decisions and undo: one transaction each, in which the journal entry, the candidate's new status
//! and the not-a-duplicate memory (rejected pairs) are written together or not at all. The stale
//! guard refuses a decision made on member versions that an import has since replaced.

mod body;
mod contradictions;
mod outcome;

pub use body::choices_of;
/// How far the contradiction check follows approvals (`audit verify` follows them as far).
pub(crate) use contradictions::REACH_LIMIT;
pub use outcome::{
    shared_brief, CarriedOut, Contradiction, DecisionOutcome, ExportedIn, NothingToUndo, OthersDecision,
    Overlaps, StatusChanged, UndoOutcome,
};

use super::chain::{append, NewEntry};
use super::encoding::Action;
use super::replay::{reverses_of, status_of, Replay};
use super::stale::{check_entry_seen, check_seen, member_versions};
use crate::model::{parse_seen_token, CandidateId, Choices, Golden, Record, Status};
use crate::store::{CandidateRow, JournalEntry, MemberRow, Store, Tx};
use crate::survivorship::{self, Rules};
use anyhow::{anyhow, bail, Result};
use body::{choices_body, golden_body, member_body};
use contradictions::{and_list, contradictions, refuse_clashes, revived_rejection, undo_first};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// A steward's verdict on a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Approve,
    Reject,
    Defer,
}

impl Verdict {
    pub fn action(self) -> Action {
        match self {
            Verdict::Approve => Action::Approve,
            Verdict::Reject => Action::Reject,
            Verdict::Defer => Action::Defer,
        }
    }

    pub fn status(self) -> Status {
        status_of(self.action())
    }
}

/// Everything a decision needs; the console and `mergeq decide` both fill one in.
#[derive(Debug, Clone)]
pub struct DecisionRequest {
    pub candidate: CandidateId,
    pub verdict: Verdict,
    /// Picks, edits and survivor (approve only).
    pub choices: Choices,
    pub note: Option<String>,
    /// The `seen` token shown to the steward; `None` decides on the current versions.
    pub seen: Option<String>,
    /// The status shown to the steward (the console): refused when another decision changed it
    /// since. `None` decides whatever the status is now.
    pub status_seen: Option<Status>,
    pub steward: String,
    /// RFC 3339 UTC.
    pub at: String,
    /// The survivorship rules the golden record is suggested under (loaded once by the caller).
    pub rules: Arc<Rules>,
}

/// Records a decision in one transaction.
pub fn decide(store: &mut Store, req: &DecisionRequest) -> Result<DecisionOutcome> {
    store.write(|tx| decide_in(tx, req))
}

/// Reverses the latest standing decision of a candidate (or of the whole journal) in one transaction.
pub fn undo(
    store: &mut Store,
    candidate: Option<CandidateId>,
    steward: &str,
    at: &str,
) -> Result<UndoOutcome> {
    undo_noted(store, candidate, steward, at, None)
}

/// [`undo`] with the steward's note saying why (kept in the entry's body as `note`).
pub fn undo_noted(
    store: &mut Store,
    candidate: Option<CandidateId>,
    steward: &str,
    at: &str,
    note: Option<&str>,
) -> Result<UndoOutcome> {
    store.write(|tx| undo_noted_in(tx, candidate, steward, at, note))
}

/// [`undo_noted`] inside the caller's transaction.
pub fn undo_noted_in(
    tx: &Tx,
    candidate: Option<CandidateId>,
    steward: &str,
    at: &str,
    note: Option<&str>,
) -> Result<UndoOutcome> {
    reverse(tx, candidate, Undoing { steward, at, note, superseded_by: None })
}

/// Reverses the latest standing decision of the whole journal, as the console's `u` does, when it
/// is `steward`'s own or the entry `others` confirmed; another steward's is refused with
/// [`OthersDecision`] and nothing is written, so that nobody undoes a colleague's work unawares.
pub fn undo_latest_own(
    store: &mut Store,
    steward: &str,
    at: &str,
    others: Option<i64>,
) -> Result<UndoOutcome> {
    store.write(|tx| {
        let target = latest_standing(tx, None)?.ok_or(NothingToUndo(None))?;
        let candidate = CandidateId(target.candidate.expect("decisions name their candidate"));
        if target.steward != steward && others != Some(target.seq) {
            return Err(OthersDecision {
                seq: target.seq,
                steward: target.steward,
                action: Action::parse(&target.action).expect("a decision action"),
                candidate,
                at: target.at,
            }
            .into());
        }
        // The latest standing decision of all is its candidate's latest standing one: found again
        // through that candidate's entries, not by walking the whole journal back twice.
        undo_in(tx, Some(candidate), steward, at)
    })
}

/// Approves, in one transaction, every undecided candidate all of whose records the approved
/// candidate `holder` holds (the pairs inside an approved cluster), each as the steward's own
/// approval on the rules' golden record with a note naming `holder`. A merge plan carries
/// `holder`'s merge and leaves them out; approving them clears them from the queue.
pub fn approve_inside(
    store: &mut Store,
    holder: CandidateId,
    steward: &str,
    at: &str,
    rules: &Arc<Rules>,
) -> Result<Vec<DecisionOutcome>> {
    store.write(|tx| {
        let cand = tx.candidate_row(holder)?.ok_or_else(|| anyhow!("no candidate {holder}"))?;
        if cand.status != Status::Approved {
            bail!("candidate {holder} is {}, not approved: nothing lies inside an approval", cand.status);
        }
        let rowids: Vec<i64> = tx.candidate_member_rows(holder)?.iter().map(|m| m.rowid).collect();
        let mut done = Vec::new();
        for inside in tx.undecided_within(&rowids)? {
            let req = DecisionRequest {
                candidate: inside,
                verdict: Verdict::Approve,
                choices: Choices::default(),
                note: Some(format!("inside #{holder}, approved")),
                seen: None,
                status_seen: None,
                steward: steward.to_string(),
                at: at.to_string(),
                rules: rules.clone(),
            };
            done.push(decide_in(tx, &req)?);
        }
        Ok(done)
    })
}

/// The one place that calls survivorship: the suggestion, and the golden record after the
/// steward's choices. (Adapt here when survivorship's signature changes.)
fn golden_for(
    rules: &Rules,
    object: &str,
    members: &[Record],
    choices: &Choices,
) -> Result<(Golden, Golden)> {
    let suggested = survivorship::suggest(rules, object, members);
    let mut golden = suggested.clone();
    survivorship::apply_choices(rules, object, &mut golden, members, choices)?;
    Ok((suggested, golden))
}

fn has_choices(c: &Choices) -> bool {
    !(c.picks.is_empty() && c.sets.is_empty() && c.survivor.is_none())
}

/// The field a mistyped name most likely meant: the same name in another case, else the one
/// closest by edits when it is close (at most two edits, and fewer than half the name).
fn nearest_field<'f>(typed: &str, fields: &BTreeSet<&'f str>) -> Option<&'f str> {
    let folded = typed.to_lowercase();
    if let Some(same) = fields.iter().find(|f| f.to_lowercase() == folded) {
        return Some(same);
    }
    let (distance, near) =
        fields.iter().map(|f| (strsim::levenshtein(&folded, &f.to_lowercase()), *f)).min()?;
    (distance <= 2 && distance * 2 < typed.chars().count()).then_some(near)
}

/// Refuses choices that name a record outside the candidate or a field no member has.
fn check_choices(cand: CandidateId, members: &[MemberRow], choices: &Choices) -> Result<()> {
    let fields: BTreeSet<&str> =
        members.iter().flat_map(|m| m.record.fields.keys().map(String::as_str)).collect();
    let is_member = |k: &crate::model::RecordKey| members.iter().any(|m| &m.record.key == k);
    for (field, key) in &choices.picks {
        if !is_member(key) {
            bail!("--pick {field}={key}: {key} is not a member of candidate {cand}");
        }
    }
    let named = choices.picks.iter().map(|(f, _)| f).chain(choices.sets.iter().map(|(f, _)| f));
    for field in named {
        if !fields.contains(field.as_str()) {
            let known: Vec<String> = fields.iter().map(|f| crate::text::visible(f).into_owned()).collect();
            let hint = match nearest_field(field, &fields) {
                Some(near) => format!("; did you mean `{}`?", crate::text::visible(near)),
                None => String::new(),
            };
            bail!(
                "no member of candidate {cand} has a field `{}` (its fields: {}){hint}",
                crate::text::visible(field),
                known.join(", ")
            );
        }
    }
    if let Some(s) = &choices.survivor {
        if !is_member(s) {
            bail!("--survivor {s} is not a member of candidate {cand}");
        }
    }
    Ok(())
}

/// The status candidate `id` returns to when its latest standing decision is undone.
/// The status candidate `id` is left with once every approval standing on top of its decisions
/// is undone (a candidate approved again has an approval under its latest one).
fn status_below_approvals(tx: &Tx, id: CandidateId) -> Result<Status> {
    let (replay, _) = replay_candidate(tx, id)?;
    let below = replay.standing(id).iter().rev().find(|&&(_, action)| action != Action::Approve);
    Ok(below.map_or(Status::Pending, |&(_, action)| status_of(action)))
}

/// The status a candidate's standing decisions give once the last is undone: that of the one
/// before it, or pending.
fn status_before_last(standing: &[(i64, Action)]) -> Status {
    standing.iter().rev().nth(1).map_or(Status::Pending, |&(_, a)| status_of(a))
}

/// Records a decision inside the caller's transaction (batches of decisions, tests, benchmarks).
pub fn decide_in(tx: &Tx, req: &DecisionRequest) -> Result<DecisionOutcome> {
    let id = req.candidate;
    let cand = tx.candidate_row(id)?.ok_or_else(|| anyhow!("no candidate {id}"))?;
    let members = tx.candidate_member_rows(id)?;
    if members.is_empty() {
        bail!("candidate {id} has no member records");
    }
    if let Some(shown) = req.status_seen.filter(|&s| s != cand.status) {
        let by = match cand.status {
            // Pending again: who undid its decision, when an undo made it so.
            Status::Pending => {
                let mut undone = None;
                tx.walk_decisions_back(Some(id), |e| {
                    if e.action == Action::Undo.as_str() {
                        undone = Some((e.steward.clone(), e.at.clone()));
                    }
                    Ok(false)
                })?;
                undone
            }
            _ => latest_standing(tx, Some(id))?.map(|e| (e.steward, e.at)),
        };
        return Err(StatusChanged { candidate: id, shown, now: cand.status, by }.into());
    }
    if let Some(token) = &req.seen {
        check_seen(id, &members, token, |rowid, v| tx.record_fields_at_version(rowid, v))?;
        if let Some((_, Some(shown))) = parse_seen_token(token) {
            // The decisions and undos recorded on it since the one shown, newest first.
            let (mut since, mut latest) = (Vec::new(), None);
            tx.walk_decisions_back(Some(id), |e| {
                if e.seq > shown {
                    since.push(e.clone());
                    return Ok(true);
                }
                latest = Some(e.seq);
                Ok(false)
            })?;
            check_entry_seen(id, shown, &since, latest)?;
        }
    }
    if req.verdict != Verdict::Approve && has_choices(&req.choices) {
        bail!("--pick, --set and --survivor go with approve, not with {}", req.verdict.action());
    }
    check_choices(id, &members, &req.choices)?;
    let status = req.verdict.status();
    let verb = req.verdict.action().as_str();
    let clashes = contradictions(tx, id, status, &members)?;
    refuse_clashes(&format!("{verb} candidate {id}"), &clashes, "decide this one otherwise", |clashes| {
        let briefs: Vec<&str> = clashes.iter().map(|c| c.brief.as_str()).collect();
        format!("not {}: {} — {}", status.as_str(), briefs.join("; "), undo_first(clashes))
    })?;
    // Approving a candidate that holds every record of earlier approvals (a cluster after its
    // pairs) replaces them: a CRM merges a record once, so a plan would carry the earlier, smaller
    // merge and leave the whole one out. Each is undone below, in the same transaction, down to
    // its last approval (one approved twice stands on the earlier approval) — unless that would
    // bring back an earlier rejection of records this approval merges.
    let replaced = match status {
        Status::Approved => tx.approved_within(id, &members.iter().map(|m| m.rowid).collect::<Vec<_>>())?,
        _ => Vec::new(),
    };
    for &within in &replaced {
        if status_below_approvals(tx, within)? == Status::Rejected {
            return Err(revived_rejection(id, within).into());
        }
    }
    let records: Vec<Record> = members.iter().map(|m| m.record.clone()).collect();
    let golden = match req.verdict {
        Verdict::Approve => Some(golden_for(&req.rules, &cand.object, &records, &req.choices)?),
        _ => None,
    };
    // The decision this one replaces, when an export already carried it.
    let exported = match cand.status {
        Status::Approved | Status::Rejected => {
            let (replay, stood) = replay_candidate(tx, id)?;
            match replay.standing(id).last() {
                Some(&(prev, action)) => carried_out(tx, prev, &stood[&prev], action, &cand, &members)?,
                None => None,
            }
        }
        Status::Pending | Status::Deferred => None,
    };
    let mut body = member_body(&cand, &members, true);
    body.insert("status_before".into(), json!(cand.status.as_str()));
    body.insert("status_after".into(), json!(status.as_str()));
    body.insert("note".into(), json!(req.note));
    if let Some((suggested, approved)) = &golden {
        body.insert("golden".into(), golden_body(suggested, approved, &req.choices));
        body.insert("choices".into(), choices_body(&req.choices));
    }
    let entry = append(
        tx,
        &NewEntry {
            at: &req.at,
            steward: &req.steward,
            action: req.verdict.action(),
            candidate: Some(id),
            body: &Value::Object(body),
        },
    )?;
    set_status(tx, &cand, &members, status)?;
    let mut superseded = Vec::new();
    for within in replaced {
        loop {
            let undoing = Undoing {
                steward: &req.steward,
                at: &req.at,
                note: None,
                superseded_by: Some((id, entry.seq)),
            };
            let undone = reverse(tx, Some(within), undoing)?;
            let again = undone.status == Status::Approved;
            superseded.push(undone);
            if !again {
                break;
            }
        }
    }
    let (shared, inside) = match status {
        Status::Approved => {
            let rowids: Vec<i64> = members.iter().map(|m| m.rowid).collect();
            // The approvals it just replaced are pending inside it now: not offered back.
            let replaced: Vec<CandidateId> = superseded.iter().map(|u| u.candidate).collect();
            let mut inside = tx.undecided_within(&rowids)?;
            inside.retain(|c| !replaced.contains(c));
            (tx.approved_sharing_of(id)?, inside)
        }
        _ => (Vec::new(), Vec::new()),
    };
    Ok(DecisionOutcome {
        seq: entry.seq,
        hash: entry.hash,
        candidate: id,
        status_before: cand.status,
        status,
        seen: member_versions(&members),
        golden: golden.map(|(_, g)| g),
        exported,
        shared,
        members: members.len(),
        superseded,
        inside,
    })
}

/// Reverses a standing decision inside the caller's transaction.
pub fn undo_in(tx: &Tx, candidate: Option<CandidateId>, steward: &str, at: &str) -> Result<UndoOutcome> {
    reverse(tx, candidate, Undoing { steward, at, note: None, superseded_by: None })
}

/// Who undoes, when and why.
struct Undoing<'a> {
    steward: &'a str,
    at: &'a str,
    /// The steward's note, if any.
    note: Option<&'a str>,
    /// The approval (candidate and entry) that holds every record of the undone one and replaces
    /// it, written into the undo's body.
    superseded_by: Option<(CandidateId, i64)>,
}

/// Reverses a standing decision.
fn reverse(tx: &Tx, candidate: Option<CandidateId>, undoing: Undoing) -> Result<UndoOutcome> {
    let Undoing { steward, at, note, superseded_by } = undoing;
    let target = latest_standing(tx, candidate)?.ok_or(NothingToUndo(candidate))?;
    let id = CandidateId(target.candidate.expect("decisions name their candidate"));
    let cand = tx.candidate_row(id)?.ok_or_else(|| anyhow!("no candidate {id}"))?;
    let (replay, stood) = replay_candidate(tx, id)?;
    let standing = replay.standing(id);
    if standing.last().map(|&(seq, _)| seq) != Some(target.seq) {
        bail!(
            "journal entry {} is not candidate {id}'s latest standing decision; run `mergeq audit verify`",
            target.seq
        );
    }
    let reversed_action = Action::parse(&target.action).expect("a decision action");
    let status = status_before_last(standing);
    let members = tx.candidate_member_rows(id)?;
    // An undo that brings back a decision contradicting one made since is refused like that
    // decision would be. (Replacing an approval was checked by the approval itself.)
    if superseded_by.is_none() {
        let doing = format!(
            "undo entry {} ({} of candidate {id}), which would make it {} again",
            target.seq,
            target.action,
            status.as_str()
        );
        let or = format!("decide candidate {id} anew instead");
        refuse_clashes(&doing, &contradictions(tx, id, status, &members)?, &or, |clashes| {
            let against: Vec<String> = clashes.iter().map(|c| c.against.clone()).collect();
            format!(
                "not undone: #{id} would be {} again, against {} — {}",
                status.as_str(),
                and_list(&against),
                undo_first(clashes)
            )
        })?;
    }
    let mut body = member_body(&cand, &members, false);
    body.insert("reverses".into(), json!(target.seq));
    body.insert(
        "reversed".into(),
        json!({"action": target.action, "at": target.at, "steward": target.steward, "hash": target.hash}),
    );
    body.insert("status_before".into(), json!(cand.status.as_str()));
    body.insert("status_after".into(), json!(status.as_str()));
    if let Some((by, seq)) = superseded_by {
        body.insert("superseded_by".into(), json!({"candidate": by.0, "entry": seq}));
    }
    if let Some(note) = note {
        body.insert("note".into(), json!(note));
    }
    let entry = append(
        tx,
        &NewEntry { at, steward, action: Action::Undo, candidate: Some(id), body: &Value::Object(body) },
    )?;
    set_status(tx, &cand, &members, status)?;
    let exported = carried_out(tx, target.seq, &stood[&target.seq], reversed_action, &cand, &members)?;
    let reversed_choices = choices_of(&serde_json::from_str(&target.body)?);
    let (replaced, released) = match reversed_action {
        Action::Approve => {
            let rowids: Vec<i64> = members.iter().map(|m| m.rowid).collect();
            (tx.replaced_by(target.seq)?, tx.approved_within(id, &rowids)?)
        }
        _ => (Vec::new(), Vec::new()),
    };
    Ok(UndoOutcome {
        seq: entry.seq,
        hash: entry.hash,
        candidate: id,
        reversed_seq: target.seq,
        reversed_action,
        reversed_by: (target.steward != steward).then(|| target.steward.clone()),
        status_before: cand.status,
        status,
        exported,
        reversed_choices,
        replaced,
        released,
    })
}

/// The exports that carried the decision at `seq` (of `action`, on `cand` with `members`), if any:
/// merge plans and golden records carry approvals, the not-duplicate list rejections. It stood
/// over the intervals `stood` (from its own entry, and again from each undo that made it stand
/// again; the last one lasts until now, as only a standing decision is undone or replaced): an
/// export written within an interval carried it when its window reached the interval's start —
/// except a CRM merge plan, which leaves out the candidates with a member from another source and
/// objects that CRM cannot merge.
fn carried_out(
    tx: &Tx,
    seq: i64,
    stood: &[(i64, Option<i64>)],
    action: Action,
    cand: &CandidateRow,
    members: &[MemberRow],
) -> Result<Option<CarriedOut>> {
    use crate::export::decisions::Kind;
    let carried = |e: &crate::store::ExportReach| match Kind::parse(&e.format) {
        Some(kind) if kind.action() == action.as_str() => match kind {
            Kind::Crm(crm) => {
                let source = crm.records_source(e.source.as_deref());
                let sources = members.iter().map(|m| m.record.key.source.as_str());
                crm.leaves_out(source, &cand.object, sources).is_none()
            }
            _ => true,
        },
        _ => false,
    };
    let mut exports: Vec<ExportedIn> = Vec::new();
    for &(start, end) in stood {
        let within = |e: &crate::store::ExportReach| end.is_none_or(|end| e.seq < end);
        exports.extend(
            tx.exports_reaching(start)?.into_iter().filter(|e| within(e) && carried(e)).map(|e| ExportedIn {
                seq: e.seq,
                format: e.format,
                file: e.file,
            }),
        );
    }
    Ok((!exports.is_empty()).then_some(CarriedOut { decision: seq, action, exports }))
}

/// Writes the new status and keeps the rejected pairs in step with it.
fn set_status(tx: &Tx, cand: &CandidateRow, members: &[MemberRow], status: Status) -> Result<()> {
    let rowids: Vec<i64> = members.iter().map(|m| m.rowid).collect();
    tx.set_candidate_status(cand.id, status, &rowids)?;
    if status == Status::Rejected {
        tx.add_rejected_pairs(&rowids)?;
    } else if cand.status == Status::Rejected {
        tx.remove_uncovered_rejected_pairs(&rowids)?;
    }
    Ok(())
}

/// The latest decision not yet undone, of one candidate or of all: walking back, each undo cancels
/// the decision it names.
fn latest_standing(tx: &Tx, candidate: Option<CandidateId>) -> Result<Option<JournalEntry>> {
    let mut undone = BTreeSet::new();
    let mut found = None;
    tx.walk_decisions_back(candidate, |e| {
        if e.action == Action::Undo.as_str() {
            undone.extend(reverses_of(&e.body));
            return Ok(true);
        }
        if undone.contains(&e.seq) {
            return Ok(true);
        }
        found = Some(e.clone());
        Ok(false)
    })?;
    Ok(found)
}

/// When each decision stood: (the entry it began standing at, the entry it stopped at, if it did).
type Stood = BTreeMap<i64, Vec<(i64, Option<i64>)>>;

/// One candidate's decisions and undos replayed, with when each decision stood.
fn replay_candidate(tx: &Tx, id: CandidateId) -> Result<(Replay, Stood)> {
    let mut entries = Vec::new();
    tx.walk_decisions_back(Some(id), |e| {
        entries.push(e.clone());
        Ok(true)
    })?;
    let mut replay = Replay::new();
    let mut stood: Stood = BTreeMap::new();
    let mut top: Option<i64> = None;
    for e in entries.iter().rev() {
        let action = Action::parse(&e.action).expect("decision or undo");
        replay
            .apply(e.seq, action, e.candidate.map(CandidateId), reverses_of(&e.body))
            .map_err(|m| anyhow!("journal entry {}: {m}", e.seq))?;
        let now = replay.standing(id).last().map(|&(seq, _)| seq);
        if now != top {
            if let Some(interval) = top.and_then(|t| stood.get_mut(&t)).and_then(|v| v.last_mut()) {
                interval.1 = Some(e.seq);
            }
            if let Some(n) = now {
                stood.entry(n).or_default().push((e.seq, None));
            }
            top = now;
        }
    }
    Ok((replay, stood))
}

#[cfg(test)]
mod tests;
