//! The footer: the keys that work right now, from the key table; for a few
//! seconds after a key could not act, the reason instead.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::ui::app::App;
use crate::ui::keys::footer_entries;

/// Draw the footer (one row): the fresh notice if there is one, else as
/// many "key word" pairs as fit.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    if let Some(text) = app.notice() {
        let line = Line::from(vec![
            Span::raw(" "),
            Span::styled(text.to_string(), theme.warn()),
        ]);
        Paragraph::new(line).render(area, buf);
        return;
    }
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1usize;
    for (keys, word) in footer_entries(&app.key_context()) {
        let w = keys.len() + 1 + word.len() + 2;
        if used + w > area.width as usize {
            break;
        }
        used += w;
        spans.push(Span::styled(keys, theme.key()));
        spans.push(Span::raw(format!(" {word}  ")));
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}
