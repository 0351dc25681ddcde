//! The throughput panel: messages sent and received per second over the last
//! 60 s, with the current, average and peak rates. Braille chart, or ASCII
//! bars under `--ascii`.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Chart, Dataset, GraphType, Paragraph, Widget};

use crate::format;
use crate::probe::snapshot::{Bucket, BUCKET_US};
use crate::ui::app::App;
use crate::ui::theme::Theme;

/// Seconds of history drawn.
pub const WINDOW_SECS: f64 = 60.0;

/// One series: per-second rate at the end of each complete bucket.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rates {
    /// (seconds relative to now (<= 0), messages per second over the second before).
    pub points: Vec<(f64, f64)>,
    /// The newest point's rate.
    pub current: f64,
    /// Messages over the time covered, per second.
    pub average: f64,
    /// Highest rate seen.
    pub peak: f64,
}

/// Rolling one-second rates of `value` over the complete buckets (the last
/// bucket is still filling and is left out).
pub fn rates(buckets: &[Bucket], now_us: u64, value: impl Fn(&Bucket) -> u64) -> Rates {
    let complete = &buckets[..buckets.len().saturating_sub(1)];
    let Some(first) = complete.first() else {
        return Rates::default();
    };
    let mut points = Vec::with_capacity(complete.len());
    let mut lo = 0;
    let mut sum = 0u64;
    let mut total = 0u64;
    for (i, b) in complete.iter().enumerate() {
        sum += value(b);
        total += value(b);
        let end = b.start_us + BUCKET_US;
        while complete[lo].start_us + 1_000_000 < end {
            sum -= value(&complete[lo]);
            lo += 1;
        }
        debug_assert!(lo <= i);
        let span = (end - first.start_us).min(1_000_000);
        let rate = sum as f64 * 1e6 / span as f64;
        let x = -(now_us.saturating_sub(end) as f64 / 1e6);
        points.push((x, rate));
    }
    let last = complete
        .last()
        .map_or(first.start_us, |b| b.start_us + BUCKET_US);
    let covered = (last - first.start_us).max(1);
    Rates {
        current: points.last().map_or(0.0, |p| p.1),
        average: total as f64 * 1e6 / covered as f64,
        peak: points.iter().map(|p| p.1).fold(0.0, f64::max),
        points,
    }
}

/// Draw the throughput panel.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let Some((inner, chan)) = super::framed(app, "Throughput (msg/s, 60 s)", area, buf) else {
        return;
    };
    if inner.height < 2 {
        return;
    }
    let now = app.snapshot.at_us;
    let sent = rates(&chan.buckets, now, |b| b.sent);
    let recv = rates(&chan.buckets, now, |b| b.received);
    let narrow = inner.width < 40;
    let stats = vec![
        stat_line("sent", &sent, theme.sender(), theme, narrow),
        stat_line("recv", &recv, theme.receiver(), theme, narrow),
    ];
    Paragraph::new(stats).render(Rect { height: 2, ..inner }, buf);
    let chart_area = Rect {
        y: inner.y + 2,
        height: inner.height - 2,
        ..inner
    };
    if chart_area.height == 0 {
        return;
    }
    let top = sent.peak.max(recv.peak).max(1.0) * 1.1;
    if theme.ascii {
        ascii_chart(&sent, &recv, top, chart_area, buf, theme);
    } else {
        braille_chart(&sent, &recv, top, chart_area, buf, theme);
    }
}

fn stat_line(
    name: &str,
    r: &Rates,
    style: ratatui::style::Style,
    theme: &Theme,
    narrow: bool,
) -> Line<'static> {
    // Narrow panels drop the units of the average and the peak.
    let (avg, peak, pk) = if narrow {
        (
            format::rate_short(r.average),
            format::rate_short(r.peak),
            " pk ",
        )
    } else {
        (format::rate(r.average), format::rate(r.peak), " peak ")
    };
    let now = if narrow {
        format!("{}/s", format::rate_short(r.current))
    } else {
        format!("{:>8}", format::rate(r.current))
    };
    Line::from(vec![
        Span::styled(format!("{name} "), style),
        Span::styled(now, theme.strong()),
        Span::styled(" avg ", theme.dim()),
        Span::raw(avg),
        Span::styled(pk, theme.dim()),
        Span::raw(peak),
    ])
}

fn braille_chart(sent: &Rates, recv: &Rates, top: f64, area: Rect, buf: &mut Buffer, t: &Theme) {
    let with_axes = area.height >= 6;
    let datasets = vec![
        Dataset::default()
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(t.sender())
            .data(&sent.points),
        Dataset::default()
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(t.receiver())
            .data(&recv.points),
    ];
    let mut x_axis = Axis::default().bounds([-WINDOW_SECS, 0.0]);
    let mut y_axis = Axis::default().bounds([0.0, top]);
    if with_axes {
        x_axis = x_axis.labels(["-60s", "-30s", "now"]).style(t.dim());
        y_axis = y_axis
            .labels(["0".to_string(), format::rate(top / 1.1)])
            .style(t.dim());
    }
    Chart::new(datasets)
        .x_axis(x_axis)
        .y_axis(y_axis)
        .legend_position(None)
        .render(area, buf);
}

/// ASCII bars: `#` up to the sent rate, `o` at the received rate, one column
/// per slice of the window.
fn ascii_chart(sent: &Rates, recv: &Rates, top: f64, area: Rect, buf: &mut Buffer, t: &Theme) {
    let cols = area.width as usize;
    let rows = area.height as usize;
    let sample = |r: &Rates, col: usize| -> f64 {
        // The newest point at or before the column's right edge.
        let edge = -WINDOW_SECS + WINDOW_SECS * (col + 1) as f64 / cols as f64;
        r.points
            .iter()
            .take_while(|p| p.0 <= edge + 1e-9)
            .last()
            .filter(|p| p.0 > edge - WINDOW_SECS / cols as f64 - 0.1)
            .map_or(0.0, |p| p.1)
    };
    let height = |v: f64| -> usize { ((v / top) * rows as f64).round() as usize };
    for col in 0..cols {
        let hs = height(sample(sent, col));
        let hr = height(sample(recv, col));
        let x = area.x + col as u16;
        for row in 0..rows {
            let level = rows - row; // 1-based height of this row from the bottom
            let y = area.y + row as u16;
            if hr == level && hr > 0 {
                buf.set_string(x, y, "o", t.receiver());
            } else if hs >= level {
                buf.set_string(x, y, "#", t.sender());
            }
        }
    }
}
