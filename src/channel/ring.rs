//! The lock-free ring buffer: Dmitry Vyukov's bounded MPMC queue, in the
//! form crossbeam-channel's `flavors/array.rs` gives it
//! (<https://www.1024cores.net/home/lock-free-algorithms/queues/bounded-mpmc-queue>).
//! It knows nothing of wakers, handles or tracing.
//!
//! Every slot carries a *stamp* that says which lap of which operation it is
//! ready for. `head` and `tail` are stamps too: `lap * one_lap + index`, where
//! `one_lap` is a power of two larger than the capacity, so the capacity is
//! exact and no division is needed. `head` also carries a *mark bit*, set once
//! when the channel is closed; pushes fail from then on while pops go on
//! until the ring is empty.

use std::mem::MaybeUninit;

use crossbeam_utils::CachePadded;

use super::sync::{fence, AtomicUsize, Backoff, Ordering, UnsafeCell};

/// One cell of the ring.
struct Slot<T> {
    /// `head` value a push may write at (`stamp == head`), or, after the
    /// write, `head + 1`, which is the `tail + 1` a pop may read at.
    stamp: AtomicUsize,
    /// The message; initialised exactly between a push's write and the
    /// matching pop's read.
    value: UnsafeCell<MaybeUninit<T>>,
}

/// Where a push or pop happened, as a stamp; decoded only when observed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Position(usize);

/// Why a push failed. The value always comes back.
pub(crate) enum PushError<T> {
    /// Every slot is taken.
    Full(T),
    /// The mark bit is set: no push can succeed any more.
    Closed(T),
}

impl<T> PushError<T> {
    /// The value that was not pushed.
    pub(crate) fn into_value(self) -> T {
        match self {
            PushError::Full(v) | PushError::Closed(v) => v,
        }
    }
}

/// What [`Ring::room`] saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Room {
    /// Every slot is taken.
    None,
    /// At least one slot is free.
    Some,
    /// The ring is closed: no push can succeed.
    Closed,
}

/// Why a pop found nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PopError {
    /// Nothing buffered now; more may come.
    Empty,
    /// Nothing buffered and the ring is closed: nothing will ever come.
    Closed,
}

/// A bounded MPMC ring of exactly `cap` slots.
pub(crate) struct Ring<T> {
    /// Next position to write: a stamp (`lap * one_lap + index`), plus
    /// `mark_bit` once the ring is closed. Only grows (modulo the stamp wrap).
    head: CachePadded<AtomicUsize>,
    /// Next position to read: a stamp (`lap * one_lap + index`).
    tail: CachePadded<AtomicUsize>,
    /// The slots; `buffer.len() == cap`.
    buffer: Box<[Slot<T>]>,
    /// Number of slots, exactly as asked.
    cap: usize,
    /// Adding it to a stamp moves to the same index one lap later.
    one_lap: usize,
    /// Set in `head` when closed; `mark_bit - 1` masks the index.
    mark_bit: usize,
}

// SAFETY: the ring hands each value from exactly one pusher to exactly one
// popper; slot access is serialised by the stamps (see push/pop), so sharing
// the ring between threads is sound whenever `T` can be sent between them.
unsafe impl<T: Send> Send for Ring<T> {}
// SAFETY: as above; `&Ring` only allows push/pop, which move `T` by value.
unsafe impl<T: Send> Sync for Ring<T> {}

impl<T> Ring<T> {
    /// A ring of exactly `cap` slots. `cap` must be at least 1.
    pub(crate) fn new(cap: usize) -> Self {
        assert!(cap > 0, "capacity must be at least 1");
        // The mark bit is above every index; one lap is above the mark bit.
        let mark_bit = (cap + 1).next_power_of_two();
        let one_lap = mark_bit * 2;
        let buffer = (0..cap)
            .map(|i| Slot {
                // Slot `i` is ready for the push at position `i` of lap 0.
                stamp: AtomicUsize::new(i),
                value: UnsafeCell::new(MaybeUninit::uninit()),
            })
            .collect();
        Self {
            head: CachePadded::new(AtomicUsize::new(0)),
            tail: CachePadded::new(AtomicUsize::new(0)),
            buffer,
            cap,
            one_lap,
            mark_bit,
        }
    }

    /// Number of slots.
    #[inline]
    pub(crate) fn capacity(&self) -> usize {
        self.cap
    }

    /// The stamp that follows `stamp` (same lap, next index; or next lap, index 0).
    #[inline(always)]
    fn next(&self, stamp: usize) -> usize {
        let index = stamp & (self.mark_bit - 1);
        if index + 1 < self.cap {
            stamp + 1
        } else {
            (stamp & !(self.one_lap - 1)).wrapping_add(self.one_lap)
        }
    }

    /// Writes `value` at the head, or gives it back.
    #[inline(always)]
    pub(crate) fn push(&self, value: T) -> Result<Position, PushError<T>> {
        // Fast path: the slot at the head is free for this lap and nobody
        // races us for it. Everything else goes through the full loop.
        let head = self.head.load(Ordering::Relaxed);
        // A closed head (mark bit set) never equals a stamp, so a closed
        // ring always takes the slow path, which reports the close.
        if let Some(slot) = self.buffer.get(head & (self.mark_bit - 1)) {
            if slot.stamp.load(Ordering::Acquire) == head
                && self
                    .head
                    .compare_exchange(head, self.next(head), Ordering::SeqCst, Ordering::Relaxed)
                    .is_ok()
            {
                // SAFETY: as in `push_slow`: the CAS reserved the slot for this lap.
                slot.value.with_mut(|p| unsafe { (*p).write(value) });
                slot.stamp.store(head + 1, Ordering::Release);
                return Ok(Position(head));
            }
        }
        self.push_slow(value)
    }

    /// The full push loop: closed, full, and contended cases.
    #[inline(never)]
    fn push_slow(&self, value: T) -> Result<Position, PushError<T>> {
        let backoff = Backoff::new();
        let mut head = self.head.load(Ordering::Relaxed);
        loop {
            if head & self.mark_bit != 0 {
                return Err(PushError::Closed(value));
            }
            let index = head & (self.mark_bit - 1);
            // SAFETY: `index < cap == buffer.len()` because `next` wraps at `cap`.
            let slot = unsafe { self.buffer.get_unchecked(index) };
            let stamp = slot.stamp.load(Ordering::Acquire);

            if head == stamp {
                // The slot is free for this lap: try to reserve it.
                match self.head.compare_exchange_weak(
                    head,
                    self.next(head),
                    Ordering::SeqCst,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => {
                        // SAFETY: winning the CAS gave us this slot for this lap;
                        // no pop reads it until we publish the new stamp below.
                        slot.value.with_mut(|p| unsafe { (*p).write(value) });
                        slot.stamp.store(head + 1, Ordering::Release);
                        return Ok(Position(head));
                    }
                    Err(h) => {
                        head = h;
                        backoff.spin();
                    }
                }
            } else if stamp.wrapping_add(self.one_lap) == head + 1 {
                // The slot still holds last lap's message. Is the ring full?
                // The fence orders this check after whatever registration the
                // caller made before retrying (see `Chan`'s parking protocol).
                fence(Ordering::SeqCst);
                let tail = self.tail.load(Ordering::Relaxed);
                if tail.wrapping_add(self.one_lap) == head {
                    return Err(PushError::Full(value));
                }
                // A pop has reserved the slot but not stamped it yet.
                backoff.snooze();
                head = self.head.load(Ordering::Relaxed);
            } else {
                // Another push moved the head on; catch up.
                backoff.snooze();
                head = self.head.load(Ordering::Relaxed);
            }
        }
    }

    /// Takes the message at the tail, if there is one.
    #[inline(always)]
    pub(crate) fn pop(&self) -> Result<(T, Position), PopError> {
        // Fast path: the slot at the tail holds this lap's message and nobody
        // races us for it.
        let tail = self.tail.load(Ordering::Relaxed);
        if let Some(slot) = self.buffer.get(tail & (self.mark_bit - 1)) {
            if slot.stamp.load(Ordering::Acquire) == tail + 1
                && self
                    .tail
                    .compare_exchange(tail, self.next(tail), Ordering::SeqCst, Ordering::Relaxed)
                    .is_ok()
            {
                // SAFETY: as in `pop_slow`: the stamp says the slot holds an
                // initialised message for this lap, and the CAS made us its
                // only reader.
                let value = slot.value.with_mut(|p| unsafe { (*p).assume_init_read() });
                slot.stamp
                    .store(tail.wrapping_add(self.one_lap), Ordering::Release);
                return Ok((value, Position(tail)));
            }
        }
        self.pop_slow()
    }

    /// The full pop loop: empty, closed, and contended cases.
    #[inline(never)]
    fn pop_slow(&self) -> Result<(T, Position), PopError> {
        let backoff = Backoff::new();
        let mut tail = self.tail.load(Ordering::Relaxed);
        loop {
            let index = tail & (self.mark_bit - 1);
            // SAFETY: `index < cap == buffer.len()`.
            let slot = unsafe { self.buffer.get_unchecked(index) };
            let stamp = slot.stamp.load(Ordering::Acquire);

            if tail + 1 == stamp {
                // The slot holds this lap's message: try to reserve it.
                match self.tail.compare_exchange_weak(
                    tail,
                    self.next(tail),
                    Ordering::SeqCst,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => {
                        // SAFETY: the stamp says a push initialised this slot for
                        // this lap (Acquire pairs with its Release), and winning
                        // the CAS makes us its only reader.
                        let value = slot.value.with_mut(|p| unsafe { (*p).assume_init_read() });
                        slot.stamp
                            .store(tail.wrapping_add(self.one_lap), Ordering::Release);
                        return Ok((value, Position(tail)));
                    }
                    Err(t) => {
                        tail = t;
                        backoff.spin();
                    }
                }
            } else if stamp == tail {
                // The slot is empty for this lap. Is the whole ring empty?
                fence(Ordering::SeqCst);
                let head = self.head.load(Ordering::Relaxed);
                if head & !self.mark_bit == tail {
                    return Err(if head & self.mark_bit != 0 {
                        PopError::Closed
                    } else {
                        PopError::Empty
                    });
                }
                // A push has reserved the slot but not stamped it yet.
                backoff.snooze();
                tail = self.tail.load(Ordering::Relaxed);
            } else {
                // Another pop moved the tail on; catch up.
                backoff.snooze();
                tail = self.tail.load(Ordering::Relaxed);
            }
        }
    }

    /// Whether a push could find a free slot now, taken after a SeqCst
    /// fence: a parked sender's check after it registered (the other half
    /// of the pop's fence; see `Chan`'s parking protocol).
    pub(crate) fn room(&self) -> Room {
        fence(Ordering::SeqCst);
        let head = self.head.load(Ordering::SeqCst);
        if head & self.mark_bit != 0 {
            return Room::Closed;
        }
        let tail = self.tail.load(Ordering::SeqCst);
        // Full exactly when the tail is one lap behind the head.
        if tail.wrapping_add(self.one_lap) == head {
            Room::None
        } else {
            Room::Some
        }
    }

    /// Sets the mark bit. Returns `true` for the call that set it.
    pub(crate) fn close(&self) -> bool {
        let head = self.head.fetch_or(self.mark_bit, Ordering::SeqCst);
        head & self.mark_bit == 0
    }

    /// Whether the mark bit is set.
    #[inline]
    pub(crate) fn is_closed(&self) -> bool {
        self.head.load(Ordering::SeqCst) & self.mark_bit != 0
    }

    /// Monotonic position of a stamp: `lap * cap + index`.
    #[inline]
    pub(crate) fn position_of(&self, stamp: usize) -> u64 {
        let stamp = stamp & !self.mark_bit;
        let lap = (stamp / self.one_lap) as u64;
        lap * self.cap as u64 + (stamp & (self.mark_bit - 1)) as u64
    }

    /// Slot index of a position returned by push or pop.
    #[inline]
    pub(crate) fn slot_of(&self, pos: Position) -> usize {
        pos.0 & (self.mark_bit - 1)
    }

    /// Monotonic position of a push or pop's own stamp.
    #[inline]
    pub(crate) fn position(&self, pos: Position) -> u64 {
        self.position_of(pos.0)
    }

    /// Current head as a monotonic position (next to write).
    pub(crate) fn head_position(&self) -> u64 {
        self.position_of(self.head.load(Ordering::Relaxed))
    }

    /// Current tail as a monotonic position (next to read).
    pub(crate) fn tail_position(&self) -> u64 {
        self.position_of(self.tail.load(Ordering::Relaxed))
    }

    /// Messages buffered now (a consistent pair of head and tail).
    pub(crate) fn len(&self) -> usize {
        loop {
            let head = self.head.load(Ordering::SeqCst);
            let tail = self.tail.load(Ordering::SeqCst);
            // If head did not move while we read tail, the pair is consistent.
            if self.head.load(Ordering::SeqCst) == head {
                let hix = head & (self.mark_bit - 1);
                let tix = tail & (self.mark_bit - 1);
                return if hix > tix {
                    hix - tix
                } else if hix < tix {
                    self.cap - tix + hix
                } else if head & !self.mark_bit == tail {
                    0
                } else {
                    self.cap
                };
            }
        }
    }
}

impl<T> Drop for Ring<T> {
    fn drop(&mut self) {
        // `&mut self`: no push or pop is in flight, so every slot between tail
        // and head holds an initialised message, and no other does.
        let tail = self.tail.load(Ordering::Relaxed);
        let mut rest = DropRest {
            ring: self,
            tix: tail & (self.mark_bit - 1),
            next: 0,
            len: self.len(),
        };
        rest.drop_all();
        // `rest` is spent; its own drop only has work if a drop panicked.
    }
}

/// Drops a ring's messages in `next..len` (counted from the tail). If one
/// of their drops panics, the guard's own drop, run while unwinding, drops
/// the rest, as a `Vec` does.
struct DropRest<'a, T> {
    ring: &'a Ring<T>,
    tix: usize,
    next: usize,
    len: usize,
}

impl<T> DropRest<'_, T> {
    fn drop_all(&mut self) {
        while self.next < self.len {
            let i = self.tix + self.next;
            let index = if i < self.ring.cap {
                i
            } else {
                i - self.ring.cap
            };
            self.next += 1;
            // SAFETY: index < cap, and (see `Ring::drop`) the slot holds a
            // message that nobody else reads or drops; `next` moved past it
            // first, so even a drop that panics is its only drop.
            self.ring.buffer[index]
                .value
                .with_mut(|p| unsafe { (*p).assume_init_drop() });
        }
    }
}

impl<T> Drop for DropRest<'_, T> {
    fn drop(&mut self) {
        self.drop_all();
    }
}
