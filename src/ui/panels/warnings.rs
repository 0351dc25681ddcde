//! The warning rows: what is wrong with the channel shown, in plain words,
//! and what to try, just above the footer. Only the warnings that the
//! view's filter shows (`--warn`, `--allow`); nothing when none is on.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::format;
use crate::ui::app::App;

/// The rows for the warnings on now, at most `max_rows`: the first
/// warning in full (wrapped) with what to try, then one row per other one.
pub fn lines(app: &App, width: u16, max_rows: usize) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let w = width as usize;
    let Some(chan) = app.channel() else {
        return Vec::new();
    };
    let shown: Vec<_> = app.warnings.apply(&chan.insight.warnings).collect();
    if shown.is_empty() || max_rows == 0 {
        return Vec::new();
    }
    let mark = if theme.ascii { "!" } else { "⚠" };
    let at = app.snapshot.at_us;
    let mut out = Vec::new();
    for (i, warning) in shown.iter().enumerate() {
        let head = format!(
            "{mark} {} ({}):",
            warning.kind,
            format::age_us(at.saturating_sub(warning.since_us))
        );
        if i == 0 {
            // Say it all if the rows allow: what, then what to try.
            let others = shown.len() - 1;
            let room = max_rows.saturating_sub(others.min(1)).max(1);
            let what = crate::ui::text::wrap(&format!("{head} {}", warning.what), w);
            let try_this = crate::ui::text::wrap(&format!("  try: {}", warning.try_this), w);
            let mut rows: Vec<Line<'static>> = Vec::new();
            for l in &what {
                rows.push(Line::styled(l.clone(), theme.warn()));
            }
            for l in &try_this {
                rows.push(Line::styled(l.clone(), theme.dim()));
            }
            if rows.len() > room {
                // Keep the first rows; the last one kept takes the rest,
                // shortened at a word.
                let all: Vec<String> = what.iter().chain(&try_this).cloned().collect();
                rows.truncate(room - 1);
                let rest = all[room - 1..].join(" ");
                let style = if room - 1 < what.len() {
                    theme.warn()
                } else {
                    theme.dim()
                };
                rows.push(theme.fit(Line::styled(rest, style), w));
            }
            out.extend(rows);
        } else if out.len() < max_rows {
            out.push(theme.fit(
                Line::from(vec![
                    Span::styled(head, theme.warn()),
                    Span::raw(" "),
                    Span::raw(warning.what.clone()),
                ]),
                w,
            ));
        }
    }
    out.truncate(max_rows);
    out
}

/// Rows the warnings take on a screen of `area`: none without a warning;
/// up to 2 on a small screen, 4 from 30 rows up.
pub fn height(app: &App, area: Rect) -> u16 {
    let max = if area.height >= super::TWO_ROW_FOOTER_HEIGHT {
        4
    } else {
        2
    };
    lines(app, area.width, max).len() as u16
}

/// Draw the warnings in `area`.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let rows = lines(app, area.width, area.height as usize);
    Paragraph::new(rows).render(area, buf);
}
