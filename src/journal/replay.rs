//! Candidate status as a projection of the journal: replaying decisions and undos gives every
//! candidate's status. Pure: the caller feeds entries in order. `audit verify` replays the whole
//! journal and compares it with the candidates table; undo replays one candidate.

use super::encoding::Action;
use crate::model::{CandidateId, Status};
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;

/// The decisions still standing, per candidate, oldest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Replay {
    stacks: FxHashMap<CandidateId, Stack>,
}

/// One candidate's standing decisions. Nearly every candidate is decided once: that decision is
/// kept inline, so replaying a million-decision journal allocates nothing per candidate.
#[derive(Debug, Clone, PartialEq)]
enum Stack {
    One([(i64, Action); 1]),
    Many(Vec<(i64, Action)>),
}

impl Stack {
    fn as_slice(&self) -> &[(i64, Action)] {
        match self {
            Stack::One(one) => one,
            Stack::Many(many) => many,
        }
    }

    fn push(&mut self, decision: (i64, Action)) {
        match self {
            Stack::One([first]) => *self = Stack::Many(vec![*first, decision]),
            Stack::Many(many) if many.is_empty() => *self = Stack::One([decision]),
            Stack::Many(many) => many.push(decision),
        }
    }

    fn pop(&mut self) {
        match self {
            Stack::One(_) => *self = Stack::Many(Vec::new()),
            Stack::Many(many) => {
                many.pop();
            }
        }
    }
}

/// The status a decision action gives.
pub fn status_of(action: Action) -> Status {
    match action {
        Action::Approve => Status::Approved,
        Action::Reject => Status::Rejected,
        Action::Defer => Status::Deferred,
        _ => Status::Pending,
    }
}

/// The decision an undo body says it reverses.
pub fn reverses_of(body: &str) -> Option<i64> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    value.get("reverses")?.as_i64()
}

impl Replay {
    pub fn new() -> Self {
        Replay::default()
    }

    /// Applies one entry. A decision stands on top of its candidate's earlier ones; an undo must
    /// name its candidate's latest standing decision, which then stops standing. Other actions
    /// change no status. The error says what is wrong with the entry.
    pub fn apply(
        &mut self,
        seq: i64,
        action: Action,
        candidate: Option<CandidateId>,
        reverses: Option<i64>,
    ) -> Result<(), String> {
        if !(action.is_decision() || action == Action::Undo) {
            return Ok(());
        }
        let Some(candidate) = candidate else { return Err(format!("a {action} entry names no candidate")) };
        if action.is_decision() {
            match self.stacks.entry(candidate) {
                std::collections::hash_map::Entry::Occupied(mut e) => e.get_mut().push((seq, action)),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(Stack::One([(seq, action)]));
                }
            }
            return Ok(());
        }
        let stack = self.stacks.entry(candidate).or_insert(Stack::Many(Vec::new()));
        match (stack.as_slice().last(), reverses) {
            (Some(&(top, _)), Some(r)) if top == r => {
                stack.pop();
                Ok(())
            }
            (Some(&(top, _)), r) => Err(format!(
                "undo of candidate {candidate} must reverse its latest standing decision (entry {top}), not {}",
                r.map_or("nothing".to_string(), |r| format!("entry {r}"))
            )),
            (None, _) => Err(format!("undo of candidate {candidate}, which has no standing decision")),
        }
    }

    /// A candidate's status: its latest standing decision's, or pending.
    pub fn status(&self, candidate: CandidateId) -> Status {
        self.standing(candidate).last().map_or(Status::Pending, |&(_, a)| status_of(a))
    }

    /// A candidate's standing decisions (sequence number and action), oldest first.
    pub fn standing(&self, candidate: CandidateId) -> &[(i64, Action)] {
        self.stacks.get(&candidate).map_or(&[], |s| s.as_slice())
    }

    /// Every candidate's latest standing decision, in no particular order (candidates whose
    /// decisions were all undone have none).
    pub fn latest(&self) -> impl Iterator<Item = (CandidateId, (i64, Action))> + '_ {
        self.stacks.iter().filter_map(|(&c, s)| s.as_slice().last().map(|&d| (c, d)))
    }

    /// The status of every candidate the journal mentions.
    pub fn statuses(&self) -> BTreeMap<CandidateId, Status> {
        self.stacks.keys().map(|&c| (c, self.status(c))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;

    #[test]
    fn table() {
        let c = |n| Some(CandidateId(n));
        // (entries, expected status of candidate 1, expected error at the last entry)
        type Entry = (Action, Option<CandidateId>, Option<i64>);
        let cases: Vec<(Vec<Entry>, Status, bool)> = vec![
            (vec![], Status::Pending, false),
            (vec![(Approve, c(1), None)], Status::Approved, false),
            (vec![(Defer, c(1), None), (Reject, c(1), None)], Status::Rejected, false),
            (vec![(Defer, c(1), None), (Reject, c(1), None), (Undo, c(1), Some(2))], Status::Deferred, false),
            (vec![(Approve, c(1), None), (Undo, c(1), Some(1))], Status::Pending, false),
            (
                vec![(Approve, c(1), None), (Undo, c(1), Some(1)), (Reject, c(1), None)],
                Status::Rejected,
                false,
            ),
            (
                vec![
                    (Defer, c(1), None),
                    (Approve, c(1), None),
                    (Reject, c(1), None),
                    (Undo, c(1), Some(3)),
                    (Undo, c(1), Some(2)),
                ],
                Status::Deferred,
                false,
            ),
            (
                vec![(Approve, c(1), None), (Undo, c(1), Some(1)), (Undo, c(1), Some(1))],
                Status::Pending,
                true,
            ),
            (
                vec![(Approve, c(1), None), (Approve, c(2), None), (Undo, c(1), Some(1))],
                Status::Pending,
                false,
            ),
            (vec![(Approve, c(1), None), (Undo, c(1), Some(2))], Status::Approved, true),
            (vec![(Undo, c(1), Some(1))], Status::Pending, true),
            (vec![(Import, None, None), (Reject, c(1), None)], Status::Rejected, false),
            (vec![(Approve, None, None)], Status::Pending, true),
        ];
        for (entries, want, want_err) in cases {
            let mut r = Replay::new();
            let mut err = false;
            for (i, (a, cand, rev)) in entries.iter().enumerate() {
                err = r.apply(i as i64 + 1, *a, *cand, *rev).is_err();
            }
            assert_eq!((r.status(CandidateId(1)), err), (want, want_err), "{entries:?}");
        }
    }

    #[test]
    fn latest_is_each_candidates_top_decision() {
        let c = |n| Some(CandidateId(n));
        let mut r = Replay::new();
        let entries = [
            (Approve, c(1), None),
            (Reject, c(2), None),
            (Defer, c(1), None),
            (Approve, c(3), None),
            (Undo, c(3), Some(4)),
        ];
        for (i, (a, cand, rev)) in entries.into_iter().enumerate() {
            r.apply(i as i64 + 1, a, cand, rev).unwrap();
        }
        let mut latest: Vec<_> = r.latest().collect();
        latest.sort();
        assert_eq!(latest, [(CandidateId(1), (3, Defer)), (CandidateId(2), (2, Reject))]);
        assert_eq!(r.standing(CandidateId(1)), [(1, Approve), (3, Defer)]);
    }

    #[test]
    fn reverses_is_read_from_the_body() {
        assert_eq!(reverses_of(r#"{"reverses":12,"x":1}"#), Some(12));
        assert_eq!(reverses_of(r#"{"x":1}"#), None);
        assert_eq!(reverses_of("not json"), None);
    }
}
