//! The live model of one channel, updated by events and read by snapshots.
//! Per-operation events touch only atomics here and must never take a lock
//! or allocate; `created`, `handle` and `lifecycle` events take `meta`'s
//! mutex.
//!
//! Layout: what senders write, what receivers write and what wakes write sit
//! on separate cache lines, so producers and consumers on different cores do
//! not fight over one line.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};

use crossbeam_utils::CachePadded;

use super::decode::Decoded;
use super::snapshot::{
    Bucket, ChannelSnapshot, Counters, EventKind, HandleSnapshot, HandleState, Lifecycle,
    LifecycleChange, Role, Side, Transition, BUCKETS, BUCKET_US,
};

/// Channels with a larger capacity get no per-slot stamps: their occupancy
/// is derived from `[tail, head)` instead (bounds the probe's memory).
pub(crate) const MAX_TRACKED_SLOTS: usize = 1 << 16;
/// Handles kept per channel; beyond that the oldest dropped ones are forgotten.
pub(crate) const MAX_HANDLES: usize = 4096;
/// Transitions kept per handle (a well-behaved handle has at most four).
const MAX_TRANSITIONS: usize = 16;
/// Lifecycle changes kept per channel (a channel has at most three).
const MAX_LIFECYCLE_CHANGES: usize = 16;
/// A bucket entry that holds nothing yet.
const NO_BUCKET: u64 = u64::MAX;

/// Relaxed: every field is a display value; no field orders another.
const R: Ordering = Ordering::Relaxed;

/// Written by senders (push, send_wait).
#[derive(Default)]
struct SendSide {
    /// Pushes seen.
    sent: AtomicU64,
    /// Highest `head` seen (next position to write).
    head: AtomicU64,
    /// `send_wait` events seen.
    send_waits: AtomicU64,
}

/// Written by receivers (pop, recv_wait).
#[derive(Default)]
struct RecvSide {
    /// Pops seen.
    received: AtomicU64,
    /// Highest `tail` seen (next position to read).
    tail: AtomicU64,
    /// `recv_wait` events seen.
    recv_waits: AtomicU64,
}

/// Waiter queues: written by parking and by waking.
#[derive(Default)]
struct WaitSide {
    /// Senders parked now (last depth reported).
    senders: AtomicUsize,
    /// Receivers parked now.
    receivers: AtomicUsize,
    /// Highest `senders` seen.
    peak_senders: AtomicUsize,
    /// Highest `receivers` seen.
    peak_receivers: AtomicUsize,
    /// Wakes of the senders' queue.
    sender_wakes: AtomicU64,
    /// Wakes of the receivers' queue.
    receiver_wakes: AtomicU64,
}

/// The start of one 100 ms bucket: the cumulative counters when its first
/// event arrived. A bucket's counts are the difference to the next recorded
/// start, so the per-event path adds to no bucket at all.
struct BucketStart {
    /// Bucket index (`at_us / BUCKET_US`) this entry holds, or `NO_BUCKET`.
    /// Written last (Release) and read first and last (seqlock style).
    index: AtomicU64,
    sent: AtomicU64,
    received: AtomicU64,
    wakes: AtomicU64,
    /// Waiter depths when the bucket started.
    start_senders: AtomicUsize,
    start_receivers: AtomicUsize,
    /// Highest depths during the bucket.
    max_senders: AtomicUsize,
    max_receivers: AtomicUsize,
}

impl Default for BucketStart {
    fn default() -> Self {
        BucketStart {
            index: AtomicU64::new(NO_BUCKET),
            sent: AtomicU64::new(0),
            received: AtomicU64::new(0),
            wakes: AtomicU64::new(0),
            start_senders: AtomicUsize::new(0),
            start_receivers: AtomicUsize::new(0),
            max_senders: AtomicUsize::new(0),
            max_receivers: AtomicUsize::new(0),
        }
    }
}

/// The rarely changing part, behind a mutex (DEBUG events and snapshots only).
#[derive(Default)]
struct Meta {
    name: Option<String>,
    /// Every handle, in creation order (bounded by `MAX_HANDLES`).
    handles: Vec<HandleSnapshot>,
    lifecycle: Lifecycle,
    history: Vec<LifecycleChange>,
    /// True once the lifecycle reached `Closed`: the channel may be evicted.
    finished: bool,
}

/// One channel's live model.
pub(crate) struct ChannelState {
    /// The `chan` field of its events.
    pub(crate) chan: u64,
    /// Read by every event, written rarely: capacity (0 until known).
    capacity: AtomicUsize,
    /// Per-slot stamps once the capacity is known: 0 never touched, `2p + 1`
    /// after the push of position `p`, `2p + 2` after its pop.
    slots: OnceLock<Box<[AtomicU64]>>,
    /// Bucket index of the newest bucket started.
    current_bucket: AtomicU64,
    /// The bucket index when the channel was first seen.
    first_bucket: u64,
    send: CachePadded<SendSide>,
    recv: CachePadded<RecvSide>,
    wait: CachePadded<WaitSide>,
    buckets: Box<[BucketStart]>,
    meta: Mutex<Meta>,
}

impl ChannelState {
    /// A channel first seen at `now_us`, capacity still unknown.
    pub(crate) fn new(chan: u64, now_us: u64) -> ChannelState {
        let bucket = now_us / BUCKET_US;
        let buckets: Box<[BucketStart]> = (0..BUCKETS).map(|_| BucketStart::default()).collect();
        buckets[(bucket % BUCKETS as u64) as usize]
            .index
            .store(bucket, Ordering::Release);
        ChannelState {
            chan,
            capacity: AtomicUsize::new(0),
            slots: OnceLock::new(),
            current_bucket: AtomicU64::new(bucket),
            first_bucket: bucket,
            send: CachePadded::default(),
            recv: CachePadded::default(),
            wait: CachePadded::default(),
            buckets,
            meta: Mutex::new(Meta::default()),
        }
    }

    fn meta(&self) -> MutexGuard<'_, Meta> {
        // A panic while holding the lock leaves plain data behind: keep going.
        self.meta.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// True once the lifecycle reached closed (a candidate for eviction).
    pub(crate) fn finished(&self) -> bool {
        self.meta().finished
    }

    /// Applies one decoded event seen at `now_us`. `kind` is `d.kind()`.
    #[inline]
    pub(crate) fn apply(&self, now_us: u64, d: &Decoded, kind: &EventKind) {
        self.roll_to(now_us / BUCKET_US);
        match *kind {
            EventKind::Push { slot, head, .. } => {
                self.send.sent.fetch_add(1, R);
                raise(&self.send.head, head);
                self.stamp(slot, head.wrapping_sub(1).wrapping_mul(2).wrapping_add(1));
            }
            EventKind::Pop { slot, tail, .. } => {
                self.recv.received.fetch_add(1, R);
                raise(&self.recv.tail, tail);
                self.stamp(slot, tail.wrapping_mul(2));
            }
            EventKind::SendWait { waiting, .. } => {
                self.send.send_waits.fetch_add(1, R);
                self.set_waiting(Side::Senders, waiting);
            }
            EventKind::RecvWait { waiting, .. } => {
                self.recv.recv_waits.fetch_add(1, R);
                self.set_waiting(Side::Receivers, waiting);
            }
            EventKind::Wake { side, waiting, .. } => {
                match side {
                    Side::Senders => &self.wait.sender_wakes,
                    Side::Receivers => &self.wait.receiver_wakes,
                }
                .fetch_add(1, R);
                self.set_waiting(side, waiting);
            }
            EventKind::Leave { side, waiting, .. } => self.set_waiting(side, waiting),
            EventKind::Closed { .. } => {}
            EventKind::Created { capacity } => self.on_created(now_us, capacity, d),
            EventKind::Handle {
                handle,
                role,
                from,
                to,
            } => self.on_handle(now_us, handle, role, from, to),
            EventKind::Lifecycle { from, to } => self.on_lifecycle(now_us, from, to),
        }
    }

    /// Records the slot stamp of a push or pop (plain store: the stamp is
    /// interpreted against `[tail, head)` when read, so an event that lands
    /// late cannot leave a slot looking full).
    #[inline]
    fn stamp(&self, slot: usize, stamp: u64) {
        if let Some(slots) = self.slots.get() {
            if let Some(s) = slots.get(slot) {
                s.store(stamp, R);
            }
        }
    }

    #[inline]
    fn set_waiting(&self, side: Side, depth: usize) {
        let (now, peak) = match side {
            Side::Senders => (&self.wait.senders, &self.wait.peak_senders),
            Side::Receivers => (&self.wait.receivers, &self.wait.peak_receivers),
        };
        now.store(depth, R);
        raise_usize(peak, depth);
        let b = &self.buckets[self.bucket_slot(self.current_bucket.load(R))];
        raise_usize(
            match side {
                Side::Senders => &b.max_senders,
                Side::Receivers => &b.max_receivers,
            },
            depth,
        );
    }

    /// Where bucket `index` lives (a constant modulus: no division).
    fn bucket_slot(&self, index: u64) -> usize {
        (index % BUCKETS as u64) as usize
    }

    /// Starts bucket `index` if it is newer than the current one: one relaxed
    /// load per event, the rest once per 100 ms.
    #[inline]
    fn roll_to(&self, index: u64) {
        let current = self.current_bucket.load(R);
        if index > current {
            self.start_bucket(current, index);
        }
    }

    #[cold]
    fn start_bucket(&self, current: u64, index: u64) {
        if self
            .current_bucket
            .compare_exchange(current, index, Ordering::AcqRel, R)
            .is_err()
        {
            return; // another thread started it (or a newer one)
        }
        let b = &self.buckets[self.bucket_slot(index)];
        b.index.store(NO_BUCKET, R);
        std::sync::atomic::fence(Ordering::Release);
        b.sent.store(self.send.sent.load(R), R);
        b.received.store(self.recv.received.load(R), R);
        b.wakes.store(self.wakes(), R);
        let (ws, wr) = (self.wait.senders.load(R), self.wait.receivers.load(R));
        b.start_senders.store(ws, R);
        b.start_receivers.store(wr, R);
        b.max_senders.store(ws, R);
        b.max_receivers.store(wr, R);
        b.index.store(index, Ordering::Release);
    }

    fn wakes(&self) -> u64 {
        self.wait.sender_wakes.load(R) + self.wait.receiver_wakes.load(R)
    }

    fn on_created(&self, now_us: u64, capacity: usize, d: &Decoded) {
        let mut meta = self.meta();
        if self.capacity.load(R) == 0 && capacity > 0 {
            if capacity <= MAX_TRACKED_SLOTS {
                let _ = self
                    .slots
                    .set((0..capacity).map(|_| AtomicU64::new(0)).collect());
            }
            self.capacity.store(capacity, R);
        }
        if d.name.is_some() {
            meta.name.clone_from(&d.name);
        }
        meta.history.insert(
            0,
            LifecycleChange {
                at_us: now_us,
                from: Lifecycle::Open,
                to: Lifecycle::Open,
            },
        );
        meta.history.truncate(MAX_LIFECYCLE_CHANGES);
    }

    fn on_handle(&self, now_us: u64, id: u64, role: Role, from: HandleState, to: HandleState) {
        let mut meta = self.meta();
        let pos = meta
            .handles
            .iter()
            .rposition(|h| h.id == id && h.role == role);
        let pos = match pos {
            Some(pos) => pos,
            None => {
                if meta.handles.len() >= MAX_HANDLES {
                    let oldest = meta
                        .handles
                        .iter()
                        .position(|h| h.state == HandleState::Dropped)
                        .unwrap_or(0);
                    meta.handles.remove(oldest);
                }
                meta.handles.push(HandleSnapshot {
                    id,
                    role,
                    state: HandleState::Absent,
                    transitions: Vec::new(),
                });
                meta.handles.len() - 1
            }
        };
        let handle = &mut meta.handles[pos];
        handle.state = to;
        if handle.transitions.len() >= MAX_TRANSITIONS {
            handle.transitions.remove(1); // keep the creation
        }
        handle.transitions.push(Transition {
            at_us: now_us,
            from,
            to,
        });
    }

    fn on_lifecycle(&self, now_us: u64, from: Lifecycle, to: Lifecycle) {
        let mut meta = self.meta();
        meta.lifecycle = to;
        meta.finished |= to == Lifecycle::Closed;
        if meta.history.len() >= MAX_LIFECYCLE_CHANGES {
            meta.history.remove(1);
        }
        meta.history.push(LifecycleChange {
            at_us: now_us,
            from,
            to,
        });
    }

    /// The channel as of now (`at_us` is the snapshot's time).
    pub(crate) fn snapshot(&self, at_us: u64) -> ChannelSnapshot {
        let (name, handles, lifecycle, lifecycle_history) = {
            let meta = self.meta();
            (
                meta.name.clone(),
                meta.handles.clone(),
                meta.lifecycle,
                meta.history.clone(),
            )
        };
        let capacity = self.capacity.load(R);
        let counters = Counters {
            sent: self.send.sent.load(R),
            received: self.recv.received.load(R),
            send_waits: self.send.send_waits.load(R),
            recv_waits: self.recv.recv_waits.load(R),
            sender_wakes: self.wait.sender_wakes.load(R),
            receiver_wakes: self.wait.receiver_wakes.load(R),
        };
        let tail = self.recv.tail.load(R);
        let head = self.send.head.load(R).max(tail);
        let mut len = (head - tail) as usize;
        if capacity > 0 {
            len = len.min(capacity);
        }
        ChannelSnapshot {
            chan: self.chan,
            name,
            capacity,
            head,
            tail,
            len,
            slots: self.slot_occupancy(capacity, head, tail),
            waiting_senders: self.wait.senders.load(R),
            waiting_receivers: self.wait.receivers.load(R),
            peak_waiting_senders: self.wait.peak_senders.load(R),
            peak_waiting_receivers: self.wait.peak_receivers.load(R),
            buckets: self.buckets_until(at_us / BUCKET_US, counters),
            counters,
            handles,
            lifecycle,
            lifecycle_history,
            insight: Default::default(),
        }
    }

    /// A slot is full if its last stamp is a push of a position still in
    /// `[tail, head)`. Without stamps (capacity too large), every position in
    /// `[tail, head)` is full.
    fn slot_occupancy(&self, capacity: usize, head: u64, tail: u64) -> Vec<bool> {
        let mut slots = vec![false; capacity];
        match self.slots.get() {
            Some(stamps) => {
                for (full, stamp) in slots.iter_mut().zip(stamps.iter()) {
                    let s = stamp.load(R);
                    if s % 2 == 1 {
                        let pos = (s - 1) / 2;
                        *full = pos >= tail && pos < head;
                    }
                }
            }
            None if capacity > 0 => {
                let n = (head - tail).min(capacity as u64);
                for pos in tail..tail + n {
                    slots[(pos % capacity as u64) as usize] = true;
                }
            }
            None => {}
        }
        slots
    }

    /// Buckets from the channel's first (at most `BUCKETS` back) to `now`,
    /// oldest first. Walks backwards: a recorded bucket's counts are the next
    /// recorded start (or the totals now) minus its own start; a bucket with
    /// no recorded start saw no event, and its waiter depth is the one the
    /// next bucket started with.
    fn buckets_until(&self, now: u64, totals: Counters) -> Vec<Bucket> {
        let now = now.max(self.current_bucket.load(R));
        let oldest = self
            .first_bucket
            .max((now + 1).saturating_sub(BUCKETS as u64));
        let mut out = Vec::with_capacity((now - oldest + 1) as usize);
        let (mut next_sent, mut next_received, mut next_wakes) =
            (totals.sent, totals.received, totals.wakes());
        let mut depth_senders = self.wait.senders.load(R);
        let mut depth_receivers = self.wait.receivers.load(R);
        for index in (oldest..=now).rev() {
            let b = &self.buckets[self.bucket_slot(index)];
            let mut bucket = Bucket {
                start_us: index * BUCKET_US,
                max_waiting_senders: depth_senders,
                max_waiting_receivers: depth_receivers,
                ..Bucket::default()
            };
            if b.index.load(Ordering::Acquire) == index {
                let (sent, received, wakes) = (b.sent.load(R), b.received.load(R), b.wakes.load(R));
                let (start_s, start_r) = (b.start_senders.load(R), b.start_receivers.load(R));
                let (max_s, max_r) = (b.max_senders.load(R), b.max_receivers.load(R));
                std::sync::atomic::fence(Ordering::Acquire);
                if b.index.load(R) == index {
                    bucket.sent = next_sent.saturating_sub(sent);
                    bucket.received = next_received.saturating_sub(received);
                    bucket.wakes = next_wakes.saturating_sub(wakes);
                    bucket.max_waiting_senders = max_s.max(start_s);
                    bucket.max_waiting_receivers = max_r.max(start_r);
                    (next_sent, next_received, next_wakes) = (sent, received, wakes);
                    (depth_senders, depth_receivers) = (start_s, start_r);
                }
            }
            out.push(bucket);
        }
        out.reverse();
        out
    }
}

/// Raises a monotonic position to `v` (no write when it is not higher).
#[inline]
fn raise(a: &AtomicU64, v: u64) {
    if v > a.load(R) {
        a.fetch_max(v, R);
    }
}

#[inline]
fn raise_usize(a: &AtomicUsize, v: usize) {
    if v > a.load(R) {
        a.fetch_max(v, R);
    }
}
