//! Bug 1 of the wakeup protocol, pinned down on one thread: a future that
//! completes on its retry after a wake already chose it must pass that
//! wakeup on.
//!
//! The interleaving needs another party in the middle of a poll; it is made
//! on one thread with a waker whose `clone` runs a hook (the clone happens
//! inside `register`, just before the future joins its queue) and a
//! `tracing` subscriber that runs a hook at a given `push`/`pop` event.
//!
//! These live in their own test binary, in ONE test: a thread-scoped
//! subscriber relies on tracing's per-call-site interest cache, and another
//! test thread that hits a call site for the first time at the same moment
//! can leave that cache at "never" (it did, about one run in seven, when
//! these ran beside other tests). Here no other thread emits events.
#![cfg(not(loom))]

use std::cell::RefCell;
use std::sync::Arc;
use std::task::{Poll, Waker};

use chanviz::channel::{bounded, Receiver, RecvFuture, SendFuture, Sender};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

mod support;
use support::{counting_waker, hook_waker, on_next_clone, park, poll_once, wakes};

// ----- a subscriber that runs a hook at one event ---------------------------

type Hook = Box<dyn FnOnce()>;

/// Runs `hook` (once) when the event `op` of handle `handle` is emitted.
struct HookAt {
    op: &'static str,
    handle: u64,
    hook: RefCell<Option<Hook>>,
}

// SAFETY: a `HookAt` is only ever installed as one thread's default
// subscriber (`with_hook_at` uses `with_default`, and the channel under test
// never leaves that thread), so its `RefCell` and hook are never touched
// from two threads.
unsafe impl Send for HookAt {}
// SAFETY: as above.
unsafe impl Sync for HookAt {}

#[derive(Default)]
struct OpAndHandle {
    op: String,
    handle: Option<u64>,
}

impl Visit for OpAndHandle {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "op" {
            self.op = value.to_string();
        }
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "handle" {
            self.handle = Some(value);
        }
    }
    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}

impl Subscriber for HookAt {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut seen = OpAndHandle::default();
        event.record(&mut seen);
        if seen.op == self.op && seen.handle == Some(self.handle) {
            // Taken out first: events emitted by the hook itself are not
            // dispatched again (tracing does not re-enter a dispatcher).
            let hook = self.hook.borrow_mut().take();
            if let Some(hook) = hook {
                hook();
            }
        }
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

fn with_hook_at<R>(
    op: &'static str,
    handle: u64,
    hook: impl FnOnce() + 'static,
    f: impl FnOnce() -> R,
) -> R {
    let sub = HookAt {
        op,
        handle,
        hook: RefCell::new(Some(Box::new(hook))),
    };
    tracing::subscriber::with_default(sub, f)
}

fn leak<T>(t: T) -> &'static T {
    Box::leak(Box::new(t))
}

/// A slot for a future that a hook parks, and the counter of the waker it
/// parked with, for the test to check once the hook has run.
struct ParkedLater<F: 'static> {
    fut: &'static RefCell<Option<F>>,
    counter: &'static RefCell<Option<Arc<support::CountingWaker>>>,
}

impl<F> Clone for ParkedLater<F> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<F> Copy for ParkedLater<F> {}

impl<F> ParkedLater<F>
where
    F: std::future::Future + Unpin,
    F::Output: std::fmt::Debug,
{
    fn new() -> Self {
        ParkedLater {
            fut: leak(RefCell::new(None)),
            counter: leak(RefCell::new(None)),
        }
    }

    /// Parks `fut` and keeps it (called from the hook).
    fn park(self, mut fut: F) {
        let (counter, _) = park(&mut fut);
        *self.fut.borrow_mut() = Some(fut);
        *self.counter.borrow_mut() = Some(counter);
    }

    /// Asserts the kept future was woken exactly once (`why` it must be),
    /// and polls it once more with a fresh waker.
    fn woken_once_then_poll(self, who: &str, why: &str) -> Poll<F::Output> {
        let counter = self
            .counter
            .borrow_mut()
            .take()
            .unwrap_or_else(|| panic!("the hook ran: {who} parked"));
        assert_eq!(wakes(&counter), 1, "{why}");
        let mut fut = self.fut.borrow_mut().take().unwrap();
        poll_once(&mut fut, &counting_waker().1)
    }
}

/// Polls `fut` with `waker` until it completes, arming `on_clone` before
/// each poll: it fires at the waker clone inside `register`, before the
/// future is in the queue. (The future's yields come first: each returns
/// `Pending` after waking itself.)
fn complete_with_clone_hook<F>(
    fut: &mut F,
    waker: &Waker,
    on_clone: impl Fn() + Copy + 'static,
) -> F::Output
where
    F: std::future::Future + Unpin,
{
    loop {
        on_next_clone(on_clone);
        match poll_once(fut, waker) {
            Poll::Ready(v) => break v,
            Poll::Pending => continue,
        }
    }
}

// ----- bug 1: completing on the retry swallows a wakeup ----------------------

/// R1 finds the ring empty; a push lands before R1 joins the queue (so it
/// wakes nobody); R1 joins; R1's retry takes that message. Before R1's poll
/// returns, R3 parks behind it and a second push wakes the front of the
/// queue: R1, which is already done. R1 must pass that wakeup on, or R3
/// sleeps beside a buffered message.
fn receiver_that_completes_on_its_retry_passes_its_wakeup_on() {
    let (tx, rx) = bounded::<u32>(4);
    let tx: &'static Sender<u32> = leak(tx);
    let rx3: &'static Receiver<u32> = leak(rx.clone());
    let r3: ParkedLater<RecvFuture<'static, u32>> = ParkedLater::new();

    let mut r1 = rx.recv();
    let (_, r1_waker) = hook_waker();
    let got = with_hook_at(
        "pop",
        rx.id(),
        move || {
            // R1 has registered and just popped message 1 on its retry.
            r3.park(rx3.recv());
            // This push wakes the front of the queue: R1.
            tx.try_send(2).unwrap();
        },
        || complete_with_clone_hook(&mut r1, &r1_waker, || tx.try_send(1).unwrap()),
    );
    assert_eq!(
        got,
        Ok(1),
        "R1 takes the message pushed before it registered"
    );
    assert_eq!(
        r3.woken_once_then_poll(
            "R3",
            "R3 must be woken: message 2 is buffered and R1 did not take it"
        ),
        Poll::Ready(Ok(2))
    );
}

/// The mirror image: S1 finds the ring full; a pop makes room before S1
/// joins the queue (so it serves nobody); S1 joins, with its message. Its
/// check after parking sees the room and hands the queue's front (its own
/// message) into the ring. Before S1's poll returns, S3 parks behind it and
/// a second pop makes room again: that pop must serve S3 (move 30 into the
/// ring and wake it), not a finished S1, or S3 waits beside a free slot.
fn sender_that_completes_on_its_retry_passes_its_wakeup_on() {
    let (tx, rx) = bounded::<u32>(1);
    let rx: &'static Receiver<u32> = leak(rx);
    let tx3: &'static Sender<u32> = leak(tx.clone());
    let s3: ParkedLater<SendFuture<'static, u32>> = ParkedLater::new();
    tx.try_send(0).unwrap();

    let mut s1 = tx.send(10);
    let (_, s1_waker) = hook_waker();
    let sent = with_hook_at(
        "handoff",
        tx.id(),
        move || {
            // S1 has registered, and its check after parking just moved 10
            // into the ring: full again.
            s3.park(tx3.send(30));
            // This pop frees the slot and wakes the front of the queue: S1.
            assert_eq!(rx.try_recv(), Ok(10));
        },
        || complete_with_clone_hook(&mut s1, &s1_waker, || assert_eq!(rx.try_recv(), Ok(0))),
    );
    assert_eq!(sent, Ok(()));
    assert_eq!(
        s3.woken_once_then_poll(
            "S3",
            "S3 must be woken: the ring has a free slot and S1 did not take it"
        ),
        Poll::Ready(Ok(()))
    );
    assert_eq!(rx.try_recv(), Ok(30));
}

/// A woken future that completes and leaves nothing for anyone else does
/// not wake the next waiter for nothing.
#[test]
fn a_future_that_completes_on_its_retry_passes_its_wakeup_on() {
    receiver_that_completes_on_its_retry_passes_its_wakeup_on();
    sender_that_completes_on_its_retry_passes_its_wakeup_on();
}
