//! A bulk load's memory: every member set the workspace holds (by id) and the new candidates
//! waiting for `end_bulk`, as compact rows sharing their context and reasons. Pure bookkeeping,
//! no SQL: apart from `candidate_load`, which reads the stored sets and writes the rows.

use crate::model::Reason;
use crate::store::candidates::{merge_into, parse_members, sorted_members, CandidateUpsert, NewCandidate};
use anyhow::Result;
use hashbrown::HashTable;
use std::hash::{BuildHasher, Hash};
use std::rc::Rc;

/// A candidate's members: sorted, distinct record row ids, each with its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Members {
    Pair([(i64, i64); 2]),
    Many(Box<[(i64, i64)]>),
}

impl Members {
    pub(super) fn of(c: &NewCandidate) -> Members {
        if let [a, b] = c.members[..] {
            if a.rowid != b.rowid {
                let (a, b) = if a.rowid < b.rowid { (a, b) } else { (b, a) };
                return Members::Pair([(a.rowid, a.version), (b.rowid, b.version)]);
            }
        }
        Members::sorted(sorted_members(&c.members))
    }

    pub(super) fn parse(key: &str, versions: &str) -> Members {
        Members::sorted(parse_members(key, versions))
    }

    /// Members already sorted and distinct.
    pub(super) fn sorted(refs: Vec<(i64, i64)>) -> Members {
        match refs[..] {
            [a, b] => Members::Pair([a, b]),
            _ => Members::Many(refs.into_boxed_slice()),
        }
    }

    pub(super) fn refs(&self) -> &[(i64, i64)] {
        match self {
            Members::Pair(p) => p,
            Members::Many(m) => m,
        }
    }

    /// The identity of the set: its row ids (versions do not make another candidate).
    pub(super) fn same_set(&self, other: &Members) -> bool {
        self.refs().len() == other.refs().len()
            && self.refs().iter().zip(other.refs()).all(|(a, b)| a.0 == b.0)
    }

    pub(super) fn hash(&self) -> u64 {
        let mut h = rustc_hash::FxBuildHasher.build_hasher();
        for (rowid, _) in self.refs() {
            rowid.hash(&mut h);
        }
        std::hash::Hasher::finish(&h)
    }
}

/// What every candidate of one call site shares, stored once: object, origins, time, batch.
#[derive(Debug, Clone)]
pub(super) struct Context {
    pub(super) object: String,
    /// The origins as the JSON array stored in `candidates.origin`.
    pub(super) origins: Vec<String>,
    pub(super) at: String,
    pub(super) batch: Option<i64>,
}

/// A new candidate waiting for `end_bulk`.
pub(super) struct Pending {
    pub(super) members: Members,
    pub(super) score: f64,
    /// `model::Reason`s as the JSON array stored in `candidates.reasons`; shared by consecutive
    /// candidates with the same reasons (a file's rows often give one reason text).
    pub(super) reasons: Rc<str>,
    pub(super) context: u32,
}

/// A bulk load's memory: which member sets exist and the new rows to write.
pub(in crate::store) struct BulkState {
    /// Stored candidates, by member set (row ids).
    pub(super) stored: HashTable<(Members, i64)>,
    /// New candidates: indexes into `pending`, hashed by member set.
    pub(super) new: HashTable<u32>,
    pub(super) pending: Vec<Pending>,
    pub(super) contexts: Vec<Context>,
    /// The last reasons written, as given (None when given as JSON) and as JSON.
    pub(super) last_reasons: (Option<Vec<Reason>>, Rc<str>),
}

impl BulkState {
    /// The index of this context, added when new (looked up without allocating: once per row).
    pub(super) fn context(&mut self, object: &str, origins: &[String], at: &str, batch: Option<i64>) -> u32 {
        let known =
            |k: &Context| k.object == object && k.origins == origins && k.at == at && k.batch == batch;
        match self.contexts.iter().position(known) {
            Some(i) => i as u32,
            None => {
                let origins = origins.to_vec();
                self.contexts.push(Context {
                    object: object.to_string(),
                    origins,
                    at: at.to_string(),
                    batch,
                });
                (self.contexts.len() - 1) as u32
            }
        }
    }
}

/// Merges a candidate into a buffered one with the same members, as `upsert_candidate` merges
/// into a stored one.
pub(super) fn merge_pending(state: &mut BulkState, i: usize, c: &NewCandidate) -> Result<CandidateUpsert> {
    let p = &state.pending[i];
    let Context { object, mut origins, at, batch } = state.contexts[p.context as usize].clone();
    let mut reasons: Vec<Reason> = serde_json::from_str(&p.reasons)?;
    let mut score = p.score;
    if !merge_into(&mut origins, &mut reasons, &mut score, c) {
        return Ok(CandidateUpsert::Unchanged);
    }
    let context = state.context(&object, &origins, &at, batch);
    let p = &mut state.pending[i];
    p.score = score;
    p.reasons = Rc::from(serde_json::to_string(&reasons)?);
    p.context = context;
    Ok(CandidateUpsert::Changed)
}
