//! The waiters panel: senders and receivers parked now (their wakers sit in
//! the channel's two waiter queues), their history as sparklines, and how
//! often waiters are woken.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::format;
use crate::probe::snapshot::{Bucket, ChannelSnapshot, BUCKET_US};
use crate::ui::app::App;
use crate::ui::theme::Theme;

/// Draw the waiters panel.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let Some((inner, chan)) = super::framed(app, "Waker queues: parked", area, buf) else {
        return;
    };
    let w = inner.width as usize;
    let mut lines = vec![
        count_line(
            "senders",
            chan.waiting_senders,
            chan.peak_waiting_senders,
            theme.sender(),
            theme,
        ),
        Line::styled(
            sparkline(&chan.buckets, w, |b| b.max_waiting_senders, theme),
            theme.sender(),
        ),
        count_line(
            "receivers",
            chan.waiting_receivers,
            chan.peak_waiting_receivers,
            theme.receiver(),
            theme,
        ),
        Line::styled(
            sparkline(&chan.buckets, w, |b| b.max_waiting_receivers, theme),
            theme.receiver(),
        ),
        Line::from(vec![
            Span::raw("wakes "),
            Span::styled(format::rate(wakes_per_sec(chan)), theme.strong()),
            Span::styled(
                format!("  total {}", format::count(chan.counters.wakes())),
                theme.dim(),
            ),
        ]),
    ];
    if inner.height as usize > lines.len() {
        lines.push(Line::styled(
            format!(
                "parked so far: {} sends, {} recvs",
                format::count(chan.counters.send_waits),
                format::count(chan.counters.recv_waits)
            ),
            theme.dim(),
        ));
    }
    Paragraph::new(lines).render(inner, buf);
}

fn count_line(
    who: &str,
    now: usize,
    peak: usize,
    style: ratatui::style::Style,
    theme: &Theme,
) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{who:<9} "), style),
        Span::styled(format!("{now:>3}"), theme.strong()),
        Span::raw(" waiting"),
        Span::styled(format!("  peak {peak}"), theme.dim()),
    ])
}

/// The last `width` buckets of `value` as a one-line bar chart, scaled to
/// the highest value shown (at least 1).
pub fn sparkline(
    buckets: &[Bucket],
    width: usize,
    value: impl Fn(&Bucket) -> usize,
    theme: &Theme,
) -> String {
    let shown = &buckets[buckets.len().saturating_sub(width)..];
    let max = shown.iter().map(&value).max().unwrap_or(0).max(1);
    let mut out = String::with_capacity(width * 3);
    for _ in shown.len()..width {
        out.push(' ');
    }
    for b in shown {
        let v = value(b);
        let level = if v == 0 { 0 } else { (v * 8).div_ceil(max) };
        out.push_str(theme.level(level));
    }
    out
}

/// Wakes per second over the last complete second of history.
pub fn wakes_per_sec(chan: &ChannelSnapshot) -> f64 {
    let complete = &chan.buckets[..chan.buckets.len().saturating_sub(1)];
    let last = &complete[complete.len().saturating_sub(10)..];
    if last.is_empty() {
        return 0.0;
    }
    let wakes: u64 = last.iter().map(|b| b.wakes).sum();
    wakes as f64 * 1e6 / (last.len() as u64 * BUCKET_US) as f64
}
