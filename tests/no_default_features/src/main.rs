//! Uses `chanviz::channel` the way a crate without tokio would: plain
//! threads and a ten-line executor. Exits non-zero if anything is off.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

use chanviz::channel::{bounded_named, TryRecvError, TrySendError};

/// Wakes the thread that runs `block_on`.
struct ThreadWaker(Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// The smallest executor: poll, park until woken, repeat.
fn block_on<F: Future>(fut: F) -> F::Output {
    let mut fut = pin!(fut);
    let waker = Waker::from(Arc::new(ThreadWaker(thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
        thread::park();
    }
}

fn main() {
    let (tx, rx) = bounded_named::<u64>(3, "no-default-features");
    assert_eq!(tx.capacity(), 3);
    assert_eq!(tx.name(), Some("no-default-features"));
    tx.try_send(1).unwrap();
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));

    const PER: u64 = 10_000;
    let producers: Vec<_> = (0..2)
        .map(|p| {
            let tx = tx.clone();
            thread::spawn(move || {
                block_on(async {
                    for i in 0..PER {
                        tx.send(p * PER + i).await.unwrap();
                    }
                })
            })
        })
        .collect();
    drop(tx);
    let consumer = thread::spawn(move || {
        block_on(async {
            let (mut count, mut sum) = (0u64, 0u64);
            while let Ok(v) = rx.recv().await {
                count += 1;
                sum += v;
            }
            (count, sum)
        })
    });
    for p in producers {
        p.join().unwrap();
    }
    let n = 2 * PER;
    assert_eq!(consumer.join().unwrap(), (n, n * (n - 1) / 2));

    // Type state: close, drain what is left, finish.
    let (tx, rx) = bounded_named::<u64>(4, "closing");
    tx.try_send(1).unwrap();
    tx.try_send(2).unwrap();
    let closing = tx.close();
    let rx = rx.close();
    assert_eq!(rx.drain().collect::<Vec<_>>(), vec![1, 2]);
    assert!(rx.try_finish().is_ok());
    assert!(block_on(closing.drained()).is_closed());

    let (tx, rx) = bounded_named::<u64>(1, "after");
    drop(rx);
    assert!(matches!(tx.try_send(9), Err(TrySendError::Closed(9))));
    println!("chanviz without default features: ok");
    #[cfg(feature = "record")]
    record();
}

/// A user's own program records its channels (feature `record`: the probe,
/// the recorder and the exporter), the file reads back whole, and exports.
#[cfg(feature = "record")]
fn record() {
    use chanviz::record::{load, Header, Recorder, VERSION};
    const N: u64 = 1_000;
    let probe = chanviz::probe::install_global();
    let path = std::env::temp_dir().join(format!("chanviz-user-{}.rec", std::process::id()));
    let header = Header {
        format: VERSION,
        chanviz: "0.1.0".into(),
        started_unix_s: 0,
        scenario: "user".into(),
        scenario_toml: String::new(),
    };
    let recorder = Recorder::start(&path, &header, &probe).unwrap();
    let (tx, rx) = bounded_named::<u64>(4, "recorded");
    let producer = thread::spawn(move || {
        block_on(async {
            for i in 0..N {
                tx.send(i).await.unwrap();
            }
        })
    });
    let received = block_on(async {
        let mut n = 0;
        while rx.recv().await.is_ok() {
            n += 1;
        }
        n
    });
    producer.join().unwrap();
    assert_eq!(received, N);
    let written = recorder.finish(String::new(), String::new()).unwrap();
    let loaded = load(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    assert_eq!(loaded.events(), written);
    let history = loaded.history();
    let history = history.read().unwrap();
    let snap = history.model().snapshot(0, Vec::new());
    let chan = snap.current().unwrap();
    assert_eq!(chan.name.as_deref(), Some("recorded"));
    assert_eq!((chan.counters.sent, chan.counters.received), (N, N));
    // ... and exports to Perfetto without a TUI crate: an arrow per message.
    let mut trace = Vec::new();
    let opts = chanviz::export::perfetto::Options::default();
    let stats = chanviz::export::perfetto::write(&loaded, &opts, &mut trace).unwrap();
    assert!(trace.starts_with(b"{\"traceEvents\":["));
    assert_eq!((stats.flows_drawn, stats.flows_total), (N, N));
    println!(
        "chanviz with feature record: recorded {written} events, read back and exported \
         ({} trace events): ok",
        stats.trace_events
    );
}
