//! The review screen's lines of text around its table: the header (title, why proposed, who
//! survives and which approved candidates hold its records too) and, under the table, the
//! selected value whole and the selected field's rule, explanation and lineage. Each line keeps
//! its important end when the terminal is narrow: what gives way first is said in each function.

use super::queue::title_row;
use super::{cell, key_cut, pad, put, score_bar, why};
use crate::model::{CandidateId, GoldenValue, RecordKey};
use crate::text::{visible, visible_cut};
use crate::tui::action::Action;
use crate::tui::app::{App, ReviewState};
use crate::tui::keymap::{self, Context};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

/// The fewest columns a cut survivor reason or explanation keeps (with its ` — `); with less
/// room it is left out rather than shown as a stub like `— cr…`.
const MIN_REASON: usize = 16;
/// The fewest columns of a record id a cut lineage keeps (`831…515`).
const MIN_ID: usize = 7;

/// The why line: the reasons on one line, in the why screen's order; when they do not fit, cut
/// with a marker naming the key that shows them all (`… w: all`).
fn why_line(app: &App, r: &ReviewState, width: usize) -> Line<'static> {
    let t = app.theme;
    let c = &r.data.candidate;
    let label = Span::styled("why ", t.header());
    let room = width.saturating_sub(4);
    let said: Vec<String> = why::ordered(&c.reasons).iter().map(|x| x.said()).collect();
    let why = if said.is_empty() { format!("proposed by {}", c.origin.join(", ")) } else { said.join("; ") };
    let key = keymap::key_for(Context::Review, &Action::ShowWhy);
    match key.filter(|_| !said.is_empty() && visible(&why).width() > room) {
        Some(key) => {
            let more = ": all".to_string();
            let width = room.saturating_sub(key.width() + more.width() + 1);
            let mut cut = visible_cut(&why, width);
            // A cut just after a separator reads `…; …`: the separator goes (the key stays right).
            if let Some(kept) = cut.strip_suffix('…') {
                cut = pad(format!("{}…", kept.trim_end_matches([';', ' '])), width);
            }
            Line::from(vec![
                label,
                Span::raw(cut),
                Span::raw(" "),
                Span::styled(key, t.key()),
                Span::styled(more, t.dim()),
            ])
        }
        None => Line::from(vec![label, Span::raw(cell(&why, room))]),
    }
}

/// `visible_cut`, without the spaces a cut between words leaves before its `…`.
fn cut(text: &str, width: usize) -> String {
    let cut = visible_cut(text, width);
    match cut.strip_suffix('…') {
        Some(kept) if kept.ends_with(' ') => format!("{}…", kept.trim_end()),
        _ => cut,
    }
}

/// What the survivor line says about approved candidates holding records of this one, in the
/// forms it can take, longest first: the records by key (`hubspot:8319986515 in #5, …`), then by
/// count, then the candidates only. Empty when there are none. Said whatever else is cut, as a
/// merge plan carries only the earlier approval (a CRM merges a record once).
fn overlap_forms(r: &ReviewState) -> Vec<String> {
    // Approvals this one holds whole are replaced when it is approved; one holding all of its
    // records already merges them; the others overlap it.
    let overlaps = r.data.overlaps();
    let mut fixed = String::new();
    if !overlaps.replaces.is_empty() && r.data.approved.is_none() {
        fixed.push_str(&format!(" · approving replaces {}", CandidateId::numbered(&overlaps.replaces)));
    }
    if !overlaps.within.is_empty() {
        fixed.push_str(&format!(
            " · all its records are in {}, approved",
            CandidateId::numbered(&overlaps.within)
        ));
    }
    let Some(brief) = crate::journal::shared_brief(&overlaps.overlapping) else {
        return if fixed.is_empty() { Vec::new() } else { vec![fixed] };
    };
    let which = CandidateId::numbered(&overlaps.overlapping_ids());
    let records = crate::text::count(overlaps.overlapping.len(), "record", "records");
    // The key as the keymap names it, so that the line cannot disagree with the help.
    let forms = match keymap::key_for(Context::Review, &Action::Combine) {
        Some(key) => vec![
            format!(" · also approved ({key} combines): {brief}"),
            format!(" · also approved ({key} combines): {records} in {which}"),
            format!(" · also approved in {which} ({key} combines)"),
            format!(" · also approved in {which}"),
        ],
        None => vec![
            format!(" · also approved: {brief}"),
            format!(" · also approved: {records} in {which}"),
            format!(" · also approved in {which}"),
        ],
    };
    forms.into_iter().map(|form| format!("{fixed}{form}")).collect()
}

/// The survivor line: `survives KEY — REASON · note: NOTE`, and on its right what approved
/// candidates hold its records too. When it does not fit, the survivor's reason gives way first,
/// then the note, then the overlap is said shorter (by count, then by candidate only); the
/// survivor's key and the candidates' numbers stay.
fn survivor_line(app: &App, r: &ReviewState, width: usize) -> Line<'static> {
    let t = app.theme;
    let label = "survives ";
    let room = width.saturating_sub(label.width());
    let key = visible(&r.golden.survivor.to_string()).into_owned();
    let forms = overlap_forms(r);
    let shared = forms.iter().find(|f| key.width() + f.width() <= room).or(forms.last());
    let shared = match shared {
        Some(text) => cell(text, text.width().min(room.saturating_sub(key.width().min(room / 2)))),
        None => String::new(),
    };
    let left = room.saturating_sub(shared.width());
    // A survivor no rule chose is marked like a field no rule decided (`!`), first, so that a
    // cut reason keeps it.
    let undecided = if r.survivor_undecided() { "!" } else { "" };
    let reason = format!(" — {undecided}{}", visible(&r.golden.survivor_reason));
    // The approval's note reads `note:`; one the steward wrote and no decision holds yet is
    // theirs (after another's decision, it must not read as that one's note).
    let own = r.data.approved.as_ref().is_none_or(|a| a.note != r.note);
    let whose = if own { "your note" } else { "note" };
    let note = r.note.as_deref().map(|n| format!(" · {whose}: {}", visible(n))).unwrap_or_default();
    let after_key = left.saturating_sub(key.width());
    let rest = if reason.width() + note.width() <= after_key {
        format!("{reason}{note}")
    } else if note.width() + MIN_REASON <= after_key {
        format!("{}{note}", cut(&reason, after_key - note.width()))
    } else if note.width() <= after_key || after_key >= MIN_REASON {
        cut(&note, after_key)
    } else {
        String::new()
    };
    Line::from(vec![
        Span::styled(label, t.header()),
        Span::raw(cell(&format!("{key}{rest}"), left)),
        Span::styled(shared, t.conflict()),
    ])
}

/// The header rows: title, why proposed, survivor and note.
pub fn head(app: &App, r: &ReviewState, area: Rect, buf: &mut Buffer) {
    let c = &r.data.candidate;
    // Decided by another since it was opened (the idle check): how it stands now, said instead.
    let status = match (&r.since, &r.data.approved, &r.data.decided) {
        (Some(since), _, _) => visible(since).into_owned(),
        (None, Some(a), _) => visible(&a.line).into_owned(),
        (None, None, Some(line)) => visible(line).into_owned(),
        (None, None, None) => c.status.to_string(),
    };
    let title = format!(
        "#{} {} · score {:.2} {} · {status} · {} records",
        c.id,
        c.object,
        c.score,
        score_bar(c.score, 8).trim_end(),
        r.data.members.len()
    );
    title_row(app, &title, area, buf);
    let width = area.width as usize;
    put(buf, area, 1, &why_line(app, r, width));
    put(buf, area, 2, &survivor_line(app, r, width));
}

/// The first line under the table: the selected record's value of the selected field, whole (as
/// wide as the screen), since the table's columns cut long values.
pub fn value_line(app: &App, r: &ReviewState, area: Rect, buf: &mut Buffer) {
    let t = app.theme;
    let (Some(field), Some((rec, _))) = (r.selected_field(), r.data.members.get(r.member)) else { return };
    let label = format!("{} {} ", r.member + 1, visible_cut(&rec.key.to_string(), 40));
    let width = (area.width as usize).saturating_sub(label.width());
    let value = match rec.fields.get(&field) {
        Some(v) => Span::raw(cell(v, width)),
        None => Span::styled(pad("— no value".into(), width), t.dim()),
    };
    put(buf, area, area.height - 4, &Line::from(vec![Span::styled(label, t.header()), value]));
}

/// ` · from A, B` with each record id in at most `id_w` columns (cut in the middle).
fn lineage(from: &[RecordKey], id_w: usize) -> String {
    if from.is_empty() {
        return " · typed by the steward".to_string();
    }
    let keys: Vec<String> = from.iter().map(|k| key_cut(k, id_w)).collect();
    format!(" · from {}", keys.join(", "))
}

/// The field's rule, explanation and lineage in `width` columns:
/// `city: source_priority — salesforce outranks hubspot · from salesforce:0015g00001Glx`.
/// When it does not fit, the explanation gives way first (down to a few words), the record ids
/// of the lineage are cut in the middle rather than the line's end cutting them off, and a
/// lineage of many records names the first and how many more.
fn detail_text(field: &str, g: &GoldenValue, width: usize) -> String {
    let head = format!("{}: {}", visible(field), visible(&g.rule));
    let explanation = format!(" — {}", visible(&g.explanation));
    let conflict = if g.conflict { " · CONFLICT: no rule could decide" } else { "" };
    let whole = format!("{head}{explanation}{}{conflict}", lineage(&g.from, usize::MAX));
    if whole.width() <= width {
        return whole;
    }
    let conflict = if g.conflict { " · CONFLICT" } else { "" };
    let longest = g.from.iter().map(|k| visible(&k.id).width()).max().unwrap_or(0);
    let first_and_more = match g.from.split_first() {
        Some((first, more)) if !more.is_empty() => {
            Some(format!(" · from {} and {} more", key_cut(first, MIN_ID.max(longest / 2)), more.len()))
        }
        _ => None,
    };
    // The lineage in its forms, longest first: ids whole, ids cut ever shorter; then the first
    // record and how many more. Every record named is preferred to the explanation; the
    // explanation, when it keeps a few words, to the lineage's ids whole.
    let every: Vec<String> = (MIN_ID..=longest.max(MIN_ID))
        .rev()
        .map(|id_w| format!("{}{conflict}", lineage(&g.from, id_w)))
        .collect();
    let first = first_and_more.map(|lineage| format!("{lineage}{conflict}"));
    let room_for = |tail: &str| width.saturating_sub(head.width() + tail.width());
    let fits = |tail: &&String, explanation_w: usize| head.width() + tail.width() + explanation_w <= width;
    let least = explanation.width().min(MIN_REASON);
    let tail = (every.iter().find(|t| fits(t, least)))
        .or_else(|| every.iter().find(|t| fits(t, 0)))
        .or_else(|| first.iter().find(|t| fits(t, least)))
        .or_else(|| first.iter().find(|t| fits(t, 0)))
        .or_else(|| every.iter().chain(&first).min_by_key(|t| t.width()))
        .cloned()
        .unwrap_or_default();
    let explanation = match room_for(&tail) {
        room if room >= explanation.width() => explanation,
        room if room >= MIN_REASON => cut(&explanation, room),
        _ => String::new(),
    };
    visible_cut(&format!("{head}{explanation}{tail}"), width)
}

/// The second line under the table: the selected field's rule, explanation and lineage.
pub fn detail(app: &App, r: &ReviewState, area: Rect, buf: &mut Buffer) {
    let t = app.theme;
    let Some(field) = r.selected_field() else { return };
    let width = area.width as usize;
    let text = match r.golden.fields.get(&field) {
        Some(g) => match r.rule_label(&field, g) {
            label if label != g.rule => {
                detail_text(&field, &GoldenValue { rule: label.to_string(), ..g.clone() }, width)
            }
            _ => detail_text(&field, g, width),
        },
        None => format!("{}: no value in any record", visible(&field)),
    };
    put(buf, area, area.height - 3, &Line::styled(cell(&text, width), t.title()));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn golden(rule: &str, explanation: &str, from: &[(&str, &str)], conflict: bool) -> GoldenValue {
        GoldenValue {
            value: Some("x".into()),
            from: from.iter().map(|(s, id)| RecordKey::new(*s, *id)).collect(),
            rule: rule.into(),
            explanation: explanation.into(),
            conflict,
        }
    }

    /// What the detail line keeps as it narrows: the explanation gives way before the lineage,
    /// whose ids are cut in the middle, never at the line's end.
    #[test]
    fn the_detail_line_keeps_its_lineage() {
        let hub = [("hubspot", "8319986515")];
        let priority =
            golden("source_priority", "address as a unit: salesforce outranks hubspot", &hub, false);
        let two = [("hubspot", "8319986515"), ("salesforce", "0035g00000Pq1WAAS")];
        let union = golden("union", "every value of every record", &two, true);
        let four = [("salesforce", "0015g00001Glx"), ("hubspot", "7731"), ("webform", "f-902"), ("x", "1")];
        let agree = golden("agree", "all 4 records agree", &four, false);
        let cases: [(&str, &GoldenValue, usize, &str); 8] = [
            (
                "city",
                &priority,
                200,
                "city: source_priority — address as a unit: salesforce outranks hubspot · from hubspot:8319986515",
            ),
            // The explanation gives way before the lineage…
            ("postcode", &priority, 80, "postcode: source_priority — address as a unit: salesf… · from hubspot:8319986515"),
            // …and goes when a few words would not fit; then the id is cut in the middle.
            ("postcode", &priority, 50, "postcode: source_priority · from hubspot:8319…6515"),
            ("postcode", &priority, 48, "postcode: source_priority · from hubspot:831…515"),
            // Below that, the end is cut.
            ("postcode", &priority, 40, "postcode: source_priority · from hubspo…"),
            ("tags", &union, 80, "tags: union · from hubspot:8319986515, salesforce:0035g00000Pq1WAAS · CONFLICT"),
            ("tags", &union, 60, "tags: union · from hubspot:8319…515 and 1 more · CONFLICT"),
            ("city", &agree, 60, "city: agree · from salesforce:001…Glx and 3 more"),
        ];
        let mut wrong = Vec::new();
        for (field, g, width, want) in cases {
            let got = detail_text(field, g, width);
            assert!(got.width() <= width, "{got:?} in {width}");
            if got != want {
                wrong.push(format!("{width}: {got:?}\n  not {want:?}"));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
}
