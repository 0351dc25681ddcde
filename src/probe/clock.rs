//! The probe's coarse clock: microseconds since the probe started, read with
//! one relaxed load. It must never make the instrumented task wait or call
//! into the OS on the per-event path.
//!
//! `Instant::now()` costs about 35 ns on the machines we build on, more than
//! the rest of the probe's work for one event. So a background ticker thread
//! stores the elapsed time into an `AtomicU64` every millisecond, and events
//! read that. The ticker starts on the first read (a probe that never sees an
//! event never starts a thread) and holds only a `Weak` reference, so it exits
//! within a tick once the probe is dropped. Event times are therefore up to
//! about a millisecond late, and monotonic.
//!
//! A manual clock (for tests and replays) only moves when told to.
//!
//! A clock can follow a [`TimeSource`] (the runner's scenario clock, which
//! stops while paused): the ticker then copies the source's time, shifted so
//! that the clock continues from where it was and never goes back.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::thread;
use std::time::{Duration, Instant};

/// How often the ticker refreshes the coarse time.
const TICK: Duration = Duration::from_millis(1);

/// Where a probe's time comes from when it does not keep its own: read by
/// the probe's ticker thread once a millisecond and for each snapshot, never
/// on an instrumented task's path.
pub trait TimeSource: Send + Sync + 'static {
    /// Microseconds on this source's clock. Should not go back (the probe
    /// holds its time still until a source that went back catches up).
    fn now_us(&self) -> u64;
}

/// A followed source, and what to add to its reading.
struct Followed {
    source: Arc<dyn TimeSource>,
    offset: i64,
}

/// Where the probe's time comes from.
pub(crate) struct Clock {
    /// Time zero: when the probe was created.
    start: Instant,
    /// Microseconds since `start`, as of the last tick (or as set, when manual).
    now_us: AtomicU64,
    /// True once the ticker has been started (or must never be: manual clock).
    started: AtomicBool,
    /// True when the clock only moves through [`Clock::set_us`].
    manual: bool,
    /// True when the ticker thread could not be spawned: read `Instant` per event.
    precise: AtomicBool,
    /// The source this clock follows, if any.
    followed: Mutex<Option<Followed>>,
}

impl Clock {
    /// A clock driven by a lazily started ticker thread.
    pub(crate) fn ticking() -> Arc<Clock> {
        Arc::new(Clock {
            start: Instant::now(),
            now_us: AtomicU64::new(0),
            started: AtomicBool::new(false),
            manual: false,
            precise: AtomicBool::new(false),
            followed: Mutex::new(None),
        })
    }

    /// A clock that stays at 0 until [`Clock::set_us`] moves it.
    pub(crate) fn manual() -> Arc<Clock> {
        Arc::new(Clock {
            start: Instant::now(),
            now_us: AtomicU64::new(0),
            started: AtomicBool::new(true),
            manual: true,
            precise: AtomicBool::new(false),
            followed: Mutex::new(None),
        })
    }

    /// Coarse time for an event: one relaxed load in the steady state.
    #[inline]
    pub(crate) fn now_us(self: &Arc<Self>) -> u64 {
        // Relaxed, all three: `started` only decides whether to try the
        // AcqRel swap below; `precise` and `now_us` are values on their own (a
        // stamp a tick old is the clock's stated resolution).
        if !self.started.load(Ordering::Relaxed) {
            self.start_ticker();
        }
        if self.precise.load(Ordering::Relaxed) {
            return self.read_us();
        }
        self.now_us.load(Ordering::Relaxed)
    }

    /// Time for a snapshot: exact (not coarse), so it is never earlier than
    /// any event already stamped. With a manual clock, the manual time.
    pub(crate) fn snapshot_us(&self) -> u64 {
        if self.manual {
            // Relaxed: a value on its own (tests set it from the same thread).
            self.now_us.load(Ordering::Relaxed)
        } else {
            // Never earlier than the coarse time events were stamped with.
            self.read_us().max(self.now_us.load(Ordering::Relaxed))
        }
    }

    /// From now on, take the time from `source`, continuing from the time
    /// now. Returns false (and does nothing) for a manual clock.
    pub(crate) fn follow(&self, source: Arc<dyn TimeSource>) -> bool {
        if self.manual {
            return false;
        }
        let here = self.read_us().max(self.now_us.load(Ordering::Relaxed));
        let offset = here as i64 - source.now_us() as i64;
        *self.followed.lock().unwrap_or_else(|e| e.into_inner()) =
            Some(Followed { source, offset });
        true
    }

    /// Moves a manual clock to `us`. Returns false (and does nothing) for a
    /// ticking clock.
    pub(crate) fn set_us(&self, us: u64) -> bool {
        if self.manual {
            self.now_us.store(us, Ordering::Relaxed);
        }
        self.manual
    }

    /// The exact time: the followed source's, or the time since `start`.
    fn read_us(&self) -> u64 {
        let followed = self.followed.lock().unwrap_or_else(|e| e.into_inner());
        match &*followed {
            Some(f) => (f.source.now_us() as i64 + f.offset).max(0) as u64,
            None => self.start.elapsed().as_micros() as u64,
        }
    }

    #[cold]
    fn start_ticker(self: &Arc<Self>) {
        // AcqRel: exactly one caller wins and starts the ticker.
        if self.started.swap(true, Ordering::AcqRel) {
            return;
        }
        self.now_us.store(self.read_us(), Ordering::Relaxed);
        let weak: Weak<Clock> = Arc::downgrade(self);
        let spawned = thread::Builder::new()
            .name("chanviz-probe-clock".into())
            .spawn(move || tick(weak));
        if spawned.is_err() {
            // No thread: fall back to an exact (slower) read per event.
            self.precise.store(true, Ordering::Relaxed);
        }
    }
}

/// The ticker: refresh the coarse time until the clock is gone.
fn tick(weak: Weak<Clock>) {
    loop {
        thread::sleep(TICK);
        let Some(clock) = weak.upgrade() else {
            return;
        };
        // Relaxed: readers want a recent value, not an order with anything.
        // fetch_max: a source that went back holds the time still.
        clock.now_us.fetch_max(clock.read_us(), Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticker_moves_the_coarse_time_and_exits_with_the_clock() {
        let clock = Clock::ticking();
        let first = clock.now_us();
        let weak = Arc::downgrade(&clock);
        let deadline = Instant::now() + Duration::from_secs(5);
        while clock.now_us() == first && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(2));
        }
        assert!(
            clock.now_us() > first,
            "the ticker never advanced the clock"
        );
        drop(clock);
        // The ticker may hold a strong reference for the length of one tick.
        let deadline = Instant::now() + Duration::from_secs(5);
        while weak.upgrade().is_some() && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(1));
        }
        assert!(weak.upgrade().is_none(), "the ticker kept the clock alive");
    }

    struct Fixed(AtomicU64);
    impl TimeSource for Fixed {
        fn now_us(&self) -> u64 {
            self.0.load(Ordering::Relaxed)
        }
    }

    #[test]
    fn a_followed_source_drives_the_clock_without_going_back() {
        let clock = Clock::ticking();
        let before = clock.snapshot_us();
        let source = Arc::new(Fixed(AtomicU64::new(0)));
        assert!(clock.follow(source.clone()));
        // Continues from where it was, then moves only with the source.
        let at = clock.snapshot_us();
        assert!(at >= before);
        thread::sleep(Duration::from_millis(20));
        assert_eq!(
            clock.snapshot_us(),
            at,
            "moved while the source stood still"
        );
        source.0.store(5_000_000, Ordering::Relaxed);
        assert_eq!(clock.snapshot_us(), at + 5_000_000);
        // The ticker copies it for the events.
        let deadline = Instant::now() + Duration::from_secs(5);
        while clock.now_us() < at + 5_000_000 && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(2));
        }
        assert_eq!(clock.now_us(), at + 5_000_000);
        assert!(!Clock::manual().follow(source));
    }

    #[test]
    fn manual_clock_moves_only_when_set() {
        let clock = Clock::manual();
        assert_eq!(clock.now_us(), 0);
        assert!(clock.set_us(250_000));
        assert_eq!(clock.now_us(), 250_000);
        assert_eq!(clock.snapshot_us(), 250_000);
        assert!(!Clock::ticking().set_us(5));
    }
}
