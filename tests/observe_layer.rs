//! The observer composes with a program's own `tracing` subscriber: the
//! probe's layer, under a per-layer filter for the channel's target, sits
//! in the same registry as the program's own layer; the program's layer
//! still sees its own events, the probe sees every channel event, and an
//! observer started on that probe records them.
#![cfg(feature = "tui")]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use chanviz::channel::{bounded_named, schema::TARGET};
use chanviz::probe::ProbeLayer;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// The program's own layer: counts the events of its own target.
struct Mine(Arc<AtomicUsize>);

impl<S: tracing::Subscriber> Layer<S> for Mine {
    fn on_event(&self, e: &tracing::Event<'_>, _: Context<'_, S>) {
        if e.metadata().target() == "my_app" {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[test]
fn the_probe_layer_beside_the_programs_own_layer() {
    let mine = Arc::new(AtomicUsize::new(0));
    let layer = ProbeLayer::new();
    let probe = layer.probe();
    let subscriber = tracing_subscriber::registry()
        .with(Mine(mine.clone()))
        .with(layer.with_filter(filter_fn(|m| m.target() == TARGET)));
    let dir = std::env::temp_dir().join(format!("chanviz-observe-layer-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("run.rec");
    tracing::subscriber::with_default(subscriber, || {
        let observer = chanviz::observe::Builder::new()
            .record(&file)
            .name("my-app")
            .start(&probe)
            .expect("observer");
        tracing::info!(target: "my_app", "starting");
        let (tx, rx) = bounded_named::<u32>(4, "jobs");
        for i in 0..3 {
            tx.try_send(i).unwrap();
        }
        for _ in 0..3 {
            rx.try_recv().unwrap();
        }
        tracing::info!(target: "my_app", "done");
        drop((tx, rx));
        drop(observer);
    });
    assert_eq!(
        mine.load(Ordering::Relaxed),
        2,
        "the program's layer sees its events"
    );
    let snap = probe.snapshot();
    let c = snap.current().expect("the probe saw the channel");
    assert_eq!(c.name.as_deref(), Some("jobs"));
    assert_eq!((c.counters.sent, c.counters.received), (3, 3));
    let loaded = chanviz::record::load(&file).expect("the recording");
    assert_eq!(loaded.header.scenario, "my-app");
    let pushes = loaded
        .records
        .iter()
        .filter(|r| {
            matches!(
                r,
                chanviz::probe::Record::Event(e) if matches!(e.kind, chanviz::probe::EventKind::Push { .. })
            )
        })
        .count();
    assert_eq!(pushes, 3);
    std::fs::remove_dir_all(&dir).ok();
}

/// `chanviz::observe::layer()`: the filtered layer and the observer in one
/// call, beside the program's own layer.
#[test]
fn observe_layer_beside_the_programs_own_layer() {
    let mine = Arc::new(AtomicUsize::new(0));
    // No CHANVIZ_ADDR or CHANVIZ_RECORD in a test: the probe alone.
    let (layer, observer) = chanviz::observe::layer().expect("observer");
    let subscriber = tracing_subscriber::registry()
        .with(Mine(mine.clone()))
        .with(layer);
    tracing::subscriber::with_default(subscriber, || {
        tracing::info!(target: "my_app", "starting");
        let (tx, rx) = bounded_named::<u32>(2, "jobs");
        tx.try_send(1).unwrap();
        rx.try_recv().unwrap();
    });
    assert_eq!(mine.load(Ordering::Relaxed), 1);
    let snap = observer.probe().snapshot();
    let c = snap.current().expect("the probe saw the channel");
    assert_eq!(c.name.as_deref(), Some("jobs"));
    assert_eq!((c.capacity, c.counters.sent), (2, 1));
}
