//! The header: what is running and what the tool itself is doing (mode,
//! elapsed time, events seen and dropped, frame time).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::format;
use crate::scenario::control::Mode;
use crate::ui::app::App;

/// Rows the header takes: the title line, then the scenario's description,
/// wrapped to as many as three lines (four from 40 rows) when the screen is roomy (one line,
/// cut, on a compact screen).
pub fn height(app: &App, area: Rect) -> u16 {
    if area.height < super::ROOMY_HEIGHT {
        return 2;
    }
    let width = area.width.saturating_sub(2).max(1) as usize;
    let words = app.description.split_whitespace();
    // Greedy word wrap, the same way `Wrap` lays it out (close enough to
    // size the area; the paragraph itself does the real wrapping).
    let mut lines = 1usize;
    let mut used = 0usize;
    for w in words {
        let n = w.chars().count();
        if used > 0 && used + 1 + n > width {
            lines += 1;
            used = n;
        } else {
            used += if used > 0 { 1 + n } else { n };
        }
    }
    let most = if area.height >= 40 { 4 } else { 3 };
    1 + lines.clamp(1, most) as u16
}

/// Draw the header (two rows, or up to four on a roomy screen).
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let color = match app.mode {
        Mode::Running => Color::Green,
        Mode::Paused => Color::Yellow,
        Mode::Step => Color::Cyan,
        Mode::Finished => Color::Magenta,
    };
    let snap = &app.snapshot;
    // Scenario time of this run: it stands still while paused.
    let now = snap
        .current()
        .map_or(snap.at_us, |c| snap.since_created(c.chan, snap.at_us));
    let mut right = vec![
        Span::styled("elapsed ", theme.dim()),
        Span::styled(format::elapsed_us(now), theme.strong()),
        Span::styled("  events ", theme.dim()),
        Span::raw(format::count(snap.events_seen)),
        Span::styled("  dropped ", theme.dim()),
        Span::styled(
            format::count(snap.events_dropped),
            if snap.events_dropped > 0 {
                theme.warn()
            } else {
                theme.text()
            },
        ),
    ];
    if area.width >= 110 {
        right.push(Span::styled("  frame ", theme.dim()));
        right.push(Span::raw(format::millis(
            app.frame_time.as_secs_f64() * 1e3,
        )));
    }
    let left = vec![
        Span::styled(" chanviz ", theme.title()),
        Span::styled(app.title.clone(), theme.strong()),
        Span::raw("  "),
        Span::styled(format!(" {} ", app.mode.label()), theme.badge(color)),
        Span::raw("  "),
    ];
    let left_w: usize = left.iter().map(|s| s.width()).sum();
    let right_w: usize = right.iter().map(|s| s.width()).sum();
    let mut spans = left;
    let gap = (area.width as usize).saturating_sub(left_w + right_w + 1);
    spans.push(Span::raw(" ".repeat(gap)));
    spans.extend(right);
    Paragraph::new(Line::from(spans)).render(Rect { height: 1, ..area }, buf);
    if area.height > 1 {
        let rest = Rect {
            x: area.x + 1,
            y: area.y + 1,
            width: area.width.saturating_sub(2),
            height: area.height - 1,
        };
        Paragraph::new(Line::styled(app.description.clone(), theme.dim()))
            .wrap(Wrap { trim: true })
            .render(rest, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::Theme;

    #[test]
    fn a_long_description_wraps_on_a_roomy_screen_only() {
        let long = "word ".repeat(60); // 300 characters
        let app = App::new("t", long.trim(), Theme::default());
        assert_eq!(
            height(&app, Rect::new(0, 0, 120, 24)),
            2,
            "compact: one cut line"
        );
        assert_eq!(
            height(&app, Rect::new(0, 0, 120, 32)),
            4,
            "roomy: three lines"
        );
        assert_eq!(
            height(&app, Rect::new(0, 0, 120, 40)),
            4,
            "300 chars fit in three"
        );
        let short = App::new("t", "one line", Theme::default());
        assert_eq!(height(&short, Rect::new(0, 0, 120, 40)), 2);
        let longer = App::new("t", "word ".repeat(100).trim(), Theme::default());
        assert_eq!(
            height(&longer, Rect::new(0, 0, 120, 40)),
            5,
            "at most four lines"
        );

        let mut buf = Buffer::empty(Rect::new(0, 0, 120, 4));
        render(&app, Rect::new(0, 0, 120, 4), &mut buf);
        let row3: String = (0..120).map(|x| buf[(x, 3)].symbol()).collect();
        assert!(
            row3.contains("word"),
            "the third description line is drawn: {row3:?}"
        );
    }
}
