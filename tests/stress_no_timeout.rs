//! Stress with no timeouts anywhere: producers and consumers on plain OS
//! threads, each driving its futures with `block_on`, on tiny rings.
//!
//! Every other stress test cancels operations through timeouts, and a
//! timeout also rescues a future whose wakeup was lost, so a lost wakeup
//! can never show there. Here nothing rescues anyone: a lost wakeup leaves a
//! thread blocked for ever. A watchdog (the test's own thread) fails the
//! test when the run stops making progress, and says where it stood.
#![cfg(not(loom))]

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use chanviz::channel::{bounded, Receiver, Sender};
use futures::executor::block_on;
use futures::StreamExt;

/// How long the run may go without a single message delivered before the
/// watchdog calls it a hang. A healthy round delivers thousands a second.
const STALL: Duration = Duration::from_secs(30);

/// Progress shared with the watchdog.
#[derive(Default)]
struct Progress {
    delivered: AtomicU64,
    rounds: AtomicUsize,
}

/// One round: `producers` threads send `per` values each, `consumers`
/// threads receive (half with `recv`, half as a `Stream`) until the channel
/// closes. Returns how many values were received and their sum.
fn round(
    capacity: usize,
    producers: u64,
    consumers: u64,
    per: u64,
    progress: &Arc<Progress>,
) -> (u64, u64) {
    let (tx, rx) = bounded::<u64>(capacity);
    let senders: Vec<_> = (0..producers)
        .map(|p| {
            let tx: Sender<u64> = tx.clone();
            thread::spawn(move || {
                block_on(async {
                    for i in 0..per {
                        let v = p * per + i;
                        // Now and then try first, to mix in the other path.
                        if i % 7 == 0 {
                            if let Err(e) = tx.try_send(v) {
                                tx.send(e.into_inner()).await.expect("open");
                            }
                        } else {
                            tx.send(v).await.expect("open");
                        }
                    }
                })
            })
        })
        .collect();
    let receivers: Vec<_> = (0..consumers)
        .map(|c| {
            let mut rx: Receiver<u64> = rx.clone();
            let progress = progress.clone();
            thread::spawn(move || {
                block_on(async {
                    let (mut n, mut sum) = (0u64, 0u64);
                    loop {
                        let next = if c % 2 == 0 {
                            rx.recv().await.ok()
                        } else {
                            rx.next().await
                        };
                        let Some(v) = next else { break };
                        n += 1;
                        sum += v;
                        progress.delivered.fetch_add(1, Ordering::Relaxed);
                    }
                    (n, sum)
                })
            })
        })
        .collect();
    drop((tx, rx));
    for s in senders {
        s.join().expect("producer panicked");
    }
    receivers
        .into_iter()
        .map(|r| r.join().expect("consumer panicked"))
        .fold((0, 0), |(n, s), (n2, s2)| (n + n2, s + s2))
}

#[test]
fn tiny_rings_on_plain_threads_lose_no_wakeup() {
    let progress = Arc::new(Progress::default());
    let worker = {
        let progress = progress.clone();
        thread::spawn(move || {
            let mut rounds = 0;
            for capacity in [1usize, 2, 3] {
                for (producers, consumers) in [(1, 1), (2, 2), (4, 1), (1, 4), (3, 3)] {
                    for _ in 0..8 {
                        let per = 2_000;
                        let (n, sum) = round(capacity, producers, consumers, per, &progress);
                        let total = producers * per;
                        assert_eq!(
                            n, total,
                            "capacity {capacity}, {producers}x{consumers}: count"
                        );
                        assert_eq!(sum, total * (total - 1) / 2, "sum");
                        rounds += 1;
                        progress.rounds.store(rounds, Ordering::Relaxed);
                    }
                }
            }
            rounds
        })
    };
    // The watchdog: fail (do not hang) when nothing moves for `STALL`.
    let mut last = (0, 0);
    let mut since = Instant::now();
    while !worker.is_finished() {
        thread::sleep(Duration::from_millis(100));
        let now = (
            progress.delivered.load(Ordering::Relaxed),
            progress.rounds.load(Ordering::Relaxed),
        );
        if now != last {
            last = now;
            since = Instant::now();
        } else if since.elapsed() > STALL {
            panic!(
                "no progress for {STALL:?} after {} messages in {} rounds: a lost wakeup left threads blocked",
                now.0, now.1
            );
        }
    }
    let rounds = worker.join().expect("a round failed");
    assert_eq!(rounds, 3 * 5 * 8);
}
