//! Decisions that contradict one standing: an approval merging records a rejection keeps apart,
//! or a rejection of records an approval merges. Both would be exported — the same two records
//! in a merge plan and in the not-duplicate list — so `decide` and `undo` refuse them, saying
//! which decision to undo first (in full for the command line, in one line for the console).
//! Approvals merge through a shared record too: A–S and B–S approved merge A with B, so a
//! rejection of A–B contradicts them as much as an approval of A–B–S would.

use super::latest_standing;
use crate::journal::Contradiction;
use crate::model::{CandidateId, Status};
use crate::store::{MemberRow, Tx};
use anyhow::Result;
use std::collections::{BTreeMap, BTreeSet};

/// Another standing decision that candidate `id` standing with some status would contradict:
/// an approval merging records a rejection keeps apart, or the other way round. Both would be
/// exported — the same two records in a merge plan and in the not-duplicate list.
pub(super) struct Clash {
    pub(super) other: CandidateId,
    /// `crm:1 and crm:2 are merged by the approval of candidate 3 (journal entry 4)`
    pub(super) text: String,
    /// `#3, approved, merges 2 of its records`
    pub(super) brief: String,
    /// `#3's approval`
    pub(super) against: String,
}

/// The clashes of candidate `id` (with `members`) standing as `status`.
pub(super) fn contradictions(
    tx: &Tx,
    id: CandidateId,
    status: Status,
    members: &[MemberRow],
) -> Result<Vec<Clash>> {
    let rowids: Vec<i64> = members.iter().map(|m| m.rowid).collect();
    // Other candidate → the records of this one it decided on, in member (key) order.
    let mut by: BTreeMap<CandidateId, BTreeSet<usize>> = BTreeMap::new();
    let place = |rowid: i64| members.iter().position(|m| m.rowid == rowid).expect("a member");
    // Approving: the records approvals sharing records with this one link to it, whose pairs are
    // looked up once — both in this candidate is a direct clash, else one through approvals.
    let mut through = Vec::new();
    let mut reach = Default::default();
    let approving = match status {
        Status::Approved => {
            reach = tx.approved_reach(&rowids, id, REACH_LIMIT)?;
            let mut linked: Vec<i64> = reach.keys().copied().collect();
            linked.sort_unstable();
            for (a, b, other) in tx.rejected_apart(id, &linked)? {
                if rowids.contains(&a) && rowids.contains(&b) {
                    by.entry(other).or_default().extend([place(a), place(b)]);
                } else {
                    through.push((a, b, other));
                }
            }
            true
        }
        Status::Rejected => {
            for (other, records) in tx.approved_merging(id, &rowids)? {
                by.entry(other).or_default().extend(records.into_iter().map(place));
            }
            false
        }
        Status::Pending | Status::Deferred => return Ok(Vec::new()),
    };
    let mut clashes = Vec::new();
    for (other, places) in by {
        let keys: Vec<String> = places.iter().map(|&i| members[i].record.key.to_string()).collect();
        let entry = entries_of(tx, &[other])?;
        let (text, brief, against) = match approving {
            true => (
                format!("{} are rejected as not duplicates in candidate {other}{entry}", and_list(&keys)),
                format!("#{other}, rejected, keeps {} of its records apart", keys.len()),
                format!("#{other}'s rejection"),
            ),
            false => (
                format!("{} are merged by the approval of candidate {other}{entry}", and_list(&keys)),
                format!("#{other}, approved, merges {} of its records", keys.len()),
                format!("#{other}'s approval"),
            ),
        };
        clashes.push(Clash { other, text, brief, against });
    }
    let direct: Vec<CandidateId> = clashes.iter().map(|c| c.other).collect();
    let linked = match approving {
        true => through_rejections(tx, &reach, &through)?,
        false => through_approvals(tx, id, &rowids)?,
    };
    for clash in linked {
        if !direct.contains(&clash.other) {
            clashes.push(clash);
        }
    }
    Ok(clashes)
}

/// The most records followed through approvals: a component of approved candidates is a
/// handful of records; a runaway one is not searched whole.
pub(crate) const REACH_LIMIT: usize = 300;

/// Records of an approval the records reached through approvals sharing them (`reach`), for
/// the pairs `(a, b, other)` a standing rejection `other` keeps apart that this approval would
/// merge together with those approvals. (Pairs both in the approval are direct clashes.)
fn through_rejections(tx: &Tx, reach: &Reach, pairs: &[(i64, i64, CandidateId)]) -> Result<Vec<Clash>> {
    let mut clashes: Vec<Clash> = Vec::new();
    for &(a, b, other) in pairs {
        if clashes.iter().any(|c| c.other == other) {
            continue;
        }
        let mut chain = chain_to(reach, a);
        chain.extend(chain_to(reach, b));
        chain.sort_unstable();
        chain.dedup();
        let keys: Vec<String> = tx.record_keys(&[a, b])?.iter().map(|k| k.to_string()).collect();
        let entry = entries_of(tx, &[other])?;
        clashes.push(Clash {
            other,
            text: format!(
                "{} are rejected as not duplicates in candidate {other}{entry}, and this approval \
                 would merge them with {}{}",
                and_list(&keys),
                approvals_of(&chain),
                entries_of(tx, &chain)?
            ),
            brief: format!(
                "#{other}, rejected, keeps apart records this merges with {}",
                CandidateId::numbered(&chain)
            ),
            against: format!("#{other}'s rejection"),
        });
    }
    Ok(clashes)
}

/// Records of this candidate (to be rejected) that approvals merge through a shared record: a
/// chain of two or more approvals. (One approval holding both is a direct clash.)
fn through_approvals(tx: &Tx, id: CandidateId, rowids: &[i64]) -> Result<Vec<Clash>> {
    let mut clashes: Vec<Clash> = Vec::new();
    for (i, &x) in rowids.iter().enumerate() {
        let reach = tx.approved_reach(&[x], id, REACH_LIMIT)?;
        for &y in &rowids[i + 1..] {
            let chain = match reach.contains_key(&y) {
                true => chain_to(&reach, y),
                false => continue,
            };
            if chain.len() < 2 || clashes.iter().any(|c| c.other == chain[0]) {
                continue;
            }
            let keys: Vec<String> = tx.record_keys(&[x, y])?.iter().map(|k| k.to_string()).collect();
            clashes.push(Clash {
                other: chain[0],
                text: format!(
                    "{} are merged through {}{}, which share records",
                    and_list(&keys),
                    approvals_of(&chain),
                    entries_of(tx, &chain)?
                ),
                brief: format!(
                    "{}, approved, merge 2 of its records through a shared record",
                    CandidateId::numbered(&chain)
                ),
                against: format!("#{}'s approval", chain[0]),
            });
        }
    }
    Ok(clashes)
}

/// Records reached through approvals: each with the record it was reached from and the approval
/// linking them (`None` for a start record).
type Reach = std::collections::HashMap<i64, Option<(i64, CandidateId)>>;

/// The approvals `reach` followed from its start to `record`, nearest to the start first.
fn chain_to(reach: &Reach, record: i64) -> Vec<CandidateId> {
    let mut chain = Vec::new();
    let mut at = record;
    while let Some(Some((from, via))) = reach.get(&at) {
        chain.push(*via);
        at = *from;
    }
    chain.reverse();
    chain
}

/// `the approval of candidate 3`, `the approvals of candidates 3 and 5`.
fn approvals_of(ids: &[CandidateId]) -> String {
    let list: Vec<String> = ids.iter().map(|c| c.to_string()).collect();
    match list.len() {
        1 => format!("the approval of candidate {}", list[0]),
        _ => format!("the approvals of candidates {}", and_list(&list)),
    }
}

/// ` (journal entry 12)`, ` (journal entries 12 and 15)`: the standing decisions of `ids`.
fn entries_of(tx: &Tx, ids: &[CandidateId]) -> Result<String> {
    let mut seqs = Vec::new();
    for &id in ids {
        if let Some(e) = latest_standing(tx, Some(id))? {
            seqs.push(e.seq.to_string());
        }
    }
    Ok(match seqs.len() {
        0 => String::new(),
        1 => format!(" (journal entry {})", seqs[0]),
        _ => format!(" (journal entries {})", and_list(&seqs)),
    })
}

/// Refuses `doing` (`approve candidate 3`) when it leaves clashes, saying which and how to undo
/// them, `or` what else the steward can do; `brief` makes the console's line from them.
pub(super) fn refuse_clashes(
    doing: &str,
    clashes: &[Clash],
    or: &str,
    brief: impl Fn(&[Clash]) -> String,
) -> Result<()> {
    if clashes.is_empty() {
        return Ok(());
    }
    let texts: Vec<&str> = clashes.iter().map(|c| c.text.as_str()).collect();
    let undo: Vec<String> = clashes.iter().map(|c| format!("`mergeq undo {}`", c.other)).collect();
    let which = if clashes.len() == 1 { "that decision" } else { "those decisions" };
    Err(Contradiction {
        full: format!(
            "cannot {doing}: {}. Undo {which} first ({}) if it was wrong, or {or}",
            texts.join("; "),
            undo.join(", ")
        ),
        brief: brief(clashes),
    }
    .into())
}

/// `undo #3 first`, `undo #3 and #5 first`.
pub(super) fn undo_first(clashes: &[Clash]) -> String {
    let others: Vec<String> = clashes.iter().map(|c| format!("#{}", c.other)).collect();
    format!("undo {} first", and_list(&others))
}

/// `a`, `a and b`, `a, b and c`.
pub(super) fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Approving `id` replaces the approval of `within` (all of whose records it holds), and undoing
/// that approval would bring back `within`'s earlier rejection of records `id` merges.
pub(super) fn revived_rejection(id: CandidateId, within: CandidateId) -> Contradiction {
    Contradiction {
        full: format!(
            "cannot approve candidate {id}: it replaces the approval of candidate {within}, all of whose \
             records it holds, and undoing that approval would bring back candidate {within}'s earlier \
             rejection of records this one merges. Undo candidate {within}'s approval and then its \
             rejection first (`mergeq undo {within}`, twice) if the rejection was wrong"
        ),
        brief: format!(
            "not approved: replacing #{within}'s approval brings back its rejection — undo #{within} twice first"
        ),
    }
}
