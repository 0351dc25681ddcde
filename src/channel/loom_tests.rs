//! loom models of the channel's concurrency core: every interleaving (up to
//! `LOOM_MAX_PREEMPTIONS` preemptions) of a few small scenarios.
//!
//! Run with
//! `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release --no-default-features --target-dir target/loom --lib -- loom`.
//! Under `--cfg loom` the channel's atomics, mutexes and cells are loom's
//! (see `sync.rs`), so these models check the real code.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc as StdArc;
use std::task::{Context, Wake, Waker};

use loom::future::block_on;
use loom::thread;

use super::{bounded, RecvError, TryRecvError};

/// A waker that only records that it was woken: for futures polled by
/// hand, whose wakeups the model checks through another thread instead.
/// (A `std` atomic: it is only read on the thread that polls.)
#[derive(Default)]
struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: StdArc<Self>) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Polls `fut` until it parks in its waiter queue. A future may first yield
/// to its executor a few times (it wakes itself during the poll and returns
/// `Pending`); a parked one returns `Pending` without waking.
fn park<F: Future + Unpin>(fut: &mut F) {
    for _ in 0..64 {
        let flag = StdArc::new(Flag::default());
        let waker = Waker::from(flag.clone());
        let poll = Pin::new(&mut *fut).poll(&mut Context::from_waker(&waker));
        assert!(poll.is_pending(), "the future completed instead of parking");
        if !flag.0.load(Ordering::Relaxed) {
            return;
        }
    }
    panic!("the future never parked");
}

/// A push and a pop racing on a ring that never fills: the receiver gets
/// both messages, in order, whichever runs first.
#[test]
fn loom_push_and_pop_racing() {
    loom::model(|| {
        let (tx, rx) = bounded::<u32>(2);
        let producer = thread::spawn(move || {
            tx.try_send(1).unwrap();
            tx.try_send(2).unwrap();
        });
        let first = block_on(rx.recv());
        let second = block_on(rx.recv());
        producer.join().unwrap();
        assert_eq!((first, second), (Ok(1), Ok(2)));
        // The sender is gone and the ring is drained.
        assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    });
}

/// A full ring (capacity 1) with a sender that has to park, and a pop that
/// must wake it: no lost wakeup, and the parked value arrives after the
/// buffered one.
#[test]
fn loom_full_ring_parked_sender_woken_by_pop() {
    loom::model(|| {
        let (tx, rx) = bounded::<u32>(1);
        tx.try_send(1).unwrap();
        let producer = thread::spawn(move || {
            block_on(tx.send(2)).unwrap();
        });
        assert_eq!(block_on(rx.recv()), Ok(1));
        assert_eq!(block_on(rx.recv()), Ok(2));
        producer.join().unwrap();
    });
}

/// A close racing a receiver that parks on an empty ring: the receiver
/// wakes, gets the message sent before the close, then `RecvError`.
#[test]
fn loom_close_racing_parked_receiver() {
    loom::model(|| {
        let (tx, rx) = bounded::<u32>(1);
        let consumer = thread::spawn(move || {
            let first = block_on(rx.recv());
            let second = block_on(rx.recv());
            (first, second)
        });
        tx.try_send(7).unwrap();
        let closing = tx.close();
        let (first, second) = consumer.join().unwrap();
        assert_eq!(first, Ok(7));
        assert_eq!(second, Err(RecvError));
        assert!(closing.is_closed());
    });
}

/// The last sender dropped while a receiver parks: it must wake with
/// `RecvError` (the drop path closes the channel like `close` does).
#[test]
fn loom_last_sender_drop_racing_parked_receiver() {
    loom::model(|| {
        let (tx, rx) = bounded::<u32>(1);
        let consumer = thread::spawn(move || block_on(rx.recv()));
        drop(tx);
        assert_eq!(consumer.join().unwrap(), Err(RecvError));
    });
}

/// A receiver parks, a message arrives and may wake it, and it is dropped
/// before it is polled again. Its wakeup must be passed on: the other
/// receiver, blocked on another thread, still gets the message.
#[test]
fn loom_woken_receiver_dropped_before_poll_passes_wakeup_on() {
    loom::model(|| {
        let (tx, rx) = bounded::<u32>(1);
        let rx_b = rx.clone();
        let other = thread::spawn(move || block_on(rx_b.recv()));
        let mut parked = rx.recv();
        park(&mut parked); // nothing was sent yet
        tx.try_send(5).unwrap();
        // Dropped without another poll, whether or not it was the one woken.
        drop(parked);
        assert_eq!(other.join().unwrap(), Ok(5));
        drop(tx);
    });
}

/// A parked sender is dropped while the receiver drops: nothing leaks, and
/// the buffered value is dropped exactly once (loom checks the `Arc`s and
/// cells; the counter checks the value).
#[test]
fn loom_receiver_drop_racing_parked_sender_gives_value_back() {
    loom::model(|| {
        let (tx, rx) = bounded::<u32>(1);
        tx.try_send(1).unwrap();
        let producer = thread::spawn(move || block_on(tx.send(2)));
        drop(rx);
        let result = producer.join().unwrap();
        assert_eq!(result.map_err(|e| e.into_inner()), Err(2));
    });
}

/// Two senders parked on a full ring; a pop wakes one of them, which is
/// dropped before it is polled. Its wakeup must go to the other sender,
/// which then delivers (a woken `SendFuture` passes its wakeup on too).
#[test]
fn loom_woken_sender_dropped_before_poll_passes_wakeup_on() {
    loom::model(|| {
        let (tx, rx) = bounded::<u32>(1);
        tx.try_send(1).unwrap();
        let tx_b = tx.clone();
        let other = thread::spawn(move || block_on(tx_b.send(3)));
        let mut parked = tx.send(2);
        park(&mut parked); // the ring is full
        assert_eq!(rx.try_recv(), Ok(1));
        // Dropped without another poll; the value 2 was never pushed.
        drop(parked);
        assert_eq!(other.join().unwrap(), Ok(()));
        assert_eq!(rx.try_recv(), Ok(3));
    });
}

/// A closing sender waits for the drain while a receiver takes the last
/// message: `drained()` must resolve (no lost drain notification).
#[test]
fn loom_drained_resolves_when_the_last_message_is_taken() {
    loom::model(|| {
        let (tx, rx) = bounded::<u32>(1);
        tx.try_send(1).unwrap();
        let closing = tx.close();
        let consumer = thread::spawn(move || {
            let got = block_on(rx.recv());
            (got, rx)
        });
        let closed = block_on(closing.drained());
        let (got, rx) = consumer.join().unwrap();
        assert_eq!(got, Ok(1));
        assert!(closed.is_empty());
        assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    });
}
