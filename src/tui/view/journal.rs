//! The journal screen: the sign-off state, then the latest entries (steward, action, candidate,
//! a decision's note or what another entry did), newest first.

use super::queue::title_row;
use super::{cell, pad, put, scroll_marker, thousands};
use crate::tui::app::App;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

const TOP: u16 = 3;

/// Journal entries that fit at this height (below: footer and status line).
pub fn visible_rows(height: u16) -> usize {
    height.saturating_sub(TOP + 2) as usize
}

/// Draws the journal screen.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let t = app.theme;
    let j = &app.journal;
    let width = area.width as usize;
    title_row(app, &format!("mergeq · {} · journal", app.workspace), area, buf);
    let signoff = match &j.last_signoff {
        Some(s) => format!("last sign-off: {s}"),
        None => "no sign-off yet".to_string(),
    };
    let decisions = if j.unsigned == 1 { "decision" } else { "decisions" };
    let state = format!("{} {decisions} not signed off · {signoff}", thousands(j.unsigned as i64));
    let style = if j.unsigned > 0 { t.conflict() } else { t.info() };
    put(buf, area, 1, &Line::styled(cell(&state, width), style));
    let wide = area.width >= 110;
    let (at_w, steward_w, action_w, cand_w) = if wide { (20, 14, 10, 8) } else { (16, 10, 9, 7) };
    let note_w = width.saturating_sub(7 + at_w + steward_w + action_w + cand_w + 5);
    let header = format!(
        "{} {} {} {} {} {}",
        pad("#".into(), 6),
        pad("at".into(), at_w),
        pad("steward".into(), steward_w),
        pad("action".into(), action_w),
        pad("cand.".into(), cand_w),
        pad("note · what".into(), note_w)
    );
    // Right of the header: which entries are on screen (the screen reads the latest 500 only).
    let shown = thousands(j.entries.len() as i64);
    let of = match j.total > j.entries.len() as i64 {
        true => format!("latest {shown}"),
        false => shown,
    };
    let place = scroll_marker(app.journal_offset, visible_rows(area.height), j.entries.len(), &of);
    let room = width.saturating_sub(place.width());
    let header = pad(cell(header.trim_end(), room.saturating_sub(1)), room);
    put(buf, area, 2, &Line::from(vec![Span::styled(header, t.header()), Span::styled(place, t.key())]));
    if j.entries.is_empty() {
        put(buf, area, TOP + 1, &Line::styled("  The journal is empty: no decision yet.", t.dim()));
        return;
    }
    let rows = visible_rows(area.height);
    for (i, e) in j.entries.iter().skip(app.journal_offset).take(rows).enumerate() {
        // "2026-05-02T10:04:00Z" → "2026-05-02 10:04"
        let at = e.at.get(..16).unwrap_or(&e.at).replace('T', " ");
        let candidate = e.candidate.map(|c| format!("#{c}")).unwrap_or_default();
        let line = Line::from(vec![
            Span::styled(pad(e.seq.to_string(), 6), t.dim()),
            Span::raw(" "),
            Span::raw(cell(&at, at_w)),
            Span::raw(" "),
            Span::raw(cell(&e.steward, steward_w)),
            Span::raw(" "),
            Span::styled(cell(&e.action, action_w), t.key()),
            Span::raw(" "),
            Span::raw(cell(&candidate, cand_w)),
            Span::raw(" "),
            Span::raw(cell(e.what.as_deref().unwrap_or(""), note_w)),
        ]);
        put(buf, area, TOP + i as u16, &line);
    }
}
