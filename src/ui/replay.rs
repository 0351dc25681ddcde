//! The player behind `chanviz replay FILE`: the same view, on a recorded
//! history instead of a live run. It stands in for the runner as the view's
//! [`Control`]: `space` plays and pauses at the recorded speed (times are
//! the recording's scenario time), `s` changes the speed, `n` shows one more
//! event, `r` starts again from the first; while paused every rewind key
//! works as on a live run (the same history, the same cursor). Keys that
//! would change a run say that a recording cannot change.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use crate::probe::{Rewind, Snapshot};
use crate::scenario::control::{Command, Control, Knob, Knobs, Mode};
use crate::scenario::knobs::{step_speed, SPEEDS};

/// Log entries in each snapshot (as a live one).
const EVENTS: usize = crate::probe::DEFAULT_SNAPSHOT_EVENTS;

/// Plays a history.
pub struct Player {
    history: Arc<dyn Rewind>,
    state: Mutex<State>,
    /// Set for `chanviz attach`: the history grows as the program runs, and
    /// playing follows its newest event; the flag says the program's stream
    /// has ended (the view then says so, pauses, and keeps the history).
    live: Option<Arc<std::sync::atomic::AtomicBool>>,
}

struct State {
    playing: bool,
    /// The newest event shown.
    pos: Option<u64>,
    /// When playing: the wall instant and the event time that match.
    wall: Instant,
    from_us: u64,
    speed: f64,
}

impl std::fmt::Debug for Player {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.lock();
        f.debug_struct("Player")
            .field("playing", &s.playing)
            .field("pos", &s.pos)
            .field("speed", &s.speed)
            .finish()
    }
}

impl Player {
    /// A player at the first event, playing.
    pub fn new(history: Arc<dyn Rewind>) -> Arc<Player> {
        let (first, end) = history.bounds();
        let pos = (end > first).then_some(first);
        let from_us = pos.and_then(|p| history.event(p)).map_or(0, |e| e.at_us);
        Arc::new(Player {
            history,
            state: Mutex::new(State {
                playing: pos.is_some(),
                pos,
                wall: Instant::now(),
                from_us,
                speed: SPEEDS[0],
            }),
            live: None,
        })
    }

    /// A player that follows a history still growing (`chanviz attach`):
    /// playing shows the newest event; paused, the rewind keys move through
    /// what has come so far. `ended` is set when the stream ends.
    pub fn live(
        history: Arc<dyn Rewind>,
        ended: Arc<std::sync::atomic::AtomicBool>,
    ) -> Arc<Player> {
        let (_, end) = history.bounds();
        Arc::new(Player {
            history,
            state: Mutex::new(State {
                playing: true,
                pos: end.checked_sub(1),
                wall: Instant::now(),
                from_us: 0,
                speed: SPEEDS[0],
            }),
            live: Some(ended),
        })
    }

    fn ended(&self) -> bool {
        self.live
            .as_ref()
            .is_some_and(|e| e.load(std::sync::atomic::Ordering::Acquire))
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The history it plays.
    pub fn history(&self) -> Arc<dyn Rewind> {
        self.history.clone()
    }

    /// Bring the position up to the time now, and the picture there.
    pub fn snapshot(&self) -> Snapshot {
        let mut s = self.lock();
        self.advance(&mut s);
        s.pos
            .and_then(|p| self.history.snapshot_at(p, EVENTS))
            .unwrap_or_default()
    }

    /// Pause at `after` of the recording's time (from its first event).
    pub fn pause_at(&self, after: std::time::Duration) {
        let mut s = self.lock();
        let (first, _) = self.history.bounds();
        let start = self.history.event(first).map_or(0, |e| e.at_us);
        let at = self.history.at_time(start + after.as_micros() as u64);
        s.pos = at.or(s.pos);
        s.playing = false;
        self.anchor(&mut s);
    }

    /// The newest event shown.
    pub fn position(&self) -> Option<u64> {
        let mut s = self.lock();
        self.advance(&mut s);
        s.pos
    }

    fn advance(&self, s: &mut State) {
        if !s.playing {
            return;
        }
        if self.live.is_some() {
            let (_, end) = self.history.bounds();
            s.pos = end.checked_sub(1).or(s.pos);
            return;
        }
        let target = s.from_us + s.wall.elapsed().mul_f64(s.speed).as_micros() as u64;
        let (first, end) = self.history.bounds();
        if let Some(p) = self.history.at_time(target) {
            s.pos = Some(p.max(s.pos.unwrap_or(first)));
        }
        if s.pos.is_some_and(|p| p + 1 >= end) {
            // The end of the recording: stop there.
            s.playing = false;
        }
    }

    /// Anchor the clock at the event shown.
    fn anchor(&self, s: &mut State) {
        s.wall = Instant::now();
        s.from_us = s
            .pos
            .and_then(|p| self.history.event(p))
            .map_or(0, |e| e.at_us);
    }

    fn set_playing(&self, s: &mut State, playing: bool) {
        self.advance(s);
        let (_, end) = self.history.bounds();
        let at_end = self.live.is_none() && s.pos.is_some_and(|p| p + 1 >= end);
        s.playing = playing && !at_end;
        self.anchor(s);
    }
}

impl Control for Player {
    fn command(&self, cmd: Command) {
        let mut s = self.lock();
        match cmd {
            Command::TogglePause => {
                let playing = !s.playing;
                self.set_playing(&mut s, playing);
            }
            Command::Pause => self.set_playing(&mut s, false),
            Command::Resume => self.set_playing(&mut s, true),
            Command::Step => {
                self.set_playing(&mut s, false);
                let (_, end) = self.history.bounds();
                if let Some(p) = s.pos.filter(|p| p + 1 < end) {
                    s.pos = Some(p + 1);
                }
            }
            Command::Turn(Knob::Speed, turn) => {
                self.advance(&mut s);
                s.speed = step_speed(s.speed, turn == crate::scenario::control::Turn::Up);
                self.anchor(&mut s);
            }
            Command::Restart => {
                let (first, end) = self.history.bounds();
                s.pos = (end > first).then_some(first);
                self.anchor(&mut s);
                s.playing = s.pos.is_some();
            }
            // A recording does not change: the view says so before sending.
            _ => {}
        }
    }

    /// For `chanviz attach`: once the program's stream has ended, one
    /// narration that says so (shown over the view until a key).
    fn narrations(&self, from: usize) -> Vec<crate::scenario::control::Narration> {
        if from > 0 || !self.ended() {
            return Vec::new();
        }
        vec![crate::scenario::control::Narration {
            run: 1,
            at: std::time::Duration::ZERO,
            say: Some(
                "The program has exited: its stream ended. Everything it sent is kept: \
                 Left/Right step through it, { } jump between marks, and Home goes to the \
                 oldest event."
                    .into(),
            ),
            ask: None,
        }]
    }

    fn knobs(&self) -> Knobs {
        Knobs {
            speed: self.lock().speed,
            ..Knobs::default()
        }
    }

    fn mode(&self) -> Mode {
        let mut s = self.lock();
        self.advance(&mut s);
        if self.ended() {
            // The program's stream ended: the view stops on its newest
            // event, paused, so every rewind key works on what it sent.
            Mode::Paused
        } else if s.playing {
            Mode::Running
        } else {
            Mode::Paused
        }
    }
}

/// The history as far as the player has played: the view's "newest event"
/// is the one the replay is at, so stepping back starts there and stepping
/// forward past it is `n`'s job.
impl Rewind for Player {
    fn span(&self) -> (u64, u64) {
        self.history.bounds()
    }
    fn bounds(&self) -> (u64, u64) {
        let (first, _) = self.history.bounds();
        let pos = self.position();
        (first, pos.map_or(first, |p| p + 1))
    }
    fn snapshot_at(&self, seq: u64, max_events: usize) -> Option<Snapshot> {
        self.history.snapshot_at(seq, max_events)
    }
    fn event(&self, seq: u64) -> Option<crate::probe::LogEntry> {
        self.history.event(seq)
    }
    fn find(
        &self,
        from: u64,
        forward: bool,
        pred: &dyn Fn(&crate::probe::LogEntry) -> bool,
    ) -> Option<u64> {
        let (_, end) = Rewind::bounds(self);
        self.history.find(from, forward, pred).filter(|&s| s < end)
    }
    fn matching(
        &self,
        from: u64,
        pred: &dyn Fn(&crate::probe::LogEntry) -> bool,
    ) -> (Vec<u64>, u64) {
        let (_, end) = Rewind::bounds(self);
        let (mut found, _) = self.history.matching(from, pred);
        found.retain(|&s| s < end);
        (found, end)
    }
    fn gaps(&self) -> Vec<(u64, u64)> {
        let (_, end) = Rewind::bounds(self);
        self.history
            .gaps()
            .into_iter()
            .filter(|g| g.0 < end)
            .collect()
    }
    fn at_time(&self, at_us: u64) -> Option<u64> {
        let (_, end) = Rewind::bounds(self);
        self.history
            .at_time(at_us)
            .map(|s| s.min(end.saturating_sub(1)))
    }
}
