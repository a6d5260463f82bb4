//! What an export's window holds, replayed from the journal: each candidate's standing decision
//! with the entry since which it stands (its own, or the undo that made it stand again), and, for
//! a `--since-last` merge plan, the records the earlier plans of that CRM merged — even where the
//! approval was undone since, as the CRM has applied it. Apart from `select` because it reads
//! only the decision index and the earlier exports' entries, never a decision's body.

use super::crm::Crm;
use super::decisions::merged_key;
use super::select::Window;
use crate::journal::replay::Replay;
use crate::journal::Action;
use crate::model::{CandidateId, RecordKey};
use crate::store::{ExportWindow, Store};
use anyhow::{anyhow, Result};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::BTreeMap;

/// The journal's decisions replayed once: every candidate's standing decision (not undone, not
/// replaced by a later one), and which approvals each of `exports` carried.
pub(super) struct Replayed {
    pub standing: Vec<Standing>,
    /// Per export of `exports`, the approvals standing when it ran and inside its window, in
    /// journal order. An approval undone after the export that carried it is here too: the CRM
    /// has merged its records all the same.
    pub carried: Vec<Vec<CandidateId>>,
}

/// A candidate's standing decision: its entry and action, and the entry since which it stands —
/// its own, or the undo of a later decision that made it stand again. An export's window is about
/// the latter: a decision standing again after the previous export (or after the sign-off) is new
/// to it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Standing {
    seq: i64,
    action: Action,
    since: i64,
}

/// Replays the decision index in journal order, stopping at each of `exports` (oldest first) to
/// take the approvals standing then and inside its window.
pub(super) fn replay_decisions(store: &Store, exports: &[ExportWindow]) -> Result<Replayed> {
    let mut replay = Replay::new();
    let mut since: FxHashMap<CandidateId, i64> = FxHashMap::default();
    // An approval is taken once, by the first export that carried it: by then it merged its
    // records, or was left out for a record merged before it (which stays merged), so a later
    // export carrying it again changes nothing. So the standing approvals not taken yet are kept
    // by the entry since which they stand, and an export takes its window out of them: the work
    // and the memory stay one entry per approval, whatever the number of exports.
    let mut untaken: BTreeMap<i64, (CandidateId, i64)> = BTreeMap::new();
    let mut taken: FxHashSet<i64> = FxHashSet::default();
    let mut carried: Vec<Vec<CandidateId>> = Vec::with_capacity(exports.len());
    let approval = |replay: &Replay, c: CandidateId| match replay.standing(c).last() {
        Some(&(seq, Action::Approve)) => Some(seq),
        _ => None,
    };
    for e in store.decision_index()? {
        let a = Action::parse(e.action).expect("the index holds decisions and undos");
        let candidate = e.candidate.map(CandidateId);
        if !exports.is_empty() {
            take(exports, e.seq, &mut untaken, &mut taken, &mut carried);
            if let Some(c) = candidate.filter(|c| approval(&replay, *c).is_some()) {
                untaken.remove(&since[&c]);
            }
        }
        replay
            .apply(e.seq, a, candidate, e.reverses)
            .map_err(|m| anyhow!("journal entry {}: {m}; run `mergeq audit verify`", e.seq))?;
        let Some(c) = candidate else { continue };
        match replay.standing(c).last() {
            Some(_) => since.insert(c, e.seq),
            None => since.remove(&c),
        };
        // A new approval, or an earlier one standing again after an undo.
        if let Some(seq) = approval(&replay, c).filter(|seq| !exports.is_empty() && !taken.contains(seq)) {
            untaken.insert(e.seq, (c, seq));
        }
    }
    take(exports, i64::MAX, &mut untaken, &mut taken, &mut carried);
    let standing =
        replay.latest().map(|(c, (seq, action))| Standing { seq, action, since: since[&c] }).collect();
    Ok(Replayed { standing, carried })
}

/// Each export (oldest first) written before entry `seq` and not looked at yet takes the untaken
/// standing approvals in its window.
fn take(
    exports: &[ExportWindow],
    seq: i64,
    untaken: &mut BTreeMap<i64, (CandidateId, i64)>,
    taken: &mut FxHashSet<i64>,
    carried: &mut Vec<Vec<CandidateId>>,
) {
    while let Some(e) = exports.get(carried.len()).filter(|e| e.seq < seq) {
        // An export that found nothing new looked at an empty window (`after == through`).
        let sinces: Vec<i64> = if e.after < e.through {
            untaken.range(e.after + 1..=e.through).map(|(s, _)| *s).collect()
        } else {
            Vec::new()
        };
        let mut taking = Vec::with_capacity(sinces.len());
        for s in sinces {
            let (c, approval) = untaken.remove(&s).expect("just seen");
            taken.insert(approval);
            taking.push(c);
        }
        carried.push(taking);
    }
}

/// The entries, in order, of the decisions of `action` standing since an entry in the window.
pub(super) fn standing(decisions: &[Standing], action: Action, w: Window) -> Vec<i64> {
    let mut seqs: Vec<i64> = decisions
        .iter()
        .filter(|d| d.action == action && d.since > w.after && d.since <= w.through)
        .map(|d| d.seq)
        .collect();
    seqs.sort_unstable();
    seqs
}

/// The records earlier exports of a CRM plan merged (`--since-last`), each with the candidate that
/// merged it: each export's approvals in journal order, less those its plan left out (members from
/// another source, an object the CRM cannot merge, a record an earlier merge had taken).
pub(super) fn merged_by_earlier_exports(
    store: &Store,
    carried: &[Vec<CandidateId>],
    exports: &[ExportWindow],
    crm: Crm,
) -> Result<Vec<(String, i64)>> {
    let wanted: FxHashSet<CandidateId> = carried.iter().flatten().copied().collect();
    let mut members: FxHashMap<CandidateId, (String, Vec<RecordKey>)> = FxHashMap::default();
    for (c, object, key) in store.approved_member_keys()? {
        if wanted.contains(&c) {
            members.entry(c).or_insert_with(|| (object, Vec::new())).1.push(key);
        }
    }
    // Approvals undone (or replaced) since an export carried them: read one by one (they are few).
    for &c in &wanted {
        if let std::collections::hash_map::Entry::Vacant(slot) = members.entry(c) {
            if let Some(candidate) = store.candidate(c)? {
                slot.insert((candidate.object, candidate.members));
            }
        }
    }
    let mut merged: FxHashMap<String, i64> = FxHashMap::default();
    for (export, candidates) in exports.iter().zip(carried) {
        let source = crm.records_source(export.source.as_deref());
        for c in candidates {
            let Some((object, keys)) = members.get(c) else { continue };
            if crm.leaves_out(source, object, keys.iter().map(|k| k.source.as_str())).is_some() {
                continue;
            }
            let keys: Vec<String> = keys.iter().map(|k| merged_key(object, k)).collect();
            if keys.iter().all(|k| !merged.contains_key(k)) {
                merged.extend(keys.into_iter().map(|k| (k, c.0)));
            }
        }
    }
    Ok(merged.into_iter().collect())
}
