//! The model as a fold of the events: [`Model::apply`] takes one decoded
//! event at a time, and [`Model::snapshot`] gives the same [`Snapshot`] the
//! live probe gives after the same events. What a view draws is a pure
//! function of the event stream, so the picture at event `i` is the same
//! whether it is seen live, rewound to, or replayed from a recording.
//!
//! Plain data, no atomics and no locks: it is applied by one thread (the
//! probe's collector, a replay) and cloned for checkpoints, so seeking to
//! event `i` is a clone of the checkpoint before it plus a short fold.
//!
//! The rules are those of the live model (`channel_state.rs`), event for
//! event: the same counters, positions (the highest seen), slot stamps,
//! waiter depths and peaks, handles, lifecycle and 100 ms buckets, with the
//! same bounds. A test folds the probe's own log and compares.

use std::collections::VecDeque;

use super::channel_state::{MAX_HANDLES, MAX_TRACKED_SLOTS};
use super::insight::Tracker;
use super::snapshot::{
    Bucket, ChannelSnapshot, Counters, EventKind, HandleSnapshot, HandleState, Insight, Lifecycle,
    LifecycleChange, LogEntry, Role, Side, Snapshot, Transition, BUCKETS, BUCKET_US,
};
use super::MAX_CHANNELS;

/// Transitions kept per handle (as the live model).
const MAX_TRANSITIONS: usize = 16;
/// Lifecycle changes kept per channel (as the live model).
const MAX_LIFECYCLE_CHANGES: usize = 16;

/// Every channel, as the events so far describe it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Model {
    channels: Vec<ChannelModel>,
    /// Names given before their channel's first event.
    pending_names: Vec<(u64, String)>,
    /// Events applied.
    pub applied: u64,
}

/// One channel.
#[derive(Clone, Debug, PartialEq)]
struct ChannelModel {
    chan: u64,
    name: Option<String>,
    capacity: usize,
    /// As the live model: 0 never touched, `2p + 1` after the push of
    /// position `p`, `2p + 2` after its pop. Empty past `MAX_TRACKED_SLOTS`.
    stamps: Vec<u64>,
    head: u64,
    tail: u64,
    counters: Counters,
    waiting_senders: usize,
    waiting_receivers: usize,
    peak_senders: usize,
    peak_receivers: usize,
    handles: Vec<HandleSnapshot>,
    lifecycle: Lifecycle,
    history: Vec<LifecycleChange>,
    finished: bool,
    /// Buckets from the first event on (at most `BUCKETS`), the last one the
    /// current one.
    buckets: VecDeque<Bucket>,
    /// Messages, waiter order, latencies, warning conditions.
    tracker: Tracker,
}

impl ChannelModel {
    fn new(chan: u64, at_us: u64) -> ChannelModel {
        let mut buckets = VecDeque::with_capacity(8);
        buckets.push_back(Bucket {
            start_us: at_us / BUCKET_US * BUCKET_US,
            ..Bucket::default()
        });
        ChannelModel {
            chan,
            name: None,
            capacity: 0,
            stamps: Vec::new(),
            head: 0,
            tail: 0,
            counters: Counters::default(),
            waiting_senders: 0,
            waiting_receivers: 0,
            peak_senders: 0,
            peak_receivers: 0,
            handles: Vec::new(),
            lifecycle: Lifecycle::Open,
            history: Vec::new(),
            finished: false,
            buckets,
            tracker: Tracker::default(),
        }
    }

    /// Move the current bucket on to the one `at_us` falls in (an event
    /// never moves it back: late stamps count in the current bucket).
    fn roll_to(&mut self, at_us: u64) {
        let index = at_us / BUCKET_US;
        let current = self.buckets.back().map_or(0, |b| b.start_us / BUCKET_US);
        if index <= current {
            return;
        }
        let first_new = current + 1;
        // Buckets that saw no event hold the depths they started with.
        let skip = (index - first_new).saturating_sub(BUCKETS as u64);
        for i in first_new + skip..=index {
            if self.buckets.len() >= BUCKETS {
                self.buckets.pop_front();
            }
            self.buckets.push_back(Bucket {
                start_us: i * BUCKET_US,
                max_waiting_senders: self.waiting_senders,
                max_waiting_receivers: self.waiting_receivers,
                ..Bucket::default()
            });
        }
    }

    fn bucket(&mut self) -> &mut Bucket {
        self.buckets.back_mut().expect("a channel has a bucket")
    }

    fn stamp(&mut self, slot: usize, stamp: u64) {
        if let Some(s) = self.stamps.get_mut(slot) {
            *s = stamp;
        }
    }

    fn set_waiting(&mut self, side: Side, depth: usize) {
        let (now, peak) = match side {
            Side::Senders => (&mut self.waiting_senders, &mut self.peak_senders),
            Side::Receivers => (&mut self.waiting_receivers, &mut self.peak_receivers),
        };
        *now = depth;
        *peak = (*peak).max(depth);
        let b = self.bucket();
        let max = match side {
            Side::Senders => &mut b.max_waiting_senders,
            Side::Receivers => &mut b.max_waiting_receivers,
        };
        *max = (*max).max(depth);
    }

    fn apply(&mut self, e: &LogEntry) {
        self.roll_to(e.at_us);
        match e.kind {
            EventKind::Push {
                handle, slot, head, ..
            } => {
                self.counters.sent += 1;
                self.bucket().sent += 1;
                self.head = self.head.max(head);
                self.stamp(slot, head.wrapping_sub(1).wrapping_mul(2).wrapping_add(1));
                self.tracker.push(e.at_us, handle, slot, head);
            }
            EventKind::Pop {
                handle, slot, tail, ..
            } => {
                self.counters.received += 1;
                self.bucket().received += 1;
                self.tail = self.tail.max(tail);
                self.stamp(slot, tail.wrapping_mul(2));
                self.tracker.pop(e.at_us, handle, slot, tail);
            }
            EventKind::SendWait {
                handle,
                waiting,
                ticket,
            } => {
                self.counters.send_waits += 1;
                self.set_waiting(Side::Senders, waiting);
                self.tracker
                    .park(e.at_us, Side::Senders, handle, ticket, waiting);
            }
            EventKind::RecvWait {
                handle,
                waiting,
                ticket,
            } => {
                self.counters.recv_waits += 1;
                self.set_waiting(Side::Receivers, waiting);
                self.tracker
                    .park(e.at_us, Side::Receivers, handle, ticket, waiting);
            }
            EventKind::Wake {
                side,
                woken,
                waiting,
                ticket,
                cause,
                by,
            } => {
                match side {
                    Side::Senders => self.counters.sender_wakes += 1,
                    Side::Receivers => self.counters.receiver_wakes += 1,
                }
                self.bucket().wakes += 1;
                self.set_waiting(side, waiting);
                self.tracker
                    .wake(e.at_us, side, woken, ticket, waiting, (cause, by));
            }
            EventKind::Leave {
                side,
                handle,
                waiting,
                served,
                ticket,
            } => {
                self.set_waiting(side, waiting);
                self.tracker
                    .leave(e.at_us, side, handle, ticket, waiting, served);
            }
            EventKind::Closed { .. } => {}
            EventKind::Created { capacity } => {
                if self.capacity == 0 && capacity > 0 {
                    if capacity <= MAX_TRACKED_SLOTS {
                        self.stamps = vec![0; capacity];
                    }
                    self.capacity = capacity;
                }
                self.history.insert(
                    0,
                    LifecycleChange {
                        at_us: e.at_us,
                        from: Lifecycle::Open,
                        to: Lifecycle::Open,
                    },
                );
                self.history.truncate(MAX_LIFECYCLE_CHANGES);
            }
            EventKind::Handle {
                handle,
                role,
                from,
                to,
            } => self.on_handle(e.at_us, handle, role, from, to),
            EventKind::Lifecycle { from, to } => {
                self.lifecycle = to;
                self.finished |= to == Lifecycle::Closed;
                if self.history.len() >= MAX_LIFECYCLE_CHANGES {
                    self.history.remove(1);
                }
                self.history.push(LifecycleChange {
                    at_us: e.at_us,
                    from,
                    to,
                });
            }
        }
        let len = (self.head.max(self.tail) - self.tail) as usize;
        let len = if self.capacity > 0 {
            len.min(self.capacity)
        } else {
            len
        };
        self.tracker.settle(
            e.at_us,
            len,
            self.capacity,
            self.waiting_senders,
            self.waiting_receivers,
        );
    }

    fn on_handle(&mut self, at_us: u64, id: u64, role: Role, from: HandleState, to: HandleState) {
        let pos = match self
            .handles
            .iter()
            .rposition(|h| h.id == id && h.role == role)
        {
            Some(pos) => pos,
            None => {
                if self.handles.len() >= MAX_HANDLES {
                    let oldest = self
                        .handles
                        .iter()
                        .position(|h| h.state == HandleState::Dropped)
                        .unwrap_or(0);
                    self.handles.remove(oldest);
                }
                self.handles.push(HandleSnapshot {
                    id,
                    role,
                    state: HandleState::Absent,
                    transitions: Vec::new(),
                });
                self.handles.len() - 1
            }
        };
        let handle = &mut self.handles[pos];
        handle.state = to;
        if handle.transitions.len() >= MAX_TRANSITIONS {
            handle.transitions.remove(1);
        }
        handle.transitions.push(Transition { at_us, from, to });
    }

    fn snapshot(&self, at_us: u64) -> ChannelSnapshot {
        let capacity = self.capacity;
        let tail = self.tail;
        let head = self.head.max(tail);
        let mut len = (head - tail) as usize;
        if capacity > 0 {
            len = len.min(capacity);
        }
        let mut slots = vec![false; capacity];
        if self.stamps.len() == capacity {
            for (full, &s) in slots.iter_mut().zip(&self.stamps) {
                if s % 2 == 1 {
                    let pos = (s - 1) / 2;
                    *full = pos >= tail && pos < head;
                }
            }
        } else if capacity > 0 {
            let n = (head - tail).min(capacity as u64);
            for pos in tail..tail + n {
                slots[(pos % capacity as u64) as usize] = true;
            }
        }
        // The buckets up to now: those after the last event saw nothing and
        // hold the depths of now.
        let mut buckets: Vec<Bucket> = self.buckets.iter().copied().collect();
        let now = at_us / BUCKET_US;
        let last = buckets.last().map_or(now, |b| b.start_us / BUCKET_US);
        for i in last + 1..=now {
            buckets.push(Bucket {
                start_us: i * BUCKET_US,
                max_waiting_senders: self.waiting_senders,
                max_waiting_receivers: self.waiting_receivers,
                ..Bucket::default()
            });
        }
        let excess = buckets.len().saturating_sub(BUCKETS);
        buckets.drain(..excess);
        let mut snapshot = ChannelSnapshot {
            chan: self.chan,
            name: self.name.clone(),
            capacity,
            head,
            tail,
            len,
            slots,
            waiting_senders: self.waiting_senders,
            waiting_receivers: self.waiting_receivers,
            peak_waiting_senders: self.peak_senders,
            peak_waiting_receivers: self.peak_receivers,
            counters: self.counters,
            handles: self.handles.clone(),
            lifecycle: self.lifecycle,
            lifecycle_history: self.history.clone(),
            buckets,
            insight: Insight::default(),
        };
        snapshot.insight = self.tracker.insight(&snapshot, at_us);
        snapshot
    }
}

/// A channel as it stood at some point of the stream, for a reader that
/// starts there (a viewer that attaches to a program after its channels
/// were made: `Record::State`). What the fold needs to go on from there
/// with the right capacity, positions, counts, lifecycle and handles; the
/// insight (messages in flight, latencies) starts empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChannelState {
    /// The channel.
    pub chan: u64,
    /// When it stood so (µs, the stream's clock).
    pub at_us: u64,
    /// When it was created (µs, the stream's clock).
    pub created_us: u64,
    /// Its capacity (0 unknown).
    pub capacity: usize,
    /// Next position to write and to read.
    pub head: u64,
    /// Next position to read.
    pub tail: u64,
    /// Totals since it was created.
    pub counters: Counters,
    /// Parked now, per side.
    pub waiting_senders: usize,
    /// Parked receivers now.
    pub waiting_receivers: usize,
    /// The most parked at once so far, per side.
    pub peak_waiting_senders: usize,
    /// The most receivers parked at once so far.
    pub peak_waiting_receivers: usize,
    /// Its lifecycle.
    pub lifecycle: Lifecycle,
    /// Its handles (id, role, state), in creation order.
    pub handles: Vec<(u64, Role, HandleState)>,
}

impl ChannelModel {
    fn state(&self, at_us: u64) -> ChannelState {
        ChannelState {
            chan: self.chan,
            at_us,
            created_us: self.history.first().map_or_else(
                || self.buckets.front().map_or(0, |b| b.start_us),
                |h| h.at_us,
            ),
            capacity: self.capacity,
            head: self.head.max(self.tail),
            tail: self.tail,
            counters: self.counters,
            waiting_senders: self.waiting_senders,
            waiting_receivers: self.waiting_receivers,
            peak_waiting_senders: self.peak_senders,
            peak_waiting_receivers: self.peak_receivers,
            lifecycle: self.lifecycle,
            handles: self
                .handles
                .iter()
                .map(|h| (h.id, h.role, h.state))
                .collect(),
        }
    }

    fn from_state(s: &ChannelState) -> ChannelModel {
        let at_us = s.at_us;
        let mut c = ChannelModel::new(s.chan, at_us);
        c.capacity = s.capacity;
        if s.capacity > 0 && s.capacity <= MAX_TRACKED_SLOTS {
            c.stamps = vec![0; s.capacity];
            // The messages in the ring: pushed, not yet popped.
            let n = s.head.saturating_sub(s.tail).min(s.capacity as u64);
            for pos in s.head - n..s.head {
                c.stamp((pos % s.capacity as u64) as usize, pos * 2 + 1);
            }
        }
        c.head = s.head;
        c.tail = s.tail;
        c.counters = s.counters;
        c.waiting_senders = s.waiting_senders;
        c.waiting_receivers = s.waiting_receivers;
        c.peak_senders = s.peak_waiting_senders;
        c.peak_receivers = s.peak_waiting_receivers;
        c.lifecycle = s.lifecycle;
        c.finished = s.lifecycle == Lifecycle::Closed;
        c.history.push(LifecycleChange {
            at_us: s.created_us,
            from: Lifecycle::Open,
            to: Lifecycle::Open,
        });
        if s.lifecycle != Lifecycle::Open {
            c.history.push(LifecycleChange {
                at_us,
                from: Lifecycle::Open,
                to: s.lifecycle,
            });
        }
        for &(id, role, state) in s.handles.iter().take(MAX_HANDLES) {
            c.handles.push(HandleSnapshot {
                id,
                role,
                state,
                transitions: vec![Transition {
                    at_us,
                    from: HandleState::Absent,
                    to: state,
                }],
            });
        }
        c
    }
}

impl Model {
    /// An empty model: no channel, no event.
    pub fn new() -> Model {
        Model::default()
    }

    /// Apply one event.
    pub fn apply(&mut self, e: &LogEntry) {
        self.applied += 1;
        let i = match self.channels.iter().rposition(|c| c.chan == e.chan) {
            Some(i) => i,
            None => {
                if self.channels.len() >= MAX_CHANNELS {
                    let victim = self.channels.iter().position(|c| c.finished).unwrap_or(0);
                    self.channels.remove(victim);
                }
                let mut c = ChannelModel::new(e.chan, e.at_us);
                if let Some(i) = self.pending_names.iter().position(|n| n.0 == e.chan) {
                    c.name = Some(self.pending_names.swap_remove(i).1);
                }
                self.channels.push(c);
                self.channels.len() - 1
            }
        };
        self.channels[i].apply(e);
    }

    /// Give channel `chan` its name (from `bounded_named`; a `created`
    /// event carries it beside its fields).
    pub fn name(&mut self, chan: u64, name: &str) {
        match self.channels.iter_mut().rev().find(|c| c.chan == chan) {
            Some(c) => c.name = Some(name.to_string()),
            // The name comes just before its channel's `created` event.
            None => self.pending_names.push((chan, name.to_string())),
        }
    }

    /// Every channel as it stands, at time `at_us` (see [`ChannelState`]).
    pub fn states(&self, at_us: u64) -> Vec<ChannelState> {
        self.channels.iter().map(|c| c.state(at_us)).collect()
    }

    /// Start channel `s.chan` from `s` (replacing what the fold knew of it):
    /// for a stream that does not begin with the channel's `created` event.
    pub fn seed(&mut self, s: &ChannelState) {
        let mut c = ChannelModel::from_state(s);
        match self.channels.iter().rposition(|m| m.chan == s.chan) {
            Some(i) => {
                c.name = self.channels[i].name.take();
                self.channels[i] = c;
            }
            None => {
                if self.channels.len() >= MAX_CHANNELS {
                    let victim = self.channels.iter().position(|c| c.finished).unwrap_or(0);
                    self.channels.remove(victim);
                }
                if let Some(i) = self.pending_names.iter().position(|n| n.0 == s.chan) {
                    c.name = Some(self.pending_names.swap_remove(i).1);
                }
                self.channels.push(c);
            }
        }
    }

    /// The insight into channel `c` at time `at_us`, as this fold sees
    /// it, for a snapshot built elsewhere (the live probe's counters).
    pub fn insight(&self, c: &ChannelSnapshot, at_us: u64) -> Option<Insight> {
        let m = self.channels.iter().rev().find(|m| m.chan == c.chan)?;
        Some(m.tracker.insight(c, at_us))
    }

    /// The model as a [`Snapshot`] at time `at_us`, with `events` as its log.
    pub fn snapshot(&self, at_us: u64, events: Vec<LogEntry>) -> Snapshot {
        Snapshot {
            at_us,
            channels: self.channels.iter().map(|c| c.snapshot(at_us)).collect(),
            events,
            events_seen: self.applied,
            events_dropped: 0,
        }
    }
}
