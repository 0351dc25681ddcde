//! Queues of parked wakers, one per side of the channel. A queue never runs
//! waker code (clone, wake, drop) while holding its lock, and its fast path (nobody waiting) is one
//! atomic load without the lock.

use std::any::Any;
use std::collections::VecDeque;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::task::Waker;

use super::sync::{lock, AtomicUsize, Mutex, Ordering};

/// Set in [`WaiterQueue::state`] once the channel is closed, so that the
/// other side's fast path, which loads `state` anyway, notices the close
/// without an extra load.
const CLOSED: usize = 1 << (usize::BITS - 1);

/// A future's place in a queue. `None` while the future is not queued.
pub(crate) type WaiterKey = Option<u64>;

/// A future's waiting state: its place in a queue, and how often it has
/// yielded instead of parking.
#[derive(Debug, Default)]
pub(crate) struct Waiter {
    pub(crate) key: WaiterKey,
    pub(crate) yields: u8,
}

/// One parked future.
struct Entry {
    /// Identifies the future's entry so a re-poll replaces it.
    key: u64,
    /// The parked handle's id, for the `wake` event.
    handle: u64,
    waker: Waker,
}

struct Inner {
    /// Parked futures in arrival order; woken from the front.
    entries: VecDeque<Entry>,
    next_key: u64,
}

/// A FIFO of parked wakers behind a mutex, with an atomic mirror of its
/// length for the lock-free fast path.
pub(crate) struct WaiterQueue {
    /// Number of queued entries, plus [`CLOSED`]. Written under the lock with
    /// SeqCst, read without it.
    state: AtomicUsize,
    inner: Mutex<Inner>,
}

/// What [`WaiterQueue::leave`] found.
pub(crate) enum Left {
    /// The future had not parked (no entry).
    NotParked,
    /// Its entry was still queued and is gone now: the handle, and the
    /// queue's depth after.
    Removed(Woken),
    /// A wake had already taken its entry: it was notified.
    Woken,
}

/// Who was woken (or left), and how many still wait: what the `wake` and
/// `leave` events report.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Woken {
    pub(crate) handle: u64,
    pub(crate) waiting: usize,
    /// The entry's arrival number in its queue (its key): entries are woken
    /// in ticket order, so a reader of the events can keep the queue's exact
    /// order even when two parks' events reach it in the other order.
    pub(crate) ticket: u64,
}

impl WaiterQueue {
    pub(crate) fn new() -> Self {
        Self {
            state: AtomicUsize::new(0),
            inner: Mutex::new(Inner {
                entries: VecDeque::new(),
                next_key: 0,
            }),
        }
    }

    /// Whether anyone waits or the queue was closed: the only cases in which
    /// the caller must take the slow path. SeqCst: pairs with the SeqCst
    /// registration and the ring's fences (lost-wakeup protocol).
    #[inline(always)]
    pub(crate) fn needs_attention(&self) -> bool {
        self.state.load(Ordering::SeqCst) != 0
    }

    /// Whether [`WaiterQueue::close`] was called.
    #[inline]
    pub(crate) fn is_closed(&self) -> bool {
        self.state.load(Ordering::SeqCst) & CLOSED != 0
    }

    /// Number of parked futures now.
    pub(crate) fn waiting(&self) -> usize {
        self.state.load(Ordering::SeqCst) & !CLOSED
    }

    /// Marks the queue closed (see [`CLOSED`]).
    pub(crate) fn close(&self) {
        self.state.fetch_or(CLOSED, Ordering::SeqCst);
    }

    /// Parks `waker` for the future whose place is `key`. A future already
    /// in the queue only refreshes its waker (so a queue never holds two
    /// entries for one future). Returns the queue depth if a new entry was
    /// added, `None` if an existing one was refreshed.
    ///
    /// No waker code runs under the lock: the clone is made before it is
    /// taken, and a replaced (or unused) waker is dropped after it is
    /// released. A waker's clone or drop may run arbitrary code, such as
    /// dropping a task that owns another future of this channel, whose own
    /// drop takes this lock.
    pub(crate) fn register(
        &self,
        key: &mut WaiterKey,
        handle: u64,
        waker: &Waker,
    ) -> Option<usize> {
        let fresh = waker.clone();
        let (depth, unused) = self.register_locked(key, handle, fresh);
        drop(unused);
        depth
    }

    /// The locked part of [`WaiterQueue::register`]: returns the depth (if
    /// an entry was added) and the waker to drop once the lock is released.
    fn register_locked(
        &self,
        key: &mut WaiterKey,
        handle: u64,
        fresh: Waker,
    ) -> (Option<usize>, Option<Waker>) {
        let mut inner = lock(&self.inner);
        if let Some(k) = *key {
            if let Some(entry) = inner.entries.iter_mut().find(|e| e.key == k) {
                // `will_wake` compares pointers; it runs no waker code.
                if entry.waker.will_wake(&fresh) {
                    return (None, Some(fresh));
                }
                return (None, Some(std::mem::replace(&mut entry.waker, fresh)));
            }
        }
        // Not queued: new, or woken since (its entry was taken by `wake_one`).
        let k = inner.next_key;
        inner.next_key = k.wrapping_add(1);
        inner.entries.push_back(Entry {
            key: k,
            handle,
            waker: fresh,
        });
        *key = Some(k);
        // SeqCst: must come before the caller's re-check of the ring.
        self.state.fetch_add(1, Ordering::SeqCst);
        (Some(inner.entries.len()), None)
    }

    /// Removes the future's entry, if it is still queued. Returns `false` if
    /// the entry was already taken by a wake: the future was notified.
    #[inline(always)]
    pub(crate) fn cancel(&self, key: &mut WaiterKey) -> bool {
        !matches!(self.leave(key), Left::Woken)
    }

    /// Removes the future's entry, if it is still queued, and says what
    /// there was to remove.
    #[inline(always)]
    pub(crate) fn leave(&self, key: &mut WaiterKey) -> Left {
        match key.take() {
            None => Left::NotParked,
            Some(k) => self.cancel_slow(k),
        }
    }

    #[cold]
    fn cancel_slow(&self, k: u64) -> Left {
        let (removed, waiting) = {
            let mut inner = lock(&self.inner);
            let removed = inner
                .entries
                .iter()
                .position(|e| e.key == k)
                .and_then(|i| inner.entries.remove(i));
            if removed.is_some() {
                // SeqCst, like every write of `state`: read without the lock
                // by the other side's fast path (lost-wakeup protocol).
                self.state.fetch_sub(1, Ordering::SeqCst);
            }
            (removed, inner.entries.len())
        };
        // The entry's waker is dropped here, after the lock is released.
        match removed {
            Some(e) => Left::Removed(Woken {
                handle: e.handle,
                waiting,
                ticket: e.key,
            }),
            None => Left::Woken,
        }
    }

    /// Wakes the longest-waiting future, if any. The waker runs after the
    /// lock is released.
    #[cold]
    pub(crate) fn wake_one(&self) -> Option<Woken> {
        if self.waiting() == 0 {
            return None;
        }
        let (entry, waiting) = {
            let mut inner = lock(&self.inner);
            let entry = inner.entries.pop_front()?;
            self.state.fetch_sub(1, Ordering::SeqCst);
            (entry, inner.entries.len())
        };
        let (handle, ticket) = (entry.handle, entry.key);
        entry.waker.wake();
        Some(Woken {
            handle,
            waiting,
            ticket,
        })
    }

    /// Wakes every parked future; `each` is called per woken one, after the
    /// lock is released. Every waker is woken even if some panic: the first
    /// panic is returned, for the caller to resume once its own state is
    /// consistent (see [`resume_panic`]).
    #[must_use = "a waker's panic must be resumed or deliberately dropped"]
    pub(crate) fn wake_all(&self, mut each: impl FnMut(Woken)) -> Option<Panic> {
        if self.waiting() == 0 {
            return None;
        }
        let entries = {
            let mut inner = lock(&self.inner);
            let entries = std::mem::take(&mut inner.entries);
            self.state.fetch_sub(entries.len(), Ordering::SeqCst);
            entries
        };
        let mut waiting = entries.len();
        let mut first_panic = None;
        for entry in entries {
            waiting -= 1;
            let woken = Woken {
                handle: entry.handle,
                waiting,
                ticket: entry.key,
            };
            // A waker that panics must not keep the rest of the batch asleep:
            // they are already off the queue, and nobody else would wake them.
            if let Err(panic) = catch_unwind(AssertUnwindSafe(|| entry.waker.wake())) {
                first_panic.get_or_insert(panic);
            }
            each(woken);
        }
        first_panic
    }
}

/// The payload of a waker's panic, caught by [`WaiterQueue::wake_all`].
pub(crate) type Panic = Box<dyn Any + Send + 'static>;

/// Resumes a caught panic, unless this thread is already unwinding (then a
/// second panic would abort the process; the first one is reported anyway).
pub(crate) fn resume_panic(panic: Option<Panic>) {
    if let Some(panic) = panic {
        if !std::thread::panicking() {
            resume_unwind(panic);
        }
    }
}
