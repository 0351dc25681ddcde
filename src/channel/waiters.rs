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

/// One parked future, and what it left in the queue (`V`: a parked send's
/// message, so that a receiver can hand it off; `()` elsewhere).
struct Entry<V> {
    /// Identifies the future's entry so a re-poll replaces it.
    key: u64,
    /// The parked handle's id, for the `wake` event.
    handle: u64,
    waker: Waker,
    value: V,
}

struct Inner<V> {
    /// Parked futures in arrival order; woken from the front.
    entries: VecDeque<Entry<V>>,
    /// Futures woken but not yet back (polled or dropped), by key, with
    /// what their entry held: `Some` to give back, `None` when a hand-off
    /// used it. Usually empty or one long.
    woken: Vec<(u64, Option<V>)>,
    next_key: u64,
}

impl<V> Inner<V> {
    /// Takes the woken record of `key`, if there is one.
    fn take_woken(&mut self, key: u64) -> Option<Option<V>> {
        let i = self.woken.iter().position(|(k, _)| *k == key)?;
        Some(self.woken.swap_remove(i).1)
    }
}

/// A FIFO of parked wakers behind a mutex, with an atomic mirror of its
/// length for the lock-free fast path.
pub(crate) struct WaiterQueue<V = ()> {
    /// Number of queued entries, plus [`CLOSED`]. Written under the lock with
    /// SeqCst, read without it.
    state: AtomicUsize,
    inner: Mutex<Inner<V>>,
}

/// What [`WaiterQueue::leave`] found.
pub(crate) enum Left<V = ()> {
    /// The future had not parked (no entry).
    NotParked,
    /// Its entry was still queued and is gone now: the handle, the queue's
    /// depth after, and what the entry held.
    Removed(Woken, V),
    /// A wake had already taken its entry: it was notified. `None` if a
    /// hand-off used what the entry held.
    Woken(Option<V>),
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

impl<V> WaiterQueue<V> {
    pub(crate) fn new() -> Self {
        Self {
            state: AtomicUsize::new(0),
            inner: Mutex::new(Inner {
                entries: VecDeque::new(),
                woken: Vec::new(),
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

    /// Parks a future that is not in the queue (`key` is `None`, or names a
    /// woken entry it now gives up): a new entry at the back holding
    /// `value`. Returns the queue depth after.
    ///
    /// No waker code runs under the lock: the clone is made before it is
    /// taken, and anything given up is dropped after it is released.
    pub(crate) fn park(&self, key: &mut WaiterKey, handle: u64, waker: &Waker, value: V) -> usize {
        let fresh = waker.clone();
        let (depth, _stale) = {
            let mut inner = lock(&self.inner);
            let stale = key.and_then(|k| inner.take_woken(k));
            let k = inner.next_key;
            inner.next_key = k.wrapping_add(1);
            inner.entries.push_back(Entry {
                key: k,
                handle,
                waker: fresh,
                value,
            });
            *key = Some(k);
            // SeqCst: must come before the caller's re-check of the ring.
            self.state.fetch_add(1, Ordering::SeqCst);
            (inner.entries.len(), stale)
        };
        depth
    }

    /// A parked future is polled again. Still queued: its waker is refreshed
    /// (if it changed), and `None` comes back. Woken since: it leaves (`key`
    /// becomes `None`) and gets what its entry held (`Some(None)` if a
    /// hand-off used it).
    pub(crate) fn poll_parked(&self, key: &mut WaiterKey, waker: &Waker) -> Option<Option<V>> {
        let k = (*key)?;
        // The clone (waker code) is made only if needed, and outside the lock.
        let mut fresh: Option<Waker> = None;
        loop {
            let stale;
            {
                let mut inner = lock(&self.inner);
                if let Some(entry) = inner.entries.iter_mut().find(|e| e.key == k) {
                    // `will_wake` compares pointers; it runs no waker code.
                    if entry.waker.will_wake(waker) {
                        return None;
                    }
                    match fresh.take() {
                        Some(f) => stale = std::mem::replace(&mut entry.waker, f),
                        None => {
                            drop(inner);
                            fresh = Some(waker.clone());
                            continue;
                        }
                    }
                } else {
                    let got = inner.take_woken(k);
                    drop(inner);
                    debug_assert!(got.is_some(), "a woken entry keeps its record");
                    *key = None;
                    return Some(got.flatten());
                }
            }
            drop(stale);
            return None;
        }
    }

    /// Removes the future's entry, if it is still queued, and says what
    /// there was to remove.
    #[inline(always)]
    pub(crate) fn leave(&self, key: &mut WaiterKey) -> Left<V> {
        match key.take() {
            None => Left::NotParked,
            Some(k) => self.cancel_slow(k),
        }
    }

    #[cold]
    fn cancel_slow(&self, k: u64) -> Left<V> {
        let mut inner = lock(&self.inner);
        let removed = inner
            .entries
            .iter()
            .position(|e| e.key == k)
            .and_then(|i| inner.entries.remove(i));
        match removed {
            Some(e) => {
                // SeqCst, like every write of `state`: read without the lock
                // by the other side's fast path (lost-wakeup protocol).
                self.state.fetch_sub(1, Ordering::SeqCst);
                let waiting = inner.entries.len();
                drop(inner);
                // The entry's waker is dropped here, after the lock is released.
                Left::Removed(
                    Woken {
                        handle: e.handle,
                        waiting,
                        ticket: e.key,
                    },
                    e.value,
                )
            }
            None => {
                let got = inner.take_woken(k);
                drop(inner);
                Left::Woken(got.flatten())
            }
        }
    }

    /// Wakes the longest-waiting future, if any; its entry's value waits for
    /// it in the woken list. The waker runs after the lock is released.
    #[cold]
    pub(crate) fn wake_one(&self) -> Option<Woken> {
        self.serve(Err::<(), V>, false).map(|(w, _)| w)
    }

    /// Offers the longest-waiting entry's value to `use_it`, under the lock
    /// (it must run no user code: a ring push). If `use_it` keeps the value
    /// (`Ok`), the entry is woken and its future will find its value used;
    /// if it gives the value back (`Err`), the entry stays first in line and
    /// nobody is woken. The waker runs after the lock is released.
    #[cold]
    pub(crate) fn hand_off_front<R>(
        &self,
        use_it: impl FnOnce(V) -> Result<R, V>,
    ) -> Option<(Woken, R)> {
        match self.serve(use_it, true) {
            Some((w, Some(r))) => Some((w, r)),
            _ => None,
        }
    }

    /// Takes the front entry and offers its value to `use_it`: used, the
    /// entry is woken without it; refused, it is woken with it, or, if
    /// `keep_if_refused`, put back first in line and not woken.
    fn serve<R>(
        &self,
        use_it: impl FnOnce(V) -> Result<R, V>,
        keep_if_refused: bool,
    ) -> Option<(Woken, Option<R>)> {
        if self.waiting() == 0 {
            return None;
        }
        let (waker, woken, used) = {
            let mut inner = lock(&self.inner);
            let entry = inner.entries.pop_front()?;
            let Entry {
                key,
                handle,
                waker,
                value,
            } = entry;
            let (kept, used) = match use_it(value) {
                Ok(r) => (None, Some(r)),
                Err(v) if keep_if_refused => {
                    inner.entries.push_front(Entry {
                        key,
                        handle,
                        waker,
                        value: v,
                    });
                    return None;
                }
                Err(v) => (Some(v), None),
            };
            inner.woken.push((key, kept));
            self.state.fetch_sub(1, Ordering::SeqCst);
            let woken = Woken {
                handle,
                waiting: inner.entries.len(),
                ticket: key,
            };
            (waker, woken, used)
        };
        waker.wake();
        Some((woken, used))
    }

    /// Wakes every parked future; `each` is called per woken one, after the
    /// lock is released. Their entries' values wait for them in the woken
    /// list. Every waker is woken even if some panic: the first panic is
    /// returned, for the caller to resume once its own state is consistent
    /// (see [`resume_panic`]).
    #[must_use = "a waker's panic must be resumed or deliberately dropped"]
    pub(crate) fn wake_all(&self, mut each: impl FnMut(Woken)) -> Option<Panic> {
        if self.waiting() == 0 {
            return None;
        }
        let wakers: Vec<(Waker, u64, u64)> = {
            let mut inner = lock(&self.inner);
            let entries = std::mem::take(&mut inner.entries);
            self.state.fetch_sub(entries.len(), Ordering::SeqCst);
            let mut wakers = Vec::with_capacity(entries.len());
            for e in entries {
                inner.woken.push((e.key, Some(e.value)));
                wakers.push((e.waker, e.handle, e.key));
            }
            wakers
        };
        let mut waiting = wakers.len();
        let mut first_panic = None;
        for (waker, handle, ticket) in wakers {
            waiting -= 1;
            let woken = Woken {
                handle,
                waiting,
                ticket,
            };
            // A waker that panics must not keep the rest of the batch asleep:
            // they are already off the queue, and nobody else would wake them.
            if let Err(panic) = catch_unwind(AssertUnwindSafe(|| waker.wake())) {
                first_panic.get_or_insert(panic);
            }
            each(woken);
        }
        first_panic
    }
}

impl WaiterQueue<()> {
    /// Parks `waker` for the future whose place is `key`, for queues whose
    /// entries hold nothing. A future already in the queue only refreshes
    /// its waker (so a queue never holds two entries for one future).
    /// Returns the queue depth if a new entry was added, `None` if an
    /// existing one was refreshed.
    ///
    /// No waker code runs under the lock (see [`WaiterQueue::park`]).
    pub(crate) fn register(
        &self,
        key: &mut WaiterKey,
        handle: u64,
        waker: &Waker,
    ) -> Option<usize> {
        if key.is_some() && self.poll_parked(key, waker).is_none() {
            return None;
        }
        Some(self.park(key, handle, waker, ()))
    }

    /// Removes the future's entry, if it is still queued. Returns `false` if
    /// the entry was already taken by a wake: the future was notified.
    #[inline(always)]
    pub(crate) fn cancel(&self, key: &mut WaiterKey) -> bool {
        !matches!(self.leave(key), Left::Woken(_))
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
