//! The probe watching a real channel: what it derives from the events must
//! equal what the tasks themselves counted.
#![cfg(feature = "tui")]

mod deadline;

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use chanviz::channel::{bounded_named, TrySendError};
use chanviz::probe::{set_thread_default, HandleState, Lifecycle, ProbeLayer, Role};

/// A 2-worker runtime whose threads all report to `dispatch`.
fn runtime(dispatch: &tracing::Dispatch) -> tokio::runtime::Runtime {
    let dispatch = dispatch.clone();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .on_thread_start(move || set_thread_default(&dispatch))
        .enable_time()
        .build()
        .unwrap()
}

/// Run `tasks` on `rt` with `dispatch` as this thread's default too; tasks
/// that never finish fail the test after [`deadline::HANG`].
fn run<T>(
    rt: &tokio::runtime::Runtime,
    dispatch: &tracing::Dispatch,
    tasks: impl Future<Output = T>,
) -> T {
    tracing::dispatcher::with_default(dispatch, || {
        rt.block_on(async {
            tokio::time::timeout(deadline::HANG, tasks)
                .await
                .expect("the tasks did not finish: they hang")
        })
    })
}

#[test]
fn probe_counters_equal_the_tasks_own_counts_with_several_producers_and_consumers() {
    const PRODUCERS: u64 = 4;
    const CONSUMERS: u64 = 3;
    const EACH: u64 = 5_000;
    let probe = ProbeLayer::new().probe();
    let dispatch = probe.dispatch();
    let rt = runtime(&dispatch);
    let sent = Arc::new(AtomicU64::new(0));
    let received = Arc::new(AtomicU64::new(0));
    let chan = run(&rt, &dispatch, async {
        // A small ring, so senders and receivers park and get woken.
        let (tx, rx) = bounded_named::<u64>(4, "probe-test");
        let chan = tx.chan_id();
        let mut tasks = Vec::new();
        for p in 0..PRODUCERS {
            let tx = tx.clone();
            let sent = Arc::clone(&sent);
            tasks.push(tokio::spawn(async move {
                for i in 0..EACH {
                    let v = p * EACH + i;
                    // Half the producers try first, to mix both paths.
                    let v = if p % 2 == 0 {
                        match tx.try_send(v) {
                            Ok(()) => {
                                sent.fetch_add(1, Ordering::Relaxed);
                                continue;
                            }
                            Err(TrySendError::Full(v)) => v,
                            Err(TrySendError::Closed(_)) => panic!("closed early"),
                        }
                    } else {
                        v
                    };
                    tx.send(v).await.expect("open");
                    sent.fetch_add(1, Ordering::Relaxed);
                }
            }));
        }
        drop(tx);
        for _ in 0..CONSUMERS {
            let rx = rx.clone();
            let received = Arc::clone(&received);
            tasks.push(tokio::spawn(async move {
                while rx.recv().await.is_ok() {
                    received.fetch_add(1, Ordering::Relaxed);
                }
            }));
        }
        drop(rx);
        for t in tasks {
            t.await.unwrap();
        }
        chan
    });
    drop(rt); // joins the workers: every event has been decoded

    let sent = sent.load(Ordering::Relaxed);
    let received = received.load(Ordering::Relaxed);
    assert_eq!(sent, PRODUCERS * EACH);
    assert_eq!(received, sent);

    let snap = probe.snapshot();
    let c = snap.channel(chan).expect("the probe saw the channel");
    assert_eq!(c.name.as_deref(), Some("probe-test"));
    assert_eq!(c.capacity, 4);
    assert_eq!(c.counters.sent, sent);
    assert_eq!(c.counters.received, received);
    assert_eq!((c.head, c.tail, c.len), (sent, received, 0));
    assert_eq!(c.slots, vec![false; 4]);
    // The original sender and receiver plus one clone per task.
    assert_eq!(c.handles_of(Role::Sender).count() as u64, 1 + PRODUCERS);
    assert_eq!(c.handles_of(Role::Receiver).count() as u64, 1 + CONSUMERS);
    for h in &c.handles {
        assert_eq!(h.state, HandleState::Dropped, "{} still alive", h.label());
        assert_eq!(h.transitions[0].from, HandleState::Absent);
        assert_eq!(h.transitions[0].to, HandleState::Open);
    }
    assert_eq!(c.lifecycle, Lifecycle::Closed);
    let steps: Vec<(Lifecycle, Lifecycle)> =
        c.lifecycle_history.iter().map(|l| (l.from, l.to)).collect();
    assert_eq!(
        steps,
        [
            (Lifecycle::Open, Lifecycle::Open),
            (Lifecycle::Open, Lifecycle::Closing),
            (Lifecycle::Closing, Lifecycle::Closed)
        ]
    );
    // Every push and pop is in a bucket.
    let in_buckets: (u64, u64) = c
        .buckets
        .iter()
        .fold((0, 0), |(s, r), b| (s + b.sent, r + b.received));
    assert_eq!(in_buckets, (sent, received));
    // Asking for the whole history: every event seen is either in it or
    // lost in a gap (the history holds a million), in one order in which
    // every pop comes after its push.
    let all = probe.snapshot_with_events(usize::MAX);
    assert_eq!(
        all.events.len() as u64 + all.events_dropped,
        all.events_seen
    );
    assert!(all.events_seen >= 2 * sent);
    let seqs: Vec<u64> = all.events.iter().map(|e| e.seq).collect();
    assert!(
        seqs.windows(2).all(|w| w[0] + 1 == w[1]),
        "numbered in order"
    );
    if all.events_dropped == 0 {
        let mut head = 0;
        for e in &all.events {
            match e.kind {
                chanviz::probe::EventKind::Push { head: h, .. } => head = head.max(h),
                chanviz::probe::EventKind::Pop { tail, .. } => {
                    assert!(tail <= head, "the pop of {} before its push", tail - 1)
                }
                _ => {}
            }
        }
    }
}

#[test]
fn closing_through_the_type_state_api_shows_every_transition() {
    let probe = ProbeLayer::new().probe();
    let dispatch = probe.dispatch();
    // On a thread of its own: a drain that never completes fails the test.
    let on_thread = dispatch.clone();
    let (chan, sender_id) = deadline::within("the close and drain", move || {
        tracing::dispatcher::with_default(&on_thread, || {
            futures::executor::block_on(async {
                let (tx, rx) = bounded_named::<u32>(2, "shutdown");
                let chan = tx.chan_id();
                let id = tx.id();
                tx.try_send(1).unwrap();
                let closing = tx.close();
                let rx = rx.close();
                let drained: Vec<u32> = rx.drain().collect();
                assert_eq!(drained, [1]);
                let closed = closing.drained().await;
                let rx = rx.try_finish().expect("drained");
                drop((closed, rx));
                (chan, id)
            })
        })
    });
    let snap = probe.snapshot();
    let c = snap.channel(chan).unwrap();
    assert_eq!((c.counters.sent, c.counters.received), (1, 1));
    let s = c
        .handles_of(Role::Sender)
        .find(|h| h.id == sender_id)
        .unwrap();
    let steps: Vec<(HandleState, HandleState)> =
        s.transitions.iter().map(|t| (t.from, t.to)).collect();
    use HandleState::*;
    assert_eq!(
        steps,
        [
            (Absent, Open),
            (Open, Closing),
            (Closing, Closed),
            (Closed, Dropped)
        ]
    );
    let r = c.handles_of(Role::Receiver).next().unwrap();
    assert_eq!(r.state, Dropped);
    assert_eq!(r.transitions.len(), 4);
    assert_eq!(c.lifecycle, Lifecycle::Closed);
}

#[test]
fn snapshots_taken_while_the_channel_runs_only_move_forward() {
    const EACH: u64 = 20_000;
    let probe = ProbeLayer::with_log_capacity(1_000).probe();
    let dispatch = probe.dispatch();
    let rt = runtime(&dispatch);
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watcher = {
        let probe = probe.clone();
        let done = Arc::clone(&done);
        std::thread::spawn(move || {
            let mut last = (0u64, 0u64, 0u64, 0u64);
            let mut snapshots = 0u64;
            while !done.load(Ordering::Acquire) {
                let snap = probe.snapshot();
                if let Some(c) = snap.current() {
                    let now = (c.counters.sent, c.counters.received, c.head, c.tail);
                    assert!(now.0 >= last.0 && now.1 >= last.1, "counters went back");
                    assert!(now.2 >= last.2 && now.3 >= last.3, "positions went back");
                    assert!(c.len <= c.capacity);
                    assert_eq!(c.slots.len(), c.capacity);
                    last = now;
                }
                assert!(snap.events.len() <= 500);
                let seqs: Vec<u64> = snap.events.iter().map(|e| e.seq).collect();
                assert!(seqs.windows(2).all(|w| w[0] < w[1]), "log out of order");
                snapshots += 1;
            }
            snapshots
        })
    };
    let chan = run(&rt, &dispatch, async {
        let (tx, rx) = bounded_named::<u64>(16, "watched");
        let chan = tx.chan_id();
        let producers: Vec<_> = (0..2)
            .map(|_| {
                let tx = tx.clone();
                tokio::spawn(async move {
                    for i in 0..EACH {
                        tx.send(i).await.unwrap();
                    }
                })
            })
            .collect();
        drop(tx);
        let consumer = tokio::spawn(async move {
            let mut n = 0u64;
            while rx.recv().await.is_ok() {
                n += 1;
            }
            n
        });
        for p in producers {
            p.await.unwrap();
        }
        assert_eq!(consumer.await.unwrap(), 2 * EACH);
        chan
    });
    done.store(true, Ordering::Release);
    let snapshots = watcher.join().expect("the watcher's checks held");
    assert!(snapshots > 0);
    drop(rt);
    let c = probe.snapshot().channel(chan).cloned().unwrap();
    assert_eq!((c.counters.sent, c.counters.received), (2 * EACH, 2 * EACH));
}
