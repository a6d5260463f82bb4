//! Combining candidates: a steward who finds that overlapping candidates (A–B approved, B–C in
//! review) are one entity adds the candidate that holds all their records, to review and approve
//! whole. It comes in like an import of one candidate — a batch and an `import` journal entry of
//! kind `combine`, by the steward — and decides nothing: approving it later replaces the approvals
//! it covers (see `journal::decide`).

use super::Summary;
use crate::journal::record_import;
use crate::model::{CandidateId, Reason, RecordKey, Status};
use crate::store::{CandidateUpsert, NewBatch, NewCandidate, RecordRef, Store, Tx};
use anyhow::{anyhow, bail, Result};
use std::collections::{BTreeMap, BTreeSet};

/// What a combine did.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Combined {
    /// The candidate holding every record of `from`.
    pub id: CandidateId,
    pub object: String,
    pub from: Vec<CandidateId>,
    pub members: Vec<RecordKey>,
    /// False when a candidate with exactly these records existed already.
    pub added: bool,
}

/// Adds (or finds) the candidate holding every record of `ids`, in one transaction.
pub fn combine(store: &mut Store, ids: &[CandidateId], steward: &str, at: &str) -> Result<Combined> {
    store.write(|tx| combine_in(tx, ids, steward, at))
}

/// `combine` inside the caller's transaction.
pub fn combine_in(tx: &Tx, ids: &[CandidateId], steward: &str, at: &str) -> Result<Combined> {
    let from: Vec<CandidateId> = ids.iter().copied().collect::<BTreeSet<_>>().into_iter().collect();
    if from.len() < 2 {
        bail!("combine needs two candidates or more (given: {})", list(&from));
    }
    let mut object: Option<(CandidateId, String)> = None;
    let mut score = 0.0f64;
    // Each record (by row id): its key, current version, and the candidates holding it.
    let mut records: BTreeMap<i64, (RecordKey, i64, Vec<CandidateId>)> = BTreeMap::new();
    for &id in &from {
        let row = tx.candidate_row(id)?.ok_or_else(|| anyhow!("no candidate {id}"))?;
        if row.status == Status::Rejected {
            bail!(
                "candidate {id} is rejected (its records are not duplicates): undo that decision before \
                 combining it"
            );
        }
        match &object {
            Some((first, o)) if *o != row.object => bail!(
                "candidate {id} is of object `{}`, candidate {first} of `{}`: only candidates of one object combine",
                crate::text::visible(&row.object),
                crate::text::visible(o)
            ),
            Some(_) => {}
            None => object = Some((id, row.object.clone())),
        }
        score = score.max(row.score);
        for m in tx.candidate_member_rows(id)? {
            let entry =
                records.entry(m.rowid).or_insert((m.record.key.clone(), m.record.version, Vec::new()));
            entry.2.push(id);
        }
    }
    let (_, object) = object.expect("two candidates or more");
    check_connected(&from, &records)?;
    let members: Vec<RecordRef> =
        records.iter().map(|(&rowid, &(_, version, _))| RecordRef { rowid, version }).collect();
    let shared: Vec<String> =
        records.values().filter(|(_, _, held)| held.len() > 1).map(|(key, _, _)| key.to_string()).collect();
    let new = NewCandidate {
        object: object.clone(),
        members,
        score,
        origin: "combine".into(),
        reasons: vec![Reason::text(format!(
            "combined by {steward} from candidates {}, which share {}",
            list(&from),
            shared.join(", ")
        ))],
    };
    let file = format!("candidates {}", list(&from));
    let batch = tx.begin_batch(&NewBatch {
        object: Some(object.clone()),
        ..NewBatch::new("candidates", &file, "combine", at, steward)
    })?;
    let upsert = tx.upsert_candidate(Some(batch), at, &new)?;
    if upsert == CandidateUpsert::Suppressed {
        bail!("every pair of these records was rejected as not duplicates: nothing to combine");
    }
    let mut summary = Summary { file, rows: from.len() as u64, ..Summary::default() };
    match upsert {
        CandidateUpsert::New => summary.candidates_added = 1,
        CandidateUpsert::Changed => summary.candidates_changed = 1,
        _ => summary.candidates_unchanged = 1,
    }
    tx.finish_batch(batch, summary.rows, summary.candidates_added, summary.candidates_changed, "")?;
    record_import(tx, steward, at, "combine", &summary)?;
    let id = tx.candidate_with_members(&new.members)?.expect("the candidate was just written");
    Ok(Combined {
        id,
        object,
        from,
        members: records.into_values().map(|(key, _, _)| key).collect(),
        added: upsert == CandidateUpsert::New,
    })
}

/// Refuses candidates that share no record with the others, directly or through them: combining
/// says they are one entity, which overlap shows and a mistyped id does not.
fn check_connected(
    from: &[CandidateId],
    records: &BTreeMap<i64, (RecordKey, i64, Vec<CandidateId>)>,
) -> Result<()> {
    let mut reached: BTreeSet<CandidateId> = BTreeSet::from([from[0]]);
    loop {
        let before = reached.len();
        for (_, _, held) in records.values() {
            if held.iter().any(|c| reached.contains(c)) {
                reached.extend(held.iter().copied());
            }
        }
        if reached.len() == before {
            break;
        }
    }
    let apart: Vec<CandidateId> = from.iter().copied().filter(|c| !reached.contains(c)).collect();
    if apart.is_empty() {
        return Ok(());
    }
    bail!(
        "candidate{} {} share{} no record with candidate {}, directly or through the others: only \
         overlapping candidates combine",
        if apart.len() == 1 { "" } else { "s" },
        list(&apart),
        if apart.len() == 1 { "s" } else { "" },
        from[0]
    )
}

fn list(ids: &[CandidateId]) -> String {
    ids.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", ")
}
