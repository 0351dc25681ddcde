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

/// Draw the waiters panel (drawn large in the big layout).
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let Some((inner, chan)) = super::framed(app, "Waker queues: parked", area, buf) else {
        return;
    };
    let lines = if app.big {
        big_lines(chan, &app.theme, inner)
    } else {
        lines(chan, &app.theme, inner)
    };
    Paragraph::new(lines).render(inner, buf);
}

/// The first of `candidates` that fits in `width` columns; the last one
/// shortened at a word boundary if none does.
fn first_fit(candidates: Vec<Line<'static>>, width: usize, theme: &Theme) -> Line<'static> {
    let mut last = Line::default();
    for line in candidates {
        if line.width() <= width {
            return line;
        }
        last = line;
    }
    theme.fit(last, width)
}

/// The panel's lines inside `inner`: each side's count and peak, its
/// history, the wakes, and (with room) how often each side parked. Every
/// line fits the width: a narrow panel gets shorter wordings, never a cut
/// word.
pub fn lines(chan: &ChannelSnapshot, theme: &Theme, inner: Rect) -> Vec<Line<'static>> {
    let w = inner.width as usize;
    let mut lines = vec![
        count_line(
            "senders",
            chan.waiting_senders,
            chan.peak_waiting_senders,
            theme.sender(),
            theme,
            w,
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
            w,
        ),
        Line::styled(
            sparkline(&chan.buckets, w, |b| b.max_waiting_receivers, theme),
            theme.receiver(),
        ),
        wakes_line(chan, theme, w),
    ];
    if inner.height as usize > lines.len() {
        let sends = format::count(chan.counters.send_waits);
        let recvs = format::count(chan.counters.recv_waits);
        lines.push(first_fit(
            vec![
                Line::styled(
                    format!("parked so far: {sends} sends, {recvs} recvs"),
                    theme.dim(),
                ),
                Line::styled(format!("parked: {sends} sends, {recvs} recvs"), theme.dim()),
                Line::styled(format!("parked {sends} S, {recvs} R"), theme.dim()),
            ],
            w,
            theme,
        ));
    }
    lines
}

fn wakes_line(chan: &ChannelSnapshot, theme: &Theme, w: usize) -> Line<'static> {
    let rate = Span::styled(format::rate(wakes_per_sec(chan)), theme.strong());
    let total = format::count(chan.counters.wakes());
    first_fit(
        vec![
            Line::from(vec![
                Span::raw("wakes "),
                rate.clone(),
                Span::styled(format!("  total {total}"), theme.dim()),
            ]),
            Line::from(vec![Span::raw("wakes "), rate]),
        ],
        w,
        theme,
    )
}

fn count_line(
    who: &str,
    now: usize,
    peak: usize,
    style: ratatui::style::Style,
    theme: &Theme,
    w: usize,
) -> Line<'static> {
    let full = |pad: usize, gap: &str| {
        Line::from(vec![
            Span::styled(format!("{who:<pad$} "), style),
            Span::styled(format!("{now:>3}"), theme.strong()),
            Span::raw(" waiting"),
            Span::styled(format!("{gap}peak {peak}"), theme.dim()),
        ])
    };
    first_fit(
        vec![
            full(9, "  "),
            full(9, " "),
            Line::from(vec![
                Span::styled(format!("{who:<9} "), style),
                Span::styled(format!("{now:>3}"), theme.strong()),
                Span::styled(format!(" (peak {peak})"), theme.dim()),
            ]),
            Line::from(vec![
                Span::styled(format!("{who:<9} "), style),
                Span::styled(format!("{now:>3}"), theme.strong()),
                Span::raw(" waiting"),
            ]),
        ],
        w,
        theme,
    )
}

/// The big layout's lines: each side's queue drawn as one block per parked
/// task (as tall as the rows allow, up to four), its count and peak in
/// words, and the wakes per second.
pub fn big_lines(chan: &ChannelSnapshot, theme: &Theme, inner: Rect) -> Vec<Line<'static>> {
    let w = inner.width as usize;
    let h = inner.height as usize;
    // Each side: a count line and `tall` rows of blocks; then the wakes;
    // a blank line after each side when there is room.
    let gaps = h >= 2 * 2 + 1 + 2;
    let spare = h.saturating_sub(1 + if gaps { 2 } else { 0 });
    let tall = (spare / 2).saturating_sub(1).clamp(1, 4);
    let block_w = if w >= 40 { 6 } else { 4 };
    let mut lines = Vec::new();
    for (who, now, peak, style) in [
        (
            "senders",
            chan.waiting_senders,
            chan.peak_waiting_senders,
            theme.sender(),
        ),
        (
            "receivers",
            chan.waiting_receivers,
            chan.peak_waiting_receivers,
            theme.receiver(),
        ),
    ] {
        let count = first_fit(
            vec![
                Line::from(vec![
                    Span::styled(format!("{who} waiting: "), style.patch(theme.strong())),
                    Span::styled(now.to_string(), theme.strong()),
                    Span::styled(format!("   peak {peak}"), theme.dim()),
                ]),
                Line::from(vec![
                    Span::styled(format!("{who}: "), style.patch(theme.strong())),
                    Span::styled(now.to_string(), theme.strong()),
                    Span::styled(format!(" (peak {peak})"), theme.dim()),
                ]),
            ],
            w,
            theme,
        );
        lines.push(count);
        let queue = queue_line(now, w, block_w, theme, style);
        lines.push(queue.clone());
        for _ in 1..tall {
            // "(none)" once; blocks as tall as the rows allow.
            lines.push(if now == 0 {
                Line::raw("")
            } else {
                queue.clone()
            });
        }
        if gaps {
            lines.push(Line::raw(""));
        }
    }
    lines.push(wakes_line(chan, theme, w));
    lines
}

/// `n` parked tasks as one block each, `block_w` columns with its gap;
/// when they do not all fit, as many as do and "+N".
fn queue_line(
    n: usize,
    w: usize,
    block_w: usize,
    theme: &Theme,
    style: ratatui::style::Style,
) -> Line<'static> {
    if n == 0 {
        return Line::styled("(none)", theme.dim());
    }
    let block = theme.full().repeat(block_w - 1);
    let fit = w / block_w;
    let (shown, more) = if n <= fit {
        (n, 0)
    } else {
        // Leave room for "+N".
        let room = w.saturating_sub(format!("+{n}").len()) / block_w;
        (room, n - room)
    };
    let mut spans: Vec<Span<'static>> = (0..shown)
        .map(|_| Span::styled(format!("{block} "), style))
        .collect();
    if more > 0 {
        spans.push(Span::styled(format!("+{more}"), theme.strong()));
    }
    Line::from(spans)
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
