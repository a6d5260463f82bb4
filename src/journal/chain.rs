//! Appending to the chain: numbers, encodes, hashes and (for sign-offs) signs one entry inside the
//! caller's transaction. The only code that makes journal rows.

use super::encoding::{canonical_json, check_body, content_hash, hex, Action, Content, GENESIS};
use crate::model::CandidateId;
use crate::store::{JournalEntry, Tx};
use anyhow::{bail, Result};
use ed25519_dalek::{Signer, SigningKey};
use serde_json::Value;

/// An entry to append; its number, hashes and signature are worked out by `append`.
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    pub at: &'a str,
    pub steward: &'a str,
    pub action: Action,
    pub candidate: Option<CandidateId>,
    pub body: &'a Value,
}

/// Appends an entry after the current head, in the caller's transaction.
pub fn append(tx: &Tx, e: &NewEntry) -> Result<JournalEntry> {
    append_with(tx, e, None)
}

/// Appends an entry and, when a key is given, signs its hash (sign-offs).
pub(crate) fn append_with(tx: &Tx, e: &NewEntry, key: Option<&SigningKey>) -> Result<JournalEntry> {
    if e.steward.trim().is_empty() {
        bail!("a journal entry needs a steward (give --steward or set MERGEQ_STEWARD)");
    }
    let candidate = e.candidate.map(|c| c.0);
    check_body(e.action, candidate, e.body)?;
    let body = canonical_json(e.body)?;
    let (seq, prev_hash) = match tx.journal_head()? {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_string()),
    };
    // Stamped inside the write transaction: never earlier than the entry before it, whenever the
    // caller read the clock, and always with three fraction digits.
    let previous_at = if seq > 1 { tx.journal_at(seq - 1)? } else { None };
    let at = crate::clock::not_before(e.at, previous_at.as_deref());
    let content =
        Content { seq, at: &at, steward: e.steward, action: e.action.as_str(), candidate, body: &body };
    let digest = content_hash(&prev_hash, &content);
    let hash = hex(&digest);
    let (signature, public_key) = match key {
        Some(key) => {
            let signature = key.sign(&digest);
            (Some(hex(&signature.to_bytes())), Some(hex(key.verifying_key().as_bytes())))
        }
        None => (None, None),
    };
    let entry = JournalEntry {
        seq,
        at,
        steward: e.steward.to_string(),
        action: e.action.as_str().to_string(),
        candidate,
        body,
        prev_hash,
        hash,
        signature,
        public_key,
    };
    tx.insert_journal_entry(&entry)?;
    Ok(entry)
}
