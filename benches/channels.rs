//! chanviz against the anchors of `BENCHMARKS.md`: tokio::sync::mpsc, flume,
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
//! `BENCHMARKS.md`), so there is also an interleaved mode, which bypasses
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

    struct TokioMpsc;
    impl Chan for TokioMpsc {
        type Tx = tokio::sync::mpsc::Sender<u64>;
        type Rx = tokio::sync::mpsc::Receiver<u64>;
        const MPMC: bool = false;
        fn bounded(cap: usize) -> (Self::Tx, Self::Rx) {
            tokio::sync::mpsc::channel(cap)
        }
        fn clone_tx(tx: &Self::Tx) -> Self::Tx {
            tx.clone()
        }
        fn clone_rx(_: &Self::Rx) -> Self::Rx {
            unreachable!("single consumer")
        }
        async fn send(tx: &Self::Tx, v: u64) {
            tx.send(v).await.unwrap()
        }
        async fn recv(rx: &mut Self::Rx) -> Option<u64> {
            rx.recv().await
        }
    }

    struct Flume;
    impl Chan for Flume {
        type Tx = flume::Sender<u64>;
        type Rx = flume::Receiver<u64>;
        const MPMC: bool = true;
        fn bounded(cap: usize) -> (Self::Tx, Self::Rx) {
            flume::bounded(cap)
        }
        fn clone_tx(tx: &Self::Tx) -> Self::Tx {
            tx.clone()
        }
        fn clone_rx(rx: &Self::Rx) -> Self::Rx {
            rx.clone()
        }
        async fn send(tx: &Self::Tx, v: u64) {
            tx.send_async(v).await.unwrap()
        }
        async fn recv(rx: &mut Self::Rx) -> Option<u64> {
            rx.recv_async().await.ok()
        }
    }

    struct AsyncChannel;
    impl Chan for AsyncChannel {
        type Tx = async_channel::Sender<u64>;
        type Rx = async_channel::Receiver<u64>;
        const MPMC: bool = true;
        fn bounded(cap: usize) -> (Self::Tx, Self::Rx) {
            async_channel::bounded(cap)
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

    struct Kanal;
    impl Chan for Kanal {
        type Tx = kanal::AsyncSender<u64>;
        type Rx = kanal::AsyncReceiver<u64>;
        const MPMC: bool = true;
        fn bounded(cap: usize) -> (Self::Tx, Self::Rx) {
            kanal::bounded_async(cap)
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

    struct Thingbuf;
    impl Chan for Thingbuf {
        type Tx = thingbuf::mpsc::Sender<u64>;
        type Rx = thingbuf::mpsc::Receiver<u64>;
        const MPMC: bool = false;
        fn bounded(cap: usize) -> (Self::Tx, Self::Rx) {
            thingbuf::mpsc::channel(cap)
        }
        fn clone_tx(tx: &Self::Tx) -> Self::Tx {
            tx.clone()
        }
        fn clone_rx(_: &Self::Rx) -> Self::Rx {
            unreachable!("single consumer")
        }
        async fn send(tx: &Self::Tx, v: u64) {
            tx.send(v).await.unwrap()
        }
        async fn recv(rx: &mut Self::Rx) -> Option<u64> {
            rx.recv().await
        }
    }

    /// One workload of `BENCHMARKS.md`.
    #[derive(Clone, Copy)]
    struct Workload {
        /// The name in `BENCHMARKS.md`, with `/` as `-` (criterion makes
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

    fn bench_workload(c: &mut Criterion, w: Workload) {
        let mut group = c.benchmark_group(w.name);
        group.throughput(Throughput::Elements(MESSAGES));
        group.sampling_mode(SamplingMode::Flat);
        group.sample_size(10);
        macro_rules! bench {
            ($name:literal, $chan:ty) => {
                if w.consumers == 1 || <$chan as Chan>::MPMC {
                    group.bench_function(BenchmarkId::from_parameter($name), |b| {
                        b.iter_custom(|iters| timed::<$chan>(w, iters, None))
                    });
                }
            };
        }
        bench!("chanviz", Chanviz);
        bench!("kanal", Kanal);
        bench!("flume", Flume);
        bench!("async-channel", AsyncChannel);
        bench!("tokio-mpsc", TokioMpsc);
        bench!("thingbuf", Thingbuf);
        group.finish();
    }

    /// chanviz observed, in the same group as the workload's other runs.
    fn bench_observed(c: &mut Criterion, w: Workload) {
        let mut group = c.benchmark_group(w.name);
        group.throughput(Throughput::Elements(MESSAGES));
        group.sampling_mode(SamplingMode::Flat);
        group.sample_size(10);
        group.bench_function(BenchmarkId::from_parameter("chanviz+subscriber"), |b| {
            b.iter_custom(|iters| timed_observed(w, iters))
        });
        #[cfg(feature = "tui")]
        group.bench_function(BenchmarkId::from_parameter("chanviz+probe"), |b| {
            b.iter_custom(|iters| timed_probe(w, iters))
        });
        group.finish();
    }

    fn channels(c: &mut Criterion) {
        for w in WORKLOADS {
            bench_workload(c, w);
        }
        // The observed runs come last, so that no unobserved run follows a
        // subscriber (tracing's call-site caches are rebuilt after each one,
        // but this way nothing depends on it).
        for w in WORKLOADS {
            bench_observed(c, w);
        }
    }

    criterion_group!(all, channels);

    /// One line of the interleaved table.
    struct Contender {
        name: &'static str,
        mpmc: bool,
        run: fn(Workload) -> Duration,
    }

    macro_rules! contender {
        ($name:literal, $chan:ty) => {
            Contender {
                name: $name,
                mpmc: <$chan as Chan>::MPMC,
                run: |w| timed::<$chan>(w, 1, None),
            }
        };
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
        let contenders = [
            contender!("chanviz", Chanviz),
            Contender {
                name: "chanviz+subscriber",
                mpmc: true,
                run: |w| timed_observed(w, 1),
            },
            #[cfg(feature = "tui")]
            Contender {
                name: "chanviz+probe",
                mpmc: true,
                run: |w| timed_probe(w, 1),
            },
            contender!("kanal", Kanal),
            contender!("flume", Flume),
            contender!("async-channel", AsyncChannel),
            contender!("tokio-mpsc", TokioMpsc),
            contender!("thingbuf", Thingbuf),
        ];
        // results[workload][contender] = throughputs
        let mut results = vec![vec![Vec::new(); contenders.len()]; WORKLOADS.len()];
        for round in 0..rounds {
            for (wi, w) in WORKLOADS.iter().enumerate() {
                let n = contenders.len();
                for k in 0..n {
                    let ci = (k + round) % n;
                    let c = &contenders[ci];
                    if w.consumers > 1 && !c.mpmc {
                        continue;
                    }
                    let d = (c.run)(*w);
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
