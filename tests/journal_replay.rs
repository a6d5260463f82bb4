//! Candidate status is a projection of the journal: random sequences of decisions and undos leave
//! the candidates table equal to a replay of the journal, to an independent model (in which an
//! approval undoes the approvals of candidates all of whose records it holds, and a decision that
//! contradicts another standing one is refused), and the rejected pairs equal to the pairs of the
//! candidates standing as rejected.

use mergeq::journal::{self, DecisionRequest, Verdict};
use mergeq::model::{CandidateId, Choices, Fields, RecordKey, Status};
use mergeq::store::{NewBatch, NewCandidate, NewRecord, RecordRef, Store};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

const AT: &str = "2026-05-01T10:00:00Z";
/// Candidates over records 0..4; the cluster {0,1,2} overlaps the pairs {0,1} and {1,2}, so a pair
/// can be covered by two rejections at once; {0,2} and {1,3} are merged by no single other
/// candidate, only through two approvals sharing a record ({0,1} and {1,2}; {1,2} and {2,3}).
const CANDIDATES: [&[usize]; 6] = [&[0, 1], &[1, 2], &[0, 1, 2], &[2, 3], &[0, 2], &[1, 3]];

fn key(i: usize) -> RecordKey {
    RecordKey::new("salesforce", format!("r{i}"))
}

fn fixture() -> Store {
    let mut store = Store::in_memory().unwrap();
    store
        .write(|tx| {
            let batch = tx.begin_batch(&NewBatch {
                object: Some("contact".into()),
                source: Some("salesforce".into()),
                ..NewBatch::new("records", "fixture", "csv", AT, "fixture")
            })?;
            let mut refs: Vec<RecordRef> = Vec::new();
            for i in 0..4 {
                let fields: Fields = [("name".to_string(), format!("Person {i}"))].into();
                let rec =
                    NewRecord { object: "contact".into(), key: key(i), fields, created: None, updated: None };
                refs.push(tx.upsert_record(batch, &rec)?.1);
            }
            for members in CANDIDATES {
                let c = NewCandidate {
                    object: "contact".into(),
                    members: members.iter().map(|&i| refs[i]).collect(),
                    score: 0.9,
                    origin: "fixture".into(),
                    reasons: vec![],
                };
                tx.upsert_candidate(Some(batch), AT, &c)?;
            }
            Ok(())
        })
        .unwrap();
    store
}

#[derive(Debug, Clone)]
enum Op {
    Decide(usize, Verdict),
    Undo(Option<usize>),
}

fn op() -> impl Strategy<Value = Op> {
    let verdict = prop_oneof![Just(Verdict::Approve), Just(Verdict::Reject), Just(Verdict::Defer)];
    prop_oneof![
        3 => (0..CANDIDATES.len(), verdict).prop_map(|(c, v)| Op::Decide(c, v)),
        1 => (0..CANDIDATES.len()).prop_map(|c| Op::Undo(Some(c))),
        1 => Just(Op::Undo(None)),
    ]
}

/// The model: every decision ever made and whether it was undone.
#[derive(Default, Clone)]
struct Model {
    log: Vec<(usize, Verdict, bool)>,
}

impl Model {
    fn status(&self, c: usize) -> Status {
        self.log
            .iter()
            .rev()
            .find(|(cand, _, undone)| *cand == c && !undone)
            .map_or(Status::Pending, |(_, v, _)| v.status())
    }

    /// Undoes the latest standing decision (of `c`, or of all); false when there is none.
    fn undo(&mut self, c: Option<usize>) -> bool {
        match self.log.iter_mut().rev().find(|(cand, _, undone)| !undone && c.is_none_or(|c| *cand == c)) {
            Some(entry) => {
                entry.2 = true;
                true
            }
            None => false,
        }
    }

    /// Whether approvals and a rejection standing now contradict: two records of a rejected
    /// candidate (kept apart) merged by the approved candidates, one holding both or a chain of
    /// them sharing records.
    fn contradicts(&self) -> bool {
        // Each record's component under the approvals (records 0..4).
        let mut component = [0usize, 1, 2, 3];
        let mut changed = true;
        while changed {
            changed = false;
            for (c, members) in CANDIDATES.iter().enumerate() {
                if self.status(c) != Status::Approved {
                    continue;
                }
                let low = members.iter().map(|&r| component[r]).min().unwrap();
                for &r in members.iter() {
                    if component[r] != low {
                        component[r] = low;
                        changed = true;
                    }
                }
            }
        }
        (0..CANDIDATES.len()).any(|r| {
            self.status(r) == Status::Rejected
                && CANDIDATES[r]
                    .iter()
                    .enumerate()
                    .any(|(i, &x)| CANDIDATES[r][i + 1..].iter().any(|&y| component[x] == component[y]))
        })
    }

    /// A decision: the approvals it replaces are undone with it, every one standing (an approval
    /// approved again stands on the one before it).
    fn decide(&mut self, c: usize, verdict: Verdict) {
        self.log.push((c, verdict, false));
        if verdict == Verdict::Approve {
            for (d, members) in CANDIDATES.iter().enumerate() {
                let within = d != c && members.iter().all(|r| CANDIDATES[c].contains(r));
                while within && self.status(d) == Status::Approved {
                    self.undo(Some(d));
                }
            }
        }
    }
}

fn id(c: usize) -> CandidateId {
    CandidateId(c as i64 + 1)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn statuses_equal_the_replay_of_the_journal(ops in prop::collection::vec(op(), 1..40)) {
        let mut store = fixture();
        let rules = std::sync::Arc::new(mergeq::survivorship::Rules::builtin());
        let mut model = Model::default();
        for op in &ops {
            match op {
                Op::Decide(c, verdict) => {
                    let req = DecisionRequest {
                        candidate: id(*c),
                        verdict: *verdict,
                        choices: Choices::default(),
                        note: None,
                        seen: None,
                        status_seen: None,
                        steward: "ana".into(),
                        at: AT.into(),
                        rules: rules.clone(),
                    };
                    // Refused when it would leave an approval and a rejection contradicting
                    // (approving two records another candidate rejected together, rejecting two
                    // that another approval merges, or replacing an approval whose undoing
                    // brings such a rejection back). Nothing changes then.
                    let mut after = model.clone();
                    after.decide(*c, *verdict);
                    let done = journal::decide(&mut store, &req);
                    prop_assert_eq!(done.is_err(), after.contradicts(), "{:?}", done);
                    match done {
                        Ok(_) => model = after,
                        Err(e) => prop_assert!(e.to_string().starts_with("cannot "), "{}", e),
                    }
                }
                Op::Undo(c) => {
                    let done = journal::undo(&mut store, c.map(id), "ana", AT);
                    let mut after = model.clone();
                    let standing = after.undo(*c);
                    match done {
                        Ok(_) => {
                            prop_assert!(standing && !after.contradicts());
                            model = after;
                        }
                        Err(e) => {
                            // Nothing to undo, or bringing back a decision that contradicts.
                            prop_assert!(!standing || after.contradicts(), "{}", e);
                        }
                    }
                }
            }
            let table: BTreeMap<CandidateId, Status> = store.candidate_statuses().unwrap().into_iter().collect();
            let modelled: BTreeMap<CandidateId, Status> = (0..CANDIDATES.len()).map(|c| (id(c), model.status(c))).collect();
            prop_assert_eq!(&table, &journal::replay_statuses(&store).unwrap());
            prop_assert_eq!(&table, &modelled);
            let mut want: BTreeSet<(RecordKey, RecordKey)> = BTreeSet::new();
            for (c, members) in CANDIDATES.iter().enumerate() {
                if model.status(c) == Status::Rejected {
                    for (i, a) in members.iter().enumerate() {
                        for b in &members[i + 1..] {
                            want.insert((key(*a), key(*b)));
                        }
                    }
                }
            }
            let have: BTreeSet<(RecordKey, RecordKey)> = store.rejected_pairs().unwrap().into_iter().collect();
            prop_assert_eq!(have, want);
        }
        let report = journal::verify(&store, None).unwrap();
        prop_assert!(report.is_ok(), "{}", report.summary());
    }
}
