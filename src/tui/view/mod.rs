//! Drawing: one pure function of `&App` per screen, writing into the frame's buffer. No I/O, no
//! state changes. Every value that came from a file is drawn through `text::visible`/`visible_cut`.

pub mod dashboard;
pub mod diff;
mod help;
pub mod journal;
pub mod queue;
pub mod review;
mod review_lines;
pub mod theme;
pub mod why;

use super::app::{App, PromptKind, Screen};
use super::keymap::{self, Context};
use crate::model::RecordKey;
pub use crate::text::thousands;
use crate::text::{visible, visible_cut};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

/// The smallest terminal the screens are laid out for; below it a short notice is drawn instead.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;

/// Draws the whole console.
pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    let buf = frame.buffer_mut();
    render(app, area, buf);
}

/// Draws the console into any buffer area (the benchmark and tests use this too).
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        // The longest notice that fits whole, rather than one cut mid-word.
        let need = format!("{MIN_WIDTH}×{MIN_HEIGHT}");
        let notices = [
            format!("mergeq needs a terminal of at least {need}: make it larger"),
            format!("terminal too small: {need}"),
            format!("too small: {need}"),
            "too small".to_string(),
        ];
        let width = area.width as usize;
        let text = notices.iter().find(|n| n.width() <= width).cloned().unwrap_or_default();
        put(buf, area, 0, &Line::styled(text, app.theme.title()));
        return;
    }
    match app.screen {
        Screen::Queue => queue::render(app, area, buf),
        Screen::Review => review::render(app, area, buf),
        Screen::Journal => journal::render(app, area, buf),
        Screen::Dashboard => dashboard::render(app, area, buf),
        Screen::Why => why::render(app, area, buf),
    }
    footer(app, area, buf);
    status_line(app, area, buf);
    if app.help {
        help::render(app, area, buf);
    }
}

/// Writes `line` on row `row` of `area`; rows outside the area are skipped, never a panic.
pub fn put(buf: &mut Buffer, area: Rect, row: u16, line: &Line) {
    if row < area.height && area.width > 0 {
        buf.set_line(area.x, area.y + row, line, area.width);
    }
}

/// Styles a whole row of `area`.
pub fn style_row(buf: &mut Buffer, area: Rect, row: u16, style: Style) {
    if row < area.height {
        buf.set_style(Rect { x: area.x, y: area.y + row, width: area.width, height: 1 }, style);
    }
}

/// Untrusted text cut to `width` columns and padded to exactly `width`.
pub fn cell(text: &str, width: usize) -> String {
    pad(visible_cut(text, width), width)
}

/// Our own text padded (or cut) to exactly `width` columns.
pub fn pad(text: String, width: usize) -> String {
    let used = text.width();
    if used > width {
        return visible_cut(&text, width);
    }
    let mut out = text;
    out.extend(std::iter::repeat_n(' ', width - used));
    out
}

/// Untrusted text cut to at most `width` columns by taking out its middle (`83199…86515`), for
/// ids whose beginning and end both tell records apart.
pub fn middle_cut(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let safe = visible(text);
    if safe.width() <= width {
        return safe.into_owned();
    }
    if width < 3 {
        return visible_cut(text, width);
    }
    let chars: Vec<char> = safe.chars().collect();
    let fit = |from: &mut dyn Iterator<Item = &char>, room: usize| {
        let mut used = 0;
        let mut kept = String::new();
        for c in from {
            used += c.width().unwrap_or(0);
            if used > room {
                break;
            }
            kept.push(*c);
        }
        kept
    };
    let tail_w = (width - 1) / 2;
    let head = fit(&mut chars.iter(), width - 1 - tail_w);
    let tail: String = fit(&mut chars.iter().rev(), tail_w).chars().rev().collect();
    format!("{head}…{tail}")
}

/// A record key in at most `id_w` columns of id: the source whole, the id cut in the middle
/// (`hubspot:831…515`), so that where a value came from stays readable when room is short.
pub fn key_cut(key: &RecordKey, id_w: usize) -> String {
    format!("{}:{}", visible(&key.source), middle_cut(&key.id, id_w))
}

/// Which of `total` lines are on screen from `offset`, and which way there is more:
/// `1–20 of 32 lines ↓` (`of` names the whole: `32 lines`); empty when they all fit, so that
/// nothing is out of sight unannounced.
pub fn scroll_marker(offset: usize, rows: usize, total: usize, of: &str) -> String {
    if total <= rows {
        return String::new();
    }
    let (first, last) = (offset + 1, (offset + rows).min(total));
    let up = if first > 1 { " ↑" } else { "" };
    let down = if last < total { " ↓" } else { "" };
    format!("{first}–{last} of {of}{up}{down}")
}

/// A score in [0, 1] as a bar of `width` cells, in eighths.
pub fn score_bar(score: f64, width: usize) -> String {
    const PARTS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    let eighths = (score.clamp(0.0, 1.0) * (width * 8) as f64).round() as usize;
    let mut out: String = std::iter::repeat_n('█', eighths / 8).collect();
    if out.chars().count() < width {
        out.push(PARTS[eighths % 8]);
    }
    pad(out, width)
}

/// The key context the keyboard is in.
pub fn context(app: &App) -> Context {
    if app.prompt.is_some() {
        return Context::Prompt;
    }
    match app.screen {
        Screen::Queue => Context::Queue,
        Screen::Review => Context::Review,
        Screen::Journal => Context::Journal,
        Screen::Dashboard => Context::Dashboard,
        Screen::Why => Context::Why,
    }
}

/// The second-to-last row: the keys that matter here, from the keymap, as many as fit. When not
/// all fit, the help key keeps its place at the end: it is how the others are found.
fn footer(app: &App, area: Rect, buf: &mut Buffer) {
    let t = app.theme;
    let mut hints = keymap::hints(context(app));
    // Enter in the `#` prompt opens the candidate rather than keeping a text.
    if app.prompt.as_ref().is_some_and(|p| p.kind == PromptKind::GoTo) {
        for (key, hint) in &mut hints {
            if *hint == "keep"
                && *key == keymap::key_label(keymap::Key::Code(ratatui::crossterm::event::KeyCode::Enter))
            {
                *hint = "open";
            }
        }
    }
    let hint_w = |(key, hint): &(String, &str)| key.width() + hint.width() + 2;
    let width = area.width as usize;
    let shown = if hints.iter().map(hint_w).sum::<usize>() <= width {
        hints
    } else {
        let help_key = keymap::key_label(keymap::Key::Char('?'));
        let (help, others): (Vec<_>, Vec<_>) = hints.into_iter().partition(|(key, _)| *key == help_key);
        let mut used: usize = help.iter().map(hint_w).sum();
        let mut shown = Vec::new();
        for hint in others {
            if used + hint_w(&hint) > width {
                break;
            }
            used += hint_w(&hint);
            shown.push(hint);
        }
        shown.extend(help);
        shown
    };
    let mut spans = Vec::new();
    for (key, hint) in shown {
        spans.push(Span::styled(key, t.key()));
        spans.push(Span::styled(format!(" {hint} "), t.dim()));
    }
    // The dashboard has no header row to say which of its lines are shown: the footer's right
    // end says it, where the hints leave room.
    let place = match app.screen {
        Screen::Dashboard => dashboard::place(app, area.height),
        _ => String::new(),
    };
    let used: usize = spans.iter().map(|s| s.content.width()).sum();
    if !place.is_empty() && used + place.width() < width {
        spans.push(Span::raw(" ".repeat(width - used - place.width())));
        spans.push(Span::styled(place, t.key()));
    }
    put(buf, area, area.height - 2, &Line::from(spans));
}

/// The last row: a note or search prompt, or the outcome of the last action.
fn status_line(app: &App, area: Rect, buf: &mut Buffer) {
    let t = app.theme;
    let row = area.height - 1;
    let width = area.width as usize;
    if let Some(p) = &app.prompt {
        let label = match &p.kind {
            PromptKind::Search => "search: ".to_string(),
            PromptKind::GoTo => "open candidate #".to_string(),
            PromptKind::Note => "note: ".to_string(),
            PromptKind::Edit(field) => {
                format!("editing {} (Enter keeps, Esc cancels): ", visible_cut(field, 20))
            }
        };
        let mut spans = vec![Span::styled(label.clone(), t.title())];
        if !matches!(p.kind, PromptKind::Edit(_)) {
            spans.extend(editor_spans(&p.editor, width.saturating_sub(label.width()), t));
        }
        put(buf, area, row, &Line::from(spans));
        return;
    }
    match &app.status {
        Some(s) => {
            let style = if s.error { t.error() } else { t.info() };
            let text = if s.error { format!("error: {}", s.text) } else { s.text.clone() };
            // A message wider than the screen takes the rows above too (the key hints first, at
            // most three rows, until the next key), so that its end — what to do — is not cut off.
            let rows = if area.height >= 8 { 3 } else { 1 };
            let lines = wrap(&crate::text::visible(&text), width, rows);
            let first = row + 1 - lines.len() as u16;
            for (i, line) in lines.iter().enumerate() {
                put(buf, area, first + i as u16, &Line::styled(cell(line, width), style));
            }
        }
        None => {
            let text = format!("{} · {}", app.steward, app.workspace);
            put(buf, area, row, &Line::styled(visible_cut(&text, width), t.dim()));
        }
    }
}

/// `text` (already made visible) in at most `rows` lines of `width` columns, broken at spaces;
/// the last line keeps whatever is left (cut with `…` when it is still too long).
fn wrap(text: &str, width: usize, rows: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut rest = text.to_string();
    while lines.len() + 1 < rows {
        match split_at_word(&rest, width) {
            Some((first, more)) => {
                lines.push(first);
                rest = more;
            }
            None => break,
        }
    }
    lines.push(rest);
    lines
}

/// `text` (already made visible) split into a first line of at most `width` columns, ending at a
/// space, and the rest; `None` when it fits on one line.
fn split_at_word(text: &str, width: usize) -> Option<(String, String)> {
    if text.width() <= width || width < 20 {
        return None;
    }
    let (mut used, mut space, mut full) = (0, None, text.len());
    for (i, c) in text.char_indices() {
        used += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used > width {
            full = i;
            break;
        }
        if c == ' ' {
            space = Some(i);
        }
    }
    // At the last space that fits; with none (a long value), where the line is full.
    let at = space.unwrap_or(full);
    Some((text[..at].to_string(), text[at..].trim_start().to_string()))
}

/// An editor's text as spans within `width` columns, the cursor cell reversed, scrolled so that
/// the cursor stays in view.
pub fn editor_spans(editor: &super::app::LineEdit, width: usize, t: theme::Theme) -> Vec<Span<'static>> {
    if width < 2 {
        return Vec::new();
    }
    let chars: Vec<String> =
        editor.text.chars().map(|c| crate::text::visible(&c.to_string()).into_owned()).collect();
    let widths: Vec<usize> = chars.iter().map(|c| c.width()).collect();
    // Scroll so that the text from `start` to the cursor (plus the cursor cell) fits.
    let mut start = 0;
    while widths[start..editor.cursor.min(chars.len())].iter().sum::<usize>() + 1 > width
        && start < editor.cursor
    {
        start += 1;
    }
    let mut spans = Vec::new();
    let mut used = 0;
    let before: String = chars[start..editor.cursor.min(chars.len())].concat();
    used += before.width();
    // A selected text (typing replaces it) is drawn as selected.
    spans.push(Span::styled(before, if editor.selected { t.selected() } else { t.base() }));
    let at = chars.get(editor.cursor).cloned().unwrap_or_else(|| " ".into());
    used += at.width();
    spans.push(Span::styled(at, t.selected()));
    let mut after = String::new();
    for c in chars.iter().skip(editor.cursor + 1) {
        if used + c.width() > width {
            break;
        }
        used += c.width();
        after.push_str(c);
    }
    spans.push(Span::styled(after, t.base()));
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures() {
        assert_eq!(score_bar(1.0, 4), "████");
        assert_eq!(score_bar(0.0, 4), "    ");
        assert_eq!(score_bar(0.5, 4), "██  ");
        assert_eq!(score_bar(0.55, 4), "██▎ ");
        assert_eq!(cell("a\u{1b}[2Jb", 6), "a␛[2Jb");
        assert_eq!(cell("abc", 5), "abc  ");
    }

    #[test]
    fn middle_cuts_keep_both_ends() {
        let cases = [
            ("8319986515", 10, "8319986515"),
            ("8319986515", 9, "8319…6515"),
            ("8319986515", 7, "831…515"),
            ("8319986515", 4, "83…5"),
            ("8319986515", 2, "8…"),
            ("a\u{1b}bcdefgh", 5, "a␛…gh"),
            ("日本語テキスト", 7, "日…ト"),
        ];
        for (text, width, want) in cases {
            assert_eq!(middle_cut(text, width), want, "{text:?} in {width}");
            assert!(middle_cut(text, width).width() <= width);
        }
        let key = RecordKey::new("hubspot", "8319986515");
        assert_eq!(key_cut(&key, 7), "hubspot:831…515");
        assert_eq!(key_cut(&key, 20), "hubspot:8319986515");
    }
}
