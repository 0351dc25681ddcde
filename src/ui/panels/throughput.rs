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
/// [`WINDOW_SECS`] in microseconds.
pub const WINDOW_US: u64 = 60_000_000;
/// Each point of the chart is the rate over this much time before it
/// (500 ms): short enough that a burst once a second shows as a spike and a
/// rest, where a one-second window would average it into a flat line.
pub const CHART_WINDOW_US: u64 = 500_000;
/// The current rate is over the last second (a steadier number to read).
pub const CURRENT_WINDOW_US: u64 = 1_000_000;

/// One series: rates over the complete buckets, paused time left out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rates {
    /// The chart's points, in runs broken where the run was paused: (seconds
    /// relative to now (<= 0), messages per second over the
    /// [`CHART_WINDOW_US`] before, paused time not counted). Only points in
    /// the window drawn.
    pub segments: Vec<Vec<(f64, f64)>>,
    /// The rate over the last second, paused or not (0 while paused).
    pub current: f64,
    /// Messages per second over the time covered, paused time left out.
    pub average: f64,
    /// Highest point in the window drawn (an older peak is forgotten).
    pub peak: f64,
}

impl Rates {
    /// Every point of the chart, oldest first.
    pub fn points(&self) -> impl Iterator<Item = &(f64, f64)> {
        self.segments.iter().flatten()
    }
}

/// Does `b` fall (at least half of it) in one of the `paused` spans
/// (`(from_us, to_us)`, probe time)?
pub fn is_paused(b: &Bucket, paused: &[(u64, u64)]) -> bool {
    let (start, end) = (b.start_us, b.start_us + BUCKET_US);
    let overlap: u64 = paused
        .iter()
        .map(|&(from, to)| to.min(end).saturating_sub(from.max(start)))
        .sum();
    overlap * 2 >= BUCKET_US
}

/// Microseconds of the window drawn (the last [`WINDOW_US`] before `now_us`)
/// that were paused.
pub fn paused_in_window(paused: &[(u64, u64)], now_us: u64) -> u64 {
    let from = now_us.saturating_sub(WINDOW_US);
    paused
        .iter()
        .map(|&(a, z)| z.min(now_us).saturating_sub(a.max(from)))
        .sum()
}

/// The rates of `value` over the complete buckets (the last bucket is still
/// filling and is left out). Buckets in a `paused` span count neither in
/// the average nor in the chart, which breaks there.
pub fn rates(
    buckets: &[Bucket],
    now_us: u64,
    paused: &[(u64, u64)],
    value: impl Fn(&Bucket) -> u64,
) -> Rates {
    let complete = &buckets[..buckets.len().saturating_sub(1)];
    let Some(first) = complete.first() else {
        return Rates::default();
    };
    let held: Vec<bool> = complete.iter().map(|b| is_paused(b, paused)).collect();
    let mut segments = Vec::new();
    let mut segment = Vec::new();
    // The chart's window: buckets lo..=i, the unpaused ones' sum, and how
    // many are paused. Time before the channel's first bucket counts as
    // time without traffic, so that the first points are not inflated.
    let (mut lo, mut sum, mut held_in_window) = (0usize, 0u64, 0u64);
    let (mut total, mut live) = (0u64, 0u64);
    for (i, b) in complete.iter().enumerate() {
        let end = b.start_us + BUCKET_US;
        if held[i] {
            held_in_window += 1;
        } else {
            sum += value(b);
            total += value(b);
            live += 1;
        }
        while complete[lo].start_us + CHART_WINDOW_US < end {
            if held[lo] {
                held_in_window -= 1;
            } else {
                sum -= value(&complete[lo]);
            }
            lo += 1;
        }
        let x = -(now_us.saturating_sub(end) as f64 / 1e6);
        if held[i] {
            if !segment.is_empty() {
                segments.push(std::mem::take(&mut segment));
            }
        } else if x >= -WINDOW_SECS {
            let live_us = CHART_WINDOW_US - held_in_window * BUCKET_US;
            let rate = sum as f64 * 1e6 / live_us as f64;
            segment.push((x, rate));
        }
    }
    if !segment.is_empty() {
        segments.push(segment);
    }
    // The current rate: the last second, whatever happened in it.
    let last_end = complete[complete.len() - 1].start_us + BUCKET_US;
    let recent: u64 = complete
        .iter()
        .rev()
        .take_while(|b| b.start_us + CURRENT_WINDOW_US >= last_end)
        .map(&value)
        .sum();
    let span = (last_end - first.start_us).min(CURRENT_WINDOW_US);
    let peak = segments.iter().flatten().map(|p| p.1).fold(0.0, f64::max);
    Rates {
        current: recent as f64 * 1e6 / span as f64,
        average: if live == 0 {
            0.0
        } else {
            total as f64 * 1e6 / (live * BUCKET_US) as f64
        },
        peak,
        segments,
    }
}

/// Draw the throughput panel.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let now = app.snapshot.at_us;
    let paused_us = paused_in_window(&app.paused, now);
    // Under a tenth of a second: the moment between a pause and the clock
    // stopping with it, not a pause worth a word.
    let title = if paused_us < 100_000 {
        "Throughput (msg/s, 60 s)".to_string()
    } else {
        // Paused time is a gap in the chart and left out of the average.
        let paused = format::elapsed_us(paused_us);
        let long = format!("Throughput (msg/s, 60 s, {paused} paused left out)");
        if long.len() + 4 <= area.width as usize {
            long
        } else {
            format!("Throughput ({paused} paused)")
        }
    };
    let Some((inner, chan)) = super::framed(app, &title, area, buf) else {
        return;
    };
    if inner.height < 2 {
        return;
    }
    let sent = rates(&chan.buckets, now, &app.paused, |b| b.sent);
    let recv = rates(&chan.buckets, now, &app.paused, |b| b.received);
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

/// One braille line per unpaused run of `r`'s points.
fn series(r: &Rates, style: ratatui::style::Style) -> Vec<Dataset<'_>> {
    r.segments
        .iter()
        .map(|seg| {
            Dataset::default()
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(style)
                .data(seg)
        })
        .collect()
}

fn braille_chart(sent: &Rates, recv: &Rates, top: f64, area: Rect, buf: &mut Buffer, t: &Theme) {
    let with_axes = area.height >= 6;
    // One dataset per unpaused run of points, so no line bridges a pause.
    let mut datasets = series(sent, t.sender());
    datasets.extend(series(recv, t.receiver()));
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
        r.points()
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` buckets from `from_s` seconds, `sent(i)` messages in the i-th.
    fn buckets(from_s: u64, n: usize, sent: impl Fn(usize) -> u64) -> Vec<Bucket> {
        (0..n)
            .map(|i| Bucket {
                start_us: from_s * 1_000_000 + i as u64 * BUCKET_US,
                sent: sent(i),
                ..Bucket::default()
            })
            .collect()
    }

    fn end_of(b: &[Bucket]) -> u64 {
        b.last().unwrap().start_us + BUCKET_US
    }

    #[test]
    fn a_burst_once_a_second_shows_as_spikes_not_a_flat_line() {
        // 20 messages at once at the start of every second: 20/s on average.
        let b = buckets(0, 101, |i| if i % 10 == 0 { 20 } else { 0 });
        let r = rates(&b, end_of(&b), &[], |b| b.sent);
        assert_eq!(r.average, 20.0);
        let (lo, hi) = r
            .points()
            .fold((f64::MAX, 0.0f64), |(lo, hi), p| (lo.min(p.1), hi.max(p.1)));
        assert_eq!((lo, hi), (0.0, 40.0), "spikes and rests: {r:?}");
        assert_eq!(r.peak, 40.0);
        assert_eq!(r.current, 20.0, "the current rate stays a steady read");
    }

    #[test]
    fn paused_time_is_left_out_of_the_average_and_the_chart() {
        // 20/s for 10 s, then paused for 50 s with nothing moving.
        let b = buckets(0, 601, |i| if i < 100 { 2 } else { 0 });
        let now = end_of(&b);
        let paused = [(10_000_000, now)];
        let r = rates(&b, now, &paused, |b| b.sent);
        assert_eq!(r.average, 20.0, "not 20/s diluted to 3/s");
        assert_eq!(r.segments.len(), 1);
        assert!(r.points().all(|p| p.0 <= -50.0), "{r:?}");
        // Once the first window has filled (time before the channel counts
        // as no traffic), and also right after the pause.
        assert!(r.points().skip(4).all(|p| p.1 == 20.0), "{r:?}");
        assert_eq!(r.current, 0.0, "nothing moves while paused");
        // The same traffic, not paused: an honest slowdown, averaged in.
        let r = rates(&b, now, &[], |b| b.sent);
        assert!(r.average < 4.0, "{}", r.average);
    }

    #[test]
    fn a_pause_in_the_middle_breaks_the_line() {
        let b = buckets(0, 301, |_| 2);
        let r = rates(&b, end_of(&b), &[(10_000_000, 20_000_000)], |b| b.sent);
        assert_eq!(r.segments.len(), 2);
        assert_eq!(r.segments[0].last().unwrap().0, -20.1);
        assert_eq!(r.segments[1].first().unwrap().0, -10.0);
        assert!(r.points().skip(4).all(|p| p.1 == 20.0), "{r:?}");
        assert_eq!(r.points().next().unwrap().1, 4.0, "2 messages over 500 ms");
    }

    #[test]
    fn the_scale_forgets_a_startup_peak_once_it_leaves_the_window() {
        // A startup spike of 500 in the first 100 ms, then 20/s for 70 s.
        let b = buckets(0, 701, |i| if i == 0 { 500 } else { 2 });
        let now = end_of(&b);
        assert_eq!(rates(&b, now, &[], |b| b.sent).peak, 20.0);
        // Ten seconds in, it still sets the scale.
        assert!(rates(&b[..101], end_of(&b[..101]), &[], |b| b.sent).peak > 500.0);
    }

    #[test]
    fn a_bucket_is_paused_when_half_of_it_is() {
        let b = Bucket {
            start_us: 1_000_000,
            ..Bucket::default()
        };
        assert!(is_paused(&b, &[(1_050_000, 2_000_000)]));
        assert!(!is_paused(&b, &[(1_060_000, 2_000_000)]));
        assert!(!is_paused(&b, &[]));
        assert_eq!(
            paused_in_window(&[(0, 10_000_000), (65_000_000, 70_000_000)], 70_000_000),
            5_000_000
        );
        assert_eq!(
            paused_in_window(&[(5_000_000, 15_000_000)], 70_000_000),
            5_000_000
        );
    }
}
