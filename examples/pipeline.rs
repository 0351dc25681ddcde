//! A three-stage pipeline worth watching: read -> transform -> write, on
//! named chanviz channels, with a slow writer and a burst of reads now and
//! then, so the backpressure builds at the writer and moves back up the
//! pipeline.
//!
//! ```sh
//! CHANVIZ_ADDR=127.0.0.1:7777 cargo run --release --example pipeline
//! chanviz attach 127.0.0.1:7777          # in another terminal
//! ```
//!
//! `PIPELINE_SECS` sets how long it runs (default 60); it then closes the
//! pipeline from the front, lets it drain, and prints its own counts:
//! `pipeline: lines N, transformed N, written N`.

use std::time::{Duration, Instant};

use chanviz::channel::bounded_named;

fn main() {
    // The one line: stream every chanviz channel's events to a viewer
    // (CHANVIZ_ADDR) and/or a file (CHANVIZ_RECORD).
    let observer = chanviz::observe().expect("chanviz observer");
    if let Some(addr) = observer.addr() {
        eprintln!("pipeline: watch it with `chanviz attach {addr}`");
    }
    let secs: f64 = std::env::var("PIPELINE_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60.0);
    let until = Instant::now() + Duration::from_secs_f64(secs);

    let (lines_tx, lines_rx) = bounded_named::<String>(16, "lines");
    let (words_tx, words_rx) = bounded_named::<usize>(8, "word counts");
    let (out_tx, out_rx) = bounded_named::<String>(4, "output");

    // read: a line every 10 ms, and a burst of 40 at once every 3 s.
    let reader = std::thread::spawn(move || {
        futures::executor::block_on(async move {
            let mut n = 0u64;
            let mut last_burst = Instant::now();
            while Instant::now() < until {
                let burst = if last_burst.elapsed() >= Duration::from_secs(3) {
                    last_burst = Instant::now();
                    40
                } else {
                    1
                };
                for _ in 0..burst {
                    n += 1;
                    if lines_tx
                        .send(format!("line {n} of the input"))
                        .await
                        .is_err()
                    {
                        return n;
                    }
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            // Close from the front: every stage drains, then ends.
            let closing = lines_tx.close();
            drop(closing.drained().await);
            n
        })
    });
    // transform: quick.
    let transformer = std::thread::spawn(move || {
        futures::executor::block_on(async move {
            let mut n = 0u64;
            while let Ok(line) = lines_rx.recv().await {
                n += 1;
                if words_tx
                    .send(line.split_whitespace().count())
                    .await
                    .is_err()
                {
                    break;
                }
            }
            drop(words_tx);
            n
        })
    });
    // format: quick too.
    let formatter = std::thread::spawn(move || {
        futures::executor::block_on(async move {
            while let Ok(words) = words_rx.recv().await {
                if out_tx.send(format!("{words} words")).await.is_err() {
                    break;
                }
            }
        })
    });
    // write: the slow stage, 25 ms a line.
    let writer = std::thread::spawn(move || {
        futures::executor::block_on(async move {
            let mut n = 0u64;
            while let Ok(_line) = out_rx.recv().await {
                n += 1;
                std::thread::sleep(Duration::from_millis(25));
            }
            n
        })
    });
    let read = reader.join().expect("reader");
    let transformed = transformer.join().expect("transformer");
    formatter.join().expect("formatter");
    let written = writer.join().expect("writer");
    println!("pipeline: lines {read}, transformed {transformed}, written {written}");
    drop(observer);
}
