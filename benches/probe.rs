//! What the probe costs: channel throughput with `ProbeLayer` installed
//! against no subscriber at all, in the same run.
//!
//! Workloads (see benches/README.md): 1,000,000 `u64` messages; the harness
//! spawns the producers, then the consumer, drops the original sender, awaits
//! every task, and checks the count and the sum.
//! - `spsc-1024/ct`: 1 producer, 1 consumer, capacity 1024, current-thread runtime.
//! - `mpsc4-1024/mt2`: 4 producers, 1 consumer, capacity 1024, 2 workers.
//!
//! "none" runs with no dispatcher alive at all (callsite interest rebuilt,
//! so a `trace!` costs a relaxed load), "probe" with the probe's dispatcher
//! as the default of the main thread and of every worker (set per thread in
//! `on_thread_start`, so both can run in one process), and "probe-global"
//! (last, since it cannot be undone) with `install_global()`. "visit-only"
//! is the floor for any decoding layer: the same set-up as "probe" with a
//! layer that visits every field and keeps nothing. "probe-recording" is
//! "probe" with the stream recorded (`chanviz::record`) to a file in the
//! temp folder (it prints what it wrote of what the probe numbered);
//! "probe-viewer" is "probe" with `chanviz::observe` streaming to a viewer
//! attached on 127.0.0.1 (a thread that reads and discards; it prints how
//! many events were dropped for it).
//!
//! Run briefly: `cargo bench --bench probe -- --warm-up-time 1 --measurement-time 3 --sample-size 10`
//!
//! Figures from 2026-11-27 (2-vCPU VM shared with other jobs, load ~4;
//! medians of 10 samples, millions of messages per second):
//!
//! | workload | none | probe | probe-global | visit-only |
//! |---|---|---|---|---|
//! | spsc-1024/ct | 56.3 | 3.98 | 5.24 | 7.72 |
//! | mpsc4-1024/mt2 | 42.9 | 3.02 | 2.86 | 5.09 |
//!
//! 2026-11-29, same VM, `spsc-1024/ct`: none 92.2, probe 6.55,
//! probe-recording 6.73, probe-viewer 3.62 (0 events dropped for the
//! viewer), visit-only 13.6: the probe costs about 70 ns per event, a
//! viewer about 60 ns more (its encoding, the socket and the reading share
//! the VM's two cores with the program).

use std::hint::black_box;

use chanviz::channel::bounded;
use chanviz::probe::{set_thread_default, Probe, ProbeLayer};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tokio::runtime::{Builder, Runtime};
use tracing::field::{Field, Visit};
use tracing::subscriber::Interest;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

const MESSAGES: u64 = 1_000_000;
const CAPACITY: usize = 1024;

/// Moves `MESSAGES` from `producers` tasks to one consumer, checks them.
async fn workload(producers: u64) {
    let (tx, rx) = bounded::<u64>(CAPACITY);
    let each = MESSAGES / producers;
    let mut tasks = Vec::new();
    for p in 0..producers {
        let tx = tx.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..each {
                tx.send(p * each + i).await.expect("receiver alive");
            }
        }));
    }
    drop(tx);
    let consumer = tokio::spawn(async move {
        let (mut n, mut sum) = (0u64, 0u64);
        while let Ok(v) = rx.recv().await {
            n += 1;
            sum = sum.wrapping_add(v);
        }
        (n, sum)
    });
    for t in tasks {
        t.await.unwrap();
    }
    let (n, sum) = consumer.await.unwrap();
    let total = each * producers;
    assert_eq!(n, total);
    assert_eq!(sum, total * (total - 1) / 2);
    black_box(sum);
}

fn current_thread() -> Runtime {
    Builder::new_current_thread().build().unwrap()
}

fn multi_thread(dispatch: Option<tracing::Dispatch>) -> Runtime {
    let mut b = Builder::new_multi_thread();
    b.worker_threads(2);
    if let Some(dispatch) = dispatch {
        b.on_thread_start(move || set_thread_default(&dispatch));
    }
    b.build().unwrap()
}

/// How the benchmark observes the channel.
#[derive(Clone, Copy, PartialEq)]
enum Observer {
    /// No dispatcher alive at all.
    None,
    /// The probe's dispatcher as the default of the main thread
    /// (`with_default`) and of every worker (`on_thread_start`).
    Scoped,
    /// The probe installed as the global default (measured last: it cannot
    /// be undone).
    Global,
    /// The floor for any layer that decodes: a registry with a layer that
    /// visits every field and keeps nothing, set up like `Scoped`.
    VisitOnly,
    /// `Scoped`, and `chanviz::observe` streaming to a viewer attached on
    /// 127.0.0.1 (a thread of this process that reads and discards).
    Viewer,
    /// `Scoped`, and the probe's stream recorded (`chanviz::record`) to a
    /// file in the temp folder: the encoding, the writer thread and the disk.
    Recording,
}

/// A layer that visits every field of the channel's events and keeps nothing.
struct VisitOnly;

impl<S: tracing::Subscriber> Layer<S> for VisitOnly {
    fn register_callsite(&self, m: &'static tracing::Metadata<'static>) -> Interest {
        if m.target() == chanviz::channel::schema::TARGET {
            Interest::always()
        } else {
            Interest::never()
        }
    }

    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        struct Sum(u64);
        impl Visit for Sum {
            fn record_u64(&mut self, _f: &Field, v: u64) {
                self.0 = self.0.wrapping_add(v);
            }
            fn record_str(&mut self, _f: &Field, v: &str) {
                self.0 = self.0.wrapping_add(v.len() as u64);
            }
            fn record_debug(&mut self, _f: &Field, _v: &dyn std::fmt::Debug) {}
        }
        let mut sum = Sum(0);
        event.record(&mut sum);
        black_box(sum.0);
    }
}

const WORKLOADS: [(&str, u64, bool); 2] = [("spsc-1024/ct", 1, true), ("mpsc4-1024/mt2", 4, false)];

/// Runs one workload under one observer.
fn bench_one(
    c: &mut Criterion,
    name: &str,
    producers: u64,
    ct: bool,
    observer: Observer,
    probe: Option<&Probe>,
) {
    if observer == Observer::None {
        // With no dispatcher alive, callsites go back to "never". (Never
        // rebuild while the probe's dispatcher is the only one alive but not
        // this thread's default: tracing would ask this thread only.)
        tracing::callsite::rebuild_interest_cache();
    }
    let scoped = match observer {
        Observer::Scoped | Observer::Recording | Observer::Viewer => probe.map(Probe::dispatch),
        Observer::VisitOnly => Some(tracing::Dispatch::new(
            tracing_subscriber::registry().with(VisitOnly),
        )),
        _ => None,
    };
    let rt = if ct {
        current_thread()
    } else {
        multi_thread(scoped.clone())
    };
    let id = match observer {
        Observer::None => "none",
        Observer::Scoped => "probe",
        Observer::Global => "probe-global",
        Observer::VisitOnly => "visit-only",
        Observer::Recording => "probe-recording",
        Observer::Viewer => "probe-viewer",
    };
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(MESSAGES));
    group.bench_function(id, |b| {
        b.iter(|| match &scoped {
            Some(d) => tracing::dispatcher::with_default(d, || rt.block_on(workload(producers))),
            None => rt.block_on(workload(producers)),
        })
    });
    group.finish();
    drop(rt); // the workers' thread-local guards go with their threads
    if let Some(probe) = probe {
        // The probe saw every message of the last run (if this benchmark
        // was not filtered out).
        let snap = probe.snapshot_with_events(0);
        if let Some(last) = snap.current() {
            assert_eq!(last.counters.sent, MESSAGES);
            assert_eq!(last.counters.received, MESSAGES);
        }
    }
}

fn probe_overhead(c: &mut Criterion) {
    for (name, producers, ct) in WORKLOADS {
        bench_one(c, name, producers, ct, Observer::None, None);
        let probe = ProbeLayer::new().probe();
        bench_one(c, name, producers, ct, Observer::Scoped, Some(&probe));
        drop(probe);
        let probe = ProbeLayer::new().probe();
        let header = chanviz::record::Header {
            format: chanviz::record::VERSION,
            chanviz: "bench".into(),
            started_unix_s: 0,
            scenario: name.into(),
            scenario_toml: String::new(),
        };
        // A real file (the disk's cost is part of recording), removed after.
        let path = std::env::temp_dir().join(format!(
            "chanviz-bench-{}-{}.rec",
            std::process::id(),
            name.replace('/', "-")
        ));
        let recorder = chanviz::record::Recorder::start(&path, &header, &probe)
            .expect("create the recording in the temp folder");
        bench_one(c, name, producers, ct, Observer::Recording, Some(&probe));
        let written = recorder
            .finish(String::new(), String::new())
            .expect("the recording is written");
        // Recording is only cheap if it keeps up: say what it wrote of what
        // the probe numbered (the rest went into gaps).
        let numbered = probe.history_bounds().1;
        let bytes = std::fs::metadata(&path).map_or(0, |m| m.len());
        let _ = std::fs::remove_file(&path);
        eprintln!(
            "{name}/probe-recording: wrote {written} of {numbered} events ({} lost to the \
             recorder), {:.1} bytes per event",
            numbered.saturating_sub(written),
            bytes as f64 / written.max(1) as f64
        );
        drop(probe);
        let probe = ProbeLayer::new().probe();
        let observer = chanviz::observe::Builder::new()
            .addr("127.0.0.1:0")
            .name(name)
            .start(&probe)
            .expect("listen on 127.0.0.1");
        let mut conn = std::net::TcpStream::connect(observer.addr().expect("listening"))
            .expect("attach to the observer");
        let viewer =
            std::thread::spawn(move || std::io::copy(&mut conn, &mut std::io::sink()).unwrap_or(0));
        bench_one(c, name, producers, ct, Observer::Viewer, Some(&probe));
        let numbered = probe.history_bounds().1;
        let dropped = observer.dropped();
        drop(observer);
        let bytes = viewer.join().unwrap_or(0);
        // As for recording: say what the viewer got of what was numbered.
        eprintln!(
            "{name}/probe-viewer: {dropped} of {numbered} events dropped for the viewer, \
             {bytes} bytes sent"
        );
        drop(probe);
        bench_one(c, name, producers, ct, Observer::VisitOnly, None);
    }
    let probe = chanviz::probe::install_global();
    for (name, producers, ct) in WORKLOADS {
        bench_one(c, name, producers, ct, Observer::Global, Some(&probe));
    }
}

criterion_group!(benches, probe_overhead);
criterion_main!(benches);
