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

/// Who signs off, when and why, and whether they sign with a new key.
#[derive(Debug, Clone, Copy)]
pub struct Signing<'a> {
    pub steward: &'a str,
    pub at: &'a str,
    pub note: Option<&'a str>,
    /// Allows a key other than the one of the steward's previous sign-off (`signoff --new-key`);
    /// the sign-off then names the key it replaces (`replaces_key`).
    pub new_key: bool,
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

/// Signs off inside the caller's transaction, with the key the steward signed with before.
pub fn sign_off_in(
    tx: &Tx,
    key: &SigningKey,
    steward: &str,
    at: &str,
    note: Option<&str>,
) -> Result<SignoffOutcome> {
    sign_off_as(tx, key, &Signing { steward, at, note, new_key: false })
}

/// Signs off inside the caller's transaction. A steward whose previous sign-off used another key
/// is refused unless `new_key` says the key changed: a key changing silently is how a forged
/// sign-off would look.
pub fn sign_off_as(tx: &Tx, key: &SigningKey, signing: &Signing) -> Result<SignoffOutcome> {
    let Signing { steward, at, note, new_key } = *signing;
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
             on a sign-off must be its owner's; sign with your own key (`mergeq keygen --out FILE`) or as {}",
            crate::text::visible(&other),
            crate::text::visible(&other)
        );
    }
    // A steward's key is the one of their previous sign-off, unless they say it changed.
    let replaces_key = match tx.last_signoff_key_of(steward)? {
        Some((seq, earlier)) if earlier != public_key => {
            if !new_key {
                bail!(
                    "{who} signed off with key {}… in journal entry {seq}, and this is another key ({}…): \
                     if {who} has a new key, sign with `--new-key` (the sign-off then names the key it \
                     replaces, and `audit verify` lists the change); otherwise sign with {who}'s key",
                    &earlier[..12.min(earlier.len())],
                    &public_key[..12],
                    who = crate::text::visible(steward),
                );
            }
            Some(earlier)
        }
        _ => None,
    };
    let mut body = json!({
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
    if let Some(earlier) = replaces_key {
        body["replaces_key"] = json!(earlier);
    }
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
    /// The key of the steward's previous sign-off, when this one declared a new key.
    pub replaces_key: Option<String>,
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
        replaces_key: v.get("replaces_key").and_then(Value::as_str).map(str::to_string),
    })
}
