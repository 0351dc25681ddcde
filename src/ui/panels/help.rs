//! The help screen: every key (from the key table) and how to read the
//! picture: head, tail, the waker queues, the type states.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Widget, Wrap};

use crate::ui::app::App;
use crate::ui::keys::help_rows;
use crate::ui::theme::Theme;

/// What the picture means, one paragraph per idea: (term, explanation).
pub fn explanations(theme: &Theme) -> Vec<(&'static str, String)> {
    vec![
        (
            "Ring",
            format!(
                "the buffer: slots used round and round. {} holds a message (S2#5: S2's 5th), {} is empty.",
                theme.full(),
                theme.hollow()
            ),
        ),
        (
            "head (H)",
            "the next position a sender writes; tail (T): the next one read. slot = pos % capacity, len = head - tail.".to_string(),
        ),
        (
            "Waker queue",
            "a sender finding the ring full parks with its message until a pop moves it in, first parked first (next: ...); receivers wait for a push.".to_string(),
        ),
        (
            "Type state",
            "a handle's state is in its type: Sender<T, Open> sends; close() gives Sender<T, Closing>; once drained, Sender<T, Closed>. The channel: open -> closing -> closed.".to_string(),
        ),
    ]
}

/// One line per (term, text): the term in `style`, `width` wide.
fn pairs(
    rows: impl IntoIterator<Item = (String, String)>,
    style: Style,
    width: usize,
) -> Vec<Line<'static>> {
    rows.into_iter()
        .map(|(term, text)| {
            // A term as wide as the column or wider still gets its space.
            let term = if width > 0 && term.chars().count() >= width {
                format!("{term} ")
            } else {
                format!("{term:<width$}")
            };
            Line::from(vec![Span::styled(term, style), Span::raw(text)])
        })
        .collect()
}

fn key_lines(theme: &Theme) -> Vec<Line<'static>> {
    pairs(help_rows(), theme.key(), 11)
}

fn explanation_lines(theme: &Theme) -> Vec<Line<'static>> {
    let rows = explanations(theme)
        .into_iter()
        .map(|(term, text)| (format!("{term}: "), text));
    pairs(rows, theme.title(), 0)
}

/// Draw the help over `area`.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    Clear.render(area, buf);
    let block = theme.block("Help: keys, and how to read the picture  (? or Esc: close)");
    let inner = block.inner(area);
    block.render(area, buf);
    let keys = key_lines(theme);
    if inner.width >= 110 {
        // Keys on the left, the picture explained on the right.
        let [left, right] =
            Layout::horizontal([Constraint::Length(44), Constraint::Fill(1)]).areas(inner);
        Paragraph::new(fit_all(theme, keys, left.width)).render(left, buf);
        Paragraph::new(spaced(explanation_lines(theme)))
            .wrap(Wrap { trim: true })
            .render(right, buf);
    } else {
        // Keys in two columns on top, the explanations under them.
        let half = keys.len().div_ceil(2);
        let [top, bottom] =
            Layout::vertical([Constraint::Length(half as u16), Constraint::Fill(1)]).areas(inner);
        let [l, r] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Fill(1)]).areas(top);
        let mut keys = keys;
        let right_keys = keys.split_off(half);
        Paragraph::new(fit_all(theme, keys, l.width)).render(l, buf);
        Paragraph::new(fit_all(theme, right_keys, r.width)).render(r, buf);
        Paragraph::new(explanation_lines(theme))
            .wrap(Wrap { trim: true })
            .render(bottom, buf);
    }
}

/// Each line shortened at a word boundary to `width` if it is wider.
fn fit_all(theme: &Theme, lines: Vec<Line<'static>>, width: u16) -> Vec<Line<'static>> {
    lines
        .into_iter()
        .map(|l| theme.fit(l, width as usize))
        .collect()
}

fn spaced(lines: Vec<Line<'static>>) -> Vec<Line<'static>> {
    let mut out = Vec::with_capacity(lines.len() * 2);
    for l in lines {
        out.push(l);
        out.push(Line::raw(""));
    }
    out
}
