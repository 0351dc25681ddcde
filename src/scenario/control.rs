//! The contract between whoever steers a run (the TUI, a test) and the
//! runner that executes it. Plain data and one trait; no tokio here.
//!
//! The UI never touches the runner's tasks: it sends [`Command`]s and reads
//! [`Knobs`] and [`Mode`] back, and it reads the channel itself only through
//! `probe::Snapshot`.

pub use super::knobs::{Knob, Knobs, Rate, Turn};
pub use super::spec::{Answer, Question};

use std::time::Duration;

/// Words a script addressed to the class: a `say`, an `ask`, or both.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Narration {
    /// Which run (1-based: 2 after the first restart).
    pub run: u32,
    /// Scenario time of the run when it was said.
    pub at: Duration,
    /// Words to show until a key.
    pub say: Option<String>,
    /// A question to answer, checked against what happens next.
    pub ask: Option<Question>,
}

/// A request to change a running scenario. Every key of the TUI that acts on
/// the run maps to exactly one of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// Spawn one more producer (a new `Sender` clone).
    AddProducer,
    /// Stop one producer (its `Sender` is dropped; never the last one while
    /// the channel is open, so a run is not closed by accident).
    RemoveProducer,
    /// Spawn one more consumer (a new `Receiver` clone).
    AddConsumer,
    /// Stop one consumer (never the last one: messages would be stranded).
    RemoveConsumer,
    /// Turn a knob one step (rate, work, capacity for the next restart,
    /// speed). See [`Knob`] for what each step does.
    Turn(Knob, Turn),
    /// Pause when running; resume when paused or stepping.
    TogglePause,
    /// Pause if running (nothing otherwise): for a UI that covers the view.
    Pause,
    /// Resume if paused or stepping (nothing otherwise).
    Resume,
    /// While paused: let exactly one channel operation (one send or one
    /// receive) proceed, then pause again.
    Step,
    /// Close the channel through the type-state API (a sender goes
    /// `Open -> Closing -> Closed`); consumers drain what is buffered.
    Close,
    /// Start the scenario again from the beginning, with a fresh channel
    /// (this is how a changed capacity takes effect).
    Restart,
}

/// Whether the runner's tasks are moving.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[repr(u8)]
pub enum Mode {
    /// Operations proceed at the scenario's pace.
    #[default]
    Running,
    /// No operation proceeds.
    Paused,
    /// Paused, and one operation was just allowed through by `Step`.
    Step,
    /// The run is over (duration reached, all messages sent, or closed and drained).
    Finished,
}

impl Mode {
    /// The mode stored as `as u8` (in an atomic), back; `None` for a byte
    /// no mode was stored as.
    pub fn from_u8(byte: u8) -> Option<Mode> {
        [Mode::Running, Mode::Paused, Mode::Step, Mode::Finished]
            .into_iter()
            .find(|&m| m as u8 == byte)
    }

    /// "RUNNING", "PAUSED", "STEP", "FINISHED": as shown in the header.
    pub fn label(self) -> &'static str {
        match self {
            Mode::Running => "RUNNING",
            Mode::Paused => "PAUSED",
            Mode::Step => "STEP",
            Mode::Finished => "FINISHED",
        }
    }
}

/// Something that steers a run. The runner implements it; UI tests use a fake.
pub trait Control: Send + Sync {
    /// Ask for a change. Never blocks; the runner applies it promptly.
    fn command(&self, cmd: Command);
    /// The current knob values.
    fn knobs(&self) -> Knobs;
    /// Running, paused, stepping or finished.
    fn mode(&self) -> Mode;
    /// What the script has said so far, from the `from`-th entry on.
    fn narrations(&self, from: usize) -> Vec<Narration> {
        let _ = from;
        Vec::new()
    }
}
