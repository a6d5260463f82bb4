//! The dashboard: the workspace's figures (the same as `mergeq stats`): progress of the review,
//! candidates by object and status, records by object and source. Scrolls when taller than the
//! screen.

use super::queue::title_row;
use super::theme::Theme;
use super::{cell, pad, put, score_bar, thousands};
use crate::store::Stats;
use crate::tui::app::App;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// The first row of figures (under the title).
const TOP: u16 = 1;
/// Width of each count column.
const COUNT_W: usize = 10;
/// The statuses in the order of the candidates table.
const STATUSES: [&str; 4] = ["pending", "deferred", "approved", "rejected"];

/// Lines of figures that fit at this height (below: footer and status line).
pub fn visible_rows(height: u16) -> usize {
    height.saturating_sub(TOP + 2) as usize
}

/// How many lines the figures take (for scrolling).
pub fn line_count(stats: &Stats) -> usize {
    body(stats, Theme::PLAIN, 80).len()
}

fn count(n: i64) -> String {
    format!("{:>COUNT_W$}", thousands(n))
}

/// A table row: a name column, then right-aligned counts.
fn row(name: &str, name_w: usize, counts: &[i64]) -> String {
    let mut out = cell(name, name_w);
    for n in counts {
        out.push_str(&count(*n));
    }
    out
}

fn heading(name: &str, name_w: usize, columns: &[&str]) -> String {
    let mut out = pad(name.to_string(), name_w);
    for c in columns {
        out.push_str(&format!("{c:>COUNT_W$}"));
    }
    out
}

/// Every line of figures, top to bottom.
fn body(s: &Stats, t: Theme, width: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let share = if s.candidates > 0 { s.decided as f64 / s.candidates as f64 } else { 0.0 };
    lines.push(Line::raw(format!(
        "{} of {} candidates decided · {} merged · {} rejected · {} deferred · {} pending",
        thousands(s.decided),
        thousands(s.candidates),
        thousands(s.approved),
        thousands(s.rejected),
        thousands(s.deferred),
        thousands(s.pending)
    )));
    let bar_w = width.saturating_sub(20).clamp(10, 50);
    lines.push(Line::from(vec![
        Span::styled(score_bar(share, bar_w), t.bar()),
        Span::raw(format!(" {:.0}% decided", share * 100.0)),
    ]));
    lines.push(Line::raw(match s.mean_pending_score {
        Some(mean) => format!("mean score of the pending candidates: {mean:.2}"),
        None => "no candidate is pending".to_string(),
    }));
    if let Some(note) = s.approved_sharing_note() {
        lines.push(Line::styled(note, t.conflict()));
    }
    lines.push(Line::raw(""));

    let name_w = width.saturating_sub(COUNT_W * (STATUSES.len() + 1)).clamp(12, 24);
    let mut columns = STATUSES.to_vec();
    columns.push("total");
    lines.push(Line::styled(heading("candidates", name_w, &columns), t.header()));
    let mut objects: Vec<&str> = s.candidates_by_status.iter().map(|(o, _, _)| o.as_str()).collect();
    objects.dedup();
    for object in objects {
        let of = |status: &str| {
            s.candidates_by_status.iter().filter(|(o, st, _)| o == object && st == status).map(|t| t.2).sum()
        };
        let mut counts: Vec<i64> = STATUSES.iter().map(|st| of(st)).collect();
        counts.push(counts.iter().sum());
        lines.push(Line::raw(row(object, name_w, &counts)));
    }
    if s.candidates_by_status.is_empty() {
        lines.push(Line::styled("no candidates yet", t.dim()));
    }
    lines.push(Line::raw(""));

    let source_w = name_w.min(16);
    lines.push(Line::styled(
        format!("{}{}", pad("records".into(), name_w), heading("source", source_w, &["count"])),
        t.header(),
    ));
    for (object, source, n) in &s.records_by_source {
        lines.push(Line::raw(format!("{}{}", cell(object, name_w), row(source, source_w, &[*n]))));
    }
    lines.push(Line::styled(
        format!("{}{}", pad("all".into(), name_w), row("", source_w, &[s.records])),
        t.dim(),
    ));
    lines
}

/// Which lines of figures are on screen, when they do not all fit (`1–19 of 31 lines ↓`).
pub fn place(app: &App, height: u16) -> String {
    let Some(stats) = &app.dashboard else { return String::new() };
    let total = line_count(stats);
    super::scroll_marker(app.dashboard_offset, visible_rows(height), total, &format!("{total} lines"))
}

/// Draws the dashboard.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let t = app.theme;
    title_row(app, &format!("mergeq · {} · dashboard", app.workspace), area, buf);
    let Some(stats) = &app.dashboard else {
        put(buf, area, TOP + 1, &Line::styled("  Reading the figures…", t.dim()));
        return;
    };
    let lines = body(stats, t, area.width as usize);
    let rows = visible_rows(area.height);
    for (i, line) in lines.iter().skip(app.dashboard_offset).take(rows).enumerate() {
        put(buf, area, TOP + i as u16, line);
    }
}
