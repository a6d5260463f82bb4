//! The stale guard: a decision carries the member versions the steward saw (the `seen` token), and
//! a member an import changed since is named, with the fields that changed (from record history).

use crate::model::{parse_seen_token, seen_token, CandidateId, Fields, RecordKey};
use crate::store::{MemberRow, Store};
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
    let seen = parse_seen_token(token).filter(|v| v.len() == members.len()).ok_or_else(|| {
        anyhow!(
            "`{}` is not a seen token for candidate {candidate}: it has {} members (current token {})",
            crate::text::visible(token),
            members.len(),
            member_versions(members)
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

/// A candidate's current `seen` token (what `show --json` gives).
pub fn current_seen(store: &Store, candidate: CandidateId) -> Result<String> {
    Ok(member_versions(&store.candidate_member_rows(candidate)?))
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
