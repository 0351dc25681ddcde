//! The runner: executes a [`Scenario`] on its own tokio multi-thread runtime,
//! with producer and consumer tasks on one `chanviz::channel`, live knobs,
//! pause / step, a timed script, and a clean shutdown that loses nothing.
//! It must never depend on the probe for its own correctness, and never uses
//! a chanviz channel for its own control (tokio's sync primitives and atomics
//! carry the knobs).
//!
//! # Shape of a run
//! - The runner keeps two handles of its own, `S0` and `R0`: it clones them to
//!   start producers and consumers, and at the end of the run it closes the
//!   channel through `S0` (`Sender<Open>` → `close()` → `Sender<Closing>` →
//!   `drained().await` → `Sender<Closed>`). Producers are `S1`, `S2`, ...;
//!   consumers `R1`, `R2`, ...
//! - Scenario time (the clock of the script and of `duration`) runs at the
//!   speed factor and stops while paused.
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

use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::{mpsc, watch, Notify, Semaphore};
use tokio::task::JoinHandle as TaskHandle;

use crate::channel::{bounded_named, Receiver, Sender};

use super::control::{Command, Control, Knobs, Mode, Rate};
use super::spec::{Action, Scenario};

/// How often the supervisor looks at the clock, the script and its tasks.
const TICK: Duration = Duration::from_millis(10);
/// A task at full speed yields to the scheduler after this many operations.
const YIELD_EVERY: u32 = 32;
/// Producer rate notches (messages per second); above the last one is "max".
const RATE_NOTCHES: [f64; 19] = [
    1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5,
    5e5, 1e6,
];
/// Consumer work-time notches, in microseconds.
const WORK_NOTCHES_US: [u64; 12] = [
    0, 100, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000,
];
/// Largest capacity `LargerCapacity` goes to (the scenario format's limit).
const MAX_CAPACITY: usize = 1_048_576;
/// Speed factors cycled by [`Command::CycleSpeed`].
const SPEEDS: [f64; 4] = [1.0, 0.5, 0.25, 0.1];

/// How the runner behaves around its run.
#[derive(Clone, Default)]
pub struct RunOptions {
    /// After the run ends, stay alive in [`Mode::Finished`] and wait for a
    /// [`Command::Restart`] or [`RunnerHandle::shutdown`] (the TUI wants
    /// this; headless runs do not).
    pub linger: bool,
    /// Catch Ctrl-C (SIGINT) and SIGTERM and shut the run down cleanly. A
    /// second signal exits the process at once with code 130.
    pub catch_signals: bool,
    /// Called on the signal thread when a signal arrives (e.g. to tell a UI
    /// loop to quit).
    pub on_signal: Option<Arc<dyn Fn() + Send + Sync>>,
    /// A tracing dispatcher (e.g. `probe.dispatch()`) made the default on
    /// every thread of the run, so a probe can watch this run without a
    /// global subscriber. `None`: events go to the global default.
    pub dispatch: Option<tracing::Dispatch>,
}

thread_local! {
    /// Keeps the run's dispatcher the default for the life of a worker thread.
    static RUN_DISPATCH: std::cell::RefCell<Option<tracing::dispatcher::DefaultGuard>> =
        const { std::cell::RefCell::new(None) };
}

impl fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunOptions")
            .field("linger", &self.linger)
            .field("catch_signals", &self.catch_signals)
            .field("on_signal", &self.on_signal.is_some())
            .field("dispatch", &self.dispatch.is_some())
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
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
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TransitionRecord {
    /// Milliseconds since the run started (wall clock).
    pub at_ms: f64,
    /// "S0", "R2", ...
    pub handle: String,
    /// "sender" or "receiver".
    pub role: &'static str,
    /// State before: "Open" or "Closing".
    pub from: &'static str,
    /// State after: "Closing" or "Closed".
    pub to: &'static str,
}

/// Messages handled by one producer or consumer task.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TaskStats {
    /// "S1", "R2", ... (the channel's handle id).
    pub handle: String,
    /// Messages sent (producer) or received (consumer).
    pub messages: u64,
}

/// The outcome of a run, from the runner's own counters.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// The scenario's name.
    pub scenario: String,
    /// Messages the channel accepted (all channels, if restarted).
    pub sent: u64,
    /// Messages the consumers received.
    pub received: u64,
    /// `sent - received`: must be 0.
    pub lost: i64,
    /// Wall-clock length of the run.
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
    /// Wall-clock time since the run started.
    pub elapsed: Duration,
    /// Scenario time (slowed by the speed factor, stopped while paused).
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
            builder.on_thread_start(move || {
                let guard = tracing::dispatcher::set_default(&dispatch);
                RUN_DISPATCH.with(|slot| *slot.borrow_mut() = Some(guard));
                // `tracing` may have cached "nobody listens" for the channel's
                // callsites on a thread without this dispatcher: ask again.
                tracing::callsite::rebuild_interest_cache();
            });
            builder.on_thread_stop(|| {
                RUN_DISPATCH.with(|slot| drop(slot.borrow_mut().take()));
            });
        }
        let runtime = builder.build().map_err(RunError::Start)?;
        let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared::new(scenario));
        let control = Arc::new(Controller {
            cmds: cmd_tx,
            shared: shared.clone(),
        });
        if opts.catch_signals {
            runtime.spawn(catch_signals(control.clone(), opts.on_signal.clone()));
        }
        let linger = opts.linger;
        let dispatch = opts.dispatch.clone();
        let thread = std::thread::Builder::new()
            .name("chanviz-runner".into())
            .spawn(move || {
                // The supervisor creates and drops handles on this thread.
                let _guard = dispatch.as_ref().map(tracing::dispatcher::set_default);
                if dispatch.is_some() {
                    tracing::callsite::rebuild_interest_cache();
                }
                let summary = runtime.block_on(supervise(shared, cmd_rx, linger));
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

    /// The runner's live counters.
    pub fn stats(&self) -> LiveStats {
        let s = &self.control.shared;
        LiveStats {
            elapsed: s.started.elapsed(),
            scenario_time: Duration::from_micros(s.clock_us.load(Ordering::Relaxed)),
            sent: s.sent.load(Ordering::Relaxed),
            received: s.received.load(Ordering::Relaxed),
            mode: s.mode(),
            knobs: s.knobs(),
        }
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
        self.shared.shutdown.store(true, Ordering::SeqCst);
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
}

enum Msg {
    Cmd(Command),
    Shutdown,
}

async fn catch_signals(control: Arc<Controller>, hook: Option<Arc<dyn Fn() + Send + Sync>>) {
    let mut count = 0u32;
    loop {
        wait_for_signal().await;
        count += 1;
        if count > 1 {
            std::process::exit(130);
        }
        if let Some(hook) = &hook {
            hook();
        }
        control.shutdown();
    }
}

#[cfg(unix)]
async fn wait_for_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() {
    let _ = tokio::signal::ctrl_c().await;
}

// ---------------------------------------------------------------------------
// State shared by the supervisor, the tasks and the controller.

const MODE_RUNNING: u8 = 0;
const MODE_PAUSED: u8 = 1;
const MODE_STEP: u8 = 2;
const MODE_FINISHED: u8 = 3;

struct Shared {
    scenario: Scenario,
    started: Instant,
    /// Producer rate as f64 bits; `0.0` is "max".
    rate_bits: AtomicU64,
    /// Consumer work per message, nanoseconds.
    work_ns: AtomicU64,
    /// Speed factor as f64 bits.
    speed_bits: AtomicU64,
    capacity: AtomicUsize,
    /// Capacity of the channel the next restart makes.
    next_capacity: AtomicUsize,
    producers: AtomicUsize,
    consumers: AtomicUsize,
    mode: AtomicU8,
    /// Fast-path copy of `paused`.
    paused_flag: AtomicBool,
    /// The pause gate: `true` while paused. Tasks wait on it.
    paused: watch::Sender<bool>,
    /// Step permits: each lets one channel operation through while paused.
    permits: Semaphore,
    /// Consumers skip their work time (shutdown wants a quick drain).
    hurry: AtomicBool,
    shutdown: AtomicBool,
    sent: AtomicU64,
    received: AtomicU64,
    clock_us: AtomicU64,
    transitions: Mutex<Vec<TransitionRecord>>,
}

impl Shared {
    fn new(scenario: Scenario) -> Shared {
        let (paused, _) = watch::channel(false);
        let s = Shared {
            started: Instant::now(),
            rate_bits: AtomicU64::new(0),
            work_ns: AtomicU64::new(0),
            speed_bits: AtomicU64::new(1.0f64.to_bits()),
            capacity: AtomicUsize::new(scenario.capacity),
            next_capacity: AtomicUsize::new(scenario.capacity),
            producers: AtomicUsize::new(0),
            consumers: AtomicUsize::new(0),
            mode: AtomicU8::new(MODE_RUNNING),
            paused_flag: AtomicBool::new(false),
            paused,
            permits: Semaphore::new(0),
            hurry: AtomicBool::new(false),
            shutdown: AtomicBool::new(false),
            sent: AtomicU64::new(0),
            received: AtomicU64::new(0),
            clock_us: AtomicU64::new(0),
            transitions: Mutex::new(Vec::new()),
            scenario,
        };
        s.reset_knobs();
        s
    }

    /// Knobs back to the scenario's values (the speed is kept: it is a
    /// viewing preference, not part of the scenario).
    fn reset_knobs(&self) {
        self.set_rate(self.scenario.producers.rate);
        self.work_ns.store(
            self.scenario.consumers.work.as_nanos() as u64,
            Ordering::Relaxed,
        );
        // The capacity is the one asked for the next run (the scenario's
        // unless `LargerCapacity` / `SmallerCapacity` changed it).
        self.capacity.store(
            self.next_capacity.load(Ordering::Relaxed),
            Ordering::Relaxed,
        );
    }

    fn rate(&self) -> Rate {
        let r = f64::from_bits(self.rate_bits.load(Ordering::Relaxed));
        if r > 0.0 {
            Rate::PerSec(r)
        } else {
            Rate::Max
        }
    }

    fn set_rate(&self, rate: Rate) {
        let bits = match rate {
            Rate::Max => 0.0f64.to_bits(),
            Rate::PerSec(r) => r.to_bits(),
        };
        self.rate_bits.store(bits, Ordering::Relaxed);
    }

    fn work(&self) -> Duration {
        Duration::from_nanos(self.work_ns.load(Ordering::Relaxed))
    }

    fn speed(&self) -> f64 {
        f64::from_bits(self.speed_bits.load(Ordering::Relaxed))
    }

    fn mode(&self) -> Mode {
        match self.mode.load(Ordering::Relaxed) {
            MODE_PAUSED => Mode::Paused,
            MODE_STEP => Mode::Step,
            MODE_FINISHED => Mode::Finished,
            _ => Mode::Running,
        }
    }

    fn set_mode(&self, mode: Mode) {
        let m = match mode {
            Mode::Running => MODE_RUNNING,
            Mode::Paused => MODE_PAUSED,
            Mode::Step => MODE_STEP,
            Mode::Finished => MODE_FINISHED,
        };
        self.mode.store(m, Ordering::Relaxed);
    }

    fn knobs(&self) -> Knobs {
        Knobs {
            producers: self.producers.load(Ordering::Relaxed),
            consumers: self.consumers.load(Ordering::Relaxed),
            rate: self.rate(),
            consumer_delay: self.work(),
            capacity: self.capacity.load(Ordering::Relaxed),
            next_capacity: self.next_capacity.load(Ordering::Relaxed),
            speed: self.speed(),
        }
    }

    fn set_paused(&self, paused: bool) {
        self.paused_flag.store(paused, Ordering::SeqCst);
        self.paused.send_replace(paused);
        if !paused {
            // Steps not taken while paused must not leak into the next pause.
            let n = self.permits.available_permits();
            self.permits.forget_permits(n);
        }
    }

    fn record(&self, handle: String, role: &'static str, from: &'static str, to: &'static str) {
        let at_ms = self.started.elapsed().as_micros() as f64 / 1000.0;
        let mut t = self.transitions.lock().unwrap_or_else(|e| e.into_inner());
        t.push(TransitionRecord {
            at_ms,
            handle,
            role,
            from,
            to,
        });
    }

    /// A delay of the scenario, stretched by the speed factor.
    fn scaled(&self, d: Duration) -> Duration {
        let speed = self.speed();
        if speed > 0.0 && speed != 1.0 {
            d.div_f64(speed)
        } else {
            d
        }
    }
}

// ---------------------------------------------------------------------------
// Tasks.

const RUN: u8 = 0;
const STOP: u8 = 1;
const CLOSE: u8 = 2;
const DROP: u8 = 3;

/// The supervisor's line to one task: an instruction and a bell.
struct TaskCtl {
    label: String,
    instruction: AtomicU8,
    bell: Notify,
    count: AtomicU64,
}

impl TaskCtl {
    fn new(label: String) -> Arc<TaskCtl> {
        Arc::new(TaskCtl {
            label,
            instruction: AtomicU8::new(RUN),
            bell: Notify::new(),
            count: AtomicU64::new(0),
        })
    }

    fn instruct(&self, what: u8) {
        self.instruction.store(what, Ordering::SeqCst);
        self.bell.notify_one();
    }

    fn instruction(&self) -> u8 {
        self.instruction.load(Ordering::SeqCst)
    }

    fn running(&self) -> bool {
        self.instruction() == RUN
    }

    fn stats(&self) -> TaskStats {
        TaskStats {
            handle: self.label.clone(),
            messages: self.count.load(Ordering::Relaxed),
        }
    }
}

struct Task {
    ctl: Arc<TaskCtl>,
    join: TaskHandle<()>,
}

/// Wait at the pause gate. `true`: go ahead with one channel operation;
/// `false`: the task's bell rang (check the instruction first).
async fn gate(shared: &Shared, ctl: &TaskCtl) -> bool {
    if !shared.paused_flag.load(Ordering::SeqCst) {
        return true;
    }
    let mut paused = shared.paused.subscribe();
    loop {
        if !*paused.borrow_and_update() {
            return true;
        }
        tokio::select! {
            biased;
            _ = ctl.bell.notified() => return false,
            permit = shared.permits.acquire() => {
                if let Ok(p) = permit {
                    p.forget();
                }
                return true;
            }
            changed = paused.changed() => {
                if changed.is_err() {
                    return true;
                }
            }
        }
    }
}

/// Sleep for `d`, unless the bell rings first (returns `false` then).
async fn nap(ctl: &TaskCtl, d: Duration) -> bool {
    if d.is_zero() {
        return true;
    }
    tokio::select! {
        biased;
        _ = ctl.bell.notified() => false,
        _ = tokio::time::sleep(d) => true,
    }
}

/// Run `fut` unless the bell rings first (`None` then; `fut` is dropped).
async fn or_bell<F: Future>(ctl: &TaskCtl, fut: F) -> Option<F::Output> {
    tokio::select! {
        biased;
        _ = ctl.bell.notified() => None,
        out = fut => Some(out),
    }
}

async fn producer(tx: Sender<u64>, ctl: Arc<TaskCtl>, shared: Arc<Shared>) {
    let quota = shared.scenario.producers.messages;
    let burst = shared.scenario.producers.burst;
    let mut burst_left = burst;
    let mut next = tokio::time::Instant::now();
    let mut since_yield = 0u32;
    let mut seq = 0u64;
    loop {
        match ctl.instruction() {
            RUN => {}
            CLOSE => {
                let closing = tx.close();
                shared.record(ctl.label.clone(), "sender", "Open", "Closing");
                let closed = closing.drained().await;
                shared.record(ctl.label.clone(), "sender", "Closing", "Closed");
                drop(closed);
                return;
            }
            // STOP and DROP both drop the `Sender<Open>`.
            _ => return,
        }
        if quota.is_some_and(|q| seq >= q) {
            return;
        }
        if burst_left == 0 {
            burst_left = burst;
            if let Rate::PerSec(r) = shared.rate() {
                let pause = shared.scaled(Duration::from_secs_f64(burst as f64 / r));
                let now = tokio::time::Instant::now();
                next += pause;
                // Far behind (a pause, a slow-down): start afresh, no catch-up burst.
                if next + Duration::from_millis(250) < now {
                    next = now;
                }
                if next > now {
                    let woke = or_bell(&ctl, tokio::time::sleep_until(next)).await;
                    if woke.is_none() {
                        continue;
                    }
                }
            }
        }
        if !gate(&shared, &ctl).await {
            continue;
        }
        match or_bell(&ctl, tx.send(seq)).await {
            // The bell rang: the value was not sent (and is not counted).
            None => continue,
            Some(Ok(())) => {
                seq += 1;
                burst_left -= 1;
                ctl.count.fetch_add(1, Ordering::Relaxed);
                shared.sent.fetch_add(1, Ordering::Relaxed);
            }
            // Closed by someone else: this producer is done.
            Some(Err(_)) => return,
        }
        if matches!(shared.rate(), Rate::Max) {
            since_yield += 1;
            if since_yield >= YIELD_EVERY {
                since_yield = 0;
                tokio::task::yield_now().await;
            }
        }
    }
}

/// A small xorshift generator for the consumers' jitter.
struct Jitter(u64);

impl Jitter {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn up_to(&mut self, max: Duration) -> Duration {
        let ns = max.as_nanos() as u64;
        if ns == 0 {
            Duration::ZERO
        } else {
            Duration::from_nanos(self.next() % (ns + 1))
        }
    }
}

/// The jitter keeps its proportion to the work time as the work knob moves
/// (no work, no jitter).
fn live_jitter(shared: &Shared) -> Duration {
    let c = &shared.scenario.consumers;
    if c.work.is_zero() {
        c.jitter
    } else {
        c.jitter
            .mul_f64(shared.work().as_secs_f64() / c.work.as_secs_f64())
    }
}

fn work_time(shared: &Shared, jitter: &mut Jitter) -> Duration {
    if shared.hurry.load(Ordering::Relaxed) {
        return Duration::ZERO;
    }
    let d = shared.work() + jitter.up_to(live_jitter(shared));
    shared.scaled(d)
}

async fn consumer(rx: Receiver<u64>, ctl: Arc<TaskCtl>, shared: Arc<Shared>, seed: u64) {
    let mut jitter = Jitter(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut since_yield = 0u32;
    loop {
        match ctl.instruction() {
            RUN => {}
            CLOSE => {
                close_receiver(rx, &ctl, &shared, &mut jitter).await;
                return;
            }
            _ => return,
        }
        if !gate(&shared, &ctl).await {
            continue;
        }
        match or_bell(&ctl, rx.recv()).await {
            None => continue,
            Some(Ok(_)) => {
                ctl.count.fetch_add(1, Ordering::Relaxed);
                shared.received.fetch_add(1, Ordering::Relaxed);
            }
            // Closed and drained: nothing more will ever arrive.
            Some(Err(_)) => return,
        }
        let d = work_time(&shared, &mut jitter);
        if d.is_zero() {
            since_yield += 1;
            if since_yield >= YIELD_EVERY {
                since_yield = 0;
                tokio::task::yield_now().await;
            }
        } else {
            // The message is received and counted; a bell only cuts the work short.
            nap(&ctl, d).await;
        }
    }
}

/// `close_from_receiver`: `Receiver<Open>` → `close()` → drain what is
/// buffered → `try_finish()` → `Receiver<Closed>`.
async fn close_receiver(rx: Receiver<u64>, ctl: &TaskCtl, shared: &Shared, jitter: &mut Jitter) {
    let mut closing = rx.close();
    shared.record(ctl.label.clone(), "receiver", "Open", "Closing");
    loop {
        if !gate(shared, ctl).await {
            continue;
        }
        let next = closing.drain().next();
        match next {
            Some(_) => {
                ctl.count.fetch_add(1, Ordering::Relaxed);
                shared.received.fetch_add(1, Ordering::Relaxed);
                let d = work_time(shared, jitter);
                if !d.is_zero() {
                    tokio::time::sleep(d).await;
                }
            }
            None => match closing.try_finish() {
                Ok(closed) => {
                    shared.record(ctl.label.clone(), "receiver", "Closing", "Closed");
                    drop(closed);
                    return;
                }
                // Another receiver holds the last message for a moment.
                Err(still) => {
                    closing = still;
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            },
        }
    }
}

// ---------------------------------------------------------------------------
// The supervisor: one epoch per channel; a restart starts a new epoch.

enum EpochEnd {
    Ended(EndReason),
    Restart,
}

struct Totals {
    producers: Vec<TaskStats>,
    consumers: Vec<TaskStats>,
}

async fn supervise(
    shared: Arc<Shared>,
    mut cmds: mpsc::UnboundedReceiver<Msg>,
    linger: bool,
) -> Summary {
    let mut totals = Totals {
        producers: Vec::new(),
        consumers: Vec::new(),
    };
    let mut restarts = 0u32;
    let end = 'runs: loop {
        shared.reset_knobs();
        shared.hurry.store(false, Ordering::Relaxed);
        shared.set_paused(false);
        shared.set_mode(Mode::Running);
        let outcome = epoch(&shared, &mut cmds, &mut totals).await;
        let reason = match outcome {
            EpochEnd::Restart => {
                restarts += 1;
                continue;
            }
            EpochEnd::Ended(reason) => reason,
        };
        shared.set_mode(Mode::Finished);
        if !linger || shared.shutdown.load(Ordering::SeqCst) {
            break reason;
        }
        // Finished, but the viewer may want to go again.
        loop {
            match cmds.recv().await {
                Some(Msg::Cmd(Command::Restart)) => {
                    restarts += 1;
                    continue 'runs;
                }
                Some(Msg::Cmd(_)) => {}
                Some(Msg::Shutdown) | None => break 'runs reason,
            }
        }
    };
    shared.set_mode(Mode::Finished);
    let sent = shared.sent.load(Ordering::SeqCst);
    let received = shared.received.load(Ordering::SeqCst);
    let transitions = shared
        .transitions
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    Summary {
        scenario: shared.scenario.name.clone(),
        sent,
        received,
        lost: sent as i64 - received as i64,
        duration_ms: shared.started.elapsed().as_millis() as u64,
        end,
        restarts,
        producers: totals.producers,
        consumers: totals.consumers,
        transitions,
    }
}

/// Everything one channel's run holds.
struct Epoch<'a> {
    shared: &'a Arc<Shared>,
    s0: Option<Sender<u64>>,
    r0: Receiver<u64>,
    producers: Vec<Task>,
    consumers: Vec<Task>,
    closers: Vec<TaskHandle<()>>,
    consumer_seed: u64,
    /// Set once the run is winding down: the channel is closed, or closing
    /// is under way.
    ending: Option<EndReason>,
    /// The runner itself ends the run (duration, quota, shutdown, restart):
    /// pause and step are off, so that the drain cannot stall.
    forced_end: bool,
    restart: bool,
    /// A `drop_producer` took the last producer: drop `S0` too, so the
    /// channel closes because its last sender is gone.
    drop_s0_when_alone: bool,
}

impl Epoch<'_> {
    fn running(tasks: &[Task]) -> usize {
        tasks.iter().filter(|t| t.ctl.running()).count()
    }

    fn publish_counts(&self) {
        let s = self.shared;
        s.producers
            .store(Self::running(&self.producers), Ordering::Relaxed);
        s.consumers
            .store(Self::running(&self.consumers), Ordering::Relaxed);
    }

    fn add_producer(&mut self) {
        if self.ending.is_some() || self.r0.is_closed() {
            return;
        }
        let Some(s0) = &self.s0 else { return };
        let tx = s0.clone();
        let ctl = TaskCtl::new(format!("S{}", tx.id()));
        let join = tokio::spawn(producer(tx, ctl.clone(), self.shared.clone()));
        self.producers.push(Task { ctl, join });
        // A producer arrived after the last one was dropped: it carries on.
        self.drop_s0_when_alone = false;
    }

    fn add_consumer(&mut self) {
        if self.ending.is_some() || self.r0.is_closed() {
            return;
        }
        let rx = self.r0.clone();
        let ctl = TaskCtl::new(format!("R{}", rx.id()));
        self.consumer_seed += 1;
        let join = tokio::spawn(consumer(
            rx,
            ctl.clone(),
            self.shared.clone(),
            self.consumer_seed,
        ));
        self.consumers.push(Task { ctl, join });
    }

    /// The newest running task, if more than one is running.
    fn pick_removable(tasks: &[Task]) -> Option<&Task> {
        if Self::running(tasks) <= 1 {
            return None;
        }
        tasks.iter().rev().find(|t| t.ctl.running())
    }

    fn remove_producer(&mut self) {
        if self.ending.is_none() {
            if let Some(t) = Self::pick_removable(&self.producers) {
                t.ctl.instruct(STOP);
            }
        }
    }

    fn remove_consumer(&mut self) {
        if self.ending.is_none() {
            if let Some(t) = Self::pick_removable(&self.consumers) {
                t.ctl.instruct(STOP);
            }
        }
    }

    fn drop_producer(&mut self) {
        if self.ending.is_some() {
            return;
        }
        let running = Self::running(&self.producers);
        if let Some(t) = self.producers.iter().rev().find(|t| t.ctl.running()) {
            if running == 1 {
                self.drop_s0_when_alone = true;
            }
            t.ctl.instruct(DROP);
        }
    }

    /// Close the channel through a sender's type state: the oldest running
    /// producer's, or the runner's own `S0` if no producer runs.
    fn close_from_sender(&mut self) {
        if self.r0.is_closed() {
            return;
        }
        match self.producers.iter().find(|t| t.ctl.running()) {
            Some(t) if self.ending.is_none() => t.ctl.instruct(CLOSE),
            _ => self.close_with_s0(),
        }
    }

    fn close_from_receiver(&mut self) {
        if self.r0.is_closed() || self.ending.is_some() {
            return;
        }
        if let Some(t) = self.consumers.iter().find(|t| t.ctl.running()) {
            t.ctl.instruct(CLOSE);
        }
    }

    fn close_with_s0(&mut self) {
        let Some(s0) = self.s0.take() else { return };
        let shared = self.shared.clone();
        self.closers.push(tokio::spawn(async move {
            let label = format!("S{}", s0.id());
            let closing = s0.close();
            shared.record(label.clone(), "sender", "Open", "Closing");
            let closed = closing.drained().await;
            shared.record(label, "sender", "Closing", "Closed");
            drop(closed);
        }));
    }

    /// Begin the end: stop the producers; the channel is closed once they
    /// are gone (see `tick`), then the consumers drain it. Also called when
    /// the end is already under way (a shutdown during a drain): nothing may
    /// stay parked at the pause gate from here on.
    fn begin_end(&mut self, reason: EndReason) {
        self.forced_end = true;
        self.shared.set_paused(false);
        self.shared.set_mode(Mode::Running);
        if self.ending.is_none() {
            self.ending = Some(reason);
        }
        for t in &self.producers {
            if t.ctl.instruction() == RUN {
                t.ctl.instruct(STOP);
            }
        }
        self.publish_counts();
    }

    fn command(&mut self, cmd: Command) {
        let shared = self.shared;
        match cmd {
            Command::AddProducer => self.add_producer(),
            Command::RemoveProducer => self.remove_producer(),
            Command::AddConsumer => self.add_consumer(),
            Command::RemoveConsumer => self.remove_consumer(),
            Command::FasterRate => {
                let next = match shared.rate() {
                    Rate::Max => Rate::Max,
                    Rate::PerSec(r) => RATE_NOTCHES
                        .iter()
                        .copied()
                        .find(|&n| n > r * 1.0001)
                        .map(Rate::PerSec)
                        .unwrap_or(Rate::Max),
                };
                shared.set_rate(next);
            }
            Command::SlowerRate => {
                let next = match shared.rate() {
                    Rate::Max => RATE_NOTCHES[RATE_NOTCHES.len() - 1],
                    Rate::PerSec(r) => RATE_NOTCHES
                        .iter()
                        .rev()
                        .copied()
                        .find(|&n| n < r * 0.9999)
                        .unwrap_or(RATE_NOTCHES[0]),
                };
                shared.set_rate(Rate::PerSec(next));
            }
            Command::LessWork => {
                let us = shared.work().as_micros() as u64;
                let next = WORK_NOTCHES_US
                    .iter()
                    .rev()
                    .copied()
                    .find(|&n| n < us)
                    .unwrap_or(0);
                shared.work_ns.store(next * 1000, Ordering::Relaxed);
            }
            Command::MoreWork => {
                let us = shared.work().as_micros() as u64;
                let next = WORK_NOTCHES_US
                    .iter()
                    .copied()
                    .find(|&n| n > us)
                    .unwrap_or(WORK_NOTCHES_US[WORK_NOTCHES_US.len() - 1]);
                shared.work_ns.store(next * 1000, Ordering::Relaxed);
            }
            Command::TogglePause => {
                if self.forced_end {
                    return;
                }
                match shared.mode() {
                    Mode::Running => {
                        shared.set_paused(true);
                        shared.set_mode(Mode::Paused);
                    }
                    Mode::Paused | Mode::Step => {
                        shared.set_paused(false);
                        shared.set_mode(Mode::Running);
                    }
                    Mode::Finished => {}
                }
            }
            Command::Step => {
                if self.forced_end {
                    return;
                }
                match shared.mode() {
                    // Stepping starts from a pause.
                    Mode::Running => {
                        shared.set_paused(true);
                        shared.set_mode(Mode::Paused);
                    }
                    Mode::Paused | Mode::Step => {
                        shared.permits.add_permits(1);
                        shared.set_mode(Mode::Step);
                    }
                    Mode::Finished => {}
                }
            }
            Command::CycleSpeed => {
                let now = shared.speed();
                let i = SPEEDS.iter().position(|&s| s == now).unwrap_or(0);
                let next = SPEEDS[(i + 1) % SPEEDS.len()];
                shared.speed_bits.store(next.to_bits(), Ordering::Relaxed);
            }
            Command::LargerCapacity | Command::SmallerCapacity => {
                let now = shared.next_capacity.load(Ordering::Relaxed);
                let next = if cmd == Command::LargerCapacity {
                    now.saturating_mul(2).min(MAX_CAPACITY)
                } else {
                    (now / 2).max(1)
                };
                shared.next_capacity.store(next, Ordering::Relaxed);
            }
            Command::Close => self.close_from_sender(),
            Command::Restart => {
                self.restart = true;
                self.shared.hurry.store(true, Ordering::Relaxed);
                self.begin_end(EndReason::Shutdown);
            }
        }
        self.publish_counts();
    }

    fn action(&mut self, action: Action) {
        match action {
            Action::CloseFromSender => self.close_from_sender(),
            Action::CloseFromReceiver => self.close_from_receiver(),
            Action::DropProducer => self.drop_producer(),
            Action::AddProducer => self.add_producer(),
            Action::RemoveProducer => self.remove_producer(),
            Action::AddConsumer => self.add_consumer(),
            Action::RemoveConsumer => self.remove_consumer(),
        }
        self.publish_counts();
    }

    /// Forget finished tasks (keeping their counts), then move the end
    /// along. Returns `true` when the epoch is over.
    fn tick(&mut self, totals: &mut Totals) -> bool {
        for t in self.producers.iter().filter(|t| t.join.is_finished()) {
            totals.producers.push(t.ctl.stats());
        }
        self.producers.retain(|t| !t.join.is_finished());
        for t in self.consumers.iter().filter(|t| t.join.is_finished()) {
            totals.consumers.push(t.ctl.stats());
        }
        self.consumers.retain(|t| !t.join.is_finished());
        self.closers.retain(|c| !c.is_finished());
        self.publish_counts();

        let closed = self.r0.is_closed();
        if self.producers.is_empty() && !closed {
            if self.drop_s0_when_alone {
                // The last sender goes: the channel closes by drop.
                self.s0 = None;
            } else if self.ending.is_none() {
                // Every producer sent its quota.
                self.begin_end(EndReason::AllSent);
            }
            if self.ending.is_some() {
                self.close_with_s0();
            }
        }
        if closed && self.ending.is_none() {
            // Closed by a Close command or the script: the run ends once drained.
            self.ending = Some(EndReason::Closed);
        }
        self.r0.is_closed()
            && self.producers.is_empty()
            && self.consumers.is_empty()
            && self.closers.is_empty()
    }
}

async fn epoch(
    shared: &Arc<Shared>,
    cmds: &mut mpsc::UnboundedReceiver<Msg>,
    totals: &mut Totals,
) -> EpochEnd {
    let scenario = &shared.scenario;
    let (s0, r0) = bounded_named::<u64>(shared.capacity.load(Ordering::Relaxed), &scenario.name);
    let mut ep = Epoch {
        shared,
        s0: Some(s0),
        r0,
        producers: Vec::new(),
        consumers: Vec::new(),
        closers: Vec::new(),
        consumer_seed: shared.started.elapsed().as_nanos() as u64,
        ending: None,
        forced_end: false,
        restart: false,
        drop_s0_when_alone: false,
    };
    shared.clock_us.store(0, Ordering::Relaxed);
    // Consumers first, so that the first messages find a receiver waiting.
    for _ in 0..scenario.consumers.count {
        ep.add_consumer();
    }
    for _ in 0..scenario.producers.count {
        ep.add_producer();
    }
    ep.publish_counts();
    if shared.shutdown.load(Ordering::SeqCst) {
        shared.hurry.store(true, Ordering::Relaxed);
        ep.begin_end(EndReason::Shutdown);
    }

    let mut clock = Duration::ZERO;
    let mut last = Instant::now();
    let mut next_step = 0usize;
    let mut ticker = tokio::time::interval(TICK);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            msg = cmds.recv() => match msg {
                Some(Msg::Cmd(cmd)) => ep.command(cmd),
                Some(Msg::Shutdown) | None => {
                    shared.hurry.store(true, Ordering::Relaxed);
                    ep.begin_end(EndReason::Shutdown);
                }
            },
            _ = ticker.tick() => {}
        }
        // Scenario time: stretched by the speed factor, stopped while paused.
        let now = Instant::now();
        if ep.ending.is_none() && !shared.paused_flag.load(Ordering::SeqCst) {
            clock += (now - last).mul_f64(shared.speed());
        }
        last = now;
        shared
            .clock_us
            .store(clock.as_micros() as u64, Ordering::Relaxed);
        if ep.ending.is_none() {
            while let Some(step) = scenario.script.get(next_step) {
                if step.at > clock {
                    break;
                }
                next_step += 1;
                ep.action(step.action);
            }
            if scenario.duration.is_some_and(|d| clock >= d) {
                ep.begin_end(EndReason::Duration);
            }
        }
        if ep.tick(totals) {
            break;
        }
    }
    let restart = ep.restart && !shared.shutdown.load(Ordering::SeqCst);
    let reason = ep.ending.unwrap_or(EndReason::Closed);
    // Dropping the runner's own handles ends the channel's story.
    drop(ep);
    if restart {
        EpochEnd::Restart
    } else {
        EpochEnd::Ended(reason)
    }
}
