//! The contract between whoever steers a run (the TUI, a test) and the
//! runner that executes it. Plain data and one trait; no tokio here.
//!
//! The UI never touches the runner's tasks: it sends [`Command`]s and reads
//! [`Knobs`] and [`Mode`] back, and it reads the channel itself only through
//! `probe::Snapshot`.

use std::time::Duration;

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
    /// Raise the producer rate one notch.
    FasterRate,
    /// Lower the producer rate one notch.
    SlowerRate,
    /// Shorten the consumer's per-message work time one notch.
    LessWork,
    /// Lengthen the consumer's per-message work time one notch.
    MoreWork,
    /// Pause when running; resume when paused or stepping.
    TogglePause,
    /// While paused: let exactly one channel operation (one send or one
    /// receive) proceed, then pause again.
    Step,
    /// Cycle the speed factor (1x, 1/2, 1/4, 1/10, then back to 1x). Slow
    /// motion stretches every delay of the scenario.
    CycleSpeed,
    /// Close the channel through the type-state API (a sender goes
    /// `Open -> Closing -> Closed`); consumers drain what is buffered.
    Close,
    /// Double the ring capacity for the next restart (the running channel
    /// keeps its own: a ring's capacity is fixed).
    LargerCapacity,
    /// Halve the ring capacity for the next restart (at least 1).
    SmallerCapacity,
    /// Start the scenario again from the beginning, with a fresh channel
    /// (this is how a changed capacity takes effect).
    Restart,
}

/// Whether the runner's tasks are moving.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
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

/// A producer rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rate {
    /// As fast as the channel takes them.
    Max,
    /// Messages per second, per producer.
    PerSec(f64),
}

/// The live values of everything a user can change while a run goes on.
#[derive(Clone, Debug, PartialEq)]
pub struct Knobs {
    /// Producer tasks alive now.
    pub producers: usize,
    /// Consumer tasks alive now.
    pub consumers: usize,
    /// Rate of each producer.
    pub rate: Rate,
    /// Work time per message in each consumer.
    pub consumer_delay: Duration,
    /// Ring capacity of the current channel.
    pub capacity: usize,
    /// Ring capacity the next restart will use (`LargerCapacity` /
    /// `SmallerCapacity` change it; equal to `capacity` until then).
    pub next_capacity: usize,
    /// Speed factor: 1.0 is real time, 0.25 is four times slower.
    pub speed: f64,
}

/// Something that steers a run. The runner implements it; UI tests use a fake.
pub trait Control: Send + Sync {
    /// Ask for a change. Never blocks; the runner applies it promptly.
    fn command(&self, cmd: Command);
    /// The current knob values.
    fn knobs(&self) -> Knobs;
    /// Running, paused, stepping or finished.
    fn mode(&self) -> Mode;
}
