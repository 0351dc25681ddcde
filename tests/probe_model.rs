//! The model as a fold of the events (`probe::Model`) gives the same picture
//! as the live probe: run real scenarios under a probe whose log keeps every
//! event, fold that log, and compare the two snapshots channel by channel.
#![cfg(feature = "tui")]

mod deadline;

use std::time::Duration;

use chanviz::probe::{EventKind, Model, ProbeLayer, Snapshot};
use chanviz::scenario::demos;
use chanviz::scenario::runner::{RunOptions, Runner};

/// Run demo `name` for `secs` under a probe of its own; its snapshot.
fn live(name: &str, secs: f64) -> Snapshot {
    let mut s = demos::find(name).unwrap().scenario().unwrap();
    s.duration = Some(Duration::from_secs_f64(secs));
    // One worker: the log's try-lock then loses nothing to contention.
    s.workers = 1;
    let probe = ProbeLayer::with_log_capacity(1_000_000).probe();
    let handle = Runner::start(
        s,
        RunOptions {
            dispatch: Some(probe.dispatch()),
            ..RunOptions::default()
        },
    )
    .unwrap();
    deadline::within("the run ends", move || handle.wait().unwrap());
    probe.snapshot_with_events(1_000_000)
}

fn fold(snap: &Snapshot) -> Snapshot {
    let mut model = Model::new();
    for e in &snap.events {
        model.apply(e);
        if let EventKind::Created { .. } = e.kind {
            if let Some(name) = snap.channel(e.chan).and_then(|c| c.name.as_deref()) {
                model.name(e.chan, name);
            }
        }
    }
    model.snapshot(snap.at_us, snap.events.clone())
}

fn assert_fold_equals_live(name: &str, secs: f64) {
    let live = live(name, secs);
    assert_eq!(
        live.events_dropped, 0,
        "{name}: the log lost events; no fair comparison"
    );
    assert!(
        live.events.len() > 50,
        "{name}: only {} events",
        live.events.len()
    );
    let folded = fold(&live);
    assert_eq!(folded.channels.len(), live.channels.len(), "{name}");
    for (f, l) in folded.channels.iter().zip(&live.channels) {
        // Field by field, so that a failure says which.
        assert_eq!(f.counters, l.counters, "{name}: counters");
        assert_eq!(
            (f.head, f.tail, f.len),
            (l.head, l.tail, l.len),
            "{name}: positions"
        );
        assert_eq!(f.slots, l.slots, "{name}: slots");
        assert_eq!(
            (
                f.waiting_senders,
                f.waiting_receivers,
                f.peak_waiting_senders,
                f.peak_waiting_receivers
            ),
            (
                l.waiting_senders,
                l.waiting_receivers,
                l.peak_waiting_senders,
                l.peak_waiting_receivers
            ),
            "{name}: waiters"
        );
        assert_eq!(f.handles, l.handles, "{name}: handles");
        assert_eq!(
            f.lifecycle_history, l.lifecycle_history,
            "{name}: lifecycle"
        );
        assert_eq!(f.buckets, l.buckets, "{name}: buckets");
        assert_eq!(f, l, "{name}: the whole channel");
    }
    assert_eq!(folded.events_seen, live.events_seen, "{name}: events seen");
}

#[test]
fn the_fold_of_the_events_is_the_live_picture() {
    let runs: Vec<_> = [
        ("backpressure", 1.5),
        ("mpmc", 2.0),
        ("shutdown", 7.5),
        ("one-slot", 1.5),
    ]
    .into_iter()
    .map(|(name, secs)| std::thread::spawn(move || assert_fold_equals_live(name, secs)))
    .collect();
    for r in runs {
        r.join().expect("a comparison failed");
    }
}

/// Seeking (a checkpoint, then a short fold) gives the same model as
/// folding every event from the start, at many points, across several
/// checkpoints and after the history forgot its oldest events.
#[test]
fn seeking_anywhere_equals_folding_from_the_start() {
    use chanviz::probe::{History, LogEntry, Record};
    // A synthetic stream long enough for several checkpoints: a ring of 4,
    // one pusher and one popper, with parks and wakes now and then.
    let mut events = Vec::new();
    let mut seq = 0u64;
    let mut add = |kind: EventKind, events: &mut Vec<LogEntry>| {
        events.push(LogEntry {
            seq,
            at_us: seq * 250,
            chan: 7,
            kind,
        });
        seq += 1;
    };
    add(EventKind::Created { capacity: 4 }, &mut events);
    for p in 0..8_000u64 {
        add(
            EventKind::Push {
                handle: 1 + p % 3,
                slot: (p % 4) as usize,
                head: p + 1,
                tail: p,
                len: 1,
                handoff: false,
            },
            &mut events,
        );
        if p % 7 == 0 {
            add(
                EventKind::RecvWait {
                    handle: 0,
                    waiting: 1,
                    ticket: p,
                },
                &mut events,
            );
            add(
                EventKind::Wake {
                    side: chanviz::probe::Side::Receivers,
                    woken: 0,
                    waiting: 0,
                    ticket: p,
                    cause: chanviz::probe::WakeCause::Push,
                    by: 0,
                },
                &mut events,
            );
        }
        add(
            EventKind::Pop {
                handle: 0,
                slot: (p % 4) as usize,
                head: p + 1,
                tail: p + 1,
                len: 0,
            },
            &mut events,
        );
    }
    let mut history = History::new(10_000);
    for e in &events {
        history.push_record(&Record::Event(*e));
    }
    let fold_to = |seq: u64| {
        let mut m = Model::new();
        for e in &events[..=seq as usize] {
            m.apply(e);
        }
        m
    };
    let (first, end) = (history.first(), history.end());
    assert!(end - first >= 10_000, "kept {first}..{end}");
    assert!(first > 0, "the history forgot its oldest stretch");
    // Deterministic spread of points: every checkpoint edge and between.
    let mut points: Vec<u64> = (first..end).step_by(977).collect();
    points.extend([first, end - 1, 8_191, 8_192, 8_193, 12_288, 16_384]);
    for seq in points.into_iter().filter(|s| (first..end).contains(s)) {
        let sought = history.model_at(seq).expect("kept");
        assert_eq!(sought, fold_to(seq), "at {seq}");
        let snap = history.snapshot_at(seq, 5).unwrap();
        assert_eq!(snap.at_us, seq * 250);
        assert_eq!(snap.events.last().map(|e| e.seq), Some(seq));
    }
    assert!(history.model_at(first - 1).is_none());
}

/// The bug schema v2 fixes, as a teacher met it: in `backpressure`, after
/// `P P P` and `x`, the waiters panel kept saying "senders 1 waiting" on a
/// finished channel. Parked senders that stop now leave with an event.
#[test]
fn stopped_parked_senders_leave_their_queue() {
    use chanviz::scenario::control::{Command, Control};
    let mut s = demos::find("backpressure").unwrap().scenario().unwrap();
    s.duration = None;
    let probe = ProbeLayer::new().probe();
    let handle = Runner::start(
        s,
        RunOptions {
            dispatch: Some(probe.dispatch()),
            ..RunOptions::default()
        },
    )
    .unwrap();
    let deadline = std::time::Instant::now() + deadline::HANG;
    while probe
        .snapshot()
        .current()
        .is_none_or(|c| c.waiting_senders < 3)
    {
        assert!(std::time::Instant::now() < deadline, "senders never parked");
        std::thread::sleep(Duration::from_millis(5));
    }
    for _ in 0..3 {
        handle.command(Command::RemoveProducer);
    }
    handle.command(Command::Close);
    let summary = deadline::within("the run ends", move || handle.wait().unwrap());
    assert_eq!(summary.sent, summary.received);
    let snap = probe.snapshot_with_events(1_000_000);
    let c = snap.current().unwrap();
    assert_eq!(c.lifecycle, chanviz::probe::Lifecycle::Closed);
    assert_eq!(
        (c.waiting_senders, c.waiting_receivers),
        (0, 0),
        "a finished channel has nobody waiting"
    );
    assert!(
        snap.events
            .iter()
            .any(|e| matches!(e.kind, EventKind::Leave { served: false, .. })),
        "a stopped parked sender left with an event"
    );
}
