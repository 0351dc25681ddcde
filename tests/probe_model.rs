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
