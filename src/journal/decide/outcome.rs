//! What a committed decision or undo reports back (`DecisionOutcome`, `UndoOutcome`), the typed
//! "nothing to undo", and the notes printed when a decision was already exported or shares records
//! with another approval. Apart from `decide` because these are read by the console and the command
//! line long after the transaction: plain values and their wording, no store access.

use crate::journal::encoding::Action;
use crate::model::{CandidateId, Choices, Golden, RecordKey, Status};

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
    /// How many records the candidate holds.
    pub members: usize,
    /// Approve: the earlier approvals whose records this candidate holds all of, undone in the
    /// same transaction (it replaces them; a CRM merges a record once).
    pub superseded: Vec<UndoOutcome>,
    /// Approve: the undecided (pending or deferred) candidates all of whose records this one
    /// holds (the pairs inside an approved cluster): approving them adds nothing to a plan.
    pub inside: Vec<CandidateId>,
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

/// A decision refused because another decision on the candidate (another steward's, in another
/// console or on the command line) changed its status since the steward was shown it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChanged {
    pub candidate: CandidateId,
    /// The status shown, and the status now.
    pub shown: Status,
    pub now: Status,
    /// Who made the decision behind the current status, and when (RFC 3339); for a candidate
    /// pending again, who undid its decision and when.
    pub by: Option<(String, String)>,
}

impl std::fmt::Display for StatusChanged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let by = match (&self.by, self.now) {
            (Some((steward, at)), Status::Pending) => {
                format!(" again (its decision undone by {} at {at})", crate::text::visible(steward))
            }
            (Some((steward, at)), _) => format!(" by {} at {at}", crate::text::visible(steward)),
            (None, _) => String::new(),
        };
        write!(
            f,
            "candidate {} is {} now{by}, not {} as it was shown, so the decision was not recorded; \
             look at it again and decide",
            self.candidate,
            self.now.as_str(),
            self.shown.as_str()
        )
    }
}

impl std::error::Error for StatusChanged {}

/// The console's undo refused because the latest standing decision is another steward's (it
/// undoes the latest of all): nothing was written; the steward confirms with its entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OthersDecision {
    pub seq: i64,
    pub steward: String,
    pub action: Action,
    pub candidate: CandidateId,
    /// When it was made (RFC 3339).
    pub at: String,
}

impl std::fmt::Display for OthersDecision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the latest decision is {}'s {} of candidate {} (journal entry {}), not yours",
            crate::text::visible(&self.steward),
            self.action,
            self.candidate,
            self.seq
        )
    }
}

impl std::error::Error for OthersDecision {}

/// A decision or an undo refused because it would leave an approval merging records that a
/// rejection keeps apart (both would be exported): the command line's full message, and the
/// console's brief one (`not rejected: #3, approved, merges 2 of its records — …`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contradiction {
    pub full: String,
    pub brief: String,
}

impl std::fmt::Display for Contradiction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.full)
    }
}

impl std::error::Error for Contradiction {}

/// What a committed undo did.
#[derive(Debug, Clone, PartialEq)]
pub struct UndoOutcome {
    pub seq: i64,
    pub hash: String,
    pub candidate: CandidateId,
    /// The entry reversed, and its action.
    pub reversed_seq: i64,
    pub reversed_action: Action,
    /// The steward of the decision undone, when another than the one undoing it.
    pub reversed_by: Option<String>,
    pub status_before: Status,
    pub status: Status,
    /// The exports that had carried the reversed decision out of mergeq, if any.
    pub exported: Option<CarriedOut>,
    /// The steward's picks, edits and survivor of the reversed decision (an approval's; none for
    /// the others), so that a console can show them again.
    pub reversed_choices: Choices,
    /// The candidates whose approvals the reversed approval had replaced: they stay undone.
    pub replaced: Vec<CandidateId>,
    /// The approved candidates all of whose records the reversed approval held, approved while it
    /// stood (a plan left them out, as the larger merge carried them): each now merges on its own.
    pub released: Vec<CandidateId>,
}

impl UndoOutcome {
    /// The note the command line prints when the undone approval had replaced others.
    pub fn replaced_note(&self) -> Option<String> {
        let ids: Vec<String> = self.replaced.iter().map(|c| c.to_string()).collect();
        let (which, verb) = match ids.len() {
            0 => return None,
            1 => ("the approval of candidate", "stays"),
            _ => ("the approvals of candidates", "stay"),
        };
        Some(format!(
            "note: {which} {} that it replaced {verb} undone: approve again what should still merge.",
            ids.join(", ")
        ))
    }

    /// The note the command line prints when approvals held by the undone one now merge alone.
    pub fn released_note(&self) -> Option<String> {
        let ids: Vec<String> = self.released.iter().map(|c| c.to_string()).collect();
        let (which, verb, their, how, it, was) = match ids.as_slice() {
            [] => return None,
            [one] => ("candidate", "merges", "its", format!("`mergeq undo {one}`"), "it", "it was"),
            _ => ("candidates", "merge", "their", "`mergeq undo ID`".to_string(), "them", "they were"),
        };
        Some(format!(
            "note: {which} {}, approved while this one held all {their} records, now {verb} without it \
             in the next merge plan: undo {it} too ({how}) if {was} approved only as part of this one.",
            ids.join(", ")
        ))
    }
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

/// How a candidate stands to the approved candidates that hold records of it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overlaps {
    /// Those all of whose records it holds: approving it replaces their approvals.
    pub replaces: Vec<CandidateId>,
    /// Those holding every record of it: they merge it already.
    pub within: Vec<CandidateId>,
    /// The others, by shared record: one entity across both, `mergeq combine` makes one candidate.
    pub overlapping: Vec<(RecordKey, CandidateId)>,
}

impl Overlaps {
    /// From the records it shares with approved candidates and those candidates it holds whole
    /// (`Store::approved_overlaps_of`), and its number of records.
    pub fn of(shared: &[(RecordKey, CandidateId)], replaces: &[CandidateId], size: usize) -> Overlaps {
        let within = holding_all(shared, size);
        // Held whole by an approval, its records go in that merge: any overlap with another part
        // of it (or beyond it) is the holder's to settle, not something to combine from here.
        let overlapping = match within.is_empty() {
            true => overlapping(shared, replaces),
            false => Vec::new(),
        };
        Overlaps { replaces: replaces.to_vec(), within, overlapping }
    }

    /// The candidates it overlaps, in id order, each once.
    pub fn overlapping_ids(&self) -> Vec<CandidateId> {
        let ids: std::collections::BTreeSet<CandidateId> = self.overlapping.iter().map(|(_, c)| *c).collect();
        ids.into_iter().collect()
    }
}

/// Of the approved candidates sharing records with a candidate of `size` records, those holding
/// every one of them, in id order.
fn holding_all(shared: &[(RecordKey, CandidateId)], size: usize) -> Vec<CandidateId> {
    let mut held: std::collections::BTreeMap<CandidateId, usize> = Default::default();
    for (_, other) in shared {
        *held.entry(*other).or_default() += 1;
    }
    held.into_iter().filter(|&(_, n)| n == size).map(|(c, _)| c).collect()
}

/// The shared records of the candidates not in `apart`.
fn overlapping(shared: &[(RecordKey, CandidateId)], apart: &[CandidateId]) -> Vec<(RecordKey, CandidateId)> {
    shared.iter().filter(|(_, c)| !apart.contains(c)).cloned().collect()
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
    /// The candidates whose approvals this one replaced, each once (one approved twice was
    /// undone twice), in the order they were undone.
    pub fn replaced(&self) -> Vec<CandidateId> {
        let mut ids: Vec<CandidateId> = Vec::new();
        for u in &self.superseded {
            if !ids.contains(&u.candidate) {
                ids.push(u.candidate);
            }
        }
        ids
    }

    /// When this approval replaced earlier ones: `#1, #3`.
    pub fn superseded_brief(&self) -> Option<String> {
        (!self.superseded.is_empty()).then(|| CandidateId::numbered(&self.replaced()))
    }

    /// The note the command line prints when undecided candidates lie inside this approval.
    pub fn inside_note(&self) -> Option<String> {
        let ids: Vec<String> = self.inside.iter().map(|c| c.to_string()).collect();
        let (which, lie, each) = match ids.len() {
            0 => return None,
            1 => ("candidate", "lies", "it adds"),
            _ => ("candidates", "lie", "each adds"),
        };
        Some(format!(
            "note: undecided {which} {} {lie} inside this one: {each} nothing to a merge plan now; \
             approve to clear them from the queue (`mergeq decide {} approve`, or `A` in the console).",
            ids.join(", "),
            ids[0]
        ))
    }

    /// The note the command line prints when this approval replaced earlier ones.
    pub fn superseded_note(&self) -> Option<String> {
        let replaced = self.replaced();
        let ids: Vec<String> = replaced.iter().map(|c| c.to_string()).collect();
        let seqs: Vec<String> = self.superseded.iter().map(|u| u.seq.to_string()).collect();
        let which = match ids.len() {
            0 => return None,
            1 => "the approval of candidate",
            _ => "the approvals of candidates",
        };
        let entries = if seqs.len() == 1 { "entry" } else { "entries" };
        let mut note = format!(
            "note: replaces {which} {}, all of whose records this candidate holds: one merge carries \
             them all. Undone in journal {entries} {}.",
            ids.join(", "),
            seqs.join(", ")
        );
        for exported in self.superseded.iter().filter_map(|u| u.exported.as_ref()) {
            note.push('\n');
            note.push_str(&exported.note());
        }
        Some(note)
    }

    /// How the approved candidate stands to the other approved ones holding records of it (the
    /// ones it held whole are replaced by now).
    pub fn overlaps(&self) -> Overlaps {
        Overlaps::of(&self.shared, &[], self.members)
    }

    /// The notes the command line prints when the approved candidate shares records with other
    /// approved ones: those holding all its records, then those it overlaps.
    pub fn shared_note(&self) -> Option<String> {
        let overlaps = self.overlaps();
        let mut notes = Vec::new();
        if !overlaps.within.is_empty() {
            let ids: Vec<String> = overlaps.within.iter().map(|c| c.to_string()).collect();
            notes.push(format!(
                "note: candidate {}, approved, already holds every record of this one: a merge plan \
                 carries that merge and leaves this one out.",
                ids.join(", ")
            ));
        }
        if let Some(brief) = shared_brief(&overlaps.overlapping) {
            let mut ids: Vec<String> = vec![self.candidate.to_string()];
            ids.extend(overlaps.overlapping_ids().iter().map(|c| c.to_string()));
            notes.push(format!(
                "note: also approved elsewhere: {brief}. A CRM merges a record once, so a merge plan \
                 carries the earlier approval and leaves the later out; if they are one entity, \
                 `mergeq combine {}` and approve the whole, else undo or reject one of them.",
                ids.join(" ")
            ));
        }
        (!notes.is_empty()).then(|| notes.join("\n"))
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
