//! The type-state panel: every handle (S0, S1, ..., R0, ...) with its role,
//! its state (`Open`, `Closing`, `Closed`, `Dropped`) and when that changed,
//! under the channel's own lifecycle drawn as a timeline.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::format;
use crate::probe::snapshot::{ChannelSnapshot, HandleSnapshot, HandleState, Lifecycle};
use crate::ui::app::App;
use crate::ui::theme::Theme;

/// Draw the handles panel.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let Some((inner, chan)) = super::framed(app, "Type state", area, buf) else {
        return;
    };
    if inner.is_empty() {
        return;
    }
    let line = lifecycle_line(chan, theme, inner.width >= 44);
    // Word wrapping may need a row more than the bare width says.
    let tl_w = line.width();
    let tl_h = if tl_w <= inner.width as usize {
        1
    } else {
        (tl_w.div_ceil(inner.width as usize) + 1) as u16
    }
    .min(inner.height);
    let timeline = Paragraph::new(line).wrap(Wrap { trim: true });
    timeline.render(
        Rect {
            height: tl_h,
            ..inner
        },
        buf,
    );

    let rows = inner.height.saturating_sub(tl_h) as usize;
    let list = Rect {
        y: inner.y + tl_h,
        height: rows as u16,
        ..inner
    };
    let w = inner.width as usize;
    let lines: Vec<Line> = handle_lines(chan, theme, rows, w)
        .into_iter()
        .map(|l| theme.fit(l, w))
        .collect();
    Paragraph::new(lines).render(list, buf);
}

/// The style of a handle state.
pub fn state_style(state: HandleState, theme: &Theme) -> Style {
    match state {
        HandleState::Open => theme.sender(),
        HandleState::Closing => theme.warn(),
        HandleState::Closed => theme.bad(),
        HandleState::Dropped | HandleState::Absent => theme.dim(),
    }
}

/// "open 0.0s -> closing 12.3s -> closed": the stages reached, with when
/// (times only when `wide`).
fn lifecycle_line(chan: &ChannelSnapshot, theme: &Theme, wide: bool) -> Line<'static> {
    let mut spans = Vec::new();
    if wide {
        spans.push(Span::raw("channel "));
    }
    for (i, stage) in [Lifecycle::Open, Lifecycle::Closing, Lifecycle::Closed]
        .into_iter()
        .enumerate()
    {
        if i > 0 {
            spans.push(Span::styled(format!(" {} ", theme.arrow()), theme.dim()));
        }
        let when = if stage == Lifecycle::Open {
            chan.lifecycle_history.first().map(|c| c.at_us)
        } else {
            chan.lifecycle_history
                .iter()
                .find(|c| c.to == stage)
                .map(|c| c.at_us)
        };
        let current = chan.lifecycle == stage;
        let style = match (current, when.is_some() || stage == Lifecycle::Open) {
            (true, _) => theme.badge(match stage {
                Lifecycle::Open => ratatui::style::Color::Green,
                Lifecycle::Closing => ratatui::style::Color::Yellow,
                Lifecycle::Closed => ratatui::style::Color::Red,
            }),
            (false, true) => theme.text(),
            (false, false) => theme.dim(),
        };
        let text = if current {
            format!(" {} ", stage.as_str().to_uppercase())
        } else {
            stage.as_str().to_string()
        };
        spans.push(Span::styled(text, style));
        if let Some(at) = when.filter(|_| wide) {
            spans.push(Span::styled(
                format!(
                    " {}",
                    format::elapsed_us(at.saturating_sub(chan.created_us()))
                ),
                theme.dim(),
            ));
        }
    }
    Line::from(spans)
}

/// One line per handle: live ones first (creation order), then dropped ones,
/// and a "+N more" line when they do not all fit.
fn handle_lines(
    chan: &ChannelSnapshot,
    theme: &Theme,
    rows: usize,
    width: usize,
) -> Vec<Line<'static>> {
    if rows == 0 {
        return Vec::new();
    }
    let live: Vec<&HandleSnapshot> = chan
        .handles
        .iter()
        .filter(|h| h.state != HandleState::Dropped)
        .collect();
    let dropped: Vec<&HandleSnapshot> = chan
        .handles
        .iter()
        .filter(|h| h.state == HandleState::Dropped)
        .collect();
    let total = live.len() + dropped.len();
    let fit = if total > rows { rows - 1 } else { total };
    let wide = width >= 40;
    let mut lines: Vec<Line<'static>> = live
        .iter()
        .chain(dropped.iter())
        .take(fit)
        .map(|h| handle_line(h, chan.created_us(), theme, wide))
        .collect();
    if total > fit {
        let hidden_dropped = dropped.len().min(total - fit);
        lines.push(Line::styled(
            format!("+{} more ({hidden_dropped} dropped)", total - fit),
            theme.dim(),
        ));
    }
    lines
}

/// One handle; its time is scenario time, since the channel (`created_us`)
/// was created.
fn handle_line(h: &HandleSnapshot, created_us: u64, theme: &Theme, wide: bool) -> Line<'static> {
    let role_style = match h.role {
        crate::probe::snapshot::Role::Sender => theme.sender(),
        crate::probe::snapshot::Role::Receiver => theme.receiver(),
    };
    let mut spans = vec![
        Span::styled(
            format!("{:<4}", h.label()),
            role_style.patch(theme.strong()),
        ),
        Span::styled(format!("{:<9}", h.role.as_str()), theme.dim()),
        Span::styled(
            format!("{:<8}", h.state.as_str()),
            state_style(h.state, theme),
        ),
        Span::styled(
            format!(
                "@{}",
                format::elapsed_us(h.changed_at_us().saturating_sub(created_us))
            ),
            theme.dim(),
        ),
    ];
    if wide {
        if let Some(t) = h.transitions.last() {
            if t.from != HandleState::Absent {
                spans.push(Span::styled(
                    format!("  (was {})", t.from.as_str()),
                    theme.dim(),
                ));
            }
        }
    }
    Line::from(spans)
}
