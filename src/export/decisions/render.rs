//! One batch of decision entries parsed and rendered on its own (`Renderer`), into a `Part`: the
//! work that may run on several threads at once. Apart from `assembly`, which must see the parts
//! in journal order, one at a time.

use super::{Batch, Counts, Current, Kind};
use crate::export::computed;
use crate::export::crm::{Crm, LeftOut};
use crate::export::field_names::{FieldNames, Named};
use crate::export::golden::{self, CsvRows};
use crate::export::plan::{parse_approve, parse_approve_lineage, DecisionMeta};
use crate::export::refusals;
use anyhow::{Context, Result};

/// One batch rendered: its bytes (or golden-csv rows) and what it counted; for not-duplicates, the
/// batch itself (which pair comes first depends on every rejection before it, so those are
/// rendered in order, in `accept`).
#[derive(Debug, Default)]
pub struct Part {
    pub(super) bytes: Vec<u8>,
    pub(super) csv: Option<CsvRows>,
    pub(super) rejections: Option<Batch>,
    pub(super) counts: Counts,
    /// CRM plans: each merge's bytes and records, for `accept` to leave out a merge whose record
    /// an earlier merge of the plan took (only in journal order can that be known).
    pub(super) merges: Vec<Merge>,
}

/// How `Assembly` names a merged record: its object and key.
pub fn merged_key(object: &str, key: &impl std::fmt::Display) -> String {
    format!("{object}\u{1f}{key}")
}

/// One merge call of a CRM plan, as rendered.
#[derive(Debug)]
pub(super) struct Merge {
    pub(super) candidate: i64,
    pub(super) bytes: std::ops::Range<usize>,
    pub(super) lines: u64,
    pub(super) refreshed: u64,
    /// Its records, `object` and key: a record is named by both.
    pub(super) records: Vec<String>,
}

/// Parses and renders batches of decision entries (of `kind.action()`), each on its own: batches
/// may be rendered on several threads at once.
pub struct Renderer<'a> {
    kind: Kind,
    /// The workspace source whose records a CRM plan may merge.
    source: String,
    current: &'a Current,
    raw: bool,
    /// `--fields`: the CRM's names of the fields (CRM plans).
    names: Option<std::sync::Arc<FieldNames>>,
}

impl<'a> Renderer<'a> {
    pub(super) fn new(kind: Kind, source: String, current: &'a Current, raw: bool) -> Renderer<'a> {
        Renderer { kind, source, current, raw, names: None }
    }

    /// Writes a CRM plan's fields under the names `names` gives them.
    pub fn with_field_names(mut self, names: Option<std::sync::Arc<FieldNames>>) -> Renderer<'a> {
        self.names = names;
        self
    }

    /// Renders a batch; gives it back unless the part keeps it (not-duplicates).
    pub fn render(&self, batch: Batch) -> Result<(Part, Option<Batch>)> {
        let mut part = Part::default();
        if self.kind == Kind::NotDuplicates {
            part.rejections = Some(batch);
            return Ok((part, None));
        }
        part.bytes.reserve(batch.text_len() / 2);
        for i in 0..batch.len() {
            let (meta, body) = batch.get(i);
            match self.kind {
                Kind::Crm(crm) => self.crm_piece(crm, meta, body, &mut part)?,
                Kind::GoldenJsonl => {
                    golden::jsonl(&parse_approve_lineage(meta, body)?, &mut part.bytes)?;
                    part.counts.lines += 1;
                    part.counts.decisions += 1;
                }
                Kind::GoldenCsv => {
                    let m = parse_approve_lineage(meta, body)?;
                    part.csv.get_or_insert_with(CsvRows::default).push(&m, self.raw);
                    part.counts.lines += 1;
                    part.counts.decisions += 1;
                }
                Kind::NotDuplicates => unreachable!("rendered in accept"),
            }
        }
        Ok((part, Some(batch)))
    }

    fn crm_piece(&self, crm: Crm, meta: DecisionMeta, body: &str, part: &mut Part) -> Result<()> {
        let mut m = parse_approve(meta, body)?;
        match crm.leaves_out(&self.source, &m.object, m.members.iter().map(|x| x.key.source())) {
            Some(LeftOut::OtherSource) => {
                part.counts.other_source += 1;
                return Ok(());
            }
            Some(LeftOut::Unmergeable) => {
                *part.counts.unmergeable.entry(m.object.into_owned()).or_default() += 1;
                return Ok(());
            }
            None => {}
        }
        let object = m.object.clone();
        // The golden fields `--fields` renamed: the name each goes out under, and its own.
        let mut renamed: Vec<(String, String)> = Vec::new();
        let mut refreshed = 0;
        for member in &mut m.members {
            refreshed += u64::from(self.current.refresh(&object, member));
        }
        // The CRM's names of the fields (`--fields`), on the golden record and the members alike
        // (a value is written where the survivor does not hold it already).
        if let Some(names) = &self.names {
            let name = |field: &str| names.name(&object, field);
            let counts = &mut part.counts;
            m.golden.retain_mut(|g| match name(&g.name) {
                Named::As(to) => {
                    counts.named.insert(format!("{} → {to}", g.name));
                    renamed.push((to.to_string(), g.name.to_string()));
                    g.name = to.to_string().into();
                    true
                }
                Named::LeftOut => {
                    counts.named_out.insert(g.name.to_string());
                    false
                }
                Named::Unnamed => {
                    counts.unnamed.insert(g.name.to_string());
                    true
                }
            });
            m.golden.sort_by(|a, b| a.name.cmp(&b.name));
            for member in &mut m.members {
                member.fields.rename(|field| match name(field) {
                    Named::As(to) => Some(to.to_string()),
                    Named::LeftOut => None,
                    Named::Unnamed => Some(field.to_string()),
                });
            }
        }
        // Fields the CRM computes itself would make it refuse the whole merge.
        if let Some(crm_object) = crm.object_name(&object) {
            m.golden.retain(|g| {
                let computed = computed::computes(crm, &crm_object, &g.name);
                if computed && !part.counts.computed.contains(&*g.name) {
                    part.counts.computed.insert(g.name.to_string());
                }
                !computed
            });
        }
        // Only names a call carries count (a field the survivor holds already is not sent).
        let sent: Vec<&str> = crm.changes(&m).into_iter().map(|(n, _)| n).collect();
        // Two fields going out under one name (a map's target next to a field of that name, or
        // names that differ only in case, which CRMs read as one) would carry the name twice and
        // leave the CRM to keep either value: where a call carries one of them (a sent `email`
        // still overwrites the `Email` the survivor holds).
        let mut out_names: Vec<&str> = m.golden.iter().map(|g| &*g.name).collect();
        out_names.sort_unstable_by(|a, b| {
            a.bytes().map(|c| c.to_ascii_lowercase()).cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
        });
        let clash = out_names
            .windows(2)
            .find(|w| w[0].eq_ignore_ascii_case(w[1]) && (sent.contains(&w[0]) || sent.contains(&w[1])));
        if let Some(w) = clash {
            anyhow::bail!(
                "candidate {} (journal entry {}) would send two fields under one {} name: {}; \
                 name one of them otherwise (or leave it out with \"\") in an `export --fields` file",
                m.meta.candidate,
                m.meta.seq,
                crm.name(),
                clashing(w[0], w[1], &renamed)
            );
        }
        // A label for a field name (`First Name`) makes the CRM refuse the call: the export
        // refuses once it has seen every such name (select::render).
        let labels: Vec<&str> = sent.into_iter().filter(|n| !refusals::is_api_name(crm, n)).collect();
        if !labels.is_empty() {
            part.counts.not_api.extend(labels.into_iter().map(String::from));
            part.counts.not_api_candidates += 1;
            part.counts.first_not_api.get_or_insert((m.meta.candidate, m.meta.seq));
        }
        let start = part.bytes.len();
        let candidate = m.meta.candidate;
        let lines = crm.render(&m, &mut part.bytes).with_context(|| {
            format!(
                "candidate {candidate} (journal entry {}) cannot go into the {} plan",
                m.meta.seq,
                crm.name()
            )
        })?;
        part.counts.refreshed_members += refreshed;
        part.counts.lines += lines;
        part.counts.decisions += 1;
        part.merges.push(Merge {
            candidate: m.meta.candidate,
            bytes: start..part.bytes.len(),
            lines,
            refreshed,
            records: m.members.iter().map(|x| merged_key(&object, &x.key)).collect(),
        });
        Ok(())
    }
}

/// `A and B` for two golden fields going out under one name, each by its own name and, where
/// `--fields` renamed it, the name it goes out under. Two equal names are a renamed field and one
/// that has that name (a map gives a name to one field only).
fn clashing(a: &str, b: &str, renamed: &[(String, String)]) -> String {
    let say = |to: &str, field: &str| match to == field {
        true => format!("`{}`", crate::text::visible(field)),
        false => format!("`{}` (as `{}` by --fields)", crate::text::visible(field), crate::text::visible(to)),
    };
    fn own<'a>(n: &'a str, renamed: &'a [(String, String)]) -> &'a str {
        renamed.iter().find(|(to, _)| to == n).map_or(n, |(_, field)| field.as_str())
    }
    match a == b {
        true => format!("{} and {}", say(a, own(a, renamed)), say(a, a)),
        false => format!("{} and {}", say(a, own(a, renamed)), say(b, own(b, renamed))),
    }
}
