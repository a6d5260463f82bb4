//! `mergeq show ID [--json]`: one candidate's records side by side, the suggested golden record
//! with each field's rule, explanation, lineage and conflict mark, the survivor, and why the
//! candidate was proposed. Reads only; every field value goes through `text::visible`.

use super::{Ctx, ShowArgs};
use crate::journal::Overlaps;
use crate::model::{seen_token, Candidate, CandidateId, Golden, Reason, Record, Status};
use crate::store::Store;
use crate::survivorship::{self, Rules};
use crate::text::{visible, visible_cut};
use anyhow::{anyhow, Result};
use serde::Serialize;
use std::collections::BTreeMap;
use unicode_width::UnicodeWidthStr;

/// Everything `show` prints, gathered once.
pub struct View {
    pub candidate: Candidate,
    /// Members as they are now, each with the version it had when proposed.
    pub members: Vec<(Record, i64)>,
    pub golden: Golden,
    /// How it stands to the approved candidates holding records of it.
    pub overlaps: Overlaps,
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
        let records: Vec<Record> = members.iter().map(|(r, _)| r.clone()).collect();
        let golden = survivorship::suggest(rules, &candidate.object, &records);
        let (shared, replaces) = store.approved_overlaps_of(candidate.id)?;
        let overlaps = Overlaps::of(&shared, &replaces, members.len());
        Ok(View { candidate, members, golden, overlaps })
    }

    /// The `seen` token of the member versions shown.
    pub fn seen(&self) -> String {
        seen_token(&self.members.iter().map(|(r, _)| r.version).collect::<Vec<_>>())
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
        return super::print(&format!("{}\n", serde_json::to_string_pretty(&to_json(&view))?));
    }
    super::print(&render_text(&view))
}

#[derive(Serialize)]
struct ShowJson<'a> {
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
}

#[derive(Serialize)]
struct SurvivorJson<'a> {
    key: String,
    reason: &'a str,
}

fn to_json(view: &View) -> ShowJson<'_> {
    let c = &view.candidate;
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
                let g = GoldenJson {
                    value: v.value.as_deref(),
                    from: v.from.iter().map(|k| k.to_string()).collect(),
                    rule: &v.rule,
                    explanation: &v.explanation,
                    conflict: v.conflict,
                };
                (name.as_str(), g)
            })
            .collect(),
        survivor: SurvivorJson {
            key: view.golden.survivor.to_string(),
            reason: &view.golden.survivor_reason,
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
    }
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
    out.push_str("why proposed:\n");
    if c.reasons.is_empty() {
        out.push_str("  - (no reasons recorded)\n");
    }
    for r in &c.reasons {
        out.push_str(&format!("  - {}\n", r.line(40)));
    }
    out.push('\n');

    let names: Vec<&str> = view.golden.fields.keys().map(String::as_str).collect();
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
    out.push_str(&row("field", " ", keys, "golden", "rule"));
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

    for (name, g) in &view.golden.fields {
        let cells = view
            .members
            .iter()
            .map(|(r, _)| r.fields.get(name).map(String::as_str).unwrap_or(MISSING).to_string())
            .collect();
        let mark = if g.conflict { "!" } else { " " };
        out.push_str(&row(name, mark, cells, g.value.as_deref().unwrap_or(MISSING), &g.rule));
        let from: Vec<String> = g.from.iter().map(|k| k.to_string()).collect();
        let lineage = if from.is_empty() { String::new() } else { format!("from {} — ", from.join(", ")) };
        out.push_str(&format!(
            "{}↳ {}{}\n",
            " ".repeat(field_w + 3),
            visible(&lineage),
            visible(&g.explanation)
        ));
    }
    out.push('\n');
    out.push_str(&format!(
        "survivor: {} — {}\n",
        visible(&view.golden.survivor.to_string()),
        visible(&view.golden.survivor_reason)
    ));
    match view.golden.conflicts() {
        0 => out.push_str("conflicts: none\n"),
        1 => out.push_str("conflicts: 1 field marked ! needs the steward\n"),
        n => out.push_str(&format!("conflicts: {n} fields marked ! need the steward\n")),
    }
    for (r, proposed) in view.members.iter().filter(|(r, p)| r.version != *p) {
        out.push_str(&format!(
            "changed since proposed: {} (version {proposed} → {})\n",
            visible(&r.key.to_string()),
            r.version
        ));
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
