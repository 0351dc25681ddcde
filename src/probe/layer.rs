//! [`ProbeLayer`], the `tracing` layer that feeds the probe, and [`Probe`],
//! the handle that reads it. The per-event path must never block, allocate,
//! or emit a `chanviz::channel` event of its own.
//!
//! Finding a channel's state on the per-event path: a thread-local cache of
//! four entries (keyed by probe and `chan`) answers almost every lookup with
//! two comparisons. On a miss, the channel table is read-locked (an
//! `RwLock` that is write-locked only when a channel is first seen).

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use tracing::subscriber::Interest;
use tracing::{Dispatch, Event, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

use super::channel_state::ChannelState;
use super::clock::{Clock, TimeSource};
use super::decode::{Decoded, Op, Plans};
use super::snapshot::LogEntry;
use super::snapshot::{ChannelSnapshot, Snapshot};
use super::stream::{Rewind, Sink, Stream, DEFAULT_HISTORY};
use crate::channel::schema;

/// Events kept in the history (the log, and what rewinding reaches) unless
/// told otherwise.
pub const DEFAULT_LOG_CAPACITY: usize = DEFAULT_HISTORY;
/// Events returned by [`Probe::snapshot`].
pub const DEFAULT_SNAPSHOT_EVENTS: usize = 500;
/// Channels kept at once. When one more is seen, the oldest closed channel
/// (or, if none is closed, the oldest) is forgotten.
pub const MAX_CHANNELS: usize = 128;

/// Gives every probe a process-unique id, so thread-local caches of several
/// probes never mix.
static NEXT_PROBE_ID: AtomicU64 = AtomicU64::new(1);

/// Shared by the layer(s) and every [`Probe`] handle.
struct Inner {
    /// Process-unique id of this probe.
    id: u64,
    clock: Arc<Clock>,
    /// Channels in the order first seen.
    channels: RwLock<Vec<Arc<ChannelState>>>,
    /// Every event, in one order: history, gaps, sinks (`stream.rs`).
    stream: Arc<Stream>,
    /// Field plans of the channel's callsites (see `decode.rs`).
    plans: Plans,
}

/// One entry of the per-thread channel cache.
struct CacheEntry {
    probe: u64,
    chan: u64,
    state: Arc<ChannelState>,
}

/// Entries in the per-thread cache (direct-mapped by `chan`).
const CACHE_WAYS: usize = 4;

thread_local! {
    /// The channels this thread touched last. Holds at most four states per
    /// thread alive, even after their probe is gone.
    static CACHE: RefCell<[Option<CacheEntry>; CACHE_WAYS]> =
        const { RefCell::new([None, None, None, None]) };
}

impl Inner {
    fn new(log_capacity: usize, clock: Arc<Clock>) -> Inner {
        Inner {
            // Relaxed: only uniqueness matters.
            id: NEXT_PROBE_ID.fetch_add(1, Ordering::Relaxed),
            clock,
            channels: RwLock::new(Vec::new()),
            stream: {
                let stream = Stream::new(log_capacity);
                stream.start_collector();
                stream
            },
            plans: Plans::new(),
        }
    }

    /// Decodes and applies one event.
    #[inline]
    fn on_event(&self, event: &Event<'_>) {
        let mut d = Decoded::with_plan(self.plans.find(event.metadata()));
        event.record(&mut d);
        let (Some(chan), Some(kind)) = (d.chan(), d.kind()) else {
            return; // not schema v1: ignored
        };
        let now = self.clock.now_us();
        if d.op == Op::Created {
            // Rare: take the slow path, so the cache never misses on a new id.
            self.find_or_register(chan, now).apply(now, &d, &kind);
        } else {
            self.with_channel(chan, now, |state| state.apply(now, &d, &kind));
        }
        if let (Op::Created, Some(name)) = (d.op, d.name.take()) {
            self.stream.name(chan, name);
        }
        self.stream.push(LogEntry {
            seq: 0,
            at_us: now,
            chan,
            kind,
        });
    }

    /// Runs `f` on the state of `chan`, registering it if it is unknown.
    /// On a cache hit this costs two comparisons and no atomic write.
    #[inline]
    fn with_channel(&self, chan: u64, now: u64, f: impl FnOnce(&ChannelState)) {
        let mut f = Some(f);
        let done = CACHE
            .try_with(|cache| {
                // Busy only if `f` re-entered the probe; then skip the cache.
                let Ok(mut cache) = cache.try_borrow_mut() else {
                    return false;
                };
                let way = &mut cache[(chan % CACHE_WAYS as u64) as usize];
                let entry = match way {
                    Some(e) if e.probe == self.id && e.chan == chan => e,
                    _ => way.insert(CacheEntry {
                        probe: self.id,
                        chan,
                        state: self.find_or_register(chan, now),
                    }),
                };
                if let Some(f) = f.take() {
                    f(&entry.state);
                }
                true
            })
            .unwrap_or(false);
        if !done {
            // The thread is shutting down (no thread-locals left) or busy.
            if let Some(f) = f.take() {
                f(&self.find_or_register(chan, now));
            }
        }
    }

    /// The state of `chan`; registers it (capacity unknown) if unseen.
    fn find_or_register(&self, chan: u64, now: u64) -> Arc<ChannelState> {
        {
            let channels = self.channels.read().unwrap_or_else(|e| e.into_inner());
            if let Some(s) = channels.iter().rev().find(|s| s.chan == chan) {
                return Arc::clone(s);
            }
        }
        let mut channels = self.channels.write().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = channels.iter().rev().find(|s| s.chan == chan) {
            return Arc::clone(s);
        }
        if channels.len() >= MAX_CHANNELS {
            let victim = channels.iter().position(|s| s.finished()).unwrap_or(0);
            channels.remove(victim);
        }
        let state = Arc::new(ChannelState::new(chan, now));
        channels.push(Arc::clone(&state));
        state
    }

    fn snapshot(&self, max_events: usize) -> Snapshot {
        let at_us = self.clock.snapshot_us();
        let channels: Vec<Arc<ChannelState>> = self
            .channels
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let mut channels: Vec<ChannelSnapshot> =
            channels.iter().map(|c| c.snapshot(at_us)).collect();
        let c = self.stream.collect();
        let h = &c.history;
        // The counters come from the atomics (exact through a gap); what
        // only the fold knows (messages, waiter order, latencies, warnings)
        // comes from the collector's model, just drained.
        for ch in &mut channels {
            if let Some(insight) = h.model().insight(ch, at_us) {
                ch.insight = insight;
            }
        }
        let events = match h.end() {
            0 => Vec::new(),
            end => h.up_to(end - 1, max_events),
        };
        Snapshot {
            at_us,
            channels,
            events,
            events_seen: c.next_seq + c.lost + c.held() as u64,
            events_dropped: c.lost,
        }
    }
}

/// A `tracing_subscriber::Layer` that decodes the channel's events (schema
/// v1, target `chanviz::channel`) into a live model. Read it through a
/// [`Probe`] from [`ProbeLayer::probe`].
///
/// The layer says [`Interest::never`] to every other target, and that
/// filters the whole subscriber it is part of. Put it in a registry of its
/// own ([`Probe::dispatch`], [`install_global`](super::install_global)) or
/// wrap it in a per-layer filter if other layers must see other events.
///
/// ```
/// use chanviz::probe::ProbeLayer;
/// use tracing_subscriber::layer::SubscriberExt;
///
/// let layer = ProbeLayer::new();
/// let probe = layer.probe();
/// let subscriber = tracing_subscriber::registry().with(layer);
/// tracing::subscriber::with_default(subscriber, || {
///     tracing::debug!(target: "chanviz::channel", op = "created", chan = 1u64, capacity = 8u64, name = "jobs");
/// });
/// assert_eq!(probe.snapshot().channel(1).unwrap().capacity, 8);
/// ```
pub struct ProbeLayer {
    inner: Arc<Inner>,
}

/// Builds a [`ProbeLayer`] with non-default settings.
#[derive(Clone, Debug)]
pub struct ProbeBuilder {
    log_capacity: usize,
    manual_clock: bool,
}

impl ProbeBuilder {
    /// Keep the newest `n` events in the log (default [`DEFAULT_LOG_CAPACITY`]).
    /// The log is allocated up front: about 80 bytes per event.
    pub fn log_capacity(mut self, n: usize) -> Self {
        self.log_capacity = n;
        self
    }

    /// Use a clock that stays at 0 until [`Probe::set_time_us`] moves it, for
    /// tests and replays that need exact timestamps and bucket boundaries.
    pub fn manual_clock(mut self) -> Self {
        self.manual_clock = true;
        self
    }

    /// The layer.
    pub fn build(self) -> ProbeLayer {
        let clock = if self.manual_clock {
            Clock::manual()
        } else {
            Clock::ticking()
        };
        ProbeLayer {
            inner: Arc::new(Inner::new(self.log_capacity, clock)),
        }
    }
}

impl Default for ProbeLayer {
    fn default() -> Self {
        ProbeLayer::new()
    }
}

impl ProbeLayer {
    /// A probe with a log of [`DEFAULT_LOG_CAPACITY`] events.
    pub fn new() -> ProbeLayer {
        ProbeLayer::builder().build()
    }

    /// A probe whose log keeps the newest `n` events.
    pub fn with_log_capacity(n: usize) -> ProbeLayer {
        ProbeLayer::builder().log_capacity(n).build()
    }

    /// Settings beyond the log capacity (e.g. a manual clock).
    pub fn builder() -> ProbeBuilder {
        ProbeBuilder {
            log_capacity: DEFAULT_LOG_CAPACITY,
            manual_clock: false,
        }
    }

    /// A handle that reads this layer's model. Cheap to clone.
    pub fn probe(&self) -> Probe {
        Probe {
            inner: Arc::clone(&self.inner),
        }
    }
}

/// Is this one of the channel's events?
#[inline]
fn is_channel(metadata: &Metadata<'_>) -> bool {
    metadata.target() == schema::TARGET
}

impl<S: Subscriber> Layer<S> for ProbeLayer {
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        if is_channel(metadata) {
            self.inner.plans.register(metadata);
            Interest::always()
        } else {
            Interest::never()
        }
    }

    fn enabled(&self, metadata: &Metadata<'_>, _ctx: Context<'_, S>) -> bool {
        is_channel(metadata)
    }

    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        self.inner.on_event(event);
    }
}

/// A cheap-to-clone handle on a probe: takes snapshots, and builds
/// dispatchers that feed the same model.
#[derive(Clone)]
pub struct Probe {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Probe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Probe").field("id", &self.inner.id).finish()
    }
}

impl std::fmt::Debug for ProbeLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProbeLayer")
            .field("id", &self.inner.id)
            .finish()
    }
}

impl Probe {
    /// Everything the probe knows now, with the newest
    /// [`DEFAULT_SNAPSHOT_EVENTS`] log entries. Never stops a channel:
    /// counters are read with atomics and only the log is copied under its
    /// lock (writers that find it taken count a dropped event).
    pub fn snapshot(&self) -> Snapshot {
        self.inner.snapshot(DEFAULT_SNAPSHOT_EVENTS)
    }

    /// Like [`Probe::snapshot`], with at most `max` log entries.
    pub fn snapshot_with_events(&self, max: usize) -> Snapshot {
        self.inner.snapshot(max)
    }

    /// Another layer on the same model, e.g. to build a custom subscriber.
    pub fn layer(&self) -> ProbeLayer {
        ProbeLayer {
            inner: Arc::clone(&self.inner),
        }
    }

    /// A dispatcher (a registry with this probe's layer) for
    /// `tracing::dispatcher::set_default`, e.g. on every worker thread of a
    /// tokio runtime (see [`set_thread_default`](super::set_thread_default)).
    pub fn dispatch(&self) -> Dispatch {
        Dispatch::new(tracing_subscriber::registry().with(self.layer()))
    }

    /// Run `f` on the probe's history, with everything carried so far
    /// drained into it, while the collector waits (keep `f` short: the
    /// tasks' queue fills meanwhile).
    pub(crate) fn with_history<R>(&self, f: impl FnOnce(&super::History) -> R) -> R {
        f(&self.inner.stream.collect().history)
    }

    /// The history's bounds: the seq of its oldest event kept, and the seq
    /// after its newest (equal when it is empty).
    pub fn history_bounds(&self) -> (u64, u64) {
        Rewind::bounds(self)
    }

    /// The picture right after event `seq` (see [`crate::probe::History::snapshot_at`]).
    pub fn snapshot_at(&self, seq: u64, max_events: usize) -> Option<Snapshot> {
        Rewind::snapshot_at(self, seq, max_events)
    }

    /// The gaps in the history: `(seq of the first event after, events lost)`.
    pub fn gaps(&self) -> Vec<(u64, u64)> {
        Rewind::gaps(self)
    }

    /// Hand every record of the stream from now on to `sink` (a recorder),
    /// in order, from the probe's collector.
    pub fn add_sink(&self, sink: Sink) {
        self.inner.stream.collect().add_sink(sink);
    }

    /// Stamp events from now on with `source`'s time (the runner's
    /// scenario clock, so that a paused run's clock stands still), continuing
    /// from the probe's time now so that stamps never go back. Returns false,
    /// and does nothing, for a manual clock.
    pub fn follow(&self, source: Arc<dyn TimeSource>) -> bool {
        self.inner.clock.follow(source)
    }

    /// Moves a manual clock (see [`ProbeBuilder::manual_clock`]) to `us`
    /// microseconds. Returns false, and does nothing, for the normal clock.
    pub fn set_time_us(&self, us: u64) -> bool {
        self.inner.clock.set_us(us)
    }
}

/// The live history: every call drains what the tasks carried so far.
impl Rewind for Probe {
    fn bounds(&self) -> (u64, u64) {
        let c = self.inner.stream.collect();
        (c.history.first(), c.history.end())
    }
    fn snapshot_at(&self, seq: u64, max_events: usize) -> Option<Snapshot> {
        self.inner
            .stream
            .collect()
            .history
            .snapshot_at(seq, max_events)
    }
    fn event(&self, seq: u64) -> Option<LogEntry> {
        self.inner.stream.collect().history.get(seq).copied()
    }
    fn find(&self, from: u64, forward: bool, pred: &dyn Fn(&LogEntry) -> bool) -> Option<u64> {
        self.inner
            .stream
            .collect()
            .history
            .find(from, forward, pred)
    }
    fn matching(&self, from: u64, pred: &dyn Fn(&LogEntry) -> bool) -> (Vec<u64>, u64) {
        self.inner.stream.collect().history.matching(from, pred)
    }
    fn gaps(&self) -> Vec<(u64, u64)> {
        self.inner.stream.collect().history.gaps()
    }
    fn at_time(&self, at_us: u64) -> Option<u64> {
        self.inner.stream.collect().history.at_time(at_us)
    }
}

#[cfg(test)]
mod tests {
    use super::super::snapshot::{EventKind, Lifecycle};
    use super::*;

    #[test]
    fn a_full_table_forgets_a_closed_channel_first() {
        let probe = ProbeLayer::builder().manual_clock().build().probe();
        let inner = &probe.inner;
        for chan in 0..MAX_CHANNELS as u64 {
            inner.find_or_register(chan, 0);
        }
        // Close channel 5.
        let d = Decoded::default();
        inner.find_or_register(5, 0).apply(
            0,
            &d,
            &EventKind::Lifecycle {
                from: Lifecycle::Closing,
                to: Lifecycle::Closed,
            },
        );
        inner.find_or_register(1000, 0);
        let snap = probe.snapshot();
        assert_eq!(snap.channels.len(), MAX_CHANNELS);
        assert!(snap.channel(5).is_none());
        assert!(snap.channel(0).is_some());
        assert!(snap.channel(1000).is_some());
    }
}
