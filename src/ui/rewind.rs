//! Time travel in the view: a cursor on the history of events (the live
//! probe's, or a replay's, through `probe::Rewind`), the marks a jump goes
//! to, and the keys that move it. While paused, `←`/`→` step one event,
//! `{`/`}` jump to the previous or next mark of the chosen kind (`m`
//! chooses: park, wake, full ring, empty ring, type-state transition),
//! `Home`/`End` go to the oldest event kept and back to the newest. Every
//! panel then draws the fold of the events up to the cursor; resuming (or
//! stepping the real run with `n`) returns to the newest.

use std::collections::HashMap;
use std::sync::Arc;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::App;
use crate::probe::{EventKind, HandleState, LogEntry, Rewind, Snapshot};
use crate::scenario::control::{Command, Mode};

/// Log entries each snapshot at the cursor carries (as a live snapshot).
pub const CURSOR_EVENTS: usize = crate::probe::DEFAULT_SNAPSHOT_EVENTS;

/// What a jump goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Mark {
    /// A sender or receiver parks.
    #[default]
    Park,
    /// A parked waiter is woken.
    Wake,
    /// A push fills the ring.
    Full,
    /// A pop empties the ring.
    Empty,
    /// A handle or the channel changes type state.
    Transition,
}

impl Mark {
    /// In the order `m` goes through them.
    pub const ALL: [Mark; 5] = [
        Mark::Park,
        Mark::Wake,
        Mark::Full,
        Mark::Empty,
        Mark::Transition,
    ];

    /// "park", "wake", "full ring", "empty ring", "transition".
    pub fn label(self) -> &'static str {
        match self {
            Mark::Park => "park",
            Mark::Wake => "wake",
            Mark::Full => "full ring",
            Mark::Empty => "empty ring",
            Mark::Transition => "transition",
        }
    }

    /// The next kind (`m`).
    pub fn next(self) -> Mark {
        let i = Mark::ALL.iter().position(|&m| m == self).unwrap_or(0);
        Mark::ALL[(i + 1) % Mark::ALL.len()]
    }

    /// Is `e` one? `capacity` of its channel (for a full ring).
    pub fn matches(self, e: &LogEntry, capacity: usize) -> bool {
        match (self, e.kind) {
            (Mark::Park, EventKind::SendWait { .. } | EventKind::RecvWait { .. }) => true,
            (Mark::Wake, EventKind::Wake { .. }) => true,
            (Mark::Full, EventKind::Push { len, .. }) => capacity > 0 && len >= capacity,
            (Mark::Empty, EventKind::Pop { len, .. }) => len == 0,
            (Mark::Transition, EventKind::Lifecycle { from, to }) => from != to,
            (Mark::Transition, EventKind::Handle { from, to, .. }) => {
                from != HandleState::Absent && to != HandleState::Dropped
            }
            _ => false,
        }
    }
}

/// The cursor, and what the timeline shows.
#[derive(Clone, Debug, Default)]
pub struct Cursor {
    /// The event shown (`None`: the newest, live).
    pub at: Option<u64>,
    /// The history's bounds: oldest kept, and one past the newest.
    pub bounds: (u64, u64),
    /// What the timeline spans (a replay's whole recording).
    pub span: (u64, u64),
    /// What `{`/`}` jump to.
    pub mark: Mark,
    /// Every mark of that kind in the history, in order.
    pub marks: Vec<u64>,
    /// Type-state transitions, always marked on the timeline.
    pub transitions: Vec<u64>,
    /// Gaps: (seq of the first event after, events lost).
    pub gaps: Vec<(u64, u64)>,
    /// Marks are known up to here; `marks_of` says for which kind.
    scanned: u64,
    marks_of: Option<Mark>,
}

impl Cursor {
    /// The event shown: the cursor, or the newest.
    pub fn shown(&self) -> Option<u64> {
        self.at.or_else(|| self.bounds.1.checked_sub(1))
    }
}

/// Channel capacities, for telling a full ring.
fn capacities(snapshot: &Snapshot) -> HashMap<u64, usize> {
    snapshot
        .channels
        .iter()
        .map(|c| (c.chan, c.capacity))
        .collect()
}

impl App {
    /// Give the view a history to move through.
    pub fn set_history(&mut self, history: Arc<dyn Rewind>) {
        self.history = Some(history);
    }

    /// The cursor, while paused with a history to move through (then the
    /// header numbers the event shown and the timeline is drawn).
    pub fn paused_history(&self) -> Option<&Cursor> {
        let paused = matches!(self.mode, Mode::Paused | Mode::Step);
        (paused && self.history.is_some()).then_some(&self.cursor)
    }

    /// Whether the view shows an event of the past (paused, cursor set).
    pub fn rewound(&self) -> bool {
        self.cursor.at.is_some()
    }

    /// Once a frame, after [`App::update`] took the live snapshot: the
    /// history's bounds, its gaps and new marks, and, if the view shows the
    /// past, the snapshot at the cursor in place of the live one. The
    /// cursor is dropped when the run moves again.
    pub fn refresh_history(&mut self) {
        if let Some(past) = self.history_at_cursor() {
            self.snapshot = past;
        }
    }

    fn history_at_cursor(&mut self) -> Option<Snapshot> {
        let history = self.history.clone()?;
        let live = &self.snapshot;
        if !matches!(self.mode, Mode::Paused | Mode::Step) {
            self.cursor.at = None;
        }
        let caps = capacities(live);
        let c = &mut self.cursor;
        c.bounds = history.bounds();
        c.span = history.span();
        c.gaps = history.gaps();
        if c.marks_of != Some(c.mark) || c.scanned < c.bounds.0 {
            c.marks.clear();
            c.transitions.clear();
            c.scanned = c.bounds.0;
            c.marks_of = Some(c.mark);
        }
        let mark = c.mark;
        let (found, end) = history.matching(c.scanned, &|e| {
            mark.matches(e, caps.get(&e.chan).copied().unwrap_or(0))
                || Mark::Transition.matches(e, 0)
        });
        for seq in found {
            if let Some(e) = history.event(seq) {
                if mark.matches(&e, caps.get(&e.chan).copied().unwrap_or(0)) {
                    c.marks.push(seq);
                }
                if Mark::Transition.matches(&e, 0) {
                    c.transitions.push(seq);
                }
            }
        }
        c.scanned = end;
        let first = c.bounds.0;
        c.marks.retain(|&s| s >= first);
        c.transitions.retain(|&s| s >= first);
        let at = c.at?;
        if at < c.bounds.0 || at >= c.bounds.1 {
            c.at = None;
            return None;
        }
        history.snapshot_at(at, CURSOR_EVENTS)
    }

    /// `←`/`→`: one event back or forward (from the newest, the first `←`
    /// goes to the one before it).
    pub(super) fn step_cursor(&mut self, back: bool) {
        let (first, end) = self.cursor.bounds;
        let Some(shown) = self.cursor.shown() else {
            self.notify("no event yet: nothing to step through".to_string());
            return;
        };
        let to = if back {
            shown.checked_sub(1).filter(|&s| s >= first)
        } else {
            Some(shown + 1).filter(|&s| s < end)
        };
        match to {
            Some(s) => self.cursor.at = Some(s),
            None if back => self.notify("this is the oldest event kept".to_string()),
            None => {
                self.cursor.at = None;
                self.notify("this is the newest event: n lets the run go on".to_string());
            }
        }
    }

    /// `{`/`}`: the previous or next mark of the chosen kind.
    pub(super) fn jump(&mut self, forward: bool) {
        let Some(shown) = self.cursor.shown() else {
            return;
        };
        let marks = &self.cursor.marks;
        let to = if forward {
            marks.iter().copied().find(|&s| s > shown)
        } else {
            marks.iter().rev().copied().find(|&s| s < shown)
        };
        match to {
            Some(s) => self.cursor.at = Some(s),
            None => {
                let which = if forward { "later" } else { "earlier" };
                let m = self.cursor.mark.label();
                self.notify(format!(
                    "no {which} {m} in the history (m: jump to something else)"
                ));
            }
        }
    }

    /// `m`: the next kind of mark.
    pub(super) fn next_mark(&mut self) {
        self.cursor.mark = self.cursor.mark.next();
        let m = self.cursor.mark.label();
        self.notify(format!("{{ and }} now jump to the previous / next {m}"));
    }

    /// `Home`: the oldest event kept. `End`: the newest.
    pub(super) fn cursor_to_end(&mut self, oldest: bool) {
        let (first, end) = self.cursor.bounds;
        self.cursor.at = if oldest && end > first {
            Some(first)
        } else {
            None
        };
    }

    /// A command is about to go to the runner: resuming, or letting the run
    /// take one more operation, returns the view to the newest event.
    pub(super) fn before_command(&mut self, cmd: Command) {
        if matches!(cmd, Command::TogglePause | Command::Step | Command::Resume) {
            self.cursor.at = None;
        }
    }
}

impl App {
    /// A key while a time is being typed after `g`: digits and units go in
    /// the prompt, Backspace takes one out, Enter goes there, Esc gives up.
    /// `false` when no prompt is open (or for Ctrl keys: Ctrl-C still quits).
    pub(super) fn prompt_key(&mut self, event: &KeyEvent) -> bool {
        let Some(text) = self.prompt.as_mut() else {
            return false;
        };
        if event.modifiers.contains(KeyModifiers::CONTROL) {
            return false;
        }
        match event.code {
            KeyCode::Char(c) if (c.is_ascii_alphanumeric() || c == '.') && text.len() < 16 => {
                text.push(c);
            }
            KeyCode::Backspace => {
                text.pop();
            }
            KeyCode::Esc => self.prompt = None,
            KeyCode::Enter => {
                let text = self.prompt.take().unwrap_or_default();
                self.go_to(&text);
            }
            _ => {}
        }
        true
    }

    /// Move the cursor to scenario time `text` ("4.5s", "1m", or a number
    /// of seconds) of the channel shown: to the newest event at or before it.
    fn go_to(&mut self, text: &str) {
        let parsed = match text.trim().parse::<f64>() {
            Ok(secs) if secs.is_finite() && secs >= 0.0 => {
                Ok(std::time::Duration::from_secs_f64(secs.min(1e9)))
            }
            _ => crate::format::parse_duration(text),
        };
        let t = match parsed {
            Ok(t) => t,
            Err(m) => {
                self.notify(format!("g: the time {m}"));
                return;
            }
        };
        let Some(history) = self.history.clone() else {
            return;
        };
        let created = self.channel().map_or(0, |c| c.created_us());
        let at = created + t.as_micros() as u64;
        match history.at_time(at) {
            Some(seq) => self.cursor.at = Some(seq),
            None => self.notify(format!(
                "no event kept at or before {}",
                crate::format::elapsed(t)
            )),
        }
    }
}
