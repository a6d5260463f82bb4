//! The journal: the append-only, hash-chained, signable log of every decision, undo, import, export
//! and sign-off. Decisions commit with the candidate's new status in one transaction; candidate
//! status is a projection of the journal (`replay`); `verify` checks the whole chain. The encoding
//! is documented in docs/journal.md so an auditor can check it without mergeq.
//! SQL stays in `store::journal`; this module decides what entries say.

pub mod approved;
pub mod chain;
pub mod decide;
pub mod describe;
pub mod encoding;
pub mod keys;
pub mod replay;
pub mod signoff;
pub mod stale;
pub mod standing;
pub mod verify;

pub use chain::{append, NewEntry};
pub use decide::{
    approve_inside, choices_of, decide, decide_in, shared_brief, undo, undo_in, undo_latest_own, undo_noted,
    undo_noted_in, CarriedOut, Contradiction, DecisionOutcome, DecisionRequest, ExportedIn, NothingToUndo,
    OthersDecision, Overlaps, StatusChanged, UndoOutcome, Verdict,
};
pub use encoding::Action;
pub use keys::{keygen, load_public_key, load_signing_key, KeyFiles};
pub use signoff::{sign_off, sign_off_as, sign_off_in, Signing, SignoffOutcome};
pub use stale::{current_seen, stale_changes, DecidedSince, MemberChange, StaleError};
pub use verify::{verify, verify_keys, KeyChange, Problem, SignoffCheck, VerifyReport};

use crate::import::Summary;
use crate::model::{CandidateId, Status};
use crate::store::{Store, Tx};
use anyhow::{anyhow, Result};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Appends an import event to the journal inside the import's own transaction.
pub fn record_import(tx: &Tx, steward: &str, at: &str, kind: &str, summary: &Summary) -> Result<()> {
    record_event(tx, steward, at, kind, serde_json::to_value(summary)?)
}

/// Appends an event that brought records or candidates in (an import of `kind`, or a detection
/// run, kind `detect`), with `body` saying what it did, inside the caller's transaction: an
/// auditor finds in the journal where every candidate came from.
pub fn record_event(tx: &Tx, steward: &str, at: &str, kind: &str, mut body: Value) -> Result<()> {
    body["kind"] = json!(kind);
    append(tx, &NewEntry { at, steward, action: Action::Import, candidate: None, body: &body })?;
    Ok(())
}

/// An export as the journal records it.
#[derive(Debug, Clone)]
pub struct ExportEvent<'a> {
    pub format: &'a str,
    /// The file written, or `-` for stdout.
    pub file: &'a str,
    /// SHA-256 (hex) of the bytes written.
    pub sha256: &'a str,
    pub bytes: u64,
    /// Rows, decisions or entries exported (what the format counts).
    pub items: u64,
    /// Format-specific details (an object; integers and strings only).
    pub details: Value,
}

/// Appends an export event inside the caller's transaction; returns its sequence number.
pub fn record_export(tx: &Tx, steward: &str, at: &str, e: &ExportEvent) -> Result<i64> {
    let mut body = json!({
        "format": e.format,
        "file": e.file,
        "sha256": e.sha256,
        "bytes": e.bytes,
        "items": e.items,
        "details": e.details,
    });
    // Where the file went, whatever folder the command ran in: an auditor finds it.
    if let Some(path) = absolute_path(e.file) {
        body["path"] = json!(path);
    }
    Ok(append(tx, &NewEntry { at, steward, action: Action::Export, candidate: None, body: &body })?.seq)
}

/// `file` as an absolute path when it is a relative one (`-`, stdout, has none).
pub fn absolute_path(file: &str) -> Option<String> {
    let path = std::path::Path::new(file);
    if file == "-" || file.is_empty() || path.is_absolute() {
        return None;
    }
    std::path::absolute(path).ok().map(|p| p.display().to_string())
}

/// Every candidate's status as the journal's decisions make it (candidates it never mentions are
/// pending). The candidates table must equal this; `verify` checks that it does.
pub fn replay_statuses(store: &Store) -> Result<BTreeMap<CandidateId, Status>> {
    let mut replay = replay::Replay::new();
    store.scan_journal(1, |e| {
        let Some(action) = Action::parse(&e.action) else { return Ok(()) };
        let reverses = if action == Action::Undo { replay::reverses_of(&e.body) } else { None };
        replay
            .apply(e.seq, action, e.candidate.map(CandidateId), reverses)
            .map_err(|m| anyhow!("journal entry {}: {m}", e.seq))
    })?;
    let mut statuses = replay.statuses();
    for (id, _) in store.candidate_statuses()? {
        statuses.entry(id).or_insert(Status::Pending);
    }
    Ok(statuses)
}

/// A candidate's standing decision (the one that gives its status), with its entry, if any.
pub fn standing_decision(store: &Store, id: CandidateId) -> Result<Option<crate::store::JournalEntry>> {
    let entries = store.journal_of_candidate(id)?;
    let mut replay = replay::Replay::new();
    for e in &entries {
        if let Some(action) = Action::parse(&e.action) {
            let reverses = if action == Action::Undo { replay::reverses_of(&e.body) } else { None };
            replay
                .apply(e.seq, action, e.candidate.map(CandidateId), reverses)
                .map_err(|m| anyhow!("journal entry {}: {m}", e.seq))?;
        }
    }
    let top = replay.standing(id).last().map(|&(seq, _)| seq);
    Ok(top.and_then(|seq| entries.into_iter().find(|e| e.seq == seq)))
}

/// Who made a candidate's standing decision, when, and their note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    pub seq: i64,
    pub action: String,
    pub steward: String,
    pub at: String,
    pub note: Option<String>,
}

/// A candidate's standing decision as who, when and why (`show`, the console's header).
pub fn standing_decided(store: &Store, id: CandidateId) -> Result<Option<Decided>> {
    Ok(standing_decision(store, id)?.map(|entry| {
        let body: Value = serde_json::from_str(&entry.body).unwrap_or_default();
        Decided {
            seq: entry.seq,
            action: entry.action,
            steward: entry.steward,
            at: entry.at,
            note: body.get("note").and_then(Value::as_str).map(str::to_string),
        }
    }))
}
