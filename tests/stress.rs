//! Several producers and consumers on a tokio multi-thread runtime, with
//! random cancellation of `send` and `recv` through `tokio::time::timeout`,
//! and exact-once accounting of every message.
//!
//! A timed-out send either delivered its value or did not (the `SendFuture`
//! drop guarantee). To tell which from the outside, every message carries a
//! "came back" flag shared with its producer: the message's `Drop` raises it,
//! and consumers defuse each message they receive before dropping it. So the
//! flag is raised only if the cancelled future dropped the value, and then
//! (and only then) the producer retries the same value.
#![cfg(not(loom))]

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chanviz::channel::{bounded, Receiver, Sender};
use tokio::time::timeout;

/// A message whose drop, unless defused, says it was never delivered.
struct Msg {
    value: u64,
    came_back: Option<Arc<AtomicBool>>,
}

impl Msg {
    /// Takes the value out as a receiver: the drop no longer signals.
    fn defuse(mut self) -> u64 {
        self.came_back = None;
        self.value
    }
}

impl Drop for Msg {
    fn drop(&mut self) {
        if let Some(flag) = &self.came_back {
            assert!(
                !flag.swap(true, Ordering::SeqCst),
                "value {} came back twice",
                self.value
            );
        }
    }
}

/// xorshift64*: a small deterministic generator, one per task.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A timeout that often cancels: zero (cancel at the first `Pending`),
    /// or a short one.
    fn patience(&mut self) -> Duration {
        match self.next() % 8 {
            0..=3 => Duration::ZERO,
            4..=5 => Duration::from_micros(50),
            _ => Duration::from_millis(2),
        }
    }
}

#[derive(Default)]
struct Stats {
    send_timeouts: AtomicU64,
    retries: AtomicU64,
    recv_timeouts: AtomicU64,
}

async fn produce(tx: Sender<Msg>, p: u64, per: u64, stats: Arc<Stats>) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (p + 1));
    let came_back = Arc::new(AtomicBool::new(false));
    for i in 0..per {
        let value = p * per + i;
        loop {
            came_back.store(false, Ordering::SeqCst);
            let msg = Msg {
                value,
                came_back: Some(came_back.clone()),
            };
            match timeout(rng.patience(), tx.send(msg)).await {
                Ok(Ok(())) => break,
                Ok(Err(_)) => panic!("channel closed while producer {p} was sending"),
                Err(_elapsed) => {
                    stats.send_timeouts.fetch_add(1, Ordering::Relaxed);
                    // The future is gone: it delivered the value, or dropped it.
                    if !came_back.load(Ordering::SeqCst) {
                        break;
                    }
                    stats.retries.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        // Now and then fall behind, so that receivers park and time out.
        match rng.next() % 256 {
            0..=15 => tokio::task::yield_now().await,
            16..=17 => tokio::time::sleep(Duration::from_micros(100)).await,
            _ => {}
        }
    }
}

async fn consume(rx: Receiver<Msg>, c: u64, stats: Arc<Stats>) -> Vec<u64> {
    let mut rng = Rng(0xD1B5_4A32_D192_ED03 ^ (c + 1));
    let mut got = Vec::new();
    loop {
        match timeout(rng.patience(), rx.recv()).await {
            Ok(Ok(msg)) => {
                got.push(msg.defuse());
                // Now and then fall behind, so that senders park and time out.
                match rng.next() % 256 {
                    0..=15 => tokio::task::yield_now().await,
                    16..=19 => tokio::time::sleep(Duration::from_micros(100)).await,
                    _ => {}
                }
            }
            Ok(Err(_closed_and_drained)) => return got,
            Err(_elapsed) => {
                stats.recv_timeouts.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// How many operations the run cancelled, so that a test can check that it
/// really exercised cancellation (or it proved nothing).
struct Cancellations {
    sends: u64,
    recvs: u64,
}

fn run(capacity: usize, producers: u64, consumers: u64, per: u64) -> Cancellations {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap();
    let stats = Arc::new(Stats::default());
    let all = rt.block_on(async {
        let (tx, rx) = bounded::<Msg>(capacity);
        let producer_tasks: Vec<_> = (0..producers)
            .map(|p| tokio::spawn(produce(tx.clone(), p, per, stats.clone())))
            .collect();
        let consumer_tasks: Vec<_> = (0..consumers)
            .map(|c| tokio::spawn(consume(rx.clone(), c, stats.clone())))
            .collect();
        drop((tx, rx));
        let work = async {
            for t in producer_tasks {
                t.await.unwrap();
            }
            let mut all = Vec::new();
            for t in consumer_tasks {
                all.extend(t.await.unwrap());
            }
            all
        };
        // A guard against a hang (a lost wakeup shows up as one), not a
        // timing assertion: a healthy run takes well under a second.
        timeout(Duration::from_secs(60), work)
            .await
            .expect("stress run hung: a lost wakeup or a lost message")
    });
    let total = producers * per;
    let mut sorted = all.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), all.len(), "a message was received twice");
    assert_eq!(all.len() as u64, total, "count: a message was lost");
    assert_eq!(all.iter().sum::<u64>(), total * (total - 1) / 2, "sum");
    assert_eq!(sorted, (0..total).collect::<Vec<_>>());
    let s = &stats;
    let counts = (
        s.send_timeouts.load(Ordering::Relaxed),
        s.retries.load(Ordering::Relaxed),
        s.recv_timeouts.load(Ordering::Relaxed),
    );
    eprintln!(
        "capacity {capacity}, {producers}x{consumers}: {} send timeouts ({} retried, the rest delivered), {} recv timeouts",
        counts.0, counts.1, counts.2
    );
    Cancellations {
        sends: counts.0,
        recvs: counts.2,
    }
}

/// [`run`], which must have cancelled some sends and some receives.
fn run_with_both_cancelled(capacity: usize, producers: u64, consumers: u64, per: u64) {
    let c = run(capacity, producers, consumers, per);
    assert!(
        c.sends > 0 && c.recvs > 0,
        "too few cancellations: {}/{}",
        c.sends,
        c.recvs
    );
}

#[test]
fn mpmc_with_random_cancellation_delivers_each_message_exactly_once() {
    run_with_both_cancelled(8, 4, 4, 5_000);
}

#[test]
fn handoff_capacity_one_with_random_cancellation_delivers_each_message_exactly_once() {
    run_with_both_cancelled(1, 3, 3, 3_000);
}

#[test]
fn many_consumers_few_messages_with_random_cancellation() {
    // Six consumers for two producers: mostly receivers time out.
    let c = run(2, 2, 6, 3_000);
    assert!(c.recvs > 0, "no recv was cancelled");
}

/// Totals of the messages one side handled.
#[derive(Default)]
struct Tally {
    count: AtomicU64,
    sum: AtomicU64,
}

impl Tally {
    fn add(&self, v: u64) {
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum.fetch_add(v, Ordering::Relaxed);
    }

    fn get(&self) -> (u64, u64) {
        (
            self.count.load(Ordering::Relaxed),
            self.sum.load(Ordering::Relaxed),
        )
    }
}

/// A close races busy producers and consumers, many times over: every
/// producer ends with its refused value given back, every consumer ends, and
/// every accepted message is received exactly once (by a consumer, or by the
/// closing receiver's drain).
#[test]
fn close_under_load_loses_no_accepted_message_and_wakes_everyone() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap();
    rt.block_on(async {
        const ROUNDS: u64 = 120;
        let traffic_of = |round: u64| (round * 37) % 500;
        let mut total = 0;
        for round in 0..ROUNDS {
            let close_from_sender = round % 2 == 0;
            let (tx, rx) = bounded::<u64>(1 + (round % 3) as usize);
            let accepted = Arc::new(Tally::default());
            let received = Arc::new(Tally::default());
            let producers: Vec<_> = (0..3u64)
                .map(|p| {
                    let (tx, accepted) = (tx.clone(), accepted.clone());
                    tokio::spawn(async move {
                        for i in 0.. {
                            let v = p * 1_000_000 + i;
                            match tx.send(v).await {
                                Ok(()) => accepted.add(v),
                                Err(e) => {
                                    assert_eq!(
                                        e.into_inner(),
                                        v,
                                        "a refused send gives its value back"
                                    );
                                    return;
                                }
                            }
                        }
                    })
                })
                .collect();
            let consumers: Vec<_> = (0..2)
                .map(|_| {
                    let (rx, received) = (rx.clone(), received.clone());
                    tokio::spawn(async move {
                        while let Ok(v) = rx.recv().await {
                            received.add(v);
                        }
                    })
                })
                .collect();
            // Close after a varying amount of traffic, while producers are
            // parked on the full ring and consumers on the empty one.
            let traffic = traffic_of(round);
            while received.get().0 < traffic {
                tokio::task::yield_now().await;
            }
            for _ in 0..round % 5 {
                tokio::task::yield_now().await;
            }
            let work = async {
                if close_from_sender {
                    let closing = tx.close();
                    drop(rx);
                    for p in producers {
                        p.await.unwrap();
                    }
                    for c in consumers {
                        c.await.unwrap();
                    }
                    let closed = closing.drained().await;
                    assert!(closed.is_empty());
                } else {
                    drop(tx);
                    let closing = rx.close();
                    for p in producers {
                        p.await.unwrap();
                    }
                    for c in consumers {
                        c.await.unwrap();
                    }
                    for v in closing.drain() {
                        received.add(v);
                    }
                }
            };
            timeout(Duration::from_secs(30), work)
                .await
                .unwrap_or_else(|_| panic!("round {round}: a producer or consumer never woke"));
            assert_eq!(
                accepted.get(),
                received.get(),
                "round {round}: accepted vs received"
            );
            total += accepted.get().0;
        }
        eprintln!("{total} messages accepted over {ROUNDS} closes");
        let least: u64 = (0..ROUNDS).map(traffic_of).sum();
        assert!(
            total >= least,
            "less traffic than waited for: {total} < {least}"
        );
    });
}
