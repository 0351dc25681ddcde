//! UI state: what the user has asked to see (help, a frozen log, a channel)
//! and the last snapshot. Turns keys into actions and actions into
//! [`Command`]s. Never draws anything; the panels read it.

use std::time::Duration;

use ratatui::crossterm::event::{KeyEvent, KeyEventKind};
use ratatui::layout::Rect;

use crate::probe::snapshot::{ChannelSnapshot, HandleState, Lifecycle, LogEntry, Role, Snapshot};
use crate::scenario::control::{Command, Control, Knob, Knobs, Mode, Turn};
use crate::ui::keys::{self, Key, KeyAction, KeyContext, BINDINGS};
use crate::ui::panels;
use crate::ui::theme::Theme;

/// Everything the panels draw from.
#[derive(Clone, Debug)]
pub struct App {
    /// Scenario name, shown in the header.
    pub title: String,
    /// The scenario's description: in the header (wrapped, or its
    /// beginning), and whole on the description card.
    pub description: String,
    /// Colours and glyphs.
    pub theme: Theme,
    /// Is the help screen shown?
    pub help: bool,
    /// The event log as it was when frozen; `None` while it follows the run.
    pub frozen: Option<Vec<LogEntry>>,
    /// Log entries scrolled back from the newest (0 = the newest is at the bottom).
    pub scroll: usize,
    /// The channel shown, by id; `None` follows the newest channel.
    pub selected: Option<u64>,
    /// The last snapshot taken.
    pub snapshot: Snapshot,
    /// The knob values read with it.
    pub knobs: Knobs,
    /// The run's mode read with it.
    pub mode: Mode,
    /// How long the last frame took to draw.
    pub frame_time: Duration,
    /// Set by a quit key; the event loop stops.
    pub quit: bool,
    /// Why the last key could not act, shown in the footer for a while.
    pub notice: Option<Notice>,
    /// When the run was paused, as `(from_us, to_us)` in probe time, oldest
    /// first, as long as the throughput chart's window shows them: the chart
    /// and the averages leave paused time out. (A probe that follows the
    /// runner's scenario clock stands still while paused, so these spans are
    /// empty; time that steps move is time that happened, and counts.)
    pub paused: Vec<(u64, u64)>,
    /// The description card over the picture.
    pub card: Card,
    /// The big layout: ring, waiter queues and log only, drawn large.
    pub big: bool,
    /// Narrations of the script taken so far (`Control::narrations`).
    pub heard: usize,
    /// `heard` when the card was shown.
    heard_at_card: usize,
    /// What the script said or asked, shown over the view, oldest first.
    pub told: std::collections::VecDeque<crate::ui::lesson::Told>,
    /// The history to move through (the probe's, or a replay's).
    pub history: Option<std::sync::Arc<dyn crate::probe::Rewind>>,
    /// Where in the history the view is.
    pub cursor: crate::ui::rewind::Cursor,
    /// The view plays a recording (`chanviz replay`): keys that would
    /// change a run say that it cannot.
    pub replay: bool,
    /// A time being typed after `g` (shown in the footer).
    pub prompt: Option<String>,
    /// Which warnings are shown (`--warn`, `--allow`).
    pub warnings: crate::probe::insight::WarningFilter,
    /// The latency panel takes the throughput chart's place (`l`; on a
    /// screen narrower than `panels::LATENCY_WIDTH`, which has no room for
    /// both).
    pub latency: bool,
    /// The channel list's choice (an index into the snapshot's channels).
    pub list_at: usize,
    /// The channel list is the view's home (`chanviz attach`): it fills
    /// the screen at the start and after `Esc`; `Enter` opens the chosen
    /// channel's picture.
    pub list_home: bool,
    /// The list fills the screen now (with `list_home`).
    pub on_list: bool,
}

/// The description card: the scenario's whole description in a box over
/// the picture, for when the header cannot hold it (or on `d`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Card {
    /// Not shown.
    Hidden,
    /// Shown at the first frame if the header at that size cannot hold the
    /// whole description (see [`App::settle`]); the TUI starts this way.
    AtStart,
    /// Shown. `resume`: showing it paused the run, so closing it resumes it.
    Shown {
        /// Closing the card resumes the run.
        resume: bool,
    },
}

/// How long a [`Notice`] stays, in probe time (microseconds).
pub const NOTICE_US: u64 = 4_000_000;

/// A short message saying why a key did nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// The message.
    pub text: String,
    /// Shown while the snapshot's time is before this (probe microseconds).
    pub until_us: u64,
    /// And for at most [`NOTICE_US`] of wall time from here: the probe's
    /// clock (scenario time) stands still while the run is paused.
    pub shown: std::time::Instant,
}

impl App {
    /// Fresh state for a scenario.
    pub fn new(title: impl Into<String>, description: impl Into<String>, theme: Theme) -> Self {
        App {
            title: title.into(),
            description: description.into(),
            theme,
            help: false,
            frozen: None,
            scroll: 0,
            selected: None,
            snapshot: Snapshot::default(),
            knobs: Knobs::default(),
            mode: Mode::Running,
            frame_time: Duration::ZERO,
            quit: false,
            list_at: 0,
            list_home: false,
            on_list: false,
            latency: false,
            warnings: Default::default(),
            notice: None,
            paused: Vec::new(),
            card: Card::Hidden,
            big: false,
            heard: 0,
            heard_at_card: 0,
            told: std::collections::VecDeque::new(),
            history: None,
            cursor: Default::default(),
            replay: false,
            prompt: None,
        }
    }

    /// Is the description card shown?
    pub fn card_shown(&self) -> bool {
        matches!(self.card, Card::Shown { .. })
    }

    /// Before drawing a frame of `area`: a card waiting for the first frame
    /// ([`Card::AtStart`]) is shown if the header cannot hold the whole
    /// description at this size, and dropped if it can. A screen too small
    /// to draw on decides nothing yet.
    pub fn settle(&mut self, area: Rect, control: &dyn Control) {
        if self.card != Card::AtStart
            || area.width < panels::MIN_WIDTH
            || area.height < panels::MIN_HEIGHT
        {
            return;
        }
        if self.description.trim().is_empty() || panels::header::holds_description(self, area) {
            self.card = Card::Hidden;
        } else {
            self.show_card(control);
        }
    }

    /// Show the description card. A running run is paused while it is up,
    /// so that a timed script does not play out unseen behind it.
    pub fn show_card(&mut self, control: &dyn Control) {
        if self.card_shown() {
            return;
        }
        self.help = false;
        // The runner's mode now, not the last frame's.
        let resume = control.mode() == Mode::Running;
        if resume {
            // Pause, not a toggle: a lesson may have paused it a moment ago.
            control.command(Command::Pause);
        }
        self.card = Card::Shown { resume };
        self.heard_at_card = self.heard;
    }

    /// Close the card; resume the run if the card paused it and it is still paused.
    pub fn close_card(&mut self, control: &dyn Control) {
        if let Card::Shown { resume: true } = self.card {
            // Unless the script spoke meanwhile: its pause stands.
            if control.narrations(self.heard_at_card).is_empty() {
                control.command(Command::Resume);
            }
        }
        self.card = Card::Hidden;
    }

    /// The notice to show now, if one is still fresh.
    pub fn notice(&self) -> Option<&str> {
        self.notice
            .as_ref()
            .filter(|n| {
                self.snapshot.at_us < n.until_us
                    && n.shown.elapsed() < Duration::from_micros(NOTICE_US)
            })
            .map(|n| n.text.as_str())
    }

    pub(super) fn notify(&mut self, text: String) {
        self.notice = Some(Notice {
            text,
            until_us: self.snapshot.at_us + NOTICE_US,
            shown: std::time::Instant::now(),
        });
    }

    /// Take in one frame's worth of the world.
    pub fn update(&mut self, snapshot: Snapshot, knobs: Knobs, mode: Mode) {
        let now = snapshot.at_us;
        let was_held = self.mode == Mode::Paused;
        let held = mode == Mode::Paused;
        if was_held {
            // Paused since the last frame (and maybe resumed since): the span reaches now.
            if let Some(span) = self.paused.last_mut() {
                span.1 = now;
            }
        }
        if held && !was_held {
            self.paused.push((now, now));
        }
        self.paused
            .retain(|s| now.saturating_sub(s.1) <= crate::ui::panels::throughput::WINDOW_US);
        self.snapshot = snapshot;
        self.knobs = knobs;
        self.mode = mode;
        self.check_answer();
    }

    /// The channel to draw: the selected one if it still exists, else the newest.
    pub fn channel(&self) -> Option<&ChannelSnapshot> {
        self.selected
            .and_then(|id| self.snapshot.channel(id))
            .or_else(|| self.snapshot.current())
    }

    /// The log entries to draw, oldest first: the frozen copy, or the live log.
    pub fn log(&self) -> &[LogEntry] {
        self.frozen.as_deref().unwrap_or(&self.snapshot.events)
    }

    /// What decides which keys work now.
    pub fn key_context(&self) -> KeyContext {
        KeyContext {
            mode: self.mode,
            frozen: self.frozen.is_some(),
            channels: self.snapshot.channels.len(),
            list: crate::ui::panels::channels::shown(self) || self.list_screen(),
            picture: self.list_home && !self.on_list,
        }
    }

    /// Does the channel list fill the screen now?
    pub fn list_screen(&self) -> bool {
        self.list_home && self.on_list
    }

    /// Handle one key event: look it up in the table, and perform its action
    /// if it works now. Returns the action performed. While the description
    /// card is up, a key only closes it (and returns `None`); Ctrl-C still quits.
    pub fn on_key(&mut self, event: KeyEvent, control: &dyn Control) -> Option<KeyAction> {
        if event.kind == KeyEventKind::Release {
            return None;
        }
        if self.card_shown() {
            // Any key closes the card and does nothing else, so that a
            // reader's key press cannot change the run by accident.
            if keys::quits_anywhere(&event) {
                self.quit = true;
                return Some(KeyAction::Quit);
            }
            self.close_card(control);
            self.notice = None;
            return None;
        }
        if self.lesson_key(&event) {
            return None;
        }
        if self.prompt_key(&event) {
            return None;
        }
        let Some(binding) = keys::lookup(&event, &self.key_context()) else {
            let why = self.why_ignored(&event);
            self.notify(why);
            return None;
        };
        if let Some(why) = self.why_not(binding.action) {
            self.notify(why);
            return None;
        }
        self.notice = None;
        self.apply(binding.action, control);
        Some(binding.action)
    }

    /// Why `action` (whose key works in this mode) would do nothing now, if
    /// it would: the runner ignores it, so say so instead of sending it.
    pub fn why_not(&self, action: KeyAction) -> Option<String> {
        let KeyAction::Run(cmd) = action else {
            return None;
        };
        if self.replay
            && !matches!(
                cmd,
                Command::TogglePause
                    | Command::Step
                    | Command::Restart
                    | Command::Turn(Knob::Speed, _)
            )
        {
            return Some(
                "a recording cannot change: space plays, Left/Right step, s speed, r from the start"
                    .to_string(),
            );
        }
        let k = &self.knobs;
        // The runner acts on the newest channel, whichever one is shown.
        let open = self
            .snapshot
            .current()
            .is_none_or(|c| c.lifecycle == Lifecycle::Open);
        match cmd {
            Command::RemoveConsumer if k.consumers <= 1 => Some(format!(
                "{} is the last consumer: removing it would strand messages",
                self.last_task(Role::Receiver)
            )),
            Command::RemoveProducer if k.producers <= 1 => Some(format!(
                "{} is the last producer: removing it would close the channel (x closes it)",
                self.last_task(Role::Sender)
            )),
            Command::AddProducer
            | Command::AddConsumer
            | Command::Close
            | Command::RemoveProducer
            | Command::RemoveConsumer
                if !open =>
            {
                Some("the channel is closing: tasks and close wait for r (restart)".to_string())
            }
            Command::Turn(knob @ (Knob::Rate | Knob::Work | Knob::Capacity), turn) => {
                let mut moved = *k;
                knob.turn(&mut moved, turn);
                (moved == *k).then(|| {
                    let end = if turn == Turn::Up {
                        "highest"
                    } else {
                        "lowest"
                    };
                    let shown = if knob == Knob::Capacity {
                        k.next_capacity.to_string()
                    } else {
                        knob.show(k)
                    };
                    format!("{} is already at its {end}: {shown}", knob.name())
                })
            }
            _ => None,
        }
    }

    /// The label of the newest task handle in `role` still open (`R1`), for
    /// "R1 is the last consumer"; "this" when the snapshot has none.
    /// `S0` and `R0` are the runner's own handles, not tasks.
    fn last_task(&self, role: Role) -> String {
        self.snapshot
            .current()
            .and_then(|c| {
                c.handles_of(role)
                    .filter(|h| h.id != 0 && h.state == HandleState::Open)
                    .last()
            })
            .map_or_else(|| "this".to_string(), |h| h.label())
    }

    /// Why `event` matched no binding that works now.
    pub fn why_ignored(&self, event: &KeyEvent) -> String {
        let ctx = self.key_context();
        let asleep = BINDINGS
            .iter()
            .find(|b| b.keys.iter().any(|k| k.matches(event)));
        let name = Key {
            code: event.code,
            ctrl: event
                .modifiers
                .contains(ratatui::crossterm::event::KeyModifiers::CONTROL),
        };
        let Some(b) = asleep else {
            return format!("{name} is not a key here: ? lists the keys");
        };
        if ctx.mode == Mode::Finished {
            return format!("the run is finished: {name} does nothing now, r runs it again");
        }
        match b.when {
            keys::When::Paused => format!("{name} works only while paused: space pauses"),
            keys::When::Frozen | keys::When::FrozenNoList => {
                "the log already follows the newest entry".to_string()
            }
            keys::When::ManyChannels => {
                format!("only one channel: {name} switches channels after a restart (r)")
            }
            _ => format!("{name} does nothing now"),
        }
    }

    /// Perform `action`.
    pub fn apply(&mut self, action: KeyAction, control: &dyn Control) {
        match action {
            KeyAction::Quit => self.quit = true,
            KeyAction::ToggleHelp => self.help = !self.help,
            KeyAction::CloseHelpOrQuit => {
                if self.help {
                    self.help = false;
                } else {
                    self.quit = true;
                }
            }
            KeyAction::Run(cmd) => {
                if cmd == Command::Restart {
                    self.selected = None;
                }
                self.before_command(cmd);
                control.command(cmd);
            }
            KeyAction::StepCursor(back) => self.step_cursor(back),
            KeyAction::JumpMark(forward) => self.jump(forward),
            KeyAction::NextMark => self.next_mark(),
            KeyAction::HistoryEdge(oldest) => self.cursor_to_end(oldest),
            KeyAction::GoToTime => self.prompt = Some(String::new()),
            KeyAction::ToggleFreeze => {
                if self.frozen.is_some() {
                    self.follow();
                } else {
                    self.freeze();
                }
            }
            KeyAction::ScrollOlder(n) => {
                self.freeze();
                let max = crate::ui::panels::log::line_count(self).saturating_sub(1);
                self.scroll = (self.scroll + n).min(max);
            }
            KeyAction::ScrollNewer(n) => self.scroll = self.scroll.saturating_sub(n),
            KeyAction::Oldest => {
                self.freeze();
                self.scroll = crate::ui::panels::log::line_count(self).saturating_sub(1);
            }
            KeyAction::Newest => self.follow(),
            KeyAction::NextChannel => self.next_channel(),
            KeyAction::Describe => self.show_card(control),
            KeyAction::ToggleBig => self.big = !self.big,
            KeyAction::ToggleLatency => self.latency = !self.latency,
            KeyAction::ListMove(down) => {
                let n = self.snapshot.channels.len().max(1);
                self.list_at = if down {
                    (self.list_at + 1) % n
                } else {
                    (self.list_at + n - 1) % n
                };
            }
            KeyAction::ListShow => {
                let chans = &self.snapshot.channels;
                if let Some(c) = chans.get(self.list_at) {
                    // The newest channel is followed, as `Tab` does.
                    self.selected = (self.list_at + 1 != chans.len()).then_some(c.chan);
                    self.on_list = false;
                }
            }
            KeyAction::BackToList => {
                if self.help {
                    self.help = false;
                } else {
                    // The list's choice starts on the channel that was shown.
                    let shown = self.channel().map(|c| c.chan);
                    if let Some(i) = self
                        .snapshot
                        .channels
                        .iter()
                        .position(|c| Some(c.chan) == shown)
                    {
                        self.list_at = i;
                    }
                    self.on_list = true;
                }
            }
        }
    }

    fn freeze(&mut self) {
        if self.frozen.is_none() {
            self.frozen = Some(self.snapshot.events.clone());
        }
    }

    fn follow(&mut self) {
        self.frozen = None;
        self.scroll = 0;
    }

    fn next_channel(&mut self) {
        let chans = &self.snapshot.channels;
        if chans.len() < 2 {
            return;
        }
        let shown = self.channel().map(|c| c.chan);
        let idx = chans
            .iter()
            .position(|c| Some(c.chan) == shown)
            .unwrap_or(chans.len() - 1);
        let next = (idx + 1) % chans.len();
        // The last channel is the one a restart creates: showing it means following.
        self.selected = (next != chans.len() - 1).then(|| chans[next].chan);
    }
}
