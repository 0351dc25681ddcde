//! A viewer that attaches late still starts from the right picture: the
//! probe's history has forgotten the channel's `created` event (and every
//! event before its oldest kept one), and the observer sends the channel's
//! state first, so the viewer knows its name, capacity, counts since it was
//! made, lifecycle and handles.
#![cfg(feature = "observe")]

use std::io::Read;

use chanviz::channel::bounded_named;
use chanviz::probe::{ProbeLayer, Record};
use tracing_subscriber::layer::SubscriberExt;

#[test]
fn a_late_viewer_gets_every_channels_state_first() {
    // A history of 100 events forgets whole stretches of 4,096.
    let layer = ProbeLayer::with_log_capacity(100);
    let probe = layer.probe();
    let subscriber = tracing_subscriber::registry().with(layer);
    let (tx, rx) = tracing::subscriber::with_default(subscriber, || {
        let (tx, rx) = bounded_named::<u32>(8, "early");
        for i in 0..3000 {
            tx.try_send(i).unwrap();
            rx.try_recv().unwrap();
        }
        for i in 0..3 {
            tx.try_send(i).unwrap();
        }
        (tx, rx)
    });
    let (first, end) = probe.history_bounds();
    assert!(first > 0, "the created event is forgotten: {first}..{end}");
    let live = probe.snapshot();
    let live = live
        .channels
        .iter()
        .find(|c| c.chan == rx_chan(&live))
        .unwrap();

    let observer = chanviz::observe::Builder::new()
        .addr("127.0.0.1:0")
        .name("late")
        .start(&probe)
        .expect("observer");
    let mut conn = std::net::TcpStream::connect(observer.addr().unwrap()).unwrap();
    conn.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    // The header says the viewer is being served; then the program ends.
    let mut head = vec![0; chanviz::record::MAGIC.len()];
    conn.read_exact(&mut head).unwrap();
    drop(observer);
    conn.read_to_end(&mut head).unwrap();

    let loaded = chanviz::record::parse("stream", &head).expect("the stream reads");
    assert!(
        loaded
            .records
            .iter()
            .take_while(|r| !matches!(r, Record::Event(_)))
            .any(|r| matches!(r, Record::State(s) if s.capacity == 8)),
        "a state record before the first event"
    );
    let h = loaded.history();
    let h = h.read().unwrap();
    let snap = h.model().snapshot(0, Vec::new());
    let c = snap
        .channels
        .iter()
        .find(|c| c.name.as_deref() == Some("early"))
        .expect("the channel, named");
    assert_eq!(c.capacity, 8);
    assert_eq!(c.counters.sent, 3003);
    assert_eq!(c.counters.received, 3000);
    assert_eq!(
        (c.counters.sent, c.counters.received),
        (live.counters.sent, live.counters.received)
    );
    assert_eq!(c.len, 3);
    assert_eq!(c.slots.iter().filter(|s| **s).count(), 3);
    assert_eq!(c.handles.len(), live.handles.len());
    drop((tx, rx));
}

fn rx_chan(snap: &chanviz::probe::Snapshot) -> u64 {
    snap.channels
        .iter()
        .find(|c| c.name.as_deref() == Some("early"))
        .expect("the probe saw it")
        .chan
}
