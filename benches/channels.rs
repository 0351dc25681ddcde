//! chanviz against the anchors (workloads and contenders: `benches/README.md`): tokio::sync::mpsc, flume,
//! async-channel, kanal and thingbuf, on the five workloads, in one run; and
//! chanviz observed by a subscriber that counts every event, to show what
//! the instrumentation costs when someone listens: once by a subscriber that
//! only counts the events, once by the real probe (`chanviz::probe`, with
//! the default feature `tui`).
//!
//! Each iteration moves 1,000,000 `u64` messages through a bounded channel
//! between tokio tasks: it spawns the producers, then the consumers, drops
//! the original sender so that the consumers end, awaits every task, and
//! checks the count and the sum. The runtime is built outside the timed
//! region. Criterion reports throughput in elements (messages) per second.
//!
//! ```text
//! cargo bench --bench channels -- --warm-up-time 1 --measurement-time 3
//! python3 benches/bench_table.py      # medians and ratios vs each anchor
//! ```
//! A filter selects workloads or channels, e.g. `-- spsc-1024-ct` or
//! `-- 'kanal|chanviz'`.
//!
//! Criterion measures one benchmark after the other, so the channels of a
//! workload run back to back. The multi-thread figures are bimodal (see
//! `benches/README.md`), so there is also an interleaved mode, which bypasses
//! criterion: each round runs every channel once on every workload (in an
//! order that rotates from round to round), and the table of medians and
//! ratios is printed at the end:
//!
//! ```text
//! CHANVIZ_BENCH_ROUNDS=15 cargo bench --bench channels
//! ```
#![cfg_attr(loom, allow(unused))]

#[cfg(loom)]
fn main() {}

#[cfg(not(loom))]
fn main() {
    match std::env::var("CHANVIZ_BENCH_ROUNDS") {
        Ok(rounds) => benches::interleaved(rounds.parse().expect("CHANVIZ_BENCH_ROUNDS: a number")),
        Err(_) => {
            benches::all();
            criterion::Criterion::default()
                .configure_from_args()
                .final_summary();
        }
    }
}

#[cfg(not(loom))]
mod benches {
    use std::cell::RefCell;
    use std::future::Future;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use criterion::{criterion_group, BenchmarkId, Criterion, SamplingMode, Throughput};
    use tokio::runtime::{Builder, Runtime};
    use tracing::dispatcher::{self, DefaultGuard, Dispatch};
    use tracing_subscriber::layer::{Context, SubscriberExt};
    use tracing_subscriber::{Layer, Registry};

    /// Messages per iteration.
    const MESSAGES: u64 = 1_000_000;

    /// A bounded async channel, seen the same way for every implementation.
    pub(crate) trait Chan: 'static {
        type Tx: Send + Sync + 'static;
        type Rx: Send + Sync + 'static;
        /// Whether it allows several consumers.
        const MPMC: bool;
        fn bounded(cap: usize) -> (Self::Tx, Self::Rx);
        fn clone_tx(tx: &Self::Tx) -> Self::Tx;
        fn clone_rx(rx: &Self::Rx) -> Self::Rx;
        fn send(tx: &Self::Tx, v: u64) -> impl Future<Output = ()> + Send;
        /// `None` once the channel is closed and drained.
        fn recv(rx: &mut Self::Rx) -> impl Future<Output = Option<u64>> + Send;
    }

    struct Chanviz;
    impl Chan for Chanviz {
        type Tx = chanviz::channel::Sender<u64>;
        type Rx = chanviz::channel::Receiver<u64>;
        const MPMC: bool = true;
        fn bounded(cap: usize) -> (Self::Tx, Self::Rx) {
            chanviz::channel::bounded(cap)
        }
        fn clone_tx(tx: &Self::Tx) -> Self::Tx {
            tx.clone()
        }
        fn clone_rx(rx: &Self::Rx) -> Self::Rx {
            rx.clone()
        }
        async fn send(tx: &Self::Tx, v: u64) {
            tx.send(v).await.unwrap()
        }
        async fn recv(rx: &mut Self::Rx) -> Option<u64> {
            rx.recv().await.ok()
        }
    }

    /// An anchor channel whose API has the common shape: `$bounded(cap)`,
    /// clonable handles, a send future that fails only when closed, and a
    /// receive future whose `Ok`/`Some` is the value.
    macro_rules! anchor {
        ($ty:ident, mpmc: $mpmc:expr, $tx:ty, $rx:ty, $bounded:path,
         send: $send:ident, recv: $recv:ident, recv_into_option: $opt:expr) => {
            anchor!($ty, mpmc: $mpmc, $tx, $rx, $bounded, send: $send, recv: $recv,
                recv_into_option: $opt, clone_rx: |rx: &$rx| rx.clone());
        };
        ($ty:ident, mpmc: $mpmc:expr, $tx:ty, $rx:ty, $bounded:path,
         send: $send:ident, recv: $recv:ident, recv_into_option: $opt:expr,
         clone_rx: $clone:expr) => {
            struct $ty;
            impl Chan for $ty {
                type Tx = $tx;
                type Rx = $rx;
                const MPMC: bool = $mpmc;
                fn bounded(cap: usize) -> (Self::Tx, Self::Rx) {
                    $bounded(cap)
                }
                fn clone_tx(tx: &Self::Tx) -> Self::Tx {
                    tx.clone()
                }
                fn clone_rx(rx: &Self::Rx) -> Self::Rx {
                    ($clone)(rx)
                }
                async fn send(tx: &Self::Tx, v: u64) {
                    tx.$send(v).await.unwrap()
                }
                async fn recv(rx: &mut Self::Rx) -> Option<u64> {
                    ($opt)(rx.$recv().await)
                }
            }
        };
    }

    fn ok<T, E>(r: Result<T, E>) -> Option<T> {
        r.ok()
    }
    fn some<T>(o: Option<T>) -> Option<T> {
        o
    }

    anchor!(TokioMpsc, mpmc: false, tokio::sync::mpsc::Sender<u64>, tokio::sync::mpsc::Receiver<u64>,
        tokio::sync::mpsc::channel, send: send, recv: recv, recv_into_option: some,
        clone_rx: |_: &tokio::sync::mpsc::Receiver<u64>| unreachable!("single consumer"));
    anchor!(Flume, mpmc: true, flume::Sender<u64>, flume::Receiver<u64>,
        flume::bounded, send: send_async, recv: recv_async, recv_into_option: ok);
    anchor!(AsyncChannel, mpmc: true, async_channel::Sender<u64>, async_channel::Receiver<u64>,
        async_channel::bounded, send: send, recv: recv, recv_into_option: ok);
    anchor!(Kanal, mpmc: true, kanal::AsyncSender<u64>, kanal::AsyncReceiver<u64>,
        kanal::bounded_async, send: send, recv: recv, recv_into_option: ok);
    anchor!(Thingbuf, mpmc: false, thingbuf::mpsc::Sender<u64>, thingbuf::mpsc::Receiver<u64>,
        thingbuf::mpsc::channel, send: send, recv: recv, recv_into_option: some,
        clone_rx: |_: &thingbuf::mpsc::Receiver<u64>| unreachable!("single consumer"));

    /// One workload of `benches/README.md`.
    #[derive(Clone, Copy)]
    struct Workload {
        /// The name in `benches/README.md`, with `/` as `-` (criterion makes
        /// directories of the names).
        name: &'static str,
        producers: u64,
        consumers: u64,
        capacity: usize,
        multi_thread: bool,
    }

    const WORKLOADS: [Workload; 5] = [
        Workload {
            name: "spsc-1024-mt2",
            producers: 1,
            consumers: 1,
            capacity: 1024,
            multi_thread: true,
        },
        Workload {
            name: "spsc-1024-ct",
            producers: 1,
            consumers: 1,
            capacity: 1024,
            multi_thread: false,
        },
        Workload {
            name: "spsc-1-mt2",
            producers: 1,
            consumers: 1,
            capacity: 1,
            multi_thread: true,
        },
        Workload {
            name: "mpsc4-1024-mt2",
            producers: 4,
            consumers: 1,
            capacity: 1024,
            multi_thread: true,
        },
        Workload {
            name: "mpmc4x4-1024-mt2",
            producers: 4,
            consumers: 4,
            capacity: 1024,
            multi_thread: true,
        },
    ];

    /// Moves `MESSAGES` messages and checks the count and the sum.
    async fn run<C: Chan>(w: Workload) {
        let (tx, rx) = C::bounded(w.capacity);
        let per = MESSAGES / w.producers;
        let producers: Vec<_> = (0..w.producers)
            .map(|p| {
                let tx = C::clone_tx(&tx);
                tokio::spawn(async move {
                    for i in 0..per {
                        C::send(&tx, p * per + i).await;
                    }
                })
            })
            .collect();
        let mut rx = Some(rx);
        let consumers: Vec<_> = (0..w.consumers)
            .map(|c| {
                let mut rx = if c + 1 == w.consumers {
                    rx.take().expect("the original receiver")
                } else {
                    C::clone_rx(rx.as_ref().expect("the original receiver"))
                };
                tokio::spawn(async move {
                    let (mut count, mut sum) = (0u64, 0u64);
                    while let Some(v) = C::recv(&mut rx).await {
                        count += 1;
                        sum = sum.wrapping_add(v);
                    }
                    (count, sum)
                })
            })
            .collect();
        drop(tx);
        for p in producers {
            p.await.unwrap();
        }
        let (mut count, mut sum) = (0u64, 0u64);
        for c in consumers {
            let (n, s) = c.await.unwrap();
            count += n;
            sum = sum.wrapping_add(s);
        }
        let n = per * w.producers;
        assert_eq!(count, n, "count");
        assert_eq!(sum, n * (n - 1) / 2, "sum");
    }

    thread_local! {
        /// The subscriber of a runtime worker thread, while it runs.
        static GUARD: RefCell<Option<DefaultGuard>> = const { RefCell::new(None) };
    }

    fn runtime(w: Workload, dispatch: Option<&Dispatch>) -> Runtime {
        let mut builder = if w.multi_thread {
            let mut b = Builder::new_multi_thread();
            b.worker_threads(2);
            b
        } else {
            Builder::new_current_thread()
        };
        if let Some(d) = dispatch {
            let d = d.clone();
            builder
                .on_thread_start(move || {
                    GUARD.with(|g| *g.borrow_mut() = Some(dispatcher::set_default(&d)));
                })
                .on_thread_stop(|| {
                    GUARD.with(|g| g.borrow_mut().take());
                });
        }
        builder.build().expect("tokio runtime")
    }

    /// Times `iters` runs of the workload, building the runtime first.
    fn timed<C: Chan>(w: Workload, iters: u64, dispatch: Option<&Dispatch>) -> Duration {
        let rt = runtime(w, dispatch);
        let mut total = Duration::ZERO;
        for _ in 0..iters {
            let start = Instant::now();
            match dispatch {
                // The current-thread runtime runs the tasks on this thread.
                Some(d) => dispatcher::with_default(d, || rt.block_on(run::<C>(w))),
                None => rt.block_on(run::<C>(w)),
            }
            total += start.elapsed();
        }
        total
    }

    /// A layer that does the least a listener can do: count the events.
    #[derive(Clone, Default)]
    struct CountEvents(Arc<AtomicU64>);

    impl<S: tracing::Subscriber> Layer<S> for CountEvents {
        fn on_event(&self, _event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Runs chanviz observed by `dispatch` on every thread of the runtime,
    /// then makes sure the subscriber is gone before anything else runs.
    fn timed_observed_by(w: Workload, iters: u64, dispatch: Dispatch) -> Duration {
        let elapsed = timed::<Chanviz>(w, iters, Some(&dispatch));
        drop(dispatch);
        // The subscriber is gone (the runtime's threads dropped their
        // clones): make tracing's call sites forget it, so the unobserved
        // benchmarks that follow pay only the disabled check. (tracing's
        // max level stays TRACE once a scoped subscriber has existed, but
        // every call site's interest is now "never": an event costs one
        // more relaxed load than in a process that never had a subscriber.)
        tracing::callsite::rebuild_interest_cache();
        elapsed
    }

    /// chanviz with a subscriber that counts every event.
    fn timed_observed(w: Workload, iters: u64) -> Duration {
        let count = CountEvents::default();
        let dispatch = Dispatch::new(Registry::default().with(count.clone()));
        let elapsed = timed_observed_by(w, iters, dispatch);
        assert_eq!(
            Arc::strong_count(&count.0),
            1,
            "the subscriber outlived its runtime"
        );
        // Every message is at least a push and a pop.
        let seen = count.0.load(Ordering::Relaxed);
        assert!(
            seen >= 2 * MESSAGES * iters,
            "the subscriber saw {seen} events for {iters} x {MESSAGES} messages"
        );
        elapsed
    }

    /// chanviz observed by the real probe (`chanviz::probe`), as the TUI
    /// runs it.
    #[cfg(feature = "tui")]
    fn timed_probe(w: Workload, iters: u64) -> Duration {
        let probe = chanviz::probe::ProbeLayer::new().probe();
        let elapsed = timed_observed_by(w, iters, probe.dispatch());
        let received: u64 = probe
            .snapshot()
            .channels
            .iter()
            .map(|c| c.counters.received)
            .sum();
        assert!(
            received >= MESSAGES * iters,
            "the probe saw {received} messages of {iters} x {MESSAGES}"
        );
        elapsed
    }

    /// One line of the tables: a channel, or chanviz with an observer.
    struct Contender {
        name: &'static str,
        /// Whether it allows several consumers.
        mpmc: bool,
        /// chanviz with a subscriber: measured after the unobserved runs.
        observed: bool,
        /// Times `iters` runs of a workload.
        run: fn(Workload, u64) -> Duration,
    }

    impl Contender {
        fn runs(&self, w: &Workload) -> bool {
            w.consumers == 1 || self.mpmc
        }
    }

    macro_rules! contender {
        ($name:literal, $chan:ty) => {
            Contender {
                name: $name,
                mpmc: <$chan as Chan>::MPMC,
                observed: false,
                run: |w, iters| timed::<$chan>(w, iters, None),
            }
        };
    }

    /// Every contender, once: both modes read this list. chanviz is first,
    /// since the ratios are taken against it.
    fn contenders() -> Vec<Contender> {
        vec![
            contender!("chanviz", Chanviz),
            Contender {
                name: "chanviz+subscriber",
                mpmc: true,
                observed: true,
                run: timed_observed,
            },
            #[cfg(feature = "tui")]
            Contender {
                name: "chanviz+probe",
                mpmc: true,
                observed: true,
                run: timed_probe,
            },
            contender!("kanal", Kanal),
            contender!("flume", Flume),
            contender!("async-channel", AsyncChannel),
            contender!("tokio-mpsc", TokioMpsc),
            contender!("thingbuf", Thingbuf),
        ]
    }

    /// Criterion: every workload with every unobserved contender, then the
    /// observed ones last, so that no unobserved run follows a subscriber
    /// (tracing's call-site caches are rebuilt after each one, but this way
    /// nothing depends on it).
    fn channels(c: &mut Criterion) {
        let contenders = contenders();
        for observed in [false, true] {
            for w in WORKLOADS {
                let mut group = c.benchmark_group(w.name);
                group.throughput(Throughput::Elements(MESSAGES));
                group.sampling_mode(SamplingMode::Flat);
                group.sample_size(10);
                for con in contenders
                    .iter()
                    .filter(|k| k.observed == observed && k.runs(&w))
                {
                    group.bench_function(BenchmarkId::from_parameter(con.name), |b| {
                        b.iter_custom(|iters| (con.run)(w, iters))
                    });
                }
                group.finish();
            }
        }
    }

    criterion_group!(all, channels);

    /// Whether `CHANVIZ_BENCH_ONLY` selects this run: substrings of
    /// `workload/contender$` separated by `|`, any of which selects it, e.g.
    /// `spsc-1-mt2/`, `/kanal` or `/chanviz$|/kanal$` (unset: everything).
    fn selected(w: &Workload, c: &Contender) -> bool {
        std::env::var("CHANVIZ_BENCH_ONLY").map_or(true, |only| {
            let run = format!("{}/{}$", w.name, c.name);
            only.split('|').any(|part| run.contains(part))
        })
    }

    /// `rounds` rounds; in each, every contender once per workload, in an
    /// order that rotates; then the medians (millions of messages per
    /// second) and chanviz's ratio to each anchor.
    pub fn interleaved(rounds: usize) {
        // Put tracing in the state it has after an observed run (see
        // `timed_observed`) before the first round, so every round of the
        // unobserved contenders runs under the same conditions.
        drop(Dispatch::new(Registry::default()));
        tracing::callsite::rebuild_interest_cache();
        let contenders = contenders();
        // results[workload][contender] = throughputs
        let mut results = vec![vec![Vec::new(); contenders.len()]; WORKLOADS.len()];
        for round in 0..rounds {
            for (wi, w) in WORKLOADS.iter().enumerate() {
                let n = contenders.len();
                for k in 0..n {
                    let ci = (k + round) % n;
                    let c = &contenders[ci];
                    if !c.runs(w) || !selected(w, c) {
                        continue;
                    }
                    let d = (c.run)(*w, 1);
                    results[wi][ci].push(MESSAGES as f64 / d.as_secs_f64() / 1e6);
                }
            }
            eprintln!("round {}/{rounds} done", round + 1);
        }
        let median = |v: &Vec<f64>| -> Option<f64> {
            let mut v = v.clone();
            v.sort_by(f64::total_cmp);
            (!v.is_empty()).then(|| v[v.len() / 2])
        };
        let medians: Vec<Vec<Option<f64>>> = results
            .iter()
            .map(|per_contender| per_contender.iter().map(median).collect())
            .collect();
        let header: Vec<&str> = WORKLOADS.iter().map(|w| w.name).collect();
        println!(
            "\nThroughput, millions of messages per second (median of {rounds}, interleaved)\n"
        );
        println!("| channel | {} |", header.join(" | "));
        println!("|---{}|", "|---".repeat(header.len()));
        for (ci, c) in contenders.iter().enumerate() {
            let cells: Vec<String> = (0..WORKLOADS.len())
                .map(|wi| medians[wi][ci].map_or("n/a".into(), |m| format!("{m:.1}")))
                .collect();
            println!("| {} | {} |", c.name, cells.join(" | "));
        }
        println!("\nchanviz / other (ratio of medians; > 1: chanviz is faster)\n");
        println!("| other | {} |", header.join(" | "));
        println!("|---{}|", "|---".repeat(header.len()));
        for (ci, c) in contenders.iter().enumerate().skip(1) {
            let cells: Vec<String> = (0..WORKLOADS.len())
                .map(|wi| match (medians[wi][0], medians[wi][ci]) {
                    (Some(ours), Some(theirs)) => format!("{:.2}", ours / theirs),
                    _ => "n/a".into(),
                })
                .collect();
            println!("| {} | {} |", c.name, cells.join(" | "));
        }
    }
}
