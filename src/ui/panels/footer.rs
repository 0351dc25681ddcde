//! The footer: the keys that work right now, from the key table; for a few
//! seconds after a key could not act, the reason instead. One row, or two
//! when the keys need them and the screen can spare a row
//! ([`super::footer_height`]).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::ui::app::App;
use crate::ui::keys::footer_entries;

/// Columns of one "key word" entry, with its two spaces of gap.
fn entry_width(keys: &str, word: &str) -> usize {
    keys.len() + 1 + word.len() + 2
}

/// The keys that work now, laid out in rows `width` wide: whole entries
/// only, in table order, a row starting where the one before is full.
fn layout_rows(app: &App, width: u16) -> Vec<Vec<(String, &'static str)>> {
    let mut rows: Vec<Vec<(String, &'static str)>> = vec![Vec::new()];
    let mut used = 1usize; // the leading space
    for (keys, word) in footer_entries(&app.key_context()) {
        let w = entry_width(&keys, word);
        if used + w > width as usize && used > 1 {
            rows.push(Vec::new());
            used = 1;
        }
        used += w;
        if let Some(row) = rows.last_mut() {
            row.push((keys, word));
        }
    }
    rows
}

/// Rows the keys that work now need at this width.
pub fn rows_needed(app: &App, width: u16) -> usize {
    layout_rows(app, width).len()
}

/// The footer's lines for an area `area` wide and high: the fresh notice
/// (shortened at a word boundary) if there is one, else as many rows of
/// "key word" entries as fit, never an entry cut in two.
pub fn lines(app: &App, area: Rect) -> Vec<Line<'static>> {
    let theme = &app.theme;
    if app.card_shown() {
        // Every key only closes the card: list none of them.
        let line = Line::styled(" any key: close this card", theme.key());
        return vec![theme.fit(line, area.width as usize)];
    }
    if let Some(typed) = &app.prompt {
        let line = Line::from(vec![
            Span::styled(" go to time: ", theme.key()),
            Span::styled(format!("{typed}_"), theme.strong()),
            Span::styled(
                "  (4.5s, 1m, or seconds)  Enter go  Esc cancel",
                theme.dim(),
            ),
        ]);
        return vec![theme.fit(line, area.width as usize)];
    }
    if let Some(text) = app.notice() {
        let line = Line::from(vec![
            Span::raw(" "),
            Span::styled(text.to_string(), theme.warn()),
        ]);
        return vec![theme.fit(line, area.width as usize)];
    }
    layout_rows(app, area.width)
        .into_iter()
        .take(area.height.max(1) as usize)
        .map(|row| {
            let mut spans = vec![Span::raw(" ")];
            for (keys, word) in row {
                spans.push(Span::styled(keys, theme.key()));
                spans.push(Span::raw(format!(" {word}  ")));
            }
            Line::from(spans)
        })
        .collect()
}

/// Draw the footer.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    Paragraph::new(lines(app, area)).render(area, buf);
}
