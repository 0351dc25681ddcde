//! The live state of a run, shared by the supervisor, the tasks and the
//! handle: the knobs, the mode, the pause gate, the counters and the
//! transitions. Only the supervisor writes the knobs and the mode; tasks read
//! them and count. Nothing here decides anything.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{watch, Semaphore};

use super::{HandleState, LiveStats, Role, TransitionRecord};
use crate::scenario::clock::SceneClock;
use crate::scenario::control::{Knobs, Mode};
use crate::scenario::knobs::scaled_jitter;
use crate::scenario::Scenario;

pub(super) struct Shared {
    pub scenario: Scenario,
    /// Wall time at the start (for the wall-clock figure shown beside
    /// scenario time).
    pub started: Instant,
    /// The scenario clock: the script, the tasks' waits, the transitions and
    /// the summary all read it. Stopped while paused or stepping.
    pub clock: Arc<SceneClock>,
    /// The knobs. Written by the supervisor under the lock, which then bumps
    /// `knobs_version`; tasks keep a copy ([`KnobCache`]) and take the lock
    /// only when the version moved.
    knobs: Mutex<Knobs>,
    knobs_version: AtomicU64,
    /// A [`Mode`] stored `as u8`.
    mode: AtomicU8,
    /// Fast-path copy of `paused`.
    paused_flag: AtomicBool,
    /// The pause gate: `true` while paused. Tasks wait on it.
    pub paused: watch::Sender<bool>,
    /// Step permits: each lets one channel operation through while paused.
    pub permits: Semaphore,
    /// Tasks waiting at the pause gate for a permit: ready to take their
    /// next channel operation as soon as a step lets them.
    gate_waiters: AtomicUsize,
    /// Consumers skip their work time (shutdown wants a quick drain).
    hurry: AtomicBool,
    shutdown: AtomicBool,
    pub sent: AtomicU64,
    pub received: AtomicU64,
    transitions: Mutex<Vec<TransitionRecord>>,
}

/// A task waiting at the pause gate (see [`Shared::at_gate`]).
pub(super) struct AtGate<'a>(&'a Shared);

impl Drop for AtGate<'_> {
    fn drop(&mut self) {
        // Relaxed: see `Shared::gate_waiters`.
        self.0.gate_waiters.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A task's copy of the knobs, refreshed when the supervisor changed them.
pub(super) struct KnobCache {
    version: u64,
    pub knobs: Knobs,
}

impl Shared {
    pub fn new(scenario: Scenario, clock: Arc<SceneClock>) -> Shared {
        let (paused, _) = watch::channel(false);
        let knobs = Knobs {
            capacity: scenario.capacity,
            next_capacity: scenario.capacity,
            ..Knobs::default()
        };
        let s = Shared {
            started: Instant::now(),
            clock,
            knobs: Mutex::new(knobs),
            knobs_version: AtomicU64::new(0),
            mode: AtomicU8::new(Mode::Running as u8),
            paused_flag: AtomicBool::new(false),
            paused,
            permits: Semaphore::new(0),
            gate_waiters: AtomicUsize::new(0),
            hurry: AtomicBool::new(false),
            shutdown: AtomicBool::new(false),
            sent: AtomicU64::new(0),
            received: AtomicU64::new(0),
            transitions: Mutex::new(Vec::new()),
            scenario,
        };
        s.reset_knobs();
        s
    }

    /// Knobs back to the scenario's values ([`Knobs::at_start`]).
    pub fn reset_knobs(&self) {
        let scenario = &self.scenario;
        self.update_knobs(|k| *k = Knobs::at_start(scenario, k));
    }

    pub fn knobs(&self) -> Knobs {
        *self.knobs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Change the knobs; tasks see the change at their next operation.
    pub fn update_knobs(&self, change: impl FnOnce(&mut Knobs)) {
        let mut k = self.knobs.lock().unwrap_or_else(|e| e.into_inner());
        let before = *k;
        change(&mut k);
        if *k != before {
            // Release, under the lock: a task that sees the new version and
            // then takes the lock reads these knobs or newer ones.
            self.knobs_version.fetch_add(1, Ordering::Release);
            self.clock.set_speed(k.speed);
        }
    }

    pub fn knob_cache(&self) -> KnobCache {
        KnobCache {
            version: self.knobs_version.load(Ordering::Acquire),
            knobs: self.knobs(),
        }
    }

    /// Bring `cache` up to date: one load when nothing changed.
    pub fn refresh(&self, cache: &mut KnobCache) {
        // Acquire pairs with the Release in `update_knobs`.
        let v = self.knobs_version.load(Ordering::Acquire);
        if v != cache.version {
            cache.knobs = self.knobs();
            cache.version = v;
        }
    }

    pub fn mode(&self) -> Mode {
        // Relaxed: the mode is a label for the viewer; no data hangs on it.
        Mode::from_u8(self.mode.load(Ordering::Relaxed)).unwrap_or_default()
    }

    pub fn set_mode(&self, mode: Mode) {
        self.mode.store(mode as u8, Ordering::Relaxed);
    }

    /// Whether the pause gate is (about to be) closed. Relaxed: a hint for
    /// the fast path only; the watch channel is the gate itself, and an
    /// operation that slips past a pause being set is one that began before it.
    pub fn is_paused(&self) -> bool {
        self.paused_flag.load(Ordering::Relaxed)
    }

    /// Close the pause gate and stop the clock.
    pub fn pause(&self) {
        self.set_paused(true);
        self.set_mode(Mode::Paused);
        self.clock.stop();
    }

    /// Open the pause gate and start the clock.
    pub fn resume(&self) {
        self.set_paused(false);
        self.set_mode(Mode::Running);
        self.clock.start();
    }

    /// The run is over: the clock stops (the summary's duration is the
    /// run's scenario time, not the time until the viewer quits).
    pub fn finish(&self) {
        self.set_mode(Mode::Finished);
        self.clock.stop();
    }

    /// Tasks waiting at the pause gate for a step.
    pub fn gate_waiters(&self) -> usize {
        // Relaxed: a count the supervisor polls; a task that arrives a
        // moment later is seen at the next look.
        self.gate_waiters.load(Ordering::Relaxed)
    }

    /// Count a task as waiting at the gate while the returned guard lives.
    pub fn at_gate(&self) -> AtGate<'_> {
        // Relaxed: see `gate_waiters`.
        self.gate_waiters.fetch_add(1, Ordering::Relaxed);
        AtGate(self)
    }

    fn set_paused(&self, paused: bool) {
        self.paused_flag.store(paused, Ordering::Relaxed);
        self.paused.send_replace(paused);
        if !paused {
            // Steps not taken while paused must not leak into the next pause.
            let n = self.permits.available_permits();
            self.permits.forget_permits(n);
        }
    }

    /// Relaxed: a lone flag that only shortens the consumers' naps.
    pub fn hurry(&self) -> bool {
        self.hurry.load(Ordering::Relaxed)
    }

    pub fn set_hurry(&self, hurry: bool) {
        self.hurry.store(hurry, Ordering::Relaxed);
    }

    /// Relaxed: the flag guards no other data, and the `Msg::Shutdown` sent
    /// right after it (a channel send: it orders the store before the
    /// supervisor's receive) is what the supervisor acts on.
    pub fn request_shutdown(&self) {
        self.shutdown.store(true, Ordering::Relaxed);
    }

    pub fn shutdown_requested(&self) -> bool {
        self.shutdown.load(Ordering::Relaxed)
    }

    pub fn record(&self, handle: String, role: Role, from: HandleState, to: HandleState) {
        let at_ms = self.clock.run_time().as_micros() as f64 / 1000.0;
        let mut t = self.transitions.lock().unwrap_or_else(|e| e.into_inner());
        t.push(TransitionRecord {
            at_ms,
            handle,
            role,
            from,
            to,
        });
    }

    pub fn transitions(&self) -> Vec<TransitionRecord> {
        self.transitions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn live_stats(&self) -> LiveStats {
        // Relaxed counters: a display value, read while tasks count.
        LiveStats {
            elapsed: self.started.elapsed(),
            scenario_time: self.clock.run_time(),
            sent: self.sent.load(Ordering::Relaxed),
            received: self.received.load(Ordering::Relaxed),
            mode: self.mode(),
            knobs: self.knobs(),
        }
    }

    /// The consumers' jitter now: it keeps its proportion to the work time
    /// as the work knob moves.
    pub fn live_jitter(&self, work: Duration) -> Duration {
        let c = &self.scenario.consumers;
        scaled_jitter(c.jitter, c.work, work)
    }
}
