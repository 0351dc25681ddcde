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
use crate::scenario::control::{Knobs, Mode, Narration};
use crate::scenario::knobs::scaled_jitter;
use crate::scenario::spec::Trigger;
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
    /// The trigger the current script entry waits for (its bit), plus
    /// [`PAUSE_ON_FIRE`]; 0 when none.
    armed: AtomicU8,
    /// The triggers of the entries right after it (as `armed` holds them),
    /// armed in turn by the task that fires the one before: so that a park
    /// right after a full ring is not missed while the supervisor catches up.
    chain: Mutex<std::collections::VecDeque<u8>>,
    /// Armed triggers that fired and that the supervisor has not taken yet.
    fired: AtomicUsize,
    /// A person is watching and can resume: scripted pauses and questions
    /// stop the run. (Headless runs print them and go on.)
    pub viewer: bool,
    narrations: Mutex<Vec<Narration>>,
}

/// In `Shared::armed`: pause the moment the trigger happens.
const PAUSE_ON_FIRE: u8 = 0x80;

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
    pub fn new(scenario: Scenario, clock: Arc<SceneClock>, viewer: bool) -> Shared {
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
            armed: AtomicU8::new(0),
            chain: Mutex::new(std::collections::VecDeque::new()),
            fired: AtomicUsize::new(0),
            viewer,
            narrations: Mutex::new(Vec::new()),
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

    /// Wait for the triggers of a run of script entries, in order (each
    /// `(trigger, pause)`: pause the run the moment it happens, before
    /// anything else moves). Replaces what was armed.
    pub fn arm(&self, triggers: &[(Trigger, bool)]) {
        let code = |&(t, pause): &(Trigger, bool)| {
            t.bit()
                | if pause && self.viewer {
                    PAUSE_ON_FIRE
                } else {
                    0
                }
        };
        let mut chain = self.chain.lock().unwrap_or_else(|e| e.into_inner());
        chain.clear();
        chain.extend(triggers.iter().skip(1).map(code));
        // Release: a task that sees it (Acquire in `observe`) sees the chain
        // set up; the chain's lock orders the rest.
        self.armed
            .store(triggers.first().map_or(0, code), Ordering::Release);
    }

    /// Nothing armed any more (the run is ending).
    pub fn disarm(&self) {
        self.arm(&[]);
        // Relaxed: nobody fires any more; the supervisor is the one reader.
        self.fired.store(0, Ordering::Relaxed);
    }

    /// A task saw `trigger` happen. If the script waits for it, it fires
    /// (once), pausing the run at once if the entry pauses, and the next
    /// entry's trigger is armed.
    pub fn observe(&self, trigger: Trigger) {
        // Acquire pairs with `arm`'s Release; a plain load first keeps the
        // common case (nothing armed) to one load.
        let armed = self.armed.load(Ordering::Acquire);
        if armed & trigger.bit() == 0 {
            return;
        }
        // AcqRel: exactly one task fires the entry.
        if self
            .armed
            .compare_exchange(armed, 0, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok()
        {
            if armed & PAUSE_ON_FIRE != 0 {
                self.pause();
            }
            let next = self
                .chain
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .pop_front();
            if let Some(next) = next {
                self.armed.store(next, Ordering::Release);
            }
            // Release: the supervisor that takes it sees the pause.
            self.fired.fetch_add(1, Ordering::Release);
        }
    }

    /// Whether an armed trigger fired (and take one firing).
    pub fn take_fired(&self) -> bool {
        // AcqRel: see `observe`.
        self.fired
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
            .is_ok()
    }

    /// Whether a task should look for `trigger` (cheap: one load).
    pub fn watching(&self, trigger: Trigger) -> bool {
        // Relaxed: a hint; `observe` decides.
        self.armed.load(Ordering::Relaxed) & trigger.bit() != 0
    }

    pub fn narrate(&self, n: Narration) {
        self.narrations
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(n);
    }

    pub fn narrations(&self, from: usize) -> Vec<Narration> {
        let all = self.narrations.lock().unwrap_or_else(|e| e.into_inner());
        all.get(from..).unwrap_or_default().to_vec()
    }

    pub fn record(&self, handle: String, role: Role, from: HandleState, to: HandleState) {
        self.observe(Trigger::Transition);
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
