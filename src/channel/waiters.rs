//! Queues of parked wakers, one per side of the channel. A queue never wakes
//! anyone while holding its lock, and its fast path (nobody waiting) is one
//! atomic load without the lock.

use std::collections::VecDeque;
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

/// Who was woken, and how many still wait: what the `wake` event reports.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Woken {
    pub(crate) handle: u64,
    pub(crate) waiting: usize,
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
    pub(crate) fn register(
        &self,
        key: &mut WaiterKey,
        handle: u64,
        waker: &Waker,
    ) -> Option<usize> {
        let mut inner = lock(&self.inner);
        if let Some(k) = *key {
            if let Some(entry) = inner.entries.iter_mut().find(|e| e.key == k) {
                if !entry.waker.will_wake(waker) {
                    entry.waker = waker.clone();
                }
                return None;
            }
        }
        // Not queued: new, or woken since (its entry was taken by `wake_one`).
        let k = inner.next_key;
        inner.next_key = k.wrapping_add(1);
        inner.entries.push_back(Entry {
            key: k,
            handle,
            waker: waker.clone(),
        });
        *key = Some(k);
        // SeqCst: must come before the caller's re-check of the ring.
        self.state.fetch_add(1, Ordering::SeqCst);
        Some(inner.entries.len())
    }

    /// Removes the future's entry, if it is still queued. Returns `false` if
    /// the entry was already taken by a wake: the future was notified.
    #[inline(always)]
    pub(crate) fn cancel(&self, key: &mut WaiterKey) -> bool {
        match key.take() {
            None => true,
            Some(k) => self.cancel_slow(k),
        }
    }

    #[cold]
    fn cancel_slow(&self, k: u64) -> bool {
        let mut inner = lock(&self.inner);
        match inner.entries.iter().position(|e| e.key == k) {
            Some(i) => {
                inner.entries.remove(i);
                self.state.fetch_sub(1, Ordering::SeqCst);
                true
            }
            None => false,
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
        entry.waker.wake();
        Some(Woken {
            handle: entry.handle,
            waiting,
        })
    }

    /// Wakes every parked future; `each` is called per woken one, after the
    /// lock is released.
    pub(crate) fn wake_all(&self, mut each: impl FnMut(Woken)) {
        if self.waiting() == 0 {
            return;
        }
        let entries = {
            let mut inner = lock(&self.inner);
            let entries = std::mem::take(&mut inner.entries);
            self.state.fetch_sub(entries.len(), Ordering::SeqCst);
            entries
        };
        let mut waiting = entries.len();
        for entry in entries {
            waiting -= 1;
            entry.waker.wake();
            each(Woken {
                handle: entry.handle,
                waiting,
            });
        }
    }
}
