//! Decoding tests for the probe with synthetic events of schema v1: one per
//! op, plus channel separation, bounds, buckets and histories.
#![cfg(feature = "tui")]

use chanviz::channel::schema::TARGET;
use chanviz::probe::{
    EventKind, HandleState, Lifecycle, LifecycleChange, Probe, ProbeLayer, Role, Transition,
    BUCKETS, BUCKET_US,
};
use tracing_subscriber::layer::SubscriberExt;

/// A probe on a manual clock, and a closure runner that feeds it.
fn probe() -> (Probe, impl Fn(&dyn Fn())) {
    let layer = ProbeLayer::builder().manual_clock().build();
    probe_with(layer)
}

fn probe_with(layer: ProbeLayer) -> (Probe, impl Fn(&dyn Fn())) {
    let probe = layer.probe();
    let dispatch = probe.dispatch();
    drop(layer);
    let run = move |f: &dyn Fn()| tracing::dispatcher::with_default(&dispatch, f);
    (probe, run)
}

/// The snapshot after `events` ran under a fresh probe.
fn observe(events: impl Fn()) -> chanviz::probe::Snapshot {
    let (probe, run) = probe();
    run(&events);
    probe.snapshot()
}

/// The newest event, as `Debug` writes it: `SendWait { handle: 1, waiting: 2 }`.
fn last_event(snap: &chanviz::probe::Snapshot) -> String {
    format!("{:?}", snap.events.last().expect("an event").kind)
}

/// The newest event, a push or a pop: (op, handle, slot, head, tail, len).
fn last_ring_op(snap: &chanviz::probe::Snapshot) -> (&'static str, u64, usize, u64, u64, usize) {
    match snap.events.last().map(|e| e.kind) {
        Some(EventKind::Push {
            handle,
            slot,
            head,
            tail,
            len,
            ..
        }) => ("push", handle, slot, head, tail, len),
        Some(EventKind::Pop {
            handle,
            slot,
            head,
            tail,
            len,
        }) => ("pop", handle, slot, head, tail, len),
        other => panic!("the newest event is not a push or a pop: {other:?}"),
    }
}

fn created(chan: u64, capacity: u64, name: &str) {
    tracing::debug!(target: TARGET, op = "created", chan, capacity, name);
}

fn push(chan: u64, head: u64, tail: u64, slot: u64, handle: u64) {
    let len = head - tail;
    tracing::trace!(target: TARGET, op = "push", chan, head, tail, len, slot, handle);
}

fn pop(chan: u64, head: u64, tail: u64, slot: u64, handle: u64) {
    let len = head - tail;
    tracing::trace!(target: TARGET, op = "pop", chan, head, tail, len, slot, handle);
}

fn handle(chan: u64, handle: u64, role: &str, from: &str, to: &str) {
    tracing::debug!(target: TARGET, op = "handle", chan, handle, role, from, to);
}

fn lifecycle(chan: u64, from: &str, to: &str) {
    tracing::debug!(target: TARGET, op = "lifecycle", chan, from, to);
}

#[test]
fn created_registers_capacity_name_and_empty_slots() {
    let (probe, run) = probe();
    probe.set_time_us(1_234);
    run(&|| created(3, 4, "jobs"));
    let snap = probe.snapshot();
    let c = snap.channel(3).expect("channel 3");
    assert_eq!(c.capacity, 4);
    assert_eq!(c.name.as_deref(), Some("jobs"));
    assert_eq!(c.slots, vec![false; 4]);
    assert_eq!(c.lifecycle, Lifecycle::Open);
    assert_eq!(
        c.lifecycle_history,
        vec![LifecycleChange {
            at_us: 1_234,
            from: Lifecycle::Open,
            to: Lifecycle::Open
        }]
    );
    assert_eq!(snap.events.len(), 1);
    assert_eq!(snap.events[0].kind, EventKind::Created { capacity: 4 });
    assert_eq!(snap.events[0].at_us, 1_234);
}

#[test]
fn an_empty_name_is_no_name() {
    let (probe, run) = probe();
    run(&|| created(1, 2, ""));
    assert_eq!(probe.snapshot().channel(1).unwrap().name, None);
}

#[test]
fn push_sets_the_slot_head_len_and_counts_sent() {
    let snap = observe(|| {
        created(7, 4, "");
        tracing::trace!(target: "chanviz::channel", op = "push", chan = 7u64, head = 1u64, tail = 0u64, len = 1u64, slot = 0u64, handle = 0u64);
        push(7, 2, 0, 1, 2);
    });
    let c = snap.channel(7).unwrap();
    assert_eq!(c.counters.sent, 2);
    assert_eq!(c.counters.received, 0);
    assert_eq!((c.head, c.tail, c.len), (2, 0, 2));
    assert_eq!(c.slots, vec![true, true, false, false]);
    // (op, handle, slot, head, tail, len) of the newest event.
    assert_eq!(last_ring_op(&snap), ("push", 2, 1, 2, 0, 2));
}

#[test]
fn pop_clears_the_slot_moves_tail_and_counts_received() {
    let snap = observe(|| {
        created(1, 3, "");
        push(1, 1, 0, 0, 0);
        push(1, 2, 0, 1, 0);
        pop(1, 2, 1, 0, 5);
    });
    let c = snap.channel(1).unwrap();
    assert_eq!(c.counters.received, 1);
    assert_eq!((c.head, c.tail, c.len), (2, 1, 1));
    assert_eq!(c.slots, vec![false, true, false]);
    assert_eq!(last_ring_op(&snap), ("pop", 5, 0, 2, 1, 1));
}

#[test]
fn slots_follow_the_ring_round_its_laps() {
    let c = observe(|| {
        created(1, 2, "");
        for pos in 0..5u64 {
            push(1, pos + 1, pos, pos % 2, 0);
            pop(1, pos + 1, pos + 1, pos % 2, 0);
        }
        push(1, 6, 5, 1, 0); // position 5 is slot 1, lap 2
    })
    .channels
    .remove(0);
    assert_eq!(c.slots, vec![false, true]);
    assert_eq!((c.head_lap(), c.head_slot(), c.tail_slot()), (3, 0, 1));
}

#[test]
fn a_late_push_event_does_not_leave_a_slot_full() {
    // Another thread popped the message before the push event was decoded.
    let c = observe(|| {
        created(1, 4, "");
        pop(1, 1, 1, 0, 0);
        push(1, 1, 0, 0, 0);
    })
    .channels
    .remove(0);
    assert_eq!((c.head, c.tail, c.len), (1, 1, 0));
    assert_eq!(c.slots, vec![false; 4]);
    assert_eq!((c.counters.sent, c.counters.received), (1, 1));
}

#[test]
fn send_wait_sets_waiting_senders_and_peak() {
    let snap = observe(|| {
        created(2, 1, "");
        tracing::trace!(target: TARGET, op = "send_wait", chan = 2u64, handle = 0u64, waiting_senders = 1u64);
        tracing::trace!(target: TARGET, op = "send_wait", chan = 2u64, handle = 1u64, waiting_senders = 2u64);
    });
    let c = snap.channel(2).unwrap();
    assert_eq!(c.counters.send_waits, 2);
    assert_eq!((c.waiting_senders, c.peak_waiting_senders), (2, 2));
    assert_eq!(c.waiting_receivers, 0);
    assert_eq!(
        last_event(&snap),
        "SendWait { handle: 1, waiting: 2, ticket: 18446744073709551615 }"
    );
}

#[test]
fn recv_wait_sets_waiting_receivers_and_peak() {
    let snap = observe(|| {
        created(2, 1, "");
        tracing::trace!(target: TARGET, op = "recv_wait", chan = 2u64, handle = 3u64, waiting_receivers = 1u64);
    });
    let c = snap.channel(2).unwrap();
    assert_eq!(c.counters.recv_waits, 1);
    assert_eq!((c.waiting_receivers, c.peak_waiting_receivers), (1, 1));
    assert_eq!(
        last_event(&snap),
        "RecvWait { handle: 3, waiting: 1, ticket: 18446744073709551615 }"
    );
}

#[test]
fn wake_lowers_its_side_keeps_the_peak_and_counts() {
    let snap = observe(|| {
        created(2, 1, "");
        for (h, depth) in [(0u64, 1u64), (1, 2), (2, 3)] {
            tracing::trace!(target: TARGET, op = "send_wait", chan = 2u64, handle = h, waiting_senders = depth);
        }
        tracing::trace!(target: TARGET, op = "recv_wait", chan = 2u64, handle = 0u64, waiting_receivers = 1u64);
        tracing::trace!(target: TARGET, op = "wake", chan = 2u64, side = "senders", woken = 0u64, waiting = 2u64);
        tracing::trace!(target: TARGET, op = "wake", chan = 2u64, side = "senders", woken = 1u64, waiting = 1u64);
        tracing::trace!(target: TARGET, op = "wake", chan = 2u64, side = "receivers", woken = 0u64, waiting = 0u64);
    });
    let c = snap.channel(2).unwrap();
    assert_eq!((c.counters.sender_wakes, c.counters.receiver_wakes), (2, 1));
    assert_eq!(c.counters.wakes(), 3);
    assert_eq!((c.waiting_senders, c.peak_waiting_senders), (1, 3));
    assert_eq!((c.waiting_receivers, c.peak_waiting_receivers), (0, 1));
    assert_eq!(
        last_event(&snap),
        "Wake { side: Receivers, woken: 0, waiting: 0, ticket: 18446744073709551615, cause: Unknown, by: 0 }"
    );
}

#[test]
fn handle_events_build_each_handles_state_and_history() {
    let (probe, run) = probe();
    run(&|| {
        created(4, 2, "");
        probe.set_time_us(10);
        handle(4, 0, "sender", "-", "Open");
        handle(4, 0, "receiver", "-", "Open");
        probe.set_time_us(20);
        handle(4, 1, "sender", "-", "Open");
        probe.set_time_us(30);
        handle(4, 0, "sender", "Open", "Closing");
        probe.set_time_us(40);
        handle(4, 0, "sender", "Closing", "Closed");
        probe.set_time_us(50);
        handle(4, 0, "sender", "Closed", "-");
        handle(4, 1, "sender", "Open", "-");
    });
    let snap = probe.snapshot();
    let c = snap.channel(4).unwrap();
    let labels: Vec<String> = c.handles.iter().map(|h| h.label()).collect();
    assert_eq!(labels, ["S0", "R0", "S1"]);
    let s0 = &c.handles[0];
    assert_eq!(s0.state, HandleState::Dropped);
    let t = |at_us, from, to| Transition { at_us, from, to };
    use HandleState::*;
    assert_eq!(
        s0.transitions,
        vec![
            t(10, Absent, Open),
            t(30, Open, Closing),
            t(40, Closing, Closed),
            t(50, Closed, Dropped)
        ]
    );
    assert_eq!(s0.changed_at_us(), 50);
    assert_eq!(c.handles[1].role, Role::Receiver);
    assert_eq!(c.handles[1].state, Open);
    assert_eq!(c.handles[1].transitions, vec![t(10, Absent, Open)]);
    assert_eq!(c.handles_of(Role::Sender).count(), 2);
    assert_eq!(c.handles[2].state, Dropped);
    assert_eq!(
        last_event(&snap),
        "Handle { handle: 1, role: Sender, from: Open, to: Dropped }"
    );
}

#[test]
fn lifecycle_events_build_the_channel_history() {
    let (probe, run) = probe();
    run(&|| {
        probe.set_time_us(5);
        created(9, 2, "");
        probe.set_time_us(100);
        lifecycle(9, "open", "closing");
        probe.set_time_us(250);
        lifecycle(9, "closing", "closed");
    });
    let snap = probe.snapshot();
    let c = snap.channel(9).unwrap();
    assert_eq!(c.lifecycle, Lifecycle::Closed);
    let l = |at_us, from, to| LifecycleChange { at_us, from, to };
    use Lifecycle::*;
    assert_eq!(
        c.lifecycle_history,
        vec![
            l(5, Open, Open),
            l(100, Open, Closing),
            l(250, Closing, Closed)
        ]
    );
    assert_eq!(last_event(&snap), "Lifecycle { from: Closing, to: Closed }");
}

#[test]
fn channels_are_kept_apart_by_chan() {
    let snap = observe(|| {
        created(1, 4, "a");
        created(2, 8, "b");
        push(1, 1, 0, 0, 0);
        push(2, 1, 0, 0, 0);
        push(2, 2, 0, 1, 0);
        pop(2, 2, 1, 0, 0);
        tracing::trace!(target: TARGET, op = "send_wait", chan = 1u64, handle = 0u64, waiting_senders = 1u64);
        handle(2, 0, "receiver", "-", "Open");
        lifecycle(1, "open", "closing");
        // Five channels in a row, so the thread-local cache has to evict.
        for chan in 10..15 {
            created(chan, 1, "");
            push(chan, 1, 0, 0, 0);
        }
        push(1, 2, 0, 1, 0);
    });
    let ids: Vec<u64> = snap.channels.iter().map(|c| c.chan).collect();
    assert_eq!(ids, [1, 2, 10, 11, 12, 13, 14]);
    let (a, b) = (snap.channel(1).unwrap(), snap.channel(2).unwrap());
    assert_eq!(a.name.as_deref(), Some("a"));
    assert_eq!((a.counters.sent, a.counters.received), (2, 0));
    assert_eq!((b.counters.sent, b.counters.received), (2, 1));
    assert_eq!((a.waiting_senders, b.waiting_senders), (1, 0));
    assert_eq!((a.handles.len(), b.handles.len()), (0, 1));
    assert_eq!(
        (a.lifecycle, b.lifecycle),
        (Lifecycle::Closing, Lifecycle::Open)
    );
    assert_eq!((a.capacity, b.capacity), (4, 8));
    for chan in 10..15 {
        assert_eq!(snap.channel(chan).unwrap().counters.sent, 1);
    }
    assert_eq!(snap.current().unwrap().chan, 14);
}

#[test]
fn an_unannounced_channel_is_registered_with_unknown_capacity() {
    let (probe, run) = probe();
    run(&|| {
        push(42, 1, 0, 0, 0);
        pop(42, 1, 1, 0, 0);
    });
    let snap = probe.snapshot();
    let c = snap.channel(42).expect("registered on first sight");
    assert_eq!(c.capacity, 0);
    assert!(c.slots.is_empty());
    assert!(c.lifecycle_history.is_empty());
    assert_eq!((c.counters.sent, c.counters.received), (1, 1));
    // A late `created` fills in what was unknown and keeps the counts.
    run(&|| created(42, 2, "late"));
    let snap = probe.snapshot();
    let c = snap.channel(42).unwrap();
    assert_eq!((c.capacity, c.name.as_deref()), (2, Some("late")));
    assert_eq!(c.slots.len(), 2);
    assert_eq!(c.counters.sent, 1);
}

#[test]
fn other_targets_and_malformed_events_are_ignored() {
    let snap = observe(|| {
        created(1, 2, "");
        tracing::trace!(target: "elsewhere", op = "push", chan = 1u64, head = 1u64, tail = 0u64, len = 1u64, slot = 0u64, handle = 0u64);
        tracing::info!(op = "push", chan = 1u64, "not the channel's target");
        tracing::trace!(target: TARGET, op = "teleport", chan = 1u64);
        tracing::trace!(target: TARGET, op = "push", head = 1u64);
        tracing::trace!(target: TARGET, op = "wake", chan = 1u64, side = "sideways", woken = 0u64, waiting = 0u64);
        handle(1, 0, "spectator", "-", "Open");
        handle(1, 0, "sender", "-", "Ajar");
        lifecycle(1, "open", "-");
    });
    let c = snap.channel(1).unwrap();
    assert_eq!(c.counters, Default::default());
    assert!(c.handles.is_empty());
    assert_eq!(c.lifecycle, Lifecycle::Open);
    assert_eq!(snap.events_seen, 1, "only `created` was decoded");
    assert_eq!(snap.channels.len(), 1);
}

#[test]
fn text_recorded_with_display_or_debug_is_decoded() {
    let c = observe(|| {
        tracing::debug!(target: TARGET, op = %"created", chan = 1u64, capacity = 2u64, name = ?"dbg");
        tracing::trace!(target: TARGET, op = ?"push", chan = 1u64, head = 1u64, tail = 0u64, len = 1u64, slot = 0u64, handle = 0u64);
        tracing::trace!(target: TARGET, op = "wake", chan = 1u64, side = %"receivers", woken = 0u64, waiting = 0u64, "with a message");
    }).channels.remove(0);
    assert_eq!(c.name.as_deref(), Some("dbg"));
    assert_eq!(c.counters.sent, 1);
    assert_eq!(c.counters.receiver_wakes, 1);
}

#[test]
fn the_history_keeps_every_event_in_order_up_to_its_bound() {
    // A bound of 8: the history keeps between 8 and 8 + one checkpoint
    // stretch (4,096) of the newest events, and the oldest kept can be
    // sought to.
    let (probe, run) = probe_with(ProbeLayer::with_log_capacity(8));
    run(&|| {
        created(1, 4, "");
        for pos in 0..20u64 {
            push(1, pos + 1, pos, pos % 4, 0);
            pop(1, pos + 1, pos + 1, pos % 4, 0);
        }
    });
    let snap = probe.snapshot_with_events(100);
    assert_eq!(snap.events_seen, 41);
    assert_eq!(snap.events.len(), 41, "nothing dropped under the bound");
    assert_eq!(snap.events_dropped, 0);
    let seqs: Vec<u64> = snap.events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (0..41).collect::<Vec<_>>());
    assert!(matches!(
        snap.events[40].kind,
        EventKind::Pop { tail: 20, .. }
    ));
    run(&|| {
        for pos in 20..5_000u64 {
            push(1, pos + 1, pos, pos % 4, 0);
            pop(1, pos + 1, pos + 1, pos % 4, 0);
        }
    });
    let (first, end) = probe.history_bounds();
    assert_eq!(end, 1 + 2 * 5_000);
    assert!(
        end - first >= 8 && end - first <= 8 + 4_096,
        "{first}..{end}"
    );
    let oldest = probe
        .snapshot_at(first, 10)
        .expect("the oldest kept can be sought");
    assert!(oldest.channel(1).is_some());
    assert!(probe.snapshot_at(first.saturating_sub(1), 10).is_none() || first == 0);
    let snap = probe.snapshot_with_events(100);
    // Asking for fewer returns the newest, oldest first.
    let few = probe.snapshot_with_events(3);
    let seqs: Vec<u64> = few.events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [9_998, 9_999, 10_000]);
    assert_eq!(
        few.events_dropped, 0,
        "trimmed from the history is not dropped"
    );
    // The counters are exact whatever the history forgot.
    assert_eq!(snap.channel(1).unwrap().counters.sent, 5_000);
}

#[test]
fn buckets_roll_over_every_100ms_and_keep_60s() {
    let (probe, run) = probe();
    run(&|| {
        created(1, 8, "");
        push(1, 1, 0, 0, 0);
        push(1, 2, 0, 1, 0);
        tracing::trace!(target: TARGET, op = "send_wait", chan = 1u64, handle = 0u64, waiting_senders = 3u64);
        tracing::trace!(target: TARGET, op = "wake", chan = 1u64, side = "senders", woken = 0u64, waiting = 2u64);
        probe.set_time_us(BUCKET_US + 1);
        pop(1, 2, 1, 0, 0);
        // Bucket 2 sees nothing; bucket 3 sees a push.
        probe.set_time_us(3 * BUCKET_US + 5);
        push(1, 3, 1, 2, 0);
    });
    let snap = probe.snapshot();
    let b = &snap.channel(1).unwrap().buckets;
    assert_eq!(b.len(), 4);
    let starts: Vec<u64> = b.iter().map(|b| b.start_us).collect();
    assert_eq!(starts, [0, BUCKET_US, 2 * BUCKET_US, 3 * BUCKET_US]);
    let sent: Vec<u64> = b.iter().map(|b| b.sent).collect();
    let received: Vec<u64> = b.iter().map(|b| b.received).collect();
    let wakes: Vec<u64> = b.iter().map(|b| b.wakes).collect();
    assert_eq!(sent, [2, 0, 0, 1]);
    assert_eq!(received, [0, 1, 0, 0]);
    assert_eq!(wakes, [1, 0, 0, 0]);
    // The peak of bucket 0 is 3; after the wake 2 senders stay parked.
    let ws: Vec<usize> = b.iter().map(|b| b.max_waiting_senders).collect();
    assert_eq!(ws, [3, 2, 2, 2]);

    // After more than 60 s, only the newest BUCKETS remain, the last filling.
    run(&|| {
        probe.set_time_us(100 * 1_000_000);
        push(1, 4, 1, 3, 0);
    });
    let snap = probe.snapshot();
    let b = &snap.channel(1).unwrap().buckets;
    assert_eq!(b.len(), BUCKETS);
    assert_eq!(b.last().unwrap().start_us, 1_000 * BUCKET_US);
    assert_eq!(b.last().unwrap().sent, 1);
    assert_eq!(b.iter().map(|b| b.sent).sum::<u64>(), 1);
    assert_eq!(b[0].start_us, (1_000 - BUCKETS as u64 + 1) * BUCKET_US);
}

#[test]
fn snapshot_time_and_event_times_come_from_the_clock() {
    let (probe, run) = probe();
    run(&|| {
        probe.set_time_us(777);
        created(1, 1, "");
    });
    probe.set_time_us(900);
    let snap = probe.snapshot();
    assert_eq!(snap.at_us, 900);
    assert_eq!(snap.events[0].at_us, 777);
    // The last bucket is the one the snapshot time falls in.
    assert_eq!(snap.channels[0].buckets.len(), 1);
}

#[test]
fn a_real_clock_stamps_events_and_never_goes_backwards() {
    let (probe, run) = probe_with(ProbeLayer::new());
    run(&|| {
        created(1, 2, "");
        std::thread::sleep(std::time::Duration::from_millis(20));
        push(1, 1, 0, 0, 0);
    });
    let snap = probe.snapshot();
    let (a, b) = (snap.events[0].at_us, snap.events[1].at_us);
    assert!(b > a, "the ticker did not move the clock: {a} then {b}");
    assert!(snap.at_us >= b);
}

#[test]
fn works_as_a_layer_of_a_registry_under_with_default() {
    let layer = ProbeLayer::new();
    let probe = layer.probe();
    let subscriber = tracing_subscriber::registry().with(layer);
    tracing::subscriber::with_default(subscriber, || {
        created(7, 2, "");
        tracing::trace!(target: "chanviz::channel", op = "push", chan = 7u64, head = 1u64, tail = 0u64, len = 1u64, slot = 0u64, handle = 0u64);
    });
    let c = probe.snapshot().channels.remove(0);
    assert_eq!((c.chan, c.counters.sent, c.slots[0]), (7, 1, true));
}

#[test]
fn counters_are_exact_when_threads_race_and_the_log_accounts_for_every_event() {
    let (probe, run) = probe_with(ProbeLayer::with_log_capacity(100));
    run(&|| created(1, 1024, ""));
    let dispatch = probe.dispatch();
    let threads: Vec<_> = (0..4u64)
        .map(|t| {
            let dispatch = dispatch.clone();
            std::thread::spawn(move || {
                tracing::dispatcher::with_default(&dispatch, || {
                    for i in 0..10_000u64 {
                        let pos = t * 10_000 + i;
                        push(1, pos + 1, 0, pos % 1024, t);
                        tracing::trace!(target: TARGET, op = "wake", chan = 1u64, side = "receivers", woken = t, waiting = 0u64);
                    }
                })
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    // Wakes of receivers that never parked (synthetic) wait for their park
    // a few collector rounds, then go anyway: let them.
    std::thread::sleep(std::time::Duration::from_millis(200));
    let snap = probe.snapshot_with_events(100);
    let c = snap.channel(1).unwrap();
    assert_eq!(c.counters.sent, 40_000);
    assert_eq!(c.counters.receiver_wakes, 40_000);
    assert_eq!(c.head, 40_000);
    assert_eq!(snap.events_seen, 80_001);
    // Every event seen has a place in the stream or is counted in a gap
    // (four threads at full speed can outrun the collector in a debug
    // build: the queue then drops, and says so).
    let (_, end) = probe.history_bounds();
    assert_eq!(end + snap.events_dropped, snap.events_seen);
    let lost: u64 = probe.gaps().iter().map(|g| g.1).sum();
    assert!(lost <= snap.events_dropped);
    let seqs: Vec<u64> = snap.events.iter().map(|e| e.seq).collect();
    assert!(seqs.windows(2).all(|w| w[0] + 1 == w[1]), "out of order");
    assert_eq!(seqs.last(), Some(&(end - 1)));
}

/// Events that reach the probe out of their channel's order (another
/// thread emitted first) take their place in the stream after their cause:
/// a pop after the push of its position, a push after the pop that freed
/// its slot, a wake after its park.
#[test]
fn the_stream_puts_an_effect_after_its_cause() {
    let (probe, run) = probe();
    run(&|| {
        created(1, 1, "");
        // The pop of position 0 arrives before its push.
        pop(1, 1, 1, 0, 0);
        push(1, 1, 0, 0, 1);
        // The push of position 1 (slot 0 again) before the pop of 0 freed
        // it: impossible in a ring of 1, so it waits for that pop...
        push(1, 2, 1, 0, 1);
        // ...the wake of S2 before S2's park.
        tracing::trace!(target: TARGET, op = "wake", chan = 1u64, side = "senders", woken = 2u64, waiting = 0u64);
        tracing::trace!(target: TARGET, op = "send_wait", chan = 1u64, handle = 2u64, waiting_senders = 1u64);
    });
    let snap = probe.snapshot_with_events(100);
    let kinds: Vec<&str> = snap
        .events
        .iter()
        .map(|e| match e.kind {
            EventKind::Created { .. } => "created",
            EventKind::Push { .. } => "push",
            EventKind::Pop { .. } => "pop",
            EventKind::SendWait { .. } => "park",
            EventKind::Wake { .. } => "wake",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["created", "push", "pop", "push", "park", "wake"]);
    let seqs: Vec<u64> = snap.events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (0..6).collect::<Vec<_>>());
}
