//! What every user of `chanviz::channel` relies on: order, capacity, closing,
//! dropping, and that it works on plain threads with any executor.
#![cfg(not(loom))]

use std::collections::HashSet;
use std::marker::PhantomPinned;
use std::sync::Arc;
use std::task::{Poll, Waker};
use std::thread;

use chanviz::channel::{
    bounded, bounded_named, Closed, Closing, Open, Receiver, RecvError, RecvFuture, SendError,
    SendFuture, Sender, TryRecvError, TrySendError,
};
use futures::executor::block_on;
use futures::StreamExt;

mod support;
use support::{
    channel_holding, drop_table, finished, park, poll_once, spawn_sender, wakes, CountingWaker,
    Tracked,
};

#[test]
fn fifo_order_is_kept() {
    // Within one lap, across many laps, and with a capacity that is not a power of two.
    let (tx, rx) = bounded::<u64>(5);
    let mut next_out = 0u64;
    for next_in in 0..1000u64 {
        tx.try_send(next_in).unwrap();
        if next_in % 3 == 2 {
            // Drain down to one buffered message now and then.
            while rx.len() > 1 {
                assert_eq!(rx.try_recv().unwrap(), next_out);
                next_out += 1;
            }
        }
        if rx.is_full() {
            assert_eq!(rx.try_recv().unwrap(), next_out);
            next_out += 1;
        }
    }
    while let Ok(v) = rx.try_recv() {
        assert_eq!(v, next_out);
        next_out += 1;
    }
    assert_eq!(next_out, 1000);
}

#[test]
fn fifo_order_is_kept_across_threads() {
    let (tx, rx) = bounded::<u64>(3);
    let producer = spawn_sender(tx, 0..20_000u64);
    block_on(async {
        let mut expected = 0u64;
        while let Ok(v) = rx.recv().await {
            assert_eq!(v, expected);
            expected += 1;
        }
        assert_eq!(expected, 20_000);
    });
    producer.join().unwrap();
}

#[test]
fn capacity_is_exact_and_never_exceeded() {
    for cap in [1usize, 2, 3, 5, 7, 10, 1000, 1023, 1025] {
        let (tx, rx) = bounded::<usize>(cap);
        assert_eq!(tx.capacity(), cap);
        assert_eq!(rx.capacity(), cap);
        // Fill it over several laps to check the limit at every slot offset.
        for lap in 0..3 {
            for i in 0..cap {
                tx.try_send(i)
                    .unwrap_or_else(|e| panic!("cap {cap} lap {lap} i {i}: {e:?}"));
                assert_eq!(tx.len(), i + 1);
            }
            assert!(tx.is_full() && rx.is_full());
            match tx.try_send(usize::MAX) {
                Err(TrySendError::Full(v)) => assert_eq!(v, usize::MAX),
                other => panic!("cap {cap}: expected Full, got {other:?}"),
            }
            assert_eq!(rx.len(), cap);
            for i in 0..cap {
                assert_eq!(rx.try_recv().unwrap(), i);
            }
            assert!(rx.is_empty() && tx.is_empty());
        }
    }
}

#[test]
fn capacity_is_never_exceeded_under_concurrency() {
    const CAP: usize = 4;
    let (tx, rx) = bounded::<usize>(CAP);
    let producers: Vec<_> = (0..3)
        .map(|_| {
            let tx = tx.clone();
            thread::spawn(move || {
                block_on(async {
                    for i in 0..5_000 {
                        tx.send(i).await.unwrap();
                        assert!(tx.len() <= CAP, "len {} > capacity {CAP}", tx.len());
                    }
                })
            })
        })
        .collect();
    drop(tx);
    let mut received = 0;
    block_on(async {
        while rx.recv().await.is_ok() {
            received += 1;
            assert!(rx.len() <= CAP, "len {} > capacity {CAP}", rx.len());
        }
    });
    for p in producers {
        p.join().unwrap();
    }
    assert_eq!(received, 15_000);
}

#[test]
#[should_panic(expected = "capacity")]
fn capacity_zero_panics_with_message() {
    let _ = bounded::<u8>(0);
}

#[test]
#[should_panic(expected = "capacity")]
fn capacity_zero_panics_with_message_for_named_channels() {
    let _ = bounded_named::<u8>(0, "zero");
}

#[test]
fn named_channel_behaves_like_an_unnamed_one() {
    let (tx, rx) = bounded_named::<u8>(2, "orders");
    assert_eq!(tx.capacity(), 2);
    tx.try_send(7).unwrap();
    assert_eq!(rx.try_recv(), Ok(7));
    assert_eq!(tx.chan_id(), rx.chan_id());
}

#[test]
fn try_send_full_gives_value_back() {
    let (tx, rx) = bounded::<String>(1);
    tx.try_send("first".to_string()).unwrap();
    match tx.try_send("second".to_string()) {
        Err(TrySendError::Full(v)) => assert_eq!(v, "second"),
        other => panic!("expected Full, got {other:?}"),
    }
    // The full one did not replace or corrupt the buffered one.
    assert_eq!(rx.try_recv().unwrap(), "first");
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
}

#[test]
fn try_send_after_last_receiver_drop_gives_value_back() {
    let (tx, rx) = bounded::<String>(4);
    drop(rx);
    match tx.try_send("lost?".to_string()) {
        Err(TrySendError::Closed(v)) => assert_eq!(v, "lost?"),
        other => panic!("expected Closed, got {other:?}"),
    }
}

#[test]
fn send_after_close_gives_value_back() {
    let (tx, rx) = bounded::<String>(4);
    let tx2 = tx.clone();
    let _closing: Sender<String, Closing> = tx.close();
    let err: SendError<String> = block_on(tx2.send("late".to_string())).unwrap_err();
    assert_eq!(err.into_inner(), "late");
    match tx2.try_send("later".to_string()) {
        Err(TrySendError::Closed(v)) => assert_eq!(v, "later"),
        other => panic!("expected Closed, got {other:?}"),
    }
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
}

#[test]
fn try_recv_tells_empty_from_closed() {
    let (tx, rx) = bounded::<u8>(2);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    tx.try_send(1).unwrap();
    drop(tx);
    // Closed but not drained: the message is still there.
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    assert_eq!(block_on(rx.recv()), Err(RecvError));
}

/// The counters of parked futures' wakers (as [`park`] returns them).
type Parked = [(Arc<CountingWaker>, Waker)];

/// None of `parked` was woken yet (`why` none may be).
fn assert_none_woken(parked: &Parked, why: &str) {
    for (c, _) in parked {
        assert_eq!(wakes(c), 0, "{why}");
    }
}

/// Every one of `parked` was woken, by the drop of the last `handle`.
fn assert_all_woken_by_last_drop(parked: &Parked, who: &str, handle: &str) {
    for (i, (c, _)) in parked.iter().enumerate() {
        assert!(
            wakes(c) >= 1,
            "{who} {i} was not woken by the last {handle} drop"
        );
    }
}

#[test]
fn last_sender_drop_wakes_all_receivers_who_drain_then_get_err() {
    let (tx, rx) = bounded::<u32>(4);
    let tx2 = tx.clone();
    let receivers: Vec<Receiver<u32, Open>> = (0..3).map(|_| rx.clone()).collect();
    let mut futures: Vec<_> = receivers.iter().map(|r| r.recv()).collect();
    let wakers: Vec<_> = futures.iter_mut().map(park).collect();
    drop(tx);
    assert_none_woken(&wakers, "a sender remains; nobody may be woken yet");
    drop(tx2);
    assert_all_woken_by_last_drop(&wakers, "receiver", "sender");
    for (i, (_, w)) in wakers.iter().enumerate() {
        assert_eq!(poll_once(&mut futures[i], w), Poll::Ready(Err(RecvError)));
    }
}

#[test]
fn receivers_drain_buffered_messages_after_last_sender_drop() {
    let (tx, rx) = bounded::<u64>(64);
    let consumers: Vec<_> = (0..4)
        .map(|_| {
            let rx = rx.clone();
            thread::spawn(move || {
                block_on(async {
                    let mut got = Vec::new();
                    while let Ok(v) = rx.recv().await {
                        got.push(v);
                    }
                    // Once Err, it stays Err.
                    assert_eq!(rx.recv().await, Err(RecvError));
                    got
                })
            })
        })
        .collect();
    drop(rx);
    block_on(async {
        for i in 0..10_000u64 {
            tx.send(i).await.unwrap();
        }
    });
    drop(tx);
    let mut all: Vec<u64> = consumers
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    all.sort_unstable();
    assert_eq!(all, (0..10_000).collect::<Vec<_>>());
}

#[test]
fn last_receiver_drop_wakes_senders_with_value_back() {
    let (tx, rx) = bounded::<String>(1);
    tx.try_send("buffered".to_string()).unwrap();
    let senders: Vec<Sender<String, Open>> = (0..3).map(|_| tx.clone()).collect();
    let mut futures: Vec<_> = senders
        .iter()
        .enumerate()
        .map(|(i, s)| s.send(format!("parked {i}")))
        .collect();
    let wakers: Vec<_> = futures.iter_mut().map(park).collect();
    let rx2 = rx.clone();
    drop(rx);
    assert_none_woken(&wakers, "a receiver remains; nobody may be woken yet");
    drop(rx2);
    assert_all_woken_by_last_drop(&wakers, "sender", "receiver");
    for (i, (_, w)) in wakers.iter().enumerate() {
        match poll_once(&mut futures[i], w) {
            Poll::Ready(Err(e)) => assert_eq!(e.into_inner(), format!("parked {i}")),
            other => panic!("sender {i}: expected Ready(Err), got {other:?}"),
        }
    }
    assert!(tx.is_closed());
}

#[test]
fn buffered_values_dropped_exactly_once() {
    // Several shapes: values left in the buffer after wrapping around, the
    // receiver dropped first or the sender dropped first, values given back in
    // errors, values received and dropped by the user.
    for receiver_first in [false, true] {
        let drops = drop_table(40);
        let make = |id| Tracked::new(id, &drops);
        let (tx, rx) = bounded::<Tracked>(3);
        let mut id = 0;
        // Wrap around a few laps.
        for _ in 0..10 {
            tx.try_send(make(id)).unwrap();
            id += 1;
            drop(rx.try_recv().unwrap());
        }
        tx.try_send(make(id)).unwrap();
        tx.try_send(make(id + 1)).unwrap();
        tx.try_send(make(id + 2)).unwrap();
        id += 3;
        // A value given back by a full channel.
        match tx.try_send(make(id)) {
            Err(TrySendError::Full(v)) => drop(v),
            Err(TrySendError::Closed(_)) => panic!("expected Full, got Closed"),
            Ok(()) => panic!("expected Full, got Ok"),
        }
        id += 1;
        assert_eq!(drops.lock().unwrap()[..id], {
            let mut expected = vec![1; 10];
            expected.extend([0, 0, 0, 1]);
            expected
        });
        if receiver_first {
            drop(rx);
            // The channel is closed; the buffered values may be dropped now or
            // with the last handle, but exactly once.
            match tx.try_send(make(id)) {
                Err(TrySendError::Closed(v)) => drop(v),
                Err(TrySendError::Full(_)) => panic!("expected Closed, got Full"),
                Ok(()) => panic!("expected Closed, got Ok"),
            }
            id += 1;
            drop(tx);
        } else {
            drop(tx);
            drop(rx);
        }
        let table = drops.lock().unwrap();
        assert!(
            table[..id].iter().all(|&n| n == 1),
            "receiver_first={receiver_first}: drop counts {:?}",
            &table[..id]
        );
    }
}

#[test]
fn buffered_values_dropped_exactly_once_with_many_handles_dropped_on_threads() {
    let drops = drop_table(64);
    let (tx, rx) = bounded::<Tracked>(64);
    for id in 0..50 {
        tx.try_send(Tracked::new(id, &drops)).unwrap();
    }
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (tx, rx) = (tx.clone(), rx.clone());
            thread::spawn(move || drop((tx, rx)))
        })
        .collect();
    drop((tx, rx));
    for h in handles {
        h.join().unwrap();
    }
    assert!(drops.lock().unwrap()[..50].iter().all(|&n| n == 1));
}

#[test]
fn close_keeps_buffered_messages_for_receivers() {
    let (tx, rx) = channel_holding(8, 0..5);
    let closing = tx.close();
    assert!(closing.is_closed());
    assert_eq!(closing.len(), 5);
    let mut got = Vec::new();
    block_on(async {
        while let Ok(v) = rx.recv().await {
            got.push(v);
        }
    });
    assert_eq!(got, vec![0, 1, 2, 3, 4]);
    // The closing sender can finish now that the buffer is drained.
    let closed: Sender<u32, Closed> = finished(closing.try_finish());
    assert!(closed.is_empty());
}

#[test]
fn receiver_close_keeps_buffered_messages_for_drain() {
    let (tx, rx) = channel_holding(8, 0..5);
    let closing: Receiver<u32, Closing> = rx.close();
    // No new sends once closed.
    assert!(matches!(tx.try_send(99), Err(TrySendError::Closed(99))));
    assert_eq!(closing.len(), 5);
    let closing = match closing.try_finish() {
        Err(still_closing) => still_closing,
        Ok(_) => panic!("try_finish must fail while messages are buffered"),
    };
    let drained: Vec<u32> = closing.drain().collect();
    assert_eq!(drained, vec![0, 1, 2, 3, 4]);
    let closed: Receiver<u32, Closed> = finished(closing.try_finish());
    assert!(closed.is_closed() && closed.is_empty());
}

#[test]
fn other_receivers_still_get_everything_after_one_receiver_closes() {
    let (tx, rx) = channel_holding(8, 0..4);
    let other = rx.clone();
    let closing = rx.close();
    assert!(other.is_closed() && tx.is_closed());
    assert_eq!(other.try_recv(), Ok(0));
    assert_eq!(other.try_recv(), Ok(1));
    let rest: Vec<u32> = closing.drain().collect();
    assert_eq!(rest, vec![2, 3]);
    assert_eq!(other.try_recv(), Err(TryRecvError::Closed));
}

#[test]
fn is_closed_true_after_close_from_either_side() {
    // Sender close.
    let (tx, rx) = bounded::<u8>(1);
    let tx2 = tx.clone();
    assert!(!tx.is_closed() && !rx.is_closed());
    let closing = tx.close();
    assert!(closing.is_closed() && tx2.is_closed() && rx.is_closed());

    // Receiver close.
    let (tx, rx) = bounded::<u8>(1);
    let rx2 = rx.clone();
    let closing = rx.close();
    assert!(closing.is_closed() && rx2.is_closed() && tx.is_closed());

    // Last sender dropped.
    let (tx, rx) = bounded::<u8>(1);
    let tx2 = tx.clone();
    drop(tx);
    assert!(!rx.is_closed(), "a sender remains");
    drop(tx2);
    assert!(rx.is_closed());

    // Last receiver dropped.
    let (tx, rx) = bounded::<u8>(1);
    let rx2 = rx.clone();
    drop(rx);
    assert!(!tx.is_closed(), "a receiver remains");
    drop(rx2);
    assert!(tx.is_closed());
}

#[test]
fn stream_ends_when_closed_and_drained() {
    let (tx, rx) = bounded::<u32>(4);
    let producer = spawn_sender(tx, 0..100);
    let got: Vec<u32> = block_on(rx.collect());
    producer.join().unwrap();
    assert_eq!(got, (0..100).collect::<Vec<_>>());
}

#[test]
fn stream_ends_after_buffered_messages_when_sender_closes() {
    let (tx, mut rx) = bounded::<u32>(4);
    tx.try_send(1).unwrap();
    tx.try_send(2).unwrap();
    let _closing = tx.close();
    block_on(async {
        assert_eq!(rx.next().await, Some(1));
        assert_eq!(rx.next().await, Some(2));
        assert_eq!(rx.next().await, None);
    });
}

fn assert_send_sync<T: Send + Sync>() {}
fn assert_send<T: Send>() {}

#[test]
fn handles_are_send_sync_and_futures_send() {
    // A payload that is Send but neither Sync nor Unpin.
    type P = (std::cell::Cell<u8>, PhantomPinned);
    assert_send_sync::<Sender<P, Open>>();
    assert_send_sync::<Sender<P, Closing>>();
    assert_send_sync::<Sender<P, Closed>>();
    assert_send_sync::<Receiver<P, Open>>();
    assert_send_sync::<Receiver<P, Closing>>();
    assert_send_sync::<Receiver<P, Closed>>();
    assert_send::<SendFuture<'static, P>>();
    assert_send::<RecvFuture<'static, P>>();
    assert_send::<SendError<P>>();
    assert_send::<TrySendError<P>>();
    fn drained_is_send(s: Sender<P, Closing>) -> impl Send {
        s.drained()
    }
    fn receiver_drained_is_send(r: Receiver<P, Closing>) -> impl Send {
        r.drained()
    }
    let _ = (drained_is_send, receiver_drained_is_send);
}

#[test]
fn no_unpin_needed_for_payloads() {
    struct Pinned(u32, PhantomPinned);
    let (tx, rx) = bounded::<Pinned>(2);
    block_on(async {
        tx.send(Pinned(1, PhantomPinned)).await.unwrap();
        assert!(tx.try_send(Pinned(2, PhantomPinned)).is_ok());
        assert_eq!(rx.recv().await.unwrap().0, 1);
        assert_eq!(rx.try_recv().unwrap().0, 2);
    });
    let mut rx = rx;
    drop(tx);
    assert!(block_on(rx.next()).is_none());
}

#[test]
fn mpmc_works_on_plain_threads_with_block_on() {
    const PRODUCERS: u64 = 4;
    const PER_PRODUCER: u64 = 5_000;
    let (tx, rx) = bounded::<u64>(16);
    let producers: Vec<_> = (0..PRODUCERS)
        .map(|p| {
            spawn_sender(
                tx.clone(),
                (0..PER_PRODUCER).map(move |i| p * PER_PRODUCER + i),
            )
        })
        .collect();
    drop(tx);
    let consumers: Vec<_> = (0..3)
        .map(|_| {
            let rx = rx.clone();
            thread::spawn(move || {
                block_on(async {
                    let mut got = Vec::new();
                    // Per producer, values arrive in the order they were sent.
                    let mut last = [None::<u64>; PRODUCERS as usize];
                    while let Ok(v) = rx.recv().await {
                        let p = (v / PER_PRODUCER) as usize;
                        assert!(
                            last[p].is_none_or(|l| l < v),
                            "out of order: {v} after {last:?}"
                        );
                        last[p] = Some(v);
                        got.push(v);
                    }
                    got
                })
            })
        })
        .collect();
    drop(rx);
    for p in producers {
        p.join().unwrap();
    }
    let all: Vec<u64> = consumers
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    assert_eq!(all.len() as u64, PRODUCERS * PER_PRODUCER);
    let unique: HashSet<u64> = all.iter().copied().collect();
    assert_eq!(unique.len(), all.len(), "a message arrived twice");
    let n = PRODUCERS * PER_PRODUCER;
    assert_eq!(all.iter().sum::<u64>(), n * (n - 1) / 2);
}

#[test]
fn open_handles_are_clone_and_share_one_channel() {
    let (tx, rx) = bounded::<u8>(4);
    let tx2: Sender<u8, Open> = tx.clone();
    let rx2: Receiver<u8, Open> = rx.clone();
    assert_eq!(tx.chan_id(), tx2.chan_id());
    assert_eq!(rx.chan_id(), rx2.chan_id());
    assert_ne!(tx.id(), tx2.id(), "each handle has its own id");
    assert_ne!(rx.id(), rx2.id(), "each handle has its own id");
    tx2.try_send(1).unwrap();
    tx.try_send(2).unwrap();
    assert_eq!(rx2.try_recv(), Ok(1));
    assert_eq!(rx.try_recv(), Ok(2));
    let (other, _other_rx) = bounded::<u8>(4);
    assert_ne!(other.chan_id(), tx.chan_id(), "channel ids are unique");
}
