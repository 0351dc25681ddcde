//! The bounded log of recent decoded events. A writer never waits: if the log
//! is busy (another writer, or a snapshot copying it), the event is counted as
//! dropped instead of logged.
//!
//! The log is a ring preallocated to its capacity behind a one-bit try-lock.
//! Writing an event costs one compare-and-swap, a 72-byte copy and a release
//! store, and never allocates. Sequence numbers are given out under the lock;
//! events lost to contention leave a gap in them, so a reader can see where.
//! An event is also counted as dropped when it is overwritten before any
//! snapshot returned it.

use std::cell::UnsafeCell;
use std::hint;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;

use super::snapshot::{EventKind, LogEntry};

/// One place in the ring.
#[derive(Clone, Copy)]
struct Slot {
    entry: LogEntry,
    /// True once a snapshot returned this entry.
    read: bool,
}

/// Everything behind the lock.
struct Ring {
    /// The entries, oldest at `next_write % capacity` once full. Grows up to
    /// its preallocated capacity, then wraps.
    slots: Vec<Slot>,
    /// Maximum number of entries kept.
    capacity: usize,
    /// Where the next write goes once the ring is full (the count of writes
    /// modulo the capacity, kept as an index: no division per event).
    next: usize,
    /// Sequence number of the next logged event.
    next_seq: u64,
    /// The part of `EventLog::contended` already turned into sequence gaps.
    drops_accounted: u64,
    /// Entries overwritten before any snapshot returned them.
    overwritten_unread: u64,
}

/// The event log. `Sync`: all access to the ring goes through the try-lock.
pub(crate) struct EventLog {
    /// The lock bit: true while a writer or a reader owns the ring.
    locked: AtomicBool,
    /// Events that found the lock taken and were not logged.
    contended: AtomicU64,
    ring: UnsafeCell<Ring>,
}

// SAFETY: the ring is only touched by the thread that holds `locked`
// (acquired with Acquire, released with Release), so accesses never overlap,
// and everything in it is plain `Send` data.
unsafe impl Sync for EventLog {}

/// What a snapshot reads from the log.
pub(crate) struct LogCopy {
    pub(crate) events: Vec<LogEntry>,
    pub(crate) seen: u64,
    pub(crate) dropped: u64,
}

impl EventLog {
    /// A log that keeps the newest `capacity` events. Allocates it all now.
    pub(crate) fn new(capacity: usize) -> EventLog {
        EventLog {
            locked: AtomicBool::new(false),
            contended: AtomicU64::new(0),
            ring: UnsafeCell::new(Ring {
                slots: Vec::with_capacity(capacity),
                capacity,
                next: 0,
                next_seq: 0,
                drops_accounted: 0,
                overwritten_unread: 0,
            }),
        }
    }

    /// Logs one event, or counts it as dropped if the log is busy. Never waits.
    #[inline]
    pub(crate) fn push(&self, at_us: u64, chan: u64, kind: EventKind) {
        if self
            .locked
            // Acquire pairs with the Release of the unlock: the ring as the
            // last holder left it. Failure is Relaxed: we touch nothing then.
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            // Relaxed: a counter, read under the lock.
            self.contended.fetch_add(1, Ordering::Relaxed);
            return;
        }
        // SAFETY: we hold the lock (see `unsafe impl Sync`).
        let ring = unsafe { &mut *self.ring.get() };
        // Events dropped since the last write become a gap before this one.
        let contended = self.contended.load(Ordering::Relaxed);
        let seq = ring.next_seq + (contended - ring.drops_accounted);
        ring.drops_accounted = contended;
        ring.next_seq = seq + 1;
        let slot = Slot {
            entry: LogEntry {
                seq,
                at_us,
                chan,
                kind,
            },
            read: false,
        };
        if ring.slots.len() < ring.capacity {
            // Within the preallocated capacity: no allocation.
            ring.slots.push(slot);
        } else if ring.capacity == 0 {
            ring.overwritten_unread += 1;
        } else {
            let at = ring.next;
            if !ring.slots[at].read {
                ring.overwritten_unread += 1;
            }
            ring.slots[at] = slot;
            ring.next = if at + 1 == ring.capacity { 0 } else { at + 1 };
        }
        // Release: the next holder sees this write of the ring.
        self.locked.store(false, Ordering::Release);
    }

    /// Copies the newest `max` entries, oldest first, and marks them read.
    /// Waits for the lock (briefly: writers hold it for a few nanoseconds).
    pub(crate) fn copy_newest(&self, max: usize) -> LogCopy {
        let mut spins = 0u32;
        while self
            .locked
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            spins += 1;
            if spins < 64 {
                hint::spin_loop();
            } else {
                thread::yield_now();
            }
        }
        // SAFETY: we hold the lock (see `unsafe impl Sync`).
        let ring = unsafe { &mut *self.ring.get() };
        let kept = ring.slots.len();
        let n = max.min(kept);
        let mut events = Vec::with_capacity(n);
        // The oldest entry sits at `next` once the ring wrapped (and `next`
        // stays 0 until then).
        let oldest = ring.next;
        for i in kept - n..kept {
            let slot = &mut ring.slots[(oldest + i) % kept];
            slot.read = true;
            events.push(slot.entry);
        }
        let contended = self.contended.load(Ordering::Relaxed);
        let seen = ring.next_seq + (contended - ring.drops_accounted);
        let dropped = contended + ring.overwritten_unread;
        self.locked.store(false, Ordering::Release);
        LogCopy {
            events,
            seen,
            dropped,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn created(capacity: usize) -> EventKind {
        EventKind::Created { capacity }
    }

    #[test]
    fn keeps_the_newest_in_order_and_counts_overwritten_unread() {
        let log = EventLog::new(4);
        for i in 0..10 {
            log.push(i, 1, created(i as usize));
        }
        let copy = log.copy_newest(100);
        let seqs: Vec<u64> = copy.events.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, vec![6, 7, 8, 9]);
        assert_eq!(copy.seen, 10);
        assert_eq!(copy.dropped, 6);
        // Entries already returned are not dropped when overwritten.
        for i in 10..14 {
            log.push(i, 1, created(0));
        }
        let copy = log.copy_newest(2);
        assert_eq!(copy.events.len(), 2);
        assert_eq!(copy.events[1].seq, 13);
        assert_eq!(copy.dropped, 6);
    }

    #[test]
    fn a_busy_log_drops_and_leaves_a_gap() {
        let log = EventLog::new(8);
        log.push(0, 1, created(0));
        log.locked.store(true, Ordering::Release);
        log.push(1, 1, created(0));
        log.push(2, 1, created(0));
        log.locked.store(false, Ordering::Release);
        log.push(3, 1, created(0));
        let copy = log.copy_newest(8);
        let seqs: Vec<u64> = copy.events.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, vec![0, 3]);
        assert_eq!(copy.seen, 4);
        assert_eq!(copy.dropped, 2);
    }

    #[test]
    fn zero_capacity_logs_nothing_and_counts_everything() {
        let log = EventLog::new(0);
        log.push(0, 1, created(0));
        let copy = log.copy_newest(10);
        assert!(copy.events.is_empty());
        assert_eq!((copy.seen, copy.dropped), (1, 1));
    }
}
