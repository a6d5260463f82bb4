//! Sign-off: a steward's signed statement over every entry since the previous sign-off. The entry
//! says what it covers (sequence range, counts by action, the head hash) and carries an Ed25519
//! signature over its own hash, which chains to everything before it.

use super::chain::{append_with, NewEntry};
use super::encoding::Action;
use super::keys::public_key_hex;
use crate::store::{Store, Tx};
use anyhow::{anyhow, bail, Result};
use ed25519_dalek::SigningKey;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// What a sign-off covered.
#[derive(Debug, Clone, PartialEq)]
pub struct SignoffOutcome {
    pub seq: i64,
    pub hash: String,
    pub signature: String,
    pub public_key: String,
    pub first: i64,
    pub last: i64,
    pub counts: BTreeMap<String, i64>,
    pub head_hash: String,
}

impl SignoffOutcome {
    /// "signed off entries 12–41 (20 approve, 3 reject, …) as entry 42, head 3f2a9c0d1e4b…"
    pub fn describe(&self) -> String {
        let counts: Vec<String> = self.counts.iter().map(|(a, n)| format!("{n} {a}")).collect();
        format!(
            "signed off {} ({}) as entry {}, head {}…",
            crate::text::entries(self.first, self.last),
            counts.join(", "),
            self.seq,
            &self.head_hash[..12.min(self.head_hash.len())]
        )
    }
}

/// Signs off every entry since the previous sign-off, in one transaction.
pub fn sign_off(
    store: &mut Store,
    key: &SigningKey,
    steward: &str,
    at: &str,
    note: Option<&str>,
) -> Result<SignoffOutcome> {
    store.write(|tx| sign_off_in(tx, key, steward, at, note))
}

/// Signs off inside the caller's transaction.
pub fn sign_off_in(
    tx: &Tx,
    key: &SigningKey,
    steward: &str,
    at: &str,
    note: Option<&str>,
) -> Result<SignoffOutcome> {
    let (head_seq, head_hash) =
        tx.journal_head()?.ok_or_else(|| anyhow!("the journal is empty: nothing to sign off"))?;
    let previous = tx.last_journal_entry(Action::Signoff)?.map(|e| e.seq);
    let first = previous.unwrap_or(0) + 1;
    if first > head_seq {
        bail!("nothing to sign off: the last entry ({head_seq}) is itself a sign-off");
    }
    let counts: BTreeMap<String, i64> = tx.journal_counts_after(first - 1)?.into_iter().collect();
    let public_key = public_key_hex(&key.verifying_key());
    // A key is one steward's: the name on a sign-off must be the one its key signed as before.
    if let Some((seq, other)) = tx.signoff_by_other(&public_key, steward)? {
        bail!(
            "this key signed off as {} in journal entry {seq}: a key is one steward's, and the name \
             on a sign-off must be its owner's; sign with your own key (`mergeq keygen FILE`) or as {}",
            crate::text::visible(&other),
            crate::text::visible(&other)
        );
    }
    let body = json!({
        "algorithm": "ed25519",
        "covers": {
            "first": first,
            "last": head_seq,
            "entries": head_seq - first + 1,
            "counts": counts,
            "head_hash": head_hash,
        },
        "previous_signoff": previous,
        "note": note,
        "public_key": public_key,
    });
    let entry = append_with(
        tx,
        &NewEntry { at, steward, action: Action::Signoff, candidate: None, body: &body },
        Some(key),
    )?;
    Ok(SignoffOutcome {
        seq: entry.seq,
        hash: entry.hash,
        signature: entry.signature.unwrap_or_default(),
        public_key,
        first,
        last: head_seq,
        counts,
        head_hash,
    })
}

/// What a sign-off body claims to cover, read back for verification and reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Covers {
    pub first: i64,
    pub last: i64,
    pub entries: i64,
    pub counts: BTreeMap<String, i64>,
    pub head_hash: String,
    pub public_key: String,
    pub note: Option<String>,
}

/// Reads a sign-off body; `None` when it is not one.
pub fn read_covers(body: &str) -> Option<Covers> {
    let v: Value = serde_json::from_str(body).ok()?;
    let c = v.get("covers")?;
    let counts = c
        .get("counts")?
        .as_object()?
        .iter()
        .map(|(k, n)| Some((k.clone(), n.as_i64()?)))
        .collect::<Option<_>>()?;
    Some(Covers {
        first: c.get("first")?.as_i64()?,
        last: c.get("last")?.as_i64()?,
        entries: c.get("entries")?.as_i64()?,
        counts,
        head_hash: c.get("head_hash")?.as_str()?.to_string(),
        public_key: v.get("public_key")?.as_str()?.to_string(),
        note: v.get("note").and_then(Value::as_str).map(str::to_string),
    })
}
