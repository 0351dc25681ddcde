//! UI state: what the user has asked to see (help, a frozen log, a channel)
//! and the last snapshot. Turns keys into actions and actions into
//! [`Command`]s. Never draws anything; the panels read it.

use std::time::Duration;

use ratatui::crossterm::event::{KeyEvent, KeyEventKind};

use crate::probe::snapshot::{ChannelSnapshot, LogEntry, Snapshot};
use crate::scenario::control::{Command, Control, Knobs, Mode};
use crate::ui::keys::{self, KeyAction, KeyContext};
use crate::ui::theme::Theme;

/// Everything the panels draw from.
#[derive(Clone, Debug)]
pub struct App {
    /// Scenario name, shown in the header.
    pub title: String,
    /// One-line scenario description, shown in the header.
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
        }
    }

    /// Take in one frame's worth of the world.
    pub fn update(&mut self, snapshot: Snapshot, knobs: Knobs, mode: Mode) {
        self.snapshot = snapshot;
        self.knobs = knobs;
        self.mode = mode;
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
        }
    }

    /// Handle one key event: look it up in the table, and perform its action
    /// if it works now. Returns the action performed.
    pub fn on_key(&mut self, event: KeyEvent, control: &dyn Control) -> Option<KeyAction> {
        if event.kind == KeyEventKind::Release {
            return None;
        }
        let binding = keys::lookup(&event, &self.key_context())?;
        self.apply(binding.action, control);
        Some(binding.action)
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
                control.command(cmd);
            }
            KeyAction::ToggleFreeze => {
                if self.frozen.is_some() {
                    self.follow();
                } else {
                    self.freeze();
                }
            }
            KeyAction::ScrollOlder(n) => {
                self.freeze();
                let max = self.log().len().saturating_sub(1);
                self.scroll = (self.scroll + n).min(max);
            }
            KeyAction::ScrollNewer(n) => self.scroll = self.scroll.saturating_sub(n),
            KeyAction::Oldest => {
                self.freeze();
                self.scroll = self.log().len().saturating_sub(1);
            }
            KeyAction::Newest => self.follow(),
            KeyAction::NextChannel => self.next_channel(),
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
