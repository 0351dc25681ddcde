//! The latency panel: how long messages wait in the ring (push to pop) and
//! how long futures stay parked (park to wake), over the last 10 s: the
//! p50, p90, p99 and max, a histogram in powers of two, the same over the
//! whole run, and the capacity advice (Little's law).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::format;
use crate::probe::snapshot::{Latency, Percentiles};
use crate::ui::app::App;
use crate::ui::theme::Theme;

/// Draw the panel.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let Some((inner, chan)) = super::framed(app, "Time in queue and parked (last 10 s)", area, buf)
    else {
        return;
    };
    let theme = &app.theme;
    let w = inner.width as usize;
    let h = inner.height as usize;
    let q = &chan.insight.queue_time;
    let p = &chan.insight.park_time;
    let mut lines = vec![
        stats_line("in queue", &q.recent, theme.occupied(), theme, w),
        bars_line(q, theme.occupied(), theme, w),
        stats_line("parked", &p.recent, theme.warn(), theme, w),
        bars_line(p, theme.warn(), theme, w),
    ];
    if h > lines.len() {
        lines.push(theme.fit(
            Line::from(vec![
                Span::styled("whole run: ", theme.dim()),
                Span::raw(format!(
                    "in queue p50 {} p99 {}",
                    age(q.whole.p50_us),
                    age(q.whole.p99_us)
                )),
                Span::styled(format!(" {} ", theme.sep()), theme.dim()),
                Span::raw(format!(
                    "parked p50 {} p99 {}",
                    age(p.whole.p50_us),
                    age(p.whole.p99_us)
                )),
            ]),
            w,
        ));
    }
    if let Some(advice) = &chan.insight.advice {
        let room = h.saturating_sub(lines.len());
        if room > 0 {
            let words = format!("capacity: {}", advice.reasoning);
            let wrapped = crate::ui::text::wrap(&words, w);
            let n = wrapped.len().min(room);
            for i in 0..n {
                // The last row shown takes the rest, shortened at a word.
                let text = if i + 1 == n {
                    wrapped[i..].join(" ")
                } else {
                    wrapped[i].clone()
                };
                lines.push(theme.fit(Line::styled(text, theme.dim()), w));
            }
        }
    }
    lines.truncate(h);
    Paragraph::new(lines).render(inner, buf);
}

fn age(us: u64) -> String {
    format::age_us(us)
}

/// `in queue  p50 2.0s p90 2.8s p99 3.1s max 3.2s  n 52`, shorter when
/// narrow; `in queue  none yet` without values.
fn stats_line(what: &str, p: &Percentiles, style: Style, theme: &Theme, w: usize) -> Line<'static> {
    let head = Span::styled(format!("{what:<8} "), style.patch(theme.strong()));
    if p.count == 0 {
        return Line::from(vec![head, Span::styled("none yet", theme.dim())]);
    }
    let full = Line::from(vec![
        head.clone(),
        Span::raw(format!(
            "p50 {} p90 {} p99 {} max {}",
            age(p.p50_us),
            age(p.p90_us),
            age(p.p99_us),
            age(p.max_us)
        )),
        Span::styled(format!("  n {}", format::count(p.count)), theme.dim()),
    ]);
    let shorter = Line::from(vec![
        head.clone(),
        Span::raw(format!(
            "p50 {} p90 {} p99 {} max {}",
            age(p.p50_us),
            age(p.p90_us),
            age(p.p99_us),
            age(p.max_us)
        )),
    ]);
    let short = Line::from(vec![
        head,
        Span::raw(format!(
            "p50 {} p99 {} max {}",
            age(p.p50_us),
            age(p.p99_us),
            age(p.max_us)
        )),
    ]);
    for line in [full, shorter, short.clone()] {
        if line.width() <= w {
            return line;
        }
    }
    theme.fit(short, w)
}

/// The last 10 s as bars, one column per power of two, from the shortest
/// bucket with a value to the longest, with the range at the ends.
fn bars_line(l: &Latency, style: Style, theme: &Theme, w: usize) -> Line<'static> {
    let bars = &l.recent_bars;
    if bars.is_empty() {
        return Line::raw("");
    }
    let max = bars.iter().map(|b| b.1).max().unwrap_or(1).max(1);
    let glyphs: String = bars
        .iter()
        .map(|&(_, n)| {
            let level = if n == 0 {
                0
            } else {
                ((n * 8).div_ceil(max)) as usize
            };
            theme.level(level.max(usize::from(n > 0)))
        })
        .collect();
    let from = age(bars.first().map_or(0, |b| b.0 / 2 + 1));
    let to = age(bars.last().map_or(0, |b| b.0));
    let line = Line::from(vec![
        Span::styled(format!("{:>8} ", from), theme.dim()),
        Span::styled(glyphs, style),
        Span::styled(format!(" {to}"), theme.dim()),
    ]);
    theme.fit(line, w)
}
