//! The stale guard: a decision carries the member versions the steward saw (the `seen` token), and
//! a member an import changed since is named, with the fields that changed (from record history).
//! A token `show` gave also names the candidate's latest decision or undo (`2.1@47`): a decision
//! or undo recorded on it since is named too, so that nobody overrides a colleague's decision
//! made after they looked.

use crate::model::{parse_seen_token, seen_token, seen_token_at, CandidateId, Fields, RecordKey};
use crate::store::{JournalEntry, MemberRow, Store};
use anyhow::{anyhow, Result};
use std::collections::BTreeSet;
use std::fmt;

/// One member that changed since a steward saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberChange {
    pub key: RecordKey,
    pub seen_version: i64,
    pub version: i64,
    /// The fields whose values differ, or `None` when the seen version is not kept.
    pub fields: Option<Vec<String>>,
}

/// A decision refused because members changed since they were shown (the console branches on it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleError {
    pub candidate: CandidateId,
    pub changes: Vec<MemberChange>,
}

impl fmt::Display for StaleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .changes
            .iter()
            .map(|c| {
                let what = match &c.fields {
                    Some(fields) if fields.is_empty() => "its timestamps only".to_string(),
                    Some(fields) => {
                        let names: Vec<String> =
                            fields.iter().map(|f| crate::text::visible(f).into_owned()).collect();
                        format!("changed: {}", names.join(", "))
                    }
                    None => "the fields that changed are not known".to_string(),
                };
                format!(
                    "{} is now version {}, you saw version {} ({what})",
                    crate::text::visible(&c.key.to_string()),
                    c.version,
                    c.seen_version
                )
            })
            .collect();
        write!(
            f,
            "candidate {} changed since it was shown, so the decision was not recorded: {}; show it again and decide on the current values",
            self.candidate,
            parts.join("; ")
        )
    }
}

impl std::error::Error for StaleError {}

/// The members' current versions as a `seen` token.
pub fn member_versions(members: &[MemberRow]) -> String {
    seen_token(&members.iter().map(|m| m.record.version).collect::<Vec<_>>())
}

/// The names of the fields whose values differ between two versions of a record.
pub fn changed_fields(old: &Fields, new: &Fields) -> Vec<String> {
    let names: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    names.into_iter().filter(|n| old.get(*n) != new.get(*n)).cloned().collect()
}

/// The members that changed since `token` was shown; an error when it is not a token for them.
pub fn changes_since(
    candidate: CandidateId,
    members: &[MemberRow],
    token: &str,
    fields_at: impl Fn(i64, i64) -> Result<Option<Fields>>,
) -> Result<Vec<MemberChange>> {
    let seen =
        parse_seen_token(token).map(|(v, _)| v).filter(|v| v.len() == members.len()).ok_or_else(|| {
            // The whole current token is `show --json`'s: versions alone would skip the check
            // for decisions recorded since.
            anyhow!(
                "`{}` is not a seen token for candidate {candidate}: it has {} members; give the token \
                 `mergeq show {candidate} --json` gives",
                crate::text::visible(token),
                members.len(),
            )
        })?;
    let mut changes = Vec::new();
    for (m, &seen_version) in members.iter().zip(&seen) {
        if m.record.version == seen_version {
            continue;
        }
        let fields = fields_at(m.rowid, seen_version)?.map(|old| changed_fields(&old, &m.record.fields));
        changes.push(MemberChange {
            key: m.record.key.clone(),
            seen_version,
            version: m.record.version,
            fields,
        });
    }
    Ok(changes)
}

/// Refuses with a `StaleError` when any member changed since `token` was shown.
pub(crate) fn check_seen(
    candidate: CandidateId,
    members: &[MemberRow],
    token: &str,
    fields_at: impl Fn(i64, i64) -> Result<Option<Fields>>,
) -> Result<()> {
    let changes = changes_since(candidate, members, token, fields_at)?;
    if changes.is_empty() {
        Ok(())
    } else {
        Err(StaleError { candidate, changes }.into())
    }
}

/// A candidate's current `seen` token (what `show --json` gives): member versions and its latest
/// decision or undo.
pub fn current_seen(store: &Store, candidate: CandidateId) -> Result<String> {
    let versions: Vec<i64> =
        store.candidate_member_rows(candidate)?.iter().map(|m| m.record.version).collect();
    let latest = store.latest_entry_of_candidate(candidate)?.map(|e| e.seq);
    Ok(seen_token_at(&versions, latest))
}

/// A decision refused because another decision or undo on the candidate was recorded since its
/// `seen` token was shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecidedSince {
    pub candidate: CandidateId,
    /// The latest of them: its entry, action, steward and time.
    pub seq: i64,
    pub action: String,
    /// For an undo, the action it reversed.
    pub undid: Option<String>,
    pub steward: String,
    pub at: String,
    /// How many more were recorded between the one shown and this one.
    pub before: usize,
}

impl fmt::Display for DecidedSince {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (c, who) = (self.candidate, crate::text::visible(&self.steward));
        let at = crate::text::visible(&self.at);
        match (self.action.as_str(), &self.undid) {
            ("undo", undid) => {
                let what = undid.as_deref().unwrap_or("decision");
                write!(f, "candidate {c}'s {what} was undone by {who} at {at} (journal entry {}", self.seq)?
            }
            (action, _) => {
                let status = super::encoding::Action::parse(action)
                    .map_or(action.to_string(), |a| super::replay::status_of(a).as_str().to_string());
                write!(f, "candidate {c} was {status} by {who} at {at} (journal entry {}", self.seq)?
            }
        }
        match self.before {
            0 => write!(f, ") since it was shown")?,
            n => write!(f, "; {} decisions or undos on it since it was shown)", n + 1)?,
        }
        write!(f, ", so the decision was not recorded; show it again and decide")
    }
}

impl std::error::Error for DecidedSince {}

/// Refuses with `DecidedSince` when `since` (the candidate's decisions and undos after the entry
/// the token names, newest first) is not empty; `latest` is its latest entry up to that one. A
/// token naming an entry that is not the candidate's latest up to then is not a token for it.
pub(crate) fn check_entry_seen(
    candidate: CandidateId,
    shown: i64,
    since: &[JournalEntry],
    latest: Option<i64>,
) -> Result<()> {
    if let Some(newest) = since.first() {
        let undid = (newest.action == "undo")
            .then(|| serde_json::from_str::<serde_json::Value>(&newest.body).ok())
            .flatten()
            .and_then(|b| b["reversed"]["action"].as_str().map(str::to_string));
        return Err(DecidedSince {
            candidate,
            seq: newest.seq,
            action: newest.action.clone(),
            undid,
            steward: newest.steward.clone(),
            at: newest.at.clone(),
            before: since.len() - 1,
        }
        .into());
    }
    if latest.unwrap_or(0) != shown {
        let latest = latest.map_or("none".to_string(), |seq| format!("entry {seq}"));
        anyhow::bail!(
            "`@{shown}` in the seen token does not name candidate {candidate}'s latest decision or undo \
             ({latest}): give the token `mergeq show {candidate} --json` gives"
        );
    }
    Ok(())
}

/// The members of a candidate that changed since `token` was shown (the console's changed mark).
pub fn stale_changes(store: &Store, candidate: CandidateId, token: &str) -> Result<Vec<MemberChange>> {
    let members = store.candidate_member_rows(candidate)?;
    changes_since(candidate, &members, token, |rowid, v| store.record_fields_at_version(rowid, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn changed_fields_names_added_removed_and_edited() {
        let cases = [
            (fields(&[("a", "1")]), fields(&[("a", "1")]), vec![]),
            (fields(&[("a", "1")]), fields(&[("a", "2")]), vec!["a"]),
            (fields(&[("a", "1"), ("b", "x")]), fields(&[("a", "1"), ("c", "y")]), vec!["b", "c"]),
        ];
        for (old, new, want) in cases {
            assert_eq!(changed_fields(&old, &new), want);
        }
    }

    #[test]
    fn stale_message_names_candidate_record_and_fields() {
        let e = StaleError {
            candidate: CandidateId(7),
            changes: vec![MemberChange {
                key: RecordKey::new("hubspot", "51"),
                seen_version: 1,
                version: 2,
                fields: Some(vec!["email".into(), "phone".into()]),
            }],
        };
        let text = e.to_string();
        for part in ["candidate 7", "hubspot:51", "version 2", "version 1", "email, phone"] {
            assert!(text.contains(part), "{text}");
        }
    }
}
