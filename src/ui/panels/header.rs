//! The header: what is running and what the tool itself is doing (mode,
//! elapsed time, events seen and dropped, frame time).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::scenario::control::Mode;
use crate::ui::app::App;
use crate::ui::theme::{fmt_count, fmt_elapsed_us};

/// Draw the header (two rows).
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let color = match app.mode {
        Mode::Running => Color::Green,
        Mode::Paused => Color::Yellow,
        Mode::Step => Color::Cyan,
        Mode::Finished => Color::Magenta,
    };
    let snap = &app.snapshot;
    let mut right = vec![
        Span::styled("elapsed ", theme.dim()),
        Span::styled(fmt_elapsed_us(snap.at_us), theme.strong()),
        Span::styled("  events ", theme.dim()),
        Span::raw(fmt_count(snap.events_seen)),
        Span::styled("  dropped ", theme.dim()),
        Span::styled(
            fmt_count(snap.events_dropped),
            if snap.events_dropped > 0 {
                theme.warn()
            } else {
                theme.text()
            },
        ),
    ];
    if area.width >= 110 {
        right.push(Span::styled("  frame ", theme.dim()));
        right.push(Span::raw(format!(
            "{:.1}ms",
            app.frame_time.as_secs_f64() * 1e3
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
    let lines = vec![
        Line::from(spans),
        Line::styled(format!(" {}", app.description), theme.dim()),
    ];
    Paragraph::new(lines).render(area, buf);
}
