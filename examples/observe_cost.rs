//! What watching costs a program: 2,000,000 `u64`s through a chanviz
//! channel of 1,024 slots, one sender thread and one receiver thread, and
//! the time it took, in millions of messages per second. Run it three ways
//! (README, "Watch your own program"):
//!
//! ```sh
//! cargo run --release --example observe_cost                        # not observed
//! CHANVIZ_OBSERVE=1 cargo run --release --example observe_cost      # the probe alone
//! CHANVIZ_OBSERVE=1 CHANVIZ_ADDR=127.0.0.1:7778 CHANVIZ_WAIT=1 \
//!     cargo run --release --example observe_cost                    # and a viewer attached
//! ```
//! With `CHANVIZ_WAIT=1` it waits for Enter before sending (attach first).

use std::time::Instant;

const N: u64 = 2_000_000;

fn main() {
    let observer =
        std::env::var_os("CHANVIZ_OBSERVE").map(|_| chanviz::observe().expect("chanviz observer"));
    if std::env::var_os("CHANVIZ_WAIT").is_some() {
        eprintln!("attach now, then press Enter");
        let _ = std::io::stdin().read_line(&mut String::new());
    }
    let (tx, rx) = chanviz::channel::bounded::<u64>(1024);
    let start = Instant::now();
    let sender = std::thread::spawn(move || {
        futures::executor::block_on(async move {
            for i in 0..N {
                tx.send(i).await.expect("open");
            }
        })
    });
    let sum = futures::executor::block_on(async move {
        let mut sum = 0u64;
        while let Ok(v) = rx.recv().await {
            sum = sum.wrapping_add(v);
        }
        sum
    });
    sender.join().expect("sender");
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(sum, N * (N - 1) / 2);
    let dropped = observer.as_ref().map_or(0, |o| o.dropped());
    println!(
        "{:.2} M msg/s ({} events, {} dropped for the viewer)",
        N as f64 / secs / 1e6,
        2 * N,
        dropped
    );
}
