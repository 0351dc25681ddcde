//! The description card: the scenario's title and its whole description in
//! a box over the picture, wrapped at word boundaries and, when there is
//! room, double-spaced so that it reads from the back of a room. Shown as a
//! run starts when the header cannot hold the description, and on `d`.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Widget};

use crate::ui::app::{App, Card};
use crate::ui::keys::{self, KeyAction};
use crate::ui::text;

/// Widest the card's text gets: longer lines are hard to follow.
pub const TEXT_WIDTH: u16 = 72;

/// The lines inside the card, for text `width` columns wide: the
/// description, then how to close the card. Double-spaced when `spaced`.
pub fn lines(app: &App, width: usize, spaced: bool) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let mut out = Vec::new();
    let description = if app.description.trim().is_empty() {
        "(this scenario has no description)"
    } else {
        &app.description
    };
    for l in text::wrap(description, width) {
        out.push(Line::raw(l));
        if spaced {
            out.push(Line::raw(""));
        }
    }
    if !spaced {
        out.push(Line::raw(""));
    }
    let close = if app.card == (Card::Shown { resume: true }) {
        "any key: back to the run (it is paused while you read)"
    } else {
        "any key: back to the picture"
    };
    let quit = keys::BINDINGS
        .iter()
        .find(|b| b.action == KeyAction::Quit)
        .and_then(|b| b.keys.iter().find(|k| k.ctrl))
        .map(|k| format!(" {} {k}: quit", theme.sep()))
        .unwrap_or_default();
    let again = format!(
        "{}: show this again{quit}",
        keys::first_key(KeyAction::Describe)
    );
    for l in text::wrap(close, width)
        .into_iter()
        .chain(text::wrap(&again, width))
    {
        out.push(Line::from(Span::styled(l, theme.key())));
    }
    out
}

/// Where the card goes on a screen of `screen`, inside `room` (the rows
/// between the header and the footer, or the whole screen when those are
/// too few), and its lines.
pub fn place(app: &App, screen: Rect, room: Rect) -> (Rect, Vec<Line<'static>>) {
    let card_w = screen.width.saturating_sub(4).min(TEXT_WIDTH + 4);
    let text_w = card_w.saturating_sub(4).max(1) as usize;
    let spaced = lines(app, text_w, true);
    let single = lines(app, text_w, false);
    let fits = |n: usize, r: Rect| n + 2 <= r.height as usize;
    let (body, room) = if fits(spaced.len(), room) {
        (spaced, room)
    } else if fits(single.len(), room) {
        (single, room)
    } else {
        (single, screen)
    };
    let card_h = (body.len() as u16 + 2).min(room.height);
    let rect = Rect {
        x: screen.x + (screen.width - card_w) / 2,
        y: room.y + (room.height - card_h) / 2,
        width: card_w,
        height: card_h,
    };
    (rect, body)
}

/// Draw the card over `room` of the screen `screen`. The whole room is
/// cleared first, so that no panel shows half a word beside the card.
pub fn render(app: &App, screen: Rect, room: Rect, buf: &mut Buffer) {
    let (rect, body) = place(app, screen, room);
    if rect.is_empty() {
        return;
    }
    Clear.render(room.union(rect), buf);
    boxed(app, &app.title, body, rect, buf);
}

/// `lines` in a titled box over `rect` (cleared first), one column of
/// padding each side: the card's and a lesson's box.
pub fn boxed(app: &App, title: &str, lines: Vec<Line<'static>>, rect: Rect, buf: &mut Buffer) {
    Clear.render(rect, buf);
    let block = app.theme.block(title);
    let inner = block.inner(rect);
    block.render(rect, buf);
    let padded = Rect {
        x: inner.x + 1,
        width: inner.width.saturating_sub(2),
        ..inner
    };
    Paragraph::new(lines).render(padded, buf);
}
