//! The review screen's table: one row per field with a column per member record (inline diffs
//! against the golden value) and the golden column with each value's rule; its column headers say
//! which record is selected, which rows are out of sight and how many equal rows are hidden. The
//! lines around it (why proposed, who survives, the selected value and lineage) are drawn by
//! `review_lines`.

use super::diff::segments;
use super::{cell, editor_spans, pad, put, review_lines};
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
    // Empty where a record holds a value: the merge clears it (on the survivor, in the CRM) or
    // loses it. Said in the value's place; `a` asks about it.
    let clears = r.clears(field).is_some();
    let Some(g) = r.golden.fields.get(field) else {
        return match clears {
            true => vec![Span::styled(pad("— clears".into(), width), t.conflict())],
            false => vec![Span::styled(pad("—".into(), width), t.dim())],
        };
    };
    let rule = match short_rule(r.rule_label(field, g)) {
        short if g.conflict => format!("!{short}"),
        short => short.to_string(),
    };
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
        Some(v) => Span::styled(cell(v, value_w), style),
        None if clears => Span::styled(pad("— clears".into(), value_w), t.conflict()),
        None => Span::styled(pad("—".into(), value_w), style),
    };
    vec![value, Span::styled(cell(&format!(" {rule}"), rule_w), t.dim())]
}

/// Which field rows are out of sight, for the field column's header: `↓ 4 more`, `↑2 ↓4 more`,
/// shorter when the column is narrow; empty when every row is drawn.
fn rows_marker(above: usize, below: usize, width: usize) -> String {
    let forms = match (above, below) {
        (0, 0) => return String::new(),
        (0, b) => vec![format!("↓ {b} more"), format!("↓{b}"), "↓".into()],
        (a, 0) => vec![format!("↑ {a} more"), format!("↑{a}"), "↑".into()],
        (a, b) => vec![format!("↑{a} ↓{b} more"), format!("↑{a} ↓{b}"), "↑↓".into()],
    };
    forms.iter().find(|f| f.width() <= width).or(forms.last()).cloned().unwrap_or_default()
}

/// With equal rows hidden (`=`), how many, and the key that shows them: `3 equal rows hidden (=
/// shows)`, shorter when the golden column is narrow (`… hidden (=)`); empty when they are shown.
fn hidden_note(r: &ReviewState, width: usize) -> String {
    if !r.hide_equal {
        return String::new();
    }
    let n = r.fields.iter().filter(|f| r.is_equal(f)).count();
    let rows = if n == 1 { "row" } else { "rows" };
    let mut forms = vec![format!("{n} equal {rows} hidden"), format!("{n} equal hidden")];
    if let Some(key) = keymap::key_for(Context::Review, &Action::ToggleEqual) {
        forms.insert(0, format!("{n} equal {rows} hidden ({key})"));
        forms.insert(0, format!("{n} equal {rows} hidden ({key} shows)"));
    }
    forms.iter().find(|f| f.width() <= width).or(forms.last()).cloned().unwrap_or_default()
}

/// Column headers: number and key, created, updated (with the changed mark), survivor star. The
/// selected record's header is marked `▸` and drawn in the selected-column style (reverse video
/// without colour), so that `h`/`l` show where they are without relying on colour. The field
/// column says which members and rows are out of sight; the golden column, under its title, how
/// many equal rows are hidden.
fn column_head(app: &App, r: &ReviewState, area: Rect, buf: &mut Buffer) {
    let t = app.theme;
    let Columns { field: field_w, shown, member: mw, golden: golden_w } = columns(area.width, r);
    let hidden_left = r.member_scroll;
    let hidden_right = r.data.members.len().saturating_sub(r.member_scroll + shown);
    let more = match (hidden_left, hidden_right) {
        (0, 0) => String::new(),
        (l, r) => format!("◀{l} {r}▶"),
    };
    let rows = visible_rows(area.height);
    let total = r.visible_fields().len();
    let below = total.saturating_sub(r.offset + rows);
    let marker = rows_marker(r.offset.min(total), below, field_w - 1);
    let day = |ts: &Option<String>| ts.as_deref().map(crate::clock::day).unwrap_or("—").to_string();
    // The column before each member's ends in a space, which becomes `▸` before the selected one.
    let last = r.member_scroll + shown;
    let sep = |i: usize| match i == r.member && i < last {
        true => Span::styled("▸", t.selected_column()),
        false => Span::raw(" "),
    };
    // Notes in the header's blank cells; a blank cell keeps the base style.
    let note = |text: String, width: usize| match text.is_empty() {
        true => Span::raw(pad(text, width)),
        false => Span::styled(pad(text, width), t.key()),
    };
    let mut rows: [Vec<Span>; 3] = [
        vec![Span::styled(pad("field".into(), field_w - 1), t.header()), sep(r.member_scroll)],
        vec![Span::styled(pad(more, field_w), t.dim())],
        vec![note(marker, field_w)],
    ];
    for (i, (rec, proposed)) in r.data.members.iter().enumerate().skip(r.member_scroll).take(shown) {
        let star = if rec.key == r.golden.survivor { "★" } else { " " };
        let style = if i == r.member { t.selected_column() } else { t.header() };
        rows[0].push(Span::styled(cell(&format!("{}{star}{}", i + 1, rec.key), mw - 1), style));
        rows[0].push(sep(i + 1));
        rows[1].push(Span::styled(cell(&format!("created {}", day(&rec.created)), mw - 1) + " ", t.dim()));
        let changed = if rec.version > *proposed { format!(" ✎v{}", rec.version) } else { String::new() };
        rows[2].push(Span::styled(
            cell(&format!("updated {}{changed}", day(&rec.updated)), mw - 1) + " ",
            t.dim(),
        ));
    }
    rows[0].push(Span::styled(pad("golden · rule".into(), golden_w), t.header()));
    rows[1].push(note(hidden_note(r, golden_w), golden_w));
    for (i, spans) in rows.into_iter().enumerate() {
        put(buf, area, HEAD + i as u16, &Line::from(spans));
    }
}

/// Draws the review screen.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let Some(r) = &app.review else { return };
    let t = app.theme;
    review_lines::head(app, r, area, buf);
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
    review_lines::value_line(app, r, area, buf);
    review_lines::detail(app, r, area, buf);
}
