//! Decisions and undo: one transaction each, in which the journal entry, the candidate's new status
//! and the not-a-duplicate memory (rejected pairs) are written together or not at all. The stale
//! guard refuses a decision made on member versions that an import has since replaced.

use super::chain::{append, NewEntry};
use super::encoding::Action;
use super::replay::{reverses_of, status_of, Replay};
use super::stale::{check_seen, member_versions};
use crate::model::{CandidateId, Choices, Golden, Record, RecordKey, Status};
use crate::store::{CandidateRow, JournalEntry, MemberRow, Store, Tx};
use crate::survivorship::{self, Rules};
use anyhow::{anyhow, bail, Result};
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;
use std::sync::Arc;

/// A steward's verdict on a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Approve,
    Reject,
    Defer,
}

impl Verdict {
    pub fn action(self) -> Action {
        match self {
            Verdict::Approve => Action::Approve,
            Verdict::Reject => Action::Reject,
            Verdict::Defer => Action::Defer,
        }
    }

    pub fn status(self) -> Status {
        status_of(self.action())
    }
}

/// Everything a decision needs; the console and `mergeq decide` both fill one in.
#[derive(Debug, Clone)]
pub struct DecisionRequest {
    pub candidate: CandidateId,
    pub verdict: Verdict,
    /// Picks, edits and survivor (approve only).
    pub choices: Choices,
    pub note: Option<String>,
    /// The `seen` token shown to the steward; `None` decides on the current versions.
    pub seen: Option<String>,
    pub steward: String,
    /// RFC 3339 UTC.
    pub at: String,
    /// The survivorship rules the golden record is suggested under (loaded once by the caller).
    pub rules: Arc<Rules>,
}

/// What a committed decision did.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionOutcome {
    pub seq: i64,
    pub hash: String,
    pub candidate: CandidateId,
    pub status_before: Status,
    pub status: Status,
    /// The member versions the decision was made on, as a `seen` token.
    pub seen: String,
    /// The approved golden record (approve only).
    pub golden: Option<Golden>,
    /// The exports that had carried the decision this one replaces, if any.
    pub exported: Option<CarriedOut>,
    /// Approve: records of this candidate that other approved candidates hold too, with those
    /// candidates. A CRM merges a record once: a merge plan carries the earlier approval only.
    pub shared: Vec<(RecordKey, CandidateId)>,
}

/// An undo with no standing decision to reverse (of that candidate, or at all): a typed error, so
/// that the console can say it calmly rather than as a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NothingToUndo(pub Option<CandidateId>);

impl std::fmt::Display for NothingToUndo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(c) => write!(f, "candidate {c} has no decision to undo"),
            None => write!(f, "the journal has no decision to undo"),
        }
    }
}

impl std::error::Error for NothingToUndo {}

/// What a committed undo did.
#[derive(Debug, Clone, PartialEq)]
pub struct UndoOutcome {
    pub seq: i64,
    pub hash: String,
    pub candidate: CandidateId,
    /// The entry reversed, and its action.
    pub reversed_seq: i64,
    pub reversed_action: Action,
    pub status_before: Status,
    pub status: Status,
    /// The exports that had carried the reversed decision out of mergeq, if any.
    pub exported: Option<CarriedOut>,
    /// The steward's picks, edits and survivor of the reversed decision (an approval's; none for
    /// the others), so that a console can show them again.
    pub reversed_choices: Choices,
}

/// An export entry that carried a decision: its journal entry, format and file (`-` for stdout).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedIn {
    pub seq: i64,
    pub format: String,
    pub file: String,
}

/// A decision that exports had carried out of mergeq (a merge plan, a golden export, the
/// not-duplicate list) before a later decision or an undo replaced it: wherever those files were
/// applied, the CRM still holds it, and nothing mergeq writes reaches it there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarriedOut {
    /// The decision's journal entry and action.
    pub decision: i64,
    pub action: Action,
    pub exports: Vec<ExportedIn>,
}

/// Records held by other approved candidates, briefly (`salesforce:003B in #1`), the first three;
/// `None` when there are none.
pub fn shared_brief(shared: &[(RecordKey, CandidateId)]) -> Option<String> {
    let mut parts: Vec<String> =
        shared.iter().take(3).map(|(key, other)| format!("{key} in #{other}")).collect();
    if shared.len() > 3 {
        parts.push(format!("{} more", shared.len() - 3));
    }
    (!parts.is_empty()).then(|| crate::text::visible(&parts.join(", ")).into_owned())
}

impl DecisionOutcome {
    /// When the approved candidate shares records with other approved ones: which, briefly
    /// (`salesforce:003B in #1`), the first three.
    pub fn shared_brief(&self) -> Option<String> {
        shared_brief(&self.shared)
    }

    /// The note the command line prints when the approved candidate shares records with other
    /// approved ones.
    pub fn shared_note(&self) -> Option<String> {
        self.shared_brief().map(|brief| {
            format!(
                "note: also approved elsewhere: {brief}. A CRM merges a record once, so a merge plan \
                 carries the earlier approval and leaves the later out; undo or reject one of them."
            )
        })
    }
}

impl CarriedOut {
    /// The note the command line prints on stderr.
    pub fn note(&self) -> String {
        let exports: Vec<String> = self.exports.iter().map(ExportedIn::describe).collect();
        format!(
            "note: the {} (entry {}) had already been exported: {}. Wherever that was applied, the CRM \
             keeps it; mergeq cannot reach it there.",
            self.action,
            self.decision,
            exports.join(", ")
        )
    }
}

impl ExportedIn {
    /// "salesforce to plan.json (journal entry 9)", the file name made safe to print.
    pub fn describe(&self) -> String {
        let to = if self.file == "-" { "stdout".into() } else { crate::text::visible(&self.file) };
        format!("{} to {to} (journal entry {})", self.format, self.seq)
    }
}

/// Records a decision in one transaction.
pub fn decide(store: &mut Store, req: &DecisionRequest) -> Result<DecisionOutcome> {
    store.write(|tx| decide_in(tx, req))
}

/// Reverses the latest standing decision of a candidate (or of the whole journal) in one transaction.
pub fn undo(
    store: &mut Store,
    candidate: Option<CandidateId>,
    steward: &str,
    at: &str,
) -> Result<UndoOutcome> {
    store.write(|tx| undo_in(tx, candidate, steward, at))
}

/// The one place that calls survivorship: the suggestion, and the golden record after the
/// steward's choices. (Adapt here when survivorship's signature changes.)
fn golden_for(
    rules: &Rules,
    object: &str,
    members: &[Record],
    choices: &Choices,
) -> Result<(Golden, Golden)> {
    let suggested = survivorship::suggest(rules, object, members);
    let mut golden = suggested.clone();
    survivorship::apply_choices(rules, object, &mut golden, members, choices)?;
    Ok((suggested, golden))
}

fn has_choices(c: &Choices) -> bool {
    !(c.picks.is_empty() && c.sets.is_empty() && c.survivor.is_none())
}

/// The field a mistyped name most likely meant: the same name in another case, else the one
/// closest by edits when it is close (at most two edits, and fewer than half the name).
fn nearest_field<'f>(typed: &str, fields: &BTreeSet<&'f str>) -> Option<&'f str> {
    let folded = typed.to_lowercase();
    if let Some(same) = fields.iter().find(|f| f.to_lowercase() == folded) {
        return Some(same);
    }
    let (distance, near) =
        fields.iter().map(|f| (strsim::levenshtein(&folded, &f.to_lowercase()), *f)).min()?;
    (distance <= 2 && distance * 2 < typed.chars().count()).then_some(near)
}

/// Refuses choices that name a record outside the candidate or a field no member has.
fn check_choices(cand: CandidateId, members: &[MemberRow], choices: &Choices) -> Result<()> {
    let fields: BTreeSet<&str> =
        members.iter().flat_map(|m| m.record.fields.keys().map(String::as_str)).collect();
    let is_member = |k: &crate::model::RecordKey| members.iter().any(|m| &m.record.key == k);
    for (field, key) in &choices.picks {
        if !is_member(key) {
            bail!("--pick {field}={key}: {key} is not a member of candidate {cand}");
        }
    }
    let named = choices.picks.iter().map(|(f, _)| f).chain(choices.sets.iter().map(|(f, _)| f));
    for field in named {
        if !fields.contains(field.as_str()) {
            let known: Vec<String> = fields.iter().map(|f| crate::text::visible(f).into_owned()).collect();
            let hint = match nearest_field(field, &fields) {
                Some(near) => format!("; did you mean `{}`?", crate::text::visible(near)),
                None => String::new(),
            };
            bail!(
                "no member of candidate {cand} has a field `{}` (its fields: {}){hint}",
                crate::text::visible(field),
                known.join(", ")
            );
        }
    }
    if let Some(s) = &choices.survivor {
        if !is_member(s) {
            bail!("--survivor {s} is not a member of candidate {cand}");
        }
    }
    Ok(())
}

/// Records a decision inside the caller's transaction (batches of decisions, tests, benchmarks).
pub fn decide_in(tx: &Tx, req: &DecisionRequest) -> Result<DecisionOutcome> {
    let id = req.candidate;
    let cand = tx.candidate_row(id)?.ok_or_else(|| anyhow!("no candidate {id}"))?;
    let members = tx.candidate_member_rows(id)?;
    if members.is_empty() {
        bail!("candidate {id} has no member records");
    }
    if let Some(token) = &req.seen {
        check_seen(id, &members, token, |rowid, v| tx.record_fields_at_version(rowid, v))?;
    }
    if req.verdict != Verdict::Approve && has_choices(&req.choices) {
        bail!("--pick, --set and --survivor go with approve, not with {}", req.verdict.action());
    }
    check_choices(id, &members, &req.choices)?;
    let records: Vec<Record> = members.iter().map(|m| m.record.clone()).collect();
    let golden = match req.verdict {
        Verdict::Approve => Some(golden_for(&req.rules, &cand.object, &records, &req.choices)?),
        _ => None,
    };
    // The decision this one replaces, when an export already carried it.
    let exported = match cand.status {
        Status::Approved | Status::Rejected => match latest_standing(tx, Some(id))? {
            Some(prev) => {
                let action = Action::parse(&prev.action).expect("a decision action");
                carried_out(tx, prev.seq, action, &cand, &members)?
            }
            None => None,
        },
        Status::Pending | Status::Deferred => None,
    };
    let status = req.verdict.status();
    let mut body = member_body(&cand, &members, true);
    body.insert("status_before".into(), json!(cand.status.as_str()));
    body.insert("status_after".into(), json!(status.as_str()));
    body.insert("note".into(), json!(req.note));
    if let Some((suggested, approved)) = &golden {
        body.insert("golden".into(), golden_body(suggested, approved, &req.choices));
        body.insert("choices".into(), choices_body(&req.choices));
    }
    let entry = append(
        tx,
        &NewEntry {
            at: &req.at,
            steward: &req.steward,
            action: req.verdict.action(),
            candidate: Some(id),
            body: &Value::Object(body),
        },
    )?;
    set_status(tx, &cand, &members, status)?;
    let shared = match status {
        Status::Approved => tx.approved_sharing_of(id)?,
        _ => Vec::new(),
    };
    Ok(DecisionOutcome {
        seq: entry.seq,
        hash: entry.hash,
        candidate: id,
        status_before: cand.status,
        status,
        seen: member_versions(&members),
        golden: golden.map(|(_, g)| g),
        exported,
        shared,
    })
}

/// Reverses a standing decision inside the caller's transaction.
pub fn undo_in(tx: &Tx, candidate: Option<CandidateId>, steward: &str, at: &str) -> Result<UndoOutcome> {
    let target = latest_standing(tx, candidate)?.ok_or(NothingToUndo(candidate))?;
    let id = CandidateId(target.candidate.expect("decisions name their candidate"));
    let cand = tx.candidate_row(id)?.ok_or_else(|| anyhow!("no candidate {id}"))?;
    let replay = replay_candidate(tx, id)?;
    let standing = replay.standing(id);
    if standing.last().map(|&(seq, _)| seq) != Some(target.seq) {
        bail!(
            "journal entry {} is not candidate {id}'s latest standing decision; run `mergeq audit verify`",
            target.seq
        );
    }
    let reversed_action = Action::parse(&target.action).expect("a decision action");
    let status = standing.iter().rev().nth(1).map_or(Status::Pending, |&(_, a)| status_of(a));
    let members = tx.candidate_member_rows(id)?;
    let mut body = member_body(&cand, &members, false);
    body.insert("reverses".into(), json!(target.seq));
    body.insert(
        "reversed".into(),
        json!({"action": target.action, "at": target.at, "steward": target.steward, "hash": target.hash}),
    );
    body.insert("status_before".into(), json!(cand.status.as_str()));
    body.insert("status_after".into(), json!(status.as_str()));
    let entry = append(
        tx,
        &NewEntry { at, steward, action: Action::Undo, candidate: Some(id), body: &Value::Object(body) },
    )?;
    set_status(tx, &cand, &members, status)?;
    let exported = carried_out(tx, target.seq, reversed_action, &cand, &members)?;
    let reversed_choices = choices_of(&serde_json::from_str(&target.body)?);
    Ok(UndoOutcome {
        seq: entry.seq,
        hash: entry.hash,
        candidate: id,
        reversed_seq: target.seq,
        reversed_action,
        status_before: cand.status,
        status,
        exported,
        reversed_choices,
    })
}

/// The exports that carried the decision at `seq` (of `action`, on `cand` with `members`), if any:
/// merge plans and golden records carry approvals, the not-duplicate list rejections, when their
/// window reached it. The decision stood from `seq` until now (only a standing decision is undone
/// or replaced), so each of them exported it — except a CRM merge plan, which leaves out the
/// candidates with a member from another source and objects that CRM cannot merge.
fn carried_out(
    tx: &Tx,
    seq: i64,
    action: Action,
    cand: &CandidateRow,
    members: &[MemberRow],
) -> Result<Option<CarriedOut>> {
    use crate::export::decisions::Kind;
    let carried = |e: &crate::store::ExportReach| match Kind::parse(&e.format) {
        Some(kind) if kind.action() == action.as_str() => match kind {
            Kind::Crm(crm) => {
                let source = crm.records_source(e.source.as_deref());
                let sources = members.iter().map(|m| m.record.key.source.as_str());
                crm.leaves_out(source, &cand.object, sources).is_none()
            }
            _ => true,
        },
        _ => false,
    };
    let exports: Vec<ExportedIn> = tx
        .exports_reaching(seq)?
        .into_iter()
        .filter(carried)
        .map(|e| ExportedIn { seq: e.seq, format: e.format, file: e.file })
        .collect();
    Ok((!exports.is_empty()).then_some(CarriedOut { decision: seq, action, exports }))
}

/// Writes the new status and keeps the rejected pairs in step with it.
fn set_status(tx: &Tx, cand: &CandidateRow, members: &[MemberRow], status: Status) -> Result<()> {
    let rowids: Vec<i64> = members.iter().map(|m| m.rowid).collect();
    tx.set_candidate_status(cand.id, status, &rowids)?;
    if status == Status::Rejected {
        tx.add_rejected_pairs(&rowids)?;
    } else if cand.status == Status::Rejected {
        tx.remove_uncovered_rejected_pairs(&rowids)?;
    }
    Ok(())
}

/// The latest decision not yet undone, of one candidate or of all: walking back, each undo cancels
/// the decision it names.
fn latest_standing(tx: &Tx, candidate: Option<CandidateId>) -> Result<Option<JournalEntry>> {
    let mut undone = BTreeSet::new();
    let mut found = None;
    tx.walk_decisions_back(candidate, |e| {
        if e.action == Action::Undo.as_str() {
            undone.extend(reverses_of(&e.body));
            return Ok(true);
        }
        if undone.contains(&e.seq) {
            return Ok(true);
        }
        found = Some(e.clone());
        Ok(false)
    })?;
    Ok(found)
}

/// One candidate's decisions and undos replayed.
fn replay_candidate(tx: &Tx, id: CandidateId) -> Result<Replay> {
    let mut entries = Vec::new();
    tx.walk_decisions_back(Some(id), |e| {
        entries.push(e.clone());
        Ok(true)
    })?;
    let mut replay = Replay::new();
    for e in entries.iter().rev() {
        let action = Action::parse(&e.action).expect("decision or undo");
        replay
            .apply(e.seq, action, e.candidate.map(CandidateId), reverses_of(&e.body))
            .map_err(|m| anyhow!("journal entry {}: {m}", e.seq))?;
    }
    Ok(replay)
}

/// The candidate and its members as the steward saw them: keys, versions and (for decisions) values.
fn member_body(cand: &CandidateRow, members: &[MemberRow], with_values: bool) -> Map<String, Value> {
    let list: Vec<Value> = members
        .iter()
        .map(|m| {
            let r = &m.record;
            let mut v = json!({"key": r.key.to_string(), "version": r.version});
            if with_values {
                v["fields"] = json!(r.fields);
                v["created"] = json!(r.created);
                v["updated"] = json!(r.updated);
            }
            v
        })
        .collect();
    let mut body = Map::new();
    body.insert("object".into(), json!(cand.object));
    // Scores go in as text: the journal holds no floats (see encoding).
    body.insert("score".into(), json!(cand.score.to_string()));
    body.insert("seen".into(), json!(member_versions(members)));
    body.insert("members".into(), Value::Array(list));
    body
}

/// The approved golden record with lineage; a value the steward chose says so and keeps the rule's
/// suggestion beside it.
fn golden_body(suggested: &Golden, approved: &Golden, choices: &Choices) -> Value {
    let mut fields = Map::new();
    for (name, v) in &approved.fields {
        let by_steward = v.rule == "steward";
        let mut f = json!({
            "value": v.value,
            "from": v.from.iter().map(|k| k.to_string()).collect::<Vec<_>>(),
            "rule": v.rule,
            "explanation": v.explanation,
            "conflict": v.conflict,
            "chosen_by": if by_steward { "steward" } else { "rule" },
        });
        if let (true, Some(s)) = (by_steward, suggested.fields.get(name)) {
            f["suggested"] = json!({
                "value": s.value,
                "from": s.from.iter().map(|k| k.to_string()).collect::<Vec<_>>(),
                "rule": s.rule,
            });
        }
        fields.insert(name.clone(), f);
    }
    let mut survivor = json!({
        "key": approved.survivor.to_string(),
        "reason": approved.survivor_reason,
        "chosen_by": if choices.survivor.is_some() { "steward" } else { "rule" },
    });
    if choices.survivor.is_some() {
        survivor["suggested"] = json!(suggested.survivor.to_string());
    }
    json!({"fields": fields, "survivor": survivor})
}

fn choices_body(c: &Choices) -> Value {
    json!({
        "picks": c.picks.iter().map(|(f, k)| json!({"field": f, "from": k.to_string()})).collect::<Vec<_>>(),
        "sets": c.sets.iter().map(|(f, v)| json!({"field": f, "value": v})).collect::<Vec<_>>(),
        "survivor": c.survivor.as_ref().map(|k| k.to_string()),
    })
}

/// The steward's choices an approval's body holds (`choices_body` read back; none in other bodies).
pub fn choices_of(body: &Value) -> Choices {
    let c = &body["choices"];
    let text = |v: &Value| v.as_str().map(str::to_string);
    let key = |v: &Value| v.as_str().and_then(crate::model::RecordKey::parse);
    let list = |name: &str| c[name].as_array().map(Vec::as_slice).unwrap_or_default();
    Choices {
        picks: list("picks").iter().filter_map(|p| Some((text(&p["field"])?, key(&p["from"])?))).collect(),
        sets: list("sets").iter().filter_map(|s| Some((text(&s["field"])?, text(&s["value"])))).collect(),
        survivor: key(&c["survivor"]),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_mistyped_field_name_suggests_the_nearest() {
        let fields: BTreeSet<&str> = ["Email", "FirstName", "Phone", "id"].into_iter().collect();
        let cases = [
            ("email", Some("Email")),
            ("FIRSTNAME", Some("FirstName")),
            ("Emial", Some("Email")),
            ("Phon", Some("Phone")),
            ("phone_number", None),
            // Two edits on a two-letter name is a different name.
            ("xy", None),
        ];
        for (typed, want) in cases {
            assert_eq!(nearest_field(typed, &fields), want, "{typed}");
        }
    }

    use super::*;
    use crate::model::RecordKey;

    #[test]
    fn choices_read_back_as_written() {
        let key = |s: &str| RecordKey::parse(s).unwrap();
        let choices = Choices {
            picks: vec![("email".into(), key("hubspot:5102"))],
            sets: vec![("phone".into(), Some("+1 415 555 0100".into())), ("fax".into(), None)],
            survivor: Some(key("salesforce:003:odd")),
        };
        assert_eq!(choices_of(&json!({ "choices": choices_body(&choices) })), choices);
        assert_eq!(choices_of(&json!({ "note": null })), Choices::default(), "a body without choices");
    }
}
