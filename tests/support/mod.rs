//! Helpers shared by the channel tests: wakers that count or hook, hand
//! polling, and values that count their drops. Each test crate includes this
//! with `mod support;` and uses what it needs.
#![allow(dead_code)]

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Wake, Waker};
use std::thread::JoinHandle;
use std::time::Duration;

use chanviz::channel::{bounded, Receiver, Sender};
use futures::executor::block_on;

/// A waker that counts how often it was woken.
#[derive(Default)]
pub struct CountingWaker(AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

pub fn counting_waker() -> (Arc<CountingWaker>, Waker) {
    let counter = Arc::new(CountingWaker::default());
    let waker = Waker::from(counter.clone());
    (counter, waker)
}

pub fn wakes(counter: &CountingWaker) -> usize {
    counter.0.load(Ordering::SeqCst)
}

/// Polls a future once with the given waker.
pub fn poll_once<F: Future + Unpin>(fut: &mut F, waker: &Waker) -> Poll<F::Output> {
    Pin::new(fut).poll(&mut Context::from_waker(waker))
}

/// Polls `fut` until it parks in its waiter queue, and returns the waker it
/// parked with. A future may first yield to its executor a few times (it
/// wakes its own waker during the poll and returns `Pending`); a parked one
/// returns `Pending` without waking.
pub fn park<F>(fut: &mut F) -> (Arc<CountingWaker>, Waker)
where
    F: Future + Unpin,
    F::Output: std::fmt::Debug,
{
    for _ in 0..1_000 {
        let (counter, waker) = counting_waker();
        match poll_once(fut, &waker) {
            Poll::Pending if wakes(&counter) == 0 => return (counter, waker),
            Poll::Pending => continue,
            Poll::Ready(out) => panic!("expected the future to park; it completed with {out:?}"),
        }
    }
    panic!("the future never parked");
}

/// Polls `fut` with `waker` until it parks (a poll that returns `Pending`
/// without a new wake, as `woken` counts them). Unlike [`park`], the waker
/// it parked with has counted the yields before.
pub fn park_on<F>(fut: &mut F, waker: &Waker, woken: impl Fn() -> usize)
where
    F: Future + Unpin,
    F::Output: std::fmt::Debug,
{
    for _ in 0..1_000 {
        let before = woken();
        match poll_once(fut, waker) {
            Poll::Pending if woken() == before => return,
            Poll::Pending => continue,
            Poll::Ready(out) => panic!("expected the future to park; it completed with {out:?}"),
        }
    }
    panic!("the future never parked");
}

/// A value that records every drop of every id, to catch double drops and leaks.
pub struct Tracked {
    pub id: usize,
    pub drops: Arc<Mutex<Vec<u32>>>,
}

impl Drop for Tracked {
    fn drop(&mut self) {
        // Poison-tolerant: a failed assertion may hold the lock while values drop.
        self.drops.lock().unwrap_or_else(|e| e.into_inner())[self.id] += 1;
    }
}

impl Tracked {
    pub fn new(id: usize, drops: &Arc<Mutex<Vec<u32>>>) -> Self {
        Tracked {
            id,
            drops: drops.clone(),
        }
    }
}

pub fn drop_table(n: usize) -> Arc<Mutex<Vec<u32>>> {
    Arc::new(Mutex::new(vec![0; n]))
}

/// A channel of `capacity` that already holds `values` (sent with `try_send`).
pub fn channel_holding(
    capacity: usize,
    values: impl IntoIterator<Item = u32>,
) -> (Sender<u32>, Receiver<u32>) {
    let (tx, rx) = bounded::<u32>(capacity);
    for v in values {
        tx.try_send(v).unwrap();
    }
    (tx, rx)
}

/// Spawns a thread that sends each of `values` in order with `send().await`
/// (under `block_on`), unwrapping each result, then drops `tx`.
pub fn spawn_sender<T: Send + 'static>(
    tx: Sender<T>,
    values: impl Iterator<Item = T> + Send + 'static,
) -> JoinHandle<()> {
    std::thread::spawn(move || {
        block_on(async {
            for v in values {
                tx.send(v).await.unwrap();
            }
        })
    })
}

/// The `Ok` of a `try_finish` (handles need not be `Debug`).
pub fn finished<T, E>(r: Result<T, E>) -> T {
    match r {
        Ok(t) => t,
        Err(_) => panic!("try_finish failed although the buffer is drained"),
    }
}

/// The `Err` of a `try_finish`: the handle given back while messages remain.
pub fn still_closing<T, E>(r: Result<T, E>) -> E {
    match r {
        Ok(_) => panic!("try_finish succeeded although messages are buffered"),
        Err(e) => e,
    }
}

/// Runs `f` on its own thread and fails the test if it has not finished
/// within `limit`: a deadlock becomes a failure instead of a hung test run.
/// A panic inside `f` is passed on.
pub fn within<R: Send + 'static>(
    limit: Duration,
    what: &str,
    f: impl FnOnce() -> R + Send + 'static,
) -> R {
    let (done_tx, done_rx) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        let r = f();
        let _ = done_tx.send(());
        r
    });
    match done_rx.recv_timeout(limit) {
        Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => match worker.join() {
            Ok(r) => r,
            Err(panic) => std::panic::resume_unwind(panic),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("{what}: did not finish within {limit:?} (deadlock or lost wakeup)")
        }
    }
}

// ----- a waker whose clone runs a hook -------------------------------------

thread_local! {
    static ON_CLONE: RefCell<Option<Box<dyn FnOnce()>>> = const { RefCell::new(None) };
}

/// Arms a hook that runs (once, on this thread) the next time a
/// [`hook_waker`] is cloned.
pub fn on_next_clone(hook: impl FnOnce() + 'static) {
    ON_CLONE.with(|h| *h.borrow_mut() = Some(Box::new(hook)));
}

/// A counting waker whose `clone` first runs the hook armed with
/// [`on_next_clone`], if any. Clones count into the same counter.
pub fn hook_waker() -> (&'static CountingWaker, Waker) {
    let counter: &'static CountingWaker = Box::leak(Box::default());
    let raw = RawWaker::new(counter as *const CountingWaker as *const (), &HOOK_VTABLE);
    // SAFETY: HOOK_VTABLE's functions treat the data pointer as a
    // `&'static CountingWaker` (leaked above), which is Send + Sync.
    (counter, unsafe { Waker::from_raw(raw) })
}

static HOOK_VTABLE: RawWakerVTable =
    RawWakerVTable::new(hook_clone, hook_wake, hook_wake, hook_drop);

unsafe fn hook_clone(data: *const ()) -> RawWaker {
    if let Some(hook) = ON_CLONE.with(|h| h.borrow_mut().take()) {
        hook();
    }
    RawWaker::new(data, &HOOK_VTABLE)
}

unsafe fn hook_wake(data: *const ()) {
    // SAFETY: `data` is the leaked `&'static CountingWaker` of `hook_waker`.
    let counter = unsafe { &*(data as *const CountingWaker) };
    counter.0.fetch_add(1, Ordering::SeqCst);
}

unsafe fn hook_drop(_: *const ()) {}
