//! The review screen: why the candidate was proposed (one line; `w` shows every reason) and who
//! survives; one row per field with a column per member record (inline diffs against the golden
//! value) and the golden column with each value's rule; the selected row's explanation and lineage
//! below the table.

use super::diff::segments;
use super::queue::title_row;
use super::{cell, editor_spans, pad, put, score_bar, why};
use crate::text::{visible, visible_cut};
use crate::tui::action::Action;
use crate::tui::app::{App, PromptKind, ReviewState};
use crate::tui::keymap::{self, Context};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

/// Header rows (title, why, survivor) and column-header rows (key, created, updated).
const HEAD: u16 = 3;
const COLUMN_HEAD: u16 = 3;
/// The first table row on screen.
pub const TOP: u16 = HEAD + COLUMN_HEAD;
/// The narrowest a member column gets before the columns scroll sideways.
const MIN_MEMBER: usize = 18;

/// Table rows that fit at this height (below: the value and detail lines, footer, status line).
pub fn visible_rows(height: u16) -> usize {
    height.saturating_sub(TOP + 4) as usize
}

/// The slot for the golden value's rule (`complete`, `!recent`, …).
const RULE_W: usize = 10;

/// The review table's columns at a width: field names, the members shown side by side (each
/// `member` wide), then the golden value with its rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Columns {
    field: usize,
    shown: usize,
    member: usize,
    golden: usize,
}

/// Below 90 columns the field and golden columns keep fixed widths. Wider, the field column fits
/// the longest field name (up to 24) and the spare room is shared, so that the golden value (the
/// record being decided) is as wide as a member's value.
fn columns(width: u16, r: &ReviewState) -> Columns {
    let (width, members) = (width as usize, r.data.members.len());
    let fit = |field: usize, golden: usize| {
        let shown = (width.saturating_sub(field + golden) / MIN_MEMBER).clamp(1, members.max(1));
        (shown, (width.saturating_sub(field + golden) / shown).max(2))
    };
    if width < 90 {
        let (shown, member) = fit(13, 27);
        return Columns { field: 13, shown, member, golden: 27 };
    }
    let longest = r.fields.iter().map(|f| visible(f).width()).max().unwrap_or(0);
    let field = (longest + 1).clamp(10, 24);
    let (shown, _) = fit(field, 30);
    let golden = ((width - field - RULE_W) / (shown + 1) + RULE_W).max(30);
    let (shown, member) = fit(field, golden);
    Columns { field, shown, member, golden }
}

/// How many member columns are drawn side by side at this width.
pub fn member_columns(width: u16, r: &ReviewState) -> usize {
    columns(width, r).shown
}

/// Where a click landed: a table row (0-based on screen) and/or a member column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Hit {
    pub row: Option<usize>,
    pub member: Option<usize>,
}

/// Maps a click to a table row and member column.
pub fn hit(size: (u16, u16), r: &ReviewState, column: u16, row: u16) -> Hit {
    let (members, scroll) = (r.data.members.len(), r.member_scroll);
    let Columns { field, shown, member: member_w, .. } = columns(size.0, r);
    let mut out = Hit::default();
    if row >= TOP && ((row - TOP) as usize) < visible_rows(size.1) {
        out.row = Some((row - TOP) as usize);
    }
    if row >= HEAD && (column as usize) >= field {
        let i = (column as usize - field) / member_w;
        if i < shown && scroll + i < members {
            out.member = Some(scroll + i);
        }
    }
    out
}

/// `parts` (text, differs) drawn within `width` columns, cut with `…`, untrusted text made visible.
fn diff_spans(
    parts: &[(String, bool)],
    width: usize,
    app: &App,
    base: ratatui::style::Style,
) -> Vec<Span<'static>> {
    let t = app.theme;
    let mut spans = Vec::new();
    let mut used = 0;
    let total: usize = parts.iter().map(|(p, _)| visible(p).width()).sum();
    for (text, differs) in parts {
        let style = if *differs { t.diff() } else { base };
        let safe = visible(text);
        let room = width.saturating_sub(used);
        if total <= width || safe.width() < room {
            used += safe.width();
            spans.push(Span::styled(safe.into_owned(), style));
        } else {
            let cut = visible_cut(text, room);
            used += cut.width();
            spans.push(Span::styled(cut, style));
            break;
        }
    }
    spans.push(Span::raw(" ".repeat(width.saturating_sub(used))));
    spans
}

/// A rule's name as the golden column shows it (the detail line gives the full name).
fn short_rule(rule: &str) -> &str {
    match rule {
        "source_priority" => "priority",
        "most_recent" => "recent",
        "most_complete" => "complete",
        "most_frequent" => "frequent",
        "valid_email" | "valid_phone" => "valid",
        "non_empty" => "non-empty",
        "from_source" => "from src",
        other => other,
    }
}

/// The golden cell: its value, and the rule that chose it.
fn golden_spans(app: &App, r: &ReviewState, field: &str, width: usize, editing: bool) -> Vec<Span<'static>> {
    let t = app.theme;
    if editing {
        if let Some(p) = &app.prompt {
            return editor_spans(&p.editor, width, t);
        }
    }
    let Some(g) = r.golden.fields.get(field) else {
        return vec![Span::styled(pad("—".into(), width), t.dim())];
    };
    let rule = if g.conflict { format!("!{}", short_rule(&g.rule)) } else { short_rule(&g.rule).to_string() };
    // A fixed slot for the rule keeps the golden values aligned from row to row.
    let rule_w = RULE_W.min(width / 2);
    let value_w = width.saturating_sub(rule_w);
    let style = if g.rule == "steward" {
        t.chosen()
    } else if g.conflict {
        t.conflict()
    } else {
        t.base()
    };
    let value = match &g.value {
        Some(v) => cell(v, value_w),
        None => pad("—".into(), value_w),
    };
    vec![Span::styled(value, style), Span::styled(cell(&format!(" {rule}"), rule_w), t.dim())]
}

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

/// The header rows: title, why proposed, survivor and note.
fn head(app: &App, r: &ReviewState, area: Rect, buf: &mut Buffer) {
    let t = app.theme;
    let c = &r.data.candidate;
    let status = match &r.data.approved {
        Some((_, by)) => visible(by).into_owned(),
        None => c.status.to_string(),
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
    let mut survivor = format!("{} — {}", r.golden.survivor, r.golden.survivor_reason);
    if let Some(note) = &r.note {
        survivor.push_str(&format!(" · note: {note}"));
    }
    // Records another approved candidate holds: said on this line whatever else is cut, as the
    // merge plan will carry only the earlier approval (a CRM merges a record once).
    // Approvals this one holds whole are replaced when it is approved; one holding all of its
    // records already merges them; the others overlap it.
    let overlaps = r.data.overlaps();
    let ids = |list: &[crate::model::CandidateId]| {
        list.iter().map(|c| format!("#{c}")).collect::<Vec<_>>().join(", ")
    };
    let mut notes = String::new();
    if !overlaps.replaces.is_empty() && r.data.approved.is_none() {
        notes.push_str(&format!(" · approving replaces {}", ids(&overlaps.replaces)));
    }
    if !overlaps.within.is_empty() {
        notes.push_str(&format!(" · all its records are in {}, approved", ids(&overlaps.within)));
    }
    if let Some(brief) = crate::journal::shared_brief(&overlaps.overlapping) {
        // The key as the keymap names it, so that the line cannot disagree with the help.
        match keymap::key_for(Context::Review, &Action::Combine) {
            Some(key) => notes.push_str(&format!(" · also approved ({key} combines): {brief}")),
            None => notes.push_str(&format!(" · also approved: {brief}")),
        }
    }
    let shared = match notes.is_empty() {
        true => String::new(),
        false => cell(&notes, (width - 9).saturating_sub(survivor.width().min(24))),
    };
    let room = (width - 9).saturating_sub(shared.width());
    put(
        buf,
        area,
        2,
        &Line::from(vec![
            Span::styled("survives ", t.header()),
            Span::raw(cell(&survivor, room)),
            Span::styled(shared, t.conflict()),
        ]),
    );
}

/// Column headers: number and key, created, updated (with the changed mark), survivor star.
fn column_head(app: &App, r: &ReviewState, area: Rect, buf: &mut Buffer) {
    let t = app.theme;
    let Columns { field: field_w, shown, member: mw, golden: golden_w } = columns(area.width, r);
    let hidden_left = r.member_scroll;
    let hidden_right = r.data.members.len().saturating_sub(r.member_scroll + shown);
    let more = match (hidden_left, hidden_right) {
        (0, 0) => String::new(),
        (l, r) => format!("◀{l} {r}▶"),
    };
    let day = |ts: &Option<String>| ts.as_deref().map(crate::clock::day).unwrap_or("—").to_string();
    let mut rows: [Vec<Span>; 3] = [
        vec![Span::styled(pad("field".into(), field_w), t.header())],
        vec![Span::styled(pad(more, field_w), t.dim())],
        vec![Span::raw(pad(String::new(), field_w))],
    ];
    for (i, (rec, proposed)) in r.data.members.iter().enumerate().skip(r.member_scroll).take(shown) {
        let star = if rec.key == r.golden.survivor { "★" } else { " " };
        let style = if i == r.member { t.selected_column() } else { t.header() };
        rows[0].push(Span::styled(cell(&format!("{}{star}{}", i + 1, rec.key), mw - 1), style));
        rows[0].push(Span::raw(" "));
        rows[1].push(Span::styled(cell(&format!("created {}", day(&rec.created)), mw - 1) + " ", t.dim()));
        let changed = if rec.version > *proposed { format!(" ✎v{}", rec.version) } else { String::new() };
        rows[2].push(Span::styled(
            cell(&format!("updated {}{changed}", day(&rec.updated)), mw - 1) + " ",
            t.dim(),
        ));
    }
    rows[0].push(Span::styled(pad("golden · rule".into(), golden_w), t.header()));
    for (i, spans) in rows.into_iter().enumerate() {
        put(buf, area, HEAD + i as u16, &Line::from(spans));
    }
}

/// The first line under the table: the selected record's value of the selected field, whole (as
/// wide as the screen), since the table's columns cut long values.
fn value_line(app: &App, r: &ReviewState, area: Rect, buf: &mut Buffer) {
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

/// The second line under the table: the selected field's rule, explanation and lineage.
fn detail(app: &App, r: &ReviewState, area: Rect, buf: &mut Buffer) {
    let t = app.theme;
    let Some(field) = r.selected_field() else { return };
    let text = match r.golden.fields.get(&field) {
        Some(g) => {
            let from: Vec<String> = g.from.iter().map(|k| k.to_string()).collect();
            let lineage = if from.is_empty() {
                "typed by the steward".to_string()
            } else {
                format!("from {}", from.join(", "))
            };
            let conflict = if g.conflict { " · CONFLICT: no rule could decide" } else { "" };
            format!("{field}: {} — {} · {lineage}{conflict}", g.rule, g.explanation)
        }
        None => format!("{field}: no value in any record"),
    };
    put(buf, area, area.height - 3, &Line::styled(cell(&text, area.width as usize), t.title()));
}

/// Draws the review screen.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let Some(r) = &app.review else { return };
    let t = app.theme;
    head(app, r, area, buf);
    column_head(app, r, area, buf);
    let Columns { field: field_w, shown, member: mw, golden: golden_w } = columns(area.width, r);
    let editing = matches!(&app.prompt, Some(p) if matches!(p.kind, PromptKind::Edit(_)));
    let fields = r.visible_fields();
    for (i, field) in fields.iter().enumerate().skip(r.offset).take(visible_rows(area.height)) {
        let y = TOP + (i - r.offset) as u16;
        let golden = r.golden.fields.get(*field);
        let golden_value = golden.and_then(|g| g.value.as_deref());
        let equal = r.is_equal(field);
        let mut spans =
            vec![Span::styled(cell(field, field_w - 1) + " ", if equal { t.dim() } else { t.base() })];
        for (rec, _) in r.data.members.iter().skip(r.member_scroll).take(shown) {
            let from = golden.is_some_and(|g| g.from.contains(&rec.key));
            let base = if from { t.chosen() } else { t.base() };
            match rec.fields.get(*field) {
                None => spans.push(Span::styled(pad("—".into(), mw), t.dim())),
                Some(v) if equal => spans.push(Span::styled(cell(v, mw - 1) + " ", t.dim())),
                Some(v) => spans.extend(
                    diff_spans(&segments(golden_value, v), mw - 1, app, base)
                        .into_iter()
                        .chain([Span::raw(" ")]),
                ),
            }
        }
        let is_selected = i == r.selected;
        let golden_cell = golden_spans(app, r, field, golden_w, editing && is_selected);
        spans.extend(golden_cell);
        put(buf, area, y, &Line::from(spans));
        if is_selected {
            // Reverse the field name only, so the diff highlights stay readable.
            buf.set_style(
                Rect { x: area.x, y: area.y + y, width: field_w as u16, height: 1 }.intersection(area),
                t.selected(),
            );
        }
    }
    if fields.is_empty() {
        put(buf, area, TOP, &Line::styled("  every field is equal; press = to show them", t.dim()));
    }
    value_line(app, r, area, buf);
    detail(app, r, area, buf);
}
