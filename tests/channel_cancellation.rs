//! Cancellation safety of `SendFuture` and `RecvFuture`: a dropped future
//! loses nothing, duplicates nothing, and passes on a wakeup it was given.
//!
//! The futures are polled by hand with counting wakers, so each test controls
//! exactly which future is parked, woken, polled or dropped.
#![cfg(not(loom))]

use std::future::Future;
use std::sync::Arc;
use std::task::{Poll, Waker};

use chanviz::channel::{bounded, TryRecvError};

mod support;
use support::{counting_waker, drop_table, park, poll_once, wakes, CountingWaker, Tracked};

/// Every way a parked send can end before completing: dropped while parked,
/// dropped after being woken, dropped after being woken and re-polled. In
/// every case the value is received at most once, and a value that is not
/// received is dropped (by the future), so drops == 1 for each id.
#[test]
fn cancelled_send_delivers_or_not_never_twice() {
    // (pops before the drop, re-poll after the wake before the drop)
    let cases = [(0, false), (1, false), (1, true), (2, true)];
    for (case, &(pops, repoll)) in cases.iter().enumerate() {
        let drops = drop_table(8);
        let make = |id| Tracked::new(id, &drops);
        let (tx, rx) = bounded::<Tracked>(1);
        tx.try_send(make(0)).unwrap();
        let tx_b = tx.clone();
        let mut fut_a = tx.send(make(1));
        let mut fut_b = tx_b.send(make(2));
        let (ca, wa) = park(&mut fut_a);
        let (_cb, wb) = park(&mut fut_b);

        let mut received = Vec::new();
        for _ in 0..pops {
            if let Ok(m) = rx.try_recv() {
                received.push(m.id);
            }
        }
        if pops > 0 {
            assert!(
                wakes(&ca) >= 1,
                "case {case}: the first parked sender was not woken"
            );
        }
        if repoll {
            match poll_once(&mut fut_a, &wa) {
                Poll::Ready(Ok(())) => {}
                Poll::Ready(Err(_)) => panic!("case {case}: the channel is not closed"),
                Poll::Pending => {}
            }
        }
        drop(fut_a);
        // Whatever A did, B can complete once room is made, and everything
        // left is received exactly once.
        loop {
            match rx.try_recv() {
                Ok(m) => received.push(m.id),
                Err(TryRecvError::Empty) => {
                    if let Poll::Ready(r) = poll_once(&mut fut_b, &wb) {
                        assert!(r.is_ok(), "case {case}: B's send failed");
                        while let Ok(m) = rx.try_recv() {
                            received.push(m.id);
                        }
                        break;
                    }
                    panic!("case {case}: channel empty but B still pending");
                }
                Err(TryRecvError::Closed) => panic!("case {case}: closed"),
            }
        }
        drop(fut_b);
        let mut sorted = received.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(
            sorted.len(),
            received.len(),
            "case {case}: a value arrived twice: {received:?}"
        );
        assert!(
            received.contains(&0) && received.contains(&2),
            "case {case}: {received:?}"
        );
        if repoll && pops > 0 {
            // A was woken with room and re-polled, so it must have delivered.
            assert!(
                received.contains(&1),
                "case {case}: a completed send was lost"
            );
        }
        drop((tx, tx_b, rx));
        let table = drops.lock().unwrap();
        assert_eq!(
            &table[..3],
            &[1, 1, 1],
            "case {case}: drop counts (lost or duplicated)"
        );
    }
}

#[test]
fn cancelled_recv_loses_no_message() {
    let (tx, rx) = bounded::<u32>(4);
    let rx_b = rx.clone();
    let mut fut_a = rx.recv();
    let (ca, _wa) = park(&mut fut_a);
    // Dropped while parked, never woken.
    drop(fut_a);
    assert_eq!(wakes(&ca), 0);
    let mut fut_b = rx_b.recv();
    let (cb, wb) = park(&mut fut_b);
    tx.try_send(7).unwrap();
    assert!(
        wakes(&cb) >= 1,
        "the live receiver was not woken (the dropped one took it?)"
    );
    assert_eq!(poll_once(&mut fut_b, &wb), Poll::Ready(Ok(7)));
    // A recv dropped before it is ever polled takes nothing either.
    tx.try_send(8).unwrap();
    drop(rx.recv());
    assert_eq!(rx_b.try_recv(), Ok(8));
}

/// A parked future and the waker (with its counter) it parked with.
struct Parked<F> {
    fut: F,
    counter: Arc<CountingWaker>,
    waker: Waker,
}

impl<F: Future + Unpin> Parked<F>
where
    F::Output: std::fmt::Debug,
{
    fn new(mut fut: F) -> Self {
        let (counter, waker) = park(&mut fut);
        Parked {
            fut,
            counter,
            waker,
        }
    }

    fn poll(&mut self) -> Poll<F::Output> {
        poll_once(&mut self.fut, &self.waker)
    }
}

/// Of two parked futures of which at least one was woken (by `what`), drops
/// the woken one (A if both were) without polling it, and returns the
/// other, with whether that is A.
fn drop_the_woken_one<F>(a: Parked<F>, b: Parked<F>, what: &str) -> (Parked<F>, bool) {
    let (a_woken, b_woken) = (wakes(&a.counter), wakes(&b.counter));
    assert!(a_woken + b_woken >= 1, "nobody was woken by {what}");
    if a_woken > 0 {
        drop(a);
        (b, false)
    } else {
        drop(b);
        (a, true)
    }
}

#[test]
fn woken_then_dropped_recv_future_passes_its_wakeup_on() {
    let (tx, rx) = bounded::<u32>(4);
    let rx_b = rx.clone();
    let a = Parked::new(rx.recv());
    let b = Parked::new(rx_b.recv());
    tx.try_send(42).unwrap();
    // Drop whichever was woken, without polling it; the other must be woken
    // and get the message.
    let (mut survivor, _) = drop_the_woken_one(a, b, "a send");
    assert!(
        wakes(&survivor.counter) >= 1,
        "the dropped receiver kept its wakeup; the other one would sleep with a message waiting"
    );
    assert_eq!(survivor.poll(), Poll::Ready(Ok(42)));
}

#[test]
fn woken_then_dropped_send_future_passes_its_wakeup_on() {
    let (tx, rx) = bounded::<u32>(1);
    tx.try_send(0).unwrap();
    let tx_b = tx.clone();
    let a = Parked::new(tx.send(1));
    let b = Parked::new(tx_b.send(2));
    assert_eq!(rx.try_recv(), Ok(0));
    let (mut survivor, a_survived) = drop_the_woken_one(a, b, "a pop");
    let value = if a_survived { 1 } else { 2 };
    // Unless the dropped future delivered its value on the way out, the slot
    // is free and the survivor must have been told; if it did deliver, that
    // value is popped to make room again.
    if !rx.is_empty() {
        let _ = rx.try_recv().unwrap();
    }
    assert!(
        wakes(&survivor.counter) >= 1,
        "a free slot and a sleeping sender"
    );
    assert_eq!(survivor.poll(), Poll::Ready(Ok(())));
    assert_eq!(rx.try_recv(), Ok(value));
}

/// Re-polls the parked future `fut` 100 times, each time with a new waker
/// (asserting that it stays parked), then once more with the waker it is
/// left with. Returns the replaced wakers' counters, the latest counter and
/// the latest waker.
fn repoll_with_new_wakers<F>(fut: &mut F) -> (Vec<Arc<CountingWaker>>, Arc<CountingWaker>, Waker)
where
    F: Future + Unpin,
    F::Output: std::fmt::Debug,
{
    let (first, _) = park(fut);
    let mut old = vec![first];
    for _ in 0..100 {
        let (c, w) = counting_waker();
        assert!(poll_once(fut, &w).is_pending());
        assert_eq!(wakes(&c), 0, "a parked future re-polled must stay parked");
        old.push(c);
    }
    let (latest, waker) = counting_waker();
    assert!(poll_once(fut, &waker).is_pending());
    (old, latest, waker)
}

/// After two wakeups: A's latest waker and B were woken, and none of A's
/// replaced wakers (`replaced` says what that would mean).
fn assert_latest_and_b_woken(
    old: &[Arc<CountingWaker>],
    ca: &CountingWaker,
    cb: &CountingWaker,
    replaced: &str,
) {
    assert!(wakes(ca) >= 1, "A's latest waker was not woken");
    assert!(
        wakes(cb) >= 1,
        "B was not woken: stale entries of A took its wakeup"
    );
    assert!(old.iter().all(|c| wakes(c) == 0), "{replaced}");
}

/// A future polled again with a new waker replaces its entry: after many
/// re-polls of A, two pops wake A's latest waker and B. If A had left stale
/// entries behind, the second wakeup would go to a stale entry and B would
/// sleep with a free slot.
#[test]
fn repoll_with_new_waker_replaces_entry_not_adds() {
    let (tx, rx) = bounded::<u32>(2);
    tx.try_send(0).unwrap();
    tx.try_send(1).unwrap();
    let tx_b = tx.clone();
    let mut fut_a = tx.send(10);
    let mut fut_b = tx_b.send(11);
    let (old, ca, wa) = repoll_with_new_wakers(&mut fut_a);
    let (cb, wb) = park(&mut fut_b);
    assert_eq!(rx.try_recv(), Ok(0));
    assert_eq!(rx.try_recv(), Ok(1));
    assert_latest_and_b_woken(
        &old,
        &ca,
        &cb,
        "a replaced waker was woken: the entry was added, not replaced",
    );
    assert_eq!(poll_once(&mut fut_a, &wa), Poll::Ready(Ok(())));
    assert_eq!(poll_once(&mut fut_b, &wb), Poll::Ready(Ok(())));
    assert_eq!(rx.try_recv(), Ok(10));
    assert_eq!(rx.try_recv(), Ok(11));
}

#[test]
fn repolled_recv_future_replaces_entry_not_adds() {
    let (tx, rx) = bounded::<u32>(4);
    let rx_b = rx.clone();
    let mut fut_a = rx.recv();
    let mut fut_b = rx_b.recv();
    let (old, ca, wa) = repoll_with_new_wakers(&mut fut_a);
    let (cb, wb) = park(&mut fut_b);
    tx.try_send(1).unwrap();
    tx.try_send(2).unwrap();
    assert_latest_and_b_woken(&old, &ca, &cb, "a replaced waker was woken");
    let a = poll_once(&mut fut_a, &wa);
    let b = poll_once(&mut fut_b, &wb);
    let mut got = [a, b].map(|p| match p {
        Poll::Ready(Ok(v)) => v,
        other => panic!("expected a message, got {other:?}"),
    });
    got.sort_unstable();
    assert_eq!(got, [1, 2]);
}

#[test]
fn closing_while_parked_wakes_with_an_error_and_gives_the_value_back() {
    let (tx, rx) = bounded::<String>(1);
    tx.try_send("in".into()).unwrap();
    let tx_b = tx.clone();
    let mut fut = tx_b.send("parked".into());
    let (c, w) = park(&mut fut);
    let closing = rx.close();
    assert!(wakes(&c) >= 1, "closing must wake parked senders");
    match poll_once(&mut fut, &w) {
        Poll::Ready(Err(e)) => assert_eq!(e.into_inner(), "parked"),
        other => panic!("expected Ready(Err), got {other:?}"),
    }
    // The buffered message is still there for the closing receiver.
    assert_eq!(closing.drain().collect::<Vec<_>>(), vec!["in".to_string()]);
    drop(tx);
}

/// A stream waits in the queue through its `Receiver`; a receiver dropped
/// (or closed) after its stream was woken passes the wakeup on as well.
#[test]
fn woken_stream_whose_receiver_goes_away_passes_its_wakeup_on() {
    use futures::StreamExt;
    for close_instead_of_drop in [false, true] {
        let (tx, rx) = bounded::<u32>(4);
        let rx_b = rx.clone();
        let mut stream = rx;
        let mut next = stream.next();
        park(&mut next);
        drop(next);
        let mut fut_b = rx_b.recv();
        let (cb, wb) = park(&mut fut_b);
        tx.try_send(9).unwrap();
        // The stream parked first, so it was woken first; it goes away
        // without polling again.
        if close_instead_of_drop {
            let closing = stream.close();
            assert!(wakes(&cb) >= 1, "closing wakes every receiver anyway");
            // Closing makes no new sends possible, but 9 was accepted before.
            drop(closing);
        } else {
            drop(stream);
            assert!(wakes(&cb) >= 1, "the stream's wakeup was not passed on");
        }
        assert_eq!(poll_once(&mut fut_b, &wb), Poll::Ready(Ok(9)));
    }
}

/// `SendFuture::withdraw` says whether a parked send went: still parked, it
/// takes the value back (and nothing is received); after the pop that made
/// room handed its message off, it returns `None` and the message is there.
#[test]
fn withdraw_takes_back_an_unsent_value_and_not_a_handed_off_one() {
    let (tx, rx) = bounded::<u32>(1);
    tx.try_send(0).unwrap();
    // Still parked: the value comes back, the queue is empty again.
    let mut parked = tx.send(1);
    park(&mut parked);
    assert_eq!(tx.waiting_senders(), 1);
    assert_eq!(parked.withdraw(), Some(1));
    assert_eq!(tx.waiting_senders(), 0);
    drop(parked);
    assert_eq!(rx.try_recv(), Ok(0));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    // Handed off: the pop moved 3 into the ring; withdrawing finds it sent.
    tx.try_send(2).unwrap();
    let mut parked = tx.send(3);
    let (woken, _w) = park(&mut parked);
    assert_eq!(rx.try_recv(), Ok(2));
    assert_eq!(wakes(&woken), 1, "the hand-off woke the sender");
    assert_eq!(parked.withdraw(), None, "it was sent");
    drop(parked);
    assert_eq!(rx.try_recv(), Ok(3));
    // Not parked at all: the value is still the future's.
    let (tx, _rx) = bounded::<u32>(1);
    let mut unpolled = tx.send(4);
    assert_eq!(unpolled.withdraw(), Some(4));
}
