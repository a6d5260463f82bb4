//! `mergeq show ID --json`: the document of DESIGN.md (`id`, `object`, `score`, `status`,
//! `reasons`, `members`, `golden`, `survivor`, `seen`) and the keys added since: `changed`,
//! `conflicts`, `approved_elsewhere`, and for an approved candidate `approval` (the journal entry
//! its golden record was read from) with `chosen_by` and the rules' `suggested` beside each value.

use super::{key_texts, View};
use crate::journal::approved::Approval;
use crate::model::{Reason, Status};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize)]
pub(super) struct ShowJson<'a> {
    id: i64,
    object: &'a str,
    score: f64,
    status: Status,
    reasons: &'a [Reason],
    members: Vec<MemberJson<'a>>,
    golden: BTreeMap<&'a str, GoldenJson<'a>>,
    survivor: SurvivorJson<'a>,
    seen: String,
    changed: bool,
    conflicts: usize,
    /// Approved candidates holding records of it: those approving it replaces, those holding
    /// all of its records, and the others by shared record.
    approved_elsewhere: ApprovedElsewhere,
    /// For an approved candidate, the journal entry `golden` and `survivor` were read from (null
    /// otherwise: they are the rules' suggestion).
    approval: Option<ApprovalJson<'a>>,
    /// For a rejected or deferred candidate, the journal entry of that decision (null otherwise).
    decision: Option<DecisionJson<'a>>,
}

#[derive(Serialize)]
struct DecisionJson<'a> {
    entry: i64,
    action: &'a str,
    steward: &'a str,
    at: &'a str,
    note: Option<&'a str>,
}

#[derive(Serialize)]
struct ApprovalJson<'a> {
    entry: i64,
    steward: &'a str,
    at: &'a str,
    note: Option<&'a str>,
    /// Members whose version differs from the one approved (`null`: not a member on that side).
    members_changed: Vec<ChangedJson>,
}

#[derive(Serialize)]
struct ChangedJson {
    key: String,
    approved_version: Option<i64>,
    version: Option<i64>,
}

#[derive(Serialize)]
struct ApprovedElsewhere {
    replaces: Vec<i64>,
    within: Vec<i64>,
    overlapping: Vec<SharedJson>,
}

#[derive(Serialize)]
struct SharedJson {
    key: String,
    candidate: i64,
}

#[derive(Serialize)]
struct MemberJson<'a> {
    key: String,
    source: &'a str,
    id: &'a str,
    version: i64,
    created: Option<&'a str>,
    updated: Option<&'a str>,
    fields: &'a crate::model::Fields,
    proposed_version: i64,
}

#[derive(Serialize)]
struct GoldenJson<'a> {
    value: Option<&'a str>,
    from: Vec<String>,
    rule: &'a str,
    explanation: &'a str,
    conflict: bool,
    /// `steward` or `rule`: approved candidates only.
    #[serde(skip_serializing_if = "Option::is_none")]
    chosen_by: Option<&'static str>,
    /// The rules' suggestion beside a steward's choice (approved candidates only).
    #[serde(skip_serializing_if = "Option::is_none")]
    suggested: Option<SuggestedJson<'a>>,
}

#[derive(Serialize)]
struct SuggestedJson<'a> {
    value: Option<&'a str>,
    from: Vec<String>,
    rule: &'a str,
}

#[derive(Serialize)]
struct SurvivorJson<'a> {
    key: String,
    reason: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    chosen_by: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suggested: Option<String>,
}

pub(super) fn of(view: &View) -> ShowJson<'_> {
    let c = &view.candidate;
    let approval = view.approval.as_ref();
    let by = |steward: bool| approval.map(|_| if steward { "steward" } else { "rule" });
    ShowJson {
        id: c.id.0,
        object: &c.object,
        score: c.score,
        status: c.status,
        reasons: &c.reasons,
        members: view
            .members
            .iter()
            .map(|(r, proposed)| MemberJson {
                key: r.key.to_string(),
                source: &r.key.source,
                id: &r.key.id,
                version: r.version,
                created: r.created.as_deref(),
                updated: r.updated.as_deref(),
                fields: &r.fields,
                proposed_version: *proposed,
            })
            .collect(),
        golden: view
            .golden
            .fields
            .iter()
            .map(|(name, v)| {
                let suggested = approval.and_then(|a| a.suggested.get(name));
                let g = GoldenJson {
                    value: v.value.as_deref(),
                    from: key_texts(&v.from),
                    rule: &v.rule,
                    explanation: &v.explanation,
                    conflict: v.conflict,
                    chosen_by: by(v.rule == "steward" || suggested.is_some()),
                    suggested: suggested.map(|s| SuggestedJson {
                        value: s.value.as_deref(),
                        from: key_texts(&s.from),
                        rule: &s.rule,
                    }),
                };
                (name.as_str(), g)
            })
            .collect(),
        survivor: SurvivorJson {
            key: view.golden.survivor.to_string(),
            reason: &view.golden.survivor_reason,
            chosen_by: by(approval.is_some_and(Approval::survivor_by_steward)),
            suggested: approval.and_then(|a| a.survivor_suggested.as_ref()).map(|k| k.to_string()),
        },
        seen: view.seen(),
        changed: view.changed(),
        conflicts: view.golden.conflicts(),
        approved_elsewhere: ApprovedElsewhere {
            replaces: view.overlaps.replaces.iter().map(|c| c.0).collect(),
            within: view.overlaps.within.iter().map(|c| c.0).collect(),
            overlapping: view
                .overlaps
                .overlapping
                .iter()
                .map(|(key, c)| SharedJson { key: key.to_string(), candidate: c.0 })
                .collect(),
        },
        approval: approval.map(|a| ApprovalJson {
            entry: a.seq,
            steward: &a.steward,
            at: &a.at,
            note: a.note.as_deref(),
            members_changed: view
                .changed_since_approval()
                .into_iter()
                .map(|(key, approved_version, version)| ChangedJson {
                    key: key.to_string(),
                    approved_version,
                    version,
                })
                .collect(),
        }),
        decision: view.decision.as_ref().map(|d| DecisionJson {
            entry: d.seq,
            action: &d.action,
            steward: &d.steward,
            at: &d.at,
            note: d.note.as_deref(),
        }),
    }
}
