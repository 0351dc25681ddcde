//! `tracing` caches each callsite's interest globally, and while only one
//! `Dispatch` exists it asks the current thread's default alone. These tests
//! pin down that the probe still sees the channel in those situations. One
//! test function, because the state under test is process-wide.
#![cfg(feature = "tui")]

use chanviz::channel::bounded;
use chanviz::probe::{set_thread_default, ProbeLayer};

/// Sends and receives three messages; returns the channel id.
fn traffic() -> u64 {
    let (tx, rx) = bounded::<u64>(4);
    for i in 0..3 {
        tx.try_send(i).unwrap();
        assert_eq!(rx.try_recv().unwrap(), i);
    }
    tx.chan_id()
}

#[test]
fn the_probe_sees_channels_whatever_interest_was_cached_before() {
    // 1. No dispatcher at all: the channel's callsites are cached "never".
    tracing::callsite::rebuild_interest_cache();
    traffic();

    // 2. A probe created afterwards: registering its dispatcher rebuilds the
    //    cache, so it sees the next channel.
    let probe = ProbeLayer::new().probe();
    let dispatch = probe.dispatch();
    let chan = tracing::dispatcher::with_default(&dispatch, traffic);
    let snap = probe.snapshot();
    let c = snap.channel(chan).expect("the probe saw the channel");
    assert_eq!(
        (c.capacity, c.counters.sent, c.counters.received),
        (4, 3, 3)
    );

    // 3. A rebuild while the probe's dispatcher is the only one but not this
    //    thread's default caches "never" again...
    tracing::callsite::rebuild_interest_cache();
    let unseen = traffic();
    assert!(probe.snapshot().channel(unseen).is_none());
    // ...even under `with_default`, since the cache is global.
    let unseen = tracing::dispatcher::with_default(&dispatch, traffic);
    assert!(probe.snapshot().channel(unseen).is_none());

    // 4. `set_thread_default` repairs it.
    set_thread_default(&dispatch);
    let chan = traffic();
    let snap = probe.snapshot();
    let c = snap.channel(chan).expect("the probe saw the channel");
    assert_eq!((c.counters.sent, c.counters.received), (3, 3));
}
