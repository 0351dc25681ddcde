//! The channel list: every channel the view knows, one line each (name,
//! len of capacity, send and receive rates, parked senders and receivers,
//! the warnings on), the one shown marked. `Tab` shows the next. It takes
//! the parameters' place when the view plays a history with several
//! channels (`chanviz attach` on a program, a replay of one), where there
//! are no knobs to turn. In `chanviz attach` it is also the home screen:
//! it fills the screen, with each channel's totals and lifecycle too,
//! until `Enter` opens the chosen channel (`Esc` comes back).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::format;
use crate::probe::snapshot::{Bucket, ChannelSnapshot};
use crate::ui::app::App;

/// Whether the list takes the parameters' place.
pub fn shown(app: &App) -> bool {
    app.replay && app.snapshot.channels.len() > 1
}

/// Messages per second over the last second of `c`'s buckets.
fn rate(c: &ChannelSnapshot, f: fn(&Bucket) -> u64) -> f64 {
    let n = c.buckets.len().min(10);
    let sum: u64 = c.buckets[c.buckets.len() - n..].iter().map(f).sum();
    sum as f64 / (n.max(1) as f64 * 0.1)
}

/// Draw the list.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let full = app.list_screen();
    let block = theme.block(if full {
        "Channels (Up/Dn choose, Enter opens)"
    } else {
        "Channels (Up/Dn Enter, Tab)"
    });
    let inner = block.inner(area);
    block.render(area, buf);
    let w = inner.width as usize;
    let shown = app.channel().map(|c| c.chan);
    let name_w = app
        .snapshot
        .channels
        .iter()
        .map(|c| c.name.as_deref().map_or(4, str::len))
        .max()
        .unwrap_or(4)
        .min(13);
    // Two rows a channel when they fit: what is in it and who is parked,
    // then its rates and warnings; one row (shortened) when they do not.
    let two = app.snapshot.channels.len() * 2 <= inner.height as usize;
    let mut lines: Vec<Line<'static>> = Vec::new();
    if app.snapshot.channels.is_empty() {
        lines.push(Line::styled("no channel yet", theme.dim()));
    }
    let chosen = app
        .list_at
        .min(app.snapshot.channels.len().saturating_sub(1));
    for (i, c) in app.snapshot.channels.iter().enumerate() {
        let here = Some(c.chan) == shown;
        let name = c.name.clone().unwrap_or_else(|| format!("#{}", c.chan));
        let mark = if here { "> " } else { "  " };
        let mut style = if here { theme.strong() } else { theme.text() };
        if i == chosen {
            // The list's choice (Up/Dn), which Enter shows.
            style = style.add_modifier(ratatui::style::Modifier::REVERSED);
        }
        let head = vec![
            Span::styled(mark, theme.key()),
            Span::styled(format!("{name:<name_w$.name_w$} "), style),
            Span::raw(format!("{:>7} ", format!("{}/{}", c.len, c.capacity))),
            Span::raw(format!(
                "parked s{} r{}",
                c.waiting_senders.max(c.insight.parked_senders.len()),
                c.waiting_receivers.max(c.insight.parked_receivers.len())
            )),
        ];
        let mut tail = vec![
            Span::raw("    "),
            Span::styled(
                format!("in {}/s", format::rate_short(rate(c, |b| b.sent))),
                theme.sender(),
            ),
            Span::styled(
                format!(" out {}/s", format::rate_short(rate(c, |b| b.received))),
                theme.receiver(),
            ),
        ];
        if full {
            tail.push(Span::raw(format!(
                "   sent {} recv {}  {}",
                c.counters.sent,
                c.counters.received,
                c.lifecycle.as_str()
            )));
        }
        let warnings: Vec<&str> = app
            .warnings
            .apply(&c.insight.warnings)
            .map(|w| w.kind.name())
            .collect();
        if !warnings.is_empty() {
            tail.push(Span::styled(
                format!("  {}", warnings.join(" ")),
                theme.warn(),
            ));
        }
        if two {
            lines.push(theme.fit(Line::from(head), w));
            lines.push(theme.fit(Line::from(tail), w));
        } else {
            let mut one = head;
            one.extend(tail.into_iter().skip(1));
            lines.push(theme.fit(Line::from(one), w));
        }
    }
    Paragraph::new(lines).render(inner, buf);
}
