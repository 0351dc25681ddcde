//! The fold's insight (issue #11) against what the channel really does, on
//! one thread, step by step: the parked list's order is the order the
//! channel wakes in, every slot's message names its sender, number and age,
//! and the warnings fire when (and only when) their conditions hold.
#![cfg(feature = "tui")]

use std::task::Poll;

use chanviz::channel::bounded;
use chanviz::probe::{Probe, ProbeLayer, Side, Snapshot, WakeCause, WarningKind};

mod support;
use support::{park, poll_once};

fn probe() -> Probe {
    ProbeLayer::builder().manual_clock().build().probe()
}

fn parked(snap: &Snapshot, side: Side) -> Vec<u64> {
    snap.current()
        .expect("a channel")
        .insight
        .parked(side)
        .iter()
        .map(|p| p.handle)
        .collect()
}

/// Senders park in a scrambled order (by id); the list shows them in the
/// order they parked, and each pop wakes the one the list shows first.
#[test]
fn the_parked_list_is_the_order_the_channel_wakes_in() {
    let probe = probe();
    tracing::dispatcher::with_default(&probe.dispatch(), || {
        let (tx, rx) = bounded::<u64>(1);
        let senders: Vec<_> = (0..5).map(|_| tx.clone()).collect(); // S1..S5
        tx.try_send(0).unwrap();
        let order = [3usize, 0, 4, 1, 2];
        let mut futures: Vec<_> = senders.iter().map(|s| Some(s.send(1))).collect();
        let mut wakers = vec![None; 5];
        for (t, &i) in order.iter().enumerate() {
            probe.set_time_us(1_000 * (t as u64 + 1));
            let (_, w) = park(futures[i].as_mut().unwrap());
            wakers[i] = Some(w);
        }
        let expected: Vec<u64> = order.iter().map(|&i| i as u64 + 1).collect();
        assert_eq!(parked(&probe.snapshot(), Side::Senders), expected);
        // Each pop hands the list's first message off into the ring and wakes it.
        for round in 0..order.len() {
            let before = parked(&probe.snapshot(), Side::Senders);
            assert!(rx.try_recv().is_ok());
            let snap = probe.snapshot();
            let c = snap.current().unwrap();
            let wake = c.insight.wakes.last().expect("a wake");
            assert_eq!(wake.woken, before[0], "round {round}: {before:?}");
            assert_eq!(
                (wake.cause, wake.by),
                (
                    WakeCause::Handoff {
                        role: chanviz::probe::Role::Receiver
                    },
                    0
                )
            );
            assert_eq!(parked(&snap, Side::Senders), before[1..].to_vec());
            let i = wake.woken as usize - 1;
            let w = wakers[i].take().unwrap();
            let mut f = futures[i].take().unwrap();
            assert_eq!(poll_once(&mut f, &w), Poll::Ready(Ok(())));
        }
        assert!(parked(&probe.snapshot(), Side::Senders).is_empty());
    });
}

/// Receivers too: whoever parked first is woken by the next push, and the
/// time each waited is measured.
#[test]
fn parked_receivers_are_listed_first_to_last_and_their_wait_is_measured() {
    let probe = probe();
    tracing::dispatcher::with_default(&probe.dispatch(), || {
        let (tx, rx) = bounded::<u64>(2);
        let r2 = rx.clone();
        let mut a = r2.recv();
        let mut b = rx.recv();
        let (_, wa) = park(&mut a);
        probe.set_time_us(10_000);
        let (_, _wb) = park(&mut b);
        assert_eq!(parked(&probe.snapshot(), Side::Receivers), vec![1, 0]);
        probe.set_time_us(30_000);
        tx.try_send(7).unwrap();
        let snap = probe.snapshot();
        let c = snap.current().unwrap();
        let wake = c.insight.wakes.last().unwrap();
        assert_eq!((wake.woken, wake.cause, wake.by), (1, WakeCause::Push, 0));
        assert_eq!(wake.slot, Some(0));
        assert_eq!(parked(&snap, Side::Receivers), vec![0]);
        assert_eq!(c.insight.park_time.whole.count, 1);
        assert_eq!(c.insight.park_time.whole.max_us, 30_000);
        assert_eq!(poll_once(&mut a, &wa), Poll::Ready(Ok(7)));
    });
}

/// Each slot's message: its sender, that sender's number for it, its push
/// time; the oldest first; a pop measures its time in queue.
#[test]
fn every_slot_names_its_sender_number_and_age() {
    let probe = probe();
    tracing::dispatcher::with_default(&probe.dispatch(), || {
        let (tx, rx) = bounded::<u64>(4);
        let s1 = tx.clone();
        probe.set_time_us(1_000);
        tx.try_send(1).unwrap();
        probe.set_time_us(2_000);
        tx.try_send(2).unwrap();
        probe.set_time_us(3_000);
        s1.try_send(3).unwrap();
        let snap = probe.snapshot();
        let m: Vec<_> = snap.current().unwrap().insight.messages.clone();
        let seen: Vec<(usize, u64, u64, u64)> = m
            .iter()
            .map(|m| (m.slot, m.sender, m.seq, m.pushed_us))
            .collect();
        assert_eq!(
            seen,
            vec![(0, 0, 1, 1_000), (1, 0, 2, 2_000), (2, 1, 1, 3_000)]
        );
        probe.set_time_us(11_000);
        assert_eq!(rx.try_recv(), Ok(1));
        let snap = probe.snapshot();
        let c = snap.current().unwrap();
        assert_eq!(c.insight.oldest().map(|m| (m.slot, m.seq)), Some((1, 2)));
        assert_eq!(c.insight.in_slot(0), None);
        let q = c.insight.queue_time.whole;
        assert_eq!((q.count, q.max_us), (1, 10_000));
        // Around the ring: slot 0 again, S1's second message.
        s1.try_send(4).unwrap();
        s1.try_send(5).unwrap();
        let snap = probe.snapshot();
        let c = snap.current().unwrap();
        let m = c.insight.in_slot(0).expect("slot 0 is full again");
        assert_eq!((m.sender, m.seq, m.pos), (1, 3, 4));
    });
}

/// A channel that stays in `closing` because nobody drains it: the warning
/// names the receiver that holds it and the sender clone kept open; it does
/// not fire before its time, and the drain ends it.
#[test]
fn stuck_closing_names_the_handles_that_hold_it() {
    let probe = probe();
    tracing::dispatcher::with_default(&probe.dispatch(), || {
        let (tx, rx) = bounded::<u64>(4);
        let kept = tx.clone(); // S1, alive and Open after the close
        tx.try_send(1).unwrap();
        tx.try_send(2).unwrap();
        probe.set_time_us(1_000_000);
        let closing = tx.close();
        let warned = |at: u64| {
            probe.set_time_us(at);
            let snap = probe.snapshot();
            snap.current()
                .unwrap()
                .insight
                .warnings
                .iter()
                .find(|w| w.kind == WarningKind::StuckClosing)
                .cloned()
        };
        assert!(
            warned(3_000_000).is_none(),
            "2 s in closing is not stuck yet"
        );
        let w = warned(5_000_000).expect("4 s in closing is stuck");
        assert!(w.what.contains("2 messages still buffered"), "{w:?}");
        assert!(w.what.contains("R0"), "{w:?}");
        assert!(w.what.contains("S1 never closed"), "{w:?}");
        assert_eq!(rx.try_recv(), Ok(1));
        assert_eq!(rx.try_recv(), Ok(2));
        assert!(warned(6_000_000).is_none(), "drained: closed");
        drop((closing, kept));
    });
}

/// Senders parked beside a full ring for long: consumer-bound, with words
/// and advice; the same ring with its receivers parked on an empty ring:
/// producer-bound. Neither fires before its time.
#[test]
fn consumer_bound_and_producer_bound_fire_after_their_time() {
    let probe = probe();
    tracing::dispatcher::with_default(&probe.dispatch(), || {
        let (tx, rx) = bounded::<u64>(2);
        tx.try_send(1).unwrap();
        tx.try_send(2).unwrap();
        let mut f = tx.send(3);
        let (_, w) = park(&mut f);
        let kinds = |at: u64| -> Vec<WarningKind> {
            probe.set_time_us(at);
            let snap = probe.snapshot();
            let c = snap.current().unwrap();
            c.insight.warnings.iter().map(|w| w.kind).collect()
        };
        assert_eq!(kinds(1_000_000), vec![]);
        assert_eq!(kinds(2_500_000), vec![WarningKind::ConsumerBound]);
        assert_eq!(rx.try_recv(), Ok(1));
        assert_eq!(poll_once(&mut f, &w), Poll::Ready(Ok(())));
        assert_eq!(rx.try_recv(), Ok(2));
        assert_eq!(rx.try_recv(), Ok(3));
        // Now empty, with R0 parked.
        let mut r = rx.recv();
        let _ = park(&mut r);
        assert_eq!(kinds(3_000_000), vec![]);
        assert_eq!(kinds(5_500_000), vec![WarningKind::ProducerBound]);
    });
}

/// A drain that makes progress is slow, not stuck: no stuck-closing while
/// a receiver takes a message every 1.5 s, long after the close.
#[test]
fn a_slow_drain_is_not_stuck_closing() {
    let probe = probe();
    tracing::dispatcher::with_default(&probe.dispatch(), || {
        let (tx, rx) = bounded::<u64>(4);
        for i in 0..4 {
            tx.try_send(i).unwrap();
        }
        let closing = tx.close();
        for t in 1..=3u64 {
            probe.set_time_us(t * 1_500_000);
            assert!(rx.try_recv().is_ok());
        }
        probe.set_time_us(4_600_000);
        let snap = probe.snapshot();
        let c = snap.current().unwrap();
        assert!(
            !c.insight.warns(WarningKind::StuckClosing),
            "{:?}",
            c.insight.warnings
        );
        // Then the receiver stops: 2 s without a pop and it is stuck.
        probe.set_time_us(7_000_000);
        let snap = probe.snapshot();
        assert!(snap
            .current()
            .unwrap()
            .insight
            .warns(WarningKind::StuckClosing));
        drop(closing);
    });
}
