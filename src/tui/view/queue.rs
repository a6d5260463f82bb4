//! The queue screen: progress, filters, and one line per candidate of the loaded window (score bar,
//! object, member names, sources, conflicts, status, changed mark).

use super::{cell, pad, put, score_bar, style_row, thousands};
use crate::tui::app::{App, PromptKind, QueueItem, BANDS};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

/// The first row of candidates on screen.
pub const TOP: u16 = 3;

/// How many candidate rows fit at this terminal height (header 3, footer 2).
pub fn visible_rows(height: u16) -> usize {
    height.saturating_sub(TOP + 2) as usize
}

/// Column widths for a terminal width.
struct Widths {
    /// The candidate's number (`#102`, what `mergeq show` takes); 0 below `ID_FROM` columns.
    id: usize,
    bar: usize,
    object: usize,
    names: usize,
    sources: usize,
}

/// From this width the queue has a `#id` column (narrower, the review's header gives the number).
pub const ID_FROM: u16 = 100;

/// `id_w`: the width of the longest `#id` of the queue (at least that of its header).
fn widths(width: u16, id_w: usize) -> Widths {
    let wide = width >= 110;
    let (bar, object, sources) = if wide { (10, 11, 24) } else { (6, 9, 17) };
    let id = if width >= ID_FROM { id_w.max(3) } else { 0 };
    // marker 1, id and a space, score 4+1+bar, spaces, conflicts 3, status 8, changed 1
    let fixed = 1 + id + usize::from(id > 0) + 5 + bar + 1 + object + 1 + 1 + sources + 1 + 3 + 1 + 8 + 1 + 1;
    Widths { id, bar, object, names: (width as usize).saturating_sub(fixed).max(8), sources }
}

/// The width of `#N` for the largest number among the loaded rows and the candidate count (so
/// that the column rarely changes width as the window moves).
fn id_width(app: &App) -> usize {
    let largest = app.queue.rows.iter().map(|r| r.id.0).max().unwrap_or(0).max(app.progress.candidates);
    1 + largest.max(1).to_string().len()
}

/// The header's progress: "312 of 5,000 decided · 41 merged · 12 rejected".
pub fn progress_text(app: &App) -> String {
    let p = app.progress;
    let decided = p.approved + p.rejected + p.deferred;
    let mut text = format!(
        "{} of {} decided · {} merged · {} rejected",
        thousands(decided),
        thousands(p.candidates),
        thousands(p.approved),
        thousands(p.rejected)
    );
    if p.deferred > 0 {
        text.push_str(&format!(" · {} deferred", thousands(p.deferred)));
    }
    text
}

/// The first row of every screen: the title on the left, the progress on the right (shorter, or
/// left out, when the title needs the room).
pub fn title_row(app: &App, title: &str, area: Rect, buf: &mut Buffer) {
    let t = app.theme;
    let width = area.width as usize;
    let title_w = title.width();
    let p = app.progress;
    let short =
        format!("{}/{} decided", thousands(p.approved + p.rejected + p.deferred), thousands(p.candidates));
    let progress = [progress_text(app), short]
        .into_iter()
        .find(|text| title_w + text.width() < width)
        .unwrap_or_default();
    let room = width.saturating_sub(progress.width() + 1);
    let left = cell(title, room);
    put(
        buf,
        area,
        0,
        &Line::from(vec![Span::styled(left, t.title()), Span::styled(format!(" {progress}"), t.base())]),
    );
}

fn filters_text(app: &App) -> String {
    let q = &app.queue.query;
    let search = match (&app.prompt, &q.search) {
        (Some(p), _) if p.kind == PromptKind::Search => "(typing below)".to_string(),
        (_, Some(s)) => format!("\"{s}\""),
        (_, None) => "—".to_string(),
    };
    format!(
        "{} · {} · {} · score {} · sort {} · search {}",
        q.status.map(|s| s.as_str()).unwrap_or("any status"),
        q.object.as_deref().unwrap_or("all objects"),
        q.source.as_deref().unwrap_or("all sources"),
        BANDS[app.queue.band % BANDS.len()].0,
        app.queue.sort.label(),
        search
    )
}

fn row_line(item: &QueueItem, w: &Widths, app: &App) -> Line<'static> {
    let t = app.theme;
    let names = item.names.join(" · ");
    let sources = item.sources.join(",");
    let conflicts = if item.conflicts > 0 { format!("≠{}", item.conflicts.min(99)) } else { String::new() };
    let id = match w.id {
        0 => String::new(),
        id_w => format!("{:>id_w$} ", format!("#{}", item.id)),
    };
    Line::from(vec![
        Span::raw(" "),
        Span::styled(id, t.dim()),
        Span::styled(format!("{:.2} ", item.score), t.base()),
        Span::styled(score_bar(item.score, w.bar), t.bar()),
        Span::raw(" "),
        Span::raw(cell(&item.object, w.object)),
        Span::raw(" "),
        Span::raw(cell(&names, w.names)),
        Span::raw(" "),
        Span::styled(cell(&sources, w.sources), t.dim()),
        Span::raw(" "),
        Span::styled(pad(conflicts, 3), t.conflict()),
        Span::raw(" "),
        // Undecided but held whole by an approval: what the review's survivor line says, short.
        match item.held_by {
            Some(by) => Span::styled(pad(format!("in #{by}"), 8), t.dim()),
            None => Span::raw(pad(item.status.as_str().to_string(), 8)),
        },
        Span::styled(if item.changed { "✎" } else { " " }, t.conflict()),
    ])
}

/// Draws the queue screen (rows 0 to height-3; the footer and status line are drawn by `view`).
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let t = app.theme;
    let q = &app.queue;
    title_row(app, &format!("mergeq · {} · queue", app.workspace), area, buf);
    put(buf, area, 1, &Line::styled(cell(&filters_text(app), area.width as usize), t.dim()));
    let w = widths(area.width, id_width(app));
    let id = match w.id {
        0 => String::new(),
        id_w => format!("{:>id_w$} ", "#id"),
    };
    let header = format!(
        " {id}{} {} {} {} {} {}",
        pad("score".into(), 5 + w.bar),
        pad("object".into(), w.object),
        pad("records".into(), w.names),
        pad("sources".into(), w.sources),
        pad("≠".into(), 3),
        pad("status".into(), 8),
    );
    put(buf, area, 2, &Line::styled(pad(header, area.width as usize), t.header()));
    let rows = visible_rows(area.height);
    if q.rows.is_empty() {
        let text = if q.loaded {
            "No candidates match. Keys f o c b change the filters, / searches."
        } else {
            "Reading the queue…"
        };
        put(buf, area, TOP + 1, &Line::styled(cell(&format!("  {text}"), area.width as usize), t.dim()));
        return;
    }
    for (i, item) in q.rows.iter().enumerate().skip(q.offset).take(rows) {
        let y = TOP + (i - q.offset) as u16;
        put(buf, area, y, &row_line(item, &w, app));
        if i == q.selected {
            style_row(buf, area, y, t.selected());
            put(buf, area, y, &Line::styled("▌", t.selected()));
        }
    }
    // A hint that there is more above or below the window drawn.
    let more_below = q.offset + rows < q.rows.len() || !q.at_end;
    if more_below && rows > 0 {
        let y = TOP + rows as u16 - 1;
        if let Some(c) = buf.cell_mut((area.x + area.width - 1, area.y + y)) {
            c.set_symbol("↓");
        }
    }
    if (q.offset > 0 || !q.at_start) && rows > 0 {
        if let Some(c) = buf.cell_mut((area.x + area.width - 1, area.y + TOP)) {
            c.set_symbol("↑");
        }
    }
}
