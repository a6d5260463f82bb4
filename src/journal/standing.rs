//! What the standing decisions leave, rebuilt from the journal alone (given each candidate's
//! members) for `audit verify`: which approved candidates hold each record (the `approved_members`
//! table) and which record pairs standing rejections keep apart (`rejected_pairs`) — and, as each
//! decision or undo is replayed, the contradiction check `decide` applies (journal::decide's
//! contradictions): an approval merging, directly or through approvals sharing records, two
//! records a standing rejection keeps apart, or a rejection of records approvals merge. `decide`
//! asks the tables; this asks the replay, so tables changed outside mergeq cannot hide a
//! contradiction. Pure: the caller feeds status changes in journal order.

use crate::model::{CandidateId, Status};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::{BTreeSet, VecDeque};

/// Each candidate's members (record row ids).
pub type Members = FxHashMap<CandidateId, Vec<i64>>;

/// A standing decision of another candidate that a status contradicts, and two records one of
/// them merges and the other keeps apart (smaller row id first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clash {
    pub other: CandidateId,
    pub records: (i64, i64),
}

/// Records reached through approvals, each with the start record (its index) it was reached from;
/// and, when two start records turn out linked, the approval where they met and their indexes.
type Reach = (FxHashMap<i64, usize>, Option<(CandidateId, usize, usize)>);

/// The standing statuses and what they hold, record by record.
pub struct Standing<'m> {
    members: &'m Members,
    /// The most records followed through approvals (as `decide` follows them).
    reach_limit: usize,
    status: FxHashMap<CandidateId, Status>,
    approved: FxHashMap<i64, Vec<CandidateId>>,
    rejected: FxHashMap<i64, Vec<CandidateId>>,
}

impl<'m> Standing<'m> {
    pub fn new(members: &'m Members, reach_limit: usize) -> Self {
        Standing {
            members,
            reach_limit,
            status: FxHashMap::default(),
            approved: FxHashMap::default(),
            rejected: FxHashMap::default(),
        }
    }

    /// Candidate `id`'s standing status.
    pub fn status(&self, id: CandidateId) -> Status {
        self.status.get(&id).copied().unwrap_or(Status::Pending)
    }

    fn members_of(&self, id: CandidateId) -> &'m [i64] {
        self.members.get(&id).map_or(&[], Vec::as_slice)
    }

    /// Candidate `id` now stands as `status`: the change is applied, and the standing decision of
    /// another candidate it contradicts, if any, is returned (checked against the statuses before
    /// it, as `decide` checks).
    pub fn set(&mut self, id: CandidateId, status: Status) -> Option<Clash> {
        let clash = match status {
            Status::Approved => self.approval_clash(id),
            Status::Rejected => self.rejection_clash(id),
            Status::Pending | Status::Deferred => None,
        };
        let before = self.status.insert(id, status).unwrap_or(Status::Pending);
        if before != status {
            let members = self.members_of(id);
            if let Some(by_record) = self.by_record(before) {
                for r in members {
                    if let Some(list) = by_record.get_mut(r) {
                        list.retain(|&c| c != id);
                    }
                }
            }
            if let Some(by_record) = self.by_record(status) {
                for &r in members {
                    by_record.entry(r).or_default().push(id);
                }
            }
        }
        clash
    }

    fn by_record(&mut self, status: Status) -> Option<&mut FxHashMap<i64, Vec<CandidateId>>> {
        match status {
            Status::Approved => Some(&mut self.approved),
            Status::Rejected => Some(&mut self.rejected),
            Status::Pending | Status::Deferred => None,
        }
    }

    /// The records linked to `start` through approvals other than `except` (`Reach`), breadth
    /// first, up to the reach limit.
    fn reach(&self, start: &[i64], except: CandidateId) -> Reach {
        let mut reached: FxHashMap<i64, usize> = start.iter().enumerate().map(|(i, &r)| (r, i)).collect();
        let mut queue: VecDeque<i64> = start.iter().copied().collect();
        let mut visited: FxHashSet<CandidateId> = FxHashSet::default();
        let mut met = None;
        while let Some(record) = queue.pop_front() {
            let from = reached[&record];
            for &approval in self.approved.get(&record).map_or(&[][..], Vec::as_slice) {
                if approval == except || !visited.insert(approval) {
                    continue;
                }
                for &other in self.members_of(approval) {
                    match reached.get(&other) {
                        Some(&o) if o != from && met.is_none() => {
                            met = Some((approval, from.min(o), from.max(o)))
                        }
                        Some(_) => {}
                        None if reached.len() < self.reach_limit => {
                            reached.insert(other, from);
                            queue.push_back(other);
                        }
                        None => {}
                    }
                }
            }
        }
        (reached, met)
    }

    /// Whether an approval other than `id` holds any of `records`: nearly every decision's records
    /// are in none, and then nothing is followed (a million-decision journal allocates nothing).
    fn linked(&self, records: &[i64], id: CandidateId) -> bool {
        records.iter().any(|r| self.approved.get(r).is_some_and(|list| list.iter().any(|&c| c != id)))
    }

    /// Approving `id` merges every record linked to its own through approvals: a standing
    /// rejection (of another candidate) keeping two of them apart is contradicted.
    fn approval_clash(&self, id: CandidateId) -> Option<Clash> {
        let members = self.members_of(id);
        if !self.linked(members, id) {
            // Only its own records merge: a rejection holding two of them.
            let mut clashes = Vec::new();
            for &r in members {
                for &other in self.rejected.get(&r).map_or(&[][..], Vec::as_slice) {
                    let inside = self.members_of(other).iter().filter(|&&s| s != r && members.contains(&s));
                    clashes.extend(inside.map(|&s| Clash { other, records: (r.min(s), r.max(s)) }));
                }
            }
            clashes.retain(|c| c.other != id);
            return clashes.into_iter().min_by_key(|c| (c.other, c.records));
        }
        let (reached, _) = self.reach(members, id);
        let mut clashes = Vec::new();
        for &r in reached.keys() {
            for &other in self.rejected.get(&r).map_or(&[][..], Vec::as_slice) {
                if other == id {
                    continue;
                }
                for &s in self.members_of(other) {
                    if s != r && reached.contains_key(&s) {
                        clashes.push(Clash { other, records: (r.min(s), r.max(s)) });
                    }
                }
            }
        }
        // The smallest, so that the message does not depend on hash order.
        clashes.into_iter().min_by_key(|c| (c.other, c.records))
    }

    /// Rejecting `id` keeps its records apart: approvals (of other candidates) linking two of them
    /// are contradicted; the one where the link was found is named.
    fn rejection_clash(&self, id: CandidateId) -> Option<Clash> {
        let start = self.members_of(id);
        if !self.linked(start, id) {
            return None;
        }
        let (_, met) = self.reach(start, id);
        met.map(|(other, a, b)| Clash { other, records: (start[a].min(start[b]), start[a].max(start[b])) })
    }

    /// The `approved_members` rows the standing approvals make: (record, candidate).
    pub fn approved_members(&self) -> BTreeSet<(i64, CandidateId)> {
        self.approved.iter().flat_map(|(&r, list)| list.iter().map(move |&c| (r, c))).collect()
    }

    /// The `rejected_pairs` rows the standing rejections make, each with the lowest rejected
    /// candidate covering it.
    pub fn rejected_pairs(&self) -> FxHashMap<(i64, i64), CandidateId> {
        let mut pairs: FxHashMap<(i64, i64), CandidateId> = FxHashMap::default();
        for (&id, _) in self.status.iter().filter(|(_, &s)| s == Status::Rejected) {
            let members = self.members_of(id);
            for (i, &a) in members.iter().enumerate() {
                for &b in &members[i + 1..] {
                    if a != b {
                        let cover = pairs.entry((a.min(b), a.max(b))).or_insert(id);
                        *cover = (*cover).min(id);
                    }
                }
            }
        }
        pairs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    fn members(list: &[(i64, &[i64])]) -> Members {
        list.iter().map(|&(c, m)| (CandidateId(c), m.to_vec())).collect()
    }

    #[test]
    fn contradictions_as_decide_refuses_them() {
        // Candidates: 1 = {1,2}, 2 = {2,3}, 3 = {1,3}, 4 = {1,2,3}, 5 = {4,5}, 6 = {1,2} again
        // under another id is impossible (one candidate per set), so 6 = {3,4}.
        let m =
            members(&[(1, &[1, 2]), (2, &[2, 3]), (3, &[1, 3]), (4, &[1, 2, 3]), (5, &[4, 5]), (6, &[3, 4])]);
        let clash = |other: i64, a: i64, b: i64| Some(Clash { other: CandidateId(other), records: (a, b) });
        // (steps, the clash the last step finds)
        type Step = (i64, Status);
        let cases: Vec<(Vec<Step>, Option<Clash>)> = vec![
            (vec![(1, Approved)], None),
            // A rejection of records an approval merges, directly.
            (vec![(4, Approved), (1, Rejected)], clash(4, 1, 2)),
            // … or through approvals sharing a record (1–2 and 2–3 merge 1 with 3).
            (vec![(1, Approved), (2, Approved), (3, Rejected)], clash(2, 1, 3)),
            // An approval merging records a standing rejection keeps apart, directly …
            (vec![(1, Rejected), (4, Approved)], clash(1, 1, 2)),
            // … or with an approval sharing a record.
            (vec![(3, Rejected), (1, Approved), (2, Approved)], clash(3, 1, 3)),
            // Its own earlier decision is replaced, not contradicted.
            (vec![(1, Rejected), (1, Approved)], None),
            (vec![(1, Approved), (1, Rejected)], None),
            // Undone (pending) or deferred, a decision stands no longer.
            (vec![(1, Rejected), (1, Pending), (4, Approved)], None),
            (vec![(4, Approved), (4, Deferred), (1, Rejected)], None),
            // Unrelated records.
            (vec![(5, Rejected), (1, Approved), (2, Approved)], None),
            (vec![(1, Approved), (6, Approved), (5, Rejected)], None),
            (vec![(5, Rejected), (2, Approved), (6, Approved)], None),
        ];
        for (steps, want) in cases {
            let mut standing = Standing::new(&m, 300);
            let (last, init) = steps.split_last().unwrap();
            for &(c, s) in init {
                assert_eq!(standing.set(CandidateId(c), s), None, "{steps:?}");
            }
            assert_eq!(standing.set(CandidateId(last.0), last.1), want, "{steps:?}");
        }
    }

    #[test]
    fn the_tables_the_standing_decisions_make() {
        let m = members(&[(1, &[1, 2]), (2, &[2, 3]), (3, &[4, 5, 6]), (4, &[5, 6])]);
        let mut standing = Standing::new(&m, 300);
        for (c, s) in
            [(1, Approved), (2, Approved), (3, Rejected), (4, Rejected), (2, Pending), (4, Deferred)]
        {
            assert_eq!(standing.set(CandidateId(c), s), None);
        }
        let approved: Vec<(i64, CandidateId)> = standing.approved_members().into_iter().collect();
        assert_eq!(approved, [(1, CandidateId(1)), (2, CandidateId(1))]);
        let mut pairs: Vec<((i64, i64), CandidateId)> = standing.rejected_pairs().into_iter().collect();
        pairs.sort();
        assert_eq!(pairs, [((4, 5), CandidateId(3)), ((4, 6), CandidateId(3)), ((5, 6), CandidateId(3))]);
    }
}
