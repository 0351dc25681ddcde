//! The event stream: every decoded event, in one total order, kept in a
//! bounded history and handed to sinks (a recorder), with gaps where events
//! could not be carried.
//!
//! # Path of an event
//! 1. The instrumented task decodes its event on the stack and pushes it
//!    into a lock-free bounded queue (`crossbeam_queue::ArrayQueue`): one
//!    CAS, no allocation, no wait. A full queue drops the event and counts
//!    it; the count becomes a [`Record::Gap`] in the stream.
//! 2. A collector (a thread of the probe's, every millisecond, and every
//!    snapshot) drains the queue in order, repairs the order across threads
//!    (below), numbers the events, appends them to the history, folds them
//!    into the model, and hands them to the sinks.
//!
//! # One total order
//! Events from one thread reach the queue in their order. Across threads
//! the queue order can disagree with a channel's own order: the pop of
//! position `p` can reach the queue before the push of `p` (the popping
//! thread emitted first), a wake before the park it ends. The collector
//! holds such an event back until what must come first has come: a pop of
//! `p` until the push of `p`; a push of `p` until the pop of `p - capacity`
//! (the slot was free); a wake of `S2` until `S2`'s park. An event held for
//! more than [`HOLD_LIMIT`] drains (its cause was lost in a gap) goes on
//! anyway, and so does the oldest when [`MAX_HELD`] are held. The cost is paid by the collector only: a few comparisons per
//! event and a short list of held events.
//!
//! # Bounds
//! The queue holds [`QUEUE`] events (72 bytes each, about 4.7 MB): at a
//! million events a second that is 65 ms of slack for a collector that was
//! not scheduled. The history keeps the newest `capacity` events (default
//! [`DEFAULT_HISTORY`], 72 bytes each) and a model checkpoint every
//! [`CHECKPOINT_EVERY`] events (one clone of the model: a few KB per
//! channel), so a seek clones the checkpoint before it and folds at most
//! that many events.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::thread;
use std::time::Duration;

use crossbeam_queue::ArrayQueue;

use super::model::{ChannelState, Model};
use super::snapshot::{EventKind, LogEntry, Side, Snapshot};

/// Events the queue between the instrumented tasks and the collector holds.
pub const QUEUE: usize = 1 << 16;
/// Events the history keeps unless told otherwise.
pub const DEFAULT_HISTORY: usize = 1_000_000;
/// A model checkpoint every this many events.
pub const CHECKPOINT_EVERY: u64 = 4096;
/// Drains an out-of-order event may wait for its cause.
pub const HOLD_LIMIT: u32 = 20;
/// Events held at once at most: past this the oldest goes on (the order
/// repair is for the few events two threads race on, not for a stream whose
/// causes were lost).
pub const MAX_HELD: usize = 64;
/// How often the collector thread drains the queue.
const TICK: Duration = Duration::from_millis(1);

/// One item of the stream, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    /// An event; its `seq` is its place in the stream.
    Event(LogEntry),
    /// The name a channel was given (`bounded_named`), just before its
    /// `created` event.
    Named {
        /// The channel.
        chan: u64,
        /// Its name.
        name: String,
    },
    /// Events that could not be carried (the queue was full): the stream
    /// goes on after them.
    Gap {
        /// How many.
        lost: u64,
    },
    /// A channel as it stood before the stream's first event (a stream that
    /// starts late: a viewer attached to a running program gets one per
    /// channel the program already had, before any event). Its time is the
    /// stream's first event's.
    State(Box<ChannelState>),
}

/// A consumer of the stream (a recorder): called by the collector with each
/// batch, in order. It must not emit channel events itself.
pub type Sink = Box<dyn FnMut(&[Record]) + Send>;

/// The hot half: what instrumented tasks touch.
pub(crate) struct Stream {
    queue: ArrayQueue<LogEntry>,
    /// Events dropped because the queue was full, not yet turned into a gap.
    lost: AtomicU64,
    /// Names of channels, as their `created` events are decoded (rare).
    names: Mutex<Vec<(u64, String)>>,
    collector: Mutex<Collector>,
}

impl Stream {
    pub(crate) fn new(history: usize) -> Arc<Stream> {
        Arc::new(Stream {
            queue: ArrayQueue::new(QUEUE),
            lost: AtomicU64::new(0),
            names: Mutex::new(Vec::new()),
            collector: Mutex::new(Collector::new(history)),
        })
    }

    /// Carry one event (never waits; a full queue counts it lost).
    #[inline]
    pub(crate) fn push(&self, e: LogEntry) {
        if self.queue.push(e).is_err() {
            // Relaxed: a count, read by the collector.
            self.lost.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Remember a channel's name (from its `created` event).
    pub(crate) fn name(&self, chan: u64, name: String) {
        self.names
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((chan, name));
    }

    /// The collector, with everything carried so far drained into it.
    pub(crate) fn collect(&self) -> MutexGuard<'_, Collector> {
        let mut c = self.collector.lock().unwrap_or_else(|e| e.into_inner());
        c.drain(self);
        c
    }

    /// Start the collector thread (it holds only a `Weak`, and ends once
    /// the stream is gone).
    pub(crate) fn start_collector(self: &Arc<Self>) {
        let weak: Weak<Stream> = Arc::downgrade(self);
        // Without a thread, snapshots still drain the queue.
        let _ = thread::Builder::new()
            .name("chanviz-probe-collector".into())
            .spawn(move || loop {
                thread::sleep(TICK);
                let Some(stream) = weak.upgrade() else {
                    return;
                };
                drop(stream.collect());
            });
    }
}

/// Per channel, what the order repair knows.
#[derive(Default)]
struct Order {
    capacity: u64,
    /// Highest head after a push, and tail after a pop, released so far.
    head: u64,
    tail: u64,
    /// Parked and not yet woken, per side: handle ids.
    parked_senders: Vec<u64>,
    parked_receivers: Vec<u64>,
}

impl Order {
    /// Whether `e` may go now (what must come before it has come).
    fn ready(&self, e: &LogEntry) -> bool {
        match e.kind {
            EventKind::Pop { tail, .. } => tail <= self.head,
            EventKind::Push { head, .. } => self.capacity == 0 || head <= self.tail + self.capacity,
            EventKind::Wake { side, woken, .. } => match side {
                Side::Senders => self.parked_senders.contains(&woken),
                Side::Receivers => self.parked_receivers.contains(&woken),
            },
            _ => true,
        }
    }

    fn release(&mut self, e: &LogEntry) {
        match e.kind {
            EventKind::Created { capacity } => self.capacity = capacity as u64,
            EventKind::Push { head, .. } => self.head = self.head.max(head),
            EventKind::Pop { tail, .. } => self.tail = self.tail.max(tail),
            EventKind::SendWait { handle, .. } => park(&mut self.parked_senders, handle),
            EventKind::RecvWait { handle, .. } => park(&mut self.parked_receivers, handle),
            EventKind::Wake {
                side,
                woken: handle,
                ..
            }
            | EventKind::Leave { side, handle, .. } => {
                let woken = handle;
                let q = match side {
                    Side::Senders => &mut self.parked_senders,
                    Side::Receivers => &mut self.parked_receivers,
                };
                if let Some(i) = q.iter().position(|&h| h == woken) {
                    q.remove(i);
                }
            }
            _ => {}
        }
    }
}

/// Parked handles remembered per side and channel: a waiter that leaves
/// without a wake (a cancelled future: no event says so in schema v1)
/// stays in the list, so the list forgets its oldest past this.
const MAX_PARKED: usize = 4096;

fn park(parked: &mut Vec<u64>, handle: u64) {
    if parked.len() >= MAX_PARKED {
        parked.remove(0);
    }
    parked.push(handle);
}

/// The cold half: order repair, numbering, history, model, sinks.
pub(crate) struct Collector {
    order: HashMap<u64, Order>,
    /// Events waiting for their cause, with how many drains they waited.
    held: Vec<(LogEntry, u32)>,
    pub(crate) history: History,
    sinks: Vec<Sink>,
    /// Gaps so far: events lost in total.
    pub(crate) lost: u64,
    /// Events given a place in the stream so far.
    pub(crate) next_seq: u64,
    out: Vec<Record>,
}

impl Collector {
    fn new(capacity: usize) -> Collector {
        Collector {
            order: HashMap::new(),
            held: Vec::new(),
            history: History::new(capacity),
            sinks: Vec::new(),
            lost: 0,
            next_seq: 0,
            out: Vec::new(),
        }
    }

    /// Events waiting for their cause (decoded, not yet in the stream).
    pub(crate) fn held(&self) -> usize {
        self.held.len()
    }

    pub(crate) fn add_sink(&mut self, sink: Sink) {
        self.sinks.push(sink);
    }

    fn drain(&mut self, stream: &Stream) {
        // Relaxed: a count; what was lost before the swap is counted now.
        let lost = stream.lost.swap(0, Ordering::Relaxed);
        if lost > 0 {
            self.lost += lost;
            self.history.gap(self.next_seq, lost);
            self.out.push(Record::Gap { lost });
        }
        let names: Vec<(u64, String)> =
            std::mem::take(&mut *stream.names.lock().unwrap_or_else(|e| e.into_inner()));
        let mut names = names.into_iter().peekable();
        let mut any = false;
        while let Some(e) = stream.queue.pop() {
            any = true;
            if let EventKind::Created { .. } = e.kind {
                // Its name (decoded with it) goes first.
                if let Some((chan, name)) = names.next_if(|(c, _)| *c == e.chan) {
                    self.history.name(chan, &name);
                    self.out.push(Record::Named { chan, name });
                }
            }
            self.offer(e);
        }
        // Names whose `created` was drained before (or lost): still names.
        for (chan, name) in names {
            self.history.name(chan, &name);
            self.out.push(Record::Named { chan, name });
        }
        // Held events age; the ones that waited too long go anyway.
        if !self.held.is_empty() {
            for h in &mut self.held {
                h.1 += 1;
            }
            while let Some(i) = self.held.iter().position(|h| h.1 > HOLD_LIMIT) {
                let (e, _) = self.held.remove(i);
                self.emit(e);
                self.release_held();
            }
        }
        if any || !self.out.is_empty() {
            let out = std::mem::take(&mut self.out);
            for sink in &mut self.sinks {
                sink(&out);
            }
            self.out = out;
            self.out.clear();
        }
    }

    /// An event from the queue: out now, or held until its cause comes.
    fn offer(&mut self, e: LogEntry) {
        let order = self.order.entry(e.chan).or_default();
        if order.ready(&e) {
            self.emit(e);
            self.release_held();
        } else {
            if self.held.len() >= MAX_HELD {
                let (oldest, _) = self.held.remove(0);
                self.emit(oldest);
            }
            self.held.push((e, 0));
        }
    }

    /// Let out every held event that may now go, oldest first, until none.
    fn release_held(&mut self) {
        loop {
            let ready = self
                .held
                .iter()
                .position(|(e, _)| self.order.get(&e.chan).is_none_or(|o| o.ready(e)));
            let Some(i) = ready else { return };
            let (e, _) = self.held.remove(i);
            self.emit(e);
        }
    }

    /// Give `e` its place in the stream.
    fn emit(&mut self, mut e: LogEntry) {
        // (An event let out of order may now free held ones: `release_held`
        // runs after every `emit` from `offer` and the aging loop.)
        self.order.entry(e.chan).or_default().release(&e);
        e.seq = self.next_seq;
        self.next_seq += 1;
        self.history.push(e);
        self.out.push(Record::Event(e));
    }
}

/// The newest events in stream order, the model after the newest, and
/// checkpoints of the model to seek from (one at the oldest event kept).
/// The probe's collector keeps one for a live run; a replay builds one from
/// a recording's records ([`History::push_record`]). Either way the views
/// read it through [`Rewind`].
pub struct History {
    capacity: usize,
    events: VecDeque<LogEntry>,
    /// The model after every event so far (not only those kept).
    model: Model,
    /// `(seq, model after the event seq - 1)`, oldest first.
    checkpoints: VecDeque<(u64, Model)>,
    /// `(seq of the first event after the gap, events lost)`.
    gaps: VecDeque<(u64, u64)>,
}

impl History {
    /// An empty history that keeps at least the newest `capacity` events.
    pub fn new(capacity: usize) -> History {
        History {
            capacity: capacity.max(1),
            events: VecDeque::new(),
            model: Model::new(),
            checkpoints: VecDeque::new(),
            gaps: VecDeque::new(),
        }
    }

    /// Take one record of a stream, in order: an event (its `seq` must be
    /// the next one), a channel's name, or a gap.
    pub fn push_record(&mut self, r: &Record) {
        match r {
            Record::Event(e) => self.push(*e),
            Record::Named { chan, name } => self.model.name(*chan, name),
            Record::Gap { lost } => self.gap(self.end(), *lost),
            Record::State(state) => self.model.seed(state),
        }
    }

    /// The model before the oldest event kept (the fold of every event the
    /// history has forgotten): what a reader that starts at [`History::first`]
    /// needs to know first.
    pub fn base(&self) -> Option<&Model> {
        self.checkpoints
            .front()
            .filter(|(seq, _)| *seq == self.first())
            .map(|(_, m)| m)
    }

    /// The model after the newest event.
    pub fn model(&self) -> &Model {
        &self.model
    }

    pub(crate) fn name(&mut self, chan: u64, name: &str) {
        self.model.name(chan, name);
    }

    fn gap(&mut self, at_seq: u64, lost: u64) {
        self.gaps.push_back((at_seq, lost));
    }

    fn push(&mut self, e: LogEntry) {
        if e.seq % CHECKPOINT_EVERY == 0 || self.checkpoints.is_empty() {
            self.checkpoints.push_back((e.seq, self.model.clone()));
        }
        self.model.apply(&e);
        self.events.push_back(e);
        // Past the capacity, forget the oldest checkpoint's stretch at once,
        // so that the oldest event kept always has a checkpoint to seek from
        // (the history holds between `capacity` and `capacity` plus one
        // stretch of events).
        if self.events.len() > self.capacity + CHECKPOINT_EVERY as usize
            && self.checkpoints.len() > 1
        {
            let keep_from = self.checkpoints[1].0;
            while self.events.front().is_some_and(|e| e.seq < keep_from) {
                self.events.pop_front();
            }
            self.checkpoints.pop_front();
            while self.gaps.front().is_some_and(|g| g.0 < keep_from) {
                self.gaps.pop_front();
            }
        }
    }

    /// Seq of the oldest event kept.
    pub fn first(&self) -> u64 {
        self.events.front().map_or(0, |e| e.seq)
    }

    /// Seq after the newest event.
    pub fn end(&self) -> u64 {
        self.events.back().map_or(0, |e| e.seq + 1)
    }

    /// The event `seq`, if kept.
    pub fn get(&self, seq: u64) -> Option<&LogEntry> {
        let first = self.first();
        seq.checked_sub(first)
            .and_then(|i| self.events.get(i as usize))
    }

    /// Up to `n` events ending with `seq` (inclusive), oldest first.
    pub fn up_to(&self, seq: u64, n: usize) -> Vec<LogEntry> {
        let first = self.first();
        if self.events.is_empty() || seq < first {
            return Vec::new();
        }
        let end = ((seq - first) as usize + 1).min(self.events.len());
        let start = end.saturating_sub(n);
        self.events.range(start..end).copied().collect()
    }

    /// The model after event `seq`: the checkpoint at or before it, and a
    /// fold forward. `None` if `seq` is not kept.
    pub fn model_at(&self, seq: u64) -> Option<Model> {
        self.get(seq)?;
        let (from, mut model) = self
            .checkpoints
            .iter()
            .rev()
            .find(|(s, _)| *s <= seq)
            .map(|(s, m)| (*s, m.clone()))?;
        for s in from..=seq {
            model.apply(self.get(s)?);
        }
        Some(model)
    }

    /// Gaps among the kept events.
    pub fn gaps(&self) -> Vec<(u64, u64)> {
        self.gaps.iter().copied().collect()
    }

    /// The nearest event before (`forward` false) or after `from` that
    /// `pred` accepts.
    pub fn find(&self, from: u64, forward: bool, pred: impl Fn(&LogEntry) -> bool) -> Option<u64> {
        if forward {
            (from + 1..self.end()).find(|&s| self.get(s).is_some_and(&pred))
        } else {
            (self.first()..from)
                .rev()
                .find(|&s| self.get(s).is_some_and(&pred))
        }
    }
}

impl History {
    /// The picture right after event `seq` (the fold of every event up to
    /// it), with the `max_events` events up to it as its log; `None` if
    /// `seq` is not kept. Its time is the event's.
    pub fn snapshot_at(&self, seq: u64, max_events: usize) -> Option<Snapshot> {
        let at_us = self.get(seq)?.at_us;
        let model = self.model_at(seq)?;
        let mut snap = model.snapshot(at_us, self.up_to(seq, max_events));
        let lost: u64 = self.gaps.iter().filter(|g| g.0 <= seq).map(|g| g.1).sum();
        snap.events_seen = seq + 1 + lost;
        snap.events_dropped = lost;
        Some(snap)
    }

    /// The newest kept event at or before time `at_us` (event times only
    /// grow along the stream, up to the order repair's small swaps).
    pub fn at_time(&self, at_us: u64) -> Option<u64> {
        let i = self.events.partition_point(|e| e.at_us <= at_us);
        i.checked_sub(1).map(|i| self.events[i].seq)
    }

    /// Every kept event from `from` on that `pred` accepts, and the seq
    /// where the scan stopped.
    pub fn matching(&self, from: u64, pred: &dyn Fn(&LogEntry) -> bool) -> (Vec<u64>, u64) {
        let from = from.max(self.first());
        let found = (from..self.end())
            .filter(|&s| self.get(s).is_some_and(pred))
            .collect();
        (found, self.end())
    }
}

/// A history to move through: the live probe's, or a replay's. What the
/// views need to rewind, jump and draw a timeline.
pub trait Rewind: Send + Sync {
    /// Seq of the oldest event kept, and seq after the newest.
    fn bounds(&self) -> (u64, u64);
    /// The picture right after event `seq` (see [`History::snapshot_at`]).
    fn snapshot_at(&self, seq: u64, max_events: usize) -> Option<Snapshot>;
    /// The event `seq`, if kept.
    fn event(&self, seq: u64) -> Option<LogEntry>;
    /// The nearest event after (`forward`) or before `from` that `pred` accepts.
    fn find(&self, from: u64, forward: bool, pred: &dyn Fn(&LogEntry) -> bool) -> Option<u64>;
    /// Every event from `from` on that `pred` accepts, and where the scan stopped.
    fn matching(&self, from: u64, pred: &dyn Fn(&LogEntry) -> bool) -> (Vec<u64>, u64);
    /// `(seq of the first event after, events lost)` for each gap kept.
    fn gaps(&self) -> Vec<(u64, u64)>;
    /// The newest event at or before time `at_us` (see [`History::at_time`]).
    fn at_time(&self, at_us: u64) -> Option<u64>;
    /// What a timeline spans: the bounds, or for a replay the whole
    /// recording (of which the bounds are the part played so far).
    fn span(&self) -> (u64, u64) {
        self.bounds()
    }
}

impl Rewind for std::sync::RwLock<History> {
    fn bounds(&self) -> (u64, u64) {
        let h = self.read().unwrap_or_else(|e| e.into_inner());
        (h.first(), h.end())
    }
    fn snapshot_at(&self, seq: u64, max_events: usize) -> Option<Snapshot> {
        let h = self.read().unwrap_or_else(|e| e.into_inner());
        h.snapshot_at(seq, max_events)
    }
    fn event(&self, seq: u64) -> Option<LogEntry> {
        let h = self.read().unwrap_or_else(|e| e.into_inner());
        h.get(seq).copied()
    }
    fn find(&self, from: u64, forward: bool, pred: &dyn Fn(&LogEntry) -> bool) -> Option<u64> {
        let h = self.read().unwrap_or_else(|e| e.into_inner());
        h.find(from, forward, pred)
    }
    fn matching(&self, from: u64, pred: &dyn Fn(&LogEntry) -> bool) -> (Vec<u64>, u64) {
        let h = self.read().unwrap_or_else(|e| e.into_inner());
        h.matching(from, pred)
    }
    fn gaps(&self) -> Vec<(u64, u64)> {
        let h = self.read().unwrap_or_else(|e| e.into_inner());
        h.gaps()
    }
    fn at_time(&self, at_us: u64) -> Option<u64> {
        let h = self.read().unwrap_or_else(|e| e.into_inner());
        h.at_time(at_us)
    }
}

impl std::fmt::Debug for dyn Rewind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rewind")
            .field("bounds", &self.bounds())
            .finish()
    }
}
