//! The event log panel: the run told as a story, one line per operation,
//! newest at the bottom. A wake is told on the line of the push, pop or
//! close that caused it (`R1 popped slot 5 (len 3/8) → woke S2`), and a
//! close's outcomes follow it, cause before effect. It can be frozen (`f`)
//! and scrolled (arrows, PgUp/PgDn); scrolling counts story lines.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::format;
use crate::probe::snapshot::{
    EventKind, HandleState, Lifecycle, LogEntry, Role, Side, Snapshot, WakeCause,
};
use crate::ui::app::App;
use crate::ui::theme::Theme;

/// Lines a wake looks back over for the operation that caused it (lines of
/// other handles' events may sit between the two).
pub const WINDOW: usize = 8;

/// Events an old recording's `lifecycle` may come ahead of the close that
/// caused it (before schema v2 the channel reported them in that order).
const LOOK: usize = 3;

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// "2 senders still waiting", "1 receiver still waiting".
fn still_waiting(side: Side, n: usize) -> String {
    let who = match side {
        Side::Senders => plural(n, "sender", "senders"),
        Side::Receivers => plural(n, "receiver", "receivers"),
    };
    if n == 0 {
        "none still waiting".to_string()
    } else {
        format!("{who} still waiting")
    }
}

fn label(role: Role, handle: u64) -> String {
    format!("{}{handle}", role.prefix())
}

/// One line of the story: one operation and the wakes it caused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoryLine {
    /// Index (in the entries told) of its first event: where the line
    /// stands, and the event that gives it its time and channel.
    pub first: usize,
    /// Index of the newest event it tells.
    pub newest: usize,
    /// The words.
    pub text: String,
}

/// An operation that wakes can join: a push, pop, close (or last drop) or
/// pass by handle `by`, as a wake of `cause` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cause {
    chan: u64,
    cause: WakeCause,
    role: Role,
    by: u64,
}

impl Cause {
    /// What the wake `e` names as its cause (`None` when it does not say).
    fn of_wake(e: &LogEntry) -> Option<Cause> {
        let EventKind::Wake {
            side, cause, by, ..
        } = e.kind
        else {
            return None;
        };
        Some(Cause {
            chan: e.chan,
            cause,
            role: cause.by_role(side)?,
            by,
        })
    }

    /// The cause the operation `e` is, for the wakes that follow it.
    fn of_op(e: &LogEntry) -> Option<Cause> {
        let (cause, role, by) = match e.kind {
            EventKind::Push { handle, .. } => (WakeCause::Push, Role::Sender, handle),
            EventKind::Pop { handle, .. } => (WakeCause::Pop, Role::Receiver, handle),
            // A close, or the drop of an open handle (the last one closes).
            EventKind::Handle {
                handle,
                role,
                from: HandleState::Open,
                to: HandleState::Closing | HandleState::Dropped,
            } => (WakeCause::Close { role }, role, handle),
            _ => return None,
        };
        Some(Cause {
            chan: e.chan,
            cause,
            role,
            by,
        })
    }

    /// The words for the operation when its own line is not there to join
    /// (its event came before the oldest kept, or too long before, or the
    /// woken handle parked after it), and whether " → " follows them.
    fn alone(self) -> (String, bool) {
        let who = label(self.role, self.by);
        match self.cause {
            WakeCause::Push => (format!("{who}'s push"), false),
            WakeCause::Pop => (format!("{who}'s pop"), false),
            WakeCause::Pass => (format!("{who} passed its wakeup on"), true),
            WakeCause::Close { .. } => (format!("{who}'s close"), false),
            WakeCause::Handoff { .. } => (format!("{who}'s hand-off"), false),
            WakeCause::Unknown => (String::new(), false),
        }
    }
}

/// A story line being written.
struct Draft {
    first: usize,
    newest: usize,
    /// The operation in words (empty: a wake that does not say its cause).
    base: String,
    /// " → " between the operation and its wakes (else a space).
    arrow: bool,
    /// Wakes with this cause join the line.
    cause: Option<Cause>,
    /// The handle whose event the line begins with.
    actor: Option<(u64, Role, u64)>,
    /// A park: the parked handle's wake is not told on a line before it.
    parked: Option<(u64, Side, u64)>,
    /// Who the operation woke, in order, and whether a hand-off finished
    /// that one's send.
    woke: Vec<(Side, u64, bool)>,
    /// A hand-off's push: its sender (with the channel), and the words after
    /// "moved", told once its wake names who moved it.
    handoff: Option<(u64, u64, String)>,
    /// Who moved the hand-off's message (from its wake).
    mover: Option<String>,
    /// The depth of the woken queue after the last wake (not for a close,
    /// which empties both).
    still: Option<(Side, usize)>,
}

impl Draft {
    fn text(&self, arrow: &str) -> String {
        let mut s = match (&self.handoff, &self.mover) {
            (Some((_, _, rest)), Some(mover)) => format!("{mover} moved {rest}"),
            _ => self.base.clone(),
        };
        if self.woke.is_empty() {
            return s;
        }
        if !s.is_empty() {
            s.push(' ');
            if self.arrow {
                s.push_str(arrow);
                s.push(' ');
            }
        }
        let woken: Vec<String> = self
            .woke
            .iter()
            .map(|&(side, h, sent)| {
                let who = label(side.role(), h);
                if sent {
                    format!("{who}, its send done")
                } else {
                    who
                }
            })
            .collect();
        s.push_str(&format!("woke {}", woken.join(", ")));
        if let Some((side, n)) = self.still {
            s.push_str(&format!(" ({})", still_waiting(side, n)));
        }
        s
    }

    fn wake(&mut self, i: usize, e: &LogEntry) {
        if let EventKind::Wake {
            side,
            woken,
            waiting,
            cause,
            ..
        } = e.kind
        {
            self.newest = i;
            let sent = matches!(cause, WakeCause::Handoff { .. });
            self.woke.push((side, woken, sent));
            self.still = match cause {
                WakeCause::Close { .. } => None,
                _ => Some((side, waiting)),
            };
        }
    }
}

/// The handle whose event `e` is (for a wake: the one that caused it).
fn actor(e: &LogEntry) -> Option<(u64, Role, u64)> {
    let (role, handle) = match e.kind {
        EventKind::Push { handle, .. } | EventKind::SendWait { handle, .. } => {
            (Role::Sender, handle)
        }
        EventKind::Pop { handle, .. } | EventKind::RecvWait { handle, .. } => {
            (Role::Receiver, handle)
        }
        EventKind::Leave { side, handle, .. } => (side.role(), handle),
        EventKind::Closed { role, handle } | EventKind::Handle { handle, role, .. } => {
            (role, handle)
        }
        EventKind::Wake { .. } => {
            let c = Cause::of_wake(e)?;
            (c.role, c.by)
        }
        EventKind::Created { .. } | EventKind::Lifecycle { .. } => return None,
    };
    Some((e.chan, role, handle))
}

/// The order events are told in: as they came, except that an old
/// recording's `open -> closing` that came just before the close (or last
/// drop) that caused it is told just after it.
fn telling_order(entries: &[LogEntry]) -> Vec<usize> {
    let closes = |e: &LogEntry, chan: u64| {
        e.chan == chan
            && matches!(
                e.kind,
                EventKind::Handle {
                    from: HandleState::Open,
                    to: HandleState::Closing | HandleState::Dropped,
                    ..
                }
            )
    };
    let n = entries.len();
    let mut after: Vec<Option<usize>> = vec![None; n];
    for (i, e) in entries.iter().enumerate() {
        let EventKind::Lifecycle {
            from: Lifecycle::Open,
            to: Lifecycle::Closing,
        } = e.kind
        else {
            continue;
        };
        if entries[i.saturating_sub(LOOK)..i]
            .iter()
            .any(|b| closes(b, e.chan))
        {
            continue;
        }
        after[i] = (i + 1..n.min(i + 1 + LOOK)).find(|&j| closes(&entries[j], e.chan));
    }
    let mut order = Vec::with_capacity(n);
    for i in 0..n {
        if after[i].is_some() {
            continue;
        }
        order.push(i);
        order.extend((i.saturating_sub(LOOK)..i).filter(|&d| after[d] == Some(i)));
    }
    order
}

/// The events `entries` (oldest first) as a story, one line per operation:
/// a wake is told on the line of the push, pop or close that caused it
/// (the nearest earlier one by that handle, at most [`WINDOW`] lines back,
/// and not before the woken handle's own park), a pass of a wakeup on a
/// line of its own. A wake that does not say its cause (an old recording)
/// joins a pop or push just before it, or is told alone. `snapshot`
/// supplies capacities; `ascii` writes `->` for `→`.
pub fn story(entries: &[LogEntry], snapshot: &Snapshot, ascii: bool) -> Vec<StoryLine> {
    let arrow = if ascii { "->" } else { "→" };
    let mut drafts: Vec<Draft> = Vec::new();
    let mut prev: Option<usize> = None;
    for i in telling_order(entries) {
        let e = &entries[i];
        if let EventKind::Wake { side, woken, .. } = e.kind {
            // A hand-off's wake joins the line of the push it made (the
            // nearest one of `woken`'s message not yet told with its mover).
            let handoff_line = match Cause::of_wake(e) {
                Some(c) if matches!(c.cause, WakeCause::Handoff { .. }) => drafts
                    .iter()
                    .enumerate()
                    .rev()
                    .take(WINDOW)
                    .find(|(_, d)| {
                        d.mover.is_none()
                            && matches!(d.handoff, Some((c, s, _)) if c == e.chan && s == woken)
                    })
                    .map(|(d, _)| (d, c)),
                _ => None,
            };
            let target = match (handoff_line, Cause::of_wake(e)) {
                (Some((d, cause)), _) => {
                    drafts[d].mover = Some(label(cause.role, cause.by));
                    Some(d)
                }
                (None, Some(cause)) => {
                    let mut found = None;
                    for (d, draft) in drafts.iter().enumerate().rev().take(WINDOW) {
                        if draft.cause == Some(cause) {
                            found = Some(d);
                            break;
                        }
                        if draft.parked == Some((e.chan, side, woken))
                            || draft.actor == Some((e.chan, cause.role, cause.by))
                        {
                            break;
                        }
                    }
                    found.or_else(|| {
                        let (base, arrow) = cause.alone();
                        drafts.push(Draft {
                            first: i,
                            newest: i,
                            base,
                            arrow,
                            cause: Some(cause),
                            actor: actor(e),
                            parked: None,
                            woke: Vec::new(),
                            still: None,
                            handoff: None,
                            mover: None,
                        });
                        Some(drafts.len() - 1)
                    })
                }
                // No cause said: the pop or push just before it, if any.
                (None, None) => prev
                    .map(|p| &entries[p])
                    .filter(|p| {
                        p.chan == e.chan
                            && matches!(
                                (side, p.kind),
                                (Side::Senders, EventKind::Pop { .. })
                                    | (Side::Receivers, EventKind::Push { .. })
                            )
                    })
                    .and_then(|_| drafts.len().checked_sub(1))
                    .filter(|&d| Some(drafts[d].first) == prev),
            };
            let d = target.unwrap_or_else(|| {
                drafts.push(Draft {
                    first: i,
                    newest: i,
                    base: String::new(),
                    arrow: false,
                    cause: None,
                    actor: None,
                    parked: None,
                    woke: Vec::new(),
                    still: None,
                    handoff: None,
                    mover: None,
                });
                drafts.len() - 1
            });
            drafts[d].wake(i, e);
        } else {
            let parked = match e.kind {
                EventKind::SendWait { handle, .. } => Some((e.chan, Side::Senders, handle)),
                EventKind::RecvWait { handle, .. } => Some((e.chan, Side::Receivers, handle)),
                _ => None,
            };
            drafts.push(Draft {
                first: i,
                newest: i,
                base: words(e, snapshot, arrow),
                arrow: true,
                cause: Cause::of_op(e),
                actor: actor(e),
                parked,
                woke: Vec::new(),
                still: None,
                handoff: handoff_rest(e, snapshot),
                mover: None,
            });
        }
        prev = Some(i);
    }
    drafts
        .into_iter()
        .map(|d| StoryLine {
            first: d.first,
            newest: d.newest,
            text: d.text(arrow),
        })
        .collect()
}

/// What the newest of `entries` did, in the story's words: the whole line
/// it belongs to (a pop and the wake it caused read as one).
pub fn did(entries: &[LogEntry], snapshot: &Snapshot, ascii: bool) -> Option<String> {
    // The operation's events are the last few; a window is enough.
    let tail = &entries[entries.len().saturating_sub(4 * WINDOW)..];
    let last = tail.len().checked_sub(1)?;
    story(tail, snapshot, ascii)
        .into_iter()
        .find(|l| l.newest == last)
        .map(|l| l.text)
}

/// One event alone in words, e.g. "S2 parked: ring full (8/8), 3 senders
/// waiting".
pub fn describe(entry: &LogEntry, snapshot: &Snapshot, ascii: bool) -> String {
    story(std::slice::from_ref(entry), snapshot, ascii)
        .pop()
        .map(|l| l.text)
        .unwrap_or_default()
}

/// The len words of a push: "len 3/8", "len 8/8: now full".
fn push_len(cap: Option<usize>, len: usize) -> String {
    let full = cap.is_some_and(|c| len >= c);
    let end = if full { ": now full" } else { "" };
    match cap {
        Some(c) => format!("len {len}/{c}{end}"),
        None => format!("len {len}{end}"),
    }
}

/// A hand-off's words after "R1 moved": "S2's parked message into slot 5
/// (len 1/1: now full)", with its channel and sender.
fn handoff_rest(entry: &LogEntry, snapshot: &Snapshot) -> Option<(u64, u64, String)> {
    let EventKind::Push {
        handle,
        slot,
        len,
        handoff: true,
        ..
    } = entry.kind
    else {
        return None;
    };
    let cap = snapshot.channel(entry.chan).map(|c| c.capacity);
    let rest = format!(
        "S{handle}'s parked message into slot {slot} ({})",
        push_len(cap, len)
    );
    Some((entry.chan, handle, rest))
}

/// An event other than a wake in words. The channel is never named: a run
/// with several channels shows `#N` in front of every line.
fn words(entry: &LogEntry, snapshot: &Snapshot, arrow: &str) -> String {
    let cap = snapshot.channel(entry.chan).map(|c| c.capacity);
    let len_of = |len: usize, end: &str| match cap {
        Some(c) => format!("len {len}/{c}{end}"),
        None => format!("len {len}{end}"),
    };
    match entry.kind {
        EventKind::Created { capacity } => format!("channel created with {capacity} slots"),
        EventKind::Push {
            handle,
            slot,
            len,
            handoff,
            ..
        } => {
            let len = push_len(cap, len);
            if handoff {
                format!("S{handle}'s parked message moved into slot {slot} ({len}): a hand-off")
            } else {
                format!("S{handle} pushed slot {slot} ({len})")
            }
        }
        EventKind::Pop {
            handle, slot, len, ..
        } => {
            let len = len_of(len, if len == 0 { ": now empty" } else { "" });
            format!("R{handle} popped slot {slot} ({len})")
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
        // Told by `story`.
        EventKind::Wake { .. } => String::new(),
        EventKind::Leave {
            side,
            handle,
            waiting,
            served,
            ..
        } => {
            let who = label(side.role(), handle);
            let why = match (served, side) {
                // Since schema v3 only when it found the channel closed (a
                // v2 recording's: its retry found room).
                (true, Side::Senders) => "stopped waiting: its own retry settled its send",
                (true, Side::Receivers) => "stopped waiting: its own retry found a message",
                (false, Side::Senders) => "gave up waiting: its send was dropped or withdrawn",
                (false, Side::Receivers) => "gave up waiting: its receive was dropped",
            };
            format!("{who} {why} ({})", still_waiting(side, waiting))
        }
        EventKind::Handle {
            handle,
            role,
            from,
            to,
        } => {
            let who = label(role, handle);
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
            Role::Sender => format!("S{handle} send {arrow} Err(Closed): value returned"),
            Role::Receiver => format!("R{handle} recv {arrow} end of stream"),
        },
        EventKind::Lifecycle { to, .. } => match to {
            Lifecycle::Open => "channel open".to_string(),
            Lifecycle::Closing => "channel closing: no new sends, receivers drain the rest".into(),
            Lifecycle::Closed => "channel closed: drained, nothing more to receive".into(),
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

/// The log as story lines: the frozen copy's, or the live log's.
fn app_story(app: &App) -> Vec<StoryLine> {
    story(app.log(), &app.snapshot, app.theme.ascii)
}

/// How many lines the log has: what scrolling counts.
pub fn line_count(app: &App) -> usize {
    app_story(app).len()
}

/// Draw the log: the lines that end `app.scroll` lines before the newest.
/// A line too long for the panel is shortened at a word boundary. The big
/// layout leaves a blank row between lines when it has the rows.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let told = app_story(app);
    let inner_rows = area.height.saturating_sub(2) as usize;
    let spaced = app.big && inner_rows >= 8;
    let rows = if spaced {
        inner_rows.div_ceil(2)
    } else {
        inner_rows
    };
    let max_scroll = told.len().saturating_sub(rows);
    let scroll = app.scroll.min(max_scroll);
    let end = told.len() - scroll;
    let start = end.saturating_sub(rows);

    let title = match (&app.frozen, scroll) {
        (None, _) => "Event log (newest last)".to_string(),
        (Some(_), 0) => "Event log: FROZEN (f: follow)".to_string(),
        (Some(_), s) => format!("Event log: FROZEN, {s} newer below (End: follow)"),
    };
    let block = theme.block(&title);
    let inner = block.inner(area);
    block.render(area, buf);
    if told.is_empty() {
        Paragraph::new(Line::styled("no events yet", theme.dim())).render(inner, buf);
        return;
    }
    let mut lines = Vec::new();
    for line in styled(app, &told[start..end], inner.width as usize) {
        if spaced && !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        lines.push(line);
    }
    // The newest line stays on the last row.
    let skip = lines.len().saturating_sub(inner.height as usize);
    Paragraph::new(lines.split_off(skip)).render(inner, buf);
}

/// The log's story lines `range` (clamped to the lines there are), each at
/// most `width` columns: the time of its first event, the channel when the
/// run has several, and the operation in words, shortened at a word
/// boundary when it is too long.
pub fn lines_for(app: &App, range: std::ops::Range<usize>, width: usize) -> Vec<Line<'static>> {
    let told = app_story(app);
    let end = range.end.min(told.len());
    let start = range.start.min(end);
    styled(app, &told[start..end], width)
}

fn styled(app: &App, told: &[StoryLine], width: usize) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let log = app.log();
    let many = app.snapshot.channels.len() > 1;
    // Times line up: as wide as the widest shown (`1m20.125s` past a minute).
    let snap = &app.snapshot;
    let time = |e: &LogEntry| format::time_us(snap.since_created(e.chan, e.at_us));
    let time_w = told
        .iter()
        .map(|l| time(&log[l.first]).len())
        .max()
        .unwrap_or(0)
        .max(7);
    told.iter()
        .map(|l| {
            let e = &log[l.first];
            let mut spans = vec![Span::styled(format!("{:>time_w$} ", time(e)), theme.dim())];
            if many {
                spans.push(Span::styled(format!("#{} ", e.chan), theme.dim()));
            }
            spans.push(Span::styled(l.text.clone(), kind_style(&e.kind, theme)));
            theme.fit(Line::from(spans), width)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::snapshot::{ChannelSnapshot, NO_TICKET};

    /// A snapshot that knows channel 7 (8 slots).
    fn snap() -> Snapshot {
        Snapshot {
            channels: vec![ChannelSnapshot {
                chan: 7,
                capacity: 8,
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    /// Events on channel 7, in this order.
    fn on7(kinds: &[EventKind]) -> Vec<LogEntry> {
        kinds
            .iter()
            .enumerate()
            .map(|(i, &kind)| LogEntry {
                seq: i as u64,
                at_us: 1_000 * i as u64,
                chan: 7,
                kind,
            })
            .collect()
    }

    fn told(kinds: &[EventKind]) -> Vec<String> {
        story(&on7(kinds), &snap(), false)
            .into_iter()
            .map(|l| l.text)
            .collect()
    }

    fn push(handle: u64, slot: usize, len: usize) -> EventKind {
        EventKind::Push {
            handle,
            slot,
            head: 0,
            tail: 0,
            len,
            handoff: false,
        }
    }

    /// A hand-off: parked sender `handle`'s message moved into `slot`.
    fn handoff(handle: u64, slot: usize, len: usize) -> EventKind {
        EventKind::Push {
            handle,
            slot,
            head: 0,
            tail: 0,
            len,
            handoff: true,
        }
    }

    fn pop(handle: u64, slot: usize, len: usize) -> EventKind {
        EventKind::Pop {
            handle,
            slot,
            head: 0,
            tail: 0,
            len,
        }
    }

    fn wake(side: Side, woken: u64, waiting: usize, cause: WakeCause, by: u64) -> EventKind {
        EventKind::Wake {
            side,
            woken,
            waiting,
            ticket: NO_TICKET,
            cause,
            by,
        }
    }

    fn send_wait(handle: u64, waiting: usize) -> EventKind {
        EventKind::SendWait {
            handle,
            waiting,
            ticket: NO_TICKET,
        }
    }

    fn close(role: Role, handle: u64) -> EventKind {
        EventKind::Handle {
            handle,
            role,
            from: HandleState::Open,
            to: HandleState::Closing,
        }
    }

    const CLOSING: EventKind = EventKind::Lifecycle {
        from: Lifecycle::Open,
        to: Lifecycle::Closing,
    };

    /// A hand-off reads as one line after its pop: who moved whose parked
    /// message into which slot, and the wake of that sender, its send done;
    /// a receiver woken by that push joins the same line. Alone (its wake
    /// not there), the push still says it was a hand-off.
    #[test]
    fn a_handoff_is_told_as_the_popper_moving_the_parked_message_in() {
        let by_r1 = WakeCause::Handoff {
            role: Role::Receiver,
        };
        assert_eq!(
            told(&[
                pop(1, 5, 7),
                handoff(2, 5, 8),
                wake(Side::Senders, 2, 3, by_r1, 1),
                wake(Side::Receivers, 0, 0, WakeCause::Push, 2),
            ]),
            [
                "R1 popped slot 5 (len 7/8)",
                "R1 moved S2's parked message into slot 5 (len 8/8: now full) → woke S2, its send \
                 done, R0 (none still waiting)",
            ]
        );
        assert_eq!(
            told(&[handoff(2, 5, 8)]),
            ["S2's parked message moved into slot 5 (len 8/8: now full): a hand-off"]
        );
    }

    #[test]
    fn a_pop_and_the_wake_it_caused_are_one_line_with_an_event_between() {
        let events = on7(&[
            pop(1, 5, 3),
            push(0, 1, 4),
            wake(Side::Senders, 2, 1, WakeCause::Pop, 1),
        ]);
        let lines = story(&events, &snap(), false);
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "R1 popped slot 5 (len 3/8) → woke S2 (1 sender still waiting)",
                "S0 pushed slot 1 (len 4/8)",
            ]
        );
        // The merged line stands where its pop is, and tells the wake too.
        assert_eq!((lines[0].first, lines[0].newest), (0, 2));
        assert_eq!((lines[1].first, lines[1].newest), (1, 1));
    }

    #[test]
    fn a_push_and_the_wake_it_caused_are_one_line() {
        assert_eq!(
            told(&[
                push(1, 3, 1),
                wake(Side::Receivers, 0, 0, WakeCause::Push, 1)
            ]),
            ["S1 pushed slot 3 (len 1/8) → woke R0 (none still waiting)"]
        );
    }

    #[test]
    fn a_wake_joins_the_pop_of_its_handle_not_the_nearest_pop() {
        assert_eq!(
            told(&[
                pop(1, 5, 3),
                pop(0, 6, 2),
                wake(Side::Senders, 2, 1, WakeCause::Pop, 1),
            ]),
            [
                "R1 popped slot 5 (len 3/8) → woke S2 (1 sender still waiting)",
                "R0 popped slot 6 (len 2/8)",
            ]
        );
    }

    #[test]
    fn a_close_comes_first_then_what_it_did_to_each_future() {
        assert_eq!(
            told(&[
                close(Role::Sender, 1),
                CLOSING,
                wake(
                    Side::Senders,
                    2,
                    1,
                    WakeCause::Close { role: Role::Sender },
                    1
                ),
                wake(
                    Side::Senders,
                    3,
                    0,
                    WakeCause::Close { role: Role::Sender },
                    1
                ),
                wake(
                    Side::Receivers,
                    0,
                    0,
                    WakeCause::Close { role: Role::Sender },
                    1
                ),
                EventKind::Closed {
                    role: Role::Sender,
                    handle: 2
                },
                EventKind::Closed {
                    role: Role::Sender,
                    handle: 3
                },
                EventKind::Closed {
                    role: Role::Receiver,
                    handle: 0
                },
            ]),
            [
                "S1 close(): Open -> Closing → woke S2, S3, R0",
                "channel closing: no new sends, receivers drain the rest",
                "S2 send → Err(Closed): value returned",
                "S3 send → Err(Closed): value returned",
                "R0 recv → end of stream",
            ]
        );
        // A last drop that closes the channel tells its wakes the same way.
        let dropped = EventKind::Handle {
            handle: 0,
            role: Role::Receiver,
            from: HandleState::Open,
            to: HandleState::Dropped,
        };
        assert_eq!(
            told(&[
                dropped,
                CLOSING,
                wake(
                    Side::Senders,
                    4,
                    0,
                    WakeCause::Close {
                        role: Role::Receiver
                    },
                    0
                ),
            ])[0],
            "R0 dropped (was Open) → woke S4"
        );
    }

    #[test]
    fn an_abandoned_parked_send_says_so() {
        let left = |side, served| EventKind::Leave {
            side,
            handle: 1,
            waiting: 2,
            served,
            ticket: NO_TICKET,
        };
        assert_eq!(
            told(&[
                left(Side::Senders, false),
                left(Side::Receivers, false),
                left(Side::Senders, true),
            ]),
            [
                "S1 gave up waiting: its send was dropped or withdrawn (2 senders still waiting)",
                "R1 gave up waiting: its receive was dropped (2 receivers still waiting)",
                "S1 stopped waiting: its own retry settled its send (2 senders still waiting)",
            ]
        );
    }

    #[test]
    fn an_old_recordings_lifecycle_is_told_after_the_close_that_caused_it() {
        // Before schema v2 the channel reported `open -> closing` first.
        assert_eq!(
            told(&[
                push(0, 0, 1),
                CLOSING,
                close(Role::Sender, 1),
                push(0, 1, 2)
            ]),
            [
                "S0 pushed slot 0 (len 1/8)",
                "S1 close(): Open -> Closing",
                "channel closing: no new sends, receivers drain the rest",
                "S0 pushed slot 1 (len 2/8)",
            ]
        );
        // In v2's order nothing moves, even with another close after it.
        assert_eq!(
            told(&[close(Role::Sender, 1), CLOSING, close(Role::Sender, 2)]),
            [
                "S1 close(): Open -> Closing",
                "channel closing: no new sends, receivers drain the rest",
                "S2 close(): Open -> Closing",
            ]
        );
    }

    #[test]
    fn a_wake_of_unknown_cause_joins_only_the_line_before_and_invents_no_actor() {
        let unknown = wake(Side::Senders, 2, 1, WakeCause::Unknown, 0);
        assert_eq!(
            told(&[pop(1, 5, 3), unknown]),
            ["R1 popped slot 5 (len 3/8) → woke S2 (1 sender still waiting)"]
        );
        let apart = told(&[pop(1, 5, 3), push(0, 1, 4), unknown]);
        assert_eq!(apart[2], "woke S2 (1 sender still waiting)");
        // A push does not wake senders.
        assert_eq!(
            told(&[push(1, 5, 3), unknown])[1],
            "woke S2 (1 sender still waiting)"
        );
    }

    #[test]
    fn a_passed_wakeup_is_a_line_of_its_own() {
        assert_eq!(
            told(&[push(3, 2, 7), wake(Side::Senders, 4, 1, WakeCause::Pass, 3)]),
            [
                "S3 pushed slot 2 (len 7/8)",
                "S3 passed its wakeup on → woke S4 (1 sender still waiting)",
            ]
        );
        // Two passes by S3 with S3's park between are two operations.
        assert_eq!(
            told(&[
                wake(Side::Senders, 4, 1, WakeCause::Pass, 3),
                send_wait(3, 2),
                wake(Side::Senders, 5, 1, WakeCause::Pass, 3),
            ])
            .len(),
            3
        );
    }

    #[test]
    fn a_wake_is_not_told_before_the_woken_handle_parked() {
        // S2 parked after R0's pop began; the pop woke it: cause after park.
        assert_eq!(
            told(&[
                pop(0, 7, 5),
                send_wait(2, 3),
                wake(Side::Senders, 2, 2, WakeCause::Pop, 0),
            ]),
            [
                "R0 popped slot 7 (len 5/8)",
                "S2 parked: ring full (8/8), 3 senders waiting",
                "R0's pop woke S2 (2 senders still waiting)",
            ]
        );
    }

    #[test]
    fn a_wake_far_from_its_pop_or_on_another_channel_names_its_cause_alone() {
        let mut kinds = vec![pop(1, 5, 3)];
        kinds.extend((0..WINDOW as u64).map(|h| push(h, 0, 1)));
        kinds.push(wake(Side::Senders, 2, 1, WakeCause::Pop, 1));
        let lines = told(&kinds);
        assert_eq!(lines[0], "R1 popped slot 5 (len 3/8)");
        assert_eq!(
            lines.last().unwrap(),
            "R1's pop woke S2 (1 sender still waiting)"
        );
        let mut events = on7(&[pop(1, 5, 3), wake(Side::Senders, 2, 1, WakeCause::Pop, 1)]);
        events[0].chan = 8;
        let lines = story(&events, &snap(), false);
        assert_eq!(lines[1].text, "R1's pop woke S2 (1 sender still waiting)");
        // A close whose own event is gone still lists everyone it woke.
        let by_close = WakeCause::Close { role: Role::Sender };
        assert_eq!(
            told(&[
                wake(Side::Senders, 2, 0, by_close, 1),
                wake(Side::Receivers, 0, 0, by_close, 1),
            ]),
            ["S1's close woke S2, R0"]
        );
    }

    #[test]
    fn pushes_and_pops_print_len_alike_and_no_line_names_the_channel() {
        let lines = told(&[
            EventKind::Created { capacity: 8 },
            push(0, 7, 8),
            pop(0, 0, 0),
            CLOSING,
            EventKind::Lifecycle {
                from: Lifecycle::Closing,
                to: Lifecycle::Closed,
            },
        ]);
        assert_eq!(
            lines,
            [
                "channel created with 8 slots",
                "S0 pushed slot 7 (len 8/8: now full)",
                "R0 popped slot 0 (len 0/8: now empty)",
                "channel closing: no new sends, receivers drain the rest",
                "channel closed: drained, nothing more to receive",
            ]
        );
        // Capacity unknown: the length alone, both ways.
        let unknown = Snapshot::default();
        let e = on7(&[push(0, 1, 3), pop(0, 1, 2)]);
        assert_eq!(describe(&e[0], &unknown, false), "S0 pushed slot 1 (len 3)");
        assert_eq!(describe(&e[1], &unknown, false), "R0 popped slot 1 (len 2)");
    }

    #[test]
    fn did_tells_the_whole_line_of_the_newest_event() {
        let e = on7(&[
            pop(1, 5, 3),
            push(0, 1, 4),
            wake(Side::Senders, 2, 1, WakeCause::Pop, 1),
        ]);
        assert_eq!(
            did(&e, &snap(), false).as_deref(),
            Some("R1 popped slot 5 (len 3/8) → woke S2 (1 sender still waiting)")
        );
        assert_eq!(
            did(&e[..2], &snap(), false).as_deref(),
            Some("S0 pushed slot 1 (len 4/8)")
        );
        assert_eq!(did(&[], &snap(), false), None);
    }

    #[test]
    fn ascii_writes_the_arrow_in_ascii() {
        let lines = story(
            &on7(&[
                pop(1, 5, 3),
                wake(Side::Senders, 2, 1, WakeCause::Pop, 1),
                EventKind::Closed {
                    role: Role::Receiver,
                    handle: 0,
                },
            ]),
            &snap(),
            true,
        );
        for l in &lines {
            assert!(l.text.is_ascii(), "{}", l.text);
        }
        assert_eq!(lines[1].text, "R0 recv -> end of stream");
    }
}
