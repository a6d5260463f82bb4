//! The part of `audit verify` that goes past the chain: from the journal's decisions and undos it
//! rebuilds what the standing decisions leave (`approved_members`, `rejected_pairs`) and compares
//! it with those tables, and replays the contradiction check `decide` applies. `decide` trusts the
//! tables: one changed outside mergeq would let a contradictory decision into a journal whose
//! hashes and signatures all hold, and detection would propose rejected pairs again.

use super::Problem;
use crate::journal::decide::REACH_LIMIT;
use crate::journal::standing::{Clash, Standing};
use crate::model::{CandidateId, Status};
use crate::store::Store;
use anyhow::Result;
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::BTreeSet;

/// One decision or undo as the walk replayed it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Change {
    pub seq: i64,
    pub candidate: CandidateId,
    /// The status the candidate was left with.
    pub status: Status,
    pub undo: bool,
}

/// Replays `changes` (in journal order) for contradictions, then compares the tables with what
/// the replay leaves; names the first thing wrong.
pub(super) fn check_derived(store: &Store, changes: &[Change]) -> Result<Option<Problem>> {
    let decided: FxHashSet<CandidateId> = changes.iter().map(|c| c.candidate).collect();
    let members = store.candidate_record_ids(|id| decided.contains(&id))?;
    let mut standing = Standing::new(&members, REACH_LIMIT);
    // The entry that gave each candidate its status.
    let mut since: FxHashMap<CandidateId, i64> = FxHashMap::default();
    for change in changes {
        if let Some(clash) = standing.set(change.candidate, change.status) {
            let other_seq = since.get(&clash.other).copied();
            return Ok(Some(contradiction(store, change, &clash, other_seq)?));
        }
        since.insert(change.candidate, change.seq);
    }
    let entry =
        |id: CandidateId| since.get(&id).map_or(String::new(), |seq| format!(" (journal entry {seq})"));
    let outside = "the table was changed outside mergeq";

    let want = standing.approved_members();
    let have: BTreeSet<(i64, CandidateId)> = store.approved_member_rows()?.into_iter().collect();
    if let Some(&(record, id)) = want.difference(&have).next() {
        let key = one_key(store, record)?;
        return Ok(Some(problem(format!(
            "approved_members lacks record {key} of candidate {id}, which the journal leaves approved{}: {outside}, \
             and a decision checked against it could contradict that approval",
            entry(id)
        ))));
    }
    if let Some(&(record, id)) = have.difference(&want).next() {
        let key = one_key(store, record)?;
        return Ok(Some(problem(format!(
            "approved_members holds record {key} for candidate {id}, which the journal leaves {}{}: {outside}",
            standing.status(id),
            entry(id)
        ))));
    }

    let want = standing.rejected_pairs();
    let have: FxHashSet<(i64, i64)> = store.rejected_pair_rows()?.into_iter().collect();
    if let Some((&(a, b), &id)) = want.iter().filter(|(pair, _)| !have.contains(pair)).min() {
        let keys = sorted(store.record_key_texts(&[a, b])?);
        return Ok(Some(problem(format!(
            "rejected_pairs lacks {} and {}, which the rejection of candidate {id}{} keeps apart: {outside}, and \
             detection and imports would propose the pair again",
            keys[0],
            keys[1],
            entry(id)
        ))));
    }
    if let Some(&(a, b)) = have.iter().filter(|pair| !want.contains_key(pair)).min() {
        let keys = sorted(store.record_key_texts(&[a, b])?);
        return Ok(Some(problem(format!(
            "rejected_pairs holds {} and {}, which no standing rejection keeps apart: {outside}",
            keys[0], keys[1]
        ))));
    }
    Ok(None)
}

fn problem(message: String) -> Problem {
    Problem { seq: None, message }
}

fn sorted(mut keys: Vec<String>) -> Vec<String> {
    keys.sort();
    keys
}

fn one_key(store: &Store, record: i64) -> Result<String> {
    Ok(store.record_key_texts(&[record])?.remove(0))
}

/// The entry at `change` contradicts the standing decision `clash` names.
fn contradiction(store: &Store, change: &Change, clash: &Clash, other_seq: Option<i64>) -> Result<Problem> {
    let mut keys = store.record_key_texts(&[clash.records.0, clash.records.1])?;
    keys.sort();
    let (mine, theirs) = match change.status {
        Status::Approved => ("approval", "rejection"),
        _ => ("rejection", "approval"),
    };
    let what = match change.undo {
        true => format!("this undo brings back the {mine} of candidate {}, which", change.candidate),
        false => format!("the {mine} of candidate {}", change.candidate),
    };
    let other = match other_seq {
        Some(seq) => format!("the {theirs} of candidate {} (journal entry {seq})", clash.other),
        None => format!("the {theirs} of candidate {}", clash.other),
    };
    Ok(Problem {
        seq: Some(change.seq),
        message: format!(
            "{what} contradicts {other}: {} and {} would go out both in a merge plan and in the \
             not-duplicate list. `decide` refuses this, so a table it checks against was changed outside mergeq",
            keys[0], keys[1]
        ),
    })
}
