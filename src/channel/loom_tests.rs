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

/// Two senders parked on a full ring; a pop hands the first one's message
/// off into the ring and wakes it, and one of them is dropped before it is
/// polled again. A dropped send whose message was handed off has been sent;
/// one still parked takes its message with it. Either way the other sender
/// is served by the next pop: nothing is stranded, nothing comes twice.
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
        // Dropped without another poll.
        drop(parked);
        let first = block_on(rx.recv());
        if first == Ok(2) {
            // The pop handed 2 off before the drop; the next pop serves 3.
            assert_eq!(block_on(rx.recv()), Ok(3));
        } else {
            // 3 parked first and was handed off; 2 left with its future.
            assert_eq!(first, Ok(3));
        }
        assert_eq!(other.join().unwrap(), Ok(()));
        assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
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

/// Runs `f` under loom with a larger preemption bound: some races need
/// three preemptions to show (two threads each stopped mid-poll, and a
/// third that acts in between).
fn model_deep(f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    let bound = std::env::var("LOOM_MAX_PREEMPTIONS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(2);
    builder.preemption_bound = Some(bound.max(4));
    // Three threads that each retry and park make long paths.
    builder.max_branches = 20_000;
    builder.check(f);
}

/// A waker for a future polled by hand: a wake is a loom `Notify` (which
/// remembers a wake that comes before the wait), and `during_poll` says
/// whether a wake came while the future was being polled (it yielded).
struct Wakeup {
    notify: loom::sync::Notify,
    during_poll: AtomicBool,
}

impl Wake for Wakeup {
    fn wake(self: StdArc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &StdArc<Self>) {
        self.during_poll.store(true, Ordering::SeqCst);
        self.notify.notify();
    }
}

/// A future polled by hand: parked first, completed later only if a wake
/// comes (unlike `block_on`, which always polls once more, and so would
/// hide a lost wakeup).
struct HandPolled<F> {
    fut: F,
    wakeup: StdArc<Wakeup>,
    waker: Waker,
}

impl<F: Future + Unpin> HandPolled<F> {
    fn new(fut: F) -> Self {
        let wakeup = StdArc::new(Wakeup {
            notify: loom::sync::Notify::new(),
            during_poll: AtomicBool::new(false),
        });
        let waker = Waker::from(wakeup.clone());
        Self { fut, wakeup, waker }
    }

    fn poll(&mut self) -> std::task::Poll<F::Output> {
        Pin::new(&mut self.fut).poll(&mut Context::from_waker(&self.waker))
    }

    /// Polls until the future parks (`None`) or completes.
    fn park_or_finish(&mut self) -> Option<F::Output> {
        loop {
            self.wakeup.during_poll.store(false, Ordering::SeqCst);
            match self.poll() {
                std::task::Poll::Ready(out) => return Some(out),
                // Woken during the poll (it yielded): take that wake, poll again.
                std::task::Poll::Pending if self.wakeup.during_poll.load(Ordering::SeqCst) => {
                    self.wakeup.notify.wait();
                }
                std::task::Poll::Pending => return None,
            }
        }
    }

    /// Waits for a wake before each poll, until the future completes. A
    /// wake that never comes is a deadlock, which loom reports.
    fn finish(&mut self) -> F::Output {
        loop {
            self.wakeup.notify.wait();
            if let std::task::Poll::Ready(out) = self.poll() {
                return out;
            }
        }
    }
}

/// Two receivers. R1 (a thread) may find the ring empty, miss a push that
/// wakes nobody because R1 has not parked yet, park, and take that message
/// on its retry. If R3 parks behind it before R1's poll returns, and a second
/// push's wake picks R1, R1 must pass that wake on, or R3 sleeps beside a
/// buffered message. The sender stays alive: no close rescues R3.
#[test]
fn loom_two_receivers_first_completes_on_its_retry() {
    model_deep(|| {
        let (tx, rx) = bounded::<u32>(2);
        let rx3 = rx.clone();
        let first = thread::spawn(move || block_on(rx.recv()).unwrap());
        tx.try_send(1).unwrap();
        let mut r3 = HandPolled::new(rx3.recv());
        let early = r3.park_or_finish();
        tx.try_send(2).unwrap();
        let b = match early {
            Some(got) => got,
            None => r3.finish(),
        }
        .unwrap();
        let a = first.join().unwrap();
        let mut got = [a, b];
        got.sort_unstable();
        assert_eq!(got, [1, 2]);
        drop(tx);
    });
}

/// The mirror image: S1 (a thread) may find the ring full, miss the pop
/// that makes room, park, and fill that room on its retry; S3 parks behind
/// it, and a second pop's wake picks S1. S3 must still be woken.
#[test]
fn loom_two_senders_first_completes_on_its_retry() {
    model_deep(|| {
        let (tx, rx) = bounded::<u32>(1);
        tx.try_send(0).unwrap();
        let tx3 = tx.clone();
        let first = thread::spawn(move || block_on(tx.send(1)).unwrap());
        assert_eq!(rx.try_recv(), Ok(0));
        let mut s3 = HandPolled::new(tx3.send(3));
        let early = s3.park_or_finish();
        // Whoever got in first, one value is buffered (or about to be).
        let popped = loop {
            if let Ok(v) = rx.try_recv() {
                break v;
            }
            thread::yield_now();
        };
        match early {
            Some(done) => done.unwrap(),
            None => s3.finish().unwrap(),
        }
        first.join().unwrap();
        let mut got = [popped, rx.try_recv().unwrap()];
        got.sort_unstable();
        assert_eq!(got, [1, 3]);
    });
}

/// A close racing the last receiver's drop: whichever comes first, the
/// lifecycle reaches `closed` (the closing sender can finish), and the
/// buffered value is dropped by the receiver's drop.
#[test]
fn loom_close_racing_the_last_receivers_drop() {
    loom::model(|| {
        let (tx, rx) = bounded::<u32>(1);
        tx.try_send(1).unwrap();
        let dropper = thread::spawn(move || drop(rx));
        let closing = tx.close();
        dropper.join().unwrap();
        assert!(closing.is_empty());
        assert!(closing.try_finish().is_ok(), "the lifecycle reached closed");
    });
}

/// A sender's close racing a receiver's close: exactly one of them closes
/// the channel, nothing buffered is lost, and both handles reach `Closed`.
#[test]
fn loom_sender_close_racing_receiver_close() {
    loom::model(|| {
        let (tx, rx) = bounded::<u32>(1);
        tx.try_send(1).unwrap();
        let receiver = thread::spawn(move || {
            let closing = rx.close();
            let got: Vec<u32> = closing.drain().collect();
            let closed = block_on(closing.drained());
            (got, closed.state())
        });
        let closing = tx.close();
        let closed = block_on(closing.drained());
        let (got, state) = receiver.join().unwrap();
        assert_eq!(got, [1]);
        assert_eq!((closed.state(), state), ("Closed", "Closed"));
    });
}

/// The last pop racing the close while a closing sender waits for the
/// drain: `drained()` must resolve whichever notices the drain (the pop's
/// slow path, or the close's own check of the ring).
#[test]
fn loom_pop_racing_close_while_drained_waits() {
    model_deep(|| {
        let (tx, rx) = bounded::<u32>(1);
        tx.try_send(1).unwrap();
        let consumer = thread::spawn(move || {
            let got = rx.try_recv();
            (got, rx)
        });
        let closed = block_on(tx.close().drained());
        let (got, rx) = consumer.join().unwrap();
        // The pop came first or after the close; either way it got the value.
        assert_eq!(got, Ok(1));
        assert!(closed.is_empty());
        assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    });
}

/// A receiver used as a `Stream` parks and is woken like a `RecvFuture`:
/// it yields every message, then ends when the last sender goes.
#[test]
fn loom_stream_yields_everything_then_ends() {
    loom::model(|| {
        let (tx, mut rx) = bounded::<u32>(1);
        let consumer = thread::spawn(move || {
            block_on(async {
                let mut got = Vec::new();
                while let Some(v) = futures::StreamExt::next(&mut rx).await {
                    got.push(v);
                }
                got
            })
        });
        block_on(tx.send(1)).unwrap();
        block_on(tx.send(2)).unwrap();
        drop(tx);
        assert_eq!(consumer.join().unwrap(), [1, 2]);
    });
}

/// Schema v2's `leave`: a parked entry that goes away while a wake races
/// for it is reported exactly once, either as woken (by `wake_one`) or as
/// removed unwoken (by `leave`, which the `leave` event reports), never both
/// and never neither; and the depth each reports is the queue's after it.
#[test]
fn loom_leave_racing_a_wake_reports_the_entry_exactly_once() {
    use super::waiters::{Left, WaiterQueue};
    loom::model(|| {
        let q = loom::sync::Arc::new(WaiterQueue::<()>::new());
        let waker = Waker::from(StdArc::new(Flag::default()));
        let (mut a, mut b) = (None, None);
        q.register(&mut a, 7, &waker);
        q.register(&mut b, 8, &waker);
        let q2 = q.clone();
        let waking = thread::spawn(move || q2.wake_one().map(|w| (w.handle, w.waiting)));
        let left = q.leave(&mut a);
        let woken = waking.join().unwrap();
        match left {
            // A left first: the wake took B, the front after A.
            Left::Removed(w, ()) => {
                assert_eq!((w.handle, w.waiting), (7, 1));
                assert_eq!(woken, Some((8, 0)));
            }
            // The wake took A (the front) first: A leaves as woken.
            Left::Woken(_) => assert_eq!(woken, Some((7, 1))),
            Left::NotParked => panic!("A had parked"),
        }
        assert_eq!(q.waiting(), usize::from(matches!(left, Left::Woken(_))));
        q.cancel(&mut b);
    });
}

/// Schema v2's tickets: two futures park from two threads in either order;
/// each park's ticket is its entry's key, and the wakes come in ticket
/// order, each reporting the ticket its park got. So a reader that sorts
/// the parked list by ticket has the order the channel wakes in, whichever
/// park event reaches it first (fails if a wake reported another entry's
/// ticket, or if the queue woke out of ticket order).
#[test]
fn loom_wakes_come_in_ticket_order_whoever_parked_first() {
    use super::waiters::WaiterQueue;
    loom::model(|| {
        let q = loom::sync::Arc::new(WaiterQueue::<()>::new());
        let waker = Waker::from(StdArc::new(Flag::default()));
        let (q2, w2) = (q.clone(), waker.clone());
        let other = thread::spawn(move || {
            let mut key = None;
            q2.register(&mut key, 8, &w2);
            key.expect("parked")
        });
        let mut mine = None;
        q.register(&mut mine, 7, &waker);
        let mine = mine.expect("parked");
        let theirs = other.join().unwrap();
        assert_ne!(mine, theirs);
        let first = q.wake_one().expect("two parked");
        let second = q.wake_one().expect("one left");
        assert!(first.ticket < second.ticket, "woken out of ticket order");
        let ticket_of = |handle| if handle == 7 { mine } else { theirs };
        assert_eq!(first.ticket, ticket_of(first.handle));
        assert_eq!(second.ticket, ticket_of(second.handle));
        assert_eq!(q.waiting(), 0);
    });
}

/// The hand-off (issue #7): a sender parks on a full ring of 1, leaving its
/// message in its queue entry, while a pop makes room. Whatever the order,
/// the parked message ends up in the ring, exactly once: either the pop saw
/// the entry and moved it in (waking the sender), or the sender's check
/// after parking saw the room and moved it in itself. Without that check
/// (a pop that lands between the sender's full ring and its park serves
/// nobody) the message would sit in the queue beside a free slot.
#[test]
fn loom_parked_message_is_handed_off_whoever_sees_the_room() {
    loom::model(|| {
        let (tx, rx) = bounded::<u32>(1);
        tx.try_send(1).unwrap();
        let popper = thread::spawn(move || {
            assert_eq!(rx.try_recv(), Ok(1));
            rx
        });
        let mut send = tx.send(2);
        let flag = StdArc::new(Flag::default());
        let waker = Waker::from(flag.clone());
        let mut cx = Context::from_waker(&waker);
        // Poll until it completes or parks (it may yield first).
        let mut done = false;
        for _ in 0..8 {
            match Pin::new(&mut send).poll(&mut cx) {
                std::task::Poll::Ready(r) => {
                    r.unwrap();
                    done = true;
                    break;
                }
                std::task::Poll::Pending if flag.0.swap(false, Ordering::Relaxed) => continue,
                std::task::Poll::Pending => break,
            }
        }
        let rx = popper.join().unwrap();
        if !done {
            // Parked: the pop must have handed it off and woken it.
            assert!(
                flag.0.load(Ordering::Relaxed),
                "a parked send was not woken"
            );
            assert!(matches!(
                Pin::new(&mut send).poll(&mut cx),
                std::task::Poll::Ready(Ok(()))
            ));
        }
        drop(send);
        assert_eq!(rx.try_recv(), Ok(2), "the message is in the ring");
        assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    });
}

/// Polls `fut` with `cx` until it completes or parks (it may yield first,
/// waking itself): `Some(output)` or `None` for parked.
fn poll_until_parked<F: Future + Unpin>(
    fut: &mut F,
    flag: &Flag,
    cx: &mut Context<'_>,
) -> Option<F::Output> {
    for _ in 0..8 {
        match Pin::new(&mut *fut).poll(cx) {
            std::task::Poll::Ready(out) => return Some(out),
            std::task::Poll::Pending if flag.0.swap(false, Ordering::Relaxed) => continue,
            std::task::Poll::Pending => return None,
        }
    }
    panic!("the future neither completed nor parked");
}

/// A sender parks (its message in its queue entry) while the receiver
/// closes and drains: the message either went into the ring first (and is
/// drained) or comes back to the sender in its error; never both, never
/// neither, and the send never stays parked.
#[test]
fn loom_parked_message_and_close_exactly_once() {
    loom::model(|| {
        let (tx, rx) = bounded::<u32>(1);
        tx.try_send(1).unwrap();
        let closer = thread::spawn(move || {
            let rx = rx.close();
            let got: Vec<u32> = rx.drain().collect();
            (rx, got)
        });
        let mut send = tx.send(2);
        let flag = StdArc::new(Flag::default());
        let waker = Waker::from(flag.clone());
        let mut cx = Context::from_waker(&waker);
        let first = poll_until_parked(&mut send, &flag, &mut cx);
        let (_rx, got) = closer.join().unwrap();
        let out = match first {
            Some(out) => out,
            None => {
                assert!(
                    flag.0.load(Ordering::Relaxed),
                    "the close woke the parked send"
                );
                match Pin::new(&mut send).poll(&mut cx) {
                    std::task::Poll::Ready(out) => out,
                    std::task::Poll::Pending => panic!("a closed channel left a send parked"),
                }
            }
        };
        let back = out.err().map(|e| e.0);
        assert_eq!(got.first(), Some(&1));
        assert_ne!(
            got.contains(&2),
            back == Some(2),
            "exactly once: drained {got:?}, given back {back:?}"
        );
        drop(send);
    });
}
