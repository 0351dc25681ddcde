//! The wakeup protocol's hard cases, each pinned down deterministically:
//! waker code that re-enters the channel, wakers and values that panic, a
//! woken future that leaves nothing for others, and what happens to buffered
//! values when the last receiver goes. (A future that completes on its
//! retry after a wake chose it: `channel_retry_wakeups.rs`.)
#![cfg(not(loom))]

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Poll, Wake, Waker};
use std::time::Duration;

use chanviz::channel::{bounded, Receiver, RecvFuture, SendFuture, Sender, TryRecvError};
use futures::Stream;

mod support;
use support::{
    counting_waker, drop_table, finished, hook_waker, on_next_clone, park, park_on, poll_once,
    wakes, within, Tracked,
};

fn leak<T>(t: T) -> &'static T {
    Box::leak(Box::new(t))
}

#[test]
fn woken_receiver_that_takes_the_only_message_wakes_no_one_else() {
    let (tx, rx) = bounded::<u32>(4);
    let rx2 = rx.clone();
    let mut a = rx.recv();
    let mut b = rx2.recv();
    let (_, wa) = park(&mut a);
    let (cb, _) = park(&mut b);
    tx.try_send(1).unwrap(); // wakes A, the front
    assert_eq!(poll_once(&mut a, &wa), Poll::Ready(Ok(1)));
    assert_eq!(wakes(&cb), 0, "nothing is buffered: B stays parked");
    assert_eq!(rx.waiting_receivers(), 1);
}

// ----- bug 2: waker code must not run under a queue's lock -------------------

/// A waker that counts its wakes and runs `on_drop` when its last clone
/// goes away.
struct DropHook {
    wakes: AtomicUsize,
    on_drop: Mutex<Option<Box<dyn FnOnce() + Send>>>,
}

impl Wake for DropHook {
    fn wake(self: Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
    }
}

impl Drop for DropHook {
    fn drop(&mut self) {
        if let Some(f) = self.on_drop.lock().unwrap().take() {
            f();
        }
    }
}

type Parked = Arc<Mutex<Option<SendFuture<'static, u32>>>>;

/// A full channel of capacity 1 with one send parked on it (held in the
/// returned slot, so that a waker can drop it later).
fn full_channel_with_a_parked_send() -> (&'static Sender<u32>, Receiver<u32>, Parked) {
    let (tx, rx) = bounded::<u32>(1);
    let tx: &'static Sender<u32> = leak(tx);
    tx.try_send(0).unwrap();
    let mut other = tx.send(2);
    park(&mut other);
    (tx, rx, Arc::new(Mutex::new(Some(other))))
}

/// Parks `fut` with a waker whose last drop drops the parked send in
/// `other`, and lets go of every clone but the one in the queue.
fn park_with_dropping_waker(fut: &mut SendFuture<'static, u32>, other: &Parked) {
    let other = other.clone();
    let hook = Arc::new(DropHook {
        wakes: AtomicUsize::new(0),
        on_drop: Mutex::new(Some(Box::new(move || {
            // Dropping a parked future takes its queue's lock.
            drop(other.lock().unwrap().take());
        }))),
    });
    let waker = Waker::from(hook.clone());
    park_on(fut, &waker, || hook.wakes.load(Ordering::SeqCst));
}

/// Runs `f` within a time limit (a deadlock fails as `what`), on a full
/// channel of capacity 1 with one send parked in `other` (see
/// [`full_channel_with_a_parked_send`]) and a send of 1, `fut`, not yet polled.
fn reentrant_case(
    what: &'static str,
    f: impl FnOnce(&'static Sender<u32>, Receiver<u32>, Parked, SendFuture<'static, u32>)
        + Send
        + 'static,
) {
    within(Duration::from_secs(20), what, || {
        let (tx, rx, other) = full_channel_with_a_parked_send();
        let fut = tx.send(1);
        f(tx, rx, other, fut);
    });
}

/// Re-polling a parked future with a new waker drops the old one. If that
/// drop drops another parked future of the same channel (an executor whose
/// task queue is gone does this), the queue's lock must not be held.
#[test]
fn dropping_a_replaced_waker_may_reenter_the_channel() {
    reentrant_case(
        "re-register with a re-entrant waker",
        |tx, rx, other, mut fut| {
            park_with_dropping_waker(&mut fut, &other);
            assert_eq!(tx.waiting_senders(), 2);
            // A new waker replaces the old, whose drop drops the other future.
            assert!(poll_once(&mut fut, &counting_waker().1).is_pending());
            assert!(other.lock().unwrap().is_none(), "the old waker was dropped");
            assert_eq!(tx.waiting_senders(), 1, "only `fut` is still parked");
            assert_eq!(rx.try_recv(), Ok(0));
            drop(fut);
        },
    );
}

/// A parked future dropped (cancelled): its entry's waker is dropped, and
/// that drop may drop another future of the same channel.
#[test]
fn dropping_a_cancelled_entrys_waker_may_reenter_the_channel() {
    reentrant_case(
        "cancel with a re-entrant waker",
        |tx, rx, other, mut fut| {
            park_with_dropping_waker(&mut fut, &other);
            drop(fut);
            assert!(other.lock().unwrap().is_none(), "the waker was dropped");
            assert_eq!(tx.waiting_senders(), 0);
            assert_eq!(rx.try_recv(), Ok(0));
        },
    );
}

/// Registering clones the waker; a clone that re-enters the channel (here:
/// drops another parked future) must not find the queue locked.
#[test]
fn cloning_a_waker_may_reenter_the_channel() {
    reentrant_case(
        "register with a re-entrant clone",
        |tx, rx, other, mut fut| {
            let (counter, waker) = hook_waker();
            let hook_other = other.clone();
            on_next_clone(move || drop(hook_other.lock().unwrap().take()));
            park_on(&mut fut, &waker, || wakes(counter));
            assert!(other.lock().unwrap().is_none(), "the clone hook ran");
            assert_eq!(tx.waiting_senders(), 1);
            assert_eq!(rx.try_recv(), Ok(0));
            assert!(wakes(counter) >= 1, "the pop woke `fut`");
            assert_eq!(
                poll_once(&mut fut, &counting_waker().1),
                Poll::Ready(Ok(()))
            );
        },
    );
}

// ----- bug 3: a panicking waker during close ----------------------------------

/// A waker that panics when woken by value (as a queue wakes it), and only
/// counts a `wake_by_ref` (as a future yielding to its executor uses it).
#[derive(Default)]
struct PanickingWaker(AtomicUsize);

impl Wake for PanickingWaker {
    fn wake(self: Arc<Self>) {
        panic!("this waker panics");
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Parks `fut` with a [`PanickingWaker`].
fn park_panicking<F>(fut: &mut F)
where
    F: std::future::Future + Unpin,
    F::Output: std::fmt::Debug,
{
    let w = Arc::new(PanickingWaker::default());
    park_on(fut, &Waker::from(w.clone()), || w.0.load(Ordering::SeqCst));
}

/// B, parked behind A's panicking waker, was woken once all the same, and
/// gets `RecvError` when polled.
fn assert_woken_once_then_closed(counter_b: &support::CountingWaker, b: &mut RecvFuture<'_, u32>) {
    assert_eq!(
        wakes(counter_b),
        1,
        "B is woken although A's waker panicked"
    );
    assert_eq!(
        poll_once(b, &counting_waker().1),
        Poll::Ready(Err(chanviz::channel::RecvError))
    );
}

/// A waker that panics when `close()` wakes it must not strand the other
/// parked futures, nor leave the channel's lifecycle short of `closed`.
#[test]
fn a_panicking_waker_during_close_strands_no_one() {
    let (tx, rx) = bounded::<u32>(2);
    let rx_b = rx.clone();
    let tx_keep = tx.clone();
    let mut a = rx.recv();
    let mut b = rx_b.recv();
    park_panicking(&mut a);
    let (counter_b, _) = park(&mut b);
    // The panicking waker is first in the queue.
    let closed = catch_unwind(AssertUnwindSafe(|| tx.close()));
    assert!(
        closed.is_err(),
        "the waker's panic is passed on to the caller"
    );
    assert_eq!(rx_b.waiting_receivers(), 0);
    assert!(tx_keep.is_closed());
    assert_woken_once_then_closed(&counter_b, &mut b);
    drop((a, b));
    // Nothing was buffered: the lifecycle reached `closed` despite the panic.
    let rx_b = finished(rx_b.close().try_finish());
    assert_eq!(rx_b.state(), "Closed");
}

/// The same through `Drop`: the last sender's drop closes the channel, and
/// a panicking waker does not stop the close from completing.
#[test]
fn a_panicking_waker_woken_by_the_last_senders_drop_strands_no_one() {
    let (tx, rx) = bounded::<u32>(2);
    let rx_b = rx.clone();
    let mut a = rx.recv();
    let mut b = rx_b.recv();
    park_panicking(&mut a);
    let (counter_b, _) = park(&mut b);
    let dropped = catch_unwind(AssertUnwindSafe(|| drop(tx)));
    assert!(dropped.is_err());
    assert_woken_once_then_closed(&counter_b, &mut b);
    drop((a, b));
    let rx = finished(rx.close().try_finish());
    assert_eq!(rx.state(), "Closed");
}

// ----- values whose drop panics, and values left when receivers go ------------

/// A value whose drop panics if its flag says so; every drop is counted.
struct Bomb {
    armed: bool,
    drops: Arc<AtomicUsize>,
}

/// A channel of capacity 4 holding one [`Bomb`] per flag, and their drop count.
fn bombs(armed: &[bool]) -> (Sender<Bomb>, Receiver<Bomb>, Arc<AtomicUsize>) {
    let drops = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = bounded::<Bomb>(4);
    for &armed in armed {
        tx.try_send(Bomb {
            armed,
            drops: drops.clone(),
        })
        .ok()
        .unwrap();
    }
    (tx, rx, drops)
}

impl Drop for Bomb {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
        if self.armed {
            panic!("a value whose drop panics");
        }
    }
}

/// When the last receiver goes, buffered values are dropped at once (not
/// when the last sender goes): a message that carries a reply handle would
/// otherwise keep its requester waiting.
#[test]
fn buffered_values_are_dropped_when_the_last_receiver_goes() {
    let drops = drop_table(3);
    let (tx, rx) = bounded::<Tracked>(4);
    for id in 0..3 {
        tx.try_send(Tracked::new(id, &drops)).ok().unwrap();
    }
    let rx2 = rx.clone();
    drop(rx);
    assert_eq!(
        *drops.lock().unwrap(),
        vec![0, 0, 0],
        "another receiver can still take them"
    );
    drop(rx2);
    assert_eq!(
        *drops.lock().unwrap(),
        vec![1, 1, 1],
        "dropped with the last receiver"
    );
    assert!(tx.is_empty());
    drop(tx);
    assert_eq!(*drops.lock().unwrap(), vec![1, 1, 1], "and never twice");
}

/// A value whose drop panics, dropped by the last receiver: the panic comes
/// out of the receiver's drop, no value is dropped twice, and the rest are
/// dropped with the channel.
#[test]
fn a_panicking_value_drop_loses_or_doubles_nothing() {
    let (tx, rx, drops) = bombs(&[true, false, false]);
    assert!(catch_unwind(AssertUnwindSafe(|| drop(rx))).is_err());
    assert!(tx.is_closed());
    drop(tx);
    assert_eq!(
        drops.load(Ordering::SeqCst),
        3,
        "each value dropped exactly once"
    );
}

/// Values still buffered when the channel itself goes away (the last
/// receiver's drop was cut short by a panicking value): one more panicking
/// drop does not keep the values after it from being dropped.
#[test]
fn a_panicking_value_drop_in_the_ring_drops_the_rest() {
    let (tx, rx, drops) = bombs(&[true, true, false, false]);
    assert!(catch_unwind(AssertUnwindSafe(|| drop(rx))).is_err());
    assert_eq!(
        drops.load(Ordering::SeqCst),
        1,
        "the receiver's drop stopped at the first"
    );
    // The ring goes with the last sender; its second value panics too.
    assert!(catch_unwind(AssertUnwindSafe(|| drop(tx))).is_err());
    assert_eq!(
        drops.load(Ordering::SeqCst),
        4,
        "each value dropped exactly once"
    );
}

// ----- small ones -------------------------------------------------------------

/// With cloned receivers, the buffered count is no lower bound on what one
/// stream yields: another receiver may take it all.
#[test]
fn stream_size_hint_claims_no_lower_bound() {
    let (tx, rx) = bounded::<u32>(4);
    tx.try_send(1).unwrap();
    tx.try_send(2).unwrap();
    let rx2 = rx.clone();
    assert_eq!(rx.size_hint(), (0, None));
    assert_eq!(rx2.try_recv(), Ok(1));
    assert_eq!(rx2.try_recv(), Ok(2));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
}
