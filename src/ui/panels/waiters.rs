//! The waiters panel: senders and receivers parked now (their wakers sit in
//! the channel's two waiter queues), each queue in the order it is woken
//! with how long each has waited, who woke whom last, their history as
//! sparklines, and how often waiters are woken.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::format;
use crate::probe::snapshot::{Bucket, ChannelSnapshot, Role, Side, WakeCause, BUCKET_US};
use crate::ui::app::App;
use crate::ui::theme::Theme;

/// Draw the waiters panel (drawn large in the big layout).
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let Some((inner, chan)) = super::framed(app, "Waker queues: parked", area, buf) else {
        return;
    };
    let at_us = app.snapshot.at_us;
    let lines = if app.big {
        big_lines(chan, &app.theme, inner, at_us)
    } else {
        lines(chan, &app.theme, inner, at_us)
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

/// The panel's lines inside `inner`: each side's count and peak, its queue
/// in wake order, who woke whom last; then, as rows allow, each side's
/// history, the wakes per second, and how often each side parked. Every
/// line fits the width: a narrow panel gets shorter wordings, never a cut
/// word.
pub fn lines(chan: &ChannelSnapshot, theme: &Theme, inner: Rect, at_us: u64) -> Vec<Line<'static>> {
    let w = inner.width as usize;
    let h = inner.height as usize;
    // A wake's depth can reach the probe after the woken future's next park
    // (it is reported once the waker has run): the list, kept in ticket
    // order, is then the fresher of the two.
    let (now_s, now_r) = (
        chan.waiting_senders.max(chan.insight.parked_senders.len()),
        chan.waiting_receivers
            .max(chan.insight.parked_receivers.len()),
    );
    let senders = count_line(
        "senders",
        now_s,
        chan.peak_waiting_senders,
        theme.sender(),
        theme,
        w,
    );
    let receivers = count_line(
        "receivers",
        now_r,
        chan.peak_waiting_receivers,
        theme.receiver(),
        theme,
        w,
    );
    let s_queue = order_line(chan, Side::Senders, theme, w, at_us);
    let r_queue = order_line(chan, Side::Receivers, theme, w, at_us);
    let woke = woke_line(chan, theme, w, at_us);
    // Five rows are the story; sparklines and rates come with more.
    let spark = h >= 8;
    let mut lines = vec![senders, s_queue];
    if spark {
        lines.push(Line::styled(
            sparkline(&chan.buckets, w, |b| b.max_waiting_senders, theme),
            theme.sender(),
        ));
    }
    lines.push(receivers);
    lines.push(r_queue);
    if spark {
        lines.push(Line::styled(
            sparkline(&chan.buckets, w, |b| b.max_waiting_receivers, theme),
            theme.receiver(),
        ));
    }
    lines.push(woke);
    if h > lines.len() {
        lines.push(wakes_line(chan, theme, w));
    }
    if h > lines.len() {
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

/// A handle's label: `S2`, `R0`.
fn label(role: Role, id: u64) -> String {
    format!("{}{id}", role.prefix())
}

/// One queue in the order the channel wakes it: `next: S2 1.2s › S4 0.9s`;
/// when that does not fit, the first one's wait only, then the names, then
/// as many as fit and `+N` for the rest; `(none parked)` when empty.
fn order_line(
    chan: &ChannelSnapshot,
    side: Side,
    theme: &Theme,
    w: usize,
    at_us: u64,
) -> Line<'static> {
    let parked = chan.insight.parked(side);
    let style = match side {
        Side::Senders => theme.sender(),
        Side::Receivers => theme.receiver(),
    }
    .patch(theme.strong());
    if parked.is_empty() {
        return Line::styled(" (none parked)", theme.dim());
    }
    let gap = format!(" {} ", if theme.ascii { ">" } else { "›" });
    let items: Vec<(String, String)> = parked
        .iter()
        .map(|p| {
            (
                label(side.role(), p.handle),
                format::age_us(at_us.saturating_sub(p.since_us)),
            )
        })
        .collect();
    // `aged`: how many of the first items carry their wait; `shown`: how
    // many are drawn (the rest are `+N`).
    let build = |aged: usize, shown: usize| {
        let mut spans = vec![Span::styled(" next: ", theme.dim())];
        for (i, (name, age)) in items.iter().take(shown).enumerate() {
            if i > 0 {
                spans.push(Span::styled(gap.clone(), theme.dim()));
            }
            spans.push(Span::styled(name.clone(), style));
            if i < aged {
                spans.push(Span::styled(format!(" {age}"), theme.dim()));
            }
        }
        if shown < items.len() {
            spans.push(Span::styled(
                format!(" +{}", items.len() - shown),
                theme.strong(),
            ));
        }
        Line::from(spans)
    };
    let n = items.len();
    let mut candidates = vec![build(n, n), build(1, n), build(0, n)];
    for shown in (1..n).rev() {
        candidates.push(build(1, shown));
        candidates.push(build(0, shown));
    }
    first_fit(candidates, w, theme)
}

/// Who woke whom last: `R1 popped slot 2 → woke S1`.
fn woke_line(chan: &ChannelSnapshot, theme: &Theme, w: usize, at_us: u64) -> Line<'static> {
    let Some(wake) = chan.insight.wakes.last() else {
        return Line::styled("no wake yet", theme.dim());
    };
    let woken = label(wake.side.role(), wake.woken);
    let ago = format::age_us(at_us.saturating_sub(wake.at_us));
    let by = wake
        .cause
        .by_role(wake.side)
        .map(|role| label(role, wake.by));
    let deed = match (wake.cause, by.clone(), wake.slot) {
        (WakeCause::Pop, Some(by), Some(slot)) => format!("{by} popped slot {slot}"),
        (WakeCause::Push, Some(by), Some(slot)) => format!("{by} pushed slot {slot}"),
        (WakeCause::Pop, Some(by), None) => format!("{by} popped"),
        (WakeCause::Push, Some(by), None) => format!("{by} pushed"),
        (WakeCause::Pass, Some(by), _) => format!("{by} passed its wakeup"),
        (WakeCause::Close { .. }, Some(by), _) => format!("{by} closed"),
        _ => String::new(),
    };
    let arrow = theme.arrow();
    let candidates = if let (WakeCause::Handoff { .. }, Some(by)) = (wake.cause, &by) {
        // The pop (or a parked sender) moved the woken sender's message into
        // the ring: the send is done before the sender even runs.
        let slot = wake.slot.map_or(String::new(), |s| format!(" slot {s}"));
        let done = |text: String| {
            Line::from(vec![
                Span::raw(text),
                Span::styled(woken.clone(), theme.strong()),
                Span::raw(", sent"),
            ])
        };
        vec![
            done(format!("{by} moved its message into{slot} {arrow} woke ")),
            done(format!("{by} handed{slot} over {arrow} woke ")),
            done(format!("{by} handed{slot} {arrow} woke ")),
            done(format!("{by} {arrow} woke ")),
        ]
    } else if deed.is_empty() {
        vec![Line::from(vec![
            Span::raw("last wake: "),
            Span::styled(woken, theme.strong()),
            Span::styled(format!(" {ago} ago"), theme.dim()),
        ])]
    } else {
        vec![
            Line::from(vec![
                Span::raw(deed.clone()),
                Span::raw(format!(" {arrow} woke ")),
                Span::styled(woken.clone(), theme.strong()),
                Span::styled(format!(" {ago} ago"), theme.dim()),
            ]),
            Line::from(vec![
                Span::raw(deed.clone()),
                Span::raw(format!(" {arrow} woke ")),
                Span::styled(woken.clone(), theme.strong()),
            ]),
            Line::from(vec![
                Span::raw(deed.split(" slot ").next().unwrap_or(&deed).to_string()),
                Span::raw(format!(" {arrow} woke ")),
                Span::styled(woken.clone(), theme.strong()),
            ]),
            Line::from(vec![
                Span::raw(deed.split(' ').next().unwrap_or("").to_string()),
                Span::raw(format!(" {arrow} woke ")),
                Span::styled(woken, theme.strong()),
            ]),
        ]
    };
    first_fit(candidates, w, theme)
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
/// task, first to wake on the left, named and with its wait under the name
/// (as tall as the rows allow, up to four), its count and peak in words,
/// who woke whom last, and the wakes per second.
pub fn big_lines(
    chan: &ChannelSnapshot,
    theme: &Theme,
    inner: Rect,
    at_us: u64,
) -> Vec<Line<'static>> {
    let w = inner.width as usize;
    let h = inner.height as usize;
    // Each side: a count line and `tall` rows of blocks; then the wakes;
    // a blank line after each side when there is room.
    let gaps = h >= 2 * 2 + 1 + 2;
    let spare = h.saturating_sub(1 + if gaps { 2 } else { 0 });
    let tall = (spare / 2).saturating_sub(1).clamp(1, 4);
    let block_w = if w >= 24 { 6 } else { 4 };
    let mut lines = Vec::new();
    for (side, who, now, peak, style) in [
        (
            Side::Senders,
            "senders",
            chan.waiting_senders,
            chan.peak_waiting_senders,
            theme.sender(),
        ),
        (
            Side::Receivers,
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
        let parked = chan.insight.parked(side);
        let names: Vec<String> = parked
            .iter()
            .map(|p| label(side.role(), p.handle))
            .collect();
        let ages: Vec<String> = parked
            .iter()
            .map(|p| format::age_us(at_us.saturating_sub(p.since_us)))
            .collect();
        // The count is exact even through a gap in the events; the names
        // come from the fold, so fill any it lacks with blocks.
        let n = now.max(names.len());
        let queue = queue_line(n, &names, w, block_w, theme, style);
        lines.push(queue);
        for row in 1..tall {
            // "(none)" once; blocks as tall as the rows allow, the waits
            // on the second row.
            lines.push(if n == 0 {
                Line::raw("")
            } else if row == 1 {
                queue_line(n, &ages, w, block_w, theme, style)
            } else {
                queue_line(n, &[], w, block_w, theme, style)
            });
        }
        if gaps {
            lines.push(Line::raw(""));
        }
    }
    lines.push(woke_line(chan, theme, w, at_us));
    lines.push(wakes_line(chan, theme, w));
    lines
}

/// `n` parked tasks as one block each, `block_w` columns with its gap,
/// each with its text from `texts` when it fits (first to wake first);
/// when they do not all fit, as many as do and "+N".
fn queue_line(
    n: usize,
    texts: &[String],
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
    let body = block_w - 1;
    let named = if theme.color {
        ratatui::style::Style::new()
            .fg(ratatui::style::Color::Black)
            .bg(style.fg.unwrap_or(ratatui::style::Color::Reset))
    } else {
        ratatui::style::Style::new().add_modifier(ratatui::style::Modifier::REVERSED)
    };
    let mut spans: Vec<Span<'static>> = Vec::new();
    for i in 0..shown {
        match texts.get(i) {
            Some(t) if crate::ui::text::width(t) <= body => {
                let pad = body - crate::ui::text::width(t);
                let text = format!("{}{t}{}", " ".repeat(pad / 2), " ".repeat(pad - pad / 2));
                spans.push(Span::styled(text, named));
                spans.push(Span::raw(" "));
            }
            _ => spans.push(Span::styled(format!("{block} "), style)),
        }
    }
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
