//! The runner: executes a [`Scenario`] on its own tokio multi-thread runtime,
//! with producer and consumer tasks on one `chanviz::channel`, live knobs,
//! pause / step, a timed script, and a clean shutdown that loses nothing.
//! It must never depend on the probe for its own correctness, and never uses
//! a chanviz channel for its own control (tokio's sync primitives and atomics
//! carry the knobs). It never ends the process: a signal is reported to the
//! caller ([`RunOptions::on_signal`]), which decides.
//!
//! - this file: the public API ([`Runner`], [`RunnerHandle`], the results);
//! - `signals.rs`: Ctrl-C and SIGTERM, reported, never acted on beyond a
//!   clean shutdown;
//! - `shared.rs`: the live state the supervisor, the tasks and the handle share;
//! - `tasks.rs`: the producer and consumer tasks, and the close through a
//!   sender's or a receiver's type state;
//! - `supervisor.rs`: one epoch per channel: commands, the script, the clock,
//!   and the end of a run.
//!
//! # Shape of a run
//! - The runner keeps two handles of its own, `S0` and `R0`: it clones them to
//!   start producers and consumers, and at the end of the run it closes the
//!   channel through `S0` (`Sender<Open>` → `close()` → `Sender<Closing>` →
//!   `drained().await` → `Sender<Closed>`). Producers are `S1`, `S2`, ...;
//!   consumers `R1`, `R2`, ...
//! - Scenario time ([`SceneClock`]) runs at the speed factor, stops while
//!   paused, and starts at zero on a restart. It is the clock of the script,
//!   of `duration`, of the tasks' rates and work, of the transitions and the
//!   summary; a probe that follows it stamps events with it too.
//! - While paused, a step lets exactly one channel operation happen: one
//!   task's push, pop or park (a pop's wake is part of the pop; the woken
//!   task's retry is the next step). When no task is ready, a step moves the
//!   clock to the next thing due (a producer's next send, a consumer's end of
//!   work, a scripted action), so stepping walks through the run in order and
//!   reaches the script.
//! - The run ends when the duration is reached, when every producer has sent
//!   its messages, when the channel was closed (by `Close` or the script) and
//!   drained, or on [`RunnerHandle::shutdown`]. The producers stop first, then
//!   the channel closes, then the consumers drain it: `sent == received`.
//!
//! # Blocking API
//! ```no_run
//! use chanviz::scenario::{demos, runner::{Runner, RunOptions}};
//! let scenario = demos::find("mpsc").unwrap().scenario().unwrap();
//! let handle = Runner::start(scenario, RunOptions::default()).unwrap();
//! std::thread::sleep(std::time::Duration::from_secs(1));
//! handle.shutdown();
//! let summary = handle.wait().unwrap();
//! assert_eq!(summary.sent, summary.received);
//! ```

mod shared;
mod signals;
mod supervisor;
mod tasks;

use std::fmt;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::mpsc;

pub use crate::probe::{HandleState, Role};

use super::clock::SceneClock;
use super::control::{Command, Control, Knobs, Mode, Narration};
use super::Scenario;
use shared::Shared;

/// A hook called on the signal thread for every Ctrl-C or SIGTERM, with the
/// number of signals so far. The first one also starts a clean shutdown;
/// what more to do (tell a UI to quit, exit with 130 on a second) is the
/// caller's decision.
pub type SignalHook = Arc<dyn Fn(u32) + Send + Sync>;

/// How the runner behaves around its run.
#[derive(Clone, Default)]
pub struct RunOptions {
    /// After the run ends, stay alive in [`Mode::Finished`] and wait for a
    /// [`Command::Restart`] or [`RunnerHandle::shutdown`] (the TUI wants
    /// this; headless runs do not).
    pub linger: bool,
    /// Catch Ctrl-C (SIGINT) and SIGTERM: the first one shuts the run down
    /// cleanly; every one is reported to `on_signal`.
    pub catch_signals: bool,
    /// Told of each signal (see [`SignalHook`]).
    pub on_signal: Option<SignalHook>,
    /// A tracing dispatcher (e.g. `probe.dispatch()`) made the default on
    /// every thread of the run, so a probe can watch this run without a
    /// global subscriber. `None`: events go to the global default.
    pub dispatch: Option<tracing::Dispatch>,
    /// The scenario clock to run on; give the same clock to a probe
    /// ([`crate::probe::Probe::follow`]) so that its stamps are scenario
    /// time. `None`: the runner makes its own ([`RunnerHandle::clock`]).
    pub clock: Option<Arc<SceneClock>>,
    /// A person watches and can resume (the live view): a script's `pause`
    /// and `ask` stop the run. `false` (headless, tests): they do not; the
    /// script's words are still kept ([`RunnerHandle::narrations`]).
    pub viewer: bool,
}

impl fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunOptions")
            .field("linger", &self.linger)
            .field("catch_signals", &self.catch_signals)
            .field("on_signal", &self.on_signal.is_some())
            .field("dispatch", &self.dispatch.is_some())
            .field("clock", &self.clock)
            .field("viewer", &self.viewer)
            .finish()
    }
}

/// A failure of the run itself (not of its input).
#[derive(Debug)]
pub enum RunError {
    /// The tokio runtime or the runner thread could not start.
    Start(std::io::Error),
    /// The runner thread panicked.
    Panicked(String),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::Start(e) => write!(f, "cannot start the runtime: {e}"),
            RunError::Panicked(m) => write!(f, "the runner panicked: {m}"),
        }
    }
}

impl std::error::Error for RunError {}

/// Why a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndReason {
    /// The scenario's duration was reached.
    Duration,
    /// Every producer sent all its messages.
    AllSent,
    /// The channel was closed (by `Close`, or the script) and drained.
    Closed,
    /// [`RunnerHandle::shutdown`] or a signal.
    Shutdown,
}

impl EndReason {
    /// "duration", "all_sent", "closed", "shutdown".
    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::Duration => "duration",
            EndReason::AllSent => "all_sent",
            EndReason::Closed => "closed",
            EndReason::Shutdown => "shutdown",
        }
    }
}

/// A type-state transition the runner performed on one of its handles.
#[derive(Clone, Debug, PartialEq)]
pub struct TransitionRecord {
    /// Scenario time since the run (this restart of it) began, in ms.
    pub at_ms: f64,
    /// "S0", "R2", ...
    pub handle: String,
    /// Which end the handle is.
    pub role: Role,
    /// State before: `Open` or `Closing`.
    pub from: HandleState,
    /// State after: `Closing` or `Closed`.
    pub to: HandleState,
}

/// Messages handled by one producer or consumer task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskStats {
    /// "S1", "R2", ... (the channel's handle id).
    pub handle: String,
    /// Messages sent (producer) or received (consumer).
    pub messages: u64,
    /// Which run of the scenario the task belonged to: 1 for the first
    /// channel, 2 after the first restart, ... (handle names start again
    /// from `S1` on each run).
    pub run: u32,
}

/// The outcome of a run, from the runner's own counters.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// The scenario's name.
    pub scenario: String,
    /// Messages the channel accepted (all channels, if restarted).
    pub sent: u64,
    /// Messages the consumers received.
    pub received: u64,
    /// `sent - received`: must be 0.
    pub lost: i64,
    /// Scenario time the run took (all restarts together): stopped while
    /// paused, stretched in slow motion, and not counting the time the
    /// finished run stayed on screen.
    pub duration_ms: u64,
    /// Why it ended.
    pub end: EndReason,
    /// How many times it was restarted.
    pub restarts: u32,
    /// Per-producer counts, in order of creation (all channels).
    pub producers: Vec<TaskStats>,
    /// Per-consumer counts, in order of creation (all channels).
    pub consumers: Vec<TaskStats>,
    /// Type-state transitions the runner performed, oldest first.
    pub transitions: Vec<TransitionRecord>,
}

/// The runner's counters now, for a live display.
#[derive(Clone, Debug, PartialEq)]
pub struct LiveStats {
    /// Wall-clock time since the runner started (shown beside scenario
    /// time, labelled).
    pub elapsed: Duration,
    /// Scenario time of the current run (slowed by the speed factor,
    /// stopped while paused, from zero again after a restart).
    pub scenario_time: Duration,
    /// Messages accepted so far.
    pub sent: u64,
    /// Messages received so far.
    pub received: u64,
    /// Running, paused, stepping or finished.
    pub mode: Mode,
    /// The knobs.
    pub knobs: Knobs,
}

/// Starts runs.
#[derive(Debug)]
pub struct Runner;

impl Runner {
    /// Start `scenario` on a new tokio runtime (with `scenario.workers`
    /// worker threads) driven from a thread of its own, and return at once.
    pub fn start(scenario: Scenario, opts: RunOptions) -> Result<RunnerHandle, RunError> {
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        builder
            .worker_threads(scenario.workers)
            .thread_name("chanviz-worker")
            .enable_time()
            .enable_io();
        if let Some(dispatch) = opts.dispatch.clone() {
            builder.on_thread_start(move || crate::probe::set_thread_default(&dispatch));
        }
        let runtime = builder.build().map_err(RunError::Start)?;
        let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
        let clock = opts.clock.clone().unwrap_or_else(SceneClock::new);
        let shared = Arc::new(Shared::new(scenario, clock, opts.viewer));
        let control = Arc::new(Controller {
            cmds: cmd_tx,
            shared: shared.clone(),
        });
        if opts.catch_signals {
            runtime.spawn(signals::catch(control.clone(), opts.on_signal.clone()));
        }
        let linger = opts.linger;
        let dispatch = opts.dispatch.clone();
        let thread = std::thread::Builder::new()
            .name("chanviz-runner".into())
            .spawn(move || {
                // The supervisor creates and drops handles on this thread.
                if let Some(dispatch) = &dispatch {
                    crate::probe::set_thread_default(dispatch);
                }
                let summary = runtime.block_on(supervisor::supervise(shared, cmd_rx, linger));
                runtime.shutdown_timeout(Duration::from_secs(1));
                summary
            })
            .map_err(RunError::Start)?;
        Ok(RunnerHandle {
            control,
            thread: Some(thread),
        })
    }
}

/// A running scenario. Steer it through [`Control`] (also available as a
/// shareable `Arc<dyn Control>` from [`RunnerHandle::control`]), then
/// [`RunnerHandle::wait`] for its [`Summary`].
#[derive(Debug)]
pub struct RunnerHandle {
    control: Arc<Controller>,
    thread: Option<JoinHandle<Summary>>,
}

impl RunnerHandle {
    /// A handle for whoever steers the run (the UI).
    pub fn control(&self) -> Arc<dyn Control> {
        self.control.clone()
    }

    /// End the run: producers stop, the channel closes, consumers drain
    /// (quickly: their work time is skipped). Returns at once.
    pub fn shutdown(&self) {
        self.control.shutdown();
    }

    /// The scenario clock the run keeps.
    pub fn clock(&self) -> Arc<SceneClock> {
        self.control.shared.clock.clone()
    }

    /// What the script has said so far (`say`, `ask`), from the `from`-th.
    pub fn narrations(&self, from: usize) -> Vec<Narration> {
        self.control.shared.narrations(from)
    }

    /// The runner's live counters.
    pub fn stats(&self) -> LiveStats {
        self.control.shared.live_stats()
    }

    /// Whether the run is over (the summary is ready).
    pub fn is_finished(&self) -> bool {
        self.thread.as_ref().is_none_or(|t| t.is_finished())
    }

    /// Block until the run ends, and return its summary.
    pub fn wait(mut self) -> Result<Summary, RunError> {
        let thread = self.thread.take().expect("wait is called once");
        thread.join().map_err(|p| {
            let msg = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            RunError::Panicked(msg)
        })
    }
}

impl Drop for RunnerHandle {
    fn drop(&mut self) {
        if let Some(thread) = self.thread.take() {
            self.control.shutdown();
            let _ = thread.join();
        }
    }
}

impl Control for RunnerHandle {
    fn command(&self, cmd: Command) {
        self.control.command(cmd);
    }
    fn knobs(&self) -> Knobs {
        self.control.knobs()
    }
    fn mode(&self) -> Mode {
        self.control.mode()
    }
    fn narrations(&self, from: usize) -> Vec<Narration> {
        self.control.narrations(from)
    }
}

/// The `Control` side of a runner: sends commands, reads knobs.
struct Controller {
    cmds: mpsc::UnboundedSender<Msg>,
    shared: Arc<Shared>,
}

impl fmt::Debug for Controller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Controller")
            .field("mode", &self.shared.mode())
            .finish()
    }
}

impl Controller {
    fn shutdown(&self) {
        self.shared.request_shutdown();
        let _ = self.cmds.send(Msg::Shutdown);
    }
}

impl Control for Controller {
    fn command(&self, cmd: Command) {
        // The supervisor may be gone (run over): nothing left to steer.
        let _ = self.cmds.send(Msg::Cmd(cmd));
    }
    fn knobs(&self) -> Knobs {
        self.shared.knobs()
    }
    fn mode(&self) -> Mode {
        self.shared.mode()
    }
    fn narrations(&self, from: usize) -> Vec<Narration> {
        self.shared.narrations(from)
    }
}

/// What the handle tells the supervisor.
enum Msg {
    Cmd(Command),
    Shutdown,
}
