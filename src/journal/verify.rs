//! `audit verify`: walks the journal in order and checks that the numbers have no gap, every entry
//! links to the one before, every hash matches its content, every sign-off covers exactly what it
//! says with a good signature, every undo reverses a standing decision, and finally that the
//! candidates' statuses are what the journal's decisions make them, that no decision contradicts
//! another standing, and that `approved_members` and `rejected_pairs` hold what the standing
//! decisions leave (`derived`). The first failure is named.

mod derived;
mod key_changes;

pub use key_changes::KeyChange;

use super::encoding::{content_hash, unhex, Action, Content, GENESIS};
use super::keys::{public_key_from_hex, public_key_hex};
use super::replay::{reverses_of, Replay};
use super::signoff::read_covers;
use crate::model::CandidateId;
use crate::store::{EntryRef, JournalBatch, Store};
use crate::text::thousands;
use anyhow::Result;
use ed25519_dalek::{Signature, VerifyingKey};
use std::collections::BTreeMap;

/// The first thing found wrong: the entry it is at (when it is at one) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub seq: Option<i64>,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.seq {
            Some(seq) => write!(f, "journal entry {seq}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// One sign-off as checked: what it covers, the key it carries and, when keys were given, which of
/// them it is (`None`: no given key; the walk goes on, and `verify` names it at the end).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignoffCheck {
    pub seq: i64,
    pub first: i64,
    pub last: i64,
    /// Who signed off (the name the entry gives).
    pub steward: String,
    pub public_key: String,
    /// The key the sign-off says it replaces (`signoff --new-key`).
    pub replaces_key: Option<String>,
    pub given_key: Option<usize>,
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub entries: i64,
    pub head: Option<String>,
    pub signoffs: i64,
    /// Decisions and undos after the last sign-off.
    pub unsigned_decisions: i64,
    /// How many public keys sign-offs were checked against (0: only the key each carries).
    pub keys_given: usize,
    /// Every sign-off checked, in order.
    pub signoff_checks: Vec<SignoffCheck>,
    pub problem: Option<Problem>,
}

impl VerifyReport {
    pub fn is_ok(&self) -> bool {
        self.problem.is_none()
    }

    /// The one-line summary: "journal ok: 1,234 entries, head 3f2a…, 3 sign-offs verified, …".
    pub fn summary(&self) -> String {
        if let Some(p) = &self.problem {
            return format!("journal BROKEN: {p}");
        }
        let head = self.head.as_deref().map_or("none".to_string(), |h| format!("{}…", &h[..12.min(h.len())]));
        let whose = match self.keys_given {
            0 => "against the keys they carry",
            1 => "by the given key",
            _ => "by the given keys",
        };
        format!(
            "journal ok: {}, head {head}, {} sign-off{} verified ({whose}), {} decision{} not yet signed off",
            crate::text::count(thousands(self.entries), "entry", "entries"),
            thousands(self.signoffs),
            if self.signoffs == 1 { "" } else { "s" },
            thousands(self.unsigned_decisions),
            if self.unsigned_decisions == 1 { "" } else { "s" },
        )
    }
}

/// The walk's state between entries.
struct Walk<'k> {
    keys: &'k [VerifyingKey],
    signoff_checks: Vec<SignoffCheck>,
    expected_seq: i64,
    prev_hash: String,
    last_signoff: i64,
    since_signoff: BTreeMap<String, i64>,
    signoffs: i64,
    unsigned_decisions: i64,
    replay: Replay,
    /// Every decision and undo with the status it left, for `derived`.
    changes: Vec<derived::Change>,
}

impl Walk<'_> {
    fn check(&mut self, e: &EntryRef) -> Result<(), Problem> {
        let at = |message: String| Problem { seq: Some(e.seq), message };
        if e.seq != self.expected_seq {
            return Err(Problem {
                seq: Some(self.expected_seq),
                message: format!("missing (the next entry is {})", e.seq),
            });
        }
        if e.prev_hash != self.prev_hash {
            return Err(at(format!(
                "does not link to the entry before it (its prev_hash is {}, entry {} hashes to {})",
                short(e.prev_hash),
                e.seq - 1,
                short(&self.prev_hash)
            )));
        }
        let content = Content::from(*e);
        if !hex_eq(&content_hash(e.prev_hash, &content), e.hash) {
            return Err(
                at("its content does not match its hash: it was changed after it was written".into()),
            );
        }
        let action = Action::parse(e.action).ok_or_else(|| at(format!("unknown action `{}`", e.action)))?;
        if action != Action::Signoff && (e.signature.is_some() || e.public_key.is_some()) {
            return Err(at("carries a signature but is not a sign-off".into()));
        }
        match action {
            Action::Signoff => {
                let check = self.check_signoff(e).map_err(at)?;
                self.signoff_checks.push(check);
            }
            Action::Undo | Action::Approve | Action::Reject | Action::Defer => {
                let reverses = if action == Action::Undo { reverses_of(e.body) } else { None };
                self.replay.apply(e.seq, action, e.candidate.map(CandidateId), reverses).map_err(at)?;
                let candidate = CandidateId(e.candidate.expect("replay refuses a decision without one"));
                self.changes.push(derived::Change {
                    seq: e.seq,
                    candidate,
                    status: self.replay.status(candidate),
                    undo: action == Action::Undo,
                });
                self.unsigned_decisions += 1;
            }
            _ => {}
        }
        if action == Action::Signoff {
            self.last_signoff = e.seq;
            self.since_signoff.clear();
            self.signoffs += 1;
            self.unsigned_decisions = 0;
        } else {
            match self.since_signoff.get_mut(e.action) {
                Some(n) => *n += 1,
                None => {
                    self.since_signoff.insert(e.action.to_string(), 1);
                }
            }
        }
        self.expected_seq += 1;
        self.prev_hash.clear();
        self.prev_hash.push_str(e.hash);
        Ok(())
    }

    fn check_signoff(&self, e: &EntryRef) -> Result<SignoffCheck, String> {
        let covers = read_covers(e.body).ok_or("a sign-off whose body does not say what it covers")?;
        let (first, last) = (self.last_signoff + 1, e.seq - 1);
        if (covers.first, covers.last, covers.entries) != (first, last, last - first + 1) {
            return Err(format!(
                "the sign-off claims entries {}–{} but follows a sign-off at {} and precedes itself at {}",
                covers.first, covers.last, self.last_signoff, e.seq
            ));
        }
        if covers.head_hash != e.prev_hash {
            return Err("the sign-off's head hash is not the hash of the entry before it".into());
        }
        if covers.counts != self.since_signoff {
            return Err(format!(
                "the sign-off's counts {:?} are not the entries' {:?}",
                covers.counts, self.since_signoff
            ));
        }
        if e.public_key != Some(covers.public_key.as_str()) {
            return Err("the sign-off's public key column differs from the key its body names".into());
        }
        let key = public_key_from_hex(&covers.public_key)
            .ok_or("the sign-off's public key is not an Ed25519 key")?;
        let signature = e
            .signature
            .and_then(unhex)
            .and_then(|b| Signature::from_slice(&b).ok())
            .ok_or("the sign-off's signature is missing or not 64 hex bytes")?;
        let digest = unhex(e.hash).ok_or("the hash is not hex")?;
        key.verify_strict(&digest, &signature)
            .map_err(|_| "the sign-off's signature does not verify".to_string())?;
        Ok(SignoffCheck {
            seq: e.seq,
            first: covers.first,
            last: covers.last,
            steward: e.steward.to_string(),
            given_key: self.keys.iter().position(|given| *given == key),
            public_key: covers.public_key,
            replaces_key: covers.replaces_key,
        })
    }
}

/// True when `text` is the lowercase hex of `bytes` (no allocation: this runs once per entry).
fn hex_eq(bytes: &[u8; 32], text: &str) -> bool {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let t = text.as_bytes();
    t.len() == 64
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| t[2 * i] == DIGITS[(b >> 4) as usize] && t[2 * i + 1] == DIGITS[(b & 15) as usize])
}

fn short(hash: &str) -> String {
    format!("{}…", &hash[..12.min(hash.len())])
}

/// Entries handed from the reading thread to the checking thread at a time.
const BATCH: usize = 1024;

/// Checks the whole journal; `key`, when given, must be the key of every sign-off.
pub fn verify(store: &Store, key: Option<&VerifyingKey>) -> Result<VerifyReport> {
    verify_keys(store, key.map_or(&[], std::slice::from_ref))
}

/// Checks the whole journal; when `keys` is not empty, every sign-off must be signed by one of
/// them. Reading rows (SQLite) and checking them (hashing) run on two threads, batch by batch, in
/// order.
pub fn verify_keys(store: &Store, keys: &[VerifyingKey]) -> Result<VerifyReport> {
    let mut walk = Walk {
        keys,
        signoff_checks: Vec::new(),
        expected_seq: 1,
        prev_hash: GENESIS.to_string(),
        last_signoff: 0,
        since_signoff: BTreeMap::new(),
        signoffs: 0,
        unsigned_decisions: 0,
        replay: Replay::new(),
        changes: Vec::new(),
    };
    let mut problem = std::thread::scope(|s| -> Result<Option<Problem>> {
        let (send, batches) = std::sync::mpsc::sync_channel::<JournalBatch>(4);
        let walk = &mut walk;
        let checker = s.spawn(move || {
            for batch in batches {
                for e in batch.iter() {
                    walk.check(&e)?;
                }
            }
            Ok::<(), Problem>(())
        });
        // A send fails only when the checker stopped at a problem: reading stops then too.
        let scan = store.scan_journal_batches(1, BATCH, |batch| Ok(send.send(batch)?));
        drop(send);
        match checker.join().expect("the checking thread does not panic") {
            Err(p) => Ok(Some(p)),
            Ok(()) => scan.map(|_| None),
        }
    })?;
    if problem.is_none() {
        problem = check_end(store, &walk)?;
    }
    if problem.is_none() {
        problem = check_statuses(store, &walk)?;
    }
    if problem.is_none() {
        problem = derived::check_derived(store, &walk.changes)?;
    }
    if problem.is_none() && !keys.is_empty() {
        problem = check_signers(keys, &walk.signoff_checks);
    }
    let entries = walk.expected_seq - 1;
    Ok(VerifyReport {
        entries,
        head: (entries > 0).then(|| walk.prev_hash.clone()),
        signoffs: walk.signoffs,
        unsigned_decisions: walk.unsigned_decisions,
        keys_given: keys.len(),
        signoff_checks: walk.signoff_checks,
        problem,
    })
}

/// Every sign-off must be signed by one of the given keys: names the first that is not, and how
/// many others are not either.
fn check_signers(keys: &[VerifyingKey], checks: &[SignoffCheck]) -> Option<Problem> {
    let mut unsigned = checks.iter().filter(|c| c.given_key.is_none());
    let first = unsigned.next()?;
    let others: Vec<String> = unsigned.map(|c| c.seq.to_string()).collect();
    let given = match keys {
        [one] => format!("the given key {}", short(&public_key_hex(one))),
        _ => format!("any of the {} given keys", keys.len()),
    };
    let mut message = format!("signed by key {}, not by {given}", short(&first.public_key));
    match others.as_slice() {
        [] => {}
        [one] => message.push_str(&format!(" (nor is the sign-off at entry {one})")),
        _ => message.push_str(&format!(" (nor are the sign-offs at entries {})", others.join(", "))),
    }
    Some(Problem { seq: Some(first.seq), message })
}

/// The last entry must be the one the last append recorded: entries removed from the end break no
/// hash link, but leave the recorded head pointing past the new end.
fn check_end(store: &Store, walk: &Walk) -> Result<Option<Problem>> {
    let head = walk.expected_seq - 1;
    let Some((recorded_seq, recorded_hash)) = store.recorded_journal_head()? else {
        return Ok(Some(Problem {
            seq: Some(head.max(1)),
            message:
                "the record of the journal's last entry (journal_head) is gone: the workspace was edited \
                      outside mergeq (entries removed from the end would go unseen)"
                    .into(),
        }));
    };
    if recorded_seq > head {
        return Ok(Some(Problem {
            seq: Some(head + 1),
            message: format!(
                "missing: the journal ends at entry {head} but entries up to {recorded_seq} were written"
            ),
        }));
    }
    if (recorded_seq, recorded_hash.as_str()) != (head, walk.prev_hash.as_str()) {
        return Ok(Some(Problem {
            seq: Some(head),
            message: format!("the journal's last entry is not the last one written (that was entry {recorded_seq}, hash {})", short(&recorded_hash)),
        }));
    }
    Ok(None)
}

/// The candidates table must hold the statuses the journal's decisions give.
fn check_statuses(store: &Store, walk: &Walk) -> Result<Option<Problem>> {
    let table: BTreeMap<CandidateId, _> = store.candidate_statuses()?.into_iter().collect();
    let head = walk.expected_seq - 1;
    for (id, status) in &table {
        let by_journal = walk.replay.status(*id);
        if *status != by_journal {
            return Ok(Some(Problem {
                seq: Some(head + 1),
                message: format!(
                    "missing or changed: candidate {id} is {status} in the workspace but {by_journal} by the journal's \
                     entries 1–{head} (entries after {head} were removed, or the status was changed outside mergeq)"
                ),
            }));
        }
    }
    if let Some(id) = walk.replay.statuses().keys().find(|id| !table.contains_key(id)) {
        return Ok(Some(Problem {
            seq: None,
            message: format!("the journal decides candidate {id}, which the workspace does not hold"),
        }));
    }
    Ok(None)
}
