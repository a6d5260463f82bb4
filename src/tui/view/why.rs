//! The why screen (`w` on the review): every reason the open candidate was proposed, whole. The
//! reasons about the whole candidate first, then one entry per field, strongest evidence first;
//! each entry gives its weight, what was found and the two values compared, wrapped to the width
//! (never cut). Scrolls when taller than the screen. Reasons come from files: every part is drawn
//! through `text::visible` (by `Reason::said` and `Reason::compared`).

use super::queue::title_row;
use super::theme::Theme;
use super::{put, score_bar};
use crate::model::{Candidate, Reason};
use crate::tui::app::App;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The first row of reasons (under the title and the summary line).
const TOP: u16 = 2;
/// The weight column (`+51.14`, right-aligned), then two spaces before the text.
const WEIGHT_W: usize = 7;
const TEXT_AT: usize = WEIGHT_W + 2;
/// The values compared sit a little further in than the text, under it.
const VALUES_AT: usize = TEXT_AT + 2;

/// Lines of reasons that fit at this height (below: footer and status line).
pub fn visible_rows(height: u16) -> usize {
    height.saturating_sub(TOP + 2) as usize
}

/// How many lines the reasons take at this width (for scrolling).
pub fn line_count(c: &Candidate, width: u16) -> usize {
    body(c, Theme::PLAIN, width as usize).len()
}

/// The reasons in the order a steward reads them: those about the whole candidate as stored, then
/// the per-field ones by the weight's magnitude, strongest first (stable: reasons without a weight
/// keep their stored order, after the weighed ones).
pub fn ordered(reasons: &[Reason]) -> Vec<&Reason> {
    let (mut out, mut fields): (Vec<&Reason>, Vec<&Reason>) =
        reasons.iter().partition(|r| r.field.is_empty());
    let strength = |r: &Reason| r.weight.map_or(-1.0, f64::abs);
    fields.sort_by(|a, b| strength(b).total_cmp(&strength(a)));
    out.extend(fields);
    out
}

/// `text` broken into lines of at most `width` columns, at spaces where it can be and inside a
/// word only when the word alone is wider than the line. Nothing is left out.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let (line_w, word_w) = (line.width(), word.width());
        if !line.is_empty() && line_w + 1 + word_w <= width {
            line.push(' ');
            line.push_str(word);
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if word_w <= width {
            line.push_str(word);
            continue;
        }
        for c in word.chars() {
            let w = c.width().unwrap_or(0);
            if line.width() + w > width && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            line.push(c);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// A weight's style: evidence for a duplicate, against it, or none (missing, not counted).
fn weight_style(weight: Option<f64>, t: Theme) -> Style {
    match weight {
        Some(w) if w >= 0.005 => t.info(),
        Some(w) if w <= -0.005 => t.conflict(),
        _ => t.dim(),
    }
}

/// One reason: the weight in its column, what it says (the field name stands out), and the two
/// values compared on the lines under it.
fn entry(r: &Reason, t: Theme, width: usize, out: &mut Vec<Line<'static>>) {
    let said = r.said();
    let field = crate::text::visible(&r.field).into_owned();
    let weight = format!("{:>WEIGHT_W$}  ", r.signed_weight().unwrap_or_default());
    for (i, text) in wrap(&said, width.saturating_sub(TEXT_AT)).into_iter().enumerate() {
        let mut spans = if i == 0 {
            vec![Span::styled(weight.clone(), weight_style(r.weight, t))]
        } else {
            vec![Span::raw(" ".repeat(TEXT_AT))]
        };
        match text.strip_prefix(field.as_str()) {
            Some(rest) if i == 0 && !field.is_empty() => {
                spans.push(Span::styled(field.clone(), t.header()));
                spans.push(Span::raw(rest.to_string()));
            }
            _ => spans.push(Span::raw(text)),
        }
        out.push(Line::from(spans));
    }
    // `a / b` on one line when it fits; else each value on its own lines, the second after `/ `,
    // so that a wrapped pair never reads as one value running into the other.
    let Some((a, b)) = r.compared_sides(usize::MAX) else { return };
    let room = width.saturating_sub(VALUES_AT);
    let pair = format!("{a} / {b}");
    let values = if pair.width() <= room {
        vec![pair]
    } else {
        [wrap(&a, room), wrap(&format!("/ {b}"), room)].concat()
    };
    for text in values {
        out.push(Line::from(vec![Span::raw(" ".repeat(VALUES_AT)), Span::raw(text)]));
    }
}

/// Every line of reasons, top to bottom.
fn body(c: &Candidate, t: Theme, width: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if c.reasons.is_empty() {
        let origin = crate::text::visible(&c.origin.join(", ")).into_owned();
        for text in wrap(&format!("proposed by {origin}; no reasons were recorded"), width) {
            lines.push(Line::styled(text, t.dim()));
        }
        return lines;
    }
    let reasons = ordered(&c.reasons);
    let whole = reasons.iter().take_while(|r| r.field.is_empty()).count();
    if whole > 0 {
        lines.push(Line::styled("the candidate as a whole", t.header()));
        for r in &reasons[..whole] {
            entry(r, t, width, &mut lines);
        }
    }
    if whole < reasons.len() {
        if whole > 0 {
            lines.push(Line::raw(""));
        }
        let weighed = reasons[whole..].iter().any(|r| r.weight.is_some());
        let heading = if weighed { "per field, strongest evidence first" } else { "per field" };
        lines.push(Line::styled(heading, t.header()));
        for r in &reasons[whole..] {
            entry(r, t, width, &mut lines);
        }
    }
    lines
}

/// Draws the why screen of the candidate under review.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let Some(r) = &app.review else { return };
    let (t, c) = (app.theme, &r.data.candidate);
    let title = format!(
        "#{} {} · score {:.2} {} · why proposed",
        c.id,
        crate::text::visible(&c.object),
        c.score,
        score_bar(c.score, 8).trim_end()
    );
    title_row(app, &title, area, buf);
    let count = match c.reasons.len() {
        1 => "1 reason".to_string(),
        n => format!("{n} reasons"),
    };
    let summary = format!("proposed by {} · {} records · {count}", c.origin.join(", "), c.members.len());
    let lines = body(c, t, area.width as usize);
    let rows = visible_rows(area.height);
    // When the reasons are taller than the screen, the summary line says which lines are shown.
    let place = super::scroll_marker(app.why_offset, rows, lines.len(), &format!("{} lines", lines.len()));
    let room = (area.width as usize).saturating_sub(place.width());
    put(
        buf,
        area,
        1,
        &Line::from(vec![Span::styled(super::cell(&summary, room), t.dim()), Span::styled(place, t.key())]),
    );
    for (i, line) in lines.iter().skip(app.why_offset).take(rows).enumerate() {
        put(buf, area, TOP + i as u16, line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_every_character() {
        let cases: [(&str, usize, &[&str]); 6] = [
            ("exact (+15.12)", 40, &["exact (+15.12)"]),
            ("a bb ccc dddd", 6, &["a bb", "ccc", "dddd"]),
            ("abcdefghij", 4, &["abcd", "efgh", "ij"]),
            ("x 東京東京", 4, &["x", "東京", "東京"]),
            ("", 10, &[""]),
            ("two  spaces", 20, &["two spaces"]),
        ];
        for (text, width, want) in cases {
            assert_eq!(wrap(text, width), want, "{text:?} at {width}");
        }
    }

    #[test]
    fn strongest_evidence_first_after_the_whole_candidate() {
        let weighed =
            |field: &str, w: Option<f64>| Reason { field: field.into(), weight: w, ..Reason::text("") };
        let reasons = [
            weighed("city", Some(0.0)),
            weighed("", Some(30.0)),
            weighed("age", Some(-9.0)),
            weighed("note", None),
            weighed("email", Some(15.0)),
            weighed("", None),
            weighed("name", Some(-0.5)),
        ];
        let order: Vec<&str> = ordered(&reasons).iter().map(|r| r.field.as_str()).collect();
        assert_eq!(order, ["", "", "email", "age", "name", "city", "note"]);
    }
}
