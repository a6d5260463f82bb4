//! The `?` overlay: every key of the current screen (and of the text prompts), read from the
//! keymap table, in one or two columns.

use super::{context, pad, put};
use crate::tui::app::App;
use crate::tui::keymap::{self, Context};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Widget};

/// One line of the overlay: a section title, or keys and what they do.
enum Item {
    Title(&'static str),
    Key(String, &'static str),
    Text(&'static str),
}

fn items(app: &App) -> Vec<Item> {
    let here = context(app);
    let mut out = vec![Item::Title(here.title())];
    out.extend(keymap::help(here).into_iter().map(|(k, h)| Item::Key(k, h)));
    if matches!(here, Context::Queue | Context::Review) {
        out.push(Item::Title(Context::Prompt.title()));
        out.extend(keymap::help(Context::Prompt).into_iter().map(|(k, h)| Item::Key(k, h)));
    }
    out.push(Item::Text(keymap::MOUSE_HELP));
    out
}

/// Draws the overlay over the screen.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let t = app.theme;
    let box_area = area;
    Clear.render(box_area, buf);
    let block =
        Block::default().borders(Borders::ALL).title(" keys · any key closes ").border_style(t.title());
    let inner = block.inner(box_area);
    block.render(box_area, buf);
    let items = items(app);
    let rows = inner.height as usize;
    let columns = if items.len() > rows && inner.width >= 70 { 2 } else { 1 };
    let col_w = inner.width as usize / columns;
    let key_w = 10;
    for (i, item) in items.iter().enumerate() {
        let (col, row) = (i / rows.max(1), i % rows.max(1));
        if col >= columns {
            break;
        }
        let line = match item {
            Item::Title(s) => Line::styled(pad(s.to_string(), col_w), t.header()),
            Item::Key(k, h) => Line::from(vec![
                Span::styled(pad(k.clone(), key_w), t.key()),
                Span::raw(pad(h.to_string(), col_w.saturating_sub(key_w))),
            ]),
            Item::Text(s) => Line::styled(pad(s.to_string(), col_w), t.dim()),
        };
        let cell_area =
            Rect { x: inner.x + (col * col_w) as u16, y: inner.y, width: col_w as u16, height: inner.height };
        put(buf, cell_area, row as u16, &line);
    }
}
