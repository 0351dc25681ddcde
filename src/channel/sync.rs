//! The synchronisation primitives the channel is built on: `std`'s normally,
//! loom's under `--cfg loom`, so the loom models check the real code.

#[cfg(loom)]
pub(crate) use loom::sync::{
    atomic::{fence, AtomicU8, AtomicUsize, Ordering},
    Arc, Mutex, MutexGuard,
};

#[cfg(not(loom))]
pub(crate) use std::sync::{
    atomic::{fence, AtomicU8, AtomicUsize, Ordering},
    Arc, Mutex, MutexGuard,
};

/// A SeqCst fence under loom, nothing otherwise.
///
/// The parking protocol (see `chan.rs`) relies on a SeqCst read-modify-write
/// followed by a SeqCst load of *another* atomic, on both sides: in the
/// single total order of SeqCst operations, one side must see the other.
/// loom does not model that total order for loads and RMWs (it treats them
/// as AcqRel; only `fence(SeqCst)` is modelled), so without help it reports
/// lost wakeups that cannot happen. This fence, placed between the RMW and
/// the load, gives loom the ordering that SeqCst accesses already guarantee
/// on real hardware and in the C++20 model, at no cost outside loom.
#[inline(always)]
pub(crate) fn loom_seqcst_fence() {
    #[cfg(loom)]
    fence(Ordering::SeqCst);
}

/// Locks `mutex`, ignoring poisoning: the data behind our mutexes (waiter
/// queues) stays consistent even if a waker panicked while we held it.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

#[cfg(loom)]
pub(crate) use loom::cell::UnsafeCell;

/// `std::cell::UnsafeCell` with loom's closure-based API, so the same code
/// compiles against both.
#[cfg(not(loom))]
#[derive(Debug)]
pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

#[cfg(not(loom))]
impl<T> UnsafeCell<T> {
    pub(crate) fn new(value: T) -> Self {
        Self(std::cell::UnsafeCell::new(value))
    }

    #[inline(always)]
    pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}

/// Exponential backoff for the short windows in which another thread is
/// between reserving a slot and stamping it. Under loom every back-off is
/// a yield, so that the model lets the other thread run.
pub(crate) struct Backoff {
    inner: crossbeam_utils::Backoff,
}

impl Backoff {
    #[inline]
    pub(crate) fn new() -> Self {
        Self {
            inner: crossbeam_utils::Backoff::new(),
        }
    }

    /// Back off in a lock-free loop (another thread won a CAS).
    #[inline]
    pub(crate) fn spin(&self) {
        self.wait(crossbeam_utils::Backoff::spin);
    }

    /// Wait for another thread to finish what it started (stamp a slot).
    #[inline]
    pub(crate) fn snooze(&self) {
        self.wait(crossbeam_utils::Backoff::snooze);
    }

    #[inline(always)]
    fn wait(&self, how: fn(&crossbeam_utils::Backoff)) {
        #[cfg(not(loom))]
        how(&self.inner);
        #[cfg(loom)]
        {
            let _ = (how, &self.inner);
            loom::thread::yield_now();
        }
    }
}
