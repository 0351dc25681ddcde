//! The event log panel: the newest decoded events in plain words, newest at
//! the bottom. It can be frozen (`f`) and scrolled (arrows, PgUp/PgDn).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::format;
use crate::probe::snapshot::{EventKind, HandleState, Lifecycle, LogEntry, Role, Side, Snapshot};
use crate::ui::app::App;
use crate::ui::theme::Theme;

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// One event in words, with its cause when the event just before it (`prev`)
/// is the cause: a wake right after a pop reads "R0 popped slot 5 and woke
/// S2 ...", a wake right after a push "S1 pushed slot 3 and woke R0 ...".
pub fn describe_in_context(
    entry: &LogEntry,
    prev: Option<&LogEntry>,
    snapshot: &Snapshot,
) -> String {
    if let (
        EventKind::Wake {
            side,
            woken,
            waiting,
            ..
        },
        Some(prev),
    ) = (entry.kind, prev)
    {
        if prev.chan == entry.chan {
            let still = match side {
                Side::Senders => plural(waiting, "sender", "senders"),
                Side::Receivers => plural(waiting, "receiver", "receivers"),
            };
            match (side, prev.kind) {
                (Side::Senders, EventKind::Pop { handle, slot, .. }) => {
                    return format!(
                        "R{handle} popped slot {slot} and woke S{woken} ({still} still waiting)"
                    )
                }
                (Side::Receivers, EventKind::Push { handle, slot, .. }) => {
                    return format!(
                        "S{handle} pushed slot {slot} and woke R{woken} ({still} still waiting)"
                    )
                }
                _ => {}
            }
        }
    }
    describe(entry, snapshot)
}

/// One event in words, e.g. "S2 parked: ring full (8/8), 3 senders waiting".
/// `snapshot` supplies the channel's capacity.
pub fn describe(entry: &LogEntry, snapshot: &Snapshot) -> String {
    let cap = snapshot.channel(entry.chan).map(|c| c.capacity);
    match entry.kind {
        EventKind::Created { capacity } => {
            format!("channel #{} created with {capacity} slots", entry.chan)
        }
        EventKind::Push {
            handle, slot, len, ..
        } => match cap {
            Some(c) if len >= c => {
                format!("S{handle} pushed slot {slot} (len {len}/{c}: now full)")
            }
            Some(c) => format!("S{handle} pushed slot {slot} (len {len}/{c})"),
            None => format!("S{handle} pushed slot {slot} (len {len})"),
        },
        EventKind::Pop {
            handle, slot, len, ..
        } => {
            if len == 0 {
                format!("R{handle} popped slot {slot} (len 0: now empty)")
            } else {
                format!("R{handle} popped slot {slot} (len {len})")
            }
        }
        EventKind::SendWait {
            handle, waiting, ..
        } => {
            let full = cap.map_or(String::new(), |c| format!(" ({c}/{c})"));
            format!(
                "S{handle} parked: ring full{full}, {} waiting",
                plural(waiting, "sender", "senders")
            )
        }
        EventKind::RecvWait {
            handle, waiting, ..
        } => format!(
            "R{handle} parked: ring empty, {} waiting",
            plural(waiting, "receiver", "receivers")
        ),
        EventKind::Wake {
            side,
            woken,
            waiting,
            ..
        } => match side {
            Side::Senders => format!("woke S{woken} (senders waiting: {waiting})"),
            Side::Receivers => format!("woke R{woken} (receivers waiting: {waiting})"),
        },
        EventKind::Leave {
            side,
            handle,
            waiting,
            served,
            ..
        } => {
            let (who, queue, still) = match side {
                Side::Senders => (
                    format!("S{handle}"),
                    "senders'",
                    plural(waiting, "sender", "senders"),
                ),
                Side::Receivers => (
                    format!("R{handle}"),
                    "receivers'",
                    plural(waiting, "receiver", "receivers"),
                ),
            };
            let why = match (served, side) {
                (true, Side::Senders) => "its own retry found room",
                (true, Side::Receivers) => "its own retry found a message",
                (false, Side::Senders) => "its send was cancelled",
                (false, Side::Receivers) => "its receive was cancelled",
            };
            format!("{who} left the {queue} queue unwoken: {why} ({still} still waiting)")
        }
        EventKind::Handle {
            handle,
            role,
            from,
            to,
        } => {
            let who = format!("{}{handle}", role.prefix());
            match (from, to) {
                (HandleState::Absent, to) => format!("{who} created ({to})"),
                (from, HandleState::Dropped) => format!("{who} dropped (was {from})"),
                (HandleState::Open, HandleState::Closing) => {
                    format!("{who} close(): Open -> Closing")
                }
                (HandleState::Closing, HandleState::Closed) => {
                    format!("{who} drained: Closing -> Closed")
                }
                (from, to) => format!("{who} {from} -> {to}"),
            }
        }
        EventKind::Closed { role, handle } => match role {
            Role::Sender => format!("S{handle} send -> Err(Closed): value returned"),
            Role::Receiver => format!("R{handle} recv -> end of stream"),
        },
        EventKind::Lifecycle { to, .. } => match to {
            Lifecycle::Open => format!("channel #{} open", entry.chan),
            Lifecycle::Closing => format!(
                "channel #{} closing: no new sends, receivers drain the rest",
                entry.chan
            ),
            Lifecycle::Closed => format!(
                "channel #{} closed: drained, nothing more to receive",
                entry.chan
            ),
        },
    }
}

fn kind_style(kind: &EventKind, theme: &Theme) -> Style {
    match kind {
        EventKind::Push { .. } => theme.sender(),
        EventKind::Pop { .. } => theme.receiver(),
        EventKind::SendWait { .. } | EventKind::RecvWait { .. } => theme.warn(),
        EventKind::Wake { .. } | EventKind::Leave { .. } | EventKind::Closed { .. } => theme
            .title()
            .remove_modifier(ratatui::style::Modifier::BOLD),
        EventKind::Handle { .. } | EventKind::Lifecycle { .. } | EventKind::Created { .. } => {
            theme.strong()
        }
    }
}

/// Draw the log: the entries that end `app.scroll` entries before the
/// newest. A line too long for the panel is shortened at a word boundary.
/// The big layout leaves a blank row between entries when it has the rows.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let log = app.log();
    let inner_rows = area.height.saturating_sub(2) as usize;
    let spaced = app.big && inner_rows >= 8;
    let rows = if spaced {
        inner_rows.div_ceil(2)
    } else {
        inner_rows
    };
    let max_scroll = log.len().saturating_sub(rows);
    let scroll = app.scroll.min(max_scroll);
    let end = log.len() - scroll;
    let start = end.saturating_sub(rows);

    let title = match (&app.frozen, scroll) {
        (None, _) => "Event log (newest last)".to_string(),
        (Some(_), 0) => "Event log: FROZEN (f: follow)".to_string(),
        (Some(_), s) => format!("Event log: FROZEN, {s} newer below (End: follow)"),
    };
    let block = theme.block(&title);
    let inner = block.inner(area);
    block.render(area, buf);
    if log.is_empty() {
        Paragraph::new(Line::styled("no events yet", theme.dim())).render(inner, buf);
        return;
    }
    let mut lines = Vec::new();
    for line in lines_for(app, start..end, inner.width as usize) {
        if spaced && !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        lines.push(line);
    }
    // The newest entry stays on the last row.
    let skip = lines.len().saturating_sub(inner.height as usize);
    Paragraph::new(lines.split_off(skip)).render(inner, buf);
}

/// The log's lines for the entries `range`, each at most `width` columns:
/// the time, the channel when the run has several, and the event in words,
/// shortened at a word boundary when it is too long.
pub fn lines_for(app: &App, range: std::ops::Range<usize>, width: usize) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let log = app.log();
    let many = app.snapshot.channels.len() > 1;
    // Times line up: as wide as the widest shown (`1m20.125s` past a minute).
    let snap = &app.snapshot;
    let time = |e: &LogEntry| format::time_us(snap.since_created(e.chan, e.at_us));
    let time_w = range
        .clone()
        .map(|i| time(&log[i]).len())
        .max()
        .unwrap_or(0)
        .max(7);
    range
        .map(|i| {
            let e = &log[i];
            let prev = i.checked_sub(1).map(|j| &log[j]);
            let mut spans = vec![Span::styled(format!("{:>time_w$} ", time(e)), theme.dim())];
            if many {
                spans.push(Span::styled(format!("#{} ", e.chan), theme.dim()));
            }
            spans.push(Span::styled(
                describe_in_context(e, prev, &app.snapshot),
                kind_style(&e.kind, theme),
            ));
            theme.fit(Line::from(spans), width)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::snapshot::{WakeCause, NO_TICKET};

    fn entry(seq: u64, chan: u64, kind: EventKind) -> LogEntry {
        LogEntry {
            seq,
            at_us: 1_000,
            chan,
            kind,
        }
    }

    #[test]
    fn a_wake_says_which_pop_or_push_caused_it() {
        let snap = Snapshot::default();
        let pop = entry(
            1,
            7,
            EventKind::Pop {
                handle: 0,
                slot: 5,
                head: 9,
                tail: 6,
                len: 3,
            },
        );
        let wake_sender = entry(
            2,
            7,
            EventKind::Wake {
                side: Side::Senders,
                woken: 2,
                waiting: 1,
                ticket: NO_TICKET,
                cause: WakeCause::Unknown,
                by: 0,
            },
        );
        assert_eq!(
            describe_in_context(&wake_sender, Some(&pop), &snap),
            "R0 popped slot 5 and woke S2 (1 sender still waiting)"
        );
        // Without the pop just before it (or on another channel), a plain wake.
        assert_eq!(
            describe_in_context(&wake_sender, None, &snap),
            "woke S2 (senders waiting: 1)"
        );
        let other_chan = entry(1, 8, pop.kind);
        assert_eq!(
            describe_in_context(&wake_sender, Some(&other_chan), &snap),
            "woke S2 (senders waiting: 1)"
        );
        let push = entry(
            3,
            7,
            EventKind::Push {
                handle: 1,
                slot: 3,
                head: 4,
                tail: 3,
                len: 1,
            },
        );
        let wake_receiver = entry(
            4,
            7,
            EventKind::Wake {
                side: Side::Receivers,
                woken: 0,
                waiting: 0,
                ticket: NO_TICKET,
                cause: WakeCause::Unknown,
                by: 0,
            },
        );
        assert_eq!(
            describe_in_context(&wake_receiver, Some(&push), &snap),
            "S1 pushed slot 3 and woke R0 (0 receivers still waiting)"
        );
    }
}
