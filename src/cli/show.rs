//! `mergeq show ID [--json]`: one candidate's records side by side, the suggested golden record
//! with each field's rule, explanation, lineage and conflict mark, the survivor, and why the
//! candidate was proposed. For an approved candidate the golden record is the one approved, read
//! from its standing approval's journal entry (`journal::approved`), never the rules' suggestion
//! of today. Reads only; every field value goes through `text::visible`.

mod json;

use super::{Ctx, ShowArgs};
use crate::journal::approved::Approval;
use crate::journal::Overlaps;
use crate::model::{seen_token_at, Candidate, CandidateId, Golden, Record, RecordKey, Status};
use crate::store::Store;
use crate::survivorship::{self, Rules};
use crate::text::{visible, visible_cut};
use anyhow::{anyhow, Result};
use unicode_width::UnicodeWidthStr;

/// Everything `show` prints, gathered once.
pub struct View {
    pub candidate: Candidate,
    /// Members as they are now, each with the version it had when proposed.
    pub members: Vec<(Record, i64)>,
    /// The approved golden record for an approved candidate, else the rules' suggestion.
    pub golden: Golden,
    /// The standing approval the golden record comes from (approved candidates only).
    pub approval: Option<Approval>,
    /// How it stands to the approved candidates holding records of it.
    pub overlaps: Overlaps,
    /// A rejected or deferred candidate's standing decision: who, when, why.
    pub decision: Option<crate::journal::Decided>,
    /// Its latest decision or undo (journal entry), named by the `seen` token.
    pub latest_entry: Option<i64>,
}

impl View {
    /// Loads candidate `id` and suggests its golden record under `rules`.
    pub fn load(store: &Store, rules: &Rules, id: i64) -> Result<View> {
        let candidate = store
            .candidate(CandidateId(id))?
            .ok_or_else(|| anyhow!("no candidate {id} in this workspace"))?;
        let members = store.members(candidate.id)?;
        if members.is_empty() {
            return Err(anyhow!("candidate {id} has no member records in this workspace"));
        }
        let approval = match candidate.status {
            Status::Approved => Approval::standing(store, candidate.id)?,
            _ => None,
        };
        let golden = match &approval {
            Some(a) => a.golden.clone(),
            None => {
                let records: Vec<Record> = members.iter().map(|(r, _)| r.clone()).collect();
                survivorship::suggest(rules, &candidate.object, &records)
            }
        };
        let (shared, replaces) = store.approved_overlaps_of(candidate.id)?;
        let overlaps = Overlaps::of(&shared, &replaces, members.len());
        let decision = match candidate.status {
            Status::Rejected | Status::Deferred => crate::journal::standing_decided(store, candidate.id)?,
            Status::Pending | Status::Approved => None,
        };
        let latest_entry = store.latest_entry_of_candidate(candidate.id)?.map(|e| e.seq);
        Ok(View { candidate, members, golden, approval, overlaps, decision, latest_entry })
    }

    /// Members approved and members now, where they differ: key, version approved (`None`: not a
    /// member then), version now (`None`: no longer a member). Empty without an approval.
    pub fn changed_since_approval(&self) -> Vec<(RecordKey, Option<i64>, Option<i64>)> {
        let now: Vec<(RecordKey, i64)> =
            self.members.iter().map(|(r, _)| (r.key.clone(), r.version)).collect();
        self.approval.as_ref().map(|a| a.changes(&now)).unwrap_or_default()
    }

    /// The `seen` token of the member versions shown and the candidate's latest decision or undo.
    pub fn seen(&self) -> String {
        seen_token_at(&self.members.iter().map(|(r, _)| r.version).collect::<Vec<_>>(), self.latest_entry)
    }

    /// True when a member changed since the candidate was proposed.
    pub fn changed(&self) -> bool {
        self.members.iter().any(|(r, proposed)| r.version != *proposed)
    }
}

pub fn run(args: ShowArgs, ctx: &Ctx) -> Result<()> {
    let rules = Rules::load(ctx.rules.as_deref())?;
    let store = Store::open_existing(&ctx.db)?;
    let view = View::load(&store, &rules, args.id)?;
    if args.json {
        return super::print(&format!("{}\n", serde_json::to_string_pretty(&json::of(&view))?));
    }
    super::print(&render_text(&view))
}

/// Record keys as `source:id` text.
fn key_texts(list: &[RecordKey]) -> Vec<String> {
    list.iter().map(|k| k.to_string()).collect()
}

/// `text` made safe, cut to `width` columns and padded to exactly `width`.
fn cell(text: &str, width: usize) -> String {
    let cut = visible_cut(text, width);
    let pad = width.saturating_sub(cut.width());
    format!("{cut}{}", " ".repeat(pad))
}

const MISSING: &str = "—";

/// `2026-05-01T10:00:00Z` as `2026-05-01 10:00`: enough to compare records at a glance.
fn short_time(t: &str) -> String {
    t.get(..16).unwrap_or(t).replacen('T', " ", 1)
}

/// `rejected in journal entry 12 by bob at 2026-… · note: …`, a line of its own.
fn decided_line(what: &str, seq: i64, steward: &str, at: &str, note: Option<&str>) -> String {
    let note = note.map_or(String::new(), |n| format!(" · note: {}", visible_cut(n, 60)));
    format!("{what} in journal entry {seq} by {} at {}{note}\n", visible(steward), visible(at))
}

/// The text view: header, reasons, the side-by-side table, survivor and notes.
pub fn render_text(view: &View) -> String {
    let c = &view.candidate;
    let mut out = format!(
        "candidate {} · {} · score {:.3} · {} · from {}\n",
        c.id,
        visible(&c.object),
        c.score,
        c.status,
        visible(&c.origin.join(", "))
    );
    match &view.approval {
        Some(a) => {
            out.push_str(&decided_line("golden record approved", a.seq, &a.steward, &a.at, a.note.as_deref()))
        }
        None if c.status == Status::Approved => out.push_str(
            "approved, but no standing approval of it is in the journal (run `mergeq audit verify`): \
             the golden record below is the rules' suggestion\n",
        ),
        None => {}
    }
    if let Some(d) = &view.decision {
        out.push_str(&decided_line(c.status.as_str(), d.seq, &d.steward, &d.at, d.note.as_deref()));
    }
    out.push_str("why proposed:\n");
    if c.reasons.is_empty() {
        out.push_str("  - (no reasons recorded)\n");
    }
    for r in &c.reasons {
        out.push_str(&format!("  - {}\n", r.line(40)));
    }
    out.push('\n');

    // An approved record holds the fields the members had when approved; a field a member has
    // gained since still gets its row, marked as not in the approval.
    let mut names: Vec<&str> = view.golden.fields.keys().map(String::as_str).collect();
    if view.approval.is_some() {
        names.extend(view.members.iter().flat_map(|(r, _)| r.fields.keys().map(String::as_str)));
        names.sort_unstable();
        names.dedup();
    }
    let field_w = names.iter().map(|n| visible(n).width()).chain([5]).max().unwrap_or(5).min(24);
    let member_w: Vec<usize> = view
        .members
        .iter()
        .map(|(r, _)| {
            let key = r.key.to_string();
            let widest = r.fields.values().map(|v| visible(v).width()).max().unwrap_or(0);
            widest.max(visible(&key).width()).clamp(16, 22)
        })
        .collect();
    let golden_w = view
        .golden
        .fields
        .values()
        .map(|v| v.value.as_deref().map(|t| visible(t).width()).unwrap_or(1))
        .chain([6])
        .max()
        .unwrap_or(6)
        .min(28);

    let row = |label: &str, mark: &str, cells: Vec<String>, golden: &str, rule: &str| {
        let mut line = format!("{} {mark} ", cell(label, field_w));
        for (text, w) in cells.iter().zip(&member_w) {
            line.push_str(&cell(text, *w));
            line.push_str("  ");
        }
        line.push_str("│ ");
        line.push_str(&cell(golden, golden_w));
        line.push_str("  ");
        line.push_str(&visible(rule));
        line.trim_end().to_string() + "\n"
    };
    let keys: Vec<String> = view.members.iter().map(|(r, _)| r.key.to_string()).collect();
    let golden_head = if view.approval.is_some() { "approved" } else { "golden" };
    out.push_str(&row("field", " ", keys, golden_head, "rule"));
    let stamps = |get: fn(&Record) -> Option<&str>| -> Vec<String> {
        view.members.iter().map(|(r, _)| get(r).map(short_time).unwrap_or(MISSING.into())).collect()
    };
    out.push_str(&row("created", " ", stamps(|r| r.created.as_deref()), "", ""));
    out.push_str(&row("updated", " ", stamps(|r| r.updated.as_deref()), "", ""));
    let versions = view
        .members
        .iter()
        .map(
            |(r, p)| if r.version != *p { format!("{} (was {p})", r.version) } else { r.version.to_string() },
        )
        .collect();
    out.push_str(&row("version", " ", versions, "", ""));
    let rule_line_w = field_w + 3 + member_w.iter().map(|w| w + 2).sum::<usize>() + golden_w + 14;
    out.push_str(&"─".repeat(rule_line_w.min(160)));
    out.push('\n');

    let under = " ".repeat(field_w + 3);
    for name in names {
        let cells = view
            .members
            .iter()
            .map(|(r, _)| r.fields.get(name).map(String::as_str).unwrap_or(MISSING).to_string())
            .collect();
        let Some(g) = view.golden.fields.get(name) else {
            out.push_str(&row(name, " ", cells, MISSING, ""));
            out.push_str(&format!("{under}↳ not in the approved record: no member had it when approved\n"));
            continue;
        };
        let mark = if g.conflict { "!" } else { " " };
        out.push_str(&row(name, mark, cells, g.value.as_deref().unwrap_or(MISSING), &g.rule));
        let lineage = if g.from.is_empty() {
            String::new()
        } else {
            format!("from {} — ", key_texts(&g.from).join(", "))
        };
        let suggested = match view.approval.as_ref().and_then(|a| a.suggested.get(name)) {
            Some(s) => format!(
                "; the rules suggested {} ({})",
                s.value.as_deref().map_or("no value".to_string(), |v| visible_cut(v, 40)),
                visible(&s.rule)
            ),
            None => String::new(),
        };
        out.push_str(&format!("{under}↳ {}{}{suggested}\n", visible(&lineage), visible(&g.explanation)));
    }
    out.push('\n');
    let survivor_suggested = match view.approval.as_ref().and_then(|a| a.survivor_suggested.as_ref()) {
        Some(k) => format!(" (the rules suggested {})", visible(&k.to_string())),
        None => String::new(),
    };
    out.push_str(&format!(
        "survivor: {} — {}{survivor_suggested}\n",
        visible(&view.golden.survivor.to_string()),
        visible(&view.golden.survivor_reason)
    ));
    match (view.golden.conflicts(), view.approval.is_some()) {
        (0, _) => out.push_str("conflicts: none\n"),
        (1, false) => out.push_str("conflicts: 1 field marked ! needs the steward\n"),
        (n, false) => out.push_str(&format!("conflicts: {n} fields marked ! need the steward\n")),
        (1, true) => out.push_str("conflicts: 1 field marked ! was approved as the rules showed it\n"),
        (n, true) => {
            out.push_str(&format!("conflicts: {n} fields marked ! were approved as the rules showed them\n"))
        }
    }
    if view.approval.is_some() {
        out.push_str(&changed_since_approval(view));
    } else {
        for (r, proposed) in view.members.iter().filter(|(r, p)| r.version != *p) {
            out.push_str(&format!(
                "changed since proposed: {} (version {proposed} → {})\n",
                visible(&r.key.to_string()),
                r.version
            ));
        }
    }
    let o = &view.overlaps;
    let ids = |list: &[CandidateId]| list.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", ");
    if !o.replaces.is_empty() && view.candidate.status != Status::Approved {
        out.push_str(&format!("approving replaces the approval of: {}\n", ids(&o.replaces)));
    }
    if !o.within.is_empty() {
        out.push_str(&format!(
            "all its records are in approved: {} (a plan merges them there)\n",
            ids(&o.within)
        ));
    }
    if let Some(brief) = crate::journal::shared_brief(&o.overlapping) {
        let mut with = vec![view.candidate.id];
        with.extend(o.overlapping_ids());
        out.push_str(&format!(
            "also approved: {brief} (one entity? `mergeq combine {}`)\n",
            ids(&with).replace(", ", " ")
        ));
    }
    out.push_str(&format!("seen: {}\n", view.seen()));
    out
}

/// What changed in the members since the approval, one line each, and what the view then shows.
fn changed_since_approval(view: &View) -> String {
    let changes = view.changed_since_approval();
    let mut out = String::new();
    for (key, then, now) in &changes {
        let key = visible(&key.to_string()).into_owned();
        out.push_str(&match (then, now) {
            (Some(then), Some(now)) => format!("changed since approved: {key} (version {then} → {now})\n"),
            (Some(then), None) => format!("no longer a member since approved: {key} (version {then})\n"),
            (None, _) => format!("a member since approved, not in the approved record: {key}\n"),
        });
    }
    if !changes.is_empty() {
        out.push_str(
            "the approved column is the golden record as approved; the records' columns show them as they are now\n",
        );
    }
    out
}
