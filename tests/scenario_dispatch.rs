//! `RunOptions::dispatch` routes every channel event of a run (from the
//! worker threads and from the runner's own thread) to one subscriber, so
//! counts taken from the events equal the runner's own counters.
#![cfg(feature = "tui")]

mod deadline;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use chanviz::scenario::runner::{RunOptions, Runner};
use chanviz::scenario::spec;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

#[derive(Default)]
struct Counts {
    push: AtomicU64,
    pop: AtomicU64,
    lifecycle: AtomicU64,
}

struct CountOps(Arc<Counts>);

struct OpField(Option<String>);

impl Visit for OpField {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "op" {
            self.0 = Some(value.to_string());
        }
    }
    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}

impl<S: tracing::Subscriber> Layer<S> for CountOps {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() != "chanviz::channel" {
            return;
        }
        let mut op = OpField(None);
        event.record(&mut op);
        match op.0.as_deref() {
            // A hand-off is a push of a parked sender's message.
            Some("push" | "handoff") => self.0.push.fetch_add(1, Ordering::Relaxed),
            Some("pop") => self.0.pop.fetch_add(1, Ordering::Relaxed),
            Some("lifecycle") => self.0.lifecycle.fetch_add(1, Ordering::Relaxed),
            _ => 0,
        };
    }
}

#[test]
fn events_of_a_run_reach_its_dispatcher_and_match_the_runner_counts() {
    let counts = Arc::new(Counts::default());
    let dispatch =
        tracing::Dispatch::new(tracing_subscriber::registry().with(CountOps(counts.clone())));
    let scenario = spec::parse(
        "t.toml",
        "t",
        "title = \"t\"\ncapacity = 4\nworkers = 2\n[producers]\ncount = 3\nmessages = 300\n[consumers]\ncount = 2\n",
    )
    .unwrap();
    let handle = Runner::start(
        scenario,
        RunOptions {
            dispatch: Some(dispatch),
            ..RunOptions::default()
        },
    )
    .unwrap();
    let summary = deadline::within("the run ends", move || handle.wait().unwrap());
    assert_eq!(summary.sent, 900);
    assert_eq!(counts.push.load(Ordering::Relaxed), summary.sent);
    assert_eq!(counts.pop.load(Ordering::Relaxed), summary.received);
    // open -> closing -> closed, seen from the thread that closed it.
    assert_eq!(counts.lifecycle.load(Ordering::Relaxed), 2);
}
