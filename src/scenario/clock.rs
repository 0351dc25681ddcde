//! The scenario clock: the one clock of a run. It stops while paused,
//! stretches with the speed factor, jumps forward when a step has nothing
//! ready to run, and starts at zero for every run (a restart).
//!
//! It drives the script, the tasks' waits (a producer's rate, a consumer's
//! work), the transitions the runner records and the summary, and, through
//! [`TimeSource`], the probe's event stamps: so the header, the log and the
//! type-state times on screen are all scenario time.
//!
//! Two readings:
//! - [`SceneClock::now_us`], the *total* scenario time since the clock was
//!   made. It never goes back (a restart does not reset it), so the probe's
//!   stamps stay ordered across runs.
//! - [`SceneClock::run_time`], the time since the current run began: what
//!   the script's `at = "6s"` and the scenario's `duration` are measured in.
//!   A channel is created as its run begins, so a view shows an event's time
//!   as its stamp minus its channel's `created` stamp.
//!
//! Stepping: while paused, nothing that waits on this clock wakes up. When a
//! step finds no task ready to take its operation, the runner moves the clock
//! to the earliest thing that is due ([`SceneClock::next_deadline`], or the
//! next scripted action), as tokio's paused test clock jumps to the next
//! timer when every task waits.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::probe::TimeSource;

/// The clock. Share it as `Arc<SceneClock>` between the runner and a probe
/// ([`crate::probe::Probe::follow`]).
pub struct SceneClock {
    state: Mutex<State>,
    /// Bumped on every change of pace (pause, resume, speed, jump), so that
    /// a waiter recomputes its wall-clock deadline.
    changed: watch::Sender<u64>,
    /// Deadlines (total scenario µs) that tasks are sleeping until, with how
    /// many sleep until each.
    sleepers: Mutex<BTreeMap<u64, usize>>,
}

struct State {
    /// Scenario µs at `anchor`.
    base_us: u64,
    /// The wall instant at which `base_us` was read.
    anchor: Instant,
    /// Scenario seconds per wall second while running.
    speed: f64,
    running: bool,
    /// Total scenario µs at which the current run began.
    run_origin_us: u64,
}

impl State {
    fn now_us(&self, wall: Instant) -> u64 {
        if !self.running {
            return self.base_us;
        }
        let gone = wall.saturating_duration_since(self.anchor);
        self.base_us + gone.mul_f64(self.speed).as_micros() as u64
    }

    /// Move the anchor to `wall`, keeping the reading continuous.
    fn reanchor(&mut self, wall: Instant) {
        self.base_us = self.now_us(wall);
        self.anchor = wall;
    }
}

impl std::fmt::Debug for SceneClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.lock();
        f.debug_struct("SceneClock")
            .field("now_us", &s.now_us(Instant::now()))
            .field("speed", &s.speed)
            .field("running", &s.running)
            .finish()
    }
}

impl SceneClock {
    /// A clock at zero, running at 1×.
    pub fn new() -> Arc<SceneClock> {
        let (changed, _) = watch::channel(0);
        Arc::new(SceneClock {
            state: Mutex::new(State {
                base_us: 0,
                anchor: Instant::now(),
                speed: 1.0,
                running: true,
                run_origin_us: 0,
            }),
            changed,
            sleepers: Mutex::new(BTreeMap::new()),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Change the state, then tell every waiter to look again.
    fn change(&self, f: impl FnOnce(&mut State)) {
        {
            let mut s = self.lock();
            s.reanchor(Instant::now());
            f(&mut s);
        }
        self.changed.send_modify(|v| *v = v.wrapping_add(1));
    }

    /// Total scenario time, µs since the clock was made (never goes back).
    pub fn now_us(&self) -> u64 {
        self.lock().now_us(Instant::now())
    }

    /// Scenario time since the current run began.
    pub fn run_time(&self) -> Duration {
        let s = self.lock();
        Duration::from_micros(s.now_us(Instant::now()) - s.run_origin_us)
    }

    /// Total scenario µs at which the current run began.
    pub fn run_origin_us(&self) -> u64 {
        self.lock().run_origin_us
    }

    /// A new run begins now: [`SceneClock::run_time`] starts again at zero.
    pub fn begin_run(&self) {
        self.change(|s| s.run_origin_us = s.base_us);
    }

    /// Stop the clock (pause, step, or a finished run).
    pub fn stop(&self) {
        self.change(|s| s.running = false);
    }

    /// Let the clock run again at its speed.
    pub fn start(&self) {
        self.change(|s| s.running = true);
    }

    /// Whether the clock is moving.
    pub fn is_running(&self) -> bool {
        self.lock().running
    }

    /// Scenario seconds per wall second (the speed knob). Not positive or
    /// not finite: ignored.
    pub fn set_speed(&self, speed: f64) {
        if speed.is_finite() && speed > 0.0 && speed != self.lock().speed {
            self.change(|s| s.speed = speed);
        }
    }

    /// Move the clock forward to `total_us` (a step that found nothing
    /// ready). Never moves it back.
    pub fn advance_to(&self, total_us: u64) {
        self.change(|s| s.base_us = s.base_us.max(total_us));
    }

    /// Run time `at` as total scenario µs.
    pub fn total_us_at(&self, at: Duration) -> u64 {
        self.run_origin_us() + at.as_micros() as u64
    }

    /// The earliest deadline a task is sleeping until (total µs), if any.
    pub fn next_deadline(&self) -> Option<u64> {
        let sleepers = self.sleepers.lock().unwrap_or_else(|e| e.into_inner());
        sleepers.keys().next().copied()
    }

    /// Sleep for `d` of scenario time (see [`SceneClock::sleep_until`]).
    pub async fn sleep(&self, d: Duration) {
        self.sleep_until(self.now_us() + d.as_micros() as u64).await;
    }

    /// Wait until the clock reads `total_us`: stretched by the speed factor,
    /// for ever while stopped (unless a step moves the clock there).
    pub async fn sleep_until(&self, total_us: u64) {
        let _registered = Sleeper::new(self, total_us);
        let mut changes = self.changed.subscribe();
        loop {
            changes.borrow_and_update();
            let (now, speed) = {
                let s = self.lock();
                (s.now_us(Instant::now()), s.running.then_some(s.speed))
            };
            if now >= total_us {
                return;
            }
            match speed {
                Some(speed) => {
                    let wall = Duration::from_micros(total_us - now).div_f64(speed);
                    tokio::select! {
                        _ = tokio::time::sleep(wall) => {}
                        _ = changes.changed() => {}
                    }
                }
                None => {
                    if changes.changed().await.is_err() {
                        return;
                    }
                }
            }
        }
    }
}

impl TimeSource for SceneClock {
    fn now_us(&self) -> u64 {
        SceneClock::now_us(self)
    }
}

/// A deadline in [`SceneClock::sleepers`] for as long as its sleep lasts.
struct Sleeper<'a> {
    clock: &'a SceneClock,
    at: u64,
}

impl<'a> Sleeper<'a> {
    fn new(clock: &'a SceneClock, at: u64) -> Sleeper<'a> {
        let mut sleepers = clock.sleepers.lock().unwrap_or_else(|e| e.into_inner());
        *sleepers.entry(at).or_insert(0) += 1;
        Sleeper { clock, at }
    }
}

impl Drop for Sleeper<'_> {
    fn drop(&mut self) {
        let mut sleepers = self
            .clock
            .sleepers
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(n) = sleepers.get_mut(&self.at) {
            *n -= 1;
            if *n == 0 {
                sleepers.remove(&self.at);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
    }

    #[test]
    fn a_stopped_clock_stands_still_and_jumps_only_forward() {
        let c = SceneClock::new();
        c.stop();
        let t = c.now_us();
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(c.now_us(), t, "a stopped clock moved");
        c.advance_to(t + 5_000_000);
        assert_eq!(c.now_us(), t + 5_000_000);
        c.advance_to(t);
        assert_eq!(c.now_us(), t + 5_000_000, "the clock went back");
    }

    #[test]
    fn a_run_starts_at_zero_and_the_total_keeps_growing() {
        let c = SceneClock::new();
        c.stop();
        c.advance_to(3_000_000);
        assert_eq!(c.run_time(), Duration::from_secs(3));
        c.begin_run();
        assert_eq!(c.run_time(), Duration::ZERO);
        assert_eq!(c.now_us(), 3_000_000);
        assert_eq!(c.total_us_at(Duration::from_secs(6)), 9_000_000);
    }

    #[test]
    fn slow_motion_stretches_the_clock() {
        let c = SceneClock::new();
        c.set_speed(0.1);
        let wall = Instant::now();
        let t0 = c.now_us();
        std::thread::sleep(Duration::from_millis(100));
        let gone = c.now_us() - t0;
        let wall = wall.elapsed().as_micros() as u64;
        // At 1/10 the clock moves a tenth of the wall time, however long the
        // sleep really took.
        assert!(
            gone <= wall / 10 + 1,
            "moved {gone} µs in {wall} µs at 1/10"
        );
        assert!(gone >= 10_000 - 1, "moved only {gone} µs in {wall} µs");
    }

    #[test]
    fn a_sleeper_waits_while_stopped_and_wakes_on_a_jump() {
        let c = SceneClock::new();
        c.stop();
        let at = c.now_us() + 60_000_000; // a minute of scenario time
        rt().block_on(async {
            let sleep = c.sleep_until(at);
            tokio::pin!(sleep);
            // Stopped: a long wall wait does not end the sleep.
            let early = tokio::time::timeout(Duration::from_millis(50), &mut sleep).await;
            assert!(early.is_err(), "a sleep ended while the clock stood still");
            assert_eq!(c.next_deadline(), Some(at));
            c.advance_to(at);
            tokio::time::timeout(Duration::from_secs(10), &mut sleep)
                .await
                .expect("the jump did not end the sleep");
        });
        assert_eq!(
            c.next_deadline(),
            None,
            "a finished sleep stayed registered"
        );
    }
}
